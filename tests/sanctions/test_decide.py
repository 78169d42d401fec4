"""decideListing's rules: who may decide, what the list admits, basis, document and window."""

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from devtools.testing import GraphQLClient, error_codes
from services.sanctions.app import create_app
from services.sanctions.config import SanctionsSettings
from tests.callers import AIRLINE, NRA, SPC
from tests.sanctions.factories import doc, org_code


async def test_only_officials_of_the_lists_authority_may_decide(world):
    company = await world.company()
    record = await world.record(company)
    for who in (AIRLINE, {"roles": ["admin"]}, {"roles": ["analyst"]}, {**NRA},
                {"roles": ["authority"]}):
        body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], who)
        assert error_codes(body) == ["FORBIDDEN"], (who, body)
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], None)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_the_list_must_admit_the_subjects_kind(world):
    company = await world.company()
    record = await world.record(company, agency="NRA", category="TRAVEL_MISCONDUCT")
    body = await world.try_decide("RAILWAY_DISHONEST", company, [record], NRA)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert "does not admit ENTERPRISE" in body["errors"][0]["message"]


async def test_unknown_list_unknown_subject_and_invalid_code(world):
    company = await world.company()
    record = await world.record(company)
    body = await world.try_decide("NO_SUCH_LIST", company, [record], SPC)
    assert error_codes(body) == ["NOT_FOUND"]
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", org_code(987654), [record], SPC)
    assert error_codes(body) == ["UNKNOWN_SUBJECT"]
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company[:-1] + "Z", [record], SPC)
    assert error_codes(body) == ["INVALID_CODE"]
    assert body["errors"][0]["extensions"]["rule"]


async def test_a_legal_document_and_at_least_one_basis_record_are_required(world):
    company = await world.company()
    record = await world.record(company)
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC,
                                  legal_basis=doc(number="  "))
    assert error_codes(body) == ["BAD_REQUEST"]
    future = (datetime.now(timezone.utc) + timedelta(days=3)).date().isoformat()
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC,
                                  legal_basis=doc(issued_on=future))
    assert error_codes(body) == ["BAD_REQUEST"]
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [], SPC)
    assert error_codes(body) == ["BAD_REQUEST"]


async def test_the_window_defaults_from_the_list_and_may_not_exceed_its_maximum(world):
    company = await world.company()
    record = await world.record(company)
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=5)
    too_long = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC,
                                      effectiveFrom=start,
                                      effectiveUntil=start + timedelta(days=731))
    assert error_codes(too_long) == ["BAD_REQUEST"]
    backwards = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC,
                                       effectiveFrom=start, effectiveUntil=start)
    assert error_codes(backwards) == ["BAD_REQUEST"]
    backdated = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC,
                                       effectiveFrom=start - timedelta(days=2))
    assert error_codes(backdated) == ["BAD_REQUEST"]
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [record], SPC,
                                 effectiveFrom=start)
    assert datetime.fromisoformat(listing["effectiveUntil"]) == start + timedelta(days=730)
    assert listing["legalBasis"] == doc()
    assert listing["basisRecordIds"] == [record]


async def test_an_open_ended_list_allows_no_end(world):
    company = await world.company()
    listing = await world.decide("CONSUMPTION_RESTRICTION", company,
                                 [await world.record(company)], SPC)
    assert listing["effectiveUntil"] is None
    far = datetime.now(timezone.utc) + timedelta(days=3650)
    assert (await world.check(company, "LUXURY_CONSUMPTION",
                              {"roles": ["consumer"], "purposes": ["LUXURY_CONSUMPTION"]},
                              at=far))["status"] == "RESTRICTED"


async def test_a_withdrawn_basis_record_cannot_support_a_new_listing(world):
    company = await world.company()
    record = await world.record(company)
    await world.withdraw_record(record)
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert "WITHDRAWN" in body["errors"][0]["message"]


@pytest.mark.parametrize("down", ["records", "identity"])
async def test_a_dependency_that_is_down_gives_unavailable(world, db_url, identity_app,
                                                           records_app, down):
    company = await world.company()
    record = await world.record(company)
    settings = SanctionsSettings(database_url=db_url, environment="test",
                                 identity_internal_url="http://127.0.0.1:9",
                                 records_internal_url="http://127.0.0.1:9",
                                 records_events_poll_seconds=0, internal_timeout_seconds=2)
    transports = {"identity_transport": httpx.ASGITransport(app=identity_app),
                  "records_transport": httpx.ASGITransport(app=records_app)}
    transports.pop(f"{down}_transport")
    app = create_app(settings, **transports)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://sanctions") as client:
            gql = GraphQLClient(client)
            body = await gql.execute(
                "mutation($i: DecideListingInput!) { decideListing(input: $i) { id } }",
                {"i": {"listCode": "SPC_DISHONEST_DEBTORS", "subjectCode": company,
                       "basisRecordIds": [record], "legalBasis": doc()}}, as_=SPC)
    assert error_codes(body) == ["UNAVAILABLE"]


async def test_a_check_without_its_database_is_unavailable_never_clear(db_url):
    settings = SanctionsSettings(
        database_url="postgresql+asyncpg://nobody@127.0.0.1:9/nothing", environment="test",
        records_events_poll_seconds=0)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://sanctions") as client:
            body = await GraphQLClient(client).execute(
                "query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status } }",
                {"c": org_code(5)}, as_=AIRLINE)
    assert error_codes(body) == ["UNAVAILABLE"]
    assert body["data"] is None
