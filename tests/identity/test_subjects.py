"""Registering subjects, finding them, and the rules that guard both."""

import asyncpg
import pytest

from devtools.testing import asyncpg_kwargs, error_codes
from libs.common.identifiers import make_uscc, uscc_check_character
from tests.callers import ADMIN, ANALYST, AUTHORITY, CONSUMER
from tests.identity.factories import REGISTER, create_subject, org_code, person_code

SUBJECT = "query($code: ID!) { subject(code: $code) { code kind name region { code name provinceName } } }"


async def count_subjects(db_url) -> int:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.fetchval("select count(*) from identity.subjects")
    finally:
        await conn.close()


async def test_registered_enterprise_is_found_with_its_region_name(gql):
    code = org_code(1)
    await create_subject(gql, code, name="北京示例科技有限公司")
    body = await gql.execute(SUBJECT, {"code": code}, as_=CONSUMER)
    subject = body["data"]["subject"]
    assert subject["name"] == "北京示例科技有限公司"
    assert subject["kind"] == "ENTERPRISE"
    assert subject["region"] == {"code": "110105", "name": "朝阳区", "provinceName": "北京市"}


async def test_full_width_characters_and_spaces_are_normalised_on_write_and_read(gql):
    code = org_code(2)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    spaced = f" {fullwidth[:6]} {fullwidth[6:]}\u3000"
    created = await create_subject(gql, spaced.lower())
    assert created["code"] == code
    body = await gql.execute(SUBJECT, {"code": spaced}, as_=CONSUMER)
    assert body["data"]["subject"]["code"] == code


async def test_unknown_code_gives_null_subject(gql):
    body = await gql.execute(SUBJECT, {"code": org_code(3)}, as_=CONSUMER)
    assert body["data"]["subject"] is None and "errors" not in body


async def test_registering_twice_is_idempotent_and_different_details_conflict(gql, db_url):
    code = org_code(4)
    await create_subject(gql, code, name="甲公司")
    await create_subject(gql, code, name="甲公司")
    assert await count_subjects(db_url) == 1
    body = await gql.execute(REGISTER, {"input": {"code": code, "kind": "ENTERPRISE", "name": "乙公司"}},
                             as_=ADMIN)
    assert error_codes(body) == ["CONFLICT"]


def _with_bad_check(code: str) -> str:
    wrong = next(c for c in "0123456789" if c != code[-1])
    return code[:-1] + wrong


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("   ", "empty", id="whitespace-only"),
        pytest.param("9" * 65, "too_long", id="too-long"),
        pytest.param("91110105000000", "length", id="wrong-length"),
        pytest.param("91110105I0000001X", "length", id="seventeen-chars"),
        pytest.param("9111010500000O01XA", "alphabet", id="forbidden-letter-O"),
        pytest.param("bad-check", "check_character", id="bad-check-character"),
    ],
)
async def test_malformed_codes_are_rejected_with_the_rule_and_nothing_is_written(gql, db_url, raw, rule):
    if raw == "bad-check":
        raw = _with_bad_check(org_code(5))
    body = await gql.execute(REGISTER, {"input": {"code": raw, "kind": "ENTERPRISE", "name": "x"}},
                             as_=ADMIN)
    assert error_codes(body) == ["INVALID_CODE"], body
    assert body["errors"][0]["extensions"]["rule"] == rule
    assert await count_subjects(db_url) == 0


async def test_embedded_organisation_code_check_character_is_verified(gql, db_url):
    good = org_code(6)
    body8, org_check = good[8:16], good[16]
    wrong = next(c for c in "0123456789X" if c != org_check)
    first17 = good[:8] + body8 + wrong
    bad = first17 + uscc_check_character(first17)
    body = await gql.execute(REGISTER, {"input": {"code": bad, "kind": "ENTERPRISE", "name": "x"}},
                             as_=ADMIN)
    assert body["errors"][0]["extensions"]["rule"] == "organization_code_check"
    assert await count_subjects(db_url) == 0


