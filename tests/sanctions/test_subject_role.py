"""Role subject in every subgraph (the gateway's view of the same in tests/edge/test_subject_edge):
a subject token reads its own file — identity's subject, sanctions' listings (also through an
organisation's role), records' records at every disclosure level — and who checked it; objects
to and applies for repair on its own listings; and is FORBIDDEN everything else, with
`extensions.code`. Bad input stays typed."""

from __future__ import annotations

import pytest

from devtools.testing import error_codes
from libs.common.identifiers import mask_code
from tests.callers import AIRLINE, NRA, SAMR, SPC, subject
from tests.sanctions.factories import FILE_OBJECTION, next_monday_10am

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { %s } } }"
LISTINGS = ENTITIES % """code listings(includeDerived: true) { id subjectCode status
  howToObject objections { id status } repairApplications { id status } }"""
RECORDS = ENTITIES % "code records { id disclosure subjectCode }"
SUBJECT = """query($c: ID!) { subject(code: $c) { code name roles { organizationCode personCode
  role } } }"""
CHECKS = """query($c: ID!, $first: Int! = 50, $after: String) {
  checksOfSubject(code: $c, first: $first, after: $after) {
    entries { consumer operation purpose outcome } endCursor hasMore } }"""
LICENSING = {"sub": "licensing-portal", "roles": ["consumer"],
             "purposes": ["ADMINISTRATIVE_LICENSING"]}
APPLY = """mutation($i: ApplyForRepairInput!) { applyForRepair(input: $i) { id status
  listing { id } } }"""


def ref(code: str) -> dict:
    return {"r": [{"__typename": "Subject", "code": code}]}


@pytest.fixture
async def family(world):
    """A person who is the legal representative of a company; both listed (the company by SPC,
    which reaches the person through the role; the person by NRA, its own listing)."""
    person, company = await world.person(), await world.company()
    await world.role(company, person)
    company_listing = await world.decide("SPC_DISHONEST_DEBTORS", company,
                                         [await world.record(company)], SPC)
    own_listing = await world.decide(
        "RAILWAY_DISHONEST", person,
        [await world.record(person, agency="NRA", category="TRAVEL_MISCONDUCT")], NRA,
        effectiveFrom=next_monday_10am())
    return {"person": person, "company": company, "own": own_listing["id"],
            "company_listing": company_listing["id"]}


async def test_a_subject_reads_its_own_subject_with_its_code_in_clear(world, family):
    body = await world.identity.execute(SUBJECT, {"c": family["person"]},
                                        as_=subject(family["person"]))
    assert "errors" not in body, body
    found = body["data"]["subject"]
    assert found["code"] == family["person"]
    assert found["roles"] == [{"organizationCode": family["company"],
                               "personCode": family["person"], "role": "LEGAL_REPRESENTATIVE"}]
    # The company's own token sees its representative's code masked: another person's.
    body = await world.identity.execute(SUBJECT, {"c": family["company"]},
                                        as_=subject(family["company"]))
    assert body["data"]["subject"]["roles"][0]["personCode"] == mask_code(family["person"])


async def test_a_subject_reads_every_listing_reaching_it_and_how_to_object(world, family):
    body = await world.gql.execute(LISTINGS, ref(family["person"]), as_=subject(family["person"]))
    assert "errors" not in body, body
    (found,) = body["data"]["_entities"]
    listings = {x["id"]: x for x in found["listings"]}
    assert set(listings) == {family["own"], family["company_listing"]}
    assert listings[family["own"]]["subjectCode"] == family["person"]  # its own code, in clear
    assert listings[family["company_listing"]]["subjectCode"] == family["company"]
    assert all(x["howToObject"] for x in listings.values())


async def test_a_subject_reads_its_records_at_every_disclosure_level(world, family):
    restricted = await world.record(family["person"], agency="SAMR",
                                    category="ADMINISTRATIVE_PENALTY", disclosure="RESTRICTED")
    body = await world.records.execute(RECORDS, ref(family["person"]),
                                       as_=subject(family["person"]))
    assert "errors" not in body, body
    records = body["data"]["_entities"][0]["records"]
    assert restricted in {r["id"] for r in records}
    assert {r["disclosure"] for r in records} >= {"RESTRICTED", "SHARED"}
    assert {r["subjectCode"] for r in records} == {family["person"]}
    # An official of another agency does not see the RESTRICTED one.
    body = await world.records.execute(RECORDS, ref(family["person"]), as_=NRA)
    assert restricted not in {r["id"] for r in body["data"]["_entities"][0]["records"]}


