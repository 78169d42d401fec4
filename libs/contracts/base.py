"""What every internal contract shares: camelCase JSON models and a small JSON client."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from libs.common.errors import AppError, Unavailable
from libs.common.settings import GATEWAY_SECRET_HEADER

M = TypeVar("M", bound=BaseModel)


class Contract(BaseModel):
    """A model of an internal contract: snake_case in Python, camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    def wire(self) -> dict[str, Any]:
        """The JSON body as the contract spells it."""
        return self.model_dump(mode="json", by_alias=True)


class ServiceClient:
    """A JSON client for one internal service; calls carry the gateway's shared secret.

    A service that cannot be reached, or answers 5xx, is UNAVAILABLE: callers must fail, never
    guess. A 4xx answer is the service's typed error, re-raised with its code.
    """

    def __init__(self, base_url: str, secret: str, *, caller: str,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 5.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), transport=transport, timeout=timeout,
            headers={GATEWAY_SECRET_HEADER: secret, "x-xinyong-caller": caller})
        self.service = base_url

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, path: str, answer: type[M], **kwargs) -> M:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(f"{self.service} is unavailable: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise Unavailable(f"{self.service} answered {response.status_code}")
        if response.status_code >= 400:
            body = response.json() if response.content else {}
            error = body.get("error") or {}
            raise AppError(error.get("message") or f"{self.service} refused the request",
                           code=error.get("code") or "BAD_REQUEST", status=response.status_code)
        return answer.model_validate_json(response.content)