async def test_letter_registration_authorities_are_accepted(gql):
    farm = make_uscc("N", "2", "110105", "12345678")
    created = await create_subject(gql, farm, kind="ENTERPRISE", name="某村股份经济合作社")
    assert created["code"] == farm


async def test_kind_must_fit_the_code(gql):
    body = await gql.execute(REGISTER, {"input": {"code": org_code(7), "kind": "NATURAL_PERSON",
                                                  "name": "张三"}}, as_=ADMIN)
    assert body["errors"][0]["extensions"] == {"code": "INVALID_CODE", "rule": "kind"}
    body = await gql.execute(REGISTER, {"input": {"code": org_code(8), "kind": "SOCIAL_ORGANIZATION",
                                                  "name": "某协会"}}, as_=ADMIN)
    assert body["errors"][0]["extensions"]["rule"] == "kind"


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "bad\x00name"])
async def test_bad_names_are_rejected(gql, db_url, name):
    body = await gql.execute(REGISTER, {"input": {"code": org_code(9), "kind": "ENTERPRISE",
                                                  "name": name}}, as_=ADMIN)
    assert error_codes(body) == ["BAD_REQUEST"]
    assert await count_subjects(db_url) == 0


NAME_SEARCH = """query($c: String!) { subjects(nameContains: $c) { nodes { code name } } }"""


async def test_person_codes_are_masked_where_the_caller_did_not_name_them(gql):
    code = person_code(11)
    await create_subject(gql, code, kind="NATURAL_PERSON", name="张三")
    found = await gql.execute(NAME_SEARCH, {"c": "张三"}, as_=AUTHORITY)
    assert found["data"]["subjects"]["nodes"] == [
        {"code": code[:6] + "********" + code[-4:], "name": "张三"}]
    analyst = await gql.execute(NAME_SEARCH, {"c": "张三"}, as_=ANALYST)
    assert analyst["data"]["subjects"]["nodes"][0]["code"] == code


@pytest.mark.parametrize("caller", [CONSUMER, AUTHORITY, ANALYST], ids=["consumer", "authority",
                                                                       "analyst"])
async def test_a_person_asked_for_by_code_is_answered_with_that_code_in_clear(gql, caller):
    """Showing back the code the caller sent reveals nothing, and it is the key the gateway
    joins the subject's listings and records by (a masked key is refused there)."""
    code = person_code(11)
    await create_subject(gql, code, kind="NATURAL_PERSON", name="张三")
    body = await gql.execute(SUBJECT, {"code": code[:6] + " " + code[6:].lower()}, as_=caller)
    assert body["data"]["subject"]["code"] == code


async def test_organisation_codes_are_never_masked(gql):
    code = org_code(12)
    await create_subject(gql, code)
    body = await gql.execute(SUBJECT, {"code": code}, as_=CONSUMER)
    assert body["data"]["subject"]["code"] == code


LEGACY = "query($c: String!) { subjectsByLegacyCode(code: $c) { code name } }"


async def test_lookup_by_legacy_organisation_code_and_registration_number(gql):
    code = org_code(13)
    number = "110000000000000"
    from stdnum.iso7064 import mod_11_10

    number = number[:14] + mod_11_10.calc_check_digit(number[:14])
    await create_subject(gql, code, name="老企业", registrationNumber=number)
    org9 = code[8:17]
    by_org = await gql.execute(LEGACY, {"c": f"{org9[:8]}-{org9[8]}"}, as_=CONSUMER)
    assert [s["code"] for s in by_org["data"]["subjectsByLegacyCode"]] == [code]
    by_number = await gql.execute(LEGACY, {"c": number}, as_=CONSUMER)
    assert [s["code"] for s in by_number["data"]["subjectsByLegacyCode"]] == [code]
    bad = await gql.execute(LEGACY, {"c": "12345"}, as_=CONSUMER)
    assert error_codes(bad) == ["INVALID_CODE"]


ENTITIES = """
query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Subject { code name } } }"""


