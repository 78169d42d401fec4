"""The benchmark suite: data at a scale, the real services and gateway, scenarios with baselines.

    .venv/bin/python -m bench.run --scale small|medium|national|<subjects> [--seconds 15]
    make bench                    # small (10,000 subjects), a few minutes
    make bench SCALE=national     # 10M subjects, 1.5M active listings, 20M records

Starts a throwaway PostgreSQL tuned for this box (or uses DATABASE_URL), runs the real
migrations, loads generated data (bench/generate.py), starts identity, records and sanctions
(uvicorn, no reload, production settings) and Hive Gateway like `make run` does, then runs:

  a. `check` through the gateway / sent to the sanctions subgraph directly / the same SQL
     through asyncpg / `pgbench -S` (built-in select-only script, same server);
  b. `screen` of a 1,200-code manifest and of 10,000 codes (gateway and subgraph);
  c. record ingestion (the NDJSON pipeline, as the CLI runs it) beside raw COPY of the rows;
  d. a full `restrictionChanges` sync of one purpose (gateway and subgraph);
  e. memory (RSS) of every process;
  f. `check` latency at 10 thousand vs this scale (same server, services restarted on a
     10k-subject database) -- skipped when the scale itself is small;
  i. migrating listings (`xinyong sanctions import`'s pipeline) beside raw COPY of the rows
     it wrote (bench/listings_import.py; `--only import`);
  h. the dashboard queries (`listings`, `workQueue`, `listingCounts`, `checkVolume`), one
     request at a time, p50/p95/p99 (bench/dashboard.py; adds objections, repair applications
     and a month of check audit to the database first).

Writes bench/results/<date>-<scale>.md and .json, and a plot of check latency percentiles
against scale (bench/results/check-latency.svg) from every JSON result present.
HTTP load comes from autocannon (bench/loadgen.mjs) on the same 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import orjson
import psutil

from bench import generate
from bench.dashboard import report as dashboard_report
from bench.dashboard import scenario_dashboard
from bench.dashboard import target as dashboard_target
from devtools.localnet import free_port, wait_http
from devtools.pgembed import _preexec, _reachable_bindir, _server_user, find_bindir, throwaway
from devtools.run import _pdeathsig
from devtools.testing import asyncpg_kwargs, with_database
from libs.common import migrate
from libs.common.auth import mint_token
from libs.common.settings import GATEWAY_SECRET_HEADER

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
JWT_SECRET = "bench-jwt-secret-not-a-dev-default-0123456789"
GATEWAY_SECRET = "bench-gateway-secret-not-a-dev-default"
CHECK = ("query Check($code: ID!) { check(code: $code, purpose: AIR_TRAVEL) { code status "
         "reference restrictions { measure { code name } listing { id status list { code } "
         "effectiveUntil } via { organizationCode role } } } }")
SCREEN = ("query Screen($codes: [ID!]!) { screen(codes: $codes, purpose: AIR_TRAVEL) { checked "
          "restricted { code status restrictions { measure { code } listing { id } } } "
          "invalid { code reason } } }")
CHANGES = ("query Changes($after: String, $first: Int) { restrictionChanges(purpose: AIR_TRAVEL, "
           "after: $after, first: $first) { changes { code measure listingId op effectiveFrom "
           "effectiveUntil } endCursor hasMore } }")
CHANGES_NDJSON = ("query Changes($after: String, $first: Int) { restrictionChangesNdjson("
                  "purpose: AIR_TRAVEL, after: $after, first: $first) { ndjson count endCursor "
                  "hasMore } }")


def say(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)



# ---------------------------------------------------------------- PostgreSQL

def pg_settings(mem_gb: float) -> list[str]:
    shared = max(256, int(mem_gb * 1024 * 0.25))
    return [
        f"shared_buffers={shared}MB", f"effective_cache_size={int(mem_gb * 1024 * 0.6)}MB",
        "work_mem=32MB", "maintenance_work_mem=1GB", "max_connections=300",
        "max_wal_size=16GB", "checkpoint_timeout=30min", "wal_level=minimal",
        "max_wal_senders=0", "fsync=off", "synchronous_commit=off", "full_page_writes=off",
        "random_page_cost=1.1", "jit=off", "max_parallel_workers_per_gather=1",
        "max_parallel_maintenance_workers=1", "timezone=UTC", "autovacuum=on",
    ]


class TunedPostgres:
    """A throwaway server (pgembed) restarted with settings for this box."""

    def __init__(self) -> None:
        self.embedded, self.base = throwaway()
        self.process: subprocess.Popen | None = None
        self.settings: list[str] = []

    def start(self) -> str:
        self.embedded.start()   # initdb + first start with pgembed's defaults
        self.embedded.stop()
        user = _server_user()
        self.bindir = _reachable_bindir(find_bindir(), user)
        mem_gb = psutil.virtual_memory().total / 2**30
        self.settings = ["listen_addresses=",
                         f"unix_socket_directories={self.embedded.socket_dir}"] + pg_settings(mem_gb)
        args = [str(self.bindir / "postgres"), "-D", str(self.embedded.data_dir)]
        for s in self.settings:
            args += ["-c", s]
        log = open(self.base / "postgres.log", "ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                        preexec_fn=_preexec(user), env=self.embedded._env(user))
        self.embedded.process = self.process
        for _ in range(300):
            r = subprocess.run([str(self.bindir / "pg_isready"), "-q", "-h",
                                str(self.embedded.socket_dir), "-U", "xinyong", "-d", "postgres"])
            if r.returncode == 0:
                return self.embedded.dsn
            if self.process.poll() is not None:
                raise RuntimeError((self.base / "postgres.log").read_text()[-2000:])
            time.sleep(0.1)
        raise RuntimeError("tuned PostgreSQL did not start")

    def stop(self) -> None:
        self.embedded.stop()
        shutil.rmtree(self.base, ignore_errors=True)


async def create_database(server_dsn: str, name: str) -> str:
    conn = await asyncpg.connect(**asyncpg_kwargs(server_dsn))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


# ---------------------------------------------------------------- services

class Stack:
    """identity, records, sanctions (uvicorn) and the gateway, as `make run` starts them."""

    def __init__(self, dsn: str, workers: int, logs: Path, pool: int = 20) -> None:
        self.dsn, self.workers, self.logs, self.pool = dsn, workers, logs, pool
        self.procs: dict[str, subprocess.Popen] = {}
        self.urls: dict[str, str] = {}

    def env(self) -> dict:
        return dict(os.environ, XINYONG_DATABASE_URL=self.dsn, XINYONG_ENVIRONMENT="production",
                    XINYONG_JWT_SECRET=JWT_SECRET, XINYONG_GATEWAY_SECRET=GATEWAY_SECRET,
                    XINYONG_LOG_LEVEL="WARNING", XINYONG_STATEMENT_TIMEOUT_MS="30000",
                    XINYONG_GATEWAY_METRICS="0", XINYONG_DB_POOL_SIZE=str(self.pool))

    def start(self) -> None:
        from services.gateway import launcher
        from services.gateway.subgraphs import SUBGRAPHS, env_var_for

        env = self.env()
        self.logs.mkdir(parents=True, exist_ok=True)
        for sub in SUBGRAPHS:
            port = free_port()
            module = sub.schema.split(":")[0].rsplit(".", 1)[0]
            workers = self.workers if sub.name == "sanctions" else 1
            env[f"XINYONG_{sub.name.upper()}_INTERNAL_URL"] = f"http://127.0.0.1:{port}"
            self.urls[sub.name] = f"http://127.0.0.1:{port}"
            env[env_var_for(sub.name)] = f"http://127.0.0.1:{port}/graphql"
            self._ports = getattr(self, "_ports", {})
            self._ports[sub.name] = (module, port, workers)
        for name, (module, port, workers) in self._ports.items():
            log = open(self.logs / f"{name}.log", "ab")
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", f"{module}.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                 "--log-level", "warning", "--workers", str(workers)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_pdeathsig())
        for name in self._ports:
            wait_http(f"{self.urls[name]}/readyz", 90, self.procs[name])
        launcher.ensure_installed()
        gport = free_port()
        genv = dict(env, XINYONG_GATEWAY_PORT=str(gport), XINYONG_GATEWAY_HOST="127.0.0.1")
        self.procs["gateway"] = launcher.start(env=genv, stdout=open(self.logs / "gateway.log", "ab"),
                                               stderr=subprocess.STDOUT)
        self.urls["gateway"] = f"http://127.0.0.1:{gport}"
        launcher.wait_ready(f"{self.urls['gateway']}/graphql", timeout=120,
                            process=self.procs["gateway"])
        for name, proc in self.procs.items():
            PROBES[name] = partial(_tree, proc.pid)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()


def _tree(pid: int) -> list:
    try:
        p = psutil.Process(pid)
        return [p] + p.children(recursive=True)
    except psutil.Error:
        return []



# ---------------------------------------------------------------- load generation

def ensure_loadgen() -> list[str]:
    from services.gateway import launcher

    node = launcher.node_bin()
    if not (BENCH / "node_modules" / "autocannon").exists():
        say("installing autocannon (npm ci in bench/)")
        subprocess.run(launcher._npm_command(node) + ["ci", "--no-audit", "--no-fund"],
                       cwd=BENCH, env=launcher._node_path_env(node), check=True,
                       stdout=subprocess.DEVNULL)
    return [str(node), str(BENCH / "loadgen.mjs")]


PROBES: dict[str, callable] = {}  # process group name -> its psutil processes (CPU accounting)


def _cpu_by_group() -> dict[str, float]:
    out = {}
    for name, procs in PROBES.items():
        total = 0.0
        for p in procs():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        out[name] = total
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["load generator"] = ru.ru_utime + ru.ru_stime
    return out


def loadgen(cmd: list[str], url: str, headers: dict, query: str, var: str, values: list,
            seconds: float, connections: int, warmup: float = 2.0, check_every: int = 1,
            rate: float | None = None) -> dict:
    """Load at most `connections` in flight: as fast as they go, or `rate` requests/s in all."""
    busy = other_cpu()
    if warmup:
        _loadgen(cmd, url, headers, query, var, values, warmup, connections, check_every, rate)
    before = _cpu_by_group()
    result = _loadgen(cmd, url, headers, query, var, values, seconds, connections, check_every,
                      rate)
    after = _cpu_by_group()
    result["other_cpu"] = busy
    if result["requests"]:
        result["cpu_ms_per_request"] = {k: round((after[k] - before.get(k, 0)) * 1000
                                                 / result["requests"], 3) for k in after}
    return result


def _loadgen(cmd, url, headers, query, var, values, seconds, connections, check_every,
             rate: float | None = None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"url": url, "headers": headers, "query": query, "varName": var,
                   "values": values, "duration": seconds, "connections": connections,
                   "warmup": 0, "checkEvery": check_every, "rate": rate}, fh)
    try:
        out = subprocess.run(cmd + [fh.name], capture_output=True, text=True, check=True)
    finally:
        os.unlink(fh.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def other_cpu() -> float:
    """CPU (in cores) used over 1 s by processes that are not this benchmark's: the box is shared."""
    me = psutil.Process()
    mine = {me.pid} | {c.pid for c in me.children(recursive=True)}
    procs = [p for p in psutil.process_iter() if p.pid not in mine]
    before = {}
    for p in procs:
        try:
            t = p.cpu_times()
            before[p.pid] = (p, t.user + t.system)
        except psutil.Error:
            pass
    time.sleep(1)
    used = 0.0
    for pid, (p, t0) in before.items():
        try:
            t = p.cpu_times()
            used += t.user + t.system - t0
        except psutil.Error:
            pass
    return round(used, 2)


