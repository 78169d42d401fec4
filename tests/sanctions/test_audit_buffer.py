"""The check audit buffer: bounded batches, room reserved before an answer, writes that survive
the cancellation of whoever asked for them, one bad entry never blocking the rest, and a database
that is away kept as UNAVAILABLE with every entry still buffered."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from devtools.testing import asyncpg_kwargs
from libs.common.errors import Unavailable
from services.sanctions.checks.audit import AuditBuffer
from tests.callers import AIRLINE
from tests.sanctions.factories import org_code

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)
CHECK = "query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { reference } }"
SCREEN = "query($c: [ID!]!) { screen(codes: $c, purpose: AIR_TRAVEL) { checked } }"


@pytest.fixture
async def engine(db_url):
    engine = create_async_engine(db_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _written(db_url: str) -> list[str]:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return [str(r[0]) for r in await conn.fetch("select id from sanctions.check_audit")]
    finally:
        await conn.close()


def _add(buffer: AuditBuffer, n: int, *, subject: str | None = None) -> list[str]:
    return [str(buffer.add(consumer="airline", operation="CHECK", purpose="AIR_TRAVEL",
                           subject_code=subject or org_code(i), outcome="CLEAR", checked_at=NOW,
                           at=NOW, request_id=f"r{i}")) for i in range(n)]


class CountingCopies(AuditBuffer):
    def __init__(self, *args, delay: float = 0.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.copies: list[int] = []
        self.delay = delay

    async def _copy(self, batch):
        self.copies.append(len(batch))
        await asyncio.sleep(self.delay)
        await super()._copy(batch)


async def test_a_flush_writes_in_batches_of_at_most_batch_size(engine, db_url):
    buffer = CountingCopies(engine, batch_size=3)
    ids = _add(buffer, 10)
    assert await buffer.flush() == 10
    assert buffer.copies == [3, 3, 3, 1]
    assert sorted(await _written(db_url)) == sorted(ids)
    assert buffer.pending == 0 and buffer.written == 10


async def test_no_room_refuses_before_answering_and_drops_nothing(engine, db_url):
    buffer = AuditBuffer(engine, max_buffered=5)
    ids = _add(buffer, 4)
    buffer.reserve(1)
    with pytest.raises(Unavailable):
        buffer.reserve(2)
    assert buffer.refused == 1 and buffer.pending == 4 and buffer.dropped == 0
    await buffer.flush()
    buffer.reserve(5)  # room again once written
    assert sorted(await _written(db_url)) == sorted(ids)


async def test_a_cancelled_flush_still_writes_its_batch_exactly_once(engine, db_url):
    buffer = CountingCopies(engine, batch_size=100, delay=0.2)
    ids = _add(buffer, 7)
    caller = asyncio.create_task(buffer.flush())
    await asyncio.sleep(0.05)  # inside the COPY
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await buffer.stop()  # waits for the write in flight; nothing is left to write
    assert buffer.copies == [7]
    assert sorted(await _written(db_url)) == sorted(ids)


async def test_an_entry_the_database_refuses_is_dropped_alone(engine, db_url):
    buffer = AuditBuffer(engine, batch_size=100)
    good = _add(buffer, 6)
    bad = _add(buffer, 1, subject="X" * 80)  # longer than the column allows
    more = _add(buffer, 3)
    assert await buffer.flush() == 9
    assert buffer.dropped == 1
    written = await _written(db_url)
    assert sorted(written) == sorted(good + more) and bad[0] not in written
    _add(buffer, 2)
    assert await buffer.flush() == 2  # later flushes are not blocked


async def test_a_database_that_is_away_keeps_every_entry_in_order():
    engine = create_async_engine("postgresql+asyncpg://x:y@127.0.0.1:9/none")
    try:
        buffer = AuditBuffer(engine, batch_size=2)
        ids = _add(buffer, 5)
        with pytest.raises(Unavailable):
            await buffer.flush()
        assert buffer.pending == 5 and buffer.dropped == 0
        assert [str(e[0]) for e in buffer._pending] == ids
    finally:
        await engine.dispose()


@pytest.fixture
def sanctions_settings(db_url):
    from services.sanctions.config import SanctionsSettings

    # A tiny buffer, flushed only on demand: room runs out after a few checks.
    return SanctionsSettings(database_url=db_url, environment="test",
                             identity_internal_url="http://identity",
                             records_internal_url="http://records",
                             records_events_poll_seconds=0, audit_flush_seconds=3600,
                             audit_max_buffered=4, audit_batch_size=1000)


async def test_checks_are_refused_unavailable_while_their_audit_cannot_be_kept(gql, sanctions_app):
    audit = sanctions_app.state.audit
    audit._task.cancel()  # no background flush: the buffer stays full until flushed here
    audit._task = None
    for i in range(4):
        assert (await gql.execute(CHECK, {"c": org_code(i)}, as_=AIRLINE)).get("errors") is None
    refused = await gql.execute(CHECK, {"c": org_code(5)}, as_=AIRLINE)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    screen = await gql.execute(SCREEN, {"c": [org_code(i) for i in range(3)]}, as_=AIRLINE)
    assert screen["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert audit.pending == 4  # the answered four, nothing else
    await audit.flush()
    again = await gql.execute(CHECK, {"c": org_code(5)}, as_=AIRLINE)
    assert uuid.UUID(again["data"]["check"]["reference"])


async def test_batches_may_fill_only_half_the_buffer(engine):
    buffer = AuditBuffer(engine, max_buffered=10)
    _add(buffer, 4)
    buffer.reserve(1, bulk=True)
    with pytest.raises(Unavailable):
        buffer.reserve(2, bulk=True)  # 4 + 2 > 10 / 2
    buffer.reserve(6)  # a single check still finds room
