"""The real stack for the console's browser tests: the three services, the gateway with the
committed supergraph, and the console server, on a throwaway database with the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devtools.localnet import free_port, wait_http
from libs.common.auth import mint_token
from libs.common.settings import DEV_JWT_SECRET
from services.gateway import launcher
from services.gateway.subgraphs import SUBGRAPHS, env_var_for

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    gateway: str                      # http://127.0.0.1:PORT/graphql
    console: str                      # http://127.0.0.1:PORT
    database: str = ""                # the stack's throwaway database (asyncpg URL)
    procs: list[subprocess.Popen] = field(default_factory=list)

    def gql(self, query: str, variables: dict | None = None, *, sub: str = "console-test",
            roles: tuple[str, ...] = ("admin",), agency: str | None = None,
            purposes: tuple[str, ...] = ()) -> dict:
        """One GraphQL request through the gateway as the given principal; raises on errors."""
        token = mint_token(sub, list(roles), list(purposes), agency, secret=DEV_JWT_SECRET)
        body = httpx.post(self.gateway, json={"query": query, "variables": variables or {}},
                          headers={"authorization": f"Bearer {token}"}, timeout=30,
                          trust_env=False).json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def sql(self, statement: str, *args) -> str:
        """Run one statement on the stack's database (test set-up only: moving a clock back)."""
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        import asyncpg

        from devtools.testing import asyncpg_kwargs

        async def run() -> str:
            conn = await asyncpg.connect(**asyncpg_kwargs(self.database))
            try:
                return await conn.execute(statement, *args)
            finally:
                await conn.close()

        # Playwright's sync API holds this thread's event loop: run the statement on another.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, run()).result()

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_stack(db_url: str, work: Path) -> Stack:
    """Start everything on free ports; the caller stops it with `Stack.stop()`."""
    import asyncio

    from services.console import serve
    from services.console.build import ensure_built
    from xinyong.demo import load

    ensure_built(quiet=True)
    launcher.ensure_installed()
    ports = {sub.name: free_port() for sub in SUBGRAPHS}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = dict(os.environ, XINYONG_DATABASE_URL=db_url, XINYONG_ENVIRONMENT="test",
               XINYONG_LOG_LEVEL="WARNING", XINYONG_IDENTITY_INTERNAL_URL=urls["identity"],
               XINYONG_RECORDS_INTERNAL_URL=urls["records"])
    stack = Stack(gateway="", console="", database=db_url)
    try:
        for sub in SUBGRAPHS:
            module = sub.schema.split(":")[0].rsplit(".", 1)[0]
            log = open(work / f"{sub.name}.log", "ab")
            stack.procs.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", f"{module}.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(ports[sub.name]), "--no-access-log"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        for sub, proc in zip(SUBGRAPHS, stack.procs):
            wait_http(f"{urls[sub.name]}/readyz", 60, proc, interval=0.1)
        asyncio.run(load(db_url, urls))

        gateway_port = free_port()
        console_port = free_port()
        gateway_env = dict(env, XINYONG_GATEWAY_HOST="127.0.0.1",
                           XINYONG_GATEWAY_PORT=str(gateway_port), NO_COLOR="1",
                           XINYONG_CONSOLE_ORIGINS=serve.console_origins(console_port),
                           **{env_var_for(s.name): f"{urls[s.name]}/graphql" for s in SUBGRAPHS})
        glog = open(work / "gateway.log", "ab")
        gateway = launcher.start(env=gateway_env, stdout=glog, stderr=subprocess.STDOUT)
        stack.procs.append(gateway)
        stack.gateway = f"http://127.0.0.1:{gateway_port}/graphql"
        launcher.wait_ready(stack.gateway, timeout=90, process=gateway)

        console = serve.start("127.0.0.1", console_port, stack.gateway, env,
                              open(work / "console.log", "ab"))
        stack.procs.append(console)
        stack.console = f"http://127.0.0.1:{console_port}"
        wait_http(f"{stack.console}/healthz", 30, console)
    except BaseException:
        stack.stop()
        raise
    return stack
