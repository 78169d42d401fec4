"""`make run`: PostgreSQL, migrations, demo data, every subgraph and the gateway, in one terminal.

The processes are supervised (devtools/supervise.py): one that exits is started again with
backoff while the rest keeps serving.
"""

from __future__ import annotations

import asyncio
import ctypes
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

from devtools.localnet import wait_http
from devtools.supervise import Supervised, Supervisor
from libs.common import migrate
from libs.common.auth import mint_token
from libs.common.settings import DEV_JWT_SECRET

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("XINYONG_DATA_DIR") or ROOT / ".data")
LOCK = DATA / "run.lock"
DATABASE = "xinyong"


def say(message: str) -> None:
    print(f"[xinyong] {message}", flush=True)


def service_workers(name: str, cores: int) -> int:
    """uvicorn workers of a service: production's serving settings on one machine.

    Production runs one process per pod and scales pods (infra/k8s); here the check path's
    subgraph gets a worker per core, as the bench runs it, and identity and records, which a
    check never calls, one each.
    """
    return max(1, cores) if name == "sanctions" else 1


def gateway_workers(cores: int) -> int:
    """Gateway worker processes (Hive Gateway's --fork).

    One up to two cores: measured on 2 cores, two gateway workers beside two sanctions workers
    and PostgreSQL answered fewer checks per second than one (the processes fight for the same
    cores). Beyond that, one per two cores.
    """
    return 1 if cores <= 2 else cores // 2


def service_command(module: str, host: str, port: int, workers: int = 1) -> list[str]:
    """How `make run` (and its supervision test) starts one service."""
    return [sys.executable, "-m", "uvicorn", f"{module}.app:create_app", "--factory",
            "--host", host, "--port", str(port), "--no-access-log", "--workers", str(workers)]


