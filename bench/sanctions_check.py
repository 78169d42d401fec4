"""Check and screen benchmark against the real sanctions service (uvicorn, its own process).

    .venv/bin/python -m bench.sanctions_check [--listings 20000] [--seconds 10] [--concurrency 32]

Starts a throwaway PostgreSQL (or uses DATABASE_URL), builds the schemas by the real migrations,
fills the restriction index with synthetic SPC listings (7 measures each, so ~7 rows per listed
subject), starts the service and drives `check` over HTTP (half restricted, half clear codes),
then times `screen` with 10,000 codes. Prints req/s, latency percentiles and how many audit
entries were written (every check is audited through the 1 s buffer).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import asyncpg
import httpx

from devtools.localnet import free_port
from devtools.testing import TestServer, asyncpg_kwargs
from libs.common.auth import mint_token
from libs.common.identifiers import make_uscc
from libs.common.settings import DEV_GATEWAY_SECRET, DEV_JWT_SECRET, GATEWAY_SECRET_HEADER

MEASURES = [("AIR_TRAVEL_BAN", "AIR_TRAVEL"), ("RAIL_TRAVEL_BAN", "RAIL_TRAVEL"),
            ("LUXURY_CONSUMPTION_BAN", "LUXURY_CONSUMPTION"),
            ("PUBLIC_PROCUREMENT_EXCLUSION", "PUBLIC_PROCUREMENT"),
            ("SECURITIES_ISSUANCE_RESTRICTION", "SECURITIES_ISSUANCE"),
            ("GOVERNMENT_FUNDING_RESTRICTION", "GOVERNMENT_FUNDING"),
            ("LENDING_RESTRICTION", "LENDING")]
CHECK = "query($c: ID!) { check(code: $c, purpose: AIR_TRAVEL) { status reference " \
        "restrictions { measure { code } listing { id status } via { role } } } }"
SCREEN = "query($c: [ID!]!) { screen(codes: $c, purpose: AIR_TRAVEL) { checked " \
         "restricted { code } invalid { code } } }"


def code(i: int) -> str:
    return make_uscc("9", "1", "110105", f"{i:08d}")


async def fill(dsn: str, listings: int) -> None:
    conn = await asyncpg.connect(**asyncpg_kwargs(dsn))
    now = datetime.now(timezone.utc)
    try:
        rows, index = [], []
        for i in range(1, listings + 1):
            lid = uuid.uuid4()
            rows.append((lid, "SPC_DISHONEST_DEBTORS", code(i), "ENTERPRISE", "SPC", "bench", now,
                         now, now, now + timedelta(days=730), False, "向人民法院申请纠正",
                         f"(2026)京执{i}号", "执行裁定书", date(2026, 1, 1), "北京市第一中级人民法院",
                         [str(i)], str(i)))
            for m, p in MEASURES:
                index.append((code(i), p, m, lid, "RESTRICTION", now, now + timedelta(days=730)))
        await conn.copy_records_to_table(
            "listings", schema_name="sanctions", records=rows,
            columns=["id", "list_code", "subject_code", "subject_kind", "authority", "decided_by",
                     "decided_at", "effective_from", "publicity_until", "effective_until",
                     "objection_suspends", "objection_channel", "doc_number", "doc_kind",
                     "doc_issued_on", "doc_authority", "basis_record_ids", "basis_key"])
        await conn.copy_records_to_table(
            "restrictions", schema_name="sanctions", records=index,
            columns=["subject_code", "purpose", "measure_code", "listing_id", "effect",
                     "effective_from", "effective_until"])
        await conn.execute("ANALYZE sanctions.restrictions; ANALYZE sanctions.listings")
    finally:
        await conn.close()



async def drive(url: str, listings: int, seconds: float, concurrency: int) -> dict:
    token = mint_token("bench-airline", ["consumer"], ["AIR_TRAVEL"], secret=DEV_JWT_SECRET)
    headers = {"authorization": f"Bearer {token}", GATEWAY_SECRET_HEADER: DEV_GATEWAY_SECRET}
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    rnd = random.Random(1)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < stop:
                # half listed (1..listings), half never listed
                i = rnd.randrange(1, 2 * listings)
                t = time.perf_counter()
                r = await client.post("/graphql", json={"query": CHECK,
                                                        "variables": {"c": code(i)}})
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200 or "errors" in r.json():
                    errors += 1

        for _ in range(20):  # warm-up
            await client.post("/graphql", json={"query": CHECK, "variables": {"c": code(1)}})
        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started

        screen_times = []
        batch = [code(i) for i in range(1, 20_001, 2)][:10_000]
        for _ in range(3):
            t = time.perf_counter()
            r = await client.post("/graphql", json={"query": SCREEN, "variables": {"c": batch}})
            screen_times.append(time.perf_counter() - t)
            assert r.status_code == 200 and "errors" not in r.json(), r.text[:300]
            restricted = len(r.json()["data"]["screen"]["restricted"])
    latencies.sort()
    pct = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"checks": len(latencies), "errors": errors, "req_per_s": round(len(latencies) / elapsed),
            "p50_ms": round(pct(0.5), 1), "p99_ms": round(pct(0.99), 1),
            "screen_10000_s": round(min(screen_times), 3), "screen_restricted": restricted}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--listings", type=int, default=20_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=32)
    args = ap.parse_args()
    server = TestServer.start()
    try:
        await server.build_template(("identity", "records", "sanctions"))
        dsn = await server.fresh_database()
        t = time.monotonic()
        await fill(dsn, args.listings)
        print(f"filled {args.listings} listings, {args.listings * len(MEASURES)} index rows in "
              f"{time.monotonic() - t:.1f}s", flush=True)
        port = free_port()
        env = dict(os.environ, XINYONG_DATABASE_URL=dsn, XINYONG_RECORDS_EVENTS_POLL_SECONDS="0",
                   XINYONG_LOG_LEVEL="WARNING")
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "services.sanctions.app:create_app",
                                 "--factory", "--port", str(port), "--no-access-log",
                                 "--log-level", "warning"], env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
            result = await drive(url, args.listings, args.seconds, args.concurrency)
            await asyncio.sleep(1.5)
            conn = await asyncpg.connect(**asyncpg_kwargs(dsn))
            try:
                result["audit_rows"] = await conn.fetchval("select count(*) from sanctions.check_audit")
            finally:
                await conn.close()
            print(result)
        finally:
            proc.terminate()
            proc.wait(15)
    finally:
        await server.close()


if __name__ == "__main__":
    asyncio.run(main())
