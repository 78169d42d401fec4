"""Numeric ids, uuids and cursor positions as clients send them: ASCII, bounded, one spelling.

`int()` and `str.isdigit()` take other scripts' digits ('１２' full-width, '١٢' Arabic-Indic) and
`int()` also '+12', '1_2' and numbers past a bigint; `uuid.UUID()` takes full-width hex digits,
braces, a `urn:uuid:` prefix and no hyphens. A record id, listing id or cursor is none of those:
each parser here answers None for anything but the plain ASCII form, and the caller says which
field was wrong. (Subject codes are different: they are typed by people, and libs/common/
identifiers normalises full-width characters in them by design.)
"""

from __future__ import annotations

import re
import uuid

MAX_DIGITS = 18  # every 18-digit number fits a PostgreSQL bigint
_DECIMAL = re.compile(r"[0-9]{1,%d}" % MAX_DIGITS)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def decimal_id(text: str) -> int | None:
    """The number written as 1-18 ASCII digits, else None."""
    return int(text) if isinstance(text, str) and _DECIMAL.fullmatch(text) else None


def uuid_id(text: str) -> uuid.UUID | None:
    """The uuid written in its hyphenated ASCII form (either case), else None."""
    return uuid.UUID(text) if isinstance(text, str) and _UUID.fullmatch(text) else None
