"""The check contract through the real gateway in front of the real identity, records and sanctions.

`check` and `screen` either answer or fail with UNAVAILABLE: never CLEAR and never a partial
result when a service they depend on is down.
"""

from __future__ import annotations

import pytest

from tests.edge.edge_harness import bearer, stopped

ORG = "91350100M000100Y43"
AIRLINE = {"sub": "china-eastern", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
CHECK = {"query": 'query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status restricted '
                  'reference restrictions { measure { code } } } }', "variables": {"c": ORG}}
SCREEN = {"query": "query($c: [ID!]!) { screen(codes: $c, purpose: AIR_TRAVEL) { checked "
                   "restricted { code } invalid { code reason } } }",
          "variables": {"c": [ORG, "123"]}}


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def test_check_answers_through_the_gateway(stack, client):
    body = client.post(stack.url, json=CHECK, headers=bearer(**AIRLINE)).json()
    assert "errors" not in body, body
    assert body["data"]["check"]["status"] == "CLEAR"
    assert body["data"]["check"]["reference"]


def test_check_for_a_purpose_outside_the_token_is_forbidden(stack, client):
    query = {**CHECK, "query": CHECK["query"].replace("AIR_TRAVEL", "RAIL_TRAVEL")}
    body = client.post(stack.url, json=query, headers=bearer(**AIRLINE)).json()
    assert codes(body) == ["FORBIDDEN_PURPOSE"], body
    assert body.get("data") is None


def test_check_without_a_token_is_unauthenticated(stack, client):
    body = client.post(stack.url, json=CHECK).json()
    assert codes(body) == ["UNAUTHENTICATED"], body
    assert body.get("data") is None


@pytest.mark.parametrize("operation", [CHECK, SCREEN], ids=["check", "screen"])
def test_sanctions_stopped_means_unavailable_never_clear(stack, client, sanctions_server, operation):
    with stopped(sanctions_server):
        body = client.post(stack.url, json=operation, headers=bearer(**AIRLINE)).json()
    assert body.get("data") is None, body
    assert codes(body) == ["UNAVAILABLE"], body
    assert "CLEAR" not in str(body)


def test_check_next_to_a_stopped_subgraph_returns_no_data(stack, client, identity_server):
    query = {"query": CHECK["query"].replace("{ check", '{ subject(code: $c) { name } check', 1),
             "variables": CHECK["variables"]}
    with stopped(identity_server):
        body = client.post(stack.url, json=query, headers=bearer(**AIRLINE)).json()
    assert body.get("data") is None, body
    assert "UNAVAILABLE" in codes(body)


def test_screen_answers_through_the_gateway(stack, client):
    body = client.post(stack.url, json=SCREEN, headers=bearer(**AIRLINE)).json()
    assert "errors" not in body, body
    screening = body["data"]["screen"]
    assert screening["restricted"] == []
    assert [i["code"] for i in screening["invalid"]] == ["123"]


def test_identical_concurrent_checks_are_each_answered_and_audited(stack):
    """The gateway must not merge identical in-flight checks: each gets its own audit reference.

    Hive Gateway's HTTP executor deduplicates identical in-flight subgraph queries by default;
    for `check` that would hand two consumers' checks one audit entry.
    """
    import asyncio

    import httpx

    async def burst() -> list[dict]:
        async with httpx.AsyncClient(timeout=20.0, trust_env=False) as http:
            responses = await asyncio.gather(*[
                http.post(stack.url, json=CHECK, headers=bearer(**AIRLINE)) for _ in range(24)])
        return [r.json() for r in responses]

    bodies = asyncio.run(burst())
    assert all("errors" not in b for b in bodies), bodies[:2]
    references = [b["data"]["check"]["reference"] for b in bodies]
    assert len(set(references)) == len(references)
