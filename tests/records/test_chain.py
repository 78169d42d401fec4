"""Tamper evidence: each source's hash chain, its verification, and concurrent submitters."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from libs.common.db import create_engine, make_sessionmaker, transaction
from services.records.config import RecordsSettings
from services.records.records.verify import verify_all
from tests.callers import SPC
from tests.records.factories import (
    count_records,
    create_subject,
    execute,
    fetch,
    ndjson,
    org_code,
    record,
    submit,
)

XINYONG = Path(sys.executable).with_name("xinyong")
NDJSON = {"content-type": "application/x-ndjson"}


async def verify(db_url: str, agencies=None):
    engine = create_engine(RecordsSettings(database_url=db_url))
    try:
        async with transaction(make_sessionmaker(engine)) as session:
            return await verify_all(session, agencies)
    finally:
        await engine.dispose()


def run_verify_cli(db_url: str) -> tuple[int, dict, str]:
    proc = subprocess.run([str(XINYONG), "records", "verify", "--database-url", db_url],
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


async def _three_records(gql, identity_gql):
    org = await create_subject(identity_gql, org_code(1))
    await submit(gql, [record(f"C-{i}", org) for i in range(3)], SPC)
    await submit(gql, [record("C-1", org, summary="更正后的摘要")], SPC)  # a correction: 4 links


async def test_untouched_chains_verify_and_the_cli_exits_zero(gql, identity_gql, db_url):
    await _three_records(gql, identity_gql)
    code, report, _ = await asyncio.to_thread(run_verify_cli, db_url)
    assert code == 0 and report["intact"]
    spc = next(s for s in report["sources"] if s["agency"] == "SPC")
    assert spc["checked"] == 4


async def test_an_edited_row_is_reported_as_the_first_broken_link(gql, identity_gql, db_url):
    await _three_records(gql, identity_gql)
    await execute(db_url, "update records.credit_records set summary = '已篡改' "
                          "where source_record_id = 'C-1' and version = 1")
    seq = (await fetch(db_url, "select chain_seq from records.credit_records "
                               "where source_record_id = 'C-1' and version = 1"))[0][0]
    code, report, stderr = await asyncio.to_thread(run_verify_cli, db_url)
    assert code == 1 and not report["intact"]
    broken = next(s for s in report["sources"] if s["agency"] == "SPC")["broken"]
    assert broken["chainSeq"] == seq and broken["version"] == 1
    assert "was edited" in broken["reason"]
    assert f"broken at chain position {seq}" in stderr


async def test_a_recomputed_hash_still_breaks_the_next_link(gql, identity_gql, db_url):
    await _three_records(gql, identity_gql)
    # A forger who rewrites hash too breaks the following row's prev_hash.
    await execute(db_url, "update records.credit_records set hash = sha256('forged') "
                          "where chain_seq = 2 and agency = 'SPC'")
    result = await verify(db_url, ["SPC"])
    assert result.reports[0].broken.chain_seq == 2


async def test_deleted_rows_are_found_in_the_middle_and_at_the_end(gql, identity_gql, db_url):
    await _three_records(gql, identity_gql)
    await execute(db_url, "delete from records.credit_records where chain_seq = 4 and agency = 'SPC'")
    tail = (await verify(db_url, ["SPC"])).reports[0].broken
    assert tail is not None and "removed from the end" in tail.reason
    await execute(db_url, "delete from records.credit_records where chain_seq = 2 and agency = 'SPC'")
    middle = (await verify(db_url, ["SPC"])).reports[0].broken
    assert middle.chain_seq == 3 and "missing" in middle.reason


async def test_lifecycle_changes_do_not_touch_the_chain(gql, identity_gql, db_url):
    await _three_records(gql, identity_gql)
    await execute(db_url, "update records.credit_records set status = 'DISPUTED', "
                          "archived_at = now() where chain_seq = 1")
    assert (await verify(db_url)).intact


async def test_concurrent_submitters_neither_break_the_chain_nor_lose_records(
        http, identity_gql, headers, db_url):
    orgs = [await create_subject(identity_gql, org_code(100 + i)) for i in range(4)]

    def body(submitter: int) -> bytes:
        # 30 own records plus 10 shared ones every submitter sends with identical content
        rows = [record(f"S{submitter}-{i}", orgs[i % 4]) for i in range(30)]
        rows += [record(f"SHARED-{i}", orgs[i % 4]) for i in range(10)]
        return ndjson(*rows)

    async def post(agency: str, submitter: int):
        response = await http.post("/records/bulk", content=body(submitter),
                                   headers={**headers(roles=["authority"], agency=agency),
                                            **NDJSON})
        assert response.status_code == 200, response.text
        return response.json()

    results = await asyncio.gather(*[post("SPC", s) for s in range(5)],
                                   *[post("STA", s) for s in range(2)])
    assert all(not r["rejected"] for r in results)
    spc_created = sum(r["created"] for r in results[:5])
    assert spc_created == 5 * 30 + 10  # each shared record created exactly once
    assert await count_records(db_url) == spc_created + 2 * 30 + 10
    heads = {r["code"]: r["head_seq"] for r in
             await fetch(db_url, "select code, head_seq from records.sources")}
    assert heads["SPC"] == spc_created and heads["STA"] == 70
    result = await verify(db_url, ["SPC", "STA"])
    assert result.intact, [r.as_dict() for r in result.reports]
