"""Credit repair, extension, and the catalogue (seeded; admin changes never rewrite listings)."""

from datetime import datetime, timedelta, timezone

from devtools.testing import error_codes
from tests.callers import ADMIN, AIRLINE, SPC, STA, subject

SAMR = {"sub": "samr-official", "roles": ["authority"], "agency": "SAMR"}
LICENSING = {"sub": "licensing-portal", "roles": ["consumer"],
             "purposes": ["ADMINISTRATIVE_LICENSING"]}
APPLY = """mutation($i: ApplyForRepairInput!) { applyForRepair(input: $i) { id status } }"""
DECIDE_REPAIR = """mutation($i: DecideRepairInput!) {
  decideRepair(input: $i) { id status listing { status endReason } } }"""
EXTEND = """mutation($i: ExtendListingInput!) {
  extendListing(input: $i) { effectiveUntil status } }"""


async def test_credit_repair_approved_ends_the_listing_as_repaired(world):
    company = await world.company()
    record = await world.record(company, agency="SAMR", category="ABNORMAL_OPERATION",
                                summary="通过登记的住所无法联系")
    listing = await world.decide("ABNORMAL_OPERATIONS", company, [record], SAMR)
    check = await world.check(company, "ADMINISTRATIVE_LICENSING", LICENSING)
    assert check["status"] == "RESTRICTED"
    body = await world.gql.execute(APPLY, {"i": {"listingId": listing["id"],
                                                 "statement": "已变更住所并公示"}},
                                   as_=subject(company))
    application = body["data"]["applyForRepair"]
    assert application["status"] == "PENDING", body
    twice = await world.gql.execute(APPLY, {"i": {"listingId": listing["id"], "statement": "x"}},
                                    as_=SAMR)
    assert error_codes(twice) == ["CONFLICT"]
    wrong = await world.gql.execute(DECIDE_REPAIR, {"i": {"applicationId": application["id"],
                                                          "approve": True}}, as_=STA)
    assert error_codes(wrong) == ["FORBIDDEN"]
    body = await world.gql.execute(DECIDE_REPAIR, {"i": {"applicationId": application["id"],
                                                         "approve": True, "reason": "已整改"}},
                                   as_=SAMR)
    decided = body["data"]["decideRepair"]
    assert decided["status"] == "APPROVED" and decided["listing"]["status"] == "REPAIRED", body
    assert (await world.check(company, "ADMINISTRATIVE_LICENSING", LICENSING))["status"] == "CLEAR"


async def test_credit_repair_respects_the_lists_minimum_period_and_lists_without_repair(world):
    company = await world.company()
    tax = await world.decide("TAX_MAJOR_VIOLATION", company,
                             [await world.record(company, agency="STA", category="TAX_ARREARS",
                                                 amount="250000.00")],
                             STA)
    body = await world.gql.execute(APPLY, {"i": {"listingId": tax["id"], "statement": "已缴清"}},
                                   as_=STA)
    assert error_codes(body) == ["CONFLICT"] and "possibleFrom" in body["errors"][0]["extensions"]
    spc = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC)
    body = await world.gql.execute(APPLY, {"i": {"listingId": spc["id"], "statement": "x"}},
                                   as_=SPC)
    assert error_codes(body) == ["CONFLICT"]
    stranger = await world.gql.execute(APPLY, {"i": {"listingId": tax["id"], "statement": "x"}},
                                       as_=AIRLINE)
    assert error_codes(stranger) == ["FORBIDDEN"]


async def test_extension_where_the_list_allows_within_its_bound(world):
    company = await world.company()
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC)
    until = datetime.fromisoformat(listing["effectiveUntil"])
    body = await world.gql.execute(EXTEND, {"i": {"listingId": listing["id"],
                                                  "effectiveUntil": (until + timedelta(days=365))
                                                  .isoformat()}}, as_=SPC)
    assert "errors" not in body, body
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE, at=until))["status"] == "RESTRICTED"
    too_far = await world.gql.execute(EXTEND, {"i": {"listingId": listing["id"], "effectiveUntil": (
        until + timedelta(days=365 + 1096)).isoformat()}}, as_=SPC)
    assert error_codes(too_far) == ["BAD_REQUEST"]
    person = await world.person()
    rail = await world.decide("RAILWAY_DISHONEST", person,
                              [await world.record(person, agency="NRA",
                                                  category="TRAVEL_MISCONDUCT")],
                              {"roles": ["authority"], "agency": "NRA"})
    body = await world.gql.execute(EXTEND, {"i": {"listingId": rail["id"], "effectiveUntil": (
        datetime.now(timezone.utc) + timedelta(days=200)).isoformat()}},
        as_={"roles": ["authority"], "agency": "NRA"})
    assert error_codes(body) == ["CONFLICT"]


