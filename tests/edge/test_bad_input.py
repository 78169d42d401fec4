"""Hostile input through the real gateway: a value its type cannot take is BAD_REQUEST, never
UNAVAILABLE (which clients retry), and an operation type the schema lacks is a typed error."""

from __future__ import annotations

import pytest

from tests.edge.edge_harness import bearer

ORG = "91350100M000100Y43"
AIRLINE = {"sub": "china-eastern", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
CHECK_AT = ("query($at: DateTime) { check(code: \"%s\", purpose: AIR_TRAVEL, at: $at) "
            "{ status } }" % ORG)


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


@pytest.mark.parametrize("at", ["now", "", "2026-13-45T00:00:00Z", "+25:00", 1767225600,
                                {"at": "2026-12-01T00:00:00Z"}, ["2026-12-01T00:00:00Z"]],
                         ids=["now", "empty", "month-13", "offset-only", "number", "object",
                              "list"])
def test_a_bad_at_variable_is_bad_request_naming_it(stack, client, at):
    response = client.post(stack.url, json={"query": CHECK_AT, "variables": {"at": at}},
                           headers=bearer(**AIRLINE))
    body = response.json()
    assert codes(body) == ["BAD_REQUEST"], body
    assert body["errors"][0]["extensions"]["variable"] == "at"
    assert "$at" in body["errors"][0]["message"]
    assert body.get("data") is None
    assert "CLEAR" not in response.text


def test_a_bad_at_is_a_4xx_for_graphql_response_json_clients(stack, client):
    response = client.post(stack.url, json={"query": CHECK_AT, "variables": {"at": "now"}},
                           headers={**bearer(**AIRLINE),
                                    "accept": "application/graphql-response+json"})
    assert response.status_code == 400, response.text
    assert codes(response.json()) == ["BAD_REQUEST"]


def test_a_bad_at_literal_is_bad_request(stack, client):
    query = '{ check(code: "%s", purpose: AIR_TRAVEL, at: "now") { status } }' % ORG
    body = client.post(stack.url, json={"query": query}, headers=bearer(**AIRLINE)).json()
    assert codes(body) == ["BAD_REQUEST"], body
    assert body.get("data") is None


def test_a_good_at_still_answers(stack, client):
    body = client.post(stack.url, json={"query": CHECK_AT,
                                        "variables": {"at": "2026-12-01T00:00:00+08:00"}},
                       headers=bearer(**AIRLINE)).json()
    assert body == {"data": {"check": {"status": "CLEAR"}}}, body


@pytest.mark.parametrize("variables", [{"p": "FLYING"}, {}, {"p": None}, {"p": 3}],
                         ids=["unknown-enum", "missing", "null", "number"])
def test_variables_the_gateway_coerces_are_bad_request_too(stack, client, variables):
    query = 'query($p: Purpose!) { check(code: "%s", purpose: $p) { status } }' % ORG
    body = client.post(stack.url, json={"query": query, "variables": variables},
                       headers=bearer(**AIRLINE)).json()
    assert codes(body) == ["BAD_REQUEST"], body
    assert body["errors"][0]["extensions"]["variable"] == "p"


def test_a_bad_subject_code_variable_is_bad_request(stack, client):
    query = 'query($c: ID!) { subject(code: $c) { name } }'
    body = client.post(stack.url, json={"query": query, "variables": {"c": {"code": ORG}}},
                       headers=bearer()).json()
    assert codes(body) == ["BAD_REQUEST"], body


@pytest.mark.parametrize("query", ["subscription { check }",
                                   "subscription Watch { subject(code: \"%s\") { name } }" % ORG])
def test_a_subscription_is_a_typed_validation_error(stack, client, query):
    response = client.post(stack.url, json={"query": query}, headers=bearer())
    body = response.json()
    assert response.status_code == 200, response.text
    assert "GRAPHQL_VALIDATION_FAILED" in codes(body), body
    assert "INTERNAL_SERVER_ERROR" not in codes(body)
    response = client.post(stack.url, json={"query": query},
                           headers={**bearer(), "accept": "application/graphql-response+json"})
    assert response.status_code == 400, response.text


def test_the_subgraph_kit_codes_coercion_errors_itself(sanctions_server, client):
    """Subgraphs answer a bad variable as BAD_REQUEST too, so no gateway has to guess."""
    from tests.edge.edge_harness import GATEWAY_SECRET, SECRET_HEADER

    response = client.post(sanctions_server.url,
                           json={"query": CHECK_AT, "variables": {"at": "2026-13-45T00:00:00Z"}},
                           headers={**bearer(**AIRLINE), SECRET_HEADER: GATEWAY_SECRET})
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_REQUEST", "variable": "at"}, error
    response = client.post(sanctions_server.url, json={"query": "{ nope }"},
                           headers={**bearer(**AIRLINE), SECRET_HEADER: GATEWAY_SECRET})
    assert codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    literal = '{ check(code: "%s", purpose: AIR_TRAVEL, at: "now") { status } }' % ORG
    response = client.post(sanctions_server.url, json={"query": literal},
                           headers={**bearer(**AIRLINE), SECRET_HEADER: GATEWAY_SECRET})
    assert codes(response.json()) == ["BAD_REQUEST"]
