"""Starting local processes for `make run`, benchmarks and tests: free ports, readiness."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, process: subprocess.Popen | None = None,
              interval: float = 0.2) -> None:
    """Wait until `url` answers 200; fail at once if `process` exits meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with code {process.returncode}")
        try:
            # trust_env=False: never through a proxy, these are local processes.
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")
