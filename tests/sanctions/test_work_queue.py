"""`workQueue(kinds, first, after)`: open objections, pending repair applications, publicity
windows ending within 7 days and listings ending within 30, earliest deadline first, overdue
marked, each deadline by its rule on the working calendar; `Objection.dueAt` / `overdue`."""

from __future__ import annotations

import base64
from datetime import date, datetime, time, timedelta, timezone

import pytest

from devtools.testing import error_codes
from libs.common.timeutil import SHANGHAI
from tests.callers import ADMIN, AIRLINE, ANALYST, SAMR, SPC
from tests.sanctions.test_dashboard_listings import NRA, shanghai_person

QUEUE = """query($k: [WorkItemKind!], $first: Int, $after: String) {
  workQueue(kinds: $k, first: $first, after: $after) {
    nodes { kind id authority openedAt dueAt overdue summary listing { id status subjectCode } }
    totalCount endCursor hasMore } }"""
OBJECTION = """mutation($input: FileObjectionInput!) {
  fileObjection(input: $input) { id filedAt dueAt overdue } }"""
OBJECTIONS_OF = """query($id: ID!) { listing(id: $id) { objections { id status dueAt overdue } } }"""
RESOLVE = """mutation($input: ResolveObjectionInput!) {
  resolveObjection(input: $input) { id status dueAt overdue } }"""
APPLY = """mutation($i: ApplyForRepairInput!) { applyForRepair(input: $i) { id appliedAt } }"""
HOLIDAY = """mutation($d: Date!) {
  setCalendarDay(day: $d, working: false, name: "测试假日") { day } }"""


def _working(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _midnight_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)


def days_rule(start: datetime, days: int, holidays: set[date]) -> datetime:
    """N calendar days from the day after `start`; a last day off moves to a working day."""
    last = start.astimezone(SHANGHAI).date() + timedelta(days=days)
    while not _working(last, holidays):
        last += timedelta(days=1)
    return _midnight_after(last)


def working_days_rule(start: datetime, days: int, holidays: set[date]) -> datetime:
    day = start.astimezone(SHANGHAI).date()
    while days:
        day += timedelta(days=1)
        days -= _working(day, holidays)
    return _midnight_after(day)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def queue(world, as_=ANALYST, **variables) -> dict:
    body = await world.gql.execute(QUEUE, variables, as_=as_)
    assert "errors" not in body, body
    return body["data"]["workQueue"]


async def holiday(world, day: date) -> None:
    body = await world.gql.execute(HOLIDAY, {"d": day.isoformat()}, as_=ADMIN)
    assert "errors" not in body, body


async def _work(world) -> dict:
    """One item of each kind: an objection (SPC), a repair application (SAMR), a railway
    listing in its publicity window (NRA), an SPC listing ending in 10 days."""
    made = {}
    org = await world.company()
    made["court"] = await world.decide("SPC_DISHONEST_DEBTORS", org, [await world.record(org)],
                                       SPC)
    body = await world.gql.execute(OBJECTION, {"input": {"listingId": made["court"]["id"],
                                                         "grounds": "已履行完毕"}}, as_=SPC)
    assert "errors" not in body, body
    made["objection"] = body["data"]["fileObjection"]
    abnormal_org = await world.company()
    made["abnormal"] = await world.decide(
        "ABNORMAL_OPERATIONS", abnormal_org,
        [await world.record(abnormal_org, agency="SAMR", category="ABNORMAL_OPERATION",
                            summary="无法联系")], SAMR)
    body = await world.gql.execute(APPLY, {"i": {"listingId": made["abnormal"]["id"],
                                                 "statement": "已变更住所"}}, as_=SAMR)
    assert "errors" not in body, body
    made["repair"] = body["data"]["applyForRepair"]
    person = await world.subject(shanghai_person(), "NATURAL_PERSON", "李娜")
    made["rail"] = await world.decide("RAILWAY_DISHONEST", person,
                                      [await world.record(person, agency="NRA",
                                                          category="TRAVEL_MISCONDUCT")], NRA)
    ending_org = await world.company()
    made["ending"] = await world.decide(
        "SPC_DISHONEST_DEBTORS", ending_org, [await world.record(ending_org)], SPC,
        effectiveUntil=datetime.now(timezone.utc) + timedelta(days=10))
    return made


