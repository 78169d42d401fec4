"""Check volume per day (Asia/Shanghai), purpose and consumer: kept by the audit flush in the
same transaction as each COPY, equal to a count of the audit itself."""

from __future__ import annotations

from datetime import datetime, timezone

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from devtools.testing import asyncpg_kwargs
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
