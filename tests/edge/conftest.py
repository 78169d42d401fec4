"""Fixtures for edge tests: the real identity service and a probe subgraph behind the real gateway."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest

from edge_harness import Gateway, ServerThread, compose, running_gateway
from libs.common.settings import CommonSettings
from services.gateway import launcher
from services.gateway.subgraphs import Subgraph

GATEWAY_SECRET = "edge-gateway-secret-0123456789abcdef"
JWT_SECRET = "edge-jwt-secret-0123456789abcdef-0123456789"
SECRET_HEADER = "x-xinyong-gateway-secret"
UPSTREAM_TIMEOUT_MS = 1500


def token(secret: str = JWT_SECRET, **claims) -> str:
    """A signed token; claims override the defaults (sub, roles=admin, a 5-minute expiry)."""
    now = int(time.time())
    payload = {"sub": "edge-tester", "roles": ["admin"], "iat": now, "exp": now + 300, **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def bearer(**claims) -> dict[str, str]:
    return {"authorization": f"Bearer {token(**claims)}"}


def service_settings(cls, db_url: str, **overrides):
    return cls(database_url=db_url, environment="test", jwt_secret=JWT_SECRET,
               gateway_secret=GATEWAY_SECRET, **overrides)


@pytest.fixture(scope="session")
async def edge_db_url(pg_server):
    url = await pg_server.fresh_database()
    try:
        yield url
    finally:
        await pg_server.drop(url)


@pytest.fixture(scope="session")
def identity_server(edge_db_url) -> Iterator[ServerThread]:
    from services.identity.app import create_app
    from services.identity.config import IdentitySettings

    server = ServerThread(create_app(service_settings(IdentitySettings, edge_db_url))).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def probe_server(edge_db_url) -> Iterator[ServerThread]:
    from edge_probe import create_app

    server = ServerThread(create_app(service_settings(CommonSettings, edge_db_url))).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def edge_supergraph(tmp_path_factory):
    try:
        launcher.node_bin()
    except launcher.GatewayError as exc:
        pytest.skip(f"Node.js is not available: {exc}")
    work = tmp_path_factory.mktemp("edge")
    path = compose(work, [
        Subgraph("identity", "services.identity.schema:schema", "http://127.0.0.1:9/graphql"),
        Subgraph("probe", "edge_probe:schema", "http://127.0.0.1:9/graphql"),
    ])
    return work, path


def gateway_env(identity: ServerThread, probe: ServerThread, **extra: str) -> dict[str, str]:
    return {
        "XINYONG_IDENTITY_URL": identity.url,
        "XINYONG_PROBE_URL": probe.url,
        "XINYONG_GATEWAY_SECRET": GATEWAY_SECRET,
        "XINYONG_JWT_SECRET": JWT_SECRET,
        "XINYONG_GATEWAY_UPSTREAM_TIMEOUT_MS": str(UPSTREAM_TIMEOUT_MS),
        "XINYONG_GATEWAY_ALL_OR_NOTHING": "check",
        **extra,
    }


@pytest.fixture(scope="session")
def gateway(edge_supergraph, identity_server, probe_server) -> Iterator[Gateway]:
    work, supergraph = edge_supergraph
    with running_gateway(supergraph, work, gateway_env(identity_server, probe_server)) as gw:
        yield gw


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20.0, trust_env=False) as c:
        yield c


@contextlib.contextmanager
def stopped(server: ServerThread) -> Iterator[None]:
    """Stop a subgraph for the block, then start it again on the same port."""
    server.stop()
    try:
        yield
    finally:
        server.start()
