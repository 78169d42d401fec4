"""Every listing event lands in a hash-chained log; the verification command spots tampering."""

import asyncio
import os
import subprocess
import sys

import asyncpg

from devtools.testing import asyncpg_kwargs
from services.sanctions.cli import verify_log
from tests.callers import SPC
from tests.sanctions.factories import FILE_OBJECTION, LIFT

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def test_each_transition_is_chained_and_verification_catches_an_edit(world, db_url):
    company = await world.company()
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC)
    await world.gql.execute(FILE_OBJECTION, {"input": {"listingId": listing["id"],
                                                       "grounds": "x"}}, as_=SPC)
    await world.gql.execute(LIFT, {"input": {"listingId": listing["id"], "reason": "FULFILLED"}},
                            as_=SPC)
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        events = [r[0] for r in await conn.fetch(
            "select event from sanctions.decision_log order by id")]
        assert events == ["DECIDED", "OBJECTION_FILED", "LIFTED"]
        assert (await verify_log(db_url))["ok"] is True

        await conn.execute("update sanctions.decision_log set payload = "
                           "jsonb_set(payload, '{reason}', '\"ERROR\"') where event = 'LIFTED'")
        broken = await verify_log(db_url)
        assert broken["ok"] is False and broken["entries"] == 2
        assert "content" in broken["reason"]
    finally:
        await conn.close()


async def test_concurrent_decisions_keep_a_single_unforked_chain(world, db_url):
    companies = [await world.company() for _ in range(6)]
    records = [await world.record(c) for c in companies]
    await asyncio.gather(*(world.decide("SPC_DISHONEST_DEBTORS", c, [r], SPC)
                           for c, r in zip(companies, records)))
    result = await verify_log(db_url)
    assert result == {"ok": True, "entries": 6, "firstBadId": None, "reason": None}


async def test_the_verify_command_exits_non_zero_on_a_deleted_entry(world, db_url):
    company = await world.company()
    for _ in range(2):
        await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC)
    env = dict(os.environ, XINYONG_SANCTIONS_DATABASE_URL=db_url)
    ok = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "services.sanctions.cli",
                                                  "verify-log"], cwd=ROOT, env=env,
                                 capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        await conn.execute("delete from sanctions.decision_log where id = "
                           "(select min(id) from sanctions.decision_log)")
    finally:
        await conn.close()
    bad = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "services.sanctions.cli",
                                                   "verify-log"], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
    assert bad.returncode == 1 and '"ok": false' in bad.stdout


async def test_a_listings_history_is_shown_to_officials_not_consumers(world):
    from devtools.testing import error_codes

    company = await world.company()
    listing = await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)],
                                 SPC)
    await world.gql.execute(LIFT, {"input": {"listingId": listing["id"], "reason": "FULFILLED"}},
                            as_=SPC)
    query = "query($id: ID!) { listing(id: $id) { history { event actor hash } } }"
    body = await world.gql.execute(query, {"id": listing["id"]}, as_={"roles": ["analyst"]})
    history = body["data"]["listing"]["history"]
    assert [(h["event"], h["actor"]) for h in history] == [("DECIDED", "judge-wang"),
                                                           ("LIFTED", "judge-wang")]
    refused = await world.gql.execute(query, {"id": listing["id"]},
                                      as_={"roles": ["consumer"], "purposes": ["AIR_TRAVEL"]})
    assert error_codes(refused) == ["FORBIDDEN"]
