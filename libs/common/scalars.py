"""The `DateTime` and `Date` scalars every subgraph uses, stricter than strawberry's defaults.

API.md: a `DateTime` is an ISO 8601 timestamp *with an offset*; a `Date` is `YYYY-MM-DD`; both lie
within 1949-10-01 .. 2199-12-31. Strawberry's defaults accept a timestamp without an offset (which
the services then read as Asia/Shanghai: a guess) and a bare date as a DateTime; a value near
the ends of Python's range overflows when converted to UTC. Every refusal says what was wrong;
graphql-core reports it against the variable or argument, and the kit gives it `BAD_REQUEST`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import strawberry

EARLIEST = date(1949, 10, 1)
LATEST = date(2199, 12, 31)
_MAX_TEXT = 64
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME_EXAMPLE = "e.g. 2026-12-03T10:00:00+08:00 or 2026-12-03T02:00:00Z"
# The instants a DateTime may name: EARLIEST 00:00 and LATEST 23:59:59.999999, at any offset.
_FIRST_INSTANT = datetime(EARLIEST.year, EARLIEST.month, EARLIEST.day, tzinfo=timezone.utc)
_LAST_INSTANT = datetime(LATEST.year, LATEST.month, LATEST.day, 23, 59, 59, 999999,
                         tzinfo=timezone.utc)


def _shown(value: str) -> str:
    return repr(value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "...")


def _out_of_range(what: str, shown: str) -> ValueError:
    return ValueError(f"{what} {shown} is outside {EARLIEST.isoformat()} .. {LATEST.isoformat()}")


def parse_datetime(value: object) -> datetime:
    """An aware datetime from an ISO 8601 string with an offset; anything else is refused."""
    if not isinstance(value, str):
        raise ValueError(f"a DateTime is an ISO 8601 string with an offset ({_DATETIME_EXAMPLE}), "
                         f"not {type(value).__name__}")
    if len(value) > _MAX_TEXT:
        raise ValueError(f"{_shown(value)} is too long for a DateTime")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not an ISO 8601 timestamp ({_DATETIME_EXAMPLE})"
                         ) from None
    if parsed.tzinfo is None:
        hint = ("; a bare date belongs in a Date field" if _DATE.fullmatch(value)
                else f" ({_DATETIME_EXAMPLE})")
        raise ValueError(f"{_shown(value)} has no offset: a DateTime needs one (Z or +08:00)"
                         f"{hint}")
    try:
        instant = parsed.astimezone(timezone.utc)
    except OverflowError:
        raise _out_of_range("the timestamp", _shown(value)) from None
    if not _FIRST_INSTANT <= instant <= _LAST_INSTANT:
        raise _out_of_range("the timestamp", _shown(value))
    return parsed


def parse_date(value: object) -> date:
    """A date from `YYYY-MM-DD`; anything else is refused."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        shown = _shown(value) if isinstance(value, str) else type(value).__name__
        raise ValueError(f"a Date is YYYY-MM-DD, not {shown}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not a calendar date") from None
    if not EARLIEST <= parsed <= LATEST:
        raise _out_of_range("the date", _shown(value))
    return parsed


def _serialize_datetime(value: datetime) -> str:
    return value.isoformat()


def _serialize_date(value: date) -> str:
    return value.isoformat()


DateTime = strawberry.scalar(
    name="DateTime",
    description="An ISO 8601 timestamp with an offset (e.g. 2026-12-03T10:00:00+08:00), "
                "within 1949-10-01 .. 2199-12-31.",
    serialize=_serialize_datetime, parse_value=parse_datetime)

Date = strawberry.scalar(
    name="Date", description="A calendar date, YYYY-MM-DD, within 1949-10-01 .. 2199-12-31.",
    serialize=_serialize_date, parse_value=parse_date)

# For StrawberryConfig(scalar_map=...): these Python types are read and written as above.
SCALAR_MAP = {datetime: DateTime, date: Date}
