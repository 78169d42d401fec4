"""Objections to records: filed by the subject or an analyst, verified within 20 days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from libs.common.timeutil import now
from services.records.ingestion.chunks import IngestResult, write_chunk
from services.records.ingestion.parse import LineRejected, validate_record
from services.records.objections.models import Objection
from services.records.objections.repository import ObjectionRepository
from services.records.records import transitions
from services.records.records.chain import amount_text
from services.records.records.models import CreditRecord
from services.records.records.policy import RecordStatus, today_in_china
from services.records.records.repository import RecordRepository
from services.records.records.service import get_visible, require_source_agency

VERIFICATION_DAYS = 20
MAX_GROUNDS = 4000
OUTCOMES = ("CORRECTED", "UPHELD", "WITHDRAWN")


async def file(session: AsyncSession, principal: Principal, record_id: int,
               grounds: str) -> Objection:
    """Dispute a record: it becomes DISPUTED and the source has 20 days to verify it."""
    grounds = (grounds or "").strip()
    if not grounds:
        raise InvalidInput("give the grounds of the objection", field="grounds")
    if len(grounds) > MAX_GROUNDS:
        raise InvalidInput(f"grounds are longer than {MAX_GROUNDS} characters", field="grounds")
    record = (await RecordRepository(session).current([record_id], lock=True)).get(record_id)
    if record is None:
        raise NotFound("no such record")
    if not (principal.is_self(record.subject_code)
            or principal.has(AccessRole.ANALYST, AccessRole.ADMIN)):
        raise Forbidden("only the subject of the record, or an analyst for them, may object")
    if record.status == RecordStatus.WITHDRAWN.value:
        raise Conflict("the record is withdrawn; there is nothing to object to")
    if record.status == RecordStatus.DISPUTED.value:
        raise Conflict("an objection to this record is already open")
    filed_at = now()
    try:
        objection = await ObjectionRepository(session).add(Objection(
            record_id=record.record_id, version=record.version,
            subject_code=record.subject_code, filed_by=principal.sub, grounds=grounds,
            status="OPEN", filed_at=filed_at,
            deadline=filed_at + timedelta(days=VERIFICATION_DAYS)))
    except IntegrityError:  # a concurrent objection won the unique open-objection index
        raise Conflict("an objection to this record is already open") from None
    await transitions.disputed(session, record, objection)
    return objection


async def _get_open(session: AsyncSession, objection_id: int) -> Objection:
    objection = await ObjectionRepository(session).get(objection_id, lock=True)
    if objection is None:
        raise NotFound("no such objection")
    if objection.status != "OPEN":
        raise Conflict(f"the objection is already resolved ({objection.status})")
    return objection


def _corrected_submission(record: CreditRecord, correction: dict) -> dict:
    """The record as a submission, with the corrected fields laid over it."""
    submission = {
        "sourceRecordId": record.source_record_id, "subjectCode": record.subject_code,
        "category": record.category, "summary": record.summary,
        "legalBasis": {"number": record.doc_number, "kind": record.doc_kind,
                       "issuedOn": record.doc_issued_on.isoformat(),
                       "authority": record.doc_authority},
        "occurredOn": record.occurred_on.isoformat(),
        "conductEndedOn": record.conduct_ended_on.isoformat() if record.conduct_ended_on else None,
        "amount": amount_text(record.amount), "disclosure": record.disclosure,
    }
    submission.update({k: v for k, v in correction.items() if v is not None})
    return submission


async def resolve(session: AsyncSession, principal: Principal, objection_id: int, outcome: str,
                  reason: str, correction: dict | None = None) -> Objection:
    """UPHELD keeps the record; CORRECTED writes a new version (chained, published)."""
    if outcome not in ("CORRECTED", "UPHELD"):
        raise InvalidInput("a source resolves an objection as CORRECTED or UPHELD; the filer "
                           "withdraws it", field="outcome")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("give the reason for the decision", field="reason")
    objection = await _get_open(session, objection_id)
    record = (await RecordRepository(session).current([objection.record_id], lock=True))[
        objection.record_id]
    if not principal.has(AccessRole.ANALYST):
        require_source_agency(principal, record)
    if outcome == "UPHELD":
        if correction:
            raise InvalidInput("an UPHELD objection leaves the record as it is; drop the "
                               "correction", field="correction")
        return await transitions.dispute_ended(session, record, "UPHELD", by=principal.sub,
                                               resolution=reason)
    if not correction:
        raise InvalidInput("a CORRECTED outcome needs the corrected fields", field="correction")
    try:
        draft = validate_record(_corrected_submission(record, correction), today_in_china())
    except LineRejected as exc:
        raise InvalidInput(f"the correction is invalid: {exc.reason}", rule=exc.rule) from None
    result = IngestResult()
    # write_chunk supersedes the disputed version, resolves the objection and publishes both.
    await session.flush()
    await write_chunk(session, record.agency, [(0, draft)], {record.subject_code: record.subject_kind},
                      result, by=principal.sub, resolution=reason)
    if not result.corrected:
        raise InvalidInput("the correction changes nothing; resolve as UPHELD instead",
                           field="correction")
    return objection


async def withdraw(session: AsyncSession, principal: Principal, objection_id: int) -> Objection:
    """The filer (or an analyst/admin) withdraws the objection; the record is ACTIVE again."""
    objection = await _get_open(session, objection_id)
    if not (principal.sub == objection.filed_by
            or principal.has(AccessRole.ANALYST, AccessRole.ADMIN)):
        raise Forbidden("only whoever filed the objection may withdraw it")
    record = (await RecordRepository(session).current([objection.record_id], lock=True))[
        objection.record_id]
    return await transitions.dispute_ended(session, record, "WITHDRAWN", by=principal.sub,
                                           resolution="withdrawn by the filer")


async def of_record(session: AsyncSession, principal: Principal,
                    record_id: int) -> list[Objection]:
    """Objections to a record the caller may see, oldest first (NOT_FOUND otherwise)."""
    await get_visible(session, principal, record_id)
    return (await ObjectionRepository(session).of_records([record_id])).get(record_id, [])