def pct(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))] if sorted_ms else 0.0


async def raw_sql_check(dsn: str, codes: list[str], seconds: float, connections: int) -> dict:
    from services.sanctions.checks.repository import CHECK_SQL

    pool = await asyncpg.create_pool(**asyncpg_kwargs(dsn), min_size=connections,
                                     max_size=connections)
    lat: list[float] = []
    stop = time.monotonic() + seconds
    now = datetime.now(timezone.utc)

    async def worker(k: int) -> None:
        i = k
        async with pool.acquire() as conn:
            stmt = await conn.prepare(CHECK_SQL)
            while time.monotonic() < stop:
                t = time.perf_counter()
                await stmt.fetch(codes[i % len(codes)], "AIR_TRAVEL", now)
                lat.append((time.perf_counter() - t) * 1000)
                i += connections

    t0 = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(connections)))
    elapsed = time.monotonic() - t0
    await pool.close()
    lat.sort()
    return {"requests": len(lat), "rps": len(lat) / elapsed, "p50_ms": pct(lat, .5),
            "p95_ms": pct(lat, .95), "p99_ms": pct(lat, .99), "errors": 0}


def pgbench(pg: TunedPostgres | None, server_dsn: str, seconds: float, clients: int) -> dict:
    bindir = pg.bindir if pg else find_bindir()
    exe = bindir / "pgbench"
    if not exe.exists():
        return {"skipped": f"no pgbench in {bindir}"}
    kw = asyncpg_kwargs(server_dsn)
    base = [str(exe), "-h", kw["host"], "-U", kw.get("user", "xinyong")]
    if "port" in kw:
        base += ["-p", str(kw["port"])]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if kw.get("password"):
        env["PGPASSWORD"] = kw["password"]
    asyncio.run(create_database(server_dsn, "bench_pgbench"))
    subprocess.run(base + ["-i", "-q", "-s", "10", "bench_pgbench"], check=True, env=env,
                   capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(base + ["-S", "-M", "prepared", "-c", str(clients), "-j", "2", "-T",
                                     str(int(seconds)), "-l", "--log-prefix", f"{tmp}/pgb",
                                     "bench_pgbench"], check=True, env=env, capture_output=True,
                             text=True)
        lat = []
        for f in Path(tmp).glob("pgb*"):
            for line in f.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]) / 1000)
    lat.sort()
    tps = next((float(line.split("=")[1].split()[0]) for line in out.stdout.splitlines()
                if line.startswith("tps")), len(lat) / seconds)
    return {"requests": len(lat), "rps": tps, "p50_ms": pct(lat, .5), "p95_ms": pct(lat, .95),
            "p99_ms": pct(lat, .99), "errors": 0, "scale": 10}


