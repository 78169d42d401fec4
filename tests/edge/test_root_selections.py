"""Every way of spelling an operation's root selections is answered by the subgraphs it names.

router-runtime 1.4 takes some documents for introspection and answers them from the supergraph
alone (`check` then fails as null, a nullable field is silently null); the edge hands it those
documents in a shape it reads right, and refuses introspection mixed with other root fields.
"""

from __future__ import annotations

import pytest

from tests.edge.edge_harness import bearer

WHOAMI = {"whoami": "edge-tester"}
INTROSPECTION = "__schema { queryType { name } }"


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


@pytest.mark.parametrize("query, operation, data", [
    ("{ __typename ... on Query { whoami } }", None, {"__typename": "Query", **WHOAMI}),
    ("{ __typename ...W } fragment W on Query { whoami }", None, {"__typename": "Query", **WHOAMI}),
    ("query A { __typename } query B { ... on Query { whoami } }", "B", WHOAMI),
    ("query A { %s } query B { whoami }" % INTROSPECTION, "B", WHOAMI),
    ("query A { __typename } query B { ...W } fragment W on Query { whoami }", "B", WHOAMI),
    ("{ ... { __typename whoami } }", None, {"__typename": "Query", **WHOAMI}),
    ("query A { __typename } query B { whoami }", "A", {"__typename": "Query"}),
], ids=["typename-then-inline-fragment", "typename-then-fragment", "typename-operation-beside",
        "introspection-operation-beside", "typename-operation-and-fragment", "grouped",
        "typename-alone"])
def test_root_fields_reach_their_subgraph_however_they_are_spelled(gateway, client, query,
                                                                   operation, data):
    body = client.post(gateway.url, json={"query": query, "operationName": operation},
                       headers=bearer()).json()
    assert body == {"data": data}, body


def test_a_check_after_typename_in_a_fragment_is_answered(gateway, client):
    query = '{ __typename ... on Query { check(code: "91350100M000100Y43", purpose: AIR_TRAVEL) ' \
            '{ status } } }'
    body = client.post(gateway.url, json={"query": query}, headers=bearer()).json()
    assert body == {"data": {"__typename": "Query", "check": {"status": "CLEAR"}}}, body


@pytest.mark.parametrize("query", [
    "{ %s whoami }" % INTROSPECTION,
    "{ whoami %s }" % INTROSPECTION,
    "{ ...I } fragment I on Query { %s }" % INTROSPECTION,
    "{ ... on Query { %s } }" % INTROSPECTION,
], ids=["introspection-then-field", "field-then-introspection", "in-a-fragment", "in-an-inline-fragment"])
def test_introspection_not_alone_at_the_root_is_refused(gateway, client, query):
    response = client.post(gateway.url, json={"query": query}, headers=bearer())
    body = response.json()
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"], body
    assert "on its own" in body["errors"][0]["message"]
    assert response.status_code == 200


def test_introspection_alone_is_answered(gateway, client):
    body = client.post(gateway.url, json={"query": "{ %s __typename }" % INTROSPECTION},
                       headers=bearer()).json()
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}, "__typename": "Query"}}
