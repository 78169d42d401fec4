"""`xinyong records import` against a real identity service, and the records migrations."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from devtools.localnet import free_port
from devtools.testing import asyncpg_kwargs
from libs.common import migrate
from tests.records.factories import count_records, create_subject, ndjson, org_code, record

XINYONG = Path(sys.executable).with_name("xinyong")


async def test_cli_import_checks_subjects_with_identity_and_reports_lines(
        tmp_path, db_url, identity_gql):
    org = await create_subject(identity_gql, org_code(1))
    path = tmp_path / "records.ndjson"
    # enough lines for the chunk to go to the validating worker process
    path.write_bytes(ndjson(record("F-1", org), "{oops", record("F-2", org_code(2)),
                            record("F-3", org), *(record(f"G-{i}", org) for i in range(1500))))
    port = free_port()
    env = {**os.environ, "XINYONG_DATABASE_URL": db_url, "XINYONG_ENVIRONMENT": "test"}
    identity = subprocess.Popen([sys.executable, "-m", "uvicorn", "services.identity.app:create_app",
                                 "--factory", "--port", str(port), "--log-level", "warning"],
                                env=env)
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        env = {k: v for k, v in os.environ.items()
               if k not in ("XINYONG_RECORDS_DATABASE_URL", "XINYONG_DATABASE_URL")}
        proc = await asyncio.create_subprocess_exec(
            str(XINYONG), "records", "import", str(path), "--agency", "SAMR",
            "--identity-url", f"http://127.0.0.1:{port}", env={**env, "DATABASE_URL": db_url},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        identity.terminate()
        identity.wait(10)
    assert proc.returncode == 1, err.decode()
    result = json.loads(out)
    assert [(r["line"], r["rule"]) for r in result["rejected"]] == [(2, "json"),
                                                                    (3, "unknown_subject")]
    assert "1502 created, 0 corrected, 0 unchanged, 2 rejected" in err.decode()
    assert await count_records(db_url) == 1502


async def test_records_migrations_walk_down_to_base_and_up_again(db_url):
    import asyncpg
    await asyncio.to_thread(migrate.downgrade, db_url, "records")
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        assert await conn.fetchval("select to_regclass('records.credit_records')") is None
    finally:
        await conn.close()
    await asyncio.to_thread(migrate.upgrade, db_url, ("records",))
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        assert await conn.fetchval("select count(*) from records.sources") == 10
        assert await conn.fetchval("select count(*) from records.scorecard_rules") == 10
    finally:
        await conn.close()
