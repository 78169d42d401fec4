"""The acceptance scenarios of issue 4, through GraphQL, with the real identity and records apps."""

from datetime import datetime, timedelta, timezone

from devtools.testing import error_codes
from libs.common.identifiers import mask_code
from libs.common.timeutil import SHANGHAI
from tests.callers import AIRLINE, BANK, NRA, RAILWAY, SPC, STA, subject
from tests.sanctions.factories import FILE_OBJECTION, LIFT, RESOLVE_OBJECTION, next_monday_10am

US = timedelta(microseconds=1)


async def test_court_lists_company_and_legal_representative_is_restricted_via_the_company(world):
    company = await world.company()
    boss = await world.person("李明")
    await world.role(company, boss, "LEGAL_REPRESENTATIVE")
    record = await world.record(company)

    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [record], SPC)

    assert listing["status"] == "ACTIVE"
    assert listing["list"] == {"code": "SPC_DISHONEST_DEBTORS", "name": "失信被执行人名单",
                               "kind": "BLACKLIST", "authority": "SPC"}
    assert listing["derivedRestrictions"] == [
        {"code": mask_code(boss), "via": {"organizationCode": company,
                                          "role": "LEGAL_REPRESENTATIVE"}}]
    on_company = await world.check(company, "AIR_TRAVEL", AIRLINE)
    assert on_company["status"] == "RESTRICTED" and on_company["restricted"] is True
    assert [(r["measure"]["code"], r["via"]) for r in on_company["restrictions"]] == [
        ("AIR_TRAVEL_BAN", None)]
    on_boss = await world.check(boss, "AIR_TRAVEL", AIRLINE)
    assert on_boss["status"] == "RESTRICTED"
    assert on_boss["code"] == mask_code(boss)  # an airline does not see person codes in clear
    (applied,) = on_boss["restrictions"]
    assert applied["via"] == {"organizationCode": company, "role": "LEGAL_REPRESENTATIVE"}
    assert applied["listing"]["id"] == listing["id"]
    assert applied["measure"] == {"code": "AIR_TRAVEL_BAN", "name": "禁止乘坐民用航空器",
                                  "purpose": "AIR_TRAVEL", "effect": "RESTRICTION"}