@pytest.mark.parametrize("service", ["identity", "sanctions", "records"])
async def test_another_subjects_file_is_forbidden_in_every_subgraph(world, family, service):
    client, query = {"identity": (world.identity, ENTITIES % "code name"),
                     "sanctions": (world.gql, LISTINGS),
                     "records": (world.records, RECORDS)}[service]
    body = await client.execute(query, ref(family["company"]), as_=subject(family["person"]))
    assert error_codes(body) == ["FORBIDDEN"], body


async def test_a_subject_is_forbidden_another_subject_by_code_and_typed_on_a_bad_one(world,
                                                                                   family):
    body = await world.identity.execute(SUBJECT, {"c": family["company"]},
                                        as_=subject(family["person"]))
    assert error_codes(body) == ["FORBIDDEN"] and body["data"] == {"subject": None}
    body = await world.identity.execute(SUBJECT, {"c": "12345"}, as_=subject(family["person"]))
    assert error_codes(body) == ["INVALID_CODE"]


async def test_a_subject_sees_who_checked_it_and_no_one_else(world, family):
    await world.check(family["person"], "AIR_TRAVEL", AIRLINE)
    mine = subject(family["person"])
    body = await world.gql.execute(CHECKS, {"c": family["person"]}, as_=mine)
    assert "errors" not in body, body
    assert body["data"]["checksOfSubject"]["entries"] == [
        {"consumer": AIRLINE["sub"], "operation": "CHECK", "purpose": "AIR_TRAVEL",
         "outcome": "RESTRICTED"}]
    assert error_codes(await world.gql.execute(CHECKS, {"c": family["company"]},
                                               as_=mine)) == ["FORBIDDEN"]
    assert error_codes(await world.gql.execute(CHECKS, {"c": family["person"]},
                                               as_=AIRLINE)) == ["FORBIDDEN"]


@pytest.mark.parametrize("variables,code", [
    ({"c": "12345"}, "INVALID_CODE"),
    ({"first": 0}, "BAD_REQUEST"),
    ({"after": "not-a-cursor"}, "BAD_REQUEST"),
], ids=["invalid-code", "first-zero", "malformed-cursor"])
async def test_bad_input_to_checks_of_subject_stays_typed(world, family, variables, code):
    body = await world.gql.execute(CHECKS, {"c": family["person"], **variables},
                                   as_=subject(family["person"]))
    assert error_codes(body) == [code], body


async def test_a_subject_objects_to_its_own_listing_and_follows_it(world, family):
    mine = subject(family["person"])
    body = await world.gql.execute(FILE_OBJECTION, {"input": {
        "listingId": family["own"], "grounds": "本人未在该车次上"}}, as_=mine)
    assert "errors" not in body, body
    objection = body["data"]["fileObjection"]
    assert objection["status"] == "OPEN" and objection["listing"]["id"] == family["own"]
    body = await world.gql.execute(LISTINGS, ref(family["person"]), as_=mine)
    (own,) = [x for x in body["data"]["_entities"][0]["listings"] if x["id"] == family["own"]]
    assert own["objections"] == [{"id": objection["id"], "status": "OPEN"}]
    # Officials see the subject as the objection's actor, its code masked.
    history = await world.gql.execute("""query($id: ID!) { listing(id: $id) { history { event
        actor } } }""", {"id": family["own"]}, as_=NRA)
    assert {"event": "OBJECTION_FILED", "actor": mask_code(family["person"])} in history[
        "data"]["listing"]["history"]


async def test_a_subject_opens_a_listing_of_its_own_file_and_no_other(world, family):
    query = """query($id: ID!) { listing(id: $id) { id subjectCode measures { purpose }
      objections { id } } }"""
    mine = subject(family["person"])
    for which in ("own", "company_listing"):  # its own, and one reaching it through its role
        body = await world.gql.execute(query, {"id": family[which]}, as_=mine)
        assert "errors" not in body, body
        assert body["data"]["listing"]["id"] == family[which]
        assert body["data"]["listing"]["measures"]  # the whole listing: it is its own file
    other = await world.company()
    theirs = await world.decide("SPC_DISHONEST_DEBTORS", other, [await world.record(other)], SPC)
    body = await world.gql.execute(query, {"id": theirs["id"]}, as_=mine)
    assert error_codes(body) == ["FORBIDDEN"] and body["data"] == {"listing": None}