def _pdeathsig():
    prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl

    def preexec() -> None:
        prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG: children die with `make run`

    return preexec


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _port_busy(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def _take_lock():
    DATA.mkdir(exist_ok=True)
    fh = open(LOCK, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        info = fh.read().strip() or "{}"
        try:
            other = json.loads(info)
        except ValueError:
            other = {}
        say("xinyong is already running from this folder"
            + (f" (pid {other.get('pid')}, gateway at {other.get('gateway')})" if other else "")
            + ". Stop it with Ctrl-C in its terminal, or use that one.")
        sys.exit(1)
    return fh


async def _ensure_database(server_dsn: str) -> str:
    import asyncpg

    from devtools.testing import asyncpg_kwargs, with_database

    conn = await asyncpg.connect(**asyncpg_kwargs(server_dsn))
    try:
        exists = await conn.fetchval("select 1 from pg_database where datname = $1", DATABASE)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    return with_database(server_dsn, DATABASE)



def main(gateway_port: int = 4000, load_demo: bool = True) -> int:
    """Start everything, print how to use it, and stop it all on Ctrl-C."""
    from services.gateway import launcher
    from services.gateway.subgraphs import SUBGRAPHS, env_var_for

    lock = _take_lock()
    host = "127.0.0.1"
    # The services take the ports after the gateway's (4001-4003 beside the default 4000).
    urls = {sub.name: f"http://{host}:{gateway_port + i}" for i, sub in enumerate(SUBGRAPHS, 1)}
    # The console is served on the gateway's port + 4 and calls the gateway from there (CORS).
    console_port = gateway_port + 4
    metrics_port = gateway_port + 5  # the gateway's private Prometheus listener
    ports = ([gateway_port] + [urlparse(u).port for u in urls.values()]
             + [console_port, metrics_port])
    busy = [p for p in ports if _port_busy(host, p)]
    if busy:
        say(f"port(s) {', '.join(map(str, busy))} on {host} are in use by another program; "
            "stop it or set XINYONG_GATEWAY_PORT for the gateway")
        return 1

    supervisor = Supervisor(say, shown=_shown)
    embedded = None

    def stop_all() -> None:
        say("stopping ...")
        supervisor.stop_all()
        if embedded is not None:
            embedded.stop()
        say("stopped")

    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server_dsn = os.environ.get("DATABASE_URL")
        if server_dsn:
            say("using DATABASE_URL")
            dsn = server_dsn
        else:
            from devtools.pgembed import persistent

            embedded = persistent(DATA)
            fresh = not (embedded.data_dir / "PG_VERSION").exists()
            say(("creating" if fresh else "starting") + f" embedded PostgreSQL in {embedded.data_dir}")
            if not embedded.data_dir.is_relative_to(DATA):
                say("  (running as root: the server runs as an unprivileged user who cannot reach "
                    ".data/ here, so its data lives there; .data/pg-location records where)")
            server_dsn = embedded.start()
            dsn = asyncio.run(_ensure_database(server_dsn))
        say("running migrations")
        migrate.upgrade(dsn)
        env = dict(os.environ, XINYONG_DATABASE_URL=dsn, XINYONG_ENVIRONMENT=os.environ.get(
            "XINYONG_ENVIRONMENT", "development"),
            XINYONG_IDENTITY_INTERNAL_URL=urls["identity"],
            XINYONG_RECORDS_INTERNAL_URL=urls["records"])
        logs = DATA / "logs"
        logs.mkdir(exist_ok=True)
        cores = os.cpu_count() or 1
        for sub in SUBGRAPHS:
            port = urlparse(urls[sub.name]).port
            module = sub.schema.split(":")[0].rsplit(".", 1)[0]
            command = service_command(module, host, port, service_workers(sub.name, cores))
            supervisor.add(Supervised(
                sub.name, partial(_spawn, command, dict(env), logs / f"{sub.name}.log"),
                logs / f"{sub.name}.log", ready_url=f"{urls[sub.name]}/readyz"))
            env[env_var_for(sub.name)] = f"{urls[sub.name]}/graphql"
        for service in supervisor.services:
            wait_http(service.ready_url, 60, service.process)
            say(f"{service.name} subgraph ready on {urls[service.name]}/graphql "
                f"(log: {_shown(service.log)})")
        if load_demo:
            from xinyong.demo import load

            say("loading demo data")
            summary = asyncio.run(load(dsn, urls))
            say("demo data: " + ", ".join(f"{k}: {v}" for k, v in summary.items()))

        launcher.ensure_installed()
        from services.console import serve as console

        gateway_env = dict(env, XINYONG_GATEWAY_PORT=str(gateway_port), XINYONG_GATEWAY_HOST=host,
                           XINYONG_GATEWAY_WORKERS=str(gateway_workers(cores)),
                           XINYONG_GATEWAY_METRICS_PORT=str(metrics_port),
                           XINYONG_CONSOLE_ORIGINS=console.console_origins(console_port))
        glog = logs / "gateway.log"
        url = f"http://{host}:{gateway_port}/graphql"
        gateway = supervisor.add(Supervised(
            "gateway", partial(_start_gateway, launcher, gateway_env, glog), glog,
            ready_url=f"http://{host}:{gateway_port}/readiness"))
        launcher.wait_ready(url, timeout=90, process=gateway.process)
        console_url = f"http://{host}:{console_port}"
        clog = logs / "console.log"
        console_server = supervisor.add(Supervised(
            "console", partial(_start_console, host, console_port, url, dict(env), clog), clog,
            ready_url=f"{console_url}/healthz"))
        wait_http(f"{console_url}/healthz", 120, console_server.process)
        lock.seek(0)
        lock.truncate()
        lock.write(json.dumps({"pid": os.getpid(), "gateway": url}))
        lock.flush()
        _banner(url, console_url, f"http://{host}:{metrics_port}/metrics")
        while True:
            supervisor.poll()
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        say(f"failed: {exc}")
        return 1
    finally:
        stop_all()


def _spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A supervised process in a session of its own (so its workers go with it), logging to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=_pdeathsig())


def _start_gateway(launcher, env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return launcher.start(env=env, stdout=out, stderr=subprocess.STDOUT, new_session=True)


def _start_console(host: str, port: int, gateway_url: str, env: dict, log: Path
                   ) -> subprocess.Popen:
    """The console's server (built first when its sources changed), logging to `log`."""
    from services.console import serve as console

    with open(log, "ab") as out:
        return console.start(host, port, gateway_url, env, out)


def _banner(url: str, console_url: str, metrics: str) -> None:
    from services.identity.demo import FEATURED_COMPANY

    secret = os.environ.get("XINYONG_JWT_SECRET", DEV_JWT_SECRET)
    analyst = mint_token("dev-analyst", ["analyst"], secret=secret)
    query = "query($code: ID!) { subject(code: $code) { name kind region { name } } }"
    payload = json.dumps({"query": query, "variables": {"code": FEATURED_COMPANY}}, ensure_ascii=False)
    print(f"""
Xinyong is running.

  GraphQL gateway  {url}   (GraphiQL: open it in a browser)
  Console          {console_url}   (sign in: pick a role and agency; development only)
  Metrics          {metrics}   (Prometheus; this machine only)

A development token (analyst, 12 h):

  {analyst}

Mint others with:  .venv/bin/xinyong token --sub airline-x --role consumer --purpose AIR_TRAVEL
A subject's own file (here the demo's listed company; a person's resident number works too):
                   .venv/bin/xinyong token --sub {FEATURED_COMPANY} --role subject

Try it:

  curl -s {url} -H 'content-type: application/json' \\
    -H 'authorization: Bearer {analyst}' \\
    -d '{payload}'

A service that exits is restarted (with backoff) and said so here; the rest keeps serving.
Ctrl-C stops everything; the data stays in .data/ for the next run.
""", flush=True)