async def test_a_person_without_an_extended_role_is_not_reached(world):
    company = await world.company()
    shareholder = await world.person()
    await world.role(company, shareholder, "SHAREHOLDER")
    await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC)
    assert (await world.check(shareholder, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"


async def test_railway_listing_is_pending_for_seven_working_days_then_active(world):
    person = await world.person()
    record = await world.record(person, agency="NRA", category="TRAVEL_MISCONDUCT")
    start = next_monday_10am()
    listing = await world.decide("RAILWAY_DISHONEST", person, [record], NRA, effectiveFrom=start)

    # Tue..Fri, Mon..Wed are the 7 working days; it applies from Thursday 00:00 Shanghai.
    applies = datetime.combine(start.date() + timedelta(days=10), datetime.min.time(), SHANGHAI)
    assert datetime.fromisoformat(listing["publicityUntil"]) == applies
    assert datetime.fromisoformat(listing["effectiveUntil"]) == start + timedelta(days=180)
    before = await world.check(person, "RAIL_TRAVEL", RAILWAY, at=applies - US)
    assert before["status"] == "CLEAR"
    assert (await world.listing(listing["id"], at=applies - US))["status"] == "PENDING"
    after = await world.check(person, "RAIL_TRAVEL", RAILWAY, at=applies)
    assert after["status"] == "RESTRICTED"
    assert after["restrictions"][0]["listing"]["status"] == "ACTIVE"
    assert "公示期" in listing["howToObject"] and applies.astimezone(timezone.utc).isoformat() in (
        listing["howToObject"])


async def test_an_objection_in_the_publicity_window_holds_the_listing_until_dismissed(world):
    person = await world.person()
    record = await world.record(person, agency="NRA", category="TRAVEL_MISCONDUCT")
    start = next_monday_10am()
    listing = await world.decide("RAILWAY_DISHONEST", person, [record], NRA, effectiveFrom=start)
    later = start + timedelta(days=30)

    body = await world.gql.execute(FILE_OBJECTION, {"input": {
        "listingId": listing["id"], "grounds": "本人未在该车次上"}}, as_=subject(person))
    assert "errors" not in body, body
    objection = body["data"]["fileObjection"]
    assert objection["suspends"] is True and objection["status"] == "OPEN"
    assert (await world.check(person, "RAIL_TRAVEL", RAILWAY, at=later))["status"] == "CLEAR"
    assert (await world.listing(listing["id"], at=later))["status"] == "SUSPENDED"

    body = await world.gql.execute(RESOLVE_OBJECTION, {"input": {
        "objectionId": objection["id"], "outcome": "DISMISSED", "reason": "经核实属实"}}, as_=NRA)
    assert body["data"]["resolveObjection"]["status"] == "DISMISSED", body
    assert (await world.check(person, "RAIL_TRAVEL", RAILWAY, at=later))["status"] == "RESTRICTED"
    assert (await world.listing(listing["id"], at=later))["status"] == "ACTIVE"


async def test_an_upheld_objection_revokes_the_listing(world):
    person = await world.person()
    record = await world.record(person, agency="NRA", category="TRAVEL_MISCONDUCT")
    listing = await world.decide("RAILWAY_DISHONEST", person, [record], NRA,
                                 effectiveFrom=next_monday_10am())
    body = await world.gql.execute(FILE_OBJECTION, {"input": {
        "listingId": listing["id"], "grounds": "身份被冒用"}}, as_=NRA)
    objection = body["data"]["fileObjection"]
    body = await world.gql.execute(RESOLVE_OBJECTION, {"input": {
        "objectionId": objection["id"], "outcome": "UPHELD"}}, as_=NRA)
    assert body["data"]["resolveObjection"]["listing"]["status"] == "REVOKED", body
    far = datetime.now(timezone.utc) + timedelta(days=60)
    assert (await world.check(person, "RAIL_TRAVEL", RAILWAY, at=far))["status"] == "CLEAR"


async def test_lift_listing_clears_the_check_at_once(world):
    company = await world.company()
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company,
                                 [await world.record(company)], SPC)
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "RESTRICTED"
    lifted_before = datetime.now(timezone.utc)

    body = await world.gql.execute(LIFT, {"input": {"listingId": listing["id"],
                                                    "reason": "FULFILLED"}}, as_=SPC)
    assert body["data"]["liftListing"]["status"] == "LIFTED", body

    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"
    # What a check at an earlier moment answered is not rewritten.
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE, at=lifted_before))["status"] == (
        "RESTRICTED")
    again = await world.gql.execute(LIFT, {"input": {"listingId": listing["id"],
                                                     "reason": "FULFILLED"}}, as_=SPC)
    assert error_codes(again) == ["CONFLICT"]


async def test_exact_boundary_at_effective_until(world):
    company = await world.company()
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=1)
    until = start + timedelta(days=30)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC, effectiveFrom=start, effectiveUntil=until)
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE, at=start - US))["status"] == "CLEAR"
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE, at=start))["status"] == "RESTRICTED"
    last = await world.check(company, "AIR_TRAVEL", AIRLINE, at=until - US)
    assert last["status"] == "RESTRICTED"
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE, at=until))["status"] == "CLEAR"
    assert (await world.listing(listing["id"], at=until - US))["status"] == "ACTIVE"
    assert (await world.listing(listing["id"], at=until))["status"] == "EXPIRED"


async def test_a_redlisted_company_gets_incentives_not_restrictions(world):
    company = await world.company()
    record = await world.record(company, agency="STA", category="COMMENDATION",
                                summary="连续三年纳税信用A级")
    await world.decide("TAX_A_GRADE", company, [record], STA)
    check = await world.check(company, "LENDING", BANK)
    assert check["status"] == "CLEAR" and check["restricted"] is False
    assert check["restrictions"] == []
    assert [(i["measure"]["code"], i["measure"]["effect"]) for i in check["incentives"]] == [
        ("LENDING_PRIORITY", "INCENTIVE")]


async def test_an_air_travel_consumer_asking_about_lending_is_refused(world):
    company = await world.company()
    body = await world.gql.execute(
        "query($c: ID!) { check(code: $c, purpose: LENDING) { status } }", {"c": company},
        as_=AIRLINE)
    assert error_codes(body) == ["FORBIDDEN_PURPOSE"]
    assert body["data"] is None
    body = await world.gql.execute(
        "query($c: [ID!]!) { screen(codes: $c, purpose: LENDING) { checked } }", {"c": [company]},
        as_=AIRLINE)
    assert error_codes(body) == ["FORBIDDEN_PURPOSE"]
    body = await world.gql.execute(
        "{ restrictionChanges(purpose: LENDING) { hasMore } }", as_=AIRLINE)
    assert error_codes(body) == ["FORBIDDEN_PURPOSE"]