def _jump(monkeypatch, to: datetime) -> None:
    for module in ("services.sanctions.dashboard.graphql", "services.sanctions.objections.graphql"):
        monkeypatch.setattr(f"{module}.clock", lambda: to)


async def test_every_kind_of_work_with_its_deadline_earliest_first(world, monkeypatch):
    made = await _work(world)
    page = await queue(world)
    by_kind = {n["kind"]: n for n in page["nodes"]}
    # The railway listing's publicity window ends in more than 7 days: not yet in the queue.
    assert set(by_kind) == {"LISTING_OBJECTION", "REPAIR_APPLICATION", "LISTING_EXPIRING"}
    assert page["totalCount"] == 3 and page["hasMore"] is False
    dues = [at(n["dueAt"]) for n in page["nodes"]]
    assert dues == sorted(dues)
    objection = by_kind["LISTING_OBJECTION"]
    filed = at(made["objection"]["filedAt"])
    assert objection["id"] == made["objection"]["id"]
    assert objection["listing"]["id"] == made["court"]["id"] and objection["authority"] == "SPC"
    assert at(objection["openedAt"]) == filed
    assert at(objection["dueAt"]) == days_rule(filed, 15, set()) == at(made["objection"]["dueAt"])
    repair = by_kind["REPAIR_APPLICATION"]
    assert repair["id"] == made["repair"]["id"] and repair["authority"] == "SAMR"
    assert at(repair["dueAt"]) == working_days_rule(at(made["repair"]["appliedAt"]), 10, set())
    ending = by_kind["LISTING_EXPIRING"]
    assert ending["id"] == made["ending"]["id"]
    assert at(ending["dueAt"]) == at(made["ending"]["effectiveUntil"])
    assert not any(n["overdue"] for n in page["nodes"])
    assert all(n["summary"] for n in page["nodes"])
    # Two days before the railway listing's publicity window closes, it is in the queue.
    publicity_end = at(made["rail"]["publicityUntil"])
    _jump(monkeypatch, publicity_end - timedelta(days=2))
    soon = await queue(world, k=["PUBLICITY_ENDING"])
    assert [(n["kind"], n["id"]) for n in soon["nodes"]] == [("PUBLICITY_ENDING",
                                                              made["rail"]["id"])]
    assert at(soon["nodes"][0]["dueAt"]) == publicity_end
    assert at(soon["nodes"][0]["openedAt"]) == publicity_end - timedelta(days=7)
    assert soon["nodes"][0]["authority"] == "NRA"


async def test_an_objection_whose_last_day_is_a_holiday_is_due_after_the_next_working_day(
        world, monkeypatch):
    today = datetime.now(SHANGHAI).date()
    unmoved = days_rule(datetime.now(SHANGHAI), 15, set())
    last_day = unmoved.astimezone(SHANGHAI).date() - timedelta(days=1)
    assert last_day >= today + timedelta(days=15)
    await holiday(world, last_day)
    made = await _work(world)
    due = at(made["objection"]["dueAt"])
    assert due == days_rule(at(made["objection"]["filedAt"]), 15, {last_day})
    assert due > unmoved and due.astimezone(SHANGHAI).date() > last_day + timedelta(days=1)
    items = (await queue(world, k=["LISTING_OBJECTION"]))["nodes"]
    assert at(items[0]["dueAt"]) == due and items[0]["overdue"] is False
    # Past the deadline the objection is overdue, in the queue and on the objection itself.
    _jump(monkeypatch, due)
    items = (await queue(world, k=["LISTING_OBJECTION"]))["nodes"]
    assert items[0]["overdue"] is True
    body = await world.gql.execute(OBJECTIONS_OF, {"id": made["court"]["id"]}, as_=SPC)
    assert body["data"]["listing"]["objections"] == [{
        "id": made["objection"]["id"], "status": "OPEN", "dueAt": made["objection"]["dueAt"],
        "overdue": True}]
    # Resolved (at the real time, before its deadline) it is not overdue; it leaves the queue.
    body = await world.gql.execute(RESOLVE, {"input": {"objectionId": made["objection"]["id"],
                                                       "outcome": "DISMISSED"}}, as_=SPC)
    assert body["data"]["resolveObjection"]["overdue"] is False  # resolved now, before the due
    assert (await queue(world, k=["LISTING_OBJECTION"]))["totalCount"] == 0


