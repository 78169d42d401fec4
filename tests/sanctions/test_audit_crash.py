"""The check audit is buffered: killed with SIGKILL, at most about one second of entries is lost;
stopped with SIGTERM, nothing is."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import asyncpg
import httpx
import pytest

from devtools.testing import asyncpg_kwargs
from libs.common.auth import mint_token
from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET, GATEWAY_SECRET_HEADER
from tests.sanctions.factories import org_code

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLUSH_SECONDS = 1.0
# Scheduling slack on a shared, busy machine: a flush may start a little late.
SLACK = 0.75
CHECK = "query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { reference } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def service(db_url):
    port = _free_port()
    env = dict(os.environ, XINYONG_DATABASE_URL=db_url, XINYONG_ENVIRONMENT="test",
               XINYONG_RECORDS_EVENTS_POLL_SECONDS="0",
               XINYONG_AUDIT_FLUSH_SECONDS=str(FLUSH_SECONDS))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.sanctions.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(200):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
        else:
            proc.kill()
            raise RuntimeError("sanctions did not start")
    try:
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


async def _check(client: httpx.AsyncClient, code: str) -> str:
    token = mint_token("china-eastern", ["consumer"], ["AIR_TRAVEL"], secret=DEV_JWT_SECRET)
    r = await client.post("/graphql", json={"query": CHECK, "variables": {"c": code}},
                          headers={"authorization": f"Bearer {token}",
                                   GATEWAY_SECRET_HEADER: DEV_GATEWAY_SECRET})
    return r.json()["data"]["check"]["reference"]


async def _audited(db_url: str) -> set[str]:
    conn = await asyncpg.connect(**asyncpg_kwargs(db_url))
    try:
        return {str(r[0]) for r in await conn.fetch("select id from sanctions.check_audit")}
    finally:
        await conn.close()


async def test_a_killed_process_loses_at_most_about_one_flush_interval_of_audit(service, db_url):
    proc, url = service
    sent: list[tuple[float, str]] = []
    async with httpx.AsyncClient(base_url=url) as client:
        deadline = time.monotonic() + 3 * FLUSH_SECONDS
        n = 0
        while time.monotonic() < deadline:
            sent.append((time.monotonic(), await _check(client, org_code(n % 50))))
            n += 1
            await asyncio.sleep(0.01)
    killed_at = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)

    written = await _audited(db_url)
    lost = [(t, ref) for t, ref in sent if ref not in written]
    old_enough = [ref for t, ref in sent if t < killed_at - FLUSH_SECONDS - SLACK]
    assert old_enough and all(ref in written for ref in old_enough)
    assert all(t >= killed_at - FLUSH_SECONDS - SLACK for t, _ in lost)


async def test_a_clean_shutdown_writes_every_buffered_entry(service, db_url):
    proc, url = service
    async with httpx.AsyncClient(base_url=url) as client:
        refs = [await _check(client, org_code(i)) for i in range(25)]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after shutdown
    assert set(refs) <= await _audited(db_url)
