"""Internal REST for other services: record lookup and the outbox feed (libs/contracts/records)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from libs.common.db import transaction
from libs.contracts.records import (
    EventPage,
    LegalBasis,
    RecordDirectory,
    RecordLookup,
    RecordSummary,
)
from services.records.outbox.repository import OutboxRepository
from services.records.records.chain import amount_text
from services.records.records.repository import RecordRepository

router = APIRouter(prefix="/internal", include_in_schema=False)


@router.post("/records/lookup")
async def lookup(body: RecordLookup, request: Request) -> RecordDirectory:
    """Current versions by id, whatever their disclosure; unknown or malformed ids are absent."""
    ids = [int(i) for i in body.ids if i.isascii() and i.isdigit() and len(i) <= 18]
    async with transaction(request.app.state.sessionmaker) as session:
        found = await RecordRepository(session).current(ids)
    return RecordDirectory(records={str(r.record_id): RecordSummary(
        id=str(r.record_id), subject_code=r.subject_code, subject_kind=r.subject_kind,
        category=r.category, status=r.status, agency=r.agency,
        source_record_id=r.source_record_id, version=r.version, occurred_on=r.occurred_on,
        retention_until=r.retention_until, amount=amount_text(r.amount),
        disclosure=r.disclosure,
        legal_basis=LegalBasis(number=r.doc_number, kind=r.doc_kind,
                               issued_on=r.doc_issued_on, authority=r.doc_authority),
    ) for r in found.values()})


@router.get("/events")
async def events(request: Request, after: str | None = None, limit: int = 500) -> EventPage:
    """Outbox events after `after`, oldest first; at-least-once, so consumers dedupe by id."""
    async with transaction(request.app.state.sessionmaker) as session:
        rows, cursor, has_more = await OutboxRepository(session).read(after, limit)
    return EventPage(events=rows, cursor=cursor, has_more=has_more)
