"""Opaque keyset cursors: a kind, then the sort key of the last row handed out.

A cursor names a position in an order, not a snapshot, so pages stay stable while rows are
inserted: nothing already passed comes again and nothing not yet reached is skipped. Anything
that is not a cursor this module made for this kind of page is BAD_REQUEST on `after`.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import datetime, timezone

from libs.common.errors import InvalidInput
from libs.common.scalars import EARLIEST, LATEST

_ALPHABET = re.compile(r"[A-Za-z0-9_-]{1,400}={0,2}")


def encode(kind: str, *parts: str) -> str:
    return base64.urlsafe_b64encode("|".join((kind, *parts)).encode()).decode()


def _malformed() -> InvalidInput:
    return InvalidInput("malformed cursor: pass the endCursor of a previous page", field="after")


def decode(cursor: str, kind: str, parts: int) -> list[str]:
    """The parts of a cursor of `kind`; BAD_REQUEST (field `after`) for anything else."""
    if not isinstance(cursor, str) or not _ALPHABET.fullmatch(cursor):
        raise _malformed()
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode("utf-8")
    except (binascii.Error, ValueError):
        raise _malformed() from None
    found = text.split("|")
    if len(found) != parts + 1 or found[0] != kind:
        raise _malformed()
    return found[1:]


def instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _malformed() from None
    if value.tzinfo is None or value.isoformat() != text:
        raise _malformed()
    try:
        value = value.astimezone(timezone.utc)
    except OverflowError:
        raise _malformed() from None
    if not EARLIEST <= value.date() <= LATEST:
        raise _malformed()
    return value


def identifier(text: str) -> uuid.UUID:
    try:
        value = uuid.UUID(text)
    except ValueError:
        raise _malformed() from None
    if str(value) != text:
        raise _malformed()
    return value


def integer(text: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise _malformed()
    return int(text)