# ---------------------------------------------------------------- scenarios

async def sample_codes(dsn: str, n: int) -> dict:
    conn = await asyncpg.connect(**asyncpg_kwargs(dsn))
    try:
        total = await conn.fetchval("SELECT reltuples::bigint FROM pg_class "
                                    "WHERE oid = 'identity.subjects'::regclass")
        frac = min(100.0, max(0.01, 100.0 * 4 * n / max(total, 1)))
        restricted = [r[0] for r in await conn.fetch(
            "SELECT DISTINCT subject_code FROM sanctions.restrictions TABLESAMPLE SYSTEM ($1) "
            "WHERE purpose = 'AIR_TRAVEL' LIMIT $2", min(100.0, frac * 20), n)]
        anyone = [r[0] for r in await conn.fetch(
            "SELECT code FROM identity.subjects TABLESAMPLE SYSTEM ($1) LIMIT $2", frac, 4 * n)]
        enterprises = [r[0] for r in await conn.fetch(
            "SELECT code FROM identity.subjects TABLESAMPLE SYSTEM ($1) WHERE kind = 'ENTERPRISE' "
            "LIMIT 5000", min(100.0, frac * 4))]
    finally:
        await conn.close()
    rnd = random.Random(5)
    rnd.shuffle(anyone)
    half = [c for pair in zip(restricted, anyone) for c in pair]
    return {"check": half[: 2 * n], "anyone": anyone, "restricted": restricted,
            "enterprises": enterprises}


def manifests(pool: list[str], size: int, count: int, seed: int) -> list[list[str]]:
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        batch = [rnd.choice(pool) for _ in range(size)]
        for i in range(0, size, 100):  # ~1% typos: invalid codes
            batch[i] = batch[i][:-1] + ("0" if batch[i][-1] != "0" else "1")
        out.append(batch)
    return out


def sync(url: str, headers: dict, page: int, ndjson: bool = False) -> dict:
    """Read the whole AIR_TRAVEL feed the way a consumer would (parsing every change)."""
    query, field = ((CHANGES_NDJSON, "restrictionChangesNdjson") if ndjson
                    else (CHANGES, "restrictionChanges"))
    after, changes, pages = None, 0, 0
    t0 = time.perf_counter()
    page_ms = []
    with httpx.Client(timeout=120, headers=headers) as client:
        while True:
            t = time.perf_counter()
            r = client.post(url, json={"query": query, "variables": {"after": after,
                                                                      "first": page}})
            body = r.json()
            if "errors" in body:
                raise RuntimeError(str(body["errors"])[:500])
            data = body["data"][field]
            if ndjson:
                parsed = [orjson.loads(line) for line in data["ndjson"].splitlines()]
            else:
                parsed = data["changes"]
            page_ms.append((time.perf_counter() - t) * 1000)
            changes += len(parsed)
            pages += 1
            after = data["endCursor"]
            if not data["hasMore"]:
                break
    elapsed = time.perf_counter() - t0
    page_ms.sort()
    return {"changes": changes, "pages": pages, "seconds": elapsed, "rps": changes / elapsed,
            "page_p50_ms": pct(page_ms, .5), "page_p99_ms": pct(page_ms, .99)}


async def ingestion(dsn: str, identity_url: str, codes: list[str], records: int,
                    chunk: int) -> dict:
    from bench.records_ingest import write_file
    from libs.common.db import create_engine, make_sessionmaker, transaction
    from libs.common.ndjson import file_pieces
    from libs.contracts.identity import IdentityClient
    from services.records.config import RecordsSettings
    from services.records.ingestion.copyrows import COLUMNS
    from services.records.ingestion.pipeline import SubjectDirectory, ingest_ndjson
    from services.records.ingestion.workers import ChunkParser
    from services.records.pg import driver_connection

    settings = RecordsSettings(database_url=dsn, environment="test", statement_timeout_ms=0)
    engine = create_engine(settings, application_name="bench-ingest")
    sessionmaker = make_sessionmaker(engine)
    identity = IdentityClient(identity_url, GATEWAY_SECRET, caller="bench", timeout=60)
    out = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "records.ndjson"
            size = write_file(path, records, codes, prefix="BENCHRUN")
            parser = ChunkParser(1)
            await asyncio.to_thread(parser.start)  # started once, as in a running service
            t0, c0 = time.perf_counter(), time.process_time()
            result = await ingest_ndjson(
                partial(transaction, sessionmaker), "SAMR", file_pieces(path),
                SubjectDirectory(identity, sessionmaker), chunk_size=chunk, parser=parser)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            parser.close()
            out["ingest"] = {"records": records, "seconds": wall, "rps": records / wall,
                             "cpu_s": cpu, "created": result.created,
                             "rejected": len(result.rejected), "mb": size / 1e6}
        prefix = "BENCHRUN-%"
        async with transaction(sessionmaker) as session:
            pg = await driver_connection(session)
            rows = [tuple(r) for r in await pg.fetch(
                f"SELECT {', '.join(COLUMNS)} FROM records.credit_records"
                " WHERE agency = 'SAMR' AND source_record_id LIKE $1 ORDER BY chain_seq", prefix)]
            await pg.execute("DELETE FROM records.credit_records WHERE agency = 'SAMR'"
                             " AND source_record_id LIKE $1", prefix)
        t0 = time.perf_counter()
        for i in range(0, len(rows), chunk):
            async with transaction(sessionmaker) as session:
                pg = await driver_connection(session)
                await pg.copy_records_to_table("credit_records", schema_name="records",
                                               columns=COLUMNS, records=rows[i:i + chunk])
        wall = time.perf_counter() - t0
        out["copy"] = {"records": len(rows), "seconds": wall, "rps": len(rows) / wall}
    finally:
        await identity.aclose()
        await engine.dispose()
    return out


