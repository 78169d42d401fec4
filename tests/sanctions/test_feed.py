"""`restrictionChanges`: replaying the feed rebuilds the index; rows of open transactions wait."""

from datetime import datetime

import asyncpg

from devtools.testing import asyncpg_kwargs, error_codes
from tests.callers import AIRLINE, NRA, RAILWAY, SPC
from tests.sanctions.factories import FILE_OBJECTION, LIFT, RESOLVE_OBJECTION, next_monday_10am

FEED = """query($p: Purpose!, $after: String, $first: Int) {
  restrictionChanges(purpose: $p, after: $after, first: $first) {
    changes { code purpose measure listingId op effectiveFrom effectiveUntil }
    endCursor hasMore
  }
}"""


def _ts(value):
    return datetime.fromisoformat(value) if value else None


async def replay(gql, purpose: str, as_: dict, first: int = 3, after: str | None = None,
                 index: dict | None = None) -> tuple[dict, str | None, int]:
    """Apply every page of the feed to a local copy, the way a consumer would."""
    index = {} if index is None else index
    pages = 0
    while True:
        body = await gql.execute(FEED, {"p": purpose, "after": after, "first": first}, as_=as_)
        assert "errors" not in body, body
        page = body["data"]["restrictionChanges"]
        pages += 1
        for c in page["changes"]:
            key = (c["code"], c["purpose"], c["measure"], c["listingId"])
            if c["op"] == "UPSERT":
                index[key] = (_ts(c["effectiveFrom"]), _ts(c["effectiveUntil"]))
            else:
                index.pop(key, None)
        after = page["endCursor"]
        if not page["hasMore"]:
            return index, after, pages


async def stored_index(db_url: str, purpose: str) -> dict:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        rows = await conn.fetch("select subject_code, purpose, measure_code, listing_id, "
                                "effective_from, effective_until from sanctions.restrictions "
                                "where purpose = $1", purpose)
    finally:
        await conn.close()
    return {(r[0], r[1], r[2], str(r[3])): (r[4], r[5]) for r in rows}


async def test_replaying_restriction_changes_from_the_start_rebuilds_the_index(world, db_url):
    companies = [await world.company() for _ in range(4)]
    boss = await world.person()
    await world.role(companies[0], boss)
    listings = [await world.decide("SPC_DISHONEST_DEBTORS", c, [await world.record(c)], SPC)
                for c in companies]
    await world.gql.execute(LIFT, {"input": {"listingId": listings[1]["id"],
                                             "reason": "FULFILLED"}}, as_=SPC)
    person = await world.person()
    rail = await world.decide("RAILWAY_DISHONEST", person,
                              [await world.record(person, agency="NRA",
                                                  category="TRAVEL_MISCONDUCT")],
                              NRA, effectiveFrom=next_monday_10am())
    body = await world.gql.execute(FILE_OBJECTION, {"input": {"listingId": rail["id"],
                                                              "grounds": "x"}}, as_=NRA)
    assert "errors" not in body, body

    air, cursor, pages = await replay(world.gql, "AIR_TRAVEL", AIRLINE)
    assert pages > 1
    assert air == await stored_index(db_url, "AIR_TRAVEL")
    assert (boss, "AIR_TRAVEL", "AIR_TRAVEL_BAN", listings[0]["id"]) in air
    rail_index, rail_cursor, _ = await replay(world.gql, "RAIL_TRAVEL", RAILWAY)
    assert rail_index == await stored_index(db_url, "RAIL_TRAVEL")
    assert not any(k[0] == person for k in rail_index)  # held by the objection: deleted

    # Continuing from the cursor picks up exactly what happened since.
    objection = body["data"]["fileObjection"]["id"]
    await world.gql.execute(RESOLVE_OBJECTION, {"input": {"objectionId": objection,
                                                          "outcome": "DISMISSED"}}, as_=NRA)
    await world.gql.execute(LIFT, {"input": {"listingId": listings[2]["id"],
                                             "reason": "ERROR"}}, as_=SPC)
    rail_index, _, _ = await replay(world.gql, "RAIL_TRAVEL", RAILWAY, after=rail_cursor,
                                    index=rail_index)
    assert rail_index == await stored_index(db_url, "RAIL_TRAVEL")
    assert any(k[0] == person for k in rail_index)
    air, _, _ = await replay(world.gql, "AIR_TRAVEL", AIRLINE, after=cursor, index=air)
    assert air == await stored_index(db_url, "AIR_TRAVEL")