async def test_the_catalogue_is_seeded_with_the_design_codes(world):
    body = await world.gql.execute("""{ creditLists { code kind authority publicityWorkingDays }
                                        measures { code purpose effect }
                                        memoranda { code bindings {
                                          listCode measureCode extendsTo } } }""",
                                   as_=AIRLINE)
    lists = {x["code"]: x for x in body["data"]["creditLists"]}
    assert set(lists) == {
        "SPC_DISHONEST_DEBTORS", "CONSUMPTION_RESTRICTION", "TAX_MAJOR_VIOLATION",
        "SERIOUSLY_ILLEGAL_DISHONEST", "ABNORMAL_OPERATIONS", "FOOD_SAFETY_SERIOUS",
        "WORK_SAFETY_SERIOUS", "CIVIL_AVIATION_DISHONEST", "RAILWAY_DISHONEST", "TAX_A_GRADE",
        "CUSTOMS_AEO", "TRANSPORT_REDLIST", "WORK_SAFETY_REDLIST"}
    assert lists["RAILWAY_DISHONEST"]["publicityWorkingDays"] == 7
    assert lists["TAX_A_GRADE"]["kind"] == "REDLIST"
    purposes = {m["purpose"] for m in body["data"]["measures"]}
    assert len(purposes) == 9
    spc = {(b["measureCode"], tuple(b["extendsTo"])) for m in body["data"]["memoranda"]
           for b in m["bindings"] if b["listCode"] == "SPC_DISHONEST_DEBTORS"}
    for measure in ("AIR_TRAVEL_BAN", "RAIL_TRAVEL_BAN", "LUXURY_CONSUMPTION_BAN"):
        assert (measure, ("LEGAL_REPRESENTATIVE",)) in spc
    assert {m for m, _ in spc} >= {"PUBLIC_PROCUREMENT_EXCLUSION",
                                   "SECURITIES_ISSUANCE_RESTRICTION"}


async def test_a_catalogue_change_applies_to_later_decisions_only(world):
    company = await world.company()
    before = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                SPC)
    body = await world.gql.execute(
        """mutation($i: MemorandumInput!) { upsertMemorandum(input: $i) { code } }""",
        {"i": {"code": "MOU_2016_DISHONEST_DEBTORS", "name": "修订", "signatories": ["SPC"],
               "validFrom": "2014-01-01T00:00:00+08:00",
               "bindings": [{"listCode": "SPC_DISHONEST_DEBTORS",
                             "measureCode": "RAIL_TRAVEL_BAN"}]}}, as_=ADMIN)
    assert "errors" not in body, body
    after_company = await world.company()
    after = await world.decide("SPC_DISHONEST_DEBTORS", after_company,
                               [await world.record(after_company)], SPC)
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "RESTRICTED"
    assert (await world.check(after_company, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"
    assert before["id"] != after["id"]
    refused = await world.gql.execute(
        """mutation($i: MeasureInput!) { upsertMeasure(input: $i) { code } }""",
        {"i": {"code": "X", "name": "x", "purpose": "LENDING", "effect": "INCENTIVE"}}, as_=SPC)
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_a_public_holiday_in_the_publicity_window_pushes_its_end_by_a_day(world):
    from tests.sanctions.factories import next_monday_10am

    start = next_monday_10am()
    holiday = (start + timedelta(days=2)).date()  # the Wednesday
    body = await world.gql.execute(
        "mutation($d: Date!) { setCalendarDay(day: $d, working: false, name: \"测试假日\") { day } }",
        {"d": holiday.isoformat()}, as_=ADMIN)
    assert "errors" not in body, body
    shown = await world.gql.execute(
        "query($f: Date!, $t: Date!) { workingCalendar(from: $f, to: $t) { day working name } }",
        {"f": start.date().isoformat(), "t": (start + timedelta(days=30)).date().isoformat()},
        as_=AIRLINE)
    assert shown["data"]["workingCalendar"] == [
        {"day": holiday.isoformat(), "working": False, "name": "测试假日"}]
    person = await world.person()
    nra = {"roles": ["authority"], "agency": "NRA"}
    listing = await world.decide("RAILWAY_DISHONEST", person,
                                 [await world.record(person, agency="NRA",
                                                     category="TRAVEL_MISCONDUCT")],
                                 nra, effectiveFrom=start)
    # Tue, Thu, Fri, Mon, Tue, Wed, Thu: applies from Friday 00:00 instead of Thursday.
    assert datetime.fromisoformat(listing["publicityUntil"]).astimezone(start.tzinfo).date() == (
        start.date() + timedelta(days=11))
