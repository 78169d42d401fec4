"""Bulk ingestion benchmark: the NDJSON path (parse, validate, subject lookup, versioning, hash
chain, COPY) against a raw COPY of the same rows into the same table.

    .venv/bin/python -m bench.records_ingest [--records 200000] [--subjects 5000] [--chunk 10000]

Starts a throwaway PostgreSQL (or uses DATABASE_URL), builds the schemas by the real migrations,
registers subjects with the identity service's own bulk path, and starts the real identity
service (uvicorn, its own process, as in production) for subject lookups.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import httpx
import orjson
import psutil

from devtools.localnet import free_port
from devtools.testing import TestServer
from libs.common.db import create_engine, make_sessionmaker, transaction
from libs.common.identifiers import make_uscc
from libs.common.ndjson import file_pieces
from libs.common.settings import DEV_GATEWAY_SECRET
from libs.contracts.identity import IdentityClient
from services.identity.subjects.service import bulk_register
from services.records.config import RecordsSettings
from services.records.ingestion.copyrows import COLUMNS
from services.records.ingestion.pipeline import SubjectDirectory, ingest_ndjson
from services.records.ingestion.workers import ChunkParser
from services.records.pg import driver_connection
from services.records.records.verify import verify_all

CATEGORIES = ["ADMINISTRATIVE_PENALTY", "JUDGMENT", "UNFULFILLED_OBLIGATION", "TAX_ARREARS",
              "LICENSE", "COMMENDATION", "ABNORMAL_OPERATION"]


def subject_codes(n: int) -> list[str]:
    return [make_uscc("9", "1", "110105", f"{i:08d}") for i in range(1, n + 1)]


def write_file(path: Path, n: int, codes: list[str], seed: int = 7, prefix: str = "BENCH") -> int:
    rnd = random.Random(seed)
    with path.open("wb") as fh:
        for i in range(n):
            category = rnd.choice(CATEGORIES)
            day = f"2024-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
            row = {"sourceRecordId": f"{prefix}-{i:09d}", "subjectCode": rnd.choice(codes),
                   "category": category, "summary": f"未按规定履行义务，第{i}号",
                   "legalBasis": {"number": f"京市监罚〔2024〕{i}号", "kind": "行政处罚决定书",
                                  "issuedOn": day, "authority": "北京市市场监督管理局"},
                   "occurredOn": day}
            if category == "TAX_ARREARS":
                row["amount"] = f"{rnd.randrange(1000, 500000)}.00"
            fh.write(orjson.dumps(row) + b"\n")
    return path.stat().st_size



def descendants_cpu(identity_pid: int) -> dict[str, float]:
    """CPU seconds so far of this process's descendants: PostgreSQL, identity, the worker."""
    out = {"postgres": 0.0, "identity": 0.0, "worker": 0.0}
    for p in psutil.Process().children(recursive=True):
        try:
            t = p.cpu_times()
            group = ("identity" if p.pid == identity_pid else
                     "postgres" if p.name().startswith("postgres") else "worker")
        except psutil.Error:
            continue
        out[group] += t.user + t.system
    return out


async def start_identity(db_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "XINYONG_DATABASE_URL": db_url, "XINYONG_ENVIRONMENT": "test",
           "XINYONG_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "services.identity.app:create_app",
                             "--factory", "--port", str(port), "--log-level", "warning"], env=env)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                if (await client.get(url + "/healthz")).status_code == 200:
                    return proc, url
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    proc.terminate()
    raise RuntimeError("identity service did not start")


