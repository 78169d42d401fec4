"""Tamper evidence: each source's record versions form a sha256 hash chain.

content_hash = sha256(canonical JSON of the content fields)
hash         = sha256(prev_hash || content_hash || "seq|record_id|version|recorded_at_us")
Status, currency and archiving are lifecycle state and deliberately outside the chain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import orjson

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _day(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def amount_text(amount: Decimal | None) -> str | None:
    return f"{amount:.2f}" if amount is not None else None


def content_hash(agency: str, source_record_id: str, subject_code: str, category: str,
                 summary: str, doc_number: str, doc_kind: str, doc_issued_on: date,
                 doc_authority: str, occurred_on: date, conduct_ended_on: date | None,
                 amount: Decimal | None, disclosure: str) -> bytes:
    """Hash of what the source said; equal hashes mean a resubmission changed nothing."""
    return hashlib.sha256(orjson.dumps([
        agency, source_record_id, subject_code, category, summary, doc_number, doc_kind,
        doc_issued_on.isoformat(), doc_authority, occurred_on.isoformat(),
        _day(conduct_ended_on), amount_text(amount), disclosure,
    ])).digest()


def micros(ts: datetime) -> int:
    delta = ts - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def link_hash(prev_hash: bytes, content: bytes, chain_seq: int, record_id: int, version: int,
              recorded_at: datetime | int) -> bytes:
    """`recorded_at` as a datetime or already as epoch microseconds (one per chunk)."""
    at = recorded_at if isinstance(recorded_at, int) else micros(recorded_at)
    return hashlib.sha256(prev_hash + content + f"{chain_seq}|{record_id}|{version}|{at}".encode()).digest()


@dataclass(frozen=True)
class BrokenLink:
    agency: str
    chain_seq: int
    record_id: int
    version: int
    reason: str

    def as_dict(self) -> dict:
        return {"agency": self.agency, "chainSeq": self.chain_seq, "recordId": str(self.record_id),
                "version": self.version, "reason": self.reason}


def check_row(row, expected_seq: int, prev: bytes) -> str | None:
    """Why this row breaks the chain, or None when it links correctly."""
    if row["chain_seq"] != expected_seq:
        return f"expected chain position {expected_seq}, found {row['chain_seq']} (a row is missing)"
    if bytes(row["prev_hash"]) != prev:
        return "prev_hash does not match the previous row's hash"
    content = content_hash(
        row["agency"], row["source_record_id"], row["subject_code"], row["category"],
        row["summary"], row["doc_number"], row["doc_kind"], row["doc_issued_on"],
        row["doc_authority"], row["occurred_on"], row["conduct_ended_on"], row["amount"],
        row["disclosure"])
    if content != bytes(row["content_hash"]):
        return "content does not match its content_hash (a field was edited)"
    expected = link_hash(prev, content, row["chain_seq"], row["record_id"], row["version"],
                         row["recorded_at"])
    if expected != bytes(row["hash"]):
        return "hash does not match prev_hash and content"
    return None
