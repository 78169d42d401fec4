"""The check contract through the real gateway in front of the real identity, records and sanctions.

`check` and `screen` either answer or fail with UNAVAILABLE: never CLEAR and never a partial
result when a service they depend on is down.
"""

from __future__ import annotations

import time

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


def _many_codes(n: int) -> list[str]:
    from libs.common.identifiers import make_uscc

    return [make_uscc("9", "1", "310115", f"{i:08d}") for i in range(n)]


def test_aliased_screens_over_the_codes_per_request_limit_are_refused_at_the_edge(stack, client):
    """30 aliases of one 10,000-code screen: each within screen's limit, 300,000 codes in all.
    Refused before anything reaches a subgraph (no serviceName), HTTP 413 as every limit."""
    query = ("query($c: [ID!]!) { " + " ".join(
        f"s{i}: screen(codes: $c, purpose: AIR_TRAVEL) {{ checked }}" for i in range(30))
        + " ... on Query { check(code: \"" + ORG + "\", purpose: AIR_TRAVEL) { status } } }")
    response = client.post(stack.url, json={"query": query, "variables": {"c": _many_codes(10_000)}},
                           headers=bearer(**AIRLINE))
    body = response.json()
    assert response.status_code == 413, body
    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert error["extensions"]["limit"] == "codesPerRequest"
    assert error["extensions"]["given"] == 300_001
    assert "serviceName" not in error["extensions"]
    # The same caller is refused before its body is read for a second (a large body too, and
    # the answer comes at once); others are not.
    started = time.monotonic()
    big = client.post(stack.url, json={"query": query, "variables": {"c": _many_codes(10_000)}},
                      headers=bearer(**AIRLINE), timeout=10)
    assert big.status_code == 413 and time.monotonic() - started < 2, big.text
    assert big.json()["errors"][0]["extensions"]["limit"] == "cooldown"
    cooled = client.post(stack.url, json=CHECK, headers=bearer(**AIRLINE))
    assert cooled.status_code == 413 and cooled.headers["retry-after"] == "1", cooled.text
    assert cooled.json()["errors"][0]["extensions"]["limit"] == "cooldown"
    within = ("query($c: [ID!]!) { s0: screen(codes: $c, purpose: AIR_TRAVEL) { checked } "
              "... on Query { check(code: \"" + ORG + "\", purpose: AIR_TRAVEL) { status } } }")
    other = {**AIRLINE, "sub": "another-airline"}
    fine = client.post(stack.url, json={"query": within, "variables": {"c": _many_codes(9_999)}},
                       headers=bearer(**other)).json()
    assert "errors" not in fine, fine  # 9,999 + 1 codes: at the limit, answered
    assert fine["data"]["s0"]["checked"] == 9_999
    time.sleep(1.1)
    again = client.post(stack.url, json=CHECK, headers=bearer(**AIRLINE)).json()
    assert "errors" not in again, again
