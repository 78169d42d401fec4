"""Races: the same decision twice at once, objections against expiry and lifts, wrong basis."""

import asyncio
from datetime import datetime, timedelta, timezone

import asyncpg

from devtools.testing import asyncpg_kwargs, error_codes
from tests.callers import AIRLINE, SPC
from tests.sanctions.factories import FILE_OBJECTION, LIFT, RESOLVE_OBJECTION


async def fetch(db_url: str, sql: str, *args) -> list:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def test_two_authorities_deciding_the_same_listing_at_once_give_one_listing(world, db_url):
    company = await world.company()
    record = await world.record(company)
    officials = [{**SPC, "sub": "judge-a"}, {**SPC, "sub": "judge-b"}]
    bodies = await asyncio.gather(*(world.try_decide("SPC_DISHONEST_DEBTORS", company, [record], o)
                                    for o in officials))
    ok = [b for b in bodies if "errors" not in b]
    refused = [b for b in bodies if "errors" in b]
    assert len(ok) == 1 and [error_codes(b) for b in refused] == [["CONFLICT"]]
    rows = await fetch(db_url, "select id from sanctions.listings where subject_code = $1", company)
    assert len(rows) == 1
    logged = await fetch(db_url, "select count(*) from sanctions.decision_log "
                                 "where event = 'DECIDED'")
    assert logged[0][0] == 1


async def test_an_objection_racing_expiry_never_revives_an_expired_listing(world, db_url):
    company = await world.company()
    until = datetime.now(timezone.utc) + timedelta(seconds=3)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC, effectiveUntil=until)
    body = await world.gql.execute(FILE_OBJECTION, {"input": {"listingId": listing["id"],
                                                              "grounds": "已履行"}}, as_=SPC)
    objection = body["data"]["fileObjection"]
    assert objection["status"] == "OPEN", body
    # The SPC list does not suspend on objection: still restricted while the objection is open.
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "RESTRICTED"
    await asyncio.sleep(max(0.0, (until - datetime.now(timezone.utc)).total_seconds()) + 0.05)

    assert (await world.listing(listing["id"]))["status"] == "EXPIRED"
    late = await world.gql.execute(FILE_OBJECTION, {"input": {"listingId": listing["id"],
                                                              "grounds": "再次异议"}}, as_=SPC)
    assert error_codes(late) == ["CONFLICT"]
    body = await world.gql.execute(RESOLVE_OBJECTION, {"input": {
        "objectionId": objection["id"], "outcome": "DISMISSED"}}, as_=SPC)
    assert body["data"]["resolveObjection"]["listing"]["status"] == "EXPIRED", body
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"
    rows = await fetch(db_url, "select effective_until from sanctions.restrictions "
                               "where subject_code = $1", company)
    assert rows and all(r[0] <= until for r in rows)


async def test_objections_filed_right_at_expiry_either_land_before_it_or_are_refused(world):
    company = await world.company()
    until = datetime.now(timezone.utc) + timedelta(seconds=1)
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC, effectiveUntil=until)
    await asyncio.sleep(max(0.0, (until - datetime.now(timezone.utc)).total_seconds()) - 0.05)
    results = []
    for _ in range(6):  # one at a time: at most one objection may be open
        results.append(await world.gql.execute(FILE_OBJECTION, {"input": {
            "listingId": listing["id"], "grounds": "异议"}}, as_=SPC))
        await asyncio.sleep(0.02)
    assert all(("errors" not in b) or error_codes(b) == ["CONFLICT"] for b in results)
    assert error_codes(results[-1]) == ["CONFLICT"]  # after expiry, or one already open
    assert (await world.listing(listing["id"]))["status"] == "EXPIRED"
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"


async def test_an_objection_and_a_lift_at_once_end_lifted_and_clear(world, db_url):
    company = await world.company()
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC)
    objection, lift = await asyncio.gather(
        world.gql.execute(FILE_OBJECTION, {"input": {"listingId": listing["id"],
                                                     "grounds": "x"}}, as_=SPC),
        world.gql.execute(LIFT, {"input": {"listingId": listing["id"], "reason": "FULFILLED"}},
                          as_=SPC))
    assert "errors" not in lift, lift
    assert "errors" not in objection or error_codes(objection) == ["CONFLICT"]
    assert (await world.listing(listing["id"]))["status"] == "LIFTED"
    assert (await world.check(company, "AIR_TRAVEL", AIRLINE))["status"] == "CLEAR"


async def test_a_basis_record_of_another_subject_is_refused_and_nothing_is_written(world, db_url):
    company, other = await world.company(), await world.company()
    foreign = await world.record(other)
    body = await world.try_decide("SPC_DISHONEST_DEBTORS", company, [foreign], SPC)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert "another subject" in body["errors"][0]["message"]
    missing = await world.try_decide("SPC_DISHONEST_DEBTORS", company, ["999999999"], SPC)
    assert error_codes(missing) == ["NOT_FOUND"]
    rows = await fetch(db_url, "select count(*) from sanctions.listings")
    assert rows[0][0] == 0


async def test_two_decisions_on_different_records_racing_on_one_subject_are_both_kept(world):
    company = await world.company()
    a, b = await world.record(company), await world.record(company)
    bodies = await asyncio.gather(world.try_decide("SPC_DISHONEST_DEBTORS", company, [a], SPC),
                                  world.try_decide("SPC_DISHONEST_DEBTORS", company, [b], SPC))
    assert all("errors" not in x for x in bodies), bodies
    check = await world.check(company, "AIR_TRAVEL", AIRLINE)
    assert len(check["restrictions"]) == 2
