import httpx
import pytest

from devtools.testing import GraphQLClient
from services.identity.app import create_app as create_identity_app
from services.identity.config import IdentitySettings
from services.records.app import create_app
from services.records.config import RecordsSettings
from tests.callers import SPC, subject
from tests.records.factories import FILE, create_subject, org_code, record, submit


@pytest.fixture
async def identity_app(db_url):
    app = create_identity_app(IdentitySettings(database_url=db_url, environment="test"))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def records_settings(db_url):
    return RecordsSettings(database_url=db_url, environment="test", identity_internal_url="http://identity",
                           bulk_chunk_size=3, max_submission=50)


@pytest.fixture
async def records_app(records_settings, identity_app):
    app = create_app(records_settings, identity_transport=httpx.ASGITransport(app=identity_app))
    async with app.router.lifespan_context(app):
        yield app
        await app.state.identity.aclose()


@pytest.fixture
async def http(records_app):
    transport = httpx.ASGITransport(app=records_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://records") as client:
        yield client


@pytest.fixture
def gql(http):
    return GraphQLClient(http)


@pytest.fixture
async def identity_gql(identity_app):
    transport = httpx.ASGITransport(app=identity_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
        yield GraphQLClient(client)


@pytest.fixture
async def disputed(gql, identity_gql):
    """A record of an organisation, disputed by the organisation itself."""
    org = await create_subject(identity_gql, org_code(1))
    rec = (await submit(gql, [record("O-1", org, summary="罚款 5 万元")], SPC))["accepted"][0]
    body = await gql.execute(FILE, {"i": {"recordId": rec["id"], "grounds": "罚款金额有误"}},
                             as_=subject(org))
    assert "errors" not in body, body
    return org, rec, body["data"]["fileRecordObjection"]
