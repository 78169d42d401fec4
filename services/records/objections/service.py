"""Objections to records: filed by the subject or an analyst, verified within 20 days; the
queue of open ones each source agency works through."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from libs.common.ids import decimal_id
from libs.common.timeutil import now
from services.records.ingestion.chunks import IngestResult, write_chunk
from services.records.ingestion.parse import LineRejected, validate_record
from services.records.objections.models import Objection
from services.records.objections.repository import ObjectionRepository, QueueCriteria
from services.records.records import transitions
from services.records.records.chain import amount_text
from services.records.records.models import CreditRecord
from services.records.records.policy import RecordStatus, today_in_china
from services.records.records.repository import RecordRepository
from services.records.records.service import get_visible, require_source_agency

# Calendar days the source has to verify a disputed record (DESIGN.md: "record objections
# verified within 20 days"). The same for every objection, so the deadline (counted on the
# working calendar, RecordObjection.dueAt) rises with the filing time: earliest filed is
# earliest due, and the queue is ordered by filing.
VERIFICATION_DAYS = 20
MAX_GROUNDS = 4000
OUTCOMES = ("CORRECTED", "UPHELD", "WITHDRAWN")
STATUSES = ("OPEN", "CORRECTED", "UPHELD", "WITHDRAWN")
MAX_PAGE = 100
QUEUE_CURSOR = "recordObjections.1"


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
            subject_code=record.subject_code, agency=record.agency, filed_by=principal.sub,
            grounds=grounds,
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


@dataclass(frozen=True)
class ObjectionPage:
    objections: list[Objection]
    total: int
    end_cursor: str | None
    has_more: bool


def _queue_scope(principal: Principal) -> dict:
    """Whose objections the queue holds: everyone's for analysts and admins, the agency's for
    its officials, its own for a subject token; FORBIDDEN for anyone else."""
    if principal.has(AccessRole.ANALYST, AccessRole.ADMIN):
        return {}
    if principal.has(AccessRole.AUTHORITY):
        if not principal.agency:
            raise Forbidden("an official's token must name the agency it acts for")
        return {"agency": principal.agency}
    if principal.own_code is not None:
        return {"subject_code": principal.own_code}
    raise Forbidden("the objection queue is for authorities, analysts, admins and the subject")


_CURSOR_TEXT = re.compile(r"[A-Za-z0-9_-]{1,200}={0,2}")


def _cursor(objection: Objection) -> str:
    filed_at = objection.filed_at.astimezone(timezone.utc).isoformat()
    text = f"{QUEUE_CURSOR}|{filed_at}|{objection.id}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _position(cursor: str) -> tuple[datetime, int]:
    """(filed_at, id) after which the next page starts; BAD_REQUEST for anything but an
    endCursor of this query."""
    malformed = InvalidInput("malformed cursor: pass the endCursor of a previous page",
                             field="after")
    if not _CURSOR_TEXT.fullmatch(cursor):
        raise malformed
    try:
        kind, at, objection_id = base64.urlsafe_b64decode(cursor).decode().split("|")
        filed_at = datetime.fromisoformat(at)
    except (binascii.Error, ValueError):  # UnicodeDecodeError and a wrong part count included
        raise malformed from None
    position = decimal_id(objection_id)
    if (kind != QUEUE_CURSOR or filed_at.tzinfo is None or filed_at.isoformat() != at
            or position is None):
        raise malformed
    return filed_at, position


async def queue(session: AsyncSession, principal: Principal, *, record_id: int | None,
                statuses: list[str] | None, first: int, after: str | None) -> ObjectionPage:
    """Objections earliest due first: one record's (every status unless `statuses`), or the
    caller's queue (open ones unless `statuses`; see `_queue_scope`)."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    if statuses is not None and not statuses:
        raise InvalidInput("status names at least one status (or leave it out)", field="status")
    position = _position(after) if after is not None else None
    if record_id is not None:
        if principal.subject_only:  # its own records only, whatever their disclosure
            record = (await RecordRepository(session).current([record_id])).get(record_id)
            if record is None:
                raise NotFound("no such record")
            principal.require_self(record.subject_code)
        else:
            await get_visible(session, principal, record_id)  # NOT_FOUND unless visible
        criteria = QueueCriteria(statuses=tuple(statuses or STATUSES), record_id=record_id)
    else:
        criteria = QueueCriteria(statuses=tuple(statuses or ("OPEN",)), **_queue_scope(principal))
    repo = ObjectionRepository(session)
    rows = await repo.page(criteria, position, first + 1)
    page = rows[:first]
    return ObjectionPage(objections=page, total=await repo.count(criteria),
                         end_cursor=_cursor(page[-1]) if page else None,
                         has_more=len(rows) > first)
