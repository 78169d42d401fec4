"""Fixtures for edge tests: the real identity service and a probe subgraph behind the real gateway."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from libs.common.settings import CommonSettings
from services.gateway import launcher
from services.gateway.subgraphs import Subgraph
from tests.edge.edge_harness import (
    BULK_CHUNK,
    MAX_BULK_BYTES,
    Gateway,
    ServerThread,
    compose,
    gateway_env,
    running_gateway,
    service_settings,
)


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

    # Small bulk chunks: the bulk route test sees the first chunk committed mid-stream.
    settings = service_settings(IdentitySettings, edge_db_url, bulk_chunk_size=BULK_CHUNK)
    server = ServerThread(create_app(settings)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def probe_server(edge_db_url) -> Iterator[ServerThread]:
    from tests.edge.edge_probe import create_app

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
        Subgraph("probe", "tests.edge.edge_probe:schema", "http://127.0.0.1:9/graphql"),
    ])
    return work, path


@pytest.fixture(scope="session")
def gateway(edge_supergraph, identity_server, probe_server) -> Iterator[Gateway]:
    work, supergraph = edge_supergraph
    with running_gateway(supergraph, work, gateway_env(identity_server, probe_server)) as gw:
        yield gw


# ------------------------------------------------------------------ the real three services


def _origin(server: ServerThread) -> str:
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture(scope="session")
def records_server(edge_db_url, identity_server) -> Iterator[ServerThread]:
    from services.records.app import create_app
    from services.records.config import RecordsSettings

    settings = service_settings(RecordsSettings, edge_db_url,
                                identity_internal_url=_origin(identity_server))
    server = ServerThread(create_app(settings)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sanctions_server(edge_db_url, identity_server, records_server) -> Iterator[ServerThread]:
    from services.sanctions.app import create_app
    from services.sanctions.config import SanctionsSettings

    settings = service_settings(SanctionsSettings, edge_db_url,
                                identity_internal_url=_origin(identity_server),
                                records_internal_url=_origin(records_server),
                                records_events_poll_seconds=0, audit_flush_seconds=0.2)
    server = ServerThread(create_app(settings)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, identity_server, records_server, sanctions_server,
          probe_server) -> Iterator[Gateway]:
    work = tmp_path_factory.mktemp("stack")
    supergraph = compose(work, [
        Subgraph(name, f"services.{name}.schema:schema", "http://127.0.0.1:9/graphql")
        for name in ("identity", "records", "sanctions")
    ])
    env = gateway_env(identity_server, probe_server,
                      XINYONG_RECORDS_URL=records_server.url,
                      XINYONG_SANCTIONS_URL=sanctions_server.url,
                      XINYONG_GATEWAY_MAX_BULK_BYTES=str(MAX_BULK_BYTES))
    env.pop("XINYONG_GATEWAY_ALL_OR_NOTHING")  # the default: check, screen, restrictionChanges
    with running_gateway(supergraph, work, env) as gw:
        yield gw


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20.0, trust_env=False) as c:
        yield c
