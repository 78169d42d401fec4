"""Time semantics: half-open windows in UTC; a bare date is 00:00 Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; naive values are read as Asia/Shanghai local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(timezone.utc)


def start_of_day(d: date) -> datetime:
    """A bare date as an instant: 00:00 Asia/Shanghai."""
    return datetime.combine(d, time(0), tzinfo=SHANGHAI).astimezone(timezone.utc)
