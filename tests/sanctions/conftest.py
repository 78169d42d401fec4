"""Sanctions tests run the real identity and records apps in-process on the same test database."""

import httpx
import pytest

from devtools.testing import GraphQLClient
from services.identity.app import create_app as create_identity_app
from services.identity.config import IdentitySettings
from services.records.app import create_app as create_records_app
from services.records.config import RecordsSettings
from services.sanctions.app import create_app
from services.sanctions.config import SanctionsSettings


@pytest.fixture
async def identity_app(db_url):
    app = create_identity_app(IdentitySettings(database_url=db_url, environment="test"))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def records_app(db_url, identity_app):
    app = create_records_app(RecordsSettings(database_url=db_url, environment="test",
                                             identity_internal_url="http://identity"),
                             identity_transport=httpx.ASGITransport(app=identity_app))
    async with app.router.lifespan_context(app):
        yield app
        await app.state.identity.aclose()


@pytest.fixture
def sanctions_settings(db_url):
    return SanctionsSettings(database_url=db_url, environment="test",
                             identity_internal_url="http://identity",
                             records_internal_url="http://records",
                             records_events_poll_seconds=0, audit_flush_seconds=0.2)


@pytest.fixture
async def sanctions_app(sanctions_settings, identity_app, records_app):
    app = create_app(sanctions_settings,
                     identity_transport=httpx.ASGITransport(app=identity_app),
                     records_transport=httpx.ASGITransport(app=records_app))
    async with app.router.lifespan_context(app):
        yield app


async def _client(app, base):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


@pytest.fixture
async def gql(sanctions_app):
    async with await _client(sanctions_app, "http://sanctions") as client:
        yield GraphQLClient(client)


@pytest.fixture
async def identity_gql(identity_app):
    async with await _client(identity_app, "http://identity") as client:
        yield GraphQLClient(client)


@pytest.fixture
async def records_gql(records_app):
    async with await _client(records_app, "http://records") as client:
        yield GraphQLClient(client)


@pytest.fixture
def world(gql, identity_gql, records_gql):
    from tests.sanctions.factories import World

    return World(gql, identity_gql, records_gql)
