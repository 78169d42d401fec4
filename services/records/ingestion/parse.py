"""Validation of one submitted record (a GraphQL input or an NDJSON line) into a draft."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

import orjson

from libs.common.identifiers import InvalidCode, parse_code
from libs.common.scalars import parse_date
from services.records.records.chain import content_hash
from services.records.records.policy import AMOUNT_REQUIRED, CATEGORY_VALUES, DISCLOSURE_VALUES

MAX_SOURCE_ID = 64
MAX_SUMMARY = 1000
MAX_AMOUNT = Decimal("9999999999999999.99")


class Rejection(NamedTuple):
    """A submitted record that was not stored: its line (or input index), why, the rule."""

    index: int
    reason: str
    rule: str

    def as_dict(self) -> dict:
        return {"line": self.index, "reason": self.reason, "rule": self.rule}


class LineRejected(Exception):
    """A submitted record that cannot be stored; `rule` names what failed."""

    def __init__(self, reason: str, rule: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rule = rule


@dataclass(slots=True)
class RecordDraft:
    """A validated record as the source submitted it (before subject lookup and versioning)."""

    source_record_id: str
    subject_code: str
    subject_scheme: str
    category: str
    summary: str
    doc_number: str
    doc_kind: str
    doc_issued_on: date
    doc_authority: str
    occurred_on: date
    conduct_ended_on: date | None
    amount: Decimal | None
    disclosure: str | None  # None: the default for the subject's kind
    content: bytes | None = None  # the content hash, when computed ahead of versioning

    def shown_disclosure(self) -> str:
        """The disclosure level stored: the submitted one, else the default for the kind of
        subject, which the code's scheme decides (identity registers every natural person, and
        only natural persons, with a resident identity number)."""
        return self.disclosure or ("SHARED" if self.subject_scheme == "RIC" else "PUBLIC")

    def content_hash(self, agency: str) -> bytes:
        if self.content is None:
            self.content = content_hash(
                agency, self.source_record_id, self.subject_code, self.category, self.summary,
                self.doc_number, self.doc_kind, self.doc_issued_on, self.doc_authority,
                self.occurred_on, self.conduct_ended_on, self.amount, self.shown_disclosure())
        return self.content


@lru_cache(maxsize=200_000)
def _code(raw: str) -> tuple[str, str] | InvalidCode:
    try:
        parsed = parse_code(raw)
    except InvalidCode as exc:
        return exc
    return parsed.code, parsed.scheme


def _text(obj: dict, key: str, label: str, limit: int, rule: str = "field") -> str:
    value = obj.get(key)
    if type(value) is not str:
        raise LineRejected(f"{label} is missing or empty", rule)
    value = value.strip()
    if not value:
        raise LineRejected(f"{label} is missing or empty", rule)
    if len(value) > limit:
        raise LineRejected(f"{label} is longer than {limit} characters", rule)
    # isprintable() is a fast screen; only when it fails look for real control characters
    if not value.isprintable() and any(unicodedata.category(ch) == "Cc" for ch in value):
        raise LineRejected(f"{label} contains control characters", rule)
    return value


@lru_cache(maxsize=100_000)
def _iso_date(value: str) -> date | None:
    """YYYY-MM-DD within the Date scalar's range (API.md), as GraphQL input is; else None."""
    try:
        return parse_date(value)
    except ValueError:
        return None


def _date(value, label: str, rule: str = "date") -> date:
    if type(value) is str:
        parsed = _iso_date(value)
        if parsed is not None:
            return parsed
        return _bad_date(label, value, rule)
    if isinstance(value, date):
        return value
    raise LineRejected(f"{label} is missing; give a date as YYYY-MM-DD", rule)


def _bad_date(label: str, value: str, rule: str) -> date:
    try:
        parse_date(value)
    except ValueError as exc:  # says which: not YYYY-MM-DD, no such day, or out of range
        raise LineRejected(f"{label}: {exc}", rule) from None
    raise AssertionError("only called for a value _iso_date refused")