async def test_a_change_committed_later_with_a_smaller_id_is_not_skipped(world, db_url):
    """A writer that took an id and has not committed holds back every later id."""
    company = await world.company()
    record = await world.record(company)
    _, cursor, _ = await replay(world.gql, "AIR_TRAVEL", AIRLINE)
    slow = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        tx = slow.transaction()
        await tx.start()
        await slow.execute(
            "insert into sanctions.restriction_changes (purpose, subject_code, measure_code, "
            "listing_id, op) values ('AIR_TRAVEL', $1, 'AIR_TRAVEL_BAN', gen_random_uuid(), "
            "'DELETE')", company)
        await world.decide("SPC_DISHONEST_DEBTORS", company, [record], SPC)  # commits after it
        body = await world.gql.execute(FEED, {"p": "AIR_TRAVEL", "after": cursor, "first": 100},
                                       as_=AIRLINE)
        assert body["data"]["restrictionChanges"]["changes"] == []
        await tx.commit()
    finally:
        await slow.close()
    body = await world.gql.execute(FEED, {"p": "AIR_TRAVEL", "after": cursor, "first": 100},
                                   as_=AIRLINE)
    ops = [c["op"] for c in body["data"]["restrictionChanges"]["changes"]]
    assert ops == ["DELETE", "UPSERT"]


async def test_feed_pages_are_audited_and_a_bad_cursor_is_refused(world, db_url, sanctions_app):
    body = await world.gql.execute(FEED, {"p": "AIR_TRAVEL", "after": None, "first": 10},
                                   as_=AIRLINE)
    assert "errors" not in body
    bad = await world.gql.execute(FEED, {"p": "AIR_TRAVEL", "after": "nonsense", "first": 10},
                                  as_=AIRLINE)
    assert error_codes(bad) == ["BAD_REQUEST"]
    await sanctions_app.state.audit.flush()
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        n = await conn.fetchval("select count(*) from sanctions.check_audit where operation = "
                                "'FEED' and consumer = 'china-eastern'")
    finally:
        await conn.close()
    assert n == 1


FEED_NDJSON = """query($p: Purpose!, $after: String, $first: Int) {
  restrictionChangesNdjson(purpose: $p, after: $after, first: $first) {
    ndjson count endCursor hasMore
  }
}"""


async def test_the_ndjson_form_of_the_feed_carries_the_same_changes_and_cursors(world, db_url):
    import orjson

    companies = [await world.company() for _ in range(3)]
    listings = [await world.decide("SPC_DISHONEST_DEBTORS", c, [await world.record(c)], SPC)
                for c in companies]
    await world.gql.execute(LIFT, {"input": {"listingId": listings[1]["id"],
                                             "reason": "FULFILLED"}}, as_=SPC)
    expected, _, _ = await replay(world.gql, "AIR_TRAVEL", AIRLINE)
    index, after, pages = {}, None, 0
    while True:
        body = await world.gql.execute(FEED_NDJSON, {"p": "AIR_TRAVEL", "after": after,
                                                     "first": 2}, as_=AIRLINE)
        assert "errors" not in body, body
        batch = body["data"]["restrictionChangesNdjson"]
        lines = [orjson.loads(line) for line in batch["ndjson"].splitlines()]
        assert len(lines) == batch["count"] <= 2
        pages += 1
        for c in lines:
            key = (c["code"], c["purpose"], c["measure"], c["listingId"])
            if c["op"] == "UPSERT":
                index[key] = (_ts(c["effectiveFrom"]), _ts(c["effectiveUntil"]))
            else:
                index.pop(key, None)
        after = batch["endCursor"]
        if not batch["hasMore"]:
            break
    assert pages > 1
    assert index == expected == await stored_index(db_url, "AIR_TRAVEL")
    refused = await world.gql.execute(FEED_NDJSON, {"p": "LENDING"}, as_=AIRLINE)
    assert error_codes(refused) == ["FORBIDDEN_PURPOSE"]