@pytest.mark.parametrize("which,code", [("company_listing", "FORBIDDEN"), ("other", "FORBIDDEN"),
                                        ("unknown", "NOT_FOUND"), ("blank", "BAD_REQUEST")])
async def test_objections_a_subject_may_not_file(world, family, which, code):
    listing, grounds = family.get(which), "理由"
    if which == "other":  # another person's own listing
        other = await world.person()
        listing = (await world.decide("RAILWAY_DISHONEST", other, [await world.record(
            other, agency="NRA", category="TRAVEL_MISCONDUCT")], NRA,
            effectiveFrom=next_monday_10am()))["id"]
    elif which == "unknown":
        listing = "00000000-0000-4000-8000-000000000000"
    elif which == "blank":
        listing, grounds = family["own"], "  "
    body = await world.gql.execute(FILE_OBJECTION, {"input": {"listingId": listing,
                                                              "grounds": grounds}},
                                   as_=subject(family["person"]))
    assert error_codes(body) == [code], body


async def test_a_company_applies_for_repair_on_its_own_listing_and_follows_it(world):
    company = await world.company()
    record = await world.record(company, agency="SAMR", category="ABNORMAL_OPERATION",
                                summary="通过登记的住所无法联系")
    listing = await world.decide("ABNORMAL_OPERATIONS", company, [record], SAMR)
    mine = subject(company)
    body = await world.gql.execute(APPLY, {"i": {"listingId": listing["id"],
                                                 "statement": "已变更住所并公示"}}, as_=mine)
    assert "errors" not in body, body
    application = body["data"]["applyForRepair"]
    assert application["status"] == "PENDING" and application["listing"]["id"] == listing["id"]
    body = await world.gql.execute(LISTINGS, ref(company), as_=mine)
    (found,) = body["data"]["_entities"][0]["listings"]
    assert found["repairApplications"] == [{"id": application["id"], "status": "PENDING"}]
    # A consumer who may learn of the listing learns nothing of the repair.
    body = await world.gql.execute(LISTINGS, ref(company), as_=LICENSING)
    assert "FORBIDDEN" in error_codes(body)
    other = await world.company()
    body = await world.gql.execute(APPLY, {"i": {"listingId": listing["id"], "statement": "x"}},
                                   as_=subject(other))
    assert error_codes(body) == ["FORBIDDEN"]