def _amount(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise LineRejected("amount must be a number or a decimal string", "amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise LineRejected(f"amount {str(value)[:40]!r} is not a number", "amount") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise LineRejected("amount must be between 0 and 9,999,999,999,999,999.99", "amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise LineRejected("amount has more than two decimal places (fen)", "amount")
    return amount.quantize(Decimal("0.01"))


def _common_case(obj, today: date) -> RecordDraft | None:
    """The usual well-formed record, checked inline (bulk files are mostly these).

    Stricter than `validate_record` (no amounts, printable text only); anything it does not
    accept goes through `validate_record`, which alone words the rejections.
    """
    try:
        if type(obj) is not dict or "amount" in obj or obj.get("disclosure") is not None:
            return None
        basis = obj["legalBasis"]
        source_id, summary = obj["sourceRecordId"].strip(), obj["summary"].strip()
        number, kind = basis["number"].strip(), basis["kind"].strip()
        authority, category = basis["authority"].strip(), obj["category"]
        issued_raw, occurred_raw = basis["issuedOn"], obj["occurredOn"]
        ended_raw = obj.get("conductEndedOn")
    except (KeyError, AttributeError, TypeError):
        return None
    if not (0 < len(source_id) <= MAX_SOURCE_ID and 0 < len(summary) <= MAX_SUMMARY
            and 0 < len(number) <= 100 and 0 < len(kind) <= 100 and 0 < len(authority) <= 200
            and source_id.isprintable() and summary.isprintable() and number.isprintable()
            and kind.isprintable() and authority.isprintable()
            and category in CATEGORY_VALUES and category not in AMOUNT_REQUIRED
            and type(issued_raw) is str and type(occurred_raw) is str
            and type(obj["subjectCode"]) is str):
        return None
    issued_on, occurred_on = _iso_date(issued_raw), _iso_date(occurred_raw)
    if issued_on is None or occurred_on is None or issued_on > today or occurred_on > today:
        return None
    conduct_ended_on = None
    if ended_raw is not None:
        conduct_ended_on = _iso_date(ended_raw) if type(ended_raw) is str else None
        if conduct_ended_on is None or conduct_ended_on < occurred_on:
            return None
    parsed = _code(obj["subjectCode"])
    if type(parsed) is not tuple:
        return None
    return RecordDraft(source_id, parsed[0], parsed[1], category, summary, number, kind,
                       issued_on, authority, occurred_on, conduct_ended_on, None, None)


def validate_record(obj: dict, today: date) -> RecordDraft:
    """Check one submitted record completely; raises LineRejected naming the rule."""
    draft = _common_case(obj, today)
    if draft is not None:
        return draft
    if not isinstance(obj, dict):
        raise LineRejected("each record must be a JSON object", "json")
    source_id = _text(obj, "sourceRecordId", "sourceRecordId", MAX_SOURCE_ID)
    raw_code = obj.get("subjectCode")
    if not isinstance(raw_code, str):
        raise LineRejected("subjectCode is missing", "field")
    parsed = _code(raw_code)
    if isinstance(parsed, InvalidCode):
        raise LineRejected(f"invalid subject code: {parsed.message}", parsed.rule)
    category = obj.get("category")
    if category not in CATEGORY_VALUES:
        raise LineRejected(f"unknown category {str(category)[:40]!r}", "category")
    summary = _text(obj, "summary", "summary", MAX_SUMMARY)
    basis = obj.get("legalBasis")
    if not isinstance(basis, dict):
        raise LineRejected("a record needs its legal basis: legalBasis {number, kind, issuedOn, "
                           "authority} of a legally effective document", "legal_basis")
    try:
        number = _text(basis, "number", "legalBasis.number", 100, "legal_basis")
        kind = _text(basis, "kind", "legalBasis.kind", 100, "legal_basis")
        authority = _text(basis, "authority", "legalBasis.authority", 200, "legal_basis")
    except LineRejected as exc:
        raise LineRejected(exc.reason + "; a record needs a legally effective document",
                           "legal_basis") from None
    issued_on = _date(basis.get("issuedOn"), "legalBasis.issuedOn", "legal_basis")
    occurred_on = _date(obj.get("occurredOn"), "occurredOn")
    ended = obj.get("conductEndedOn")
    conduct_ended_on = _date(ended, "conductEndedOn") if ended is not None else None
    if issued_on > today:
        raise LineRejected("legalBasis.issuedOn is in the future; only an issued document is "
                           "legally effective", "legal_basis")
    if occurred_on > today:
        raise LineRejected("occurredOn is in the future", "date")
    if conduct_ended_on is not None and conduct_ended_on < occurred_on:
        raise LineRejected("conductEndedOn is before occurredOn", "date")
    amount = _amount(obj.get("amount"))
    if amount is None and category in AMOUNT_REQUIRED:
        raise LineRejected(f"a {category} record needs its amount", "amount")
    disclosure = obj.get("disclosure")
    if disclosure is not None and disclosure not in DISCLOSURE_VALUES:
        raise LineRejected(f"unknown disclosure level {str(disclosure)[:40]!r}; use PUBLIC, "
                           "SHARED or RESTRICTED", "disclosure")
    return RecordDraft(source_id, parsed[0], parsed[1], category, summary, number, kind,
                       issued_on, authority, occurred_on, conduct_ended_on, amount, disclosure)


def parse_line(raw: bytes, today: date) -> RecordDraft:
    """One NDJSON line to a draft; malformed JSON is rejected with rule `json`."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LineRejected(f"not valid JSON: {exc}", "json") from None
    return validate_record(obj, today)
