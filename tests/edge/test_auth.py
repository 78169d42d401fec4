"""Auth at the edge and again in the subgraphs: tokens, roles, purposes and the shared secret."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.edge.edge_harness import GATEWAY_SECRET, JWT_SECRET, SECRET_HEADER, bearer, token

ORG = "91350100M000100Y43"
SUBJECT = '{ subject(code: "%s") { name } }' % ORG


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def test_missing_token_is_unauthenticated(gateway, client):
    body = client.post(gateway.url, json={"query": SUBJECT}).json()
    assert codes(body) == ["UNAUTHENTICATED"], body
    assert body["data"] == {"subject": None}


def signed(claims: dict) -> str:
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")


NOW = int(time.time())
BAD_AUTHORIZATIONS = {
    "expired": f"Bearer {token(exp=NOW - 60)}",
    "forged": f"Bearer {token(secret='forged-key-0123456789abcdef-0123456789abcdef')}",
    "alg-none": "Bearer " + jwt.encode({"sub": "x", "roles": ["admin"], "exp": NOW + 600},
                                       key=None, algorithm="none"),
    "garbage": "Bearer not-a-jwt",
    "no-exp": "Bearer " + signed({"sub": "x", "roles": ["admin"]}),
    "no-sub": "Bearer " + signed({"roles": ["admin"], "exp": NOW + 600}),
    "integer-sub": "Bearer " + signed({"sub": 42, "roles": ["admin"], "exp": NOW + 600}),
    "empty-sub": "Bearer " + signed({"sub": "", "roles": ["admin"], "exp": NOW + 600}),
    "future-iat": "Bearer " + signed({"sub": "x", "roles": ["admin"], "iat": NOW + 3600,
                                      "exp": NOW + 7200}),
    "roles-not-a-list": "Bearer " + signed({"sub": "x", "roles": "admin", "exp": NOW + 600}),
    "not-yet-valid": "Bearer " + signed({"sub": "x", "roles": ["admin"], "nbf": NOW + 3600,
                                         "exp": NOW + 7200}),
    "lower-case-scheme": f"bearer {token()}",
    "basic": "Basic ZWRnZTp0ZXN0ZXI=",
    "scheme-only": "Bearer",
    "two-tokens": f"Bearer {token()} {token()}",
}


@pytest.mark.parametrize("authorization", list(BAD_AUTHORIZATIONS.values()),
                         ids=list(BAD_AUTHORIZATIONS))
def test_bad_token_is_refused_at_the_edge(gateway, client, authorization):
    response = client.post(gateway.url, json={"query": SUBJECT},
                           headers={"authorization": authorization})
    assert response.status_code == 401, response.text
    assert codes(response.json()) == ["UNAUTHENTICATED"]
    assert response.json()["errors"][0]["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", [BAD_AUTHORIZATIONS["no-exp"],
                                           BAD_AUTHORIZATIONS["basic"]], ids=["no-exp", "basic"])
def test_bad_token_is_refused_on_a_get_too(gateway, client, authorization):
    response = client.get(gateway.url, params={"query": "{ whoami }"},
                          headers={"authorization": authorization})
    assert response.status_code == 401, response.text
    assert codes(response.json()) == ["UNAUTHENTICATED"]


def test_a_remembered_token_is_refused_once_it_expires(gateway, client):
    """Verified tokens are remembered, but never past their `exp`."""
    short = {"authorization": f"Bearer {token(exp=int(time.time()) + 2)}"}
    assert client.post(gateway.url, json={"query": "{ whoami }"}, headers=short).json() == {
        "data": {"whoami": "edge-tester"}}
    time.sleep(2.5)
    response = client.post(gateway.url, json={"query": "{ whoami }"}, headers=short)
    assert response.status_code == 401, response.text
    assert "expired" in response.json()["errors"][0]["message"]


def test_a_token_like_a_remembered_one_is_still_verified(gateway, client):
    genuine = token(sub="airline-ca")
    assert client.post(gateway.url, json={"query": "{ whoami }"},
                       headers={"authorization": f"Bearer {genuine}"}).status_code == 200
    header, payload, _ = genuine.split(".")
    other = token(sub="airline-ca", secret="forged-key-0123456789abcdef-0123456789abcdef")
    response = client.post(gateway.url, json={"query": "{ whoami }"},
                           headers={"authorization": f"Bearer {header}.{payload}.{other.split('.')[2]}"})
    assert response.status_code == 401, response.text


def test_valid_token_passes_through(gateway, client):
    body = client.post(gateway.url, json={"query": "{ whoami }"},
                       headers=bearer(sub="airline-ca")).json()
    assert body == {"data": {"whoami": "airline-ca"}}


def test_wrong_role_is_forbidden(gateway, client):
    query = '{ subjects(nameContains: "科技") { nodes { name } } }'
    body = client.post(gateway.url, json={"query": query},
                       headers=bearer(roles=["consumer"], purposes=["AIR_TRAVEL"])).json()
    assert codes(body) == ["FORBIDDEN"], body
    body = client.post(gateway.url, json={"query": "{ adminOnly }"},
                       headers=bearer(roles=["analyst"])).json()
    assert codes(body) == ["FORBIDDEN"], body


CHECK = 'query($p: ProbePurpose!) { check(code: "%s", purpose: $p) { status } }' % ORG


def test_purpose_outside_the_token_is_forbidden(gateway, client):
    consumer = bearer(roles=["consumer"], purposes=["AIR_TRAVEL"])
    body = client.post(gateway.url, json={"query": CHECK, "variables": {"p": "RAIL_TRAVEL"}},
                       headers=consumer).json()
    assert codes(body) == ["FORBIDDEN_PURPOSE"], body
    assert body.get("data") is None
    body = client.post(gateway.url, json={"query": CHECK, "variables": {"p": "AIR_TRAVEL"}},
                       headers=consumer).json()
    assert body == {"data": {"check": {"status": "CLEAR"}}}


@pytest.mark.parametrize("query", ["{ _service { sdl } }",
                                   '{ _entities(representations: [{__typename: "Subject", '
                                   'code: "%s"}]) { ... on Subject { name } } }' % ORG])
@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_direct_subgraph_call_without_the_secret_is_refused(identity_server, client, query, secret):
    headers = bearer()
    if secret:
        headers[SECRET_HEADER] = secret
    response = client.post(identity_server.url, json={"query": query}, headers=headers)
    assert response.status_code == 403
    assert codes(response.json()) == ["FORBIDDEN"]


def test_subgraph_verifies_the_token_again(identity_server, client):
    forged = token(secret="forged-key-0123456789abcdef-0123456789abcdef")
    response = client.post(identity_server.url, json={"query": SUBJECT},
                           headers={"authorization": f"Bearer {forged}", SECRET_HEADER: GATEWAY_SECRET})
    assert codes(response.json()) == ["UNAUTHENTICATED"]
    genuine = token(secret=JWT_SECRET)
    response = client.post(identity_server.url, json={"query": SUBJECT},
                           headers={"authorization": f"Bearer {genuine}", SECRET_HEADER: GATEWAY_SECRET})
    assert "errors" not in response.json()
