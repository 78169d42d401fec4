"""`check` and `screen`: purpose limitation, one indexed query, an audit entry per subject."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from libs.common.auth import AccessRole, Principal, Purpose
from libs.common.errors import LimitExceeded
from libs.common.identifiers import InvalidCode, parse_code
from libs.common.telemetry import record_check_outcome
from libs.common.timeutil import as_utc
from libs.common.timeutil import now as clock
from services.sanctions.checks.audit import AuditBuffer
from services.sanctions.checks.repository import RestrictionIndex, Row
from services.sanctions.errors import invalid_code

SLICE = 1_000  # codes a screen handles between two yields to the event loop


@dataclass
class CheckResult:
    code: str
    is_person: bool
    purpose: str
    checked_at: datetime
    at: datetime
    reference: uuid.UUID
    rows: list[Row] = field(default_factory=list)
    index: int | None = None

    @property
    def restrictions(self) -> list[Row]:
        return [r for r in self.rows if r[0].effect == "RESTRICTION"]

    @property
    def incentives(self) -> list[Row]:
        return [r for r in self.rows if r[0].effect == "INCENTIVE"]

    @property
    def restricted(self) -> bool:
        return bool(self.restrictions)


@dataclass
class ScreenResult:
    checked: int
    restricted: list[CheckResult]
    invalid: list[tuple[str, str]]


def allowed(principal: Principal, purpose: str) -> None:
    """A consumer checks only the purposes in its token (analysts and admins any)."""
    principal.require(AccessRole.CONSUMER, AccessRole.ANALYST, AccessRole.ADMIN)
    principal.require_purpose(Purpose(purpose))


async def check(read_engine, audit: AuditBuffer, principal: Principal, raw: str, purpose: str,
                at: datetime | None, request_id: str | None) -> CheckResult:
    """Is this subject restricted for this purpose at `at`? Never a guess: errors propagate."""
    allowed(principal, purpose)
    audit.reserve(1)  # no answer without room for its audit entry
    checked_at = clock()
    when = as_utc(at) if at else checked_at
    try:
        parsed = parse_code(raw)
    except InvalidCode as exc:
        audit.add(consumer=principal.sub, operation="CHECK", purpose=purpose,
                  subject_code=None, outcome="INVALID", checked_at=checked_at, at=when,
                  request_id=request_id, detail=exc.rule)
        record_check_outcome(purpose, "INVALID")
        raise invalid_code(exc) from None
    rows = await RestrictionIndex(read_engine).in_force(parsed.code, purpose, when)
    result = CheckResult(code=parsed.code, is_person=parsed.scheme == "RIC", purpose=purpose,
                         checked_at=checked_at, at=when, reference=uuid.uuid4(), rows=rows)
    outcome = "RESTRICTED" if result.restricted else "CLEAR"
    audit.add(consumer=principal.sub, operation="CHECK", purpose=purpose, subject_code=parsed.code,
              outcome=outcome, checked_at=checked_at, at=when, request_id=request_id,
              entry_id=result.reference)
    record_check_outcome(purpose, outcome)
    return result


async def screen(read_engine, audit: AuditBuffer, principal: Principal, raws: list[str],
                 purpose: str, at: datetime | None, request_id: str | None,
                 limit: int) -> ScreenResult:
    """Many subjects, one purpose, one query; only restricted and invalid codes come back."""
    allowed(principal, purpose)
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
    rows: list[Row] = []
    if first_index:
        rows = await RestrictionIndex(read_engine).in_force_many(list(first_index), purpose,
                                                                 when)
    by_code: dict[str, list[Row]] = {}
    for row in rows:
        by_code.setdefault(row[0].subject_code, []).append(row)
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
        entries.append((reference, checked_at, sub, "SCREEN", purpose, code, outcome, when,
                        request_id, None))
    for raw, reason in invalid:
        entries.append((uuid.uuid4(), checked_at, sub, "SCREEN", purpose, None, "INVALID",
                        when, request_id, reason.split(":", 1)[0]))
    audit.extend(entries)
    if restricted:
        record_check_outcome(purpose, "RESTRICTED", count=len(restricted), operation="screen")
    if len(first_index) > len(restricted):
        record_check_outcome(purpose, "CLEAR", count=len(first_index) - len(restricted),
                             operation="screen")
    if invalid:
        record_check_outcome(purpose, "INVALID", count=len(invalid), operation="screen")
    return ScreenResult(checked=len(raws), restricted=restricted, invalid=invalid)
