"""Records' outbox: a withdrawn basis record suspends listings resting only on it, once."""

import asyncpg

from devtools.testing import asyncpg_kwargs, error_codes
from services.sanctions.decisionlog.chain import verify
from services.sanctions.events.consumer import consume_once
from tests.callers import AIRLINE, SPC
from tests.sanctions.factories import LIFT

REINSTATE = """mutation($i: ReinstateListingInput!) { reinstateListing(input: $i) { status } }"""


async def consume(app) -> dict:
    return await consume_once(app.state.sessionmaker, app.state.deps.records)


async def log_events(db_url: str, listing_id: str) -> list[str]:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return [r[0] for r in await conn.fetch(
            "select event from sanctions.decision_log where listing_id = $1 order by id",
            __import__("uuid").UUID(listing_id))]
    finally:
        await conn.close()


async def test_withdrawing_the_only_basis_record_suspends_the_listing_once(world, sanctions_app,
                                                                          db_url):
    company = await world.company()
    record = await world.record(company)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [record], SPC)
    await world.withdraw_record(record)

    first = await consume(sanctions_app)
    assert first["applied"] >= 1
    assert (await world.listing(listing["id"]))["status"] == "SUSPENDED"
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"

    # Delivered again (cursor lost): recognised, nothing changes, nothing logged twice.
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        await conn.execute("update sanctions.consumer_cursors set cursor = null")
    finally:
        await conn.close()
    again = await consume(sanctions_app)
    assert again["applied"] == 0 and again["duplicates"] == first["applied"]
    assert (await log_events(db_url, listing["id"])).count("BASIS_WITHDRAWN") == 1

    body = await world.gql.execute(REINSTATE, {"i": {"listingId": listing["id"],
                                                     "reason": "另有生效裁定为据"}}, as_=SPC)
    assert body["data"]["reinstateListing"]["status"] == "ACTIVE", body
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "RESTRICTED"
    again = await world.gql.execute(REINSTATE, {"i": {"listingId": listing["id"],
                                                      "reason": "x"}}, as_=SPC)
    assert error_codes(again) == ["CONFLICT"]
    async with sanctions_app.state.sessionmaker() as session:
        assert (await verify(session)).ok


async def test_a_listing_resting_on_two_records_needs_both_withdrawn(world, sanctions_app):
    company = await world.company()
    a, b = await world.record(company), await world.record(company)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [a, b], SPC)
    await world.withdraw_record(a)
    await consume(sanctions_app)
    shown = await world.listing(listing["id"])
    assert shown["status"] == "ACTIVE"
    await world.withdraw_record(b)
    await consume(sanctions_app)
    assert (await world.listing(listing["id"]))["status"] == "SUSPENDED"


async def test_an_event_arriving_after_the_listing_was_lifted_is_still_logged(world, sanctions_app,
                                                                             db_url):
    company = await world.company()
    record = await world.record(company)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [record], SPC)
    await world.gql.execute(LIFT, {"input": {"listingId": listing["id"], "reason": "FULFILLED"}},
                            as_=SPC)
    await world.withdraw_record(record)
    await consume(sanctions_app)
    assert (await world.listing(listing["id"]))["status"] == "LIFTED"
    assert await log_events(db_url, listing["id"]) == ["DECIDED", "LIFTED", "BASIS_WITHDRAWN"]


async def test_a_withdrawal_consumed_while_a_decision_is_in_flight_refuses_the_decision(world,
                                                                                      db_url):
    """The records lookup said ACTIVE, then the withdrawal event was consumed before commit."""
    company = await world.company()
    record = await world.record(company)
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        await conn.execute("insert into sanctions.processed_events (event_id, type, record_id, "
                           "effect) values ('race-1', 'RECORD_WITHDRAWN', $1, 'x')", record)
    finally:
        await conn.close()
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], SPC)
    assert error_codes(body) == ["CONFLICT"]
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"


async def test_the_service_polls_the_records_outbox_by_itself(world, db_url, identity_app,
                                                             records_app):
    import asyncio

    import httpx

    from services.sanctions.app import create_app
    from services.sanctions.config import SanctionsSettings

    company = await world.company()
    record = await world.record(company)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [record], SPC)
    app = create_app(SanctionsSettings(database_url=db_url, environment="test",
                                       records_events_poll_seconds=0.1),
                     identity_transport=httpx.ASGITransport(app=identity_app),
                     records_transport=httpx.ASGITransport(app=records_app))
    async with app.router.lifespan_context(app):
        await world.withdraw_record(record)
        for _ in range(100):
            if (await world.listing(listing["id"]))["status"] == "SUSPENDED":
                break
            await asyncio.sleep(0.05)
    assert (await world.listing(listing["id"]))["status"] == "SUSPENDED"
