"""The error contract through the real gateway: codes, masking, and a stopped subgraph."""

from __future__ import annotations

import httpx

from libs.common.settings import CommonSettings
from tests.edge.edge_harness import GATEWAY_SECRET, SECRET_HEADER, bearer, service_settings, stopped

ORG = "91350100M000100Y43"


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def test_expected_error_codes_pass_through(gateway, client):
    body = client.post(gateway.url, json={"query": '{ subject(code: "12345") { name } }'},
                       headers=bearer()).json()
    assert codes(body) == ["INVALID_CODE"], body


def test_unexpected_error_is_masked_with_the_request_id(gateway, client):
    response = client.post(gateway.url, json={"query": "{ boom }"},
                           headers={**bearer(), "x-request-id": "edge-boom-1"})
    body = response.json()
    assert codes(body) == ["INTERNAL_SERVER_ERROR"], body
    error = body["errors"][0]
    assert "secret" not in response.text and "postgresql" not in response.text
    assert "edge-boom-1" in error["message"]
    assert error["extensions"]["requestId"] == "edge-boom-1"
    assert response.headers["x-request-id"] == "edge-boom-1"


def test_generated_request_id_is_in_the_masked_error(gateway, client):
    response = client.post(gateway.url, json={"query": "{ boom }"}, headers=bearer())
    request_id = response.headers["x-request-id"]
    assert request_id
    assert request_id in response.json()["errors"][0]["message"]


def test_stopped_subgraph_is_unavailable(gateway, client, identity_server):
    query = {"query": '{ subject(code: "%s") { name } }' % ORG}
    with stopped(identity_server):
        body = client.post(gateway.url, json=query, headers=bearer()).json()
        assert codes(body) == ["UNAVAILABLE"], body
        assert body.get("data") in (None, {"subject": None}), body
        assert "identity" in body["errors"][0]["message"]
    body = client.post(gateway.url, json=query, headers=bearer()).json()
    assert "errors" not in body, body


CHECK_AND_SUBJECT = {
    "query": 'query($p: ProbePurpose!) { check(code: "%s", purpose: $p) { status } '
             'subject(code: "%s") { name } }' % (ORG, ORG),
    "variables": {"p": "AIR_TRAVEL"},
}


def test_check_is_never_partial_when_a_subgraph_is_down(gateway, client, identity_server):
    """An operation with `check` gets no data at all on any error: nothing that reads as CLEAR."""
    with stopped(identity_server):
        body = client.post(gateway.url, json=CHECK_AND_SUBJECT, headers=bearer()).json()
    assert body["data"] is None, body
    assert "UNAVAILABLE" in codes(body)
    assert "CLEAR" not in str(body)


def test_check_with_other_fields_answers_when_all_is_up(gateway, client):
    body = client.post(gateway.url, json=CHECK_AND_SUBJECT, headers=bearer()).json()
    assert "errors" not in body, body
    assert body["data"]["check"] == {"status": "CLEAR"}


def test_check_alone_with_its_subgraph_stopped_is_unavailable(gateway, client, probe_server):
    query = {"query": CHECK_AND_SUBJECT["query"].split(" subject")[0] + " }",
             "variables": {"p": "AIR_TRAVEL"}}
    with stopped(probe_server):
        body = client.post(gateway.url, json=query, headers=bearer()).json()
    assert body.get("data") is None, body
    assert codes(body) == ["UNAVAILABLE"]


async def test_statement_timeout_is_unavailable_not_internal(edge_db_url):
    """PostgreSQL's statement_timeout cancels a slow statement; the answer is UNAVAILABLE."""
    from tests.edge.edge_probe import create_app

    app = create_app(service_settings(CommonSettings, edge_db_url, statement_timeout_ms=100))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe") as http:
            headers = {**bearer(), SECRET_HEADER: GATEWAY_SECRET, "x-request-id": "slow-sql-1"}
            body = (await http.post("/graphql", json={"query": "{ sqlSleep(ms: 2000) }"},
                                    headers=headers)).json()
            assert codes(body) == ["UNAVAILABLE"], body
            assert body["errors"][0]["extensions"]["requestId"] == "slow-sql-1"
            body = (await http.post("/graphql", json={"query": "{ sqlSleep(ms: 10) }"},
                                    headers=headers)).json()
            assert body == {"data": {"sqlSleep": "slept"}}
