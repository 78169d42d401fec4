"""Sanctions' part of records' `RecordObjection`: `dueAt` and `overdue` on the working calendar,
from the fields the gateway brings from records (`@requires`). The rule (DESIGN.md): verified
within 20 calendar days, counted from the day after filing; a last day that is a weekend or a
holiday moves to the next working day; due at 00:00 Asia/Shanghai after it."""

from datetime import datetime

import pytest

from devtools.testing import error_codes
from tests.callers import ADMIN, SPC

DEADLINE = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on RecordObjection { id dueAt overdue } } }"""
SET_DAY = """mutation($d: Date!, $w: Boolean!) { setCalendarDay(day: $d, working: $w,
  name: "测试") { day working } }"""


def ref(filed_at: str, resolved_at: str | None = None, days: int = 20, id_: str = "7") -> dict:
    return {"__typename": "RecordObjection", "id": id_, "filedAt": filed_at,
            "verificationDays": days, "resolvedAt": resolved_at}


async def deadline(gql, *refs: dict) -> list[dict]:
    body = await gql.execute(DEADLINE, {"r": list(refs)}, as_=SPC)
    assert "errors" not in body, body
    return body["data"]["_entities"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def set_day(gql, day: str, working: bool) -> None:
    body = await gql.execute(SET_DAY, {"d": day, "w": working}, as_=ADMIN)
    assert "errors" not in body, body


async def test_a_last_day_on_a_weekend_moves_to_monday(gql):
    # Filed Monday 7 December 2026: day 20 is Sunday the 27th, so the 28th is the last day.
    (found,) = await deadline(gql, ref("2026-12-07T10:00:00+08:00"))
    assert at(found["dueAt"]) == at("2026-12-29T00:00:00+08:00")


async def test_a_last_day_inside_the_period_is_counted_from_the_day_after_filing(gql):
    # Filed Wednesday 2 December 2026 at 23:30 Shanghai (15:30 UTC): day 20 is Tuesday the 22nd.
    (found,) = await deadline(gql, ref("2026-12-02T15:30:00+00:00"))
    assert at(found["dueAt"]) == at("2026-12-23T00:00:00+08:00")


async def test_a_holiday_on_the_calendar_moves_the_last_day_to_the_next_working_day(gql):
    await set_day(gql, "2026-12-28", False)
    await set_day(gql, "2026-12-29", False)
    (found,) = await deadline(gql, ref("2026-12-07T10:00:00+08:00"))
    assert at(found["dueAt"]) == at("2026-12-31T00:00:00+08:00")


async def test_a_make_up_working_day_on_a_weekend_keeps_the_last_day(gql):
    # Filed Sunday 6 December: day 20 is Saturday the 26th, a make-up working day here.
    before, = await deadline(gql, ref("2026-12-06T09:00:00+08:00"))
    assert at(before["dueAt"]) == at("2026-12-29T00:00:00+08:00")
    await set_day(gql, "2026-12-26", True)
    after, = await deadline(gql, ref("2026-12-06T09:00:00+08:00"))
    assert at(after["dueAt"]) == at("2026-12-27T00:00:00+08:00")


async def test_overdue_is_open_past_the_deadline_or_resolved_after_it(gql):
    long_ago, resolved_in_time, resolved_late, future = await deadline(
        gql, ref("2025-01-06T10:00:00+08:00", id_="1"),
        ref("2025-01-06T10:00:00+08:00", "2025-01-20T10:00:00+08:00", id_="2"),
        ref("2025-01-06T10:00:00+08:00", "2025-02-20T10:00:00+08:00", id_="3"),
        ref("2199-01-06T10:00:00+08:00", id_="4"))
    assert [long_ago["overdue"], resolved_in_time["overdue"], resolved_late["overdue"],
            future["overdue"]] == [True, False, True, False]
    assert [e["id"] for e in (long_ago, resolved_in_time, resolved_late, future)] == [
        "1", "2", "3", "4"]


@pytest.mark.parametrize("bad,field", [
    ({"filedAt": "2026-12-07"}, "filedAt"),
    ({"filedAt": None}, "filedAt"),
    ({"verificationDays": "20"}, "verificationDays"),
    ({"verificationDays": -1}, "verificationDays"),
    ({"resolvedAt": "soon"}, "resolvedAt"),
], ids=["date-not-instant", "no-filing-time", "days-as-text", "negative-days", "bad-resolution"])
async def test_a_malformed_representation_is_bad_request_naming_the_field(gql, bad, field):
    body = await gql.execute(DEADLINE, {"r": [{**ref("2026-12-07T10:00:00+08:00"), **bad}]},
                             as_=SPC)
    assert error_codes(body) == ["BAD_REQUEST"], body
    assert body["errors"][0]["extensions"]["field"] == field


async def test_deadlines_need_a_token(gql):
    body = await gql.execute(DEADLINE, {"r": [ref("2026-12-07T10:00:00+08:00")]})
    assert error_codes(body) == ["UNAUTHENTICATED"]
