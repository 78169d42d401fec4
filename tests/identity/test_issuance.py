"""Issuing unified social credit codes: valid, never twice, never a registered one, race-free."""

import asyncio
from contextlib import AsyncExitStack

import asyncpg
import httpx
import pytest

from devtools.testing import GraphQLClient, asyncpg_kwargs, error_codes
from libs.common.identifiers import make_uscc, parse_code
from services.identity.app import create_app
from services.identity.config import IdentitySettings
from services.identity.issuance.service import body_for
from tests.callers import ADMIN, ANALYST, AUTHORITY, CONSUMER
from tests.identity.factories import create_subject

ISSUE = "mutation($input: IssueCodeInput!) { issueCode(input: $input) { code } }"

ENTERPRISE_IN_CHAOYANG = {"registrationAuthority": "9", "category": "1", "regionCode": "110105"}


async def issue(gql, key: dict = ENTERPRISE_IN_CHAOYANG, *, as_=AUTHORITY) -> dict:
    return await gql.execute(ISSUE, {"input": key}, as_=as_)


async def issued(gql, key: dict = ENTERPRISE_IN_CHAOYANG, *, as_=AUTHORITY) -> str:
    body = await issue(gql, key, as_=as_)
    assert "errors" not in body, body
    return body["data"]["issueCode"]["code"]


async def fetchval(db_url, sql: str):
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def execute(db_url, sql: str) -> None:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def assert_issued_for(code: str, authority: str, category: str, region: str) -> None:
    parsed = parse_code(code)
    assert parsed.scheme == "USCC"
    assert (parsed.registration_authority, parsed.category, parsed.region_code) == (
        authority, category, region)
    assert parsed.organization_code.startswith("MA")


@pytest.mark.parametrize(
    ("authority", "category", "region"),
    [("9", "1", "110105"), ("9", "2", "440305"), ("N", "2", "320106"), ("5", "3", "110000"),
     ("Y", "1", "310115")],
)
async def test_issued_codes_are_valid_usccs_for_the_requested_key(gql, authority, category,
                                                                   region):
    key = {"registrationAuthority": authority, "category": category, "regionCode": region}
    first, second = await issued(gql, key), await issued(gql, key)
    assert first != second
    for code in (first, second):
        assert_issued_for(code, authority, category, region)


async def test_codes_are_issued_in_order_from_the_first_body(gql, db_url):
    codes = [await issued(gql) for _ in range(3)]
    assert codes == [make_uscc("9", "1", "110105", body_for(n)) for n in (1, 2, 3)]
    assert await fetchval(db_url, "select count(*) from identity.issued_codes") == 3


async def test_each_authority_category_and_region_counts_on_its_own(gql):
    enterprise = await issued(gql)
    other_region = await issued(gql, {**ENTERPRISE_IN_CHAOYANG, "regionCode": "110108"})
    other_category = await issued(gql, {**ENTERPRISE_IN_CHAOYANG, "category": "2"})
    assert enterprise == make_uscc("9", "1", "110105", body_for(1))
    assert other_region == make_uscc("9", "1", "110108", body_for(1))
    assert other_category == make_uscc("9", "2", "110105", body_for(1))


async def test_key_parts_are_normalised_like_codes(gql):
    code = await issued(gql, {"registrationAuthority": " ｎ", "category": "2",
                              "regionCode": "３２０１０６ "})
    assert_issued_for(code, "N", "2", "320106")


async def test_issuer_is_recorded(gql, db_url):
    await issued(gql, as_={**AUTHORITY, "sub": "samr-official-7"})
    issued_by = await fetchval(db_url, "select issued_by from identity.issued_codes")
    assert issued_by == "samr-official-7"


async def test_thirty_concurrent_issuers_get_thirty_distinct_valid_codes(gql, db_url):
    codes = await asyncio.gather(*[issued(gql) for _ in range(30)])
    assert len(set(codes)) == 30
    for code in codes:
        assert_issued_for(code, "9", "1", "110105")
    assert await fetchval(db_url, "select count(*) from identity.issued_codes") == 30


async def test_concurrent_issuers_on_separate_engines_never_share_a_code(db_url):
    settings = IdentitySettings(database_url=db_url, environment="test", db_pool_size=3,
                                db_max_overflow=0)
    async with AsyncExitStack() as stack:
        clients = []
        for app in [create_app(settings) for _ in range(3)]:
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients.append(GraphQLClient(await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://identity"))))
        codes = await asyncio.gather(*[issued(clients[i % 3]) for i in range(30)])
    assert len(set(codes)) == 30
    for code in codes:
        assert_issued_for(code, "9", "1", "110105")


async def test_a_code_already_registered_as_a_subject_is_skipped(gql, db_url):
    taken = make_uscc("9", "1", "110105", body_for(1))
    await create_subject(gql, taken, name="先注册的公司")
    code = await issued(gql)
    assert code != taken
    assert code == make_uscc("9", "1", "110105", body_for(2))
    assert await fetchval(db_url, "select count(*) from identity.issued_codes") == 1


async def test_a_code_issued_before_is_not_issued_again_after_the_counter_is_lost(gql, db_url):
    first = await issued(gql)
    await execute(db_url, "delete from identity.issuance_counters")
    second = await issued(gql)
    assert second != first
    assert second == make_uscc("9", "1", "110105", body_for(2))


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        pytest.param({"registrationAuthority": "B"}, "alphabet", id="unknown-authority"),
        pytest.param({"registrationAuthority": "91"}, "alphabet", id="two-character-authority"),
        pytest.param({"registrationAuthority": ""}, "alphabet", id="empty-authority"),
        pytest.param({"category": "4"}, "alphabet", id="category-not-defined-for-authority"),
        pytest.param({"registrationAuthority": "Y", "category": "9"}, "alphabet",
                     id="category-of-another-authority"),
        pytest.param({"regionCode": "999999"}, "region", id="unknown-region"),
        pytest.param({"regionCode": "11010A"}, "region", id="region-with-letter"),
        pytest.param({"regionCode": "11010"}, "region", id="five-digit-region"),
        pytest.param({"regionCode": "1101050"}, "region", id="seven-digit-region"),
    ],
)
async def test_invalid_keys_give_invalid_code_with_the_rule_and_nothing_is_written(gql, db_url,
                                                                                  key, rule):
    body = await issue(gql, {**ENTERPRISE_IN_CHAOYANG, **key})
    assert error_codes(body) == ["INVALID_CODE"], body
    assert body["errors"][0]["extensions"]["rule"] == rule
    assert await fetchval(db_url, "select count(*) from identity.issuance_counters") == 0
    assert await fetchval(db_url, "select count(*) from identity.issued_codes") == 0


@pytest.mark.parametrize("principal", [CONSUMER, ANALYST], ids=["consumer", "analyst"])
async def test_only_authorities_and_admins_issue_codes(gql, db_url, principal):
    body = await issue(gql, as_=principal)
    assert error_codes(body) == ["FORBIDDEN"]
    assert await fetchval(db_url, "select count(*) from identity.issued_codes") == 0
    assert_issued_for(await issued(gql, as_=ADMIN), "9", "1", "110105")


async def test_issuing_without_a_token_is_unauthenticated(gql, db_url):
    body = await issue(gql, as_=None)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await fetchval(db_url, "select count(*) from identity.issued_codes") == 0
