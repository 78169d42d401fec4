"""One NDJSON line of `POST /listings/bulk` to a draft, or a rejection naming the rule.

Only what the line alone can tell: fields present and well-formed, a valid subject code, a legal
document, timestamps with an offset, `decidedAt` not in the future and `effectiveFrom` not
before it. The list's rules, the subject and the basis records are checked per chunk
(service.py).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import orjson

from libs.common.errors import InvalidInput
from libs.common.identifiers import InvalidCode, parse_code
from libs.common.timeutil import as_utc
from services.sanctions.listings.service import MAX_BASIS_RECORDS, LegalDocument, validate_document

MAX_SOURCE_ID = 64
# A listing decided elsewhere takes effect when or after it was decided (clocks differ a little).
DECISION_TOLERANCE = timedelta(minutes=1)


class LineRejected(Exception):
    """A line that cannot be imported; `rule` names what failed."""

    def __init__(self, reason: str, rule: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rule = rule


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str
    rule: str
    source_listing_id: str | None = None

    def as_dict(self) -> dict:
        out = {"line": self.line, "reason": self.reason, "rule": self.rule}
        if self.source_listing_id is not None:
            out["sourceListingId"] = self.source_listing_id
        return out


@dataclass(frozen=True, slots=True)
class ListingDraft:
    """A well-formed line: a listing as the agency's system has it."""

    line: int
    source_listing_id: str
    list_code: str
    subject_code: str
    masked_code: str
    doc: LegalDocument
    decided_at: datetime
    effective_from: datetime
    effective_until: datetime | None  # None: the list's default duration, or open-ended
    basis: tuple[str, ...]
    digest: str  # the facts as submitted, hashed: the same digest again changes nothing


def digest_of(list_code: str, subject_code: str, doc: LegalDocument, decided_at: datetime,
              effective_from: datetime, effective_until: datetime | None,
              basis: tuple[str, ...]) -> str:
    body = orjson.dumps([
        list_code, subject_code, doc.number, doc.kind, doc.issued_on.isoformat(), doc.authority,
        decided_at.isoformat(), effective_from.isoformat(),
        effective_until.isoformat() if effective_until else None, list(basis)])
    return hashlib.sha256(body).hexdigest()


def _text(obj: dict, key: str, label: str, limit: int, rule: str = "field") -> str:
    value = obj.get(key)
    if type(value) is not str or not value.strip():
        raise LineRejected(f"{label} is missing or empty", rule)
    value = value.strip()
    if len(value) > limit:
        raise LineRejected(f"{label} is longer than {limit} characters", rule)
    if not value.isprintable() and any(unicodedata.category(ch) == "Cc" for ch in value):
        raise LineRejected(f"{label} contains control characters", rule)
    return value


def _instant(value, label: str, *, required: bool = True) -> datetime | None:
    if value is None and not required:
        return None
    if type(value) is not str:
        raise LineRejected(f"{label} is missing; give a timestamp with its offset "
                           "(2019-03-01T09:00:00+08:00)", "date")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise LineRejected(f"{label} {value[:40]!r} is not an ISO 8601 timestamp", "date") from None
    if parsed.tzinfo is None:
        raise LineRejected(f"{label} {value[:40]!r} has no UTC offset", "date")
    return as_utc(parsed)


def _document(obj: dict, today: date) -> LegalDocument:
    basis = obj.get("legalBasis")
    if not isinstance(basis, dict):
        raise LineRejected("a listing needs its legal basis: legalBasis {number, kind, issuedOn, "
                           "authority} of a legally effective document", "legal_basis")
    number = _text(basis, "number", "legalBasis.number", 100, "legal_basis")
    kind = _text(basis, "kind", "legalBasis.kind", 100, "legal_basis")
    authority = _text(basis, "authority", "legalBasis.authority", 200, "legal_basis")
    issued = basis.get("issuedOn")
    try:
        issued_on = date.fromisoformat(issued) if type(issued) is str and len(issued) == 10 else None
    except ValueError:
        issued_on = None
    if issued_on is None:
        raise LineRejected("legalBasis.issuedOn is missing or not a date (YYYY-MM-DD)",
                           "legal_basis")
    doc = LegalDocument(number=number, kind=kind, issued_on=issued_on, authority=authority)
    try:
        validate_document(doc, today)  # the rule decisions apply
    except InvalidInput as exc:
        raise LineRejected(exc.message, "legal_basis") from None
    return doc


def validate_line(obj, line: int, now: datetime, today: date) -> ListingDraft:
    """Check one line completely; raises LineRejected naming the rule."""
    if not isinstance(obj, dict):
        raise LineRejected("each line must be a JSON object", "json")
    source_id = _text(obj, "sourceListingId", "sourceListingId", MAX_SOURCE_ID)
    list_code = _text(obj, "listCode", "listCode", 64)
    raw_code = obj.get("subjectCode")
    if type(raw_code) is not str:
        raise LineRejected("subjectCode is missing", "field")
    try:
        parsed = parse_code(raw_code)
    except InvalidCode as exc:
        raise LineRejected(f"invalid subject code: {exc.message}", exc.rule) from None
    doc = _document(obj, today)
    decided_at = _instant(obj.get("decidedAt"), "decidedAt")
    effective_from = _instant(obj.get("effectiveFrom"), "effectiveFrom")
    effective_until = _instant(obj.get("effectiveUntil"), "effectiveUntil", required=False)
    if decided_at > now + DECISION_TOLERANCE:
        raise LineRejected("decidedAt is in the future; only listings already decided can be "
                           "migrated (new ones go through decideListing)", "date")
    if effective_from < decided_at - DECISION_TOLERANCE:
        raise LineRejected("effectiveFrom is before decidedAt: a listing cannot take effect "
                           "before it is decided", "window")
    raw_basis = obj.get("basisRecordIds")
    if raw_basis is None:
        raw_basis = []
    if not isinstance(raw_basis, list) or any(type(r) is not str for r in raw_basis):
        raise LineRejected("basisRecordIds must be a list of record ids", "basis")
    basis = tuple(sorted({r.strip() for r in raw_basis if r.strip()}))
    if len(basis) > MAX_BASIS_RECORDS:
        raise LineRejected(f"at most {MAX_BASIS_RECORDS} basis records", "basis")
    return ListingDraft(line, source_id, list_code, parsed.code, parsed.masked, doc, decided_at,
                        effective_from, effective_until, basis,
                        digest_of(list_code, parsed.code, doc, decided_at, effective_from,
                                  effective_until, basis))


def parse_line(raw: bytes, line: int, now: datetime, today: date) -> ListingDraft:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LineRejected(f"not valid JSON: {exc}", "json") from None
    return validate_line(obj, line, now, today)
