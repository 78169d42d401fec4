"""The bulk endpoints on the public endpoint's host and port: the edge's auth, limits and request
ids, and the body streamed through to the owning subgraph, never held in the gateway."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.edge.edge_harness import BULK_CHUNK, MAX_BULK_BYTES, bearer, stopped
from tests.identity.factories import org_code
from tests.records.factories import record

NDJSON = {"content-type": "application/x-ndjson"}
ADMIN = {"sub": "bulk-admin", "roles": ["admin"]}
SAMR = {"sub": "samr-official", "roles": ["authority"], "agency": "SAMR"}


def origin(gateway) -> str:
    return gateway.url.removesuffix("/graphql")


def subject_line(code: str, name: str = "批量登记有限公司") -> bytes:
    return json.dumps({"code": code, "kind": "ENTERPRISE", "name": name},
                      ensure_ascii=False).encode() + b"\n"


def test_subjects_are_registered_through_the_gateway(stack, client):
    codes = [org_code(9100 + i) for i in range(3)]
    body = b"".join(subject_line(c) for c in codes) + b'{"code": "bad"}\n'
    response = client.post(f"{origin(stack)}/subjects/bulk", content=body,
                           headers={**bearer(**ADMIN), **NDJSON, "x-request-id": "bulk-subjects-1"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["lines"], result["created"]) == (4, 3), result
    assert [e["line"] for e in result["rejected"]] == [4]
    assert response.headers["x-request-id"] == "bulk-subjects-1"
    again = client.post(f"{origin(stack)}/subjects/bulk", content=body,
                        headers={**bearer(**ADMIN), **NDJSON}).json()
    assert (again["created"], again["unchanged"]) == (0, 3), again  # idempotent on the code


def test_records_are_submitted_through_the_gateway_as_the_tokens_agency(stack, client):
    company = org_code(9200)
    client.post(f"{origin(stack)}/subjects/bulk", content=subject_line(company),
                headers={**bearer(**ADMIN), **NDJSON}).raise_for_status()
    lines = b"".join(json.dumps(record(f"EDGE-BULK-{i}", company), ensure_ascii=False).encode()
                     + b"\n" for i in range(2))
    response = client.post(f"{origin(stack)}/records/bulk", content=lines,
                           headers={**bearer(**SAMR), **NDJSON})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2, response.json()
    forbidden = client.post(f"{origin(stack)}/records/bulk", content=lines,
                            headers={**bearer(roles=["consumer"]), **NDJSON})
    assert forbidden.status_code == 403  # the subgraph's own role rule, passed through
    assert forbidden.json()["error"]["code"] == "FORBIDDEN"


def test_listings_bulk_is_routed_to_sanctions(stack, client, sanctions_server):
    with stopped(sanctions_server):
        response = client.post(f"{origin(stack)}/listings/bulk", content=b"{}\n",
                               headers={**bearer(**SAMR), **NDJSON})
    assert response.status_code == 503, response.text
    assert response.json()["error"] == {
        "message": "The sanctions service is unavailable; try again later.",
        "code": "UNAVAILABLE", "service": "sanctions"}


@pytest.mark.parametrize("headers, message", [
    ({}, "needs a bearer token"),
    ({"authorization": "Basic YTpi"}, "Bearer <token>"),
    (bearer(exp=int(time.time()) - 10), "expired"),
], ids=["no-token", "basic", "expired"])
def test_bulk_without_a_valid_token_is_refused_at_the_edge(stack, client, identity_server,
                                                           headers, message):
    with stopped(identity_server):  # nothing may reach the subgraph
        response = client.post(f"{origin(stack)}/subjects/bulk", content=subject_line(org_code(9300)),
                               headers={**headers, **NDJSON})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert message in response.json()["error"]["message"]


def test_a_bulk_body_declared_over_the_limit_is_refused_before_it_is_sent(stack, identity_server):
    with stopped(identity_server):
        with httpx.Client(timeout=20, trust_env=False) as http:
            response = http.post(f"{origin(stack)}/subjects/bulk",
                                 content=b"x" * (MAX_BULK_BYTES + 1),
                                 headers={**bearer(**ADMIN), **NDJSON})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "LIMIT_EXCEEDED"


def test_a_streamed_bulk_body_over_the_limit_is_cut(stack):
    def chunks():
        line = subject_line(org_code(9400), name="过大" * 200)
        for _ in range(MAX_BULK_BYTES // len(line) + 50):
            yield line

    with httpx.Client(timeout=20, trust_env=False) as http:
        response = http.post(f"{origin(stack)}/subjects/bulk", content=chunks(),
                             headers={**bearer(**ADMIN), **NDJSON})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "LIMIT_EXCEEDED"


def test_the_body_streams_through_while_it_is_sent(stack):
    """The first chunk is committed by identity while the client is still sending: the gateway
    holds no whole body. The client waits for it (at most 20 s) before sending the rest."""
    first = [org_code(9500 + i) for i in range(BULK_CHUNK)]
    rest = [org_code(9600 + i) for i in range(3)]
    seen = {}

    def visible(code: str) -> bool:
        with httpx.Client(timeout=5, trust_env=False) as http:
            body = http.post(stack.url, json={"query": '{ subject(code: "%s") { code } }' % code},
                             headers=bearer(**ADMIN)).json()
        return bool(body.get("data", {}).get("subject"))

    def chunks():
        yield b"".join(subject_line(c) for c in first)
        yield subject_line(rest[0])  # past the chunk: identity commits the first one
        deadline = time.monotonic() + 20
        while not visible(first[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        seen["mid-stream"] = visible(first[0])
        yield b"".join(subject_line(c) for c in rest[1:])

    with httpx.Client(timeout=60, trust_env=False) as http:
        response = http.post(f"{origin(stack)}/subjects/bulk", content=chunks(),
                             headers={**bearer(**ADMIN), **NDJSON})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == BULK_CHUNK + 3
    assert seen["mid-stream"], "the first chunk was not committed before the body ended"


def test_bulk_takes_post_only(stack, client):
    response = client.get(f"{origin(stack)}/records/bulk", headers=bearer(**SAMR))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
