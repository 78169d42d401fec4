"""Demo listings: the featured company on the court's list (reaching its legal representative),
a redlisted taxpayer and a rail-travel listing in its publicity window. Idempotent.

Basis records are submitted to the running records service (idempotent there on agency and
source record id), so the demo goes through the same checks as a real decision.
"""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.common.auth import AccessRole, Principal, mint_token
from libs.common.db import transaction
from libs.common.errors import AppError
from libs.common.settings import GATEWAY_SECRET_HEADER
from services.identity.demo import FEATURED_COMPANY, FEATURED_PERSON, subjects
from services.sanctions.clients import build_dependencies
from services.sanctions.config import SanctionsSettings
from services.sanctions.listings.repository import ListingRepository
from services.sanctions.listings.service import (
    DecisionRequest,
    LegalDocument,
    decide,
    gather_facts,
)

EXISTING = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Subject { records(first: 100) { id agency category status } } } }"""
SUBMIT = """mutation($input: [RecordInput!]!) { submitRecords(input: $input) {
  accepted { id } rejected { index reason } } }"""


def _plan() -> list[dict]:
    rows = subjects()
    taxpayer = next(r["code"] for r in rows if r["kind"] == "ENTERPRISE"
                    and r["code"] != FEATURED_COMPANY)
    traveller = next(r["code"] for r in rows if r["kind"] == "NATURAL_PERSON"
                     and r["code"] != FEATURED_PERSON)
    return [
        {"list": "SPC_DISHONEST_DEBTORS", "agency": "SPC", "subject": FEATURED_COMPANY,
         "category": "UNFULFILLED_OBLIGATION", "summary": "拒不履行(2025)京0105民初1234号民事判决确定的给付义务",
         "doc": LegalDocument("(2026)京0105执567号", "执行裁定书", date(2026, 9, 1),
                              "北京市朝阳区人民法院")},
        {"list": "TAX_A_GRADE", "agency": "STA", "subject": taxpayer, "category": "COMMENDATION",
         "summary": "2025年度纳税信用评价为A级",
         "doc": LegalDocument("京税信〔2026〕12号", "纳税信用等级评价结果", date(2026, 4, 30),
                              "国家税务总局北京市税务局")},
        {"list": "RAILWAY_DISHONEST", "agency": "NRA", "subject": traveller,
         "category": "TRAVEL_MISCONDUCT", "summary": "在动车组列车上吸烟,经劝阻拒不改正",
         "doc": LegalDocument("铁公(2026)京罚字第88号", "行政处罚决定书", date(2026, 10, 20),
                              "北京铁路公安处")},
    ]


async def _existing(client: httpx.AsyncClient, settings: SanctionsSettings,
                    item: dict) -> str | None:
    """A record the records demo already holds for this subject, agency and category."""
    token = mint_token("demo-loader", ["admin"], [], None, secret=settings.jwt_secret)
    try:
        body = (await client.post("/graphql", json={"query": EXISTING, "variables": {"r": [
            {"__typename": "Subject", "code": item["subject"]}]}}, headers={
            "authorization": f"Bearer {token}", GATEWAY_SECRET_HEADER: settings.gateway_secret}
        )).json()
        found = body["data"]["_entities"][0]["records"]
    except (KeyError, TypeError, IndexError, ValueError):
        return None
    for r in found:
        if (r["agency"], r["category"], r["status"]) == (item["agency"], item["category"],
                                                          "ACTIVE"):
            return r["id"]
    return None


async def _record(client: httpx.AsyncClient, settings: SanctionsSettings, item: dict) -> str:
    existing = await _existing(client, settings, item)
    if existing is not None:
        return existing
    token = mint_token("demo-loader", ["authority"], [], item["agency"], secret=settings.jwt_secret)
    doc = item["doc"]
    body = (await client.post("/graphql", json={"query": SUBMIT, "variables": {"input": [{
        "sourceRecordId": f"demo-{item['list'].lower()}", "subjectCode": item["subject"],
        "category": item["category"], "summary": item["summary"],
        "legalBasis": {"number": doc.number, "kind": doc.kind,
                       "issuedOn": doc.issued_on.isoformat(), "authority": doc.authority},
        "occurredOn": doc.issued_on.isoformat()}]}},
        headers={"authorization": f"Bearer {token}",
                 GATEWAY_SECRET_HEADER: settings.gateway_secret})).json()
    accepted = ((body.get("data") or {}).get("submitRecords") or {}).get("accepted") or []
    if not accepted:
        raise AppError(f"records refused the demo record: {body}")
    return accepted[0]["id"]


async def load(sessionmaker: async_sessionmaker[AsyncSession],
               urls: dict[str, str] | None = None, *,
               transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> dict:
    """Decide the demo listings unless they exist; skipped when records is not reachable.

    `transports` (tests) maps "identity" / "records" to in-process ASGI transports.
    """
    transports = transports or {}
    urls = urls or {}
    settings = SanctionsSettings()
    if urls.get("identity"):
        settings.identity_internal_url = urls["identity"]
    if urls.get("records"):
        settings.records_internal_url = urls["records"]
    deps = build_dependencies(settings, identity_transport=transports.get("identity"),
                              records_transport=transports.get("records"))
    decided, existing = [], []
    try:
        async with httpx.AsyncClient(base_url=settings.records_internal_url, timeout=10,
                                     transport=transports.get("records")) as client:
            for item in _plan():
                async with transaction(sessionmaker) as session:
                    found = await ListingRepository(session).any_of(item["list"], item["subject"])
                if found:
                    existing.append(item["list"])
                    continue
                try:
                    record_id = await _record(client, settings, item)
                except (httpx.HTTPError, AppError) as exc:
                    return {"skipped": f"records service not usable: {exc}"[:300],
                            "decided": decided}
                principal = Principal(sub="demo-loader", roles=frozenset({AccessRole.AUTHORITY}),
                                      agency=item["agency"])
                facts = await gather_facts(deps, sessionmaker, principal, DecisionRequest(
                    list_code=item["list"], subject_code=item["subject"],
                    basis_record_ids=[record_id], legal_basis=item["doc"]))
                async with transaction(sessionmaker) as session:
                    await decide(session, principal, facts)
                decided.append(item["list"])
    finally:
        await deps.aclose()
    return {"decided": decided, "existing": existing}
