"""Keeping `make run`'s processes up: a process that exits is started again, with backoff.

Each process runs in a session of its own, so a crash takes its whole tree (uvicorn's and the
gateway's workers) with it before it starts again, and the rest keeps serving meanwhile. A
process that stayed up for `stable_after` seconds starts its next backoff from the beginning.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class Supervised:
    """One process: how to start it, where it logs, and the URL that answers 200 once ready."""

    name: str
    start: Callable[[], subprocess.Popen]
    log: Path
    ready_url: str | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = 0.0
    restart_at: float | None = None
    waiting_ready: bool = False
    crashes: list[int] = field(default_factory=list)  # exit codes, oldest first
    waits: list[float] = field(default_factory=list)  # the backoff after each


class Supervisor:
    """Starts processes, restarts the ones that exit (1 s, 2 s, 4 s ... at most `max_backoff`)."""

    def __init__(self, say: Callable[[str], None], *, min_backoff: float = 1.0,
                 max_backoff: float = 30.0, stable_after: float = 30.0,
                 shown: Callable[[Path], str] = str) -> None:
        self.say = say
        self.min_backoff, self.max_backoff, self.stable_after = min_backoff, max_backoff, stable_after
        self.shown = shown
        self.services: list[Supervised] = []
        self.stopping = False

    def add(self, service: Supervised) -> Supervised:
        """Start `service` now and keep it up from then on."""
        self.services.append(service)
        self._start(service)
        return service

    def _start(self, service: Supervised) -> None:
        service.process = service.start()
        service.started_at = time.monotonic()
        service.restart_at = None

    def poll(self) -> None:
        """Notice exits, restart what is due, report what came back; call every ~0.5 s."""
        now = time.monotonic()
        for service in self.services:
            process = service.process
            if service.restart_at is not None:
                if now >= service.restart_at and not self.stopping:
                    service.restarts += 1
                    self._start(service)
                    service.waiting_ready = service.ready_url is not None
                    if not service.waiting_ready:
                        self.say(f"{service.name} restarted")
                continue
            if process is not None and process.poll() is not None and not self.stopping:
                code = process.returncode
                service.crashes.append(code)
                _kill_session(process)  # its workers go too, so the port is free again
                up_for = now - service.started_at
                if up_for >= self.stable_after:
                    service.backoff = self.min_backoff
                else:
                    service.backoff = min(self.max_backoff,
                                          max(self.min_backoff, service.backoff * 2))
                service.restart_at = now + service.backoff
                service.waits.append(service.backoff)
                service.waiting_ready = False
                self.say(f"{service.name} exited with code {code} after {up_for:.0f} s; "
                         f"restarting in {service.backoff:g} s "
                         f"(log: {self.shown(service.log)}); the rest keeps serving")
                continue
            if service.waiting_ready and _answers(service.ready_url):
                service.waiting_ready = False
                self.say(f"{service.name} is back (restart {service.restarts})")

    def stop_all(self, timeout: float = 10.0) -> None:
        """SIGTERM every process's session, newest first; SIGKILL what is left after `timeout`."""
        self.stopping = True
        for service in reversed(self.services):
            if service.process is not None and service.process.poll() is None:
                _signal_session(service.process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for service in reversed(self.services):
            if service.process is None:
                continue
            try:
                service.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _kill_session(service.process)


def _signal_session(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_session(process: subprocess.Popen) -> None:
    _signal_session(process, signal.SIGKILL)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        pass


def _answers(url: str | None) -> bool:
    if url is None:
        return True
    try:
        return httpx.get(url, timeout=0.5, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False
