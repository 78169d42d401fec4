"""Purpose limitation beyond `check`: a consumer learns a subject's listings and measures only for
the purposes in its token, every such read is in the check audit, and objection grounds are not
for consumers. Officials, analysts, admins and the subject itself see the whole file."""

from __future__ import annotations

import pytest

from devtools.testing import error_codes
from tests.callers import ADMIN, AIRLINE, ANALYST, BANK, SPC, STA

LISTINGS = """query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Subject { listings { id status effectiveUntil list { code }
                                measures { code purpose } } }
  }
}"""
WHO = """query($c: ID!) { checksOfSubject(code: $c, first: 100) {
  entries { consumer operation purpose outcome } } }"""
LISTING = """query($id: ID!) { listing(id: $id) { id measures { purpose } } }"""
CHECK_OBJECTIONS = """query($c: ID!, $p: Purpose!) { check(code: $c, purpose: $p) {
  restrictions { listing { id measures { purpose } objections { status %s } } } } }"""
FILE_OBJECTION = """mutation($i: FileObjectionInput!) { fileObjection(input: $i) { id } }"""
NO_PURPOSES = {"sub": "some-portal", "roles": ["consumer"]}
BOTH = {"sub": "travel-agency", "roles": ["consumer"], "purposes": ["AIR_TRAVEL", "LENDING"]}

SPC_PURPOSES = {"AIR_TRAVEL", "RAIL_TRAVEL", "LUXURY_CONSUMPTION", "PUBLIC_PROCUREMENT",
                "SECURITIES_ISSUANCE", "GOVERNMENT_FUNDING", "LENDING"}


async def _listed_twice(world) -> tuple[str, dict, dict]:
    """A company on the court's list (flights among its measures) and the tax list (no flights)."""
    company = await world.company()
    court = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                               SPC)
    tax = await world.decide("TAX_MAJOR_VIOLATION", company,
                             [await world.record(company, agency="STA")], STA)
    return company, court, tax


async def _listings(world, code: str, as_: dict) -> list[dict]:
    body = await world.gql.execute(LISTINGS, {"r": [{"__typename": "Subject", "code": code}]},
                                   as_=as_)
    assert "errors" not in body, body
    return body["data"]["_entities"][0]["listings"]


def _purposes(listing: dict) -> set[str]:
    return {m["purpose"] for m in listing["measures"]}


async def _audit(world, code: str) -> list[tuple[str, str, str, str]]:
    body = await world.gql.execute(WHO, {"c": code}, as_=ANALYST)
    assert "errors" not in body, body
    return sorted((e["consumer"], e["operation"], e["purpose"], e["outcome"])
                  for e in body["data"]["checksOfSubject"]["entries"])


async def test_a_consumer_sees_only_listings_and_measures_of_its_own_purposes(world):
    company, court, tax = await _listed_twice(world)
    airline = await _listings(world, company, AIRLINE)
    assert [x["id"] for x in airline] == [court["id"]]
    assert _purposes(airline[0]) == {"AIR_TRAVEL"}
    bank = await _listings(world, company, BANK)
    assert {x["id"] for x in bank} == {court["id"], tax["id"]}
    assert all(_purposes(x) == {"LENDING"} for x in bank)
    both = await _listings(world, company, BOTH)
    assert {x["list"]["code"]: _purposes(x) for x in both} == {
        "SPC_DISHONEST_DEBTORS": {"AIR_TRAVEL", "LENDING"}, "TAX_MAJOR_VIOLATION": {"LENDING"}}


async def test_a_consumer_without_purposes_learns_nothing_of_a_subjects_listings(world):
    company, _, _ = await _listed_twice(world)
    assert await _listings(world, company, NO_PURPOSES) == []


@pytest.mark.parametrize("caller", [ANALYST, ADMIN, SPC, STA], ids=["analyst", "admin", "spc",
                                                                    "sta"])
async def test_officials_analysts_and_admins_still_see_every_listing_and_measure(world, caller):
    company, court, tax = await _listed_twice(world)
    shown = {x["id"]: _purposes(x) for x in await _listings(world, company, caller)}
    assert shown[court["id"]] == SPC_PURPOSES
    assert set(shown) == {court["id"], tax["id"]}


async def test_the_subject_itself_still_sees_its_whole_file(world):
    company, court, tax = await _listed_twice(world)
    own = {"sub": company, "roles": ["subject"]}
    shown = {x["id"]: _purposes(x) for x in await _listings(world, company, own)}
    assert set(shown) == {court["id"], tax["id"]}
    assert shown[court["id"]] == SPC_PURPOSES
    other, _, _ = await _listed_twice(world)
    body = await world.gql.execute(LISTINGS, {"r": [{"__typename": "Subject", "code": other}]},
                                   as_=own)
    assert error_codes(body) == ["FORBIDDEN"]  # another subject's file is not its own


