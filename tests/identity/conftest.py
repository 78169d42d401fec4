import httpx
import pytest

from devtools.testing import GraphQLClient
from services.identity.app import create_app
from services.identity.config import IdentitySettings


@pytest.fixture
async def identity_app(db_url):
    app = create_app(IdentitySettings(database_url=db_url, environment="test"))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(identity_app):
    transport = httpx.ASGITransport(app=identity_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
        yield client


@pytest.fixture
def gql(http):
    return GraphQLClient(http)
