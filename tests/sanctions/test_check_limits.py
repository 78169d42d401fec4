"""Limits on what one request and one consumer may ask of check and screen, applied before
anything runs: codes over every aliased and fragment-spelled field, and codes in flight per
caller."""

from __future__ import annotations

import asyncio

import pytest
from graphql import parse

from services.sanctions.checks import repository
from services.sanctions.checks.limits import ConsumerBudget, codes_requested
from tests.callers import AIRLINE, RAILWAY
from tests.sanctions.factories import org_code


@pytest.fixture
def sanctions_settings(db_url):
    from services.sanctions.config import SanctionsSettings

    return SanctionsSettings(database_url=db_url, environment="test",
                             identity_internal_url="http://identity",
                             records_internal_url="http://records",
                             records_events_poll_seconds=0, audit_flush_seconds=3600,
                             max_screen_codes=10, consumer_codes_in_flight=6)


def codes(n: int, start: int = 0) -> list[str]:
    return [org_code(i) for i in range(start, start + n)]


def test_codes_are_counted_over_aliases_fragments_and_variables():
    doc = parse("""
      query Q($a: [ID!]!, $c: ID!) {
        one: screen(codes: $a, purpose: AIR_TRAVEL) { checked }
        two: screen(codes: ["x", "y", $c], purpose: AIR_TRAVEL) { checked }
        check(code: $c, purpose: AIR_TRAVEL) { status }
        ... on Query { three: screen(codes: $a, purpose: AIR_TRAVEL) { checked } }
        one: screen(codes: $a, purpose: AIR_TRAVEL) { checked }
        ...F
        lists { code }
      }
      fragment F on Query { four: check(code: "x", purpose: AIR_TRAVEL) { status } ...F }
      query Other { check(code: "x", purpose: AIR_TRAVEL) { status } }
    """)
    assert codes_requested(doc, "Q", {"a": ["1", "2", "3", "4"], "c": "x"}) == 4 + 3 + 1 + 4 + 1
    assert codes_requested(doc, "Other", {}) == 1
    assert codes_requested(parse("mutation { x }"), None, {}) == 0


def test_a_budget_lets_one_request_through_alone_and_refuses_a_second_over_it():
    budget = ConsumerBudget(5)
    budget.acquire("a", 8)  # alone: the per-request limit bounds it
    with pytest.raises(Exception) as refused:
        budget.acquire("a", 1)
    assert refused.value.code == "LIMIT_EXCEEDED"
    budget.acquire("b", 5)  # another caller is not affected
    budget.release("a", 8)
    budget.acquire("a", 5)
    assert budget.in_flight("a") == 5 and budget.in_flight("b") == 5


async def test_aliased_screens_over_the_request_limit_are_refused_before_anything_runs(
        gql, sanctions_app):
    query = """query($a: [ID!]!, $b: [ID!]!) {
      one: screen(codes: $a, purpose: AIR_TRAVEL) { checked }
      ... on Query { two: screen(codes: $b, purpose: AIR_TRAVEL) { checked } } }"""
    body = await gql.execute(query, {"a": codes(6), "b": codes(6, 6)}, as_=AIRLINE)
    assert body["data"] is None
    error = body["errors"][0]["extensions"]
    assert error["code"] == "LIMIT_EXCEEDED" and error["limit"] == "codesPerRequest"
    assert error["given"] == 12 and error["max"] == 10
    assert sanctions_app.state.audit.pending == 0  # nothing was checked, nothing audited
    fine = await gql.execute(query, {"a": codes(5), "b": codes(5, 5)}, as_=AIRLINE)
    assert fine.get("errors") is None and fine["data"]["one"]["checked"] == 5


async def test_a_consumer_over_its_codes_in_flight_is_refused_and_others_are_not(
        gql, sanctions_app, monkeypatch):
    gate = asyncio.Event()
    original = repository.RestrictionIndex.in_force_many

    async def held(self, *args, **kwargs):
        await gate.wait()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(repository.RestrictionIndex, "in_force_many", held)
    screen = "query($c: [ID!]!) { screen(codes: $c, purpose: %s) { checked } }"
    first = asyncio.create_task(gql.execute(screen % "AIR_TRAVEL", {"c": codes(4)}, as_=AIRLINE))
    for _ in range(100):
        if sanctions_app.state.budget.in_flight(AIRLINE["sub"]):
            break
        await asyncio.sleep(0.01)
    second = await gql.execute(screen % "AIR_TRAVEL", {"c": codes(4, 4)}, as_=AIRLINE)
    assert second["data"] is None
    assert second["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert second["errors"][0]["extensions"]["limit"] == "codesInFlight"
    other = asyncio.create_task(gql.execute(screen % "RAIL_TRAVEL", {"c": codes(4)}, as_=RAILWAY))
    await asyncio.sleep(0.05)
    gate.set()
    assert (await first)["data"]["screen"]["checked"] == 4
    assert (await other)["data"]["screen"]["checked"] == 4
    assert sanctions_app.state.budget.in_flight(AIRLINE["sub"]) == 0  # released when done
    again = await gql.execute(screen % "AIR_TRAVEL", {"c": codes(4, 4)}, as_=AIRLINE)
    assert again["data"]["screen"]["checked"] == 4
