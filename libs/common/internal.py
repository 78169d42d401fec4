"""Clients for the services' internal REST APIs (service to service, never public).

Calls carry the gateway's shared secret, like every request a subgraph accepts. A service that
cannot be reached is UNAVAILABLE: callers must fail, never guess.

Contracts (JSON):
  identity  POST /internal/subjects/lookup   {"codes": [...]}  (at most 10,000)
              -> {"subjects": {code: {"kind", "name", "regionCode"}},
                  "invalid": {raw: {"rule", "reason"}}}        unknown codes are simply absent
  identity  GET  /internal/organizations/{code}/roles?at=ISO8601
              -> {"roles": [{"personCode", "role", "since", "until"}]}
  records   POST /internal/records/lookup    {"ids": [...]}
              -> {"records": {id: {"id", "subjectCode", "category", "status", "agency",
                                   "version", "occurredOn", "legalBasis": {...}}}}
  records   GET  /internal/events?after=CURSOR&limit=N
              -> {"events": [{"id", "type", "recordId", "subjectCode", "occurredAt",
                              "payload"}], "cursor": str | null, "hasMore": bool}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from libs.common.errors import AppError, Unavailable
from libs.common.settings import GATEWAY_SECRET_HEADER


@dataclass(frozen=True)
class SubjectInfo:
    code: str
    kind: str
    name: str
    region_code: str

    @property
    def is_person(self) -> bool:
        return self.kind == "NATURAL_PERSON"


@dataclass(frozen=True)
class RoleInfo:
    person_code: str
    role: str
    since: datetime
    until: datetime | None


class ServiceClient:
    """A small JSON client for one internal service."""

    def __init__(self, base_url: str, secret: str, *, caller: str,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 5.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), transport=transport, timeout=timeout,
            headers={GATEWAY_SECRET_HEADER: secret, "x-xinyong-caller": caller})
        self.service = base_url

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, path: str, **kwargs) -> Any:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(f"{self.service} is unavailable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise Unavailable(f"{self.service} answered {response.status_code}")
        body = response.json() if response.content else {}
        if response.status_code >= 400:
            error = body.get("error") or {}
            raise AppError(error.get("message") or f"{self.service} refused the request",
                           code=error.get("code") or "BAD_REQUEST", status=response.status_code)
        return body


class IdentityClient(ServiceClient):
    """Subjects and roles, owned by the identity service."""

    async def lookup(self, codes: list[str]) -> tuple[dict[str, SubjectInfo], dict[str, dict]]:
        """Known subjects by normalised code, and the codes that were invalid (with the rule)."""
        body = await self._request("POST", "/internal/subjects/lookup", json={"codes": codes})
        subjects = {c: SubjectInfo(code=c, kind=s["kind"], name=s["name"],
                                   region_code=s["regionCode"])
                    for c, s in body["subjects"].items()}
        return subjects, body.get("invalid", {})

    async def organization_roles(self, code: str, at: datetime) -> list[RoleInfo]:
        """Persons holding roles in the organisation at `at`."""
        body = await self._request("GET", f"/internal/organizations/{code}/roles",
                                   params={"at": at.isoformat()})
        return [RoleInfo(person_code=r["personCode"], role=r["role"],
                         since=datetime.fromisoformat(r["since"]),
                         until=datetime.fromisoformat(r["until"]) if r["until"] else None)
                for r in body["roles"]]


class RecordsClient(ServiceClient):
    """Credit records and their events, owned by the records service."""

    async def lookup(self, ids: list[str]) -> dict[str, dict]:
        body = await self._request("POST", "/internal/records/lookup", json={"ids": ids})
        return body["records"]

    async def events(self, after: str | None, limit: int = 500) -> dict:
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        return await self._request("GET", "/internal/events", params=params)
