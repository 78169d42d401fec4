"""The records service's internal contract.

  POST /internal/records/lookup   RecordLookup (at most 10,000 ids) -> RecordDirectory
      current versions by id, whatever their disclosure; unknown or malformed ids are absent
  GET  /internal/events?after=CURSOR&limit=N -> EventPage
      outbox events after the cursor, oldest first; at-least-once, so consumers dedupe by id;
      each event's payload has the one shape its type's model below gives it
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, PlainSerializer

from libs.contracts.base import Contract, ServiceClient

MAX_LOOKUP = 10_000

# Instants in event payloads keep Python's isoformat ("+00:00"), as the events stored so far do.
Instant = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str,
                                              when_used="json")]


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


class EventPayload(Contract):
    """The payload of one outbox event type (`TYPE`); unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    TYPE: ClassVar[str]


class RecordCorrected(EventPayload):
    """A new version of a record was written (by a submission or an objection's decision)."""

    TYPE: ClassVar[str] = "RECORD_CORRECTED"
    agency: str
    source_record_id: str
    version: int
    previous_version: int


class RecordDisputed(EventPayload):
    """The subject (or an analyst) objected to a record version."""

    TYPE: ClassVar[str] = "RECORD_DISPUTED"
    objection_id: str
    deadline: Instant
    version: int


class RecordWithdrawn(EventPayload):
    """The source agency withdrew a record."""

    TYPE: ClassVar[str] = "RECORD_WITHDRAWN"
    agency: str
    source_record_id: str
    version: int
    reason: str
    at: Instant


class RecordArchived(EventPayload):
    """A negative record passed its retention period."""

    TYPE: ClassVar[str] = "RECORD_ARCHIVED"
    agency: str
    version: int
    retention_until: date


class ObjectionResolved(EventPayload):
    """An objection to a record was closed, whichever way."""

    TYPE: ClassVar[str] = "OBJECTION_RESOLVED"
    objection_id: str
    outcome: Literal["CORRECTED", "UPHELD", "WITHDRAWN"]
    resolution: str


EVENT_PAYLOADS: dict[str, type[EventPayload]] = {p.TYPE: p for p in (
    RecordCorrected, RecordDisputed, RecordWithdrawn, RecordArchived, ObjectionResolved)}


class OutboxEvent(Contract):
    id: str
    type: str
    record_id: str | None
    subject_code: str | None
    occurred_at: datetime
    payload: dict[str, Any]

    def typed_payload(self) -> EventPayload:
        """The payload as its type's model; ValueError for a type records does not publish."""
        model = EVENT_PAYLOADS.get(self.type)
        if model is None:
            raise ValueError(f"records publishes no event of type {self.type!r}")
        return model.model_validate(self.payload)


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