def rss(stack: Stack, pg_pid: int | None) -> dict:
    out = {}
    for name, proc in stack.procs.items():
        try:
            p = psutil.Process(proc.pid)
            procs = [p] + p.children(recursive=True)
            out[name] = {"processes": len(procs),
                         "rss_mb": sum(q.memory_info().rss for q in procs) / 2**20}
        except psutil.Error:
            pass
    if pg_pid:
        p = psutil.Process(pg_pid)
        procs = [p] + p.children(recursive=True)
        uss = 0
        for q in procs:
            try:
                uss += q.memory_full_info().uss
            except psutil.Error:
                pass
        out["postgres"] = {"processes": len(procs), "rss_mb": sum(
            q.memory_info().rss for q in procs) / 2**20, "uss_mb": uss / 2**20}
    return out


# ---------------------------------------------------------------- report

def fmt(x, digits=1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def row(name: str, r: dict, base: float | None = None) -> str:
    ratio = f"{r['rps'] / base:.0%}" if base else ""
    return (f"| {name} | {fmt(r.get('rps'), 0)} | {fmt(r.get('p50_ms'))} | {fmt(r.get('p95_ms'))} "
            f"| {fmt(r.get('p99_ms'))} | {fmt(r.get('requests'))} | "
            f"{fmt((r.get('errors') or 0) + (r.get('gql_errors') or 0) + (r.get('non2xx') or 0))} "
            f"| {ratio} | {fmt(r.get('other_cpu'), 2)} |")


CPU_GROUPS = ("gateway", "sanctions", "postgres", "load generator", "identity", "records")


def write_report(res: dict, path: Path) -> None:
    a, b, t = res["scenarios"], res, res["targets"]
    L = [f"# Benchmark {res['date']} — scale {res['scale']} ({res['subjects']:,} subjects)", "",
         f"Machine: {res['machine']}. Load generator (autocannon, one Node process) on the same "
         f"box. PostgreSQL {res['pg_version']} throwaway server: {', '.join(res['pg_settings'])}.",
         f"Services: uvicorn, production settings, sanctions workers={res['workers']}, "
         f"database pool {res.get('pool', 10)} per process, "
         f"HTTP connections={res['connections']}, {res['seconds']:.0f} s per load scenario.",
         "'other CPU': cores busy with processes outside this benchmark (other engineers' test "
         "runs share the box) during the second before the scenario.", "",
         "## Data", "", f"Loaded in {res['load']['total_s']:.0f} s (COPY {res['load']['copy_s']:.0f} s at "
         f"{res['load']['rows_per_s']:,.0f} rows/s, indexes {res['load']['index_s']:.0f} s, "
         f"VACUUM ANALYZE {res['load']['analyze_s']:.0f} s); database {res['load']['db_size']}.", "",
         "| table | rows |", "|---|---|"]
    L += [f"| {k} | {v:,} |" for k, v in res["load"]["rows"].items()]
    L += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    L += [f"| {k} | {v[0]} | {'yes' if v[1] else '**no**'} |" for k, v in t.items()]
    head = ["| scenario | req/s | p50 ms | p95 ms | p99 ms | requests | errors | of baseline "
            "| other CPU |", "|---|---|---|---|---|---|---|---|---|"]
    if "check" in a:
        c = a["check"]
        L += ["", "## (a) check (one code, AIR_TRAVEL; half restricted, half random subjects)", ""]
        L += head + [row("through the gateway", c["gateway"], c["subgraph"]["rps"]),
                     row("sanctions subgraph directly", c["subgraph"], None),
                     row("raw SQL, asyncpg prepared (check query)", c["sql"], None)]
        if "rps" in c.get("pgbench", {}):
            L.append(row("pgbench -S (select-only, scale 10)", c["pgbench"], None))
        L.append("")
        L.append("'of baseline' for the gateway is its share of direct-subgraph throughput.")
        cpu_rows = [(k, c[k].get("cpu_ms_per_request")) for k in ("gateway", "subgraph")]
        cpu_rows += [(k, r.get("cpu_ms_per_request")) for k, r in a.get("screen", {}).items()]
        cores = res.get("cores", 2)
        L += ["", "CPU per request by process, in ms, measured over each load run (psutil; "
              "the load generator by getrusage). 'ceiling' is what this much CPU per request "
              f"allows on {cores} otherwise idle cores: {cores},000 ms of CPU per second / total.",
              "", "| path | " + " | ".join(CPU_GROUPS) + " | total | ceiling req/s |",
              "|---|" + "---|" * (len(CPU_GROUPS) + 2)]
        for k, cpu in cpu_rows:
            if cpu:
                total = sum(cpu.values())
                L.append(f"| {k} | " + " | ".join(f"{cpu.get(g, 0):.2f}" for g in CPU_GROUPS)
                         + f" | {total:.2f} | {cores * 1000 / total:,.0f} |")
    if "screen" in a:
        L += ["", "## (b) screen (AIR_TRAVEL; random subjects, 1% invalid codes)", ""] + head
        for k, r in a["screen"].items():
            L.append(row(k, r))
    if "ingest" in a:
        g = a["ingest"]
        L += ["", "## (c) record ingestion vs raw COPY (same rows, table and chunking)", "",
              "| path | records | seconds | records/s | of raw COPY |", "|---|---|---|---|---|",
              f"| NDJSON pipeline (parse, validate, subjects, versions, hash chain, COPY) | "
              f"{g['ingest']['records']:,} | {g['ingest']['seconds']:.2f} | "
              f"{g['ingest']['rps']:,.0f} | {g['ingest']['rps'] / g['copy']['rps']:.0%} |",
              f"| raw COPY | {g['copy']['records']:,} | {g['copy']['seconds']:.2f} | "
              f"{g['copy']['rps']:,.0f} | 100% |"]
    if "sync" in a:
        L += ["", "## (d) full restrictionChanges sync of AIR_TRAVEL", "",
              "| via | changes | pages | seconds | changes/s | page p50 ms | page p99 ms |",
              "|---|---|---|---|---|---|---|"]
        for k, r in a["sync"].items():
            L.append(f"| {k} | {r['changes']:,} | {r['pages']} | {r['seconds']:.2f} | "
                     f"{r['rps']:,.0f} | {r['page_p50_ms']:.0f} | {r['page_p99_ms']:.0f} |")
    if "amplify" in a:
        g = a["amplify"]
        L += ["", "## (g) one consumer amplifying beside another's plain checks", "",
              f"Plain `check`s offered at {g['rate']}/s over {RATE_CONNECTIONS} connections by one "
              f"consumer; another keeps {g['amplifiers']} requests in flight (30 aliased 10,000-code "
              "screens per request, then one 10,000-code screen per request).", ""] + head
        for k, r in g.items():
            if isinstance(r, dict) and "rps" in r:
                L.append(row(k, r))
        L += ["", "| amplifier's requests | answers |", "|---|---|"]
        for k, seen in g["amplifier answers"].items():
            L.append(f"| {k} | " + "; ".join(f"{n:,} × {c}" for c, n in sorted(seen.items()))
                     + " |")
    if "memory" in a:
        L += ["", "## (e) memory after the scenarios", "", "| process | processes | RSS MB |",
              "|---|---|---|"]
        for k, r in a["memory"].items():
            extra = f" (USS {r['uss_mb']:,.0f})" if "uss_mb" in r else ""
            L.append(f"| {k} | {r['processes']} | {r['rss_mb']:,.0f}{extra} |")
    if "scale" in a:
        f = a["scale"]
        L += ["", "## (f) check latency against scale (through the gateway)", "",
              "Saturated (16 connections as fast as they go, as in (a)):", ""] + head
        for k, r in f.items():
            if isinstance(r, dict):
                L.append(row(k, r))
        fixed = a.get("scale_at_rate")
        if fixed:
            L += ["", f"At one offered rate, {fixed['rate']:,.0f} checks/s over {RATE_CONNECTIONS} "
                      "connections (half the saturated throughput at this scale), so that p99 "
                      "shows the data size rather than CPU queueing:", ""] + head
            for k, r in fixed.items():
                if isinstance(r, dict):
                    L.append(row(k, r))
    if "import" in a:
        m = a["import"]
        L += ["", "## (i) migrating listings (POST /listings/bulk's pipeline) vs raw COPY", "",
              "| path | listings | seconds | listings/s |", "|---|---|---|---|",
              f"| import (new) | {m['import']['listings']:,} | {m['import']['seconds']:.2f} | "
              f"{m['import']['rps']:,.0f} |",
              f"| resubmission (unchanged) | {m['resubmit']['listings']:,} | "
              f"{m['resubmit']['seconds']:.2f} | {m['resubmit']['rps']:,.0f} |",
              f"| raw COPY of the same rows ({m['copy']['rows']:,} rows) | "
              f"{m['copy']['listings']:,} | {m['copy']['seconds']:.2f} | "
              f"{m['copy']['rps']:,.0f} |"]
    L += dashboard_report(a)
    L += ["", "![check latency against scale](check-latency.svg)", ""]
    if res.get("notes"):
        L += ["## Notes", ""] + [f"- {n}" for n in res["notes"]] + [""]
    path.write_text("\n".join(L))


def plot(results_dir: Path) -> None:
    """check p50/p95/p99 through the gateway against subjects, from every JSON result (SVG)."""
    by_n: dict[int, tuple] = {}
    paired: dict[int, tuple] = {}  # scenario f: both points measured in one run, preferred
    for f in sorted(results_dir.glob("*.json")):
        try:
            r = json.loads(f.read_text())
            c = r["scenarios"]["check"]["gateway"]
            by_n[r["subjects"]] = (r["subjects"], c["p50_ms"], c["p95_ms"], c["p99_ms"])
            for v in r["scenarios"].get("scale", {}).values():
                if isinstance(v, dict) and "subjects" in v:
                    paired[v["subjects"]] = (v["subjects"], v["p50_ms"], v["p95_ms"], v["p99_ms"])
        except (KeyError, ValueError):
            continue
    by_n.update(paired)
    if not by_n:
        return
    pts = sorted(by_n.values())
    import math
    W, H, M = 640, 400, 60
    xs = [math.log10(p[0]) for p in pts]
    xmin, xmax = min(xs) - 0.5, max(xs) + 0.5
    ymax = max(max(p[1:]) for p in pts) * 1.2 or 1
    X = lambda v: M + (math.log10(v) - xmin) / (xmax - xmin) * (W - 2 * M)  # noqa: E731
    Y = lambda v: H - M - v / ymax * (H - 2 * M)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif" font-size="12"><rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">check through the gateway:'
           f' latency percentiles against subjects</text>',
           f'<line x1="{M}" y1="{H - M}" x2="{W - M}" y2="{H - M}" stroke="black"/>',
           f'<line x1="{M}" y1="{M}" x2="{M}" y2="{H - M}" stroke="black"/>',
           f'<text x="{W / 2}" y="{H - 15}" text-anchor="middle">subjects (log scale)</text>',
           f'<text x="15" y="{H / 2}" transform="rotate(-90 15 {H / 2})" text-anchor="middle">'
           f'latency ms</text>']
    for k in range(6):
        v = ymax * k / 5
        out.append(f'<text x="{M - 5}" y="{Y(v) + 4}" text-anchor="end">{v:.1f}</text>'
                   f'<line x1="{M}" y1="{Y(v)}" x2="{W - M}" y2="{Y(v)}" stroke="#eee"/>')
    for p in pts:
        out.append(f'<text x="{X(p[0])}" y="{H - M + 16}" text-anchor="middle">{p[0]:,}</text>')
    for i, (label, colour) in enumerate((("p50", "#1f77b4"), ("p95", "#ff7f0e"),
                                         ("p99", "#d62728"))):
        path = " ".join(f"{X(p[0]):.1f},{Y(p[i + 1]):.1f}" for p in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p in pts:
            out.append(f'<circle cx="{X(p[0]):.1f}" cy="{Y(p[i + 1]):.1f}" r="3" fill="{colour}"/>')
        out.append(f'<text x="{W - M + 5}" y="{Y(pts[-1][i + 1]) + 4}" fill="{colour}">{label}</text>')
    out.append("</svg>")
    (results_dir / "check-latency.svg").write_text("\n".join(out))


# ---------------------------------------------------------------- main

async def load_db(server_dsn: str, name: str, n: int) -> tuple[str, dict]:
    dsn = await create_database(server_dsn, name)
    say(f"migrating {name}")
    await asyncio.to_thread(migrate.upgrade, dsn)
    say(f"generating {n:,} subjects into {name}")
    info = await generate.load(dsn, n)
    return dsn, info


def run_checks(lg, stack: Stack, codes: list[str], seconds: float, conns: int, token: str,
               direct: bool = True) -> dict:
    gw = {"authorization": f"Bearer {token}"}
    sub = {**gw, GATEWAY_SECRET_HEADER: GATEWAY_SECRET}
    out = {"gateway": loadgen(lg, stack.urls["gateway"] + "/graphql", gw, CHECK, "code", codes,
                              seconds, conns)}
    if direct:
        out["subgraph"] = loadgen(lg, stack.urls["sanctions"] + "/graphql", sub, CHECK, "code",
                                  codes, seconds, conns)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small")
    ap.add_argument("--seconds", type=float, default=None, help="per load scenario")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers for sanctions")
    ap.add_argument("--pool", type=int, default=20, help="database pool size per service process")
    ap.add_argument("--ingest-records", type=int, default=None)
    ap.add_argument("--import-listings", type=int, default=None)
    ap.add_argument("--only", default="", help="comma list of scenarios: check,screen,ingest,"
                                               "sync,amplify,memory,scale,dashboard,import")
    ap.add_argument("--profile", action="store_true",
                    help="py-spy flame graph of a sanctions worker during (a), into bench/results")
    ap.add_argument("--keep", action="store_true", help="stay up after the scenarios (profiling)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below
    n = generate.resolve_scale(args.scale)
    args.stem = f"{datetime.now(timezone.utc):%Y-%m-%d}-{args.scale}"
    RESULTS.mkdir(exist_ok=True)
    small = n <= 20_000
    seconds = args.seconds or (10 if small else 20)
    only = set(filter(None, args.only.split(","))) or {"check", "screen", "ingest", "sync",
                                                       "amplify", "memory", "scale", "dashboard", "import"}
    started = datetime.now(timezone.utc)
    scratch = BENCH / ".scratch"
    scratch.mkdir(exist_ok=True)
    lg = ensure_loadgen()
    pg = None
    server_dsn = os.environ.get("DATABASE_URL")
    if not server_dsn:
        pg = TunedPostgres()
        say(f"starting a tuned throwaway PostgreSQL in {pg.base}")
        server_dsn = pg.start()
        PROBES["postgres"] = partial(_tree, pg.process.pid)
    stack = None
    res: dict = {"date": started.strftime("%Y-%m-%d"), "scale": args.scale, "subjects": n,
                 "workers": args.workers, "pool": args.pool, "connections": args.connections, "seconds": seconds,
                 "cores": psutil.cpu_count(),
                 "machine": f"{psutil.cpu_count()} cores, "
                            f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM",
                 "pg_settings": [s for s in (pg.settings[2:] if pg else [])] or ["DATABASE_URL"],
                 "scenarios": {}, "notes": []}
    try:
        dsn, res["load"] = asyncio.run(load_db(server_dsn, "xinyong_bench", n))
        res["pg_version"] = asyncio.run(_fetchval(dsn, "SHOW server_version"))
        stack = Stack(dsn, args.workers, scratch / "logs", args.pool)
        say("starting identity, records, sanctions and the gateway")
        stack.start()
        token = mint_token("bench-airline", ["consumer"], ["AIR_TRAVEL"], secret=JWT_SECRET)
        codes = asyncio.run(sample_codes(dsn, 5000))
        a = res["scenarios"]

        def attempt(name: str, fn) -> None:
            try:
                fn()
            except Exception as exc:  # one broken scenario must not lose the others
                say(f"scenario {name} failed: {exc!r}")
                res["notes"].append(f"scenario {name} failed: {exc!r}"[:400])

        attempt("a", lambda: scenario_check(a, lg, stack, codes, seconds, args, token, pg,
                                            server_dsn, dsn) if "check" in only else None)
        if "scale" in only and not small and "check" in a:
            attempt("f", lambda: paced_check(a, lg, stack, codes["check"], seconds, token, n))
        attempt("b", lambda: scenario_screen(a, lg, stack, codes, seconds, token)
                if "screen" in only else None)
        attempt("d", lambda: scenario_sync(a, stack, token) if "sync" in only else None)
        attempt("g", lambda: scenario_amplify(a, lg, stack, codes, seconds, token)
                if "amplify" in only else None)
        attempt("c", lambda: scenario_ingest(a, stack, codes, dsn, args, small)
                if "ingest" in only else None)
        attempt("i", lambda: scenario_import(a, stack, codes, dsn, args, small)
                if "import" in only else None)
        attempt("h", lambda: scenario_dashboard(a, stack.urls["gateway"], dsn, n, seconds,
                                                JWT_SECRET) if "dashboard" in only else None)
        if "memory" in only:
            a["memory"] = rss(stack, pg.process.pid if pg else None)
        if "scale" in only and not small and "check" in a:
            holder = {"stack": stack}
            attempt("f", lambda: scenario_scale(a, lg, holder, n, server_dsn, seconds, args,
                                                token, scratch))
            stack = holder["stack"]
        if args.keep:
            say(f"up: gateway {stack.urls['gateway']}; Ctrl-C to stop")
            signal.pause()
    finally:
        if stack:
            stack.stop()
        if pg:
            pg.stop()
    return finish(res, args)


def py_spy(stack: Stack, seconds: float, out: Path) -> subprocess.Popen | None:
    """Sample one sanctions worker with py-spy (if installed) while a scenario runs."""
    exe = Path(sys.executable).with_name("py-spy")
    if not exe.exists():
        say("--profile: py-spy is not installed in this venv (pip install py-spy); skipped")
        return None
    procs = _tree(stack.procs["sanctions"].pid)
    workers = [p for p in procs if "spawn_main" in " ".join(p.cmdline())] or procs
    return subprocess.Popen([str(exe), "record", "-p", str(workers[-1].pid), "-d",
                             str(max(1, int(seconds))), "-r", "200", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def scenario_check(a, lg, stack, codes, seconds, args, token, pg, server_dsn, dsn) -> None:
    say("(a) check: gateway, subgraph")
    a["check"] = run_checks(lg, stack, codes["check"], seconds, args.connections, token)
    if args.profile:  # an extra, unreported run: sampling slows the worker it samples
        spy = py_spy(stack, seconds, RESULTS / f"{args.stem}-sanctions-check.svg")
        if spy:
            say("    profiling a sanctions worker (py-spy) under the direct check load")
            sub = {"authorization": f"Bearer {token}", GATEWAY_SECRET_HEADER: GATEWAY_SECRET}
            _loadgen(lg, stack.urls["sanctions"] + "/graphql", sub, CHECK, "code",
                     codes["check"], seconds, args.connections, 1)
            spy.wait(60)
    say(f"    gateway {a['check']['gateway']['rps']:,.0f}/s p99 "
        f"{a['check']['gateway']['p99_ms']:.1f} ms; subgraph "
        f"{a['check']['subgraph']['rps']:,.0f}/s p99 {a['check']['subgraph']['p99_ms']:.1f} ms")
    say("(a) check: raw SQL, pgbench -S")
    a["check"]["sql"] = asyncio.run(raw_sql_check(dsn, codes["check"], seconds, args.connections))
    a["check"]["pgbench"] = pgbench(pg, server_dsn, seconds, args.connections)
    say(f"    sql {a['check']['sql']['rps']:,.0f}/s; pgbench "
        f"{a['check']['pgbench'].get('rps', 0):,.0f}/s")


def scenario_screen(a, lg, stack, codes, seconds, token) -> None:
    gw = {"authorization": f"Bearer {token}"}
    sub = {**gw, GATEWAY_SECRET_HEADER: GATEWAY_SECRET}
    a["screen"] = {}
    for size in (1200, 10_000):
        batches = manifests(codes["anyone"], size, 10, size)
        say(f"(b) screen {size:,} codes")
        a["screen"][f"{size:,} codes, gateway"] = loadgen(
            lg, stack.urls["gateway"] + "/graphql", gw, SCREEN, "codes", batches,
            seconds / 2, 1, warmup=1)
        a["screen"][f"{size:,} codes, subgraph"] = loadgen(
            lg, stack.urls["sanctions"] + "/graphql", sub, SCREEN, "codes", batches,
            seconds / 2, 1, warmup=1)
        say(f"    p99 gateway {a['screen'][f'{size:,} codes, gateway']['p99_ms']:.0f} ms")


def scenario_sync(a, stack, token) -> None:
    say("(d) full restrictionChanges sync of AIR_TRAVEL")
    gw = {"authorization": f"Bearer {token}"}
    sub = {**gw, GATEWAY_SECRET_HEADER: GATEWAY_SECRET}
    a["sync"] = {}
    a["sync"]["gateway, pages of 10,000"] = sync(stack.urls["gateway"] + "/graphql", gw, 10_000)
    a["sync"]["subgraph, pages of 10,000"] = sync(stack.urls["sanctions"] + "/graphql", sub,
                                                  10_000)
    a["sync"]["gateway, NDJSON pages of 10,000"] = sync(stack.urls["gateway"] + "/graphql", gw,
                                                        10_000, ndjson=True)
    for k, v in a["sync"].items():
        say(f"    {k}: {v['changes']:,} changes, {v['rps']:,.0f}/s")


def scenario_ingest(a, stack, codes, dsn, args, small) -> None:
    from services.records.config import RecordsSettings

    records = args.ingest_records or (100_000 if small else 200_000)
    say(f"(c) ingestion of {records:,} records vs raw COPY")
    a["ingest"] = asyncio.run(ingestion(dsn, stack.urls["identity"], codes["enterprises"],
                                        records, RecordsSettings().bulk_chunk_size))
    say(f"    ingest {a['ingest']['ingest']['rps']:,.0f}/s, "
        f"copy {a['ingest']['copy']['rps']:,.0f}/s")


def scenario_import(a, stack, codes, dsn, args, small) -> None:
    from bench.listings_import import listing_import
    from services.sanctions.config import SanctionsSettings

    n = args.import_listings or (20_000 if small else 200_000)
    say(f"(i) migrating {n:,} listings vs raw COPY of their rows")
    a["import"] = asyncio.run(listing_import(
        dsn, stack.urls["identity"], stack.urls["records"], GATEWAY_SECRET, codes["anyone"], n,
        SanctionsSettings().bulk_chunk_size))
    say(f"    import {a['import']['import']['rps']:,.0f} listings/s, "
        f"resubmitted {a['import']['resubmit']['rps']:,.0f}/s, "
        f"copy {a['import']['copy']['rps']:,.0f} listings/s")


RATE_CONNECTIONS = 4  # connections of the paced runs of (f)


def paced_check(a, lg, stack, codes: list[str], seconds: float, token: str, n: int) -> None:
    """The paced half of (f) at this scale, taken right after (a) on the same quiet database
    (after the ingestion of (c), checkpoints and the like would be measured too)."""
    rate = max(20, round(a["check"]["gateway"]["rps"] / 2, -1))
    gw = {"authorization": f"Bearer {token}"}
    a["scale_at_rate"] = {"rate": rate, f"{n:,} subjects": {**loadgen(
        lg, stack.urls["gateway"] + "/graphql", gw, CHECK, "code", codes, seconds,
        RATE_CONNECTIONS, rate=rate), "subjects": n}}


def scenario_scale(a, lg, holder, n, server_dsn, seconds, args, token, scratch) -> None:
    """check through the gateway at this scale and at 10k subjects: saturated (as in (a)) and at
    one fixed offered rate, half of this scale's saturated throughput (`paced_check`).
    Saturated p99 is mostly CPU queueing and follows throughput; at an equal offered rate, p99
    shows what the size of the data adds. The paced runs use RATE_CONNECTIONS: autocannon paces
    each connection on its own timer, so 16 paced connections fire together and queue behind
    each other."""
    say("(f) check at 10,000 subjects on the same server")
    a["scale"] = {f"{n:,} subjects": {**a["check"]["gateway"], "subjects": n}}
    holder["stack"].stop()
    dsn10k, _ = asyncio.run(load_db(server_dsn, "xinyong_bench_10k", 10_000))
    holder["stack"] = Stack(dsn10k, args.workers, scratch / "logs", args.pool)
    holder["stack"].start()
    c10k = asyncio.run(sample_codes(dsn10k, 5000))
    r = run_checks(lg, holder["stack"], c10k["check"], seconds, args.connections, token,
                   direct=False)["gateway"]
    a["scale"]["10,000 subjects"] = {**r, "subjects": 10_000}
    say(f"    10k: {r['rps']:,.0f}/s p99 {r['p99_ms']:.1f} ms")
    fixed = a.get("scale_at_rate")
    if fixed:
        fixed["10,000 subjects"] = {**loadgen(
            lg, holder["stack"].urls["gateway"] + "/graphql", {"authorization": f"Bearer {token}"},
            CHECK, "code", c10k["check"], seconds, RATE_CONNECTIONS, rate=fixed["rate"]),
            "subjects": 10_000}
        big, small = (fixed[k] for k in (f"{n:,} subjects", "10,000 subjects"))
        say(f"    at {fixed['rate']:,.0f}/s offered: p99 {big['p99_ms']:.1f} ms at {n:,}, "
            f"{small['p99_ms']:.1f} ms at 10k")


AMPLIFY_RATE = 200  # plain checks offered per second in (g), well under saturation
AMPLIFIERS = 5  # requests one amplifying consumer keeps in flight in (g)


def amplifier_codes(n: int) -> list[str]:
    """`n` distinct, valid organisation codes (most belong to nobody in the data)."""
    from libs.common.identifiers import make_uscc

    return [make_uscc("9", "1", "310115", f"{i:08d}") for i in range(n)]


def _amplify(url: str, token: str, query: str, codes: list[str], stop: threading.Event,
             seen: collections.Counter) -> None:
    body = orjson.dumps({"query": query, "variables": {"c": codes}})  # encoded once: the
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}  # client
    with httpx.Client(timeout=60.0, trust_env=False) as client:  # spends its CPU on sending
        while not stop.is_set():
            try:
                r = client.post(url, content=body, headers=headers)
                answer = r.json()
                codes_seen = {(e.get("extensions") or {}).get("code")
                              for e in answer.get("errors") or []}
                seen[f"HTTP {r.status_code} " + (",".join(sorted(map(str, codes_seen)))
                                                  or "answered")] += 1
            except Exception as exc:  # counted, never the end of the thread  # noqa: BLE001
                seen[type(exc).__name__] += 1


def scenario_amplify(a, lg, stack, codes, seconds, token) -> None:
    """(g) One consumer amplifying beside another's plain checks (paced at AMPLIFY_RATE/s):
    the checks alone, then while the amplifier keeps AMPLIFIERS requests in flight of 30
    aliased `screen` fields of 10,000 codes each (refused before execution), then of one
    10,000-code screen each (allowed one by one, bounded per consumer)."""
    say("(g) amplification: plain checks alone, beside aliased screens, beside parallel screens")
    gw_url = stack.urls["gateway"] + "/graphql"
    gw = {"authorization": f"Bearer {token}"}
    attacker = mint_token("bench-amplifier", ["consumer"], ["AIR_TRAVEL"], secret=JWT_SECRET)
    many = amplifier_codes(10_000)
    aliased = ("query A($c: [ID!]!) { " + " ".join(
        f"s{i}: screen(codes: $c, purpose: AIR_TRAVEL) {{ checked }}" for i in range(30)) + " }")
    single = "query S($c: [ID!]!) { screen(codes: $c, purpose: AIR_TRAVEL) { checked } }"
    out = {"rate": AMPLIFY_RATE, "amplifiers": AMPLIFIERS, "amplifier answers": {}}

    def paced() -> dict:
        return loadgen(lg, gw_url, gw, CHECK, "code", codes["check"], seconds, RATE_CONNECTIONS,
                       rate=AMPLIFY_RATE)

    out["checks alone"] = paced()
    for name, query in (("beside 30 aliased screens of 10,000 codes", aliased),
                        ("beside single screens of 10,000 codes", single)):
        stop, seen = threading.Event(), collections.Counter()
        threads = [threading.Thread(target=_amplify, args=(gw_url, attacker, query, many, stop,
                                                           seen), daemon=True)
                   for _ in range(AMPLIFIERS)]
        for t in threads:
            t.start()
        try:
            out[name] = paced()
        finally:
            stop.set()
            for t in threads:
                t.join(90)
        out["amplifier answers"][name] = dict(seen)
    a["amplify"] = out


def finish(res: dict, args) -> int:
    res["targets"] = targets(res)
    res["finished"] = datetime.now(timezone.utc).isoformat()
    RESULTS.mkdir(exist_ok=True)
    stem = f"{res['date']}-{args.scale}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(res, indent=1, default=str))
    plot(RESULTS)
    write_report(res, RESULTS / f"{stem}.md")
    say(f"report: {RESULTS / (stem + '.md')}")
    for k, (v, ok) in res["targets"].items():
        say(f"  {'ok ' if ok else 'GAP'} {k}: {v}")
    return 0


def targets(res: dict) -> dict:
    a = res["scenarios"]
    t = {}
    if "check" in a:
        g, s = a["check"]["gateway"], a["check"]["subgraph"]
        t["check via gateway >= 1,000/s"] = (f"{g['rps']:,.0f}/s", g["rps"] >= 1000)
        t["check via gateway p99 <= 30 ms"] = (f"{g['p99_ms']:.1f} ms", g["p99_ms"] <= 30)
        t["gateway >= 40% of direct subgraph"] = (f"{g['rps'] / s['rps']:.0%}",
                                                  g["rps"] / s["rps"] >= 0.4)
    if "screen" in a:
        r = a["screen"].get("1,200 codes, gateway")
        if r:
            t["screen 1,200 p99 <= 100 ms"] = (f"{r['p99_ms']:.1f} ms", r["p99_ms"] <= 100)
    if "amplify" in a:
        for k, r in a["amplify"].items():
            if k.startswith("beside"):
                errors = (r.get("errors") or 0) + (r.get("gql_errors") or 0) + (r.get("non2xx") or 0)
                t[f"plain checks {k}: p99 < 100 ms, no errors"] = (
                    f"p99 {r['p99_ms']:.1f} ms, {errors} errors", r["p99_ms"] < 100 and not errors)
    if "ingest" in a:
        r = a["ingest"]["ingest"]["rps"]
        t["ingestion >= 50,000 records/s"] = (f"{r:,.0f}/s", r >= 50_000)
    if "import" in a:
        r = a["import"]["import"]["rps"]
        t["listing migration >= 20,000 listings/s"] = (f"{r:,.0f}/s", r >= 20_000)
    if "sync" in a:
        r = max(v["rps"] for k, v in a["sync"].items() if k.startswith("gateway"))
        t["full sync >= 200,000 changes/s"] = (f"{r:,.0f}/s", r >= 200_000)
    if dashboard_target(a):
        t["dashboard queries p95 <= 300 ms"] = dashboard_target(a)
    fixed = {k: v for k, v in a.get("scale_at_rate", {}).items() if isinstance(v, dict)}
    if len(fixed) == 2:  # the same offered load at both scales
        big, small = list(fixed.values())
        ratio = big["p99_ms"] / small["p99_ms"]
        t["check p99 at scale within 10% of 10k"] = (
            f"{big['p99_ms']:.1f} vs {small['p99_ms']:.1f} ms at {a['scale_at_rate']['rate']:,.0f}"
            f"/s offered ({ratio - 1:+.0%})", ratio <= 1.10)
    elif "scale" in a and len(a["scale"]) == 2:
        big, small = list(a["scale"].values())
        ratio = big["p99_ms"] / small["p99_ms"]
        t["check p99 at scale within 10% of 10k"] = (
            f"{big['p99_ms']:.1f} vs {small['p99_ms']:.1f} ms ({ratio - 1:+.0%})", ratio <= 1.10)
    return t


async def _fetchval(dsn: str, sql: str):
    conn = await asyncpg.connect(**asyncpg_kwargs(dsn))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(main())
