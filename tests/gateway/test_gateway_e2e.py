"""End to end: a client -> Hive Gateway (Rust planner, our config) -> a Strawberry subgraph.

Starts a small federation subgraph (defined here) with uvicorn on a free port,
composes a supergraph for it in a temp dir, starts the real gateway process on
another free port, and checks routing, header propagation and edge auth.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
import strawberry
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import Info

from services.gateway import launcher
from services.gateway.sdl import export_sdl
from services.gateway.subgraphs import Subgraph

GATEWAY_SECRET = "e2e-gateway-secret-0123456789abcdef"
JWT_SECRET = "e2e-jwt-secret-0123456789abcdef-0123456789"
SECRET_HEADER = "x-xinyong-gateway-secret"
STARTUP_TIMEOUT = 90.0
REQUEST_TIMEOUT = 20.0


# --------------------------------------------------------------------- subgraph


@strawberry.federation.type(keys=["code"])
class Subject:
    code: strawberry.ID
    name: str
    authorization: str | None = None  # echo of the Authorization header the subgraph got

    @classmethod
    def resolve_reference(cls, info: Info, code: strawberry.ID) -> "Subject":
        return _subject(code, info)


def _subject(code: strawberry.ID, info: Info) -> Subject:
    headers = info.context["request"].headers
    return Subject(code=code, name=f"Subject {code}", authorization=headers.get("authorization"))


@strawberry.type
class Query:
    @strawberry.field
    def subject(self, code: strawberry.ID, info: Info) -> Subject | None:
        return _subject(code, info)


schema = strawberry.federation.Schema(query=Query, federation_version="2.9")


@strawberry.type
class OfflineQuery:
    @strawberry.field
    def offline_ping(self) -> str:
        return "pong"


# Composed into the supergraph but never started: its URL refuses connections.
offline_schema = strawberry.federation.Schema(query=OfflineQuery, federation_version="2.9")


class RecordingSecretCheck:
    """Records every request's headers; refuses those without the gateway secret."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append(headers)
        if headers.get(SECRET_HEADER) != GATEWAY_SECRET:
            body = b'{"errors":[{"message":"gateway secret missing or wrong"}]}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _free_port() -> int:
    with _listening_socket() as sock:
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def subgraph() -> Iterator[tuple[str, RecordingSecretCheck]]:
    app = RecordingSecretCheck(GraphQL(schema))
    sock = _listening_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fixture subgraph did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/graphql", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# ---------------------------------------------------------------------- gateway


@pytest.fixture(scope="module")
def gateway(subgraph, tmp_path_factory) -> Iterator[str]:
    try:
        launcher.node_bin()
    except launcher.GatewayError as exc:
        pytest.skip(f"Node.js is not available: {exc}")
    launcher.ensure_installed()
    subgraph_url, _ = subgraph
    work: Path = tmp_path_factory.mktemp("gateway")
    # Compose with a dead URL: the gateway must reach the subgraph through the
    # XINYONG_IDENTITY_URL override, as `make run` and deployments do.
    offline_url = f"http://127.0.0.1:{_free_port()}/graphql"
    export_sdl(
        work / "subgraphs",
        [
            Subgraph("identity", schema, "http://127.0.0.1:9/graphql"),
            Subgraph("offline", offline_schema, offline_url),
        ],
    )
    composed = launcher.run_compose(work / "subgraphs", work / "supergraph.graphql")
    assert composed.returncode == 0, composed.stderr

    port = _free_port()
    env = launcher.gateway_env(
        {
            **os.environ,
            "XINYONG_IDENTITY_URL": subgraph_url,
            "XINYONG_GATEWAY_SECRET": GATEWAY_SECRET,
            "XINYONG_JWT_SECRET": JWT_SECRET,
            "XINYONG_GATEWAY_HOST": "127.0.0.1",
            "XINYONG_GATEWAY_PORT": str(port),
            "XINYONG_ENVIRONMENT": "test",
            "NO_COLOR": "1",
            "PORT": "1",  # the CLI's own PORT env must not win over ours
        }
    )
    log_path = work / "gateway.log"
    with open(log_path, "wb") as log:
        process = launcher.start(
            supergraph=work / "supergraph.graphql", env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        started = time.monotonic()
        try:
            launcher.wait_ready(url, timeout=STARTUP_TIMEOUT, process=process)
        except launcher.GatewayError as exc:
            pytest.fail(f"{exc}\n--- gateway log ---\n{log_path.read_text(errors='replace')[-4000:]}")
        print(f"gateway ready in {time.monotonic() - started:.1f} s")
        yield url
    finally:
        launcher.stop(process, timeout=10)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=REQUEST_TIMEOUT, trust_env=False) as c:
        yield c


