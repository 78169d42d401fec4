"""Strict inputs at the kit: timestamps need an offset, dates are YYYY-MM-DD, both within
1949-10-01 .. 2199-12-31, and no string may carry a control character. Each is refused before
anything runs, against the variable or argument it names."""

import pytest

from devtools.testing import error_codes
from tests.callers import AIRLINE, ANALYST, SPC
from tests.sanctions.factories import doc, org_code

CHECK = """query($code: ID!, $at: DateTime) {
  check(code: $code, purpose: AIR_TRAVEL, at: $at) { status } }"""


@pytest.mark.parametrize("at", [
    "now", "", "2026-13-45T00:00:00Z", "+25:00", 5, {"a": 1}, "2026-12-02T23:00:00",
    "2026-12-03", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
    "2026-12-02T23:00:00+25:00"])
async def test_a_bad_timestamp_is_refused_naming_the_variable(gql, at):
    body = await gql.execute(CHECK, {"code": org_code(1), "at": at}, as_=AIRLINE)
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST", "variable": "at"}
    assert "$at" in error["message"]


async def test_a_timestamp_without_offset_says_what_is_missing(gql):
    body = await gql.execute(CHECK, {"code": org_code(1), "at": "2026-12-02T23:00:00"},
                             as_=AIRLINE)
    assert "has no offset" in body["errors"][0]["message"]


async def test_a_timestamp_with_an_offset_is_answered(gql):
    body = await gql.execute(CHECK, {"code": org_code(1), "at": "2026-12-02T23:00:00Z"},
                             as_=AIRLINE)
    assert body["data"]["check"]["status"] == "CLEAR"


LIFT = """mutation($i: LiftListingInput!) { liftListing(input: $i) { id } }"""


@pytest.mark.parametrize("note", ["paid\x00", "paid\x1b[31m", "\x7f", "pa\x85id"])
async def test_a_control_character_in_a_variable_is_bad_request(gql, note):
    body = await gql.execute(LIFT, {"i": {"listingId": "00000000-0000-0000-0000-000000000000",
                                          "reason": "FULFILLED", "note": note}}, as_=SPC)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["extensions"]["field"] == "$i.note"
    assert body.get("data") is None


async def test_a_control_character_in_a_literal_is_bad_request(gql):
    body = await gql.execute(
        'mutation { liftListing(input: {listingId: "x", reason: FULFILLED, note: "a\\u0000b"}) '
        '{ id } }', as_=SPC)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["extensions"]["field"] == "input.note"


async def test_line_breaks_and_tabs_are_not_control_characters_here(gql):
    body = await gql.execute(LIFT, {"i": {"listingId": "00000000-0000-0000-0000-000000000000",
                                          "reason": "FULFILLED", "note": "line 1\nline 2\tok"}},
                             as_=SPC)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]


async def test_a_control_character_in_one_of_many_screened_codes_names_its_position(gql):
    codes = [org_code(i) for i in range(1, 50)] + ["9111\x00"]
    body = await gql.execute("""query($c: [ID!]!) { screen(codes: $c, purpose: AIR_TRAVEL) {
        checked } }""", {"c": codes}, as_=AIRLINE)
    assert body["errors"][0]["extensions"]["field"] == "$c[49]"


async def test_a_legal_document_issued_before_1949_is_refused(gql):
    body = await gql.execute(
        """mutation($i: DecideListingInput!) { decideListing(input: $i) { id } }""",
        {"i": {"listCode": "SPC_DISHONEST_DEBTORS", "subjectCode": org_code(1),
               "basisRecordIds": ["1"],
               "legalBasis": {"number": "(2026)京01执1号", "kind": "judgment",
                              "issuedOn": "0001-01-01", "authority": "SPC"}}}, as_=SPC)
    assert body.get("data") is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_REQUEST", "variable": "i"}
    assert "outside 1949-10-01 .. 2199-12-31" in body["errors"][0]["message"]


async def _listings_of(world, code: str) -> list:
    body = await world.gql.execute("""query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Subject { listings { id } } } }""", {"r": [{"__typename": "Subject", "code": code}]},
        as_=ANALYST)
    return body["data"]["_entities"][0]["listings"]


@pytest.mark.parametrize("issued_on", ["0001-01-01", "1949-09-30", "2200-01-01"])
async def test_decide_listing_refuses_a_document_dated_outside_the_range_and_writes_nothing(
        world, issued_on):
    company = await world.company()
    record = await world.record(company)
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC,
                                  legal_basis=doc(issued_on=issued_on))
    assert body.get("data") is None
    assert body["errors"][0]["extensions"] == {"code": "BAD_REQUEST", "variable": "input"}
    literal = await world.gql.execute(
        'mutation { decideListing(input: {listCode: "SPC_DISHONEST_DEBTORS", subjectCode: "%s", '
        'basisRecordIds: ["%s"], legalBasis: {number: "(2026)京01执1号", kind: "执行裁定书", '
        'issuedOn: "%s", authority: "北京市第一中级人民法院"}}) { id } }'
        % (company, record, issued_on), as_=SPC)
    assert error_codes(literal) == ["BAD_REQUEST"]
    assert "outside 1949-10-01 .. 2199-12-31" in literal["errors"][0]["message"]
    assert await _listings_of(world, company) == []
