"""Shared fixtures: a PostgreSQL server per session, a migrated database per test."""

from __future__ import annotations

import os

import pytest

from devtools.testing import TestServer
from libs.common import migrate
from libs.common.auth import mint_token
from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET, GATEWAY_SECRET_HEADER

os.environ.setdefault("XINYONG_ENVIRONMENT", "test")


@pytest.fixture(scope="session")
async def pg_server():
    server = TestServer.start()
    # XINYONG_TEST_SERVICES=identity,records limits which migrations build the template.
    only = os.environ.get("XINYONG_TEST_SERVICES")
    await server.build_template(tuple(only.split(",")) if only else migrate.SERVICES)
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def db_url(pg_server):
    """A fresh database built by the real migrations, dropped after the test."""
    url = await pg_server.fresh_database()
    try:
        yield url
    finally:
        await pg_server.drop(url)


def token(sub: str = "tester", roles=("admin",), purposes=(), agency=None) -> str:
    """A development token for tests."""
    return mint_token(sub, list(roles), list(purposes), agency, secret=DEV_JWT_SECRET)


def auth_headers(**kwargs) -> dict[str, str]:
    """Headers a gateway would send: the bearer token and the shared secret."""
    return {"authorization": f"Bearer {token(**kwargs)}", GATEWAY_SECRET_HEADER: DEV_GATEWAY_SECRET}


@pytest.fixture
def headers():
    return auth_headers
