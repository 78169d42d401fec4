"""`listingCounts(groupBy, filter)`: listings in force now (no filter) or matching the filter,
grouped by list, authority, province, status and month decided; the same from the summary as
from the listings themselves, before and after lifts and expiries; officials scoped."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from devtools.testing import error_codes
from libs.common.timeutil import SHANGHAI
from tests.callers import ADMIN, AIRLINE, ANALYST, SPC, STA
from tests.sanctions.factories import LIFT
from tests.sanctions.test_dashboard_listings import LISTINGS, NRA, shanghai_org, shanghai_person

COUNTS = """query($g: ListingGroup!, $f: ListingFilter) {
  listingCounts(groupBy: $g, filter: $f) { key label count } }"""
GROUPS = ("LIST", "AUTHORITY", "PROVINCE", "STATUS", "MONTH_DECIDED")
# Not a month boundary: the same filter answered from the listings, not from the tally.
DIRECT = {"decidedAfter": "2000-01-01T00:00:01+08:00"}


async def counts(world, group, f=None, as_=ANALYST) -> dict[str, int]:
    body = await world.gql.execute(COUNTS, {"g": group, "f": f}, as_=as_)
    assert "errors" not in body, body
    return {r["key"]: r["count"] for r in body["data"]["listingCounts"]}


async def _listings(world, f=None) -> list[dict]:
    body = await world.gql.execute(
        LISTINGS.replace("decidedAt", "decidedAt subjectCode list { code authority }"),
        {"f": f, "first": 100}, as_=ANALYST)
    assert "errors" not in body, body
    return body["data"]["listings"]["nodes"]


def _expected(nodes: list[dict], group: str) -> dict[str, int]:
    def key(n):
        if group == "LIST":
            return n["list"]["code"]
        if group == "AUTHORITY":
            return n["authority"]
        if group == "STATUS":
            return n["status"]
        if group == "MONTH_DECIDED":
            return f"{datetime.fromisoformat(n['decidedAt']).astimezone(SHANGHAI):%Y-%m}"
        return None  # PROVINCE: see test_counts_of_listings_in_force_by_every_group_with_labels
    return dict(Counter(key(n) for n in nodes))


async def _all_agree(world, f=None) -> None:
    """Every grouping equals a count of `listings(filter)`, and the summary equals a count of
    the listings themselves (DIRECT)."""
    nodes = await _listings(world, f if f is not None else {"status": ["ACTIVE"]})
    for group in GROUPS:
        got = await counts(world, group, f)
        if group != "PROVINCE":  # the province of a code is checked by its own test
            assert got == _expected(nodes, group), (group, f, got)
        assert sum(got.values()) == len(nodes)
        base = f if f is not None else {"status": ["ACTIVE"]}
        assert await counts(world, group, {**base, **DIRECT}) == got


async def _file(world):
    beijing_org = await world.company()
    court = await world.decide("SPC_DISHONEST_DEBTORS", beijing_org,
                               [await world.record(beijing_org)], SPC)
    beijing_person = await world.person()
    brief = await world.decide("SPC_DISHONEST_DEBTORS", beijing_person,
                               [await world.record(beijing_person)], SPC,
                               effectiveUntil=datetime.now(timezone.utc) + timedelta(seconds=3))
    rail_person = await world.subject(shanghai_person(), "NATURAL_PERSON", "李娜")
    rail = await world.decide("RAILWAY_DISHONEST", rail_person,
                              [await world.record(rail_person, agency="NRA",
                                                  category="TRAVEL_MISCONDUCT")], NRA)
    tax_org = await world.subject(shanghai_org(), "ENTERPRISE", "上海测试贸易有限公司")
    tax = await world.decide("TAX_MAJOR_VIOLATION", tax_org,
                             [await world.record(tax_org, agency="STA", category="TAX_ARREARS",
                                                 amount="250000.00")], STA)
    return {"court": court, "brief": brief, "rail": rail, "tax": tax}


async def test_counts_of_listings_in_force_by_every_group_with_labels(world):
    await _file(world)
    month = f"{datetime.now(SHANGHAI):%Y-%m}"
    assert await counts(world, "LIST") == {"SPC_DISHONEST_DEBTORS": 2, "TAX_MAJOR_VIOLATION": 1}
    assert await counts(world, "AUTHORITY") == {"SPC": 2, "STA": 1}
    assert await counts(world, "PROVINCE") == {"110000": 2, "310000": 1}
    assert await counts(world, "STATUS") == {"ACTIVE": 3}
    assert await counts(world, "MONTH_DECIDED") == {month: 3}
    # With a filter, every status unless it names some.
    assert await counts(world, "STATUS", {}) == {"ACTIVE": 3, "PENDING": 1}
    assert await counts(world, "PROVINCE", {"subjectKind": "NATURAL_PERSON"}) == {
        "110000": 1, "310000": 1}
    body = await world.gql.execute(COUNTS, {"g": "PROVINCE"}, as_=ANALYST)
    labels = {r["key"]: r["label"] for r in body["data"]["listingCounts"]}
    assert labels == {"110000": "北京市", "310000": "上海市"}
    body = await world.gql.execute(COUNTS, {"g": "LIST"}, as_=ANALYST)
    assert body["data"]["listingCounts"][0] == {"key": "SPC_DISHONEST_DEBTORS",
                                                "label": "失信被执行人名单", "count": 2}
    body = await world.gql.execute(COUNTS, {"g": "MONTH_DECIDED", "f": {}}, as_=ANALYST)
    assert body["data"]["listingCounts"] == [{"key": month, "label": month, "count": 4}]


async def test_the_summary_equals_a_count_of_the_listings_through_lifts_and_expiries(world):
    made = await _file(world)
    await _all_agree(world)
    await _all_agree(world, {})
    await _all_agree(world, {"listCode": "SPC_DISHONEST_DEBTORS"})
    await _all_agree(world, {"region": "31", "status": ["PENDING", "ACTIVE"]})
    body = await world.gql.execute(LIFT, {"input": {"listingId": made["court"]["id"],
                                                    "reason": "FULFILLED"}}, as_=SPC)
    assert "errors" not in body, body
    await _all_agree(world, {})
    assert await counts(world, "STATUS", {}) == {"ACTIVE": 2, "PENDING": 1, "LIFTED": 1}
    # The brief listing expires by time alone: nothing is written, the counts follow.
    expiry = datetime.fromisoformat(made["brief"]["effectiveUntil"])
    await asyncio.sleep(max(0.0, (expiry - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    assert await counts(world, "STATUS", {}) == {"ACTIVE": 1, "PENDING": 1, "LIFTED": 1,
                                                 "EXPIRED": 1}
    assert await counts(world, "LIST") == {"TAX_MAJOR_VIOLATION": 1}
    await _all_agree(world)
    await _all_agree(world, {})
    await _all_agree(world, {"status": ["EXPIRED", "LIFTED"], "authority": "SPC"})


async def test_counts_at_a_later_time_follow_the_end_of_a_publicity_window(world, monkeypatch):
    made = await _file(world)
    after_publicity = datetime.fromisoformat(made["rail"]["publicityUntil"])
    monkeypatch.setattr("services.sanctions.dashboard.graphql.clock", lambda: after_publicity)
    assert await counts(world, "LIST") == {"SPC_DISHONEST_DEBTORS": 1, "TAX_MAJOR_VIOLATION": 1,
                                           "RAILWAY_DISHONEST": 1}
    assert await counts(world, "LIST", DIRECT | {"status": ["ACTIVE"]}) == await counts(
        world, "LIST")


async def test_officials_count_their_agencys_listings_only(world):
    await _file(world)
    assert await counts(world, "LIST", as_=SPC) == {"SPC_DISHONEST_DEBTORS": 2}
    assert await counts(world, "STATUS", {}, as_=NRA) == {"PENDING": 1}
    assert await counts(world, "AUTHORITY", as_=ADMIN) == {"SPC": 2, "STA": 1}
    body = await world.gql.execute(COUNTS, {"g": "LIST", "f": {"authority": "STA"}}, as_=SPC)
    assert error_codes(body) == ["FORBIDDEN"]
    assert error_codes(await world.gql.execute(COUNTS, {"g": "LIST"}, as_=AIRLINE)) == [
        "FORBIDDEN"]


@pytest.mark.parametrize("variables, code, field", [
    ({"g": "LIST", "f": {"listCode": "NO_SUCH_LIST"}}, "BAD_REQUEST", "listCode"),
    ({"g": "LIST", "f": {"decidedAfter": "2026-12-02T00:00:00+08:00",
                         "decidedBefore": "2026-11-02T00:00:00+08:00"}},
     "BAD_REQUEST", "decidedBefore"),
    ({"g": "PROVINCE", "f": {"region": "000000"}}, "BAD_REQUEST", "region"),
    ({"g": "NOT_A_GROUP"}, "BAD_REQUEST", None),
])
async def test_bad_input_is_typed(world, variables, code, field):
    body = await world.gql.execute(COUNTS, variables, as_=ANALYST)
    assert error_codes(body) == [code], body
    if field:
        assert body["errors"][0]["extensions"]["field"] == field
