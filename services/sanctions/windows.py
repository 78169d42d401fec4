"""Time arithmetic for listings: working days and half-open windows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from libs.common.timeutil import SHANGHAI, start_of_day

Interval = tuple[datetime, datetime | None]  # [from, until); until None = open-ended


def add_working_days(start: datetime, days: int,
                     calendar: Mapping[date, bool] | None = None) -> datetime:
    """The instant a publicity window of `days` working days opened at `start` closes.

    Working days are Monday to Friday in Asia/Shanghai, except where `calendar` says otherwise
    (public holidays: False; weekend make-up working days: True); counting starts the day after
    `start`, and the window closes at 00:00 Asia/Shanghai after the last one. Zero days means
    no window: `start` itself.
    """
    calendar = calendar or {}
    if days <= 0:
        return start
    day = start.astimezone(SHANGHAI).date()
    left = days
    while left:
        day += timedelta(days=1)
        if calendar.get(day, day.weekday() < 5):
            left -= 1
    return start_of_day(day + timedelta(days=1))


def subtract(base: Interval, cuts: list[Interval]) -> list[Interval]:
    """`base` minus every interval in `cuts`, as ordered disjoint non-empty intervals."""
    pieces = [base]
    for c_from, c_until in cuts:
        out = []
        for p_from, p_until in pieces:
            # left part: [p_from, min(p_until, c_from))
            left_until = c_from if p_until is None or c_from < p_until else p_until
            if left_until > p_from:
                out.append((p_from, left_until))
            # right part: [max(p_from, c_until), p_until)
            if c_until is not None:
                right_from = max(p_from, c_until)
                if p_until is None or right_from < p_until:
                    out.append((right_from, p_until))
        pieces = out
    return sorted(pieces, key=lambda i: i[0])


def pick(intervals: list[Interval], now: datetime) -> Interval | None:
    """The one window the index keeps: the one containing `now`, else the next, else the last."""
    if not intervals:
        return None
    for i_from, i_until in intervals:
        if i_from <= now and (i_until is None or now < i_until):
            return (i_from, i_until)
    for i_from, i_until in intervals:
        if i_from > now:
            return (i_from, i_until)
    return intervals[-1]
