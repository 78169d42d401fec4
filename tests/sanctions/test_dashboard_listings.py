"""`listings(filter, first, after)`: every filter, newest decision first, keyset cursors stable
under concurrent inserts, officials scoped to their agency, person codes masked, bad input
typed."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone

import pytest

from devtools.testing import error_codes
from libs.common.identifiers import make_ric, make_uscc
from tests.callers import ADMIN, AIRLINE, ANALYST, SPC, STA
from tests.sanctions.factories import LIFT

NRA = {"sub": "nra-official", "roles": ["authority"], "agency": "NRA"}
LISTINGS = """query($f: ListingFilter, $first: Int, $after: String) {
  listings(filter: $f, first: $first, after: $after) {
    nodes { id status subjectCode authority decidedAt list { code } }
    totalCount endCursor hasMore } }"""
_n = iter(range(500, 10_000))


def shanghai_org() -> str:
    return make_uscc("9", "1", "310115", f"{next(_n):08d}")


def shanghai_person() -> str:
    n = next(_n)
    return make_ric("310101", date(1980, 1, 1 + n % 28), n % 999 + 1)


async def listings(world, as_, first=100, after=None, **f) -> dict:
    body = await world.gql.execute(LISTINGS, {"f": f or None, "first": first, "after": after},
                                   as_=as_)
    assert "errors" not in body, body
    return body["data"]["listings"]


def ids(page: dict) -> list[str]:
    return [n["id"] for n in page["nodes"]]


async def _file(world):
    """Six listings across lists, agencies, regions, kinds and statuses, oldest first."""
    made = {}
    beijing_org = await world.company()  # region 110105
    made["court_org"] = await world.decide("SPC_DISHONEST_DEBTORS", beijing_org,
                                           [await world.record(beijing_org)], SPC)
    beijing_person = await world.person()
    made["court_person"] = await world.decide("SPC_DISHONEST_DEBTORS", beijing_person,
                                              [await world.record(beijing_person)], SPC,
                                              effectiveUntil=datetime.now(timezone.utc)
                                              + timedelta(days=20))
    made["between"] = datetime.now(timezone.utc)
    rail_person = await world.subject(shanghai_person(), "NATURAL_PERSON", "李娜")
    made["rail"] = await world.decide("RAILWAY_DISHONEST", rail_person,
                                      [await world.record(rail_person, agency="NRA",
                                                          category="TRAVEL_MISCONDUCT")], NRA)
    tax_org = await world.subject(shanghai_org(), "ENTERPRISE", "上海测试贸易有限公司")
    made["tax"] = await world.decide("TAX_MAJOR_VIOLATION", tax_org,
                                     [await world.record(tax_org, agency="STA",
                                                         category="TAX_ARREARS",
                                                         amount="250000.00")], STA)
    lifted_org = await world.company()
    made["lifted"] = await world.decide("SPC_DISHONEST_DEBTORS", lifted_org,
                                        [await world.record(lifted_org)], SPC)
    body = await world.gql.execute(LIFT, {"input": {"listingId": made["lifted"]["id"],
                                                    "reason": "FULFILLED"}}, as_=SPC)
    assert "errors" not in body, body
    made["persons"] = (beijing_person, rail_person)
    return made


async def test_listings_come_newest_decision_first_with_their_total(world):
    made = await _file(world)
    page = await listings(world, ANALYST)
    order = ["lifted", "tax", "rail", "court_person", "court_org"]
    assert ids(page) == [made[k]["id"] for k in order]
    assert page["totalCount"] == 5 and page["hasMore"] is False
    decided = [n["decidedAt"] for n in page["nodes"]]
    assert decided == sorted(decided, reverse=True)


async def test_every_filter_narrows_the_listings(world):
    made = await _file(world)

    async def only(**f) -> set[str]:
        page = await listings(world, ANALYST, **f)
        assert page["totalCount"] == len(page["nodes"]), (f, page)
        return {n["id"] for n in page["nodes"]}

    def of(*keys) -> set[str]:
        return {made[k]["id"] for k in keys}

    assert await only(listCode="SPC_DISHONEST_DEBTORS") == of("court_org", "court_person",
                                                              "lifted")
    assert await only(status=["ACTIVE"]) == of("court_org", "court_person", "tax")
    assert await only(status=["PENDING", "LIFTED"]) == of("rail", "lifted")
    assert await only(authority="STA") == of("tax")
    assert await only(region="310000") == of("rail", "tax")  # Shanghai: a province
    assert await only(region="31") == of("rail", "tax")
    assert await only(region="3101") == of("rail", "tax")
    assert await only(region="310115") == of("tax")  # Pudong: a county
    assert await only(region="110105") == of("court_org", "court_person", "lifted")
    assert await only(subjectKind="NATURAL_PERSON") == of("court_person", "rail")
    between = made["between"].isoformat()
    assert await only(decidedBefore=between) == of("court_org", "court_person")
    assert await only(decidedAfter=between) == of("rail", "tax", "lifted")
    assert await only(effectiveUntilBefore=(datetime.now(timezone.utc)
                                            + timedelta(days=30)).isoformat()) == of(
        "court_person")
    # Together, every field narrows further.
    assert await only(listCode="SPC_DISHONEST_DEBTORS", status=["ACTIVE"],
                      subjectKind="ENTERPRISE", region="11") == of("court_org")
    assert await only(authority="CAAC") == set()


async def test_pages_follow_each_other_without_gaps_or_repeats_while_listings_are_added(world):
    made = await _file(world)
    first = await listings(world, ANALYST, first=2)
    assert first["hasMore"] is True and first["totalCount"] == 5 and len(first["nodes"]) == 2
    # A decision between two page reads: newer than everything, it is not on a later page.
    newcomer_org = await world.company()
    newcomer = await world.decide("SPC_DISHONEST_DEBTORS", newcomer_org,
                                  [await world.record(newcomer_org)], SPC)
    second = await listings(world, ANALYST, first=2, after=first["endCursor"])
    third = await listings(world, ANALYST, first=2, after=second["endCursor"])
    assert third["hasMore"] is False and second["hasMore"] is True
    seen = ids(first) + ids(second) + ids(third)
    assert seen == [made[k]["id"] for k in ("lifted", "tax", "rail", "court_person",
                                            "court_org")]
    assert newcomer["id"] not in seen and third["totalCount"] == 6
    assert ids(await listings(world, ANALYST, first=1)) == [newcomer["id"]]
    end = await listings(world, ANALYST, first=2, after=third["endCursor"])
    assert end == {"nodes": [], "totalCount": 6, "endCursor": None, "hasMore": False}


async def test_officials_see_their_agencys_listings_with_person_codes_masked(world):
    made = await _file(world)
    beijing_person, rail_person = made["persons"]
    spc = await listings(world, SPC)
    assert {n["authority"] for n in spc["nodes"]} == {"SPC"} and spc["totalCount"] == 3
    shown = {n["id"]: n["subjectCode"] for n in spc["nodes"]}
    masked = shown[made["court_person"]["id"]]
    assert masked != beijing_person and masked[:6] == beijing_person[:6] and "*" in masked
    nra = await listings(world, NRA)
    assert ids(nra) == [made["rail"]["id"]] and "*" in nra["nodes"][0]["subjectCode"]
    for who in (ANALYST, ADMIN):
        page = await listings(world, who)
        assert page["totalCount"] == 5
        assert rail_person in {n["subjectCode"] for n in page["nodes"]}
    assert (await listings(world, SPC, authority="SPC"))["totalCount"] == 3
    other = await world.gql.execute(LISTINGS, {"f": {"authority": "STA"}}, as_=SPC)
    assert error_codes(other) == ["FORBIDDEN"]
    for who in (AIRLINE, {"sub": "x", "roles": ["authority"]}, {"sub": "y", "roles": []}):
        body = await world.gql.execute(LISTINGS, {}, as_=who)
        assert error_codes(body) == ["FORBIDDEN"], (who, body)
    assert error_codes(await world.gql.execute(LISTINGS, {})) == ["UNAUTHENTICATED"]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("variables, field", [
    ({"f": {"listCode": "NO_SUCH_LIST"}}, "listCode"),
    ({"f": {"decidedAfter": "2026-12-02T00:00:00+08:00",
            "decidedBefore": "2026-12-01T00:00:00+08:00"}}, "decidedBefore"),
    ({"f": {"decidedAfter": "2026-12-01T00:00:00+08:00",
            "decidedBefore": "2026-12-01T00:00:00+08:00"}}, "decidedBefore"),
    ({"f": {"region": "3101011"}}, "region"),
    ({"f": {"region": "99"}}, "region"),
    ({"f": {"region": "31a1"}}, "region"),
    ({"f": {"status": []}}, "status"),
    ({"first": 0}, "first"),
    ({"first": 101}, "first"),
    ({"after": "not a cursor!"}, "after"),
    ({"after": _b64("listing.1|yesterday|x")}, "after"),
    ({"after": _b64("listing.1|2026-12-01T00:00:00|6f1c1b8e-2d4e-4b43-9a0e-1d2c3b4a5f60")},
     "after"),  # no offset
    ({"after": _b64("listing.1|2026-12-01T00:00:00+00:00|not-a-uuid")}, "after"),
    ({"after": _b64("work.1|2026-12-01T00:00:00+00:00|0|"
                    "6f1c1b8e-2d4e-4b43-9a0e-1d2c3b4a5f60")}, "after"),  # another page's
    ({"after": "===="}, "after"),
    ({"after": _b64("listing.1|0001-01-01T00:00:00+05:00|"
                    "6f1c1b8e-2d4e-4b43-9a0e-1d2c3b4a5f60")}, "after"),  # before year 1 in UTC
    ({"after": base64.urlsafe_b64encode(b"\xff\xfe|x").decode()}, "after"),  # not UTF-8
])
async def test_bad_input_is_bad_request_naming_its_field(world, variables, field):
    body = await world.gql.execute(LISTINGS, variables, as_=ANALYST)
    assert error_codes(body) == ["BAD_REQUEST"], body
    assert body["errors"][0]["extensions"]["field"] == field, body


async def test_a_cursor_made_by_hand_in_the_right_shape_is_just_a_position(world):
    made = await _file(world)
    court_org = (await listings(world, ANALYST))["nodes"][-1]
    assert court_org["id"] == made["court_org"]["id"]
    at = datetime.fromisoformat(court_org["decidedAt"]).astimezone(timezone.utc)
    later = _b64(f"listing.1|{(at + timedelta(microseconds=1)).isoformat()}|"
                 "00000000-0000-0000-0000-000000000000")
    assert ids(await listings(world, ANALYST, after=later)) == [court_org["id"]]