LID = "00000000-0000-4000-8000-000000000000"
DOC = '{number: "1", kind: "k", issuedOn: "2026-01-01", authority: "a"}'
REFUSED = {
    "sanctions": [
        'query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status } }',
        'query($c: ID!) { screen(codes: [$c], purpose: AIR_TRAVEL) { checked } }',
        'query { restrictionChanges(purpose: AIR_TRAVEL) { hasMore } }',
        'query { restrictionChangesNdjson(purpose: AIR_TRAVEL) { count } }',
        'query { creditLists { code } }',
        'query { measures { code } }',
        'query { memoranda { code } }',
        'query { listings { totalCount } }',
        'query { workQueue { totalCount } }',
        'query { listingCounts(groupBy: LIST) { key } }',
        'query { checkVolume(from: "2026-01-01", until: "2026-01-31") { checks } }',
        f'mutation($c: ID!) {{ decideListing(input: {{listCode: "SPC_DISHONEST_DEBTORS", '
        f'subjectCode: $c, basisRecordIds: [], legalBasis: {DOC}}}) {{ id }} }}',
        f'mutation {{ liftListing(input: {{listingId: "{LID}", reason: ERROR}}) {{ id }} }}',
        f'mutation {{ extendListing(input: {{listingId: "{LID}", '
        f'effectiveUntil: "2030-01-01T00:00:00Z"}}) {{ id }} }}',
        f'mutation {{ reinstateListing(input: {{listingId: "{LID}", reason: "x"}}) {{ id }} }}',
        f'mutation {{ resolveObjection(input: {{objectionId: "{LID}", outcome: UPHELD}}) '
        f'{{ id }} }}',
        f'mutation {{ decideRepair(input: {{applicationId: "{LID}", approve: true}}) {{ id }} }}',
        'mutation { setCalendarDay(day: "2026-01-01", working: false, name: "x") { day } }',
        'mutation { upsertMeasure(input: {code: "X", name: "x", purpose: LENDING, '
        'effect: RESTRICTION}) { code } }',
        # Reached through a fragment, an inline fragment or under an alias: still refused.
        'query($c: ID!) { ...F } fragment F on Query { check(code: $c, purpose: LENDING) '
        '{ status } }',
        'query($c: ID!) { ... on Query { mine: checksOfSubject(code: $c) { hasMore } '
        'other: check(code: $c, purpose: LENDING) { status } } }',
    ],
    "identity": [
        'query { subjects(nameContains: "王") { nodes { name } } }',
        'query { subjectsByLegacyCode(code: "MA01DEM0X") { name } }',
        'mutation($c: ID!) { registerSubject(input: {code: $c, kind: ENTERPRISE, name: "x"}) '
        '{ code } }',
        'mutation($c: ID!) { assignRole(input: {organizationCode: $c, personCode: $c, '
        'role: DIRECTOR, since: "2026-01-01T00:00:00Z"}) { id } }',
        'mutation { issueCode(input: {registrationAuthority: "9", category: "1", '
        'regionCode: "110105"}) { code } }',
    ],
    "records": [
        'query { creditRecord(id: "1") { id } }',
        'mutation($c: ID!) { submitRecords(input: [{sourceRecordId: "x", subjectCode: $c, '
        f'category: JUDGMENT, summary: "x", legalBasis: {DOC}, occurredOn: "2026-01-01"}}]) '
        '{ created } }',
        'mutation { withdrawRecord(input: {recordId: "1", reason: "x"}) { id } }',
        'mutation { resolveRecordObjection(input: {objectionId: "1", outcome: UPHELD, '
        'reason: "x"}) { id } }',
    ],
}
CASES = [(service, query) for service, queries in REFUSED.items() for query in queries]


@pytest.mark.parametrize("service,query", CASES,
                         ids=[f"{s}-{i}" for i, (s, _) in enumerate(CASES)])
async def test_everything_else_is_forbidden_to_a_subject_token(world, service, query):
    code = await world.person()
    client = {"identity": world.identity, "sanctions": world.gql, "records": world.records}[
        service]
    body = await client.execute(query, {"c": code} if "$c" in query else {}, as_=subject(code))
    assert error_codes(body) == ["FORBIDDEN"], body
    assert body["data"] is None


async def test_the_working_calendar_is_open_to_a_subject_counting_down_its_deadlines(world):
    body = await world.gql.execute('query { workingCalendar(from: "2026-01-01", '
                                   'to: "2026-01-31") { day working } }',
                                   as_=subject(await world.person()))
    assert "errors" not in body, body


@pytest.mark.parametrize("service", ["identity", "sanctions", "records"])
async def test_the_gateways_own_fields_stay_open_to_a_subject_token(world, service):
    client = {"identity": world.identity, "sanctions": world.gql, "records": world.records}[
        service]
    body = await client.execute("query { __typename _service { sdl } }",
                                as_=subject(await world.person()))
    assert "errors" not in body, body
    assert body["data"]["__typename"] == "Query" and body["data"]["_service"]["sdl"]


async def test_an_analyst_who_is_also_the_subject_keeps_the_analysts_reach(world, family):
    both = {"sub": family["person"], "roles": ["subject", "analyst"]}
    body = await world.gql.execute(CHECKS, {"c": family["company"]}, as_=both)
    assert "errors" not in body, body
    body = await world.gql.execute("query { creditLists { code } }", as_=both)
    assert "errors" not in body, body


async def test_another_subjects_record_is_forbidden_as_an_entity(world, family):
    theirs = await world.record(family["company"])
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on CreditRecord { id } } }"
    refs = {"r": [{"__typename": "CreditRecord", "id": theirs}]}
    body = await world.records.execute(query, refs, as_=subject(family["person"]))
    assert error_codes(body) == ["FORBIDDEN"], body
    body = await world.records.execute(query, refs, as_=subject(family["company"]))
    assert body["data"]["_entities"] == [{"id": theirs}]
