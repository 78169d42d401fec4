"""A `checksOfSubject` cancelled while it flushes the audit buffer does not put written entries
back: graphql-core cancels a field when a sibling field fails, and a COPY the server already
committed, put back, fails every later flush on its duplicate ids (seen in the generated-request
run: checksOfSubject INTERNAL_SERVER_ERROR for every subject from then on)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from devtools.testing import error_codes
from libs.common.errors import Unavailable
from services.sanctions.feed.repository import ChangeFeed
from tests.callers import AIRLINE, ANALYST

WHO_AND_A_FAILING_SIBLING = """query($c: ID!) {
  checksOfSubject(code: $c) { entries { reference } }
  restrictionChanges(purpose: AIR_TRAVEL) { hasMore } }"""
WHO = """query($c: ID!) { checksOfSubject(code: $c) { entries { reference } } }"""


@pytest.fixture
def sanctions_settings(sanctions_settings):
    """No background flush during the test: the request's own flush is the one cancelled."""
    return sanctions_settings.model_copy(update={"audit_flush_seconds": 3600})


@pytest.fixture
def cancel_after_the_copy_committed(monkeypatch):
    """The COPY commits and its reply is slow to come back; meanwhile a sibling field fails,
    and graphql-core cancels the flushing field inside that window."""
    copy = asyncpg.connection.Connection.copy_records_to_table

    async def committed_then_slow(self, *args, **kwargs):
        result = await copy(self, *args, **kwargs)
        await asyncio.sleep(0.4)
        return result

    async def fails_soon(self, *args, **kwargs):
        await asyncio.sleep(0.1)
        raise Unavailable("the feed is down (test)")

    monkeypatch.setattr(asyncpg.connection.Connection, "copy_records_to_table",
                        committed_then_slow)
    monkeypatch.setattr(ChangeFeed, "page", fails_soon)


async def test_a_cancelled_audit_read_neither_loses_nor_repeats_entries(
        world, sanctions_app, cancel_after_the_copy_committed):
    company = await world.company()
    checked = [(await world.check(company, "AIR_TRAVEL", AIRLINE))["reference"] for _ in range(3)]
    body = await world.gql.execute(WHO_AND_A_FAILING_SIBLING, {"c": company}, as_=ANALYST)
    assert error_codes(body) == ["UNAVAILABLE"]
    await asyncio.sleep(0.6)  # the flush finishes after the request that started it has ended
    assert await sanctions_app.state.audit.flush() == 0  # nothing put back to be written twice
    body = await world.gql.execute(WHO, {"c": company}, as_=ANALYST)
    assert "errors" not in body, body
    references = [e["reference"] for e in body["data"]["checksOfSubject"]["entries"]]
    assert sorted(references) == sorted(checked)
