"""The all-or-nothing rule sees the root fields an operation executes, however they are spelled.

The edge gateway's probe subgraph stands in for sanctions' `check` (XINYONG_GATEWAY_ALL_OR_NOTHING
is `check` there); `subject(code: "bad")` fails with INVALID_CODE beside it.
"""

from __future__ import annotations

import pytest

from tests.edge.edge_harness import bearer

ORG = "91350100M000100Y43"
CHECK = 'check(code: "%s", purpose: AIR_TRAVEL) { status }' % ORG
BAD_SUBJECT = 'subject(code: "bad") { name }'

SPELLINGS = {
    "plain": "{ %s %s }" % (CHECK, BAD_SUBJECT),
    "aliased": "{ ok: %s %s }" % (CHECK, BAD_SUBJECT),
    "inline-fragment-on-query": "{ ... on Query { %s } %s }" % (CHECK, BAD_SUBJECT),
    "inline-fragment-untyped": "{ ... { %s } %s }" % (CHECK, BAD_SUBJECT),
    "named-fragment": "query { ...C %s } fragment C on Query { %s }" % (BAD_SUBJECT, CHECK),
    "nested-fragments": ("query { ... on Query { ...Outer } } fragment Outer on Query { ... { ...C } "
                         "%s } fragment C on Query { %s }" % (BAD_SUBJECT, CHECK)),
    "included-by-variable": ("query($yes: Boolean!) { %s ... @include(if: $yes) { %s } }"
                             % (BAD_SUBJECT, CHECK)),
    "named-operation": ("query Other { __typename } query Both { ...C %s } fragment C on Query "
                        "{ %s }" % (BAD_SUBJECT, CHECK)),
}


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


@pytest.mark.parametrize("query", list(SPELLINGS.values()), ids=list(SPELLINGS))
def test_an_executed_check_beside_an_error_gives_no_data(gateway, client, query):
    operation = "Both" if "query Both" in query else None
    body = client.post(gateway.url, json={"query": query, "variables": {"yes": True},
                                          "operationName": operation},
                       headers=bearer()).json()
    assert codes(body) == ["INVALID_CODE"], body
    assert body["data"] is None, body
    assert "CLEAR" not in str(body)


@pytest.mark.parametrize("query", [
    "{ %s ... @skip(if: true) { %s } }" % (BAD_SUBJECT, CHECK),
    "query($yes: Boolean!) { %s ... @include(if: $yes) { %s } }" % (BAD_SUBJECT, CHECK),
    "query Other { %s } query Both { %s %s }" % (BAD_SUBJECT, CHECK, BAD_SUBJECT),
], ids=["skipped", "not-included", "other-operation"])
def test_a_check_that_is_not_executed_leaves_the_rest_answered(gateway, client, query):
    operation = "Other" if "query Other" in query else None
    body = client.post(gateway.url, json={"query": query, "variables": {"yes": False},
                                          "operationName": operation},
                       headers=bearer()).json()
    assert codes(body) == ["INVALID_CODE"], body
    assert body["data"] == {"subject": None}, body


def test_a_check_in_a_fragment_answers_when_nothing_fails(gateway, client):
    query = "query { ...C } fragment C on Query { ... on Query { %s } }" % CHECK
    body = client.post(gateway.url, json={"query": query}, headers=bearer()).json()
    assert body == {"data": {"check": {"status": "CLEAR"}}}, body


def test_screen_through_a_named_fragment_beside_an_error_gives_no_data(stack, client):
    query = ('query { ...S subject(code: "bad") { name } } fragment S on Query { screen(codes: '
             '["%s"], purpose: AIR_TRAVEL) { checked } }' % ORG)
    body = client.post(stack.url, json={"query": query},
                       headers=bearer(roles=["consumer"], purposes=["AIR_TRAVEL"])).json()
    assert "INVALID_CODE" in codes(body), body
    assert body["data"] is None, body
