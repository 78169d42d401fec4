"""Check volume per day (Asia/Shanghai), purpose and consumer: kept by the audit flush in the
same transaction as each COPY, equal to a count of the audit itself."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from devtools.testing import asyncpg_kwargs, error_codes
from libs.common.timeutil import SHANGHAI
from services.sanctions.checks.audit import AuditBuffer
from services.sanctions.checks.volume import REBUILD
from tests.sanctions.factories import org_code

# 15:59 and 16:00 UTC on 3 December: the second is already 4 December in Shanghai.
LATE = datetime(2026, 12, 3, 15, 59, tzinfo=timezone.utc)
MIDNIGHT = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
VOLUME = ("SELECT day::text, purpose, consumer, checks, restricted, invalid "
          "FROM sanctions.check_volume ORDER BY 1, 2, 3")


@pytest.fixture
async def engine(db_url):
    engine = create_async_engine(db_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _fetch(db_url: str, *sql: str) -> list:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        out = None
        for statement in sql:
            out = await conn.fetch(statement)
        return [tuple(r) for r in out]
    finally:
        await conn.close()


def _entries(buffer: AuditBuffer) -> None:
    def add(consumer, operation, purpose, outcome, at, subject=None):
        buffer.add(consumer=consumer, operation=operation, purpose=purpose,
                   subject_code=subject or org_code(), outcome=outcome, checked_at=at, at=at,
                   request_id=None)

    for _ in range(3):
        add("airline", "CHECK", "AIR_TRAVEL", "CLEAR", LATE)
    add("airline", "CHECK", "AIR_TRAVEL", "RESTRICTED", LATE)
    add("airline", "SCREEN", "AIR_TRAVEL", "RESTRICTED", MIDNIGHT)
    add("airline", "SCREEN", "AIR_TRAVEL", "INVALID", MIDNIGHT)
    add("bank", "CHECK", "LENDING", "CLEAR", MIDNIGHT)
    add("airline", "FEED", "AIR_TRAVEL", "PAGE", MIDNIGHT)  # a feed page is not a check
    add("bank", "CHECK", "LENDING", "CLEAR", MIDNIGHT, subject="X" * 80)  # refused by the database


async def test_each_flushed_batch_adds_its_counts_and_equals_a_count_of_the_audit(engine, db_url):
    buffer = AuditBuffer(engine, batch_size=3)
    _entries(buffer)
    assert await buffer.flush() == 8 and buffer.dropped == 1
    kept = await _fetch(db_url, VOLUME)
    assert kept == [
        ("2026-12-03", "AIR_TRAVEL", "airline", 4, 1, 0),
        ("2026-12-04", "AIR_TRAVEL", "airline", 1, 1, 1),
        ("2026-12-04", "LENDING", "bank", 1, 0, 0),
    ]
    assert await _fetch(db_url, *REBUILD, VOLUME) == kept


VOLUME_QUERY = """query($from: Date!, $until: Date!, $p: Purpose, $c: String) {
  checkVolume(from: $from, until: $until, purpose: $p, consumer: $c) {
    day purpose checks restricted invalid } }"""


async def test_check_volume_counts_checks_and_screens_per_day_and_purpose(world):
    from tests.callers import AIRLINE, ANALYST, RAILWAY, SPC

    company = await world.company()
    await world.decide("SPC_DISHONEST_DEBTORS", company, [await world.record(company)], SPC)
    for _ in range(2):
        await world.check(company, "AIR_TRAVEL", AIRLINE)
    await world.check(org_code(), "AIR_TRAVEL", AIRLINE)
    body = await world.gql.execute(
        "query($c: [ID!]!) { screen(codes: $c, purpose: RAIL_TRAVEL) { checked } }",
        {"c": [company, org_code(), "not-a-code"]}, as_=RAILWAY)
    assert body["data"]["screen"]["checked"] == 3, body
    await world.check(company, "RAIL_TRAVEL", {**RAILWAY, "sub": "other-railway"})
    today = datetime.now(SHANGHAI).date()
    window = {"from": today.isoformat(), "until": (today + timedelta(days=1)).isoformat()}
    body = await world.gql.execute(VOLUME_QUERY, window, as_=ANALYST)
    assert body["data"]["checkVolume"] == [
        {"day": today.isoformat(), "purpose": "AIR_TRAVEL", "checks": 3, "restricted": 2,
         "invalid": 0},
        {"day": today.isoformat(), "purpose": "RAIL_TRAVEL", "checks": 3, "restricted": 2,
         "invalid": 1}], body
    body = await world.gql.execute(VOLUME_QUERY, {**window, "p": "RAIL_TRAVEL", "c": "12306"},
                                   as_=ANALYST)
    assert body["data"]["checkVolume"] == [
        {"day": today.isoformat(), "purpose": "RAIL_TRAVEL", "checks": 2, "restricted": 1,
         "invalid": 1}], body
    yesterday = {"from": (today - timedelta(days=1)).isoformat(), "until": today.isoformat()}
    assert (await world.gql.execute(VOLUME_QUERY, yesterday, as_=ANALYST))["data"] == {
        "checkVolume": []}


@pytest.mark.parametrize("window, who, code, field", [
    (("2026-01-01", "2027-01-03"), "analyst", "BAD_REQUEST", "until"),  # 367 days
    (("2026-12-02", "2026-12-01"), "analyst", "BAD_REQUEST", "until"),
    (("2026-12-01", "2026-12-01"), "analyst", "BAD_REQUEST", "until"),
    (("2026-12-01", "2026-12-02"), "consumer", "FORBIDDEN", None),
    (("2026-12-01", "2026-12-02"), "authority", "FORBIDDEN", None),
])
async def test_check_volume_refuses_long_or_inverted_ranges_and_other_roles(world, window, who,
                                                                            code, field):
    as_ = {"analyst": {"roles": ["analyst"]}, "consumer": {"roles": ["consumer"]},
           "authority": {"roles": ["authority"], "agency": "SPC"}}[who]
    body = await world.gql.execute(VOLUME_QUERY, {"from": window[0], "until": window[1]},
                                   as_=as_)
    assert error_codes(body) == [code], body
    if field:
        assert body["errors"][0]["extensions"]["field"] == field


async def test_a_leap_year_of_days_is_allowed(world):
    body = await world.gql.execute(VOLUME_QUERY, {"from": "2028-01-01", "until": "2029-01-01"},
                                   as_={"roles": ["admin"]})
    assert body == {"data": {"checkVolume": []}}
