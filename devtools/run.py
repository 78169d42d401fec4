"""`make run`: PostgreSQL, migrations, demo data, every subgraph and the gateway, in one terminal."""

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
from pathlib import Path
from urllib.parse import urlparse

from devtools.localnet import wait_http
from libs.common import migrate
from libs.common.auth import mint_token
from libs.common.settings import DEV_JWT_SECRET

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("XINYONG_DATA_DIR") or ROOT / ".data")
LOCK = DATA / "run.lock"
DATABASE = "xinyong"


def say(message: str) -> None:
    print(f"[xinyong] {message}", flush=True)


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
    ports = [gateway_port] + [urlparse(u).port for u in urls.values()] + [gateway_port + 4]
    busy = [p for p in ports if _port_busy(host, p)]
    if busy:
        say(f"port(s) {', '.join(map(str, busy))} on {host} are in use by another program; "
            "stop it or set XINYONG_GATEWAY_PORT for the gateway")
        return 1

    children: list[tuple[str, subprocess.Popen]] = []
    embedded = None
    stopping = False

    def stop_all(*_args) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        say("stopping ...")
        for name, proc in reversed(children):
            if proc.poll() is None:
                proc.terminate()
        for name, proc in reversed(children):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
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
        for sub in SUBGRAPHS:
            port = urlparse(urls[sub.name]).port
            module = sub.schema.split(":")[0].rsplit(".", 1)[0]
            log = open(logs / f"{sub.name}.log", "ab")
            proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", f"{module}.app:create_app", "--factory",
                 "--host", host, "--port", str(port), "--no-access-log"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_pdeathsig())
            children.append((sub.name, proc))
            env[env_var_for(sub.name)] = f"{urls[sub.name]}/graphql"
        for name, proc in children:
            wait_http(f"{urls[name]}/readyz", 60, proc)
            say(f"{name} subgraph ready on {urls[name]}/graphql "
                f"(log: {_shown(logs / f'{name}.log')})")
        if load_demo:
            from xinyong.demo import load

            say("loading demo data")
            summary = asyncio.run(load(dsn, urls))
            say("demo data: " + ", ".join(f"{k}: {v}" for k, v in summary.items()))

        launcher.ensure_installed()
        from services.console import serve as console

        gateway_env = dict(env, XINYONG_GATEWAY_PORT=str(gateway_port), XINYONG_GATEWAY_HOST=host,
                           XINYONG_CONSOLE_ORIGINS=console.console_origins(gateway_port + 4))
        glog = open(logs / "gateway.log", "ab")
        gateway = launcher.start(env=gateway_env, stdout=glog, stderr=subprocess.STDOUT)
        children.append(("gateway", gateway))
        url = f"http://{host}:{gateway_port}/graphql"
        launcher.wait_ready(url, timeout=90, process=gateway)
        console_proc, console_url = console.launch_for_run(host, gateway_port, env, logs)
        children.append(("console", console_proc))
        lock.seek(0)
        lock.truncate()
        lock.write(json.dumps({"pid": os.getpid(), "gateway": url}))
        lock.flush()
        _banner(url, console_url)
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    say(f"{name} exited with code {proc.returncode}; see {_shown(logs / f'{name}.log')}")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        say(f"failed: {exc}")
        return 1
    finally:
        stop_all()


def _banner(url: str, console_url: str) -> None:
    from services.identity.demo import FEATURED_COMPANY

    secret = os.environ.get("XINYONG_JWT_SECRET", DEV_JWT_SECRET)
    analyst = mint_token("dev-analyst", ["analyst"], secret=secret)
    query = "query($code: ID!) { subject(code: $code) { name kind region { name } } }"
    payload = json.dumps({"query": query, "variables": {"code": FEATURED_COMPANY}}, ensure_ascii=False)
    print(f"""
Xinyong is running.

  GraphQL gateway  {url}   (GraphiQL: open it in a browser)
  Console          {console_url}   (sign in: pick a role and agency; development only)

A development token (analyst, 12 h):

  {analyst}

Mint others with:  .venv/bin/xinyong token --sub airline-x --role consumer --purpose AIR_TRAVEL

Try it:

  curl -s {url} -H 'content-type: application/json' \\
    -H 'authorization: Bearer {analyst}' \\
    -d '{payload}'

Ctrl-C stops everything; the data stays in .data/ for the next run.
""", flush=True)