async def test_a_holiday_inside_a_repair_window_moves_its_answer_by_a_working_day(world):
    today = datetime.now(SHANGHAI).date()
    first_working = today + timedelta(days=1)
    while first_working.weekday() >= 5:
        first_working += timedelta(days=1)
    await holiday(world, first_working)
    made = await _work(world)
    applied = at(made["repair"]["appliedAt"])
    items = (await queue(world, k=["REPAIR_APPLICATION"]))["nodes"]
    due = at(items[0]["dueAt"])
    assert due == working_days_rule(applied, 10, {first_working})
    assert due > working_days_rule(applied, 10, set())


async def test_officials_see_their_agencys_work_and_others_are_refused(world):
    made = await _work(world)
    assert [n["id"] for n in (await queue(world, as_=SPC))["nodes"]] == [
        made["ending"]["id"], made["objection"]["id"]]
    assert [n["kind"] for n in (await queue(world, as_=SAMR))["nodes"]] == ["REPAIR_APPLICATION"]
    assert (await queue(world, as_=NRA))["totalCount"] == 0
    assert (await queue(world, as_=ADMIN))["totalCount"] == 3
    for who in (AIRLINE, {"sub": "x", "roles": ["authority"]}):
        assert error_codes(await world.gql.execute(QUEUE, {}, as_=who)) == ["FORBIDDEN"]
    assert error_codes(await world.gql.execute(QUEUE, {})) == ["UNAUTHENTICATED"]


async def test_kinds_narrow_the_queue_and_pages_follow_each_other(world, monkeypatch):
    made = await _work(world)
    _jump(monkeypatch, at(made["rail"]["publicityUntil"]) - timedelta(days=1))
    everything = await queue(world)
    assert everything["totalCount"] == 4
    pages, after = [], None
    while True:
        page = await queue(world, first=1, after=after)
        assert page["totalCount"] == 4
        pages += page["nodes"]
        after = page["endCursor"]
        if not page["hasMore"]:
            break
    assert pages == everything["nodes"]
    only = await queue(world, k=["REPAIR_APPLICATION", "PUBLICITY_ENDING"])
    assert {n["kind"] for n in only["nodes"]} == {"REPAIR_APPLICATION", "PUBLICITY_ENDING"}
    assert only["totalCount"] == 2


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("variables, field", [
    ({"k": []}, "kinds"),
    ({"first": 0}, "first"),
    ({"first": 1000}, "first"),
    ({"after": "%%%"}, "after"),
    ({"after": _b64("work.1|2026-12-01T00:00:00+00:00|9|6f1c1b8e-2d4e-4b43-9a0e-1d2c3b4a5f60")},
     "after"),
    ({"after": _b64("listing.1|2026-12-01T00:00:00+00:00|6f1c1b8e-2d4e-4b43-9a0e-1d2c3b4a5f60")},
     "after"),
])
async def test_bad_input_is_bad_request_naming_its_field(world, variables, field):
    body = await world.gql.execute(QUEUE, variables, as_=ANALYST)
    assert error_codes(body) == ["BAD_REQUEST"], body
    assert body["errors"][0]["extensions"]["field"] == field
