"""Read replicas: a real streaming replica (pg_basebackup -R) behind a service's read-only DSN.

`create_service_app` builds a second engine from XINYONG_READ_DATABASE_URL; the read path
(`app.state.read_sessionmaker`, which sanctions uses for check, screen and restrictionChanges)
goes to the replica, everything else to the primary.
"""

from __future__ import annotations

import asyncio
import shutil
import time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from devtools.pgembed import start_replica, throwaway
from devtools.testing import asyncpg_kwargs, with_database
from libs.common import migrate
from libs.common.identifiers import make_uscc
from tests.edge.edge_harness import GATEWAY_SECRET, SECRET_HEADER, bearer

DATABASE = "xy_replicated"


@pytest.fixture(scope="module")
async def replicated():
    """A primary with a migrated database, and a streaming replica of it."""
    import asyncpg

    primary, primary_base = throwaway()
    replica = replica_base = None
    try:
        primary.start()
        conn = await asyncpg.connect(**asyncpg_kwargs(primary.dsn))
        try:
            await conn.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            await conn.close()
        primary_url = with_database(primary.dsn, DATABASE)
        await asyncio.to_thread(migrate.upgrade, primary_url, migrate.SERVICES)
        started = time.monotonic()
        replica, replica_base = await asyncio.to_thread(start_replica, primary)
        print(f"streaming replica started in {time.monotonic() - started:.1f} s")
        yield primary_url, with_database(replica.dsn, DATABASE), primary
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()
        for base in (replica_base, primary_base):
            if base is not None:
                shutil.rmtree(base, ignore_errors=True)


async def _eventually(probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.05)


async def test_reads_from_the_replica_and_writes_to_the_primary(replicated):
    from services.identity.app import create_app
    from services.identity.config import IdentitySettings

    primary_url, replica_url, _ = replicated
    settings = IdentitySettings(database_url=primary_url, read_database_url=replica_url,
                                environment="test", gateway_secret=GATEWAY_SECRET)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        state = app.state
        async with state.sessionmaker() as s:
            assert await s.scalar(text("select pg_is_in_recovery()")) is False
        async with state.read_sessionmaker() as s:
            assert await s.scalar(text("select pg_is_in_recovery()")) is True

        # A write through the service's API lands on the primary ...
        code = make_uscc("9", "1", "110105", "MA0REPL1")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as http:
            headers = {**bearer(secret=settings.jwt_secret), SECRET_HEADER: GATEWAY_SECRET}
            response = await http.post("/graphql", headers=headers, json={
                "query": "mutation($i: RegisterSubjectInput!) { registerSubject(input: $i) { code } }",
                "variables": {"i": {"code": code, "kind": "ENTERPRISE", "name": "副本测试有限公司"}}})
            assert response.json() == {"data": {"registerSubject": {"code": code}}}, response.text

        async def on_replica():
            async with state.read_sessionmaker() as s:
                return await s.scalar(text("select name from identity.subjects where code = :c"),
                                      {"c": code})

        # ... and is read back from the replica once streamed.
        assert await _eventually(on_replica) == "副本测试有限公司"

        async with state.sessionmaker() as s:
            senders = await s.scalar(text(
                "select count(*) from pg_stat_replication where state = 'streaming'"))
            assert senders == 1

        # The read-only DSN cannot write: it really is the standby.
        with pytest.raises(DBAPIError, match="read-only transaction"):
            async with state.read_sessionmaker() as s:
                await s.execute(text("update identity.subjects set name = 'x' where code = :c"),
                                {"c": code})


AIRLINE = {"sub": "china-eastern", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
ORG = "91350100M000100Y43"


async def _sessions_named(url: str, name: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(**asyncpg_kwargs(url))
    try:
        return await conn.fetchval(
            "select count(*) from pg_stat_activity where application_name = $1 and datname = $2",
            name, DATABASE)
    finally:
        await conn.close()


async def test_sanctions_serves_check_screen_and_changes_from_the_replica(replicated):
    pytest.importorskip("services.sanctions.app")
    from services.sanctions.app import create_app
    from services.sanctions.config import SanctionsSettings

    primary_url, _, primary = replicated
    # A replica of its own: this test stops it to show the read path failing closed.
    replica, replica_base = await asyncio.to_thread(start_replica, primary)
    try:
        replica_url = with_database(replica.dsn, DATABASE)
        settings = SanctionsSettings(database_url=primary_url, read_database_url=replica_url,
                                     environment="test", gateway_secret=GATEWAY_SECRET,
                                     records_events_poll_seconds=0, audit_flush_seconds=0.1)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sanctions") as http:
                headers = {**bearer(secret=settings.jwt_secret, **AIRLINE),
                           SECRET_HEADER: GATEWAY_SECRET}

                async def gql(query: str, variables: dict) -> dict:
                    response = await http.post("/graphql", headers=headers,
                                               json={"query": query, "variables": variables})
                    return response.json()

                check = await gql("query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) "
                                  "{ status reference } }", {"c": ORG})
                assert check["data"]["check"]["status"] == "CLEAR", check
                screen = await gql("query($c: [ID!]!) { screen(codes: $c, purpose: AIR_TRAVEL) "
                                   "{ checked } }", {"c": [ORG]})
                assert screen["data"]["screen"]["checked"] == 1, screen
                feed = await gql("{ restrictionChanges(purpose: AIR_TRAVEL) { hasMore } }", {})
                assert feed["data"]["restrictionChanges"]["hasMore"] is False, feed

                # The reads ran on the replica's connections; none on the primary's.
                assert await _sessions_named(replica_url, "xinyong-sanctions-read") >= 1
                assert await _sessions_named(primary_url, "xinyong-sanctions-read") == 0

                # The check audit (a write) lands on the primary.
                reference = check["data"]["check"]["reference"]

                async def audited():
                    async with app.state.sessionmaker() as s:
                        return await s.scalar(text(
                            "select outcome from sanctions.check_audit where id = :id"),
                            {"id": reference})
                assert await _eventually(audited) == "CLEAR"

                # With the replica gone, check fails closed: UNAVAILABLE, never CLEAR.
                replica.stop()
                body = await gql("query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) "
                                 "{ status } }", {"c": ORG})
                assert body.get("data") is None, body
                assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAVAILABLE"], body
    finally:
        replica.stop()
        shutil.rmtree(replica_base, ignore_errors=True)
