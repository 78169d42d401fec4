"""Shared fixtures: a PostgreSQL server per session, a migrated database per test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from libs.common import migrate
from libs.common.auth import mint_token
from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET, GATEWAY_SECRET_HEADER
from libs.common.testing import TestServer

os.environ.setdefault("XINYONG_ENVIRONMENT", "test")

TESTS = Path(__file__).resolve().parent


def _use_helpers_of(folder: Path) -> None:
    """Make bare-name helper imports (`factories`, `conftest`) resolve inside `folder`.

    Test folders are not packages, so each keeps plain helper modules; drop a same-named
    helper that another folder imported, and look in this folder first.
    """
    folder = folder.resolve()
    if folder == TESTS:
        return
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if not origin or "." in name:
            continue
        home = Path(origin).resolve().parent
        if home != folder and home != TESTS and home.is_relative_to(TESTS):
            del sys.modules[name]
    if sys.path[0] != str(folder):
        sys.path.insert(0, str(folder))


def pytest_collectstart(collector):
    if isinstance(collector, pytest.Module):
        _use_helpers_of(collector.path.parent)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Fixtures and tests may import helpers at run time too.
    _use_helpers_of(item.path.parent)


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
