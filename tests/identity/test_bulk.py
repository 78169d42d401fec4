"""Bulk registration from NDJSON: REST endpoint and `xinyong identity import`, same rules."""

import asyncio
import json
import os
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest
from stdnum.iso7064 import mod_11_10

from devtools.testing import GraphQLClient, asyncpg_kwargs
from services.identity.app import create_app
from services.identity.config import IdentitySettings
from tests.identity.factories import create_subject, org_code, person_code

NDJSON = {"content-type": "application/x-ndjson"}
XINYONG = Path(sys.executable).with_name("xinyong")


def registration_number(n: int) -> str:
    first14 = f"11000000{n:06d}"
    return first14 + mod_11_10.calc_check_digit(first14)


def line(code: str, kind: str = "ENTERPRISE", name: str = "测试有限公司", **extra) -> str:
    return json.dumps({"code": code, "kind": kind, "name": name, **extra}, ensure_ascii=False)


def bad_check(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


async def rows(db_url, sql: str) -> list:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


async def subjects_in_db(db_url) -> dict[str, tuple[str, str, str | None]]:
    found = await rows(db_url, "select code, kind, name, registration_number "
                               "from identity.subjects")
    return {r["code"]: (r["kind"], r["name"], r["registration_number"]) for r in found}


async def gram_count(db_url) -> int:
    return (await rows(db_url, "select count(*) from identity.subject_name_grams"))[0][0]


def rejected(result: dict) -> list[tuple[int, str | None]]:
    return [(e["line"], e["rule"]) for e in result["rejected"]]


ORG_A, ORG_B, PERSON = org_code(500), org_code(501), person_code(501)
NUMBER_B = registration_number(501)

# Physical lines, 1-based; the blank line 6 still counts.
MIXED_FILE = "\n".join([
    line(ORG_A, name="北京甲科技有限公司"),                                   # 1 created
    line(PERSON, kind="NATURAL_PERSON", name="张三"),                          # 2 created
    '{"code": "' + ORG_B + '", "kind": ',                                     # 3 malformed JSON
    line(bad_check(org_code(502)), name="错码公司"),                           # 4 invalid code
    json.dumps({"code": org_code(503), "kind": "ENTERPRISE"}),                # 5 no name
    "",                                                                       # 6 blank
    line(ORG_A, name="另一个名字有限公司"),                                    # 7 same code, other name
    line(ORG_B, name="上海乙贸易有限公司", registrationNumber=NUMBER_B),        # 8 created
    "[1, 2, 3]",                                                              # 9 not an object
    line(org_code(504), kind="NATURAL_PERSON", name="王五"),                   # 10 kind mismatch
]) + "\n"

MIXED_REJECTIONS = [(3, "json"), (4, "check_character"), (5, "field"), (7, "duplicate"),
                    (9, "json"), (10, "kind")]
MIXED_ROWS = {
    ORG_A: ("ENTERPRISE", "北京甲科技有限公司", None),
    PERSON: ("NATURAL_PERSON", "张三", None),
    ORG_B: ("ENTERPRISE", "上海乙贸易有限公司", NUMBER_B),
}


async def post_bulk(http, headers, body: str | bytes, **token) -> httpx.Response:
    data = body.encode() if isinstance(body, str) else body
    return await http.post("/subjects/bulk", content=data,
                           headers={**NDJSON, **headers(**(token or {"roles": ("admin",)}))})


async def test_bulk_reports_each_bad_line_by_its_physical_line_number(http, headers, db_url):
    response = await post_bulk(http, headers, MIXED_FILE)
    assert response.status_code == 200, response.text
    result = response.json()
    assert rejected(result) == MIXED_REJECTIONS
    assert all(e["reason"] for e in result["rejected"])
    assert (result["lines"], result["created"], result["unchanged"]) == (9, 3, 0)
    assert await subjects_in_db(db_url) == MIXED_ROWS


async def test_rejection_reasons_never_echo_a_person_code(http, headers):
    bad_person = bad_check(person_code(507))
    response = await post_bulk(http, headers, line(bad_person, kind="NATURAL_PERSON", name="赵六"))
    result = response.json()
    assert rejected(result) == [(1, "check_character")]
    assert bad_person not in response.text and bad_person[6:14] not in response.text


async def test_posting_the_same_file_again_changes_nothing(http, headers, db_url):
    await post_bulk(http, headers, MIXED_FILE)
    grams = await gram_count(db_url)
    assert grams > 0
    again = (await post_bulk(http, headers, MIXED_FILE)).json()
    assert (again["lines"], again["created"], again["unchanged"]) == (9, 0, 3)
    assert rejected(again) == MIXED_REJECTIONS
    assert await subjects_in_db(db_url) == MIXED_ROWS
    assert await gram_count(db_url) == grams


async def test_a_repeated_identical_line_counts_as_unchanged(http, headers, db_url):
    body = "\n".join([line(ORG_A), line(ORG_A), line(ORG_A, name=" 测试有限公司 ")])
    result = (await post_bulk(http, headers, body)).json()
    assert (result["created"], result["unchanged"], result["rejected"]) == (1, 2, [])
    assert list(await subjects_in_db(db_url)) == [ORG_A]


async def test_a_line_differing_from_a_registered_subject_conflicts(gql, http, headers, db_url):
    await create_subject(gql, ORG_A, name="原名有限公司")
    body = "\n".join([line(ORG_A, name="新名有限公司"), line(ORG_B)])
    result = (await post_bulk(http, headers, body)).json()
    assert rejected(result) == [(1, "conflict")]
    assert result["created"] == 1
    assert (await subjects_in_db(db_url))[ORG_A][1] == "原名有限公司"


async def test_a_registration_number_held_by_another_subject_is_rejected(gql, http, headers,
                                                                         db_url):
    await create_subject(gql, ORG_A, registrationNumber=NUMBER_B)
    result = (await post_bulk(http, headers, line(ORG_B, registrationNumber=NUMBER_B))).json()
    assert rejected(result) == [(1, "registrationNumber")]
    assert ORG_B not in await subjects_in_db(db_url)


async def test_two_lines_claiming_one_registration_number_reject_the_second(http, headers,
                                                                            db_url):
    body = "\n".join([line(ORG_A, registrationNumber=NUMBER_B),
                      line(ORG_B, registrationNumber=NUMBER_B),
                      line(org_code(505))])
    response = await post_bulk(http, headers, body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert rejected(result) == [(2, "registrationNumber")]
    assert sorted(await subjects_in_db(db_url)) == sorted([ORG_A, org_code(505)])


async def test_windows_line_endings_are_accepted(http, headers, db_url):
    body = line(ORG_A) + "\r\n" + line(PERSON, kind="NATURAL_PERSON", name="张三") + "\r\n"
    result = (await post_bulk(http, headers, body)).json()
    assert (result["created"], result["rejected"]) == (2, [])


# --- chunking ---------------------------------------------------------------------------------

@pytest.fixture
async def small_chunk_http(db_url):
    """An identity app committing every two valid lines, with a 4 KiB body limit."""
    app = create_app(IdentitySettings(database_url=db_url, environment="test", bulk_chunk_size=2,
                                      max_bulk_bytes=4096))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
            yield client


async def test_a_bad_line_in_one_chunk_does_not_lose_the_other_chunks(small_chunk_http, headers,
                                                                     db_url):
    taken = org_code(605)
    await create_subject(GraphQLClient(small_chunk_http), taken, name="已登记有限公司")
    codes = [org_code(600 + i) for i in range(8)]
    lines_ = [line(c, name=f"公司{i}") for i, c in enumerate(codes)]
    # Chunk 3 holds codes[4] and codes[5]; codes[5] is registered with another name, and a
    # malformed line sits in between.
    lines_.insert(5, "{not json")
    body = "\n".join(lines_)
    result = (await post_bulk(small_chunk_http, headers, body)).json()
    assert rejected(result) == [(6, "json"), (7, "conflict")]
    assert result["created"] == 7
    assert sorted(await subjects_in_db(db_url)) == sorted(codes)
    assert (await subjects_in_db(db_url))[taken][1] == "已登记有限公司"


async def test_a_body_over_the_limit_is_refused_and_nothing_is_written(small_chunk_http, headers,
                                                                       db_url):
    body = "\n".join(line(org_code(700 + i), name="很长的名字" * 5) for i in range(60))
    assert len(body.encode()) > 4096
    response = await post_bulk(small_chunk_http, headers, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "LIMIT_EXCEEDED"
    assert await subjects_in_db(db_url) == {}


# --- who may post -----------------------------------------------------------------------------

async def test_bulk_without_a_token_is_unauthenticated(http, headers, db_url):
    secret_only = {k: v for k, v in headers().items() if k != "authorization"}
    response = await http.post("/subjects/bulk", content=MIXED_FILE.encode(),
                               headers={**NDJSON, **secret_only})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert await subjects_in_db(db_url) == {}


async def test_bulk_with_a_forged_token_is_unauthenticated(http, headers, db_url):
    response = await http.post("/subjects/bulk", content=MIXED_FILE.encode(),
                               headers={**headers(), **NDJSON,
                                        "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("roles", [("consumer",), ("analyst",)])
async def test_bulk_is_forbidden_to_consumers_and_analysts(http, headers, db_url, roles):
    response = await post_bulk(http, headers, MIXED_FILE, roles=roles)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    assert await subjects_in_db(db_url) == {}


async def test_authorities_may_post_bulk(http, headers, db_url):
    response = await post_bulk(http, headers, MIXED_FILE, roles=("authority",), agency="SAMR")
    assert response.status_code == 200
    assert await subjects_in_db(db_url) == MIXED_ROWS


async def test_bulk_without_the_gateway_secret_is_refused(http, headers, db_url):
    bearer_only = {"authorization": headers()["authorization"]}
    response = await http.post("/subjects/bulk", content=MIXED_FILE.encode(),
                               headers={**NDJSON, **bearer_only})
    assert response.status_code == 403
    assert await subjects_in_db(db_url) == {}


async def test_bulk_refuses_a_json_content_type(http, headers, db_url):
    response = await http.post("/subjects/bulk", content=MIXED_FILE.encode(),
                               headers={**headers(), "content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"
    assert await subjects_in_db(db_url) == {}


# --- the CLI ----------------------------------------------------------------------------------

async def run_import(path: Path, db_url: str, *args: str) -> tuple[int, str, str]:
    """Run `xinyong identity import` in its own process (and event loop)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("XINYONG_IDENTITY_DATABASE_URL", "XINYONG_DATABASE_URL")}
    env["DATABASE_URL"] = db_url
    proc = await asyncio.create_subprocess_exec(
        str(XINYONG), "identity", "import", str(path), *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode(), err.decode()


async def test_cli_import_reports_rejections_and_exits_1(tmp_path, db_url):
    path = tmp_path / "subjects.ndjson"
    path.write_text(MIXED_FILE, encoding="utf-8")
    code, out, err = await run_import(path, db_url)
    assert code == 1, err
    result = json.loads(out)
    assert rejected(result) == MIXED_REJECTIONS
    assert (result["lines"], result["created"], result["unchanged"]) == (9, 3, 0)
    assert "3 created, 0 unchanged, 6 rejected" in err
    assert await subjects_in_db(db_url) == MIXED_ROWS


async def test_cli_rerun_of_a_clean_file_is_all_unchanged_and_exits_0(tmp_path, db_url):
    path = tmp_path / "clean.ndjson"
    path.write_text("\r\n".join([line(ORG_A), line(PERSON, kind="NATURAL_PERSON", name="张三"),
                                 line(ORG_B, registrationNumber=NUMBER_B)]) + "\r\n",
                    encoding="utf-8")
    first_code, first_out, first_err = await run_import(path, db_url)
    assert first_code == 0, first_err
    assert json.loads(first_out)["created"] == 3
    grams = await gram_count(db_url)
    code, out, err = await run_import(path, db_url, "--chunk-size", "2")
    assert code == 0, err
    result = json.loads(out)
    assert (result["created"], result["unchanged"], result["rejected"]) == (0, 3, [])
    assert sorted(await subjects_in_db(db_url)) == sorted([ORG_A, PERSON, ORG_B])
    assert await gram_count(db_url) == grams


async def test_cli_and_rest_agree_so_a_file_loaded_by_one_is_unchanged_for_the_other(
        tmp_path, db_url, http, headers):
    path = tmp_path / "subjects.ndjson"
    path.write_text(MIXED_FILE, encoding="utf-8")
    await run_import(path, db_url)
    result = (await post_bulk(http, headers, MIXED_FILE)).json()
    assert (result["created"], result["unchanged"]) == (0, 3)
    assert rejected(result) == MIXED_REJECTIONS
