"""HTTP at the edge: CORS for the console's origins only, JSON-only POSTs (no CSRF door), one
status rule for LIMIT_EXCEEDED, and no metrics on the public endpoint."""

from __future__ import annotations

import httpx
import pytest

from tests.edge.edge_harness import CONSOLE_ORIGIN, bearer

WHOAMI = '{"query": "{ whoami }"}'


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


# ------------------------------------------------------------------ CORS


@pytest.mark.parametrize("origin", [CONSOLE_ORIGIN, "http://localhost:4004"])
def test_the_console_origins_may_call_from_a_browser(gateway, client, origin):
    preflight = client.options(gateway.url, headers={
        "origin": origin, "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in preflight.headers
    response = client.post(gateway.url, content=WHOAMI,
                           headers={**bearer(), "origin": origin, "content-type": "application/json"})
    assert response.json() == {"data": {"whoami": "edge-tester"}}
    assert response.headers["access-control-allow-origin"] == origin
    assert "x-request-id" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers["vary"]


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:4005",
                                    CONSOLE_ORIGIN + ".evil.example"])
def test_other_origins_get_no_cors_headers(gateway, client, origin):
    preflight = client.options(gateway.url, headers={
        "origin": origin, "access-control-request-method": "POST"})
    assert not [h for h in preflight.headers if h.startswith("access-control-")], preflight.headers
    response = client.post(gateway.url, content=WHOAMI,
                           headers={**bearer(), "origin": origin, "content-type": "application/json"})
    assert not [h for h in response.headers if h.startswith("access-control-")], response.headers


# ------------------------------------------------------------------ only JSON POSTs


@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", "query=%7B%20whoami%20%7D"),
    ("multipart/form-data; boundary=x",
     '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ whoami }"}\r\n--x--\r\n'),
    ("text/plain", WHOAMI),
    ("application/graphql", "{ whoami }"),
    (None, WHOAMI),
], ids=["form", "multipart", "text-plain", "application-graphql", "no-content-type"])
def test_a_post_that_is_not_json_runs_nothing(gateway, client, content_type, body):
    headers = {**bearer(), "origin": "http://evil.example"}
    if content_type:
        headers["content-type"] = content_type
    response = client.post(gateway.url, content=body.encode(), headers=headers)
    assert response.status_code == 415, response.text
    assert codes(response.json()) == ["BAD_REQUEST"]
    assert "whoami" not in response.text and "edge-tester" not in response.text


def test_a_form_post_cannot_run_a_mutation(stack, client):
    from urllib.parse import urlencode

    from libs.common.identifiers import make_uscc

    code = make_uscc("9", "1", "110105", "CRF00001")
    mutation = ('mutation { registerSubject(input: {code: "%s", kind: ENTERPRISE, name: "CSRF"}) '
                '{ code } }' % code)
    response = client.post(stack.url, content=urlencode({"query": mutation}), headers={
        **bearer(), "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    lookup = {"query": '{ subject(code: "%s") { name } }' % code}
    assert client.post(stack.url, json=lookup, headers=bearer()).json() == {"data": {"subject": None}}
    # The same mutation as JSON does run: the refusal above is about the request's shape.
    body = client.post(stack.url, json={"query": mutation}, headers=bearer()).json()
    assert body == {"data": {"registerSubject": {"code": code}}}, body


def test_json_with_a_charset_is_json(gateway, client):
    response = client.post(gateway.url, content=WHOAMI,
                           headers={**bearer(), "content-type": "application/json; charset=utf-8"})
    assert response.json() == {"data": {"whoami": "edge-tester"}}


def test_queries_over_get_run_and_mutations_over_get_do_not(stack, client):
    response = client.get(stack.url, params={"query": "{ __typename }"}, headers=bearer())
    assert response.json() == {"data": {"__typename": "Query"}}
    response = client.get(stack.url, params={
        "query": 'mutation { registerSubject(input: {code: "91110000MA00000X0A", kind: ENTERPRISE, '
                 'name: "GET"}) { code } }'}, headers=bearer())
    assert response.status_code == 405
    assert codes(response.json()) == ["BAD_REQUEST"]


# ------------------------------------------------------------------ one rule for LIMIT_EXCEEDED

LIMITED = {
    "aliases": "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }",
    "depth": "{ node { " + "child { " * 40 + "id" + " }" * 40 + " } }",
    "tokens": "{ " + "__typename " * 2500 + "}",
    "operations": " ".join(f"query Q{i} {{ __typename }}" for i in range(6)),
    "document-bytes": '{ subject(code: "' + "9" * 40_000 + '") { name } }',
    "directives": "{ " + " ".join(f"f{i}: __typename @include(if: true)" for i in range(25)) + " "
                  + " ".join(f"g{i}: __typename @skip(if: false)" for i in range(26)) + " }",
}


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize("query", list(LIMITED.values()), ids=list(LIMITED))
def test_every_limit_is_413_limit_exceeded(gateway, client, query, accept):
    response = client.post(gateway.url, json={"query": query, "operationName": "Q1"
                                              if "query Q1" in query else None},
                           headers={**bearer(), "accept": accept})
    assert response.status_code == 413, response.text[:300]
    assert "LIMIT_EXCEEDED" in codes(response.json()), response.text[:300]
    assert response.json().get("data") is None


def test_a_body_over_the_limit_is_413_limit_exceeded(gateway, client):
    response = client.post(gateway.url, content=b'{"query": "{ whoami }", "pad": "'
                           + b"x" * (3 * 1024 * 1024) + b'"}',
                           headers={**bearer(), "content-type": "application/json"})
    assert response.status_code == 413
    assert codes(response.json()) == ["LIMIT_EXCEEDED"]


# ------------------------------------------------------------------ metrics are private


def test_metrics_are_not_on_the_public_endpoint(gateway, client):
    for headers in ({}, bearer()):
        response = client.get(gateway.url.replace("/graphql", "/metrics"), headers=headers)
        assert response.status_code == 404
        assert "graphql_" not in response.text


def test_a_graphql_post_of_unknown_length_is_refused(gateway):
    """GraphQL Yoga reads a body whole: a chunked one could be any size."""
    def chunks():
        yield b'{"query": "{ whoami }"}'

    with httpx.Client(timeout=20, trust_env=False) as http:
        response = http.post(gateway.url, content=chunks(),
                             headers={**bearer(), "content-type": "application/json"})
    assert response.status_code == 411, response.text
    assert codes(response.json()) == ["BAD_REQUEST"]
