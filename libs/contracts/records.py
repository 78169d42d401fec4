"""The records service's internal contract.

  POST /internal/records/lookup   RecordLookup (at most 10,000 ids) -> RecordDirectory
      current versions by id, whatever their disclosure; unknown or malformed ids are absent
  GET  /internal/events?after=CURSOR&limit=N -> EventPage
      outbox events after the cursor, oldest first; at-least-once, so consumers dedupe by id
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from libs.contracts.base import Contract, ServiceClient

MAX_LOOKUP = 10_000


class RecordLookup(Contract):
    ids: list[str] = Field(max_length=MAX_LOOKUP)


class LegalBasis(Contract):
    number: str
    kind: str
    issued_on: date
    authority: str


class RecordSummary(Contract):
    id: str
    subject_code: str
    subject_kind: str
    category: str
    status: str
    agency: str
    source_record_id: str
    version: int
    occurred_on: date
    retention_until: date | None
    amount: str | None
    disclosure: str
    legal_basis: LegalBasis


class RecordDirectory(Contract):
    records: dict[str, RecordSummary]


class OutboxEvent(Contract):
    id: str
    type: str
    record_id: str | None
    subject_code: str | None
    occurred_at: datetime
    payload: dict[str, Any]


class EventPage(Contract):
    events: list[OutboxEvent]
    cursor: str | None
    has_more: bool


class RecordsClient(ServiceClient):
    """Credit records and their events, owned by the records service."""

    async def lookup(self, ids: list[str]) -> dict[str, RecordSummary]:
        answer = await self._request("POST", "/internal/records/lookup", RecordDirectory,
                                     json=RecordLookup(ids=ids).wire())
        return answer.records

    async def events(self, after: str | None, limit: int = 500) -> EventPage:
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        return await self._request("GET", "/internal/events", EventPage, params=params)