async def test_entities_resolve_in_order_with_null_for_unknown(gql, identity_app):
    codes = [org_code(20 + i) for i in range(3)]
    for i, code in enumerate(codes):
        await create_subject(gql, code, name=f"公司{i}")
    statements = []
    from sqlalchemy import event

    engine = identity_app.state.engine.sync_engine
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        reps = [{"__typename": "Subject", "code": c} for c in [codes[2], org_code(99), codes[0]]]
        body = await gql.execute(ENTITIES, {"reps": reps}, as_=CONSUMER)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert body["data"]["_entities"] == [{"code": codes[2], "name": "公司2"}, None,
                                         {"code": codes[0], "name": "公司0"}]
    assert len([s for s in statements if "identity.subjects" in s]) == 1


SEARCH = """query($p: String, $c: String, $after: String) {
  subjects(nameStartsWith: $p, nameContains: $c, first: 2, after: $after) {
    nodes { name } endCursor hasMore } }"""


async def test_name_search_by_prefix_and_contains_with_pagination(gql):
    for i, name in enumerate(["华为技术有限公司", "华润置地有限公司", "深圳华为终端有限公司", "小米科技有限责任公司"]):
        await create_subject(gql, org_code(30 + i), name=name)
    prefix = await gql.execute(SEARCH, {"p": "华"}, as_=ANALYST)
    assert [n["name"] for n in prefix["data"]["subjects"]["nodes"]] == ["华为技术有限公司", "华润置地有限公司"]
    contains = await gql.execute(SEARCH, {"c": "华为"}, as_=ANALYST)
    page = contains["data"]["subjects"]
    assert [n["name"] for n in page["nodes"]] == ["华为技术有限公司", "深圳华为终端有限公司"]
    assert page["hasMore"] is False
    everything = await gql.execute(SEARCH, {"c": "有限"}, as_=ANALYST)
    first = everything["data"]["subjects"]
    assert first["hasMore"] is True
    second = await gql.execute(SEARCH, {"c": "有限", "after": first["endCursor"]}, as_=ANALYST)
    names = [n["name"] for n in first["nodes"] + second["data"]["subjects"]["nodes"]]
    assert sorted(names) == sorted(["华为技术有限公司", "华润置地有限公司", "深圳华为终端有限公司", "小米科技有限责任公司"])
    assert second["data"]["subjects"]["hasMore"] is False


async def test_search_treats_like_wildcards_literally(gql):
    await create_subject(gql, org_code(40), name="百分之百公司")
    body = await gql.execute(SEARCH, {"c": "%"}, as_=ANALYST)
    assert body["data"]["subjects"]["nodes"] == []


async def test_requests_without_a_token_are_unauthenticated(gql):
    body = await gql.execute(SUBJECT, {"code": org_code(1)})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_forged_token_is_unauthenticated(gql):
    body = await gql.execute(SUBJECT, {"code": org_code(1)},
                             headers={"authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_consumers_cannot_register(gql, db_url):
    body = await gql.execute(REGISTER, {"input": {"code": org_code(1), "kind": "ENTERPRISE",
                                                  "name": "x"}}, as_=CONSUMER)
    assert error_codes(body) == ["FORBIDDEN"]
    assert await count_subjects(db_url) == 0


async def test_direct_calls_without_the_gateway_secret_are_refused(http):
    response = await http.post("/graphql", json={"query": "{ _service { sdl } }"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_concurrent_registrations_claiming_one_registration_number_conflict_cleanly(gql):
    import asyncio

    from stdnum.iso7064 import mod_11_10

    number = "31000000000042"
    number += mod_11_10.calc_check_digit(number)
    calls = [gql.execute(REGISTER, {"input": {"code": org_code(50 + i), "kind": "ENTERPRISE",
                                              "name": f"并发{i}", "registrationNumber": number}},
                         as_=ADMIN) for i in range(8)]
    bodies = await asyncio.gather(*calls)
    ok = [b for b in bodies if "errors" not in b]
    assert len(ok) == 1
    assert all(error_codes(b) == ["CONFLICT"] for b in bodies if "errors" in b)
