"""Rules for reading and withdrawing records: who sees what, and what leaves default views."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal
from libs.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from libs.common.ids import decimal_id
from services.records.records import transitions
from services.records.records.models import CreditRecord
from services.records.records.policy import RecordStatus
from services.records.records.repository import RecordRepository, Visibility

ALL_LEVELS = frozenset({"PUBLIC", "SHARED", "RESTRICTED"})


def visibility_for(principal: Principal, subject_code: str | None = None) -> Visibility:
    """Analysts, admins and the subject itself (a subject token, its own file) see everything;
    authorities see PUBLIC and SHARED plus their own agency's RESTRICTED records; everybody else
    sees PUBLIC."""
    if principal.has(AccessRole.ANALYST, AccessRole.ADMIN) or principal.is_self(subject_code):
        return Visibility(ALL_LEVELS)
    if principal.has(AccessRole.AUTHORITY):
        return Visibility(frozenset({"PUBLIC", "SHARED"}), own_agency=principal.agency)
    return Visibility(frozenset({"PUBLIC"}))


def parse_record_id(raw: str, field: str = "id") -> int:
    """A record id as sent (ASCII decimal digits); else BAD_REQUEST naming `field`."""
    value = decimal_id(str(raw).strip())
    if value is None:
        raise InvalidInput("a record id is a decimal number (ASCII digits)", field=field)
    return value


def require_source_agency(principal: Principal, record: CreditRecord) -> None:
    """Only the agency that submitted a record (or an admin) may change it."""
    if principal.has(AccessRole.ADMIN):
        return
    if not (principal.has(AccessRole.AUTHORITY) and principal.agency == record.agency):
        raise Forbidden(f"only the source agency {record.agency} may change this record")


async def get_visible(session: AsyncSession, principal: Principal, record_id: int) -> CreditRecord:
    """The current version of a record the caller may see, else NOT_FOUND (no existence leak)."""
    record = (await RecordRepository(session).current([record_id])).get(record_id)
    if record is None or not visibility_for(principal, record.subject_code).allows(record):
        raise NotFound("no such record")
    return record


async def withdraw(session: AsyncSession, principal: Principal, record_id: int,
                   reason: str) -> CreditRecord:
    """The source agency withdraws a record; sanctions learn it through the outbox."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("give the reason for the withdrawal", field="reason")
    record = (await RecordRepository(session).current([record_id], lock=True)).get(record_id)
    if record is None:
        raise NotFound("no such record")
    require_source_agency(principal, record)
    if record.status == RecordStatus.WITHDRAWN.value:
        raise Conflict("the record is already withdrawn")
    await transitions.withdrawn(session, record, by=principal.sub, reason=reason)
    return record
