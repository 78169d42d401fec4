"""Credit-record rows in PostgreSQL's binary COPY format.

A record row is two parts. The static part is what the source said (text, dates, amount,
disclosure, retention and the content hash); it is encoded once, where the line is validated,
which on the bulk path is a worker process. The ingesting process then only adds the fields that
depend on the chain and on the database (ids, version, kind, status, chain position and hashes)
and hands PostgreSQL the bytes: no per-value encoding on the serial path.

Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4 (binary format);
each value is its type's send/recv representation. Tests read rows back through the database
and the chain verification recomputes every hash from the stored values.
"""

from __future__ import annotations

import struct
from datetime import date
from decimal import Decimal
from functools import lru_cache

from services.records.ingestion.parse import RecordDraft
from services.records.records.policy import retention_until

# Order of the fields in a row: the chained part first, then the static part.
CHAINED_COLUMNS = ("record_id", "version", "subject_kind", "status", "is_current",
                   "recorded_at", "chain_seq", "prev_hash", "hash")
STATIC_COLUMNS = ("agency", "source_record_id", "subject_code", "category", "summary",
                  "doc_number", "doc_kind", "doc_issued_on", "doc_authority", "occurred_on",
                  "conduct_ended_on", "amount", "disclosure", "retention_until", "content_hash")
COLUMNS = CHAINED_COLUMNS + STATIC_COLUMNS  # archived_at is left to its default (NULL)

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
NULL = struct.pack(">i", -1)
_PG_EPOCH_DAYS = date(2000, 1, 1).toordinal()
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z in Unix microseconds

_ID_VERSION = struct.Struct(">hiqii")  # field count; record_id (int8); version (int4)
_BOOL_TS = struct.Struct(">i?iq")       # is_current (bool); recorded_at (timestamptz)
_SEQ = struct.Struct(">iq")             # chain_seq (int8)
_LEN = struct.Struct(">i")
_DATE = struct.Struct(">ii")
_HASH_LEN = _LEN.pack(32)  # sha256 digests


def _text(value: str) -> bytes:
    data = value.encode()
    return _LEN.pack(len(data)) + data


def _bytea(value: bytes) -> bytes:
    return _LEN.pack(len(value)) + value


_DATES: dict[date, bytes] = {}


def _date(value: date | None) -> bytes:
    if value is None:
        return NULL
    encoded = _DATES.get(value)
    if encoded is None:
        encoded = _DATES[value] = _DATE.pack(4, value.toordinal() - _PG_EPOCH_DAYS)
    return encoded


def _numeric(value: Decimal | None) -> bytes:
    """numeric(18,2) in numeric_send form: base-10000 digits, weight, sign, scale 2."""
    if value is None:
        return NULL
    cents = int(value.scaleb(2))  # validation allows only non-negative amounts in fen
    if cents < 0:
        raise ValueError("amounts are never negative")
    whole, fen = divmod(cents, 100)
    digits = []
    while whole:
        whole, digit = divmod(whole, 10_000)
        digits.append(digit)
    digits.reverse()
    weight = len(digits) - 1
    if fen:
        digits.append(fen * 100)
    while digits and digits[0] == 0:  # only when whole was 0: the first digit is the fen
        digits.pop(0)
        weight -= 1
    if not digits:
        weight = 0
    body = struct.pack(f">hhHh{len(digits)}h", len(digits), weight, 0, 2, *digits)
    return _LEN.pack(len(body)) + body


_TEXTS: dict[str, bytes] = {}


def _short(value: str) -> bytes:
    """A text from a small set (agency, category, disclosure, kind, status): encoded once."""
    encoded = _TEXTS.get(value)
    if encoded is None:
        encoded = _TEXTS[value] = _text(value)
    return encoded


@lru_cache(maxsize=65_536)
def _retention(category: str, occurred_on: date, conduct_ended_on: date | None) -> bytes:
    return _date(retention_until(category, occurred_on, conduct_ended_on))


def static_part(agency: str, d: RecordDraft) -> bytes:
    """The static fields of a draft (its content hash computed), in STATIC_COLUMNS order.

    Written out rather than as a call per field: this runs once per ingested line."""
    pack, texts = _LEN.pack, _TEXTS
    source_id, code, summary = (d.source_record_id.encode(), d.subject_code.encode(),
                                d.summary.encode())
    number, kind, authority = d.doc_number.encode(), d.doc_kind.encode(), d.doc_authority.encode()
    disclosure = d.shown_disclosure()
    return b"".join((
        texts.get(agency) or _short(agency), pack(len(source_id)), source_id,
        pack(len(code)), code, texts.get(d.category) or _short(d.category),
        pack(len(summary)), summary, pack(len(number)), number, pack(len(kind)), kind,
        _DATES.get(d.doc_issued_on) or _date(d.doc_issued_on), pack(len(authority)), authority,
        _DATES.get(d.occurred_on) or _date(d.occurred_on), _date(d.conduct_ended_on),
        _numeric(d.amount) if d.amount is not None else NULL,
        texts.get(disclosure) or _short(disclosure),
        _retention(d.category, d.occurred_on, d.conduct_ended_on),
        _HASH_LEN, d.content_hash(agency),
    ))


_FIELDS = len(COLUMNS)


def row(record_id: int, version: int, kind: str, status: str, is_current: bool,
        recorded_us: int, chain_seq: int, prev_hash: bytes, digest: bytes, static: bytes) -> bytes:
    """One whole row: the chained fields, then the static part."""
    return b"".join((
        _ID_VERSION.pack(_FIELDS, 8, record_id, 4, version), _short(kind), _short(status),
        _BOOL_TS.pack(1, is_current, 8, recorded_us - _PG_EPOCH_US), _SEQ.pack(8, chain_seq),
        _bytea(prev_hash), _HASH_LEN, digest, static,
    ))
