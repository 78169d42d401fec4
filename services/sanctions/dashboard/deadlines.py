"""Statutory deadlines of the work queue, on the working calendar (Asia/Shanghai).

The rules, from DESIGN.md and the catalogue (the contract names no per-list clock, so one rule
per kind of work, for every list):

- An objection to a listing is reviewed within 15 days (the SPC's correction review, 法释
  〔2017〕7号 art. 12 — calendar days, where repair says working days). Counted from the day
  after filing; a period whose last day is not a working day (weekend or public holiday on the
  calendar) ends on the next working day, as procedural periods do (民事诉讼法 art. 85).
- A credit repair application is answered within 10 working days (`add_working_days`, the
  same count as a publicity window). Removal within 3 working days of approval needs no
  item: approval ends the listing at once (REPAIRED).
- The end of a publicity window is the listing's `publicity_until` (its N working days were
  counted on the calendar when it was decided); the end of a listing is `effective_until`.

A deadline is the instant the period closes: 00:00 Asia/Shanghai after its last day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from libs.common.timeutil import SHANGHAI, start_of_day
from services.sanctions.windows import add_working_days

OBJECTION_REVIEW_DAYS = 15
REPAIR_ANSWER_WORKING_DAYS = 10
PUBLICITY_ENDING_WITHIN = timedelta(days=7)
LISTING_EXPIRING_WITHIN = timedelta(days=30)
# Calendar exceptions a deadline can need, from the day of the start: 15 days plus the longest
# run of holidays (Spring Festival, National Day), or 10 working days across one.
CALENDAR_SPAN = timedelta(days=60)


def is_working(day: date, calendar: Mapping[date, bool]) -> bool:
    return calendar.get(day, day.weekday() < 5)


def calendar_days_deadline(start: datetime, days: int, calendar: Mapping[date, bool]) -> datetime:
    """`days` calendar days from the day after `start`; a last day off moves to a working one."""
    last = start.astimezone(SHANGHAI).date() + timedelta(days=days)
    while not is_working(last, calendar):
        last += timedelta(days=1)
    return start_of_day(last + timedelta(days=1))


def objection_due(filed_at: datetime, calendar: Mapping[date, bool]) -> datetime:
    return calendar_days_deadline(filed_at, OBJECTION_REVIEW_DAYS, calendar)


def repair_due(applied_at: datetime, calendar: Mapping[date, bool]) -> datetime:
    return add_working_days(applied_at, REPAIR_ANSWER_WORKING_DAYS, calendar)


def calendar_range(starts: list[datetime]) -> tuple[date, date] | None:
    """The days whose calendar exceptions the deadlines of work opened at `starts` can need."""
    if not starts:
        return None
    days = [s.astimezone(SHANGHAI).date() for s in starts]
    return min(days), max(days) + CALENDAR_SPAN


def overdue(due_at: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    """Past its deadline before it was done (or, while open, by now)."""
    return due_at is not None and (done_at or now) >= due_at
