"""Real processes for edge tests: uvicorn subgraphs on free ports and the Hive Gateway.

Everything listens on 127.0.0.1 only and is torn down by the fixtures that start it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import uvicorn

from services.gateway import launcher
from services.gateway.sdl import export_sdl
from services.gateway.subgraphs import Subgraph

STARTUP_TIMEOUT = 90.0


def listening_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def free_port() -> int:
    with listening_socket() as sock:
        return sock.getsockname()[1]


@dataclass
class ServerThread:
    """An ASGI app served by uvicorn in a thread, on a fixed port; can be stopped and restarted."""

    app: Any
    port: int = 0
    lifespan: str = "on"
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def start(self, timeout: float = 30.0) -> "ServerThread":
        self._sock = listening_socket(self.port)
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(
            self.app, log_level="warning", lifespan=self.lifespan, access_log=False,
            timeout_graceful_shutdown=2))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None


@contextlib.contextmanager
def serving(app: Any, lifespan: str = "on") -> Iterator[ServerThread]:
    server = ServerThread(app, lifespan=lifespan).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Gateway:
    url: str
    process: Any
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def compose(work: Path, subgraphs: list[Subgraph]) -> Path:
    """Export SDL for `subgraphs` and compose a supergraph in `work`."""
    export_sdl(work / "subgraphs", subgraphs)
    out = work / "supergraph.graphql"
    composed = launcher.run_compose(work / "subgraphs", out)
    if composed.returncode != 0:
        raise RuntimeError(composed.stderr)
    return out


@contextlib.contextmanager
def running_gateway(supergraph: Path, work: Path, env: Mapping[str, str]) -> Iterator[Gateway]:
    """Start the real gateway (our gateway.config.ts) on a free port; stop it afterwards."""
    launcher.ensure_installed()
    port = free_port()
    full_env = launcher.gateway_env({
        **{k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")},
        "XINYONG_GATEWAY_HOST": "127.0.0.1",
        "XINYONG_GATEWAY_PORT": str(port),
        "XINYONG_ENVIRONMENT": "test",
        "NO_COLOR": "1",
        **env,
    })
    log_path = work / f"gateway-{port}.log"
    with open(log_path, "wb") as log:
        process = launcher.start(supergraph=supergraph, env=full_env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        try:
            launcher.wait_ready(url, timeout=STARTUP_TIMEOUT, process=process)
        except launcher.GatewayError as exc:
            raise RuntimeError(f"{exc}\n--- gateway log ---\n"
                               f"{log_path.read_text(errors='replace')[-4000:]}") from exc
        yield Gateway(url=url, process=process, log_path=log_path, env=dict(full_env))
    finally:
        launcher.stop(process, timeout=10)


# ------------------------------------------------------------------ shared test settings

GATEWAY_SECRET = "edge-gateway-secret-0123456789abcdef"
JWT_SECRET = "edge-jwt-secret-0123456789abcdef-0123456789"
SECRET_HEADER = "x-xinyong-gateway-secret"
UPSTREAM_TIMEOUT_MS = 1500
BULK_CHUNK = 50  # lines per transaction of identity's bulk registration in edge tests
MAX_BULK_BYTES = 1024 * 1024  # the stack gateway's bulk body limit


def token(secret: str = JWT_SECRET, **claims) -> str:
    """A signed token; claims override the defaults (sub, roles=admin, a 5-minute expiry)."""
    now = int(time.time())
    payload = {"sub": "edge-tester", "roles": ["admin"], "iat": now, "exp": now + 300, **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def bearer(**claims) -> dict[str, str]:
    return {"authorization": f"Bearer {token(**claims)}"}


def service_settings(cls, db_url: str, **overrides):
    return cls(database_url=db_url, environment="test", jwt_secret=JWT_SECRET,
               gateway_secret=GATEWAY_SECRET, **overrides)


CONSOLE_ORIGIN = "http://127.0.0.1:4004"


def gateway_env(identity: ServerThread, probe: ServerThread, **extra: str) -> dict[str, str]:
    return {
        "XINYONG_GATEWAY_METRICS_PORT": str(free_port()),
        "XINYONG_CONSOLE_ORIGINS": f"{CONSOLE_ORIGIN},http://localhost:4004",
        "XINYONG_IDENTITY_URL": identity.url,
        "XINYONG_PROBE_URL": probe.url,
        "XINYONG_GATEWAY_SECRET": GATEWAY_SECRET,
        "XINYONG_JWT_SECRET": JWT_SECRET,
        "XINYONG_GATEWAY_UPSTREAM_TIMEOUT_MS": str(UPSTREAM_TIMEOUT_MS),
        "XINYONG_GATEWAY_ALL_OR_NOTHING": "check",
        **extra,
    }


@contextlib.contextmanager
def stopped(server: ServerThread) -> Iterator[None]:
    """Stop a subgraph for the block, then start it again on the same port."""
    server.stop()
    try:
        yield
    finally:
        server.start()