async def test_every_consumer_read_of_listings_is_in_the_check_audit(world):
    company, _, _ = await _listed_twice(world)
    await _listings(world, company, AIRLINE)
    await _listings(world, company, BOTH)
    await _listings(world, company, {**AIRLINE, "sub": "hainan", "purposes": ["RAIL_TRAVEL"]})
    await _listings(world, company, ANALYST)  # not a consumer: not a check
    assert await _audit(world, company) == [
        ("china-eastern", "SUBJECT_LISTINGS", "AIR_TRAVEL", "LISTED"),
        ("hainan", "SUBJECT_LISTINGS", "RAIL_TRAVEL", "LISTED"),
        ("travel-agency", "SUBJECT_LISTINGS", "AIR_TRAVEL", "LISTED"),
        ("travel-agency", "SUBJECT_LISTINGS", "LENDING", "LISTED")]


async def test_a_read_that_found_nothing_for_the_purpose_is_audited_too(world):
    company = await world.company()
    await world.decide("TAX_MAJOR_VIOLATION", company,
                       [await world.record(company, agency="STA")], STA)
    assert await _listings(world, company, AIRLINE) == []
    assert await _audit(world, company) == [
        ("china-eastern", "SUBJECT_LISTINGS", "AIR_TRAVEL", "NOT_LISTED")]


async def test_a_listing_by_id_is_limited_and_audited_the_same_way(world):
    company, court, tax = await _listed_twice(world)
    body = await world.gql.execute(LISTING, {"id": tax["id"]}, as_=AIRLINE)
    assert body == {"data": {"listing": None}}  # as if absent: no flight measure on it
    body = await world.gql.execute(LISTING, {"id": court["id"]}, as_=AIRLINE)
    assert _purposes(body["data"]["listing"]) == {"AIR_TRAVEL"}
    body = await world.gql.execute(LISTING, {"id": court["id"]}, as_=ANALYST)
    assert _purposes(body["data"]["listing"]) == SPC_PURPOSES
    assert await _audit(world, company) == [("china-eastern", "LISTING", "AIR_TRAVEL", "LISTED")]


async def test_a_listing_reached_by_a_check_shows_the_measures_of_that_purpose_only(world):
    company, court, _ = await _listed_twice(world)
    body = await world.gql.execute(CHECK_OBJECTIONS % "", {"c": company, "p": "AIR_TRAVEL"},
                                   as_=BOTH)
    assert "errors" not in body, body
    (applied,) = body["data"]["check"]["restrictions"]
    assert applied["listing"]["id"] == court["id"]
    assert _purposes(applied["listing"]) == {"AIR_TRAVEL"}
    body = await world.gql.execute(CHECK_OBJECTIONS % "", {"c": company, "p": "AIR_TRAVEL"},
                                   as_=ANALYST)
    assert _purposes(body["data"]["check"]["restrictions"][0]["listing"]) == SPC_PURPOSES


@pytest.mark.parametrize("field", ["grounds", "reason"])
async def test_objection_grounds_are_forbidden_to_a_consumer(world, field):
    company, court, _ = await _listed_twice(world)
    filed = await world.gql.execute(FILE_OBJECTION, {"i": {
        "listingId": court["id"], "grounds": "已于判决后全额履行,附银行回单"}},
        as_={"sub": company, "roles": ["subject"]})
    assert "errors" not in filed, filed
    query = CHECK_OBJECTIONS % field
    body = await world.gql.execute(query, {"c": company, "p": "AIR_TRAVEL"}, as_=AIRLINE)
    assert error_codes(body) == ["FORBIDDEN"]
    assert "已于判决后" not in str(body)
    without = await world.gql.execute(CHECK_OBJECTIONS % "", {"c": company, "p": "AIR_TRAVEL"},
                                      as_=AIRLINE)
    objections = without["data"]["check"]["restrictions"][0]["listing"]["objections"]
    assert objections == [{"status": "OPEN"}]


async def test_objection_grounds_are_unchanged_for_officials_analysts_and_the_subject(world):
    company, court, _ = await _listed_twice(world)
    grounds = "已于判决后全额履行"
    await world.gql.execute(FILE_OBJECTION, {"i": {"listingId": court["id"], "grounds": grounds}},
                            as_={"sub": company, "roles": ["subject"]})
    query = """query($id: ID!) { listing(id: $id) { objections { grounds reason } } }"""
    for caller in (ANALYST, ADMIN, SPC, {"sub": company, "roles": ["subject"]}):
        body = await world.gql.execute(query, {"id": court["id"]}, as_=caller)
        assert body["data"]["listing"]["objections"] == [{"grounds": grounds, "reason": None}], (
            caller, body)
