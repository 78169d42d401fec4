"""Production mode: no introspection, no GraphiQL, no query plans, no field suggestions."""

from __future__ import annotations

import httpx
import pytest

from tests.edge.edge_harness import (
    GATEWAY_SECRET,
    SECRET_HEADER,
    bearer,
    gateway_env,
    running_gateway,
)

INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}


@pytest.fixture(scope="module")
def production_gateway(edge_supergraph, identity_server, probe_server):
    work, supergraph = edge_supergraph
    env = gateway_env(identity_server, probe_server, XINYONG_ENVIRONMENT="production")
    with running_gateway(supergraph, work, env) as gw:
        yield gw


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def test_production_gateway_refuses_introspection(production_gateway, client):
    body = client.post(production_gateway.url, json=INTROSPECTION, headers=bearer()).json()
    assert body.get("data") is None
    assert "introspection" in body["errors"][0]["message"].lower()


def test_production_gateway_serves_no_graphiql_or_plan(production_gateway, client):
    response = client.get(production_gateway.url, headers={"accept": "text/html"})
    assert "graphiql" not in response.text.lower()
    response = client.post(production_gateway.url, json={"query": "{ whoami }"},
                           headers={**bearer(), "x-xinyong-query-plan": "1"})
    assert response.json() == {"data": {"whoami": "edge-tester"}}


def test_production_gateway_gives_no_field_suggestions(production_gateway, client):
    body = client.post(production_gateway.url, json={"query": "{ whoam }"}, headers=bearer()).json()
    assert "Did you mean" not in str(body)


def test_development_gateway_serves_graphiql(gateway, client):
    response = client.get(gateway.url, headers={"accept": "text/html"})
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]


async def test_production_subgraph_refuses_introspection_and_graphiql(edge_db_url):
    from services.identity.app import create_app
    from services.identity.config import IdentitySettings

    app = create_app(IdentitySettings(database_url=edge_db_url, environment="production",
                                      jwt_secret="prod-jwt-0123456789abcdef0123456789",
                                      gateway_secret=GATEWAY_SECRET))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            response = await http.post("/graphql", json=INTROSPECTION,
                                       headers={SECRET_HEADER: GATEWAY_SECRET})
            body = response.json()
            assert body.get("data") is None, body
            assert "introspection" in body["errors"][0]["message"].lower()
            response = await http.get("/graphql", headers={"accept": "text/html",
                                                           SECRET_HEADER: GATEWAY_SECRET})
            assert "graphiql" not in response.text.lower()
            # Federation's own fields still work for the gateway.
            response = await http.post("/graphql", json={"query": "{ _service { sdl } }"},
                                       headers={SECRET_HEADER: GATEWAY_SECRET})
            assert "type Subject" in response.json()["data"]["_service"]["sdl"]
