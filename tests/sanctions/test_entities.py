"""The Subject entity: `_entities` resolves listings by code; masked person codes are refused."""

from devtools.testing import error_codes
from libs.common.identifiers import mask_code
from tests.callers import AIRLINE, ANALYST, SPC

ENTITIES = """query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Subject { code listings { id status list { code } subjectCode } }
  }
}"""
DERIVED = """query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Subject { listings(includeDerived: true) { id list { code } } }
  }
}"""


async def test_entities_resolve_listings_for_several_subjects_in_one_request(world):
    a, b, clean = await world.company(), await world.company(), await world.company()
    la = await world.decide("SPC_DISHONEST_DEBTORS", a, [await world.record(a)], SPC)
    lb = await world.decide("SPC_DISHONEST_DEBTORS", b, [await world.record(b)], SPC)
    reps = [{"__typename": "Subject", "code": c} for c in (a, b, clean)]
    body = await world.gql.execute(ENTITIES, {"r": reps}, as_=AIRLINE)
    assert "errors" not in body, body
    found = body["data"]["_entities"]
    assert [e["code"] for e in found] == [a, b, clean]
    assert [[x["id"] for x in e["listings"]] for e in found] == [[la["id"]], [lb["id"]], []]
    assert found[0]["listings"][0]["status"] == "ACTIVE"


async def test_a_masked_person_code_cannot_be_resolved(world):
    person = await world.person()
    body = await world.gql.execute(ENTITIES, {"r": [{"__typename": "Subject",
                                                     "code": mask_code(person)}]}, as_=AIRLINE)
    assert error_codes(body) == ["FORBIDDEN"]


async def test_person_listings_include_derived_ones_on_request_with_codes_shown_to_analysts(world):
    company, boss = await world.company(), await world.person()
    await world.role(company, boss)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC)
    reps = [{"__typename": "Subject", "code": boss}]
    direct = await world.gql.execute(ENTITIES, {"r": reps}, as_=ANALYST)
    assert direct["data"]["_entities"][0]["listings"] == []
    derived = await world.gql.execute(DERIVED, {"r": reps}, as_=ANALYST)
    assert derived["data"]["_entities"][0]["listings"] == [
        {"id": listing["id"], "list": {"code": "SPC_DISHONEST_DEBTORS"}}]
    shown = await world.listing(listing["id"], as_=ANALYST)
    assert shown["derivedRestrictions"][0]["code"] == boss


async def test_the_subgraph_refuses_requests_without_the_gateway_secret(world):
    response = await world.gql.http.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 403
