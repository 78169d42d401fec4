"""Input sanctions should not take (issue 11 item 10): ids and cursors in other scripts' digits,
in other spellings or past a bigint. Each is a typed error naming the field (an unknown listing id stays NOT_FOUND / null, as
any malformed id was), and nothing is written."""

from __future__ import annotations

import base64
import uuid

import pytest

from devtools.testing import error_codes
from tests.callers import AIRLINE, ANALYST, SPC
from tests.sanctions.factories import LISTING

FULL_WIDTH = str.maketrans("0123456789abcdef", "０１２３４５６７８９ａｂｃｄｅｆ")
LIFT = """mutation($i: LiftListingInput!) { liftListing(input: $i) { id status } }"""
FEED = """query($after: String) { restrictionChanges(purpose: AIR_TRAVEL, after: $after) {
  changes { listingId } } }"""
WHO = """query($c: ID!, $after: String) { checksOfSubject(code: $c, after: $after) {
  entries { reference } } }"""


def _refused(body: dict, field: str) -> None:
    assert body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST", body
    assert error["extensions"]["field"] == field, body


async def _listings_of(world, code: str) -> list:
    body = await world.gql.execute("""query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Subject { listings { id } } } }""", {"r": [{"__typename": "Subject", "code": code}]},
        as_=ANALYST)
    return body["data"]["_entities"][0]["listings"]


async def test_decide_listing_refuses_basis_record_ids_in_other_digits(world):
    company = await world.company()
    record = await world.record(company)
    for forged in (record.translate(FULL_WIDTH), f"+{record}", "9" * 20):
        body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [forged], SPC)
        _refused(body, "basisRecordIds")
    assert await _listings_of(world, company) == []


async def test_a_listing_id_in_full_width_digits_is_not_a_listing(world):
    company = await world.company()
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company,
                                 [await world.record(company)], SPC)
    forged = listing["id"].translate(FULL_WIDTH)
    for spelling in (forged, "{%s}" % listing["id"], listing["id"].replace("-", ""),
                     "urn:uuid:" + listing["id"]):
        shown = await world.gql.execute(LISTING, {"id": spelling}, as_=ANALYST)
        assert shown == {"data": {"listing": None}}, spelling
        lifted = await world.gql.execute(LIFT, {"i": {"listingId": spelling,
                                                      "reason": "FULFILLED"}}, as_=SPC)
        assert error_codes(lifted) == ["NOT_FOUND"], spelling
    assert (await world.listing(listing["id"]))["status"] == "ACTIVE"


def _rc(value: str) -> str:
    return base64.urlsafe_b64encode(f"rc:{value}".encode()).decode()


@pytest.mark.parametrize("position", ["99999999999999999999", "9223372036854775808", "１２",
                                      "-1", "+1", "1_0", " 1", ""])
async def test_a_forged_feed_cursor_is_bad_request_not_a_server_error(gql, position):
    body = await gql.execute(FEED, {"after": _rc(position)}, as_=AIRLINE)
    _refused(body, "after")


async def test_a_feed_cursor_it_handed_out_still_works(gql):
    body = await gql.execute(FEED, {"after": _rc("0")}, as_=AIRLINE)
    assert "errors" not in body, body


@pytest.mark.parametrize("cursor", [
    "2026-12-01T00:00:00+00:00|not-a-uuid", "2026-12-01T00:00:00+00:00|" + "１" * 8,
    "2026-12-01T00:00:00|" + str(uuid.uuid4()), "0001-01-01T00:00:00+14:00|" + str(uuid.uuid4()),
    "yesterday|" + str(uuid.uuid4())])
async def test_a_forged_audit_cursor_is_bad_request(world, cursor):
    company = await world.company()
    forged = base64.urlsafe_b64encode(cursor.encode()).decode()
    _refused(await world.gql.execute(WHO, {"c": company, "after": forged}, as_=ANALYST), "after")
