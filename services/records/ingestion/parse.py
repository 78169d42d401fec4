"""Validation of one submitted record (a GraphQL input or an NDJSON line) into a draft."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import orjson

from libs.common.identifiers import InvalidCode, parse_code
from services.records.records.policy import AMOUNT_REQUIRED, CATEGORY_VALUES, DISCLOSURE_VALUES

MAX_SOURCE_ID = 64
MAX_SUMMARY = 1000
MAX_AMOUNT = Decimal("9999999999999999.99")
_DOC_LIMITS = {"number": 100, "kind": 100, "authority": 200}


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


@lru_cache(maxsize=200_000)
def _code(raw: str) -> tuple[str, str] | InvalidCode:
    try:
        parsed = parse_code(raw)
    except InvalidCode as exc:
        return exc
    return parsed.code, parsed.scheme


def _text(obj: dict, key: str, label: str, limit: int, rule: str = "field") -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LineRejected(f"{label} is missing or empty", rule)
    value = value.strip()
    if len(value) > limit:
        raise LineRejected(f"{label} is longer than {limit} characters", rule)
    if not value.isprintable() and any(unicodedata.category(ch) == "Cc" for ch in value):
        raise LineRejected(f"{label} contains control characters", rule)
    return value


def _date(value, label: str, rule: str = "date") -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise LineRejected(f"{label} is missing; give a date as YYYY-MM-DD", rule)
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(label, value, rule)
    except ValueError:
        return _bad_date(label, value, rule)


def _bad_date(label: str, value: str, rule: str) -> date:
    raise LineRejected(f"{label} {value[:40]!r} is not a date (YYYY-MM-DD)", rule)


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


def validate_record(obj: dict, today: date) -> RecordDraft:
    """Check one submitted record completely; raises LineRejected naming the rule."""
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
        doc = {k: _text(basis, k, f"legalBasis.{k}", n, "legal_basis")
               for k, n in _DOC_LIMITS.items()}
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
    return RecordDraft(source_id, parsed[0], parsed[1], category, summary, doc["number"],
                       doc["kind"], issued_on, doc["authority"], occurred_on, conduct_ended_on,
                       amount, disclosure)


def parse_line(raw: bytes, today: date) -> RecordDraft:
    """One NDJSON line to a draft; malformed JSON is rejected with rule `json`."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LineRejected(f"not valid JSON: {exc}", "json") from None
    return validate_record(obj, today)
