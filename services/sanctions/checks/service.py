"""`check` and `screen`: purpose limitation, one indexed query, an audit entry per subject;
and `checks_of_subject`: analysts reading that audit."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import AccessRole, Principal, Purpose
from libs.common.errors import Forbidden, InvalidInput, LimitExceeded
from libs.common.identifiers import InvalidCode, parse_code
from libs.common.ids import uuid_id
from libs.common.scalars import parse_datetime
from libs.common.telemetry import record_check_outcome
from libs.common.timeutil import as_utc
from libs.common.timeutil import now as clock
from services.sanctions.checks.audit import AuditBuffer
from services.sanctions.checks.models import CheckAuditEntry
from services.sanctions.checks.repository import (
    AuditPosition,
    AuditRepository,
    IndexRow,
    RestrictionIndex,
)
from services.sanctions.errors import invalid_code

SLICE = 1_000  # codes a screen handles between two yields to the event loop
MAX_AUDIT_PAGE = 500


@dataclass
class CheckResult:
    code: str
    is_person: bool
    purpose: Purpose
    checked_at: datetime
    at: datetime
    reference: uuid.UUID
    rows: list[IndexRow] = field(default_factory=list)
    index: int | None = None

    @property
    def restrictions(self) -> list[IndexRow]:
        return [r for r in self.rows if r.restriction.effect == "RESTRICTION"]

    @property
    def incentives(self) -> list[IndexRow]:
        return [r for r in self.rows if r.restriction.effect == "INCENTIVE"]

    @property
    def restricted(self) -> bool:
        return bool(self.restrictions)


@dataclass
class ScreenResult:
    checked: int
    restricted: list[CheckResult]
    invalid: list[tuple[str, str]]


def allowed(principal: Principal, purpose: Purpose) -> None:
    """A consumer checks only the purposes in its token (analysts and admins any)."""
    principal.require(AccessRole.CONSUMER, AccessRole.ANALYST, AccessRole.ADMIN)
    principal.require_purpose(purpose)


async def check(read_engine, audit: AuditBuffer, principal: Principal, raw: str,
                purpose: Purpose, at: datetime | None, request_id: str | None) -> CheckResult:
    """Is this subject restricted for this purpose at `at`? Never a guess: errors propagate."""
    allowed(principal, purpose)
    audit.reserve(1)  # no answer without room for its audit entry
    name = purpose.value  # as stored and counted
    checked_at = clock()
    when = as_utc(at) if at else checked_at
    try:
        parsed = parse_code(raw)
    except InvalidCode as exc:
        audit.add(consumer=principal.sub, operation="CHECK", purpose=name,
                  subject_code=None, outcome="INVALID", checked_at=checked_at, at=when,
                  request_id=request_id, detail=exc.rule)
        record_check_outcome(name, "INVALID")
        raise invalid_code(exc) from None
    rows = await RestrictionIndex(read_engine).in_force(parsed.code, name, when)
    result = CheckResult(code=parsed.code, is_person=parsed.scheme == "RIC", purpose=purpose,
                         checked_at=checked_at, at=when, reference=uuid.uuid4(), rows=rows)
    outcome = "RESTRICTED" if result.restricted else "CLEAR"
    audit.add(consumer=principal.sub, operation="CHECK", purpose=name, subject_code=parsed.code,
              outcome=outcome, checked_at=checked_at, at=when, request_id=request_id,
              entry_id=result.reference)
    record_check_outcome(name, outcome)
    return result


async def screen(read_engine, audit: AuditBuffer, principal: Principal, raws: list[str],
                 purpose: Purpose, at: datetime | None, request_id: str | None,
                 limit: int) -> ScreenResult:
    """Many subjects, one purpose, one query; only restricted and invalid codes come back."""
    allowed(principal, purpose)
    name = purpose.value  # as stored and counted
    if len(raws) > limit:
        raise LimitExceeded(f"screen accepts at most {limit} codes per request; split the batch",
                            limit=limit, given=len(raws))
    audit.reserve(len(raws), bulk=True)  # one entry per code, screened or invalid
    checked_at = clock()
    when = as_utc(at) if at else checked_at
    invalid: list[tuple[str, str]] = []
    first_index: dict[str, int] = {}
    persons: set[str] = set()
    for start in range(0, len(raws), SLICE):
        if start:
            await asyncio.sleep(0)  # other requests' work goes in between (a screen is long)
        for i in range(start, min(start + SLICE, len(raws))):
            try:
                parsed = parse_code(raws[i])
            except InvalidCode as exc:
                invalid.append((raws[i], f"{exc.rule}: {exc.message}"))
                continue
            first_index.setdefault(parsed.code, i)
            if parsed.scheme == "RIC":
                persons.add(parsed.code)
    rows: list[IndexRow] = []
    if first_index:
        rows = await RestrictionIndex(read_engine).in_force_many(list(first_index), name,
                                                                 when)
    by_code: dict[str, list[IndexRow]] = {}
    for row in rows:
        by_code.setdefault(row.restriction.subject_code, []).append(row)
    restricted: list[CheckResult] = []
    entries = []
    sub = principal.sub
    for n, (code, index) in enumerate(first_index.items()):
        if n and not n % SLICE:
            await asyncio.sleep(0)
        reference = uuid.uuid4()
        found = by_code.get(code)
        outcome = "CLEAR"
        if found:  # only codes with rows become results: most of a screen is clear
            result = CheckResult(code=code, is_person=code in persons, purpose=purpose,
                                 checked_at=checked_at, at=when, reference=reference,
                                 rows=found, index=index)
            if result.restricted:
                outcome = "RESTRICTED"
                restricted.append(result)
        entries.append((reference, checked_at, sub, "SCREEN", name, code, outcome, when,
                        request_id, None))
    for raw, reason in invalid:
        entries.append((uuid.uuid4(), checked_at, sub, "SCREEN", name, None, "INVALID",
                        when, request_id, reason.split(":", 1)[0]))
    audit.extend(entries)
    if restricted:
        record_check_outcome(name, "RESTRICTED", count=len(restricted), operation="screen")
    if len(first_index) > len(restricted):
        record_check_outcome(name, "CLEAR", count=len(first_index) - len(restricted),
                             operation="screen")
    if invalid:
        record_check_outcome(name, "INVALID", count=len(invalid), operation="screen")
    return ScreenResult(checked=len(raws), restricted=restricted, invalid=invalid)


@dataclass(frozen=True)
class AuditPage:
    """Entries of a subject's check audit, newest first, and where the next page starts."""

    entries: list[CheckAuditEntry]
    end_cursor: str | None
    has_more: bool


