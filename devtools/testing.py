"""Test databases: a server (DATABASE_URL or a throwaway one), a migrated template, a copy per test."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from devtools.pgembed import EmbeddedPostgres, throwaway
from libs.common import migrate


def asyncpg_kwargs(dsn: str) -> dict:
    url = make_url(dsn.replace("+asyncpg", ""))
    kwargs: dict = {"user": url.username, "password": url.password, "database": url.database}
    host = url.query.get("host") or url.host
    kwargs["host"] = host
    if url.port:
        kwargs["port"] = url.port
    return {k: v for k, v in kwargs.items() if v is not None}


def with_database(dsn: str, name: str) -> str:
    """The same server DSN pointing at database `name`, as an asyncpg SQLAlchemy URL."""
    url = make_url(dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
                   if dsn.startswith("postgresql://") else dsn)
    return url.set(database=name).render_as_string(hide_password=False)


@dataclass
class TestServer:
    """A PostgreSQL server for one test session and the databases made on it."""

    dsn: str
    embedded: EmbeddedPostgres | None = None
    base_dir: Path | None = None
    template: str | None = None
    created: list[str] = field(default_factory=list)

    @classmethod
    def start(cls) -> "TestServer":
        """Use DATABASE_URL when set; otherwise start a throwaway server."""
        dsn = os.environ.get("DATABASE_URL")
        if dsn:
            return cls(dsn=dsn)
        server, base = throwaway()
        return cls(dsn=server.start(), embedded=server, base_dir=base)

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(**asyncpg_kwargs(self.dsn))

    async def build_template(self, services: tuple[str, ...] = migrate.SERVICES) -> str:
        """Create a database and run every service's real migrations on it."""
        import asyncio

        name = f"xy_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        conn = await self._admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self.created.append(name)
        await asyncio.to_thread(migrate.upgrade, with_database(self.dsn, name), services)
        self.template = name
        return name

    async def fresh_database(self) -> str:
        """A new database copied from the migrated template; returns its asyncpg URL."""
        assert self.template, "build_template() first"
        name = f"xy_t_{uuid.uuid4().hex[:10]}"
        conn = await self._admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        finally:
            await conn.close()
        self.created.append(name)
        return with_database(self.dsn, name)

    async def drop(self, url: str) -> None:
        name = make_url(url).database
        conn = await self._admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        if name in self.created:
            self.created.remove(name)

    async def close(self) -> None:
        """Drop every database this session made; stop the throwaway server."""
        if self.embedded is None:
            conn = await self._admin()
            try:
                for name in reversed(self.created):
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()
        else:
            self.embedded.stop()
            if self.base_dir is not None:
                shutil.rmtree(self.base_dir, ignore_errors=True)
        self.created.clear()


class GraphQLClient:
    """Sends GraphQL to an app the way the gateway would: bearer token plus shared secret."""

    def __init__(self, http, path: str = "/graphql") -> None:
        self.http = http
        self.path = path

    async def post(self, query: str, variables: dict | None = None, *, headers: dict | None = None):
        return await self.http.post(self.path, json={"query": query, "variables": variables or {}},
                                    headers=headers or {})

    async def execute(self, query: str, variables: dict | None = None, *, as_=None,
                      headers: dict | None = None) -> dict:
        """Run a query as the principal `as_` (kwargs for a token); returns the JSON body."""
        from libs.common.auth import mint_token
        from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET, GATEWAY_SECRET_HEADER

        hdrs = {GATEWAY_SECRET_HEADER: DEV_GATEWAY_SECRET}
        if as_ is not None:
            as_ = {"sub": "tester", **as_}
            hdrs["authorization"] = "Bearer " + mint_token(
                as_["sub"], list(as_.get("roles", ())), list(as_.get("purposes", ())),
                as_.get("agency"), secret=DEV_JWT_SECRET)
        hdrs.update(headers or {})
        response = await self.post(query, variables, headers=hdrs)
        return response.json()


def error_codes(body: dict) -> list[str]:
    """The `extensions.code` of each error in a GraphQL response."""
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
