"""Internal REST for other services: record lookup and the outbox feed (see libs/common/internal)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.db import transaction
from services.records.outbox.repository import OutboxRepository
from services.records.records.chain import amount_text
from services.records.records.repository import RecordRepository

router = APIRouter(prefix="/internal", include_in_schema=False)

MAX_LOOKUP = 10_000


class LookupRequest(BaseModel):
    ids: list[str] = Field(max_length=MAX_LOOKUP)


@router.post("/records/lookup")
async def lookup(body: LookupRequest, request: Request) -> dict:
    """Current versions by id, whatever their disclosure; unknown or malformed ids are absent."""
    ids = [int(i) for i in body.ids if i.isdigit() and len(i) <= 18]
    async with transaction(request.app.state.sessionmaker) as session:
        found = await RecordRepository(session).current(ids)
    return {"records": {str(r.record_id): {
        "id": str(r.record_id), "subjectCode": r.subject_code, "subjectKind": r.subject_kind,
        "category": r.category, "status": r.status, "agency": r.agency,
        "sourceRecordId": r.source_record_id, "version": r.version,
        "occurredOn": r.occurred_on.isoformat(),
        "retentionUntil": r.retention_until.isoformat() if r.retention_until else None,
        "amount": amount_text(r.amount), "disclosure": r.disclosure,
        "legalBasis": {"number": r.doc_number, "kind": r.doc_kind,
                       "issuedOn": r.doc_issued_on.isoformat(), "authority": r.doc_authority},
    } for r in found.values()}}


@router.get("/events")
async def events(request: Request, after: str | None = None, limit: int = 500) -> dict:
    """Outbox events after `after`, oldest first; at-least-once, so consumers dedupe by id."""
    async with transaction(request.app.state.sessionmaker) as session:
        rows, cursor, has_more = await OutboxRepository(session).read(after, limit)
    return {"events": rows, "cursor": cursor, "hasMore": has_more}
