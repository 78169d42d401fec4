"""Generated requests through the real gateway and the three real services: none is answered
with a server error, and every error carries a code.

hypothesis-graphql writes documents from the composed public schema (introspected from the
gateway): valid ones with argument values drawn from the demo data and from hostile values
(bad timestamps, forged ids and cursors, full-width digits, long and odd strings), and invalid
ones (wrong types, missing arguments). They go out as the roles that may do most — an admin and an
authority — and as a consumer. The run is bounded (a few hundred documents, about a minute)."""

from __future__ import annotations

import collections
from collections.abc import Iterator

import httpx
import pytest
from graphql import build_client_schema, get_introspection_query, print_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema
from hypothesis_graphql import nodes as gnodes

from libs.common.auth import mint_token
from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET
from services.gateway import launcher
from services.gateway.subgraphs import Subgraph
from services.identity.demo import FEATURED_COMPANY, FEATURED_PERSON
from tests.edge.edge_harness import ServerThread, compose, running_gateway

CALLERS = {
    "admin": mint_token("gen-admin", ["admin"], secret=DEV_JWT_SECRET),
    "authority": mint_token("gen-spc", ["authority"], [], "SPC", secret=DEV_JWT_SECRET),
    "consumer": mint_token("gen-airline", ["consumer"], ["AIR_TRAVEL"], secret=DEV_JWT_SECRET),
}
IDS = [FEATURED_COMPANY, FEATURED_PERSON, "91110105MA01DEM07X", "110105********2139",
       "SPC_DISHONEST_DEBTORS", "RAILWAY_DISHONEST", "SPC", "1", "12", "１２",
       "99999999999999999999", "rc:99999999999999999999", "-1", "00000000-0000-0000-0000-000000000000",
       "not-a-uuid", "x" * 300, "'; drop table x; --"]
SCALARS = {
    "ID": st.sampled_from(IDS).map(gnodes.String),
    "DateTime": st.sampled_from(["2026-12-03T10:00:00+08:00", "2020-01-01T00:00:00Z", "now", "",
                                 "2026-12-03", "2026-12-03T10:00:00", "0001-01-01T00:00:00+14:00",
                                 "9999-12-31T23:59:59-14:00"]).map(gnodes.String),
    "Date": st.sampled_from(["2026-12-03", "1949-09-30", "2199-12-31", "2026-02-30", "x"]
                            ).map(gnodes.String),
    "Decimal": st.sampled_from(["100000.00", "-1", "1e400", "NaN", "abc"]).map(gnodes.String),
    "_Any": st.just(gnodes.Object([])),
}


@pytest.fixture(scope="module")
async def demo_db_url(pg_server):
    url = await pg_server.fresh_database()
    try:
        yield url
    finally:
        await pg_server.drop(url)


@pytest.fixture(scope="module")
def generated_stack(demo_db_url, tmp_path_factory) -> Iterator[str]:
    """The three services on the development secrets, the demo data, and the gateway."""
    import asyncio

    from services.identity.app import create_app as identity_app
    from services.identity.config import IdentitySettings
    from services.records.app import create_app as records_app
    from services.records.config import RecordsSettings
    from services.sanctions.app import create_app as sanctions_app
    from services.sanctions.config import SanctionsSettings
    from xinyong.demo import load

    try:
        launcher.node_bin()
    except launcher.GatewayError as exc:
        pytest.skip(f"Node.js is not available: {exc}")
    common = {"database_url": demo_db_url, "environment": "test"}
    identity = ServerThread(identity_app(IdentitySettings(**common))).start()
    origin = lambda s: f"http://127.0.0.1:{s.port}"  # noqa: E731
    records = ServerThread(records_app(RecordsSettings(
        **common, identity_internal_url=origin(identity)))).start()
    sanctions = ServerThread(sanctions_app(SanctionsSettings(
        **common, identity_internal_url=origin(identity), records_internal_url=origin(records),
        records_events_poll_seconds=0, audit_flush_seconds=0.2))).start()
    servers = [identity, records, sanctions]
    try:
        asyncio.run(load(demo_db_url, {"identity": origin(identity), "records": origin(records),
                                       "sanctions": origin(sanctions)}))
        work = tmp_path_factory.mktemp("generated")
        supergraph = compose(work, [
            Subgraph(n, f"services.{n}.schema:schema", "http://127.0.0.1:9/graphql")
            for n in ("identity", "records", "sanctions")])
        env = {"XINYONG_IDENTITY_URL": identity.url, "XINYONG_RECORDS_URL": records.url,
               "XINYONG_SANCTIONS_URL": sanctions.url, "XINYONG_GATEWAY_SECRET": DEV_GATEWAY_SECRET,
               "XINYONG_JWT_SECRET": DEV_JWT_SECRET}
        with running_gateway(supergraph, work, env) as gateway:
            yield gateway.url
    finally:
        for server in reversed(servers):
            server.stop()


def _public_sdl(client: httpx.Client, url: str) -> str:
    body = client.post(url, json={"query": get_introspection_query()},
                       headers={"authorization": "Bearer " + CALLERS["admin"]}).json()
    return print_schema(build_client_schema(body["data"]))


def _run(url: str, mode: Mode, examples: int) -> tuple[collections.Counter, list]:
    client = httpx.Client(timeout=30.0, trust_env=False)
    documents = from_schema(_public_sdl(client, url), custom_scalars=SCALARS, mode=mode)
    seen: collections.Counter = collections.Counter()
    failures: list = []

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(documents, st.sampled_from(sorted(CALLERS)))
    def send(document: str, caller: str) -> None:
        response = client.post(url, json={"query": document},
                               headers={"authorization": "Bearer " + CALLERS[caller]})
        seen[response.status_code] += 1
        body = response.json() if response.content else {}
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        seen.update(codes)
        if response.status_code >= 500 or "INTERNAL_SERVER_ERROR" in codes or None in codes:
            failures.append((caller, document, response.status_code, body))

    try:
        send()
    finally:
        client.close()
    return seen, failures


@pytest.mark.parametrize("mode,examples", [(Mode.POSITIVE, 500), (Mode.NEGATIVE, 150)],
                         ids=["valid-documents", "invalid-documents"])
def test_generated_requests_get_no_server_error_and_every_error_a_code(generated_stack, mode,
                                                                        examples):
    seen, failures = _run(generated_stack, mode, examples)
    assert not failures, (f"{len(failures)} answers without a typed error; first: "
                          f"{failures[0]}")
    answered = sum(n for k, n in seen.items() if isinstance(k, int))
    assert answered >= examples // 2, seen  # the run really went through the gateway
