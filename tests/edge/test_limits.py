"""Limits at the edge (real gateway) and in the subgraphs (the shared libs/common kit)."""

from __future__ import annotations

import httpx
import pytest

from libs.common.graphql import MAX_ALIASES, MAX_DEPTH, MAX_OPERATIONS
from tests.edge.edge_harness import GATEWAY_SECRET, SECRET_HEADER, bearer

ORG = "91350100M000100Y43"


def alias_bomb(n: int) -> str:
    return "{ " + " ".join(f"a{i}: subject(code: $c) {{ name }}" for i in range(n)) + " }"


def deep_query(depth: int) -> str:
    return "{ node { " + "child { " * depth + "id" + " }" * depth + " } }"


def one_megabyte_document() -> str:
    # One string literal is one token: only a size limit stops this.
    return '{ subject(code: "' + "9" * (1024 * 1024) + '") { name } }'


def many_operations(n: int) -> str:
    return " ".join(f"query Q{i} {{ __typename }}" for i in range(n))


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


# ------------------------------------------------------------------ at the gateway


@pytest.fixture
def post(gateway, client):
    def _post(query: str, **kwargs) -> httpx.Response:
        return client.post(gateway.url, json={"query": query, "operationName": kwargs.pop("op", None)},
                           headers={**bearer(), **kwargs.pop("headers", {})})
    return _post


def test_gateway_refuses_alias_bomb(post):
    response = post("query($c: ID!) " + alias_bomb(100))
    body = response.json()
    assert codes(body) == ["LIMIT_EXCEEDED"], body
    assert "data" not in body or body["data"] is None


def test_gateway_accepts_aliases_up_to_the_limit(post):
    body = post("{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }").json()
    assert "errors" not in body, body


def test_gateway_refuses_deep_nesting(post):
    response = post(deep_query(40))
    body = response.json()
    assert "LIMIT_EXCEEDED" in codes(body), body
    assert not body.get("data")


def test_gateway_serves_nesting_within_the_limit(post):
    body = post(deep_query(8)).json()
    assert "errors" not in body, body


def test_gateway_refuses_one_megabyte_document(post):
    response = post(one_megabyte_document())
    assert response.status_code == 413, response.text[:500]
    assert codes(response.json()) == ["LIMIT_EXCEEDED"]


def test_gateway_refuses_document_over_the_size_limit_below_the_body_limit(post):
    response = post('{ subject(code: "' + "9" * 100_000 + '") { name } }')
    assert response.status_code == 413, response.text[:500]
    assert codes(response.json()) == ["LIMIT_EXCEEDED"]


def test_gateway_refuses_too_many_operations(post):
    response = post(many_operations(50), op="Q1")
    body = response.json()
    assert codes(body) == ["LIMIT_EXCEEDED"], body


def test_gateway_refuses_token_flood(post):
    body = post("{ " + "__typename " * 5000 + "}").json()
    assert codes(body) == ["LIMIT_EXCEEDED"], body


def test_gateway_refuses_batched_requests(gateway, client):
    batch = [{"query": "{ __typename }"}] * 20
    response = client.post(gateway.url, json=batch, headers=bearer())
    assert response.status_code == 400
    assert "errors" in response.json()


def test_gateway_times_out_slow_subgraph_as_unavailable(post):
    response = post("{ slow(ms: 5000) }")
    body = response.json()
    assert codes(body) == ["UNAVAILABLE"], body
    assert body.get("data") is None


def test_gateway_introspection_on_outside_production(post):
    body = post("{ __schema { queryType { name } } }").json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


# ------------------------------------------------------------------ in the subgraphs


@pytest.fixture
def direct(identity_server, client):
    def _post(query: str, op: str | None = None, content: bytes | None = None) -> httpx.Response:
        headers = {**bearer(), SECRET_HEADER: GATEWAY_SECRET}
        if content is not None:
            return client.post(identity_server.url, content=content,
                               headers={**headers, "content-type": "application/json"})
        return client.post(identity_server.url, json={"query": query, "operationName": op},
                           headers=headers)
    return _post


def test_subgraph_refuses_alias_bomb(direct):
    body = direct("query($c: ID!) " + alias_bomb(MAX_ALIASES + 1)).json()
    assert codes(body) == ["LIMIT_EXCEEDED"], body


def test_subgraph_refuses_deep_nesting(direct):
    query = "{ subject(code: \"%s\") { " % ORG + "roles { " * MAX_DEPTH + "role" + " }" * MAX_DEPTH + " } }"
    body = direct(query).json()
    assert "LIMIT_EXCEEDED" in codes(body), body


def test_subgraph_refuses_one_megabyte_document(direct):
    response = direct(one_megabyte_document())
    assert codes(response.json()) == ["LIMIT_EXCEEDED"]


def test_subgraph_refuses_document_over_the_size_limit(direct):
    body = direct('{ subject(code: "' + "9" * 100_000 + '") { name } }').json()
    assert codes(body) == ["LIMIT_EXCEEDED"], body


def test_subgraph_refuses_body_over_the_limit(direct):
    response = direct("", content=b'{"query": "{ __typename }", "pad": "' + b"x" * 3_000_000 + b'"}')
    assert response.status_code == 413
    assert codes(response.json()) == ["LIMIT_EXCEEDED"]


def test_subgraph_refuses_chunked_body_over_the_limit(identity_server, client):
    def chunks():
        yield b'{"query": "{ subject(code: \\"'
        for _ in range(40):
            yield b"9" * 65536
        yield b'\\") { name } }"}'

    response = client.post(identity_server.url, content=chunks(),
                           headers={**bearer(), SECRET_HEADER: GATEWAY_SECRET,
                                    "content-type": "application/json"})
    assert response.status_code == 413
    assert codes(response.json()) == ["LIMIT_EXCEEDED"]


def test_subgraph_refuses_too_many_operations(direct):
    body = direct(many_operations(MAX_OPERATIONS + 1), op="Q1").json()
    assert codes(body) == ["LIMIT_EXCEEDED"], body


def test_subgraph_refuses_token_flood(direct):
    body = direct("{ " + "__typename " * 6000 + "}").json()
    assert codes(body) == ["LIMIT_EXCEEDED"], body


def test_subgraph_refuses_batches(direct):
    response = direct("", content=b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]')
    assert response.status_code == 400