async def main(records: int, subjects: int, chunk: int, workers: int) -> None:
    parser = ChunkParser(workers)
    server = TestServer.start()
    try:
        await server.build_template(("identity", "records"))
        db_url = await server.fresh_database()
        settings = RecordsSettings(database_url=db_url, environment="test",
                                   statement_timeout_ms=0)
        engine = create_engine(settings, application_name="bench")
        sessionmaker = make_sessionmaker(engine)
        codes = subject_codes(subjects)

        async def subject_lines():
            for c in codes:
                yield orjson.dumps({"code": c, "kind": "ENTERPRISE", "name": f"基准测试{c[-6:]}有限公司"})

        await bulk_register(partial(transaction, sessionmaker), subject_lines(), chunk_size=5000)
        with tempfile.TemporaryDirectory() as tmp:
            path, later = Path(tmp) / "records.ndjson", Path(tmp) / "later.ndjson"
            size = write_file(path, records, codes)
            write_file(later, records, codes, seed=8, prefix="LATER")
            print(f"{records:,} records over {subjects:,} subjects, {size / 1e6:.1f} MB NDJSON, "
                  f"chunks of {chunk:,}, {workers} validating worker process(es); "
                  f"load average before: {os.getloadavg()[0]:.2f}")
            identity_proc, identity_url = await start_identity(db_url)
            t0 = time.perf_counter()
            await asyncio.to_thread(parser.start)  # as in a running service: started once
            if workers:
                print(f"worker process started in {time.perf_counter() - t0:.2f} s "
                      "(once per process; not in the figures below)")
            try:
                identity = IdentityClient(identity_url, DEV_GATEWAY_SECRET, caller="bench",
                                          timeout=60)

                async def run(label: str, file: Path, expect: str, note: str) -> float:
                    others = descendants_cpu(identity_proc.pid)
                    t0, c0 = time.perf_counter(), time.process_time()
                    result = await ingest_ndjson(partial(transaction, sessionmaker), "SAMR",
                                                file_pieces(file),
                                                SubjectDirectory(identity, sessionmaker),
                                                chunk_size=chunk, parser=parser)
                    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                    used = {k: v - others[k]
                            for k, v in descendants_cpu(identity_proc.pid).items()}
                    assert getattr(result, expect) == records and not result.rejected, \
                        result.as_dict()
                    print(f"{label:15s}: {wall:7.2f} s  {records / wall:10,.0f} records/s "
                          f"(CPU s: ingesting process {cpu:.2f}, worker {used['worker']:.2f}, "
                          f"PostgreSQL {used['postgres']:.2f}, identity {used['identity']:.2f}; "
                          f"{note})")
                    return wall

                ingest_s = await run("ingest, cold", path, "created",
                                     "first sight of every subject: identity is asked")
                await run("ingest, warm", later, "created",
                          "new records, subjects already known to records")
                await run("resubmission", path, "unchanged", "all unchanged")
                await identity.aclose()
            finally:
                identity_proc.terminate()
                identity_proc.wait(10)

        t0 = time.perf_counter()
        async with transaction(sessionmaker) as session:
            report = await verify_all(session, ["SAMR"])
        verify_s = time.perf_counter() - t0
        print(f"chain verify   : {verify_s:7.2f} s  {2 * records / verify_s:10,.0f} records/s "
              f"(intact: {report.intact})")
        async with transaction(sessionmaker) as session:
            pg = await driver_connection(session)
            rows = [tuple(r) for r in await pg.fetch(
                f"SELECT {', '.join(COLUMNS)} FROM records.credit_records"
                " WHERE source_record_id LIKE 'BENCH-%' ORDER BY chain_seq")]
        async with transaction(sessionmaker) as session:
            pg = await driver_connection(session)
            await pg.execute("TRUNCATE records.credit_records")
        pg_before = descendants_cpu(0)["postgres"]
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(rows), chunk):
            async with transaction(sessionmaker) as session:
                pg = await driver_connection(session)
                await pg.copy_records_to_table("credit_records", schema_name="records",
                                               columns=COLUMNS, records=rows[i:i + chunk])
        copy_s, copy_cpu = time.perf_counter() - t0, time.process_time() - c0
        copy_pg = descendants_cpu(0)["postgres"] - pg_before
        parser.close()
        print(f"raw COPY       : {copy_s:7.2f} s  {records / copy_s:10,.0f} records/s "
              f"(same rows, table, indexes and chunking; CPU s: this process {copy_cpu:.2f}, "
              f"PostgreSQL {copy_pg:.2f})")
        print(f"cold ingestion / raw COPY throughput: {copy_s / ingest_s:.0%}")

        await engine.dispose()
    finally:
        await server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--subjects", type=int, default=5_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes validating chunks (0: in the ingesting process)")
    args = parser.parse_args()
    asyncio.run(main(args.records, args.subjects, args.chunk, args.workers))