def _token(secret: str = JWT_SECRET, **claims) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": "e2e", "roles": ["admin"], "iat": now, "exp": now + 300, **claims},
        secret,
        algorithm="HS256",
    )


QUERY = {"query": 'query { subject(code: "91350100M000100Y43") { code name authorization } }'}


def _new_requests(app: RecordingSecretCheck, before: int) -> list[dict[str, str]]:
    return app.requests[before:]


# ------------------------------------------------------------------------ tests


def test_query_routes_through_gateway_with_secret_and_authorization(gateway, subgraph, client):
    _, app = subgraph
    before = len(app.requests)
    bearer = f"Bearer {_token()}"
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = client.post(
        gateway, json=QUERY, headers={"authorization": bearer, "traceparent": traceparent}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["subject"] == {
        "code": "91350100M000100Y43",
        "name": "Subject 91350100M000100Y43",
        "authorization": bearer,
    }
    seen = _new_requests(app, before)
    assert len(seen) == 1
    assert seen[0][SECRET_HEADER] == GATEWAY_SECRET
    assert seen[0]["authorization"] == bearer
    assert seen[0]["traceparent"] == traceparent
    # A request id is generated, returned to the client and sent to the subgraph.
    request_id = response.headers.get("x-request-id")
    assert request_id
    assert seen[0]["x-request-id"] == request_id


def test_client_request_id_is_propagated_and_returned(gateway, subgraph, client):
    _, app = subgraph
    before = len(app.requests)
    request_id = f"e2e-{uuid.uuid4()}"
    response = client.post(gateway, json=QUERY, headers={"x-request-id": request_id})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["subject"]["authorization"] is None  # token optional at the edge
    assert response.headers["x-request-id"] == request_id
    seen = _new_requests(app, before)
    assert [r["x-request-id"] for r in seen] == [request_id]
    assert seen[0][SECRET_HEADER] == GATEWAY_SECRET
    assert "authorization" not in seen[0]


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-jwt",
        f"Bearer {_token(secret='some-other-key-0123456789abcdef-0123456789')}",
        f"Bearer {_token(exp=int(time.time()) - 60)}",
    ],
    ids=["garbage", "wrong-key", "expired"],
)
def test_invalid_token_is_rejected_at_the_edge(gateway, subgraph, client, authorization):
    _, app = subgraph
    before = len(app.requests)
    response = client.post(gateway, json=QUERY, headers={"authorization": authorization})
    assert response.status_code == 401, response.text
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers.get("x-request-id")
    assert _new_requests(app, before) == []


def test_rust_query_planner_is_used(gateway, client):
    response = client.post(gateway, json=QUERY, headers={"x-xinyong-query-plan": "1"})
    assert response.status_code == 200, response.text
    plan = response.json()["extensions"]["queryPlan"]
    assert plan["kind"] == "QueryPlan"
    assert plan["node"]["kind"] == "Fetch"
    assert plan["node"]["serviceName"] == "identity"


def test_unreachable_subgraph_is_unavailable_not_internal(gateway, client):
    response = client.post(gateway, json={"query": "{ offlinePing }"})
    body = response.json()
    assert body.get("data") is None, body
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE", body
    assert "offline" in body["errors"][0]["message"]


def test_subgraph_refuses_requests_without_the_secret(subgraph, client):
    url, _ = subgraph
    response = client.post(url, json={"query": "{ _service { sdl } }"})
    assert response.status_code == 403


def test_graphiql_served_outside_production(gateway, client):
    response = client.get(gateway, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
