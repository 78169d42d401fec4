"""Rules for registering and finding subjects. Never commits: the caller's unit of work does."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.identifiers import (
    InvalidCode,
    ParsedCode,
    normalise,
    parse_code,
    validate_org_code,
    validate_registration_number,
)
from services.identity.errors import (
    InvalidInput,
    KindMismatch,
    SubjectExists,
    UnknownSubject,
    invalid_code,
)
from services.identity.subjects.models import Subject, SubjectKind
from services.identity.subjects.repository import SubjectRepository

MAX_NAME_LENGTH = 200

# GB 32100 registration authority (and category) -> the subject kinds such a code can belong to.
_KINDS_BY_AUTHORITY: dict[str, set[SubjectKind]] = {
    "9": {SubjectKind.ENTERPRISE},
    "5": {SubjectKind.SOCIAL_ORGANIZATION},
}
_KINDS_BY_AUTHORITY_CATEGORY: dict[tuple[str, str], set[SubjectKind]] = {
    ("1", "1"): {SubjectKind.GOVERNMENT_BODY},
    ("1", "2"): {SubjectKind.INSTITUTION},
}


@dataclass(frozen=True)
class Registration:
    """A validated registration, ready to store."""

    code: str
    kind: SubjectKind
    name: str
    region_code: str
    organization_code: str | None
    registration_number: str | None

    def row(self) -> dict:
        return {"code": self.code, "kind": self.kind.value, "name": self.name,
                "region_code": self.region_code, "organization_code": self.organization_code,
                "registration_number": self.registration_number}

    def same_as_registration(self, other: "Registration") -> bool:
        return (self.kind, self.name, self.registration_number) == (
            other.kind, other.name, other.registration_number)

    def same_as(self, subject: Subject) -> bool:
        return (subject.kind == self.kind.value and subject.name == self.name
                and (self.registration_number is None
                     or subject.registration_number == self.registration_number))


def clean_name(raw: str) -> str:
    """NFC-normalised, whitespace-collapsed name; rejects empty, overlong and control characters."""
    if not isinstance(raw, str):
        raise InvalidInput("name must be a string", field="name")
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not name:
        raise InvalidInput("name must not be empty", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"name is longer than {MAX_NAME_LENGTH} characters", field="name")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise InvalidInput("name contains control characters", field="name")
    return name


def parse(raw_code: str) -> ParsedCode:
    """Parse a code or raise INVALID_CODE naming the rule that failed."""
    try:
        return parse_code(raw_code)
    except InvalidCode as exc:
        raise invalid_code(exc) from None


def validate_registration(code: str, kind: str | SubjectKind, name: str,
                          registration_number: str | None = None) -> Registration:
    """Check a registration completely before anything is written."""
    try:
        kind = SubjectKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown subject kind {kind!r}", field="kind") from None
    parsed = parse(code)
    if kind.is_person and parsed.scheme != "RIC":
        raise KindMismatch("a natural person is registered with a resident identity number",
                           rule="kind")
    if not kind.is_person and parsed.scheme != "USCC":
        raise KindMismatch(f"a {kind.value} is registered with a unified social credit code",
                           rule="kind")
    if parsed.scheme == "USCC":
        allowed = (_KINDS_BY_AUTHORITY_CATEGORY.get((parsed.registration_authority, parsed.category))
                   or _KINDS_BY_AUTHORITY.get(parsed.registration_authority))
        if allowed and kind not in allowed:
            names = ", ".join(sorted(k.value for k in allowed))
            raise KindMismatch(
                f"registration authority {parsed.registration_authority} category "
                f"{parsed.category} issues codes to {names}, not {kind.value}", rule="kind")
    number = None
    if registration_number:
        if kind.is_person:
            raise InvalidInput("persons have no business registration number",
                               field="registrationNumber")
        try:
            number = validate_registration_number(registration_number)
        except InvalidCode as exc:
            raise invalid_code(exc) from None
    return Registration(code=parsed.code, kind=kind, name=clean_name(name),
                        region_code=parsed.region_code,
                        organization_code=parsed.organization_code,
                        registration_number=number)


async def register(session: AsyncSession, reg: Registration) -> tuple[Subject, bool]:
    """Register a subject; the same registration again is a no-op (returns created=False)."""
    repo = SubjectRepository(session)
    if reg.registration_number:
        taken = await repo.registration_numbers_taken([reg.registration_number])
        owner = taken.get(reg.registration_number)
        if owner and owner != reg.code:
            raise SubjectExists("that registration number belongs to another subject",
                                field="registrationNumber")
    inserted = await repo.insert_many([reg.row()])
    subject = await repo.get(reg.code)
    if subject is None:  # lost a race for the registration number
        raise SubjectExists("that registration number belongs to another subject",
                            field="registrationNumber")
    if not inserted and not reg.same_as(subject):
        raise SubjectExists("a subject with this code is registered with different details",
                            field="code")
    return subject, bool(inserted)


async def get_subject(session: AsyncSession, raw_code: str) -> Subject | None:
    """The subject with this code (normalised first); INVALID_CODE for a malformed code."""
    return await SubjectRepository(session).get(parse(raw_code).code)


async def require_subject(session: AsyncSession, raw_code: str) -> Subject:
    subject = await get_subject(session, raw_code)
    if subject is None:
        raise UnknownSubject("no subject is registered with this code")
    return subject


async def lookup_legacy(session: AsyncSession, raw: str) -> list[Subject]:
    """Subjects for a legacy 9-character organisation code or 15-digit registration number."""
    try:
        code = normalise(raw)
    except InvalidCode as exc:
        raise invalid_code(exc) from None
    repo = SubjectRepository(session)
    try:
        if len(code) == 15:
            subject = await repo.by_registration_number(validate_registration_number(code))
            return [subject] if subject else []
        if len(code) in (9, 10):
            return await repo.by_organization_code(validate_org_code(code))
    except InvalidCode as exc:
        raise invalid_code(exc) from None
    raise invalid_code(InvalidCode(
        "length", "a legacy code is a 9-character organisation code or a 15-digit "
                  f"registration number, not {len(code)} characters"))


# --- bulk registration -------------------------------------------------------------------------

@dataclass
class LineError:
    line: int
    reason: str
    rule: str | None = None


@dataclass
class BulkResult:
    lines: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: list[LineError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"lines": self.lines, "created": self.created, "unchanged": self.unchanged,
                "rejected": [e.__dict__ for e in self.rejected]}


def _parse_line(line_no: int, raw: bytes | str) -> Registration | LineError:
    import orjson

    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return LineError(line_no, f"not valid JSON: {exc}", "json")
    if not isinstance(obj, dict):
        return LineError(line_no, "each line must be a JSON object", "json")
    missing = [k for k in ("code", "kind", "name") if not isinstance(obj.get(k), str)]
    if missing:
        return LineError(line_no, f"missing or non-string fields: {', '.join(missing)}", "field")
    try:
        return validate_registration(obj["code"], obj["kind"], obj["name"],
                                     obj.get("registrationNumber"))
    except Exception as exc:
        from libs.common.errors import AppError

        if isinstance(exc, AppError):
            return LineError(line_no, exc.message, exc.details.get("rule") or exc.details.get("field"))
        raise


async def bulk_register(
    session_scope: Callable, lines: AsyncIterable[bytes], *, chunk_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> BulkResult:
    """Register subjects from NDJSON lines, one transaction per chunk; idempotent on code.

    `session_scope()` yields a session in its own transaction, so each valid chunk lands even when
    a later line is bad. `progress(lines_done, bytes_done)` is called after each chunk.
    """
    result = BulkResult()
    pending: list[tuple[int, Registration]] = []
    read_bytes = 0

    async def flush() -> None:
        if not pending:
            return
        by_code: dict[str, tuple[int, Registration]] = {}
        for line_no, reg in pending:
            if reg.code in by_code:
                if not reg.same_as_registration(by_code[reg.code][1]):
                    result.rejected.append(LineError(
                        line_no, "the same code appears earlier in the file with other details",
                        "duplicate"))
                else:
                    result.unchanged += 1
                continue
            by_code[reg.code] = (line_no, reg)
        async with session_scope() as session:
            repo = SubjectRepository(session)
            numbers = await repo.registration_numbers_taken(
                r.registration_number for _, r in by_code.values() if r.registration_number)
            rows = []
            # Numbers claimed by earlier lines of this chunk: the unique index would otherwise
            # fail the whole chunk's insert.
            claimed: dict[str, str] = {}
            for line_no, reg in by_code.values():
                number = reg.registration_number or ""
                owner = numbers.get(number) or claimed.get(number)
                if owner and owner != reg.code:
                    result.rejected.append(LineError(
                        line_no, "that registration number belongs to another subject",
                        "registrationNumber"))
                    continue
                if number:
                    claimed[number] = reg.code
                rows.append(reg)
            inserted = await repo.insert_many([r.row() for r in rows])
            existing = await repo.get_many([r.code for r in rows if r.code not in inserted])
            for reg in rows:
                if reg.code in inserted:
                    result.created += 1
                elif reg.code not in existing:  # a concurrent request took the number
                    line_no = next(n for n, r in pending if r is reg)
                    result.rejected.append(LineError(
                        line_no, "that registration number belongs to another subject",
                        "registrationNumber"))
                elif reg.same_as(existing[reg.code]):
                    result.unchanged += 1
                else:
                    line_no = next(n for n, r in pending if r is reg)
                    result.rejected.append(LineError(
                        line_no, "a subject with this code is registered with different details",
                        "conflict"))
        pending.clear()
        if progress:
            progress(result.lines, read_bytes)

    line_no = 0
    async for raw in lines:
        line_no += 1
        read_bytes += len(raw)
        if not raw.strip():
            continue
        result.lines += 1
        parsed = _parse_line(line_no, raw)
        if isinstance(parsed, LineError):
            result.rejected.append(parsed)
        else:
            pending.append((line_no, parsed))
        if len(pending) >= chunk_size:
            await flush()
    await flush()
    if progress:
        progress(result.lines, read_bytes)
    result.rejected.sort(key=lambda e: e.line)
    return result