def audit_cursor(checked_at: datetime, entry_id: uuid.UUID) -> str:
    """The opaque position after an entry: its time and id."""
    return base64.urlsafe_b64encode(f"{checked_at.isoformat()}|{entry_id}".encode()).decode()


def parse_audit_cursor(cursor: str) -> AuditPosition:
    """(checked_at, id) from `audit_cursor`; anything else is BAD_REQUEST on `after`."""
    try:
        at, ref = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        entry_id = uuid_id(ref)  # hyphenated ASCII only: uuid.UUID also takes full-width hex
        if entry_id is None:
            raise ValueError("a cursor's entry is a uuid")
        # An offset, and within the DateTime range: 0001-01-01T00:00:00+14:00 overflows in UTC.
        return AuditPosition(parse_datetime(at), entry_id)
    except (ValueError, TypeError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidInput("malformed cursor", field="after") from None


async def checks_of_subject(unit_of_work: Callable[[], AbstractAsyncContextManager[AsyncSession]],
                            audit: AuditBuffer, principal: Principal, raw: str, first: int,
                            after: str | None) -> AuditPage:
    """Who checked this subject, newest first (analysts, admins, and a subject token for its
    own code); `first` at most 500.

    What this process still holds in its audit buffer is written first, so that the answer
    includes the checks just made; the page is then read in one transaction of `unit_of_work`
    (the request's).
    """
    officer = principal.has(AccessRole.ANALYST, AccessRole.ADMIN)
    if not (officer or principal.has(AccessRole.SUBJECT)):
        raise Forbidden("who checked a subject is for analysts, admins and the subject itself")
    if not 1 <= first <= MAX_AUDIT_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_AUDIT_PAGE}", field="first")
    try:
        parsed = parse_code(raw)
    except InvalidCode as exc:
        raise invalid_code(exc) from None
    if not officer:
        principal.require_self(parsed.code)
    before = parse_audit_cursor(after) if after is not None else None
    await audit.flush()
    async with unit_of_work() as session:
        rows = await AuditRepository(session).of_subject(parsed.code, before, first + 1)
    page = rows[:first]
    return AuditPage(entries=page,
                     end_cursor=audit_cursor(page[-1].checked_at, page[-1].id) if page else None,
                     has_more=len(rows) > first)
