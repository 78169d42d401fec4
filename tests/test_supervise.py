"""`make run`'s supervision: a crashed service comes back, with backoff, and the rest keeps serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from functools import partial

import httpx

from devtools.localnet import free_port, wait_http
from devtools.run import _spawn, service_command
from devtools.supervise import Supervised, Supervisor


def _run_until(supervisor: Supervisor, predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.poll()
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_service_comes_back_and_the_others_keep_serving(db_url, tmp_path):
    said: list[str] = []
    supervisor = Supervisor(said.append, min_backoff=0.5)
    ports = {"identity": free_port(), "records": free_port()}
    env = dict(os.environ, XINYONG_DATABASE_URL=db_url, XINYONG_ENVIRONMENT="test",
               XINYONG_IDENTITY_INTERNAL_URL=f"http://127.0.0.1:{ports['identity']}")
    try:
        for name, port in ports.items():
            command = service_command(f"services.{name}", "127.0.0.1", port,
                                      workers=2 if name == "identity" else 1)
            log = tmp_path / f"{name}.log"
            supervisor.add(Supervised(name, partial(_spawn, command, env, log), log,
                                      ready_url=f"http://127.0.0.1:{port}/readyz"))
        identity, records = supervisor.services
        for service in supervisor.services:
            wait_http(service.ready_url, 60, service.process)
        first = identity.process.pid

        os.kill(first, signal.SIGKILL)  # the uvicorn master; its two workers are orphaned
        records_answered = []

        def back() -> bool:
            records_answered.append(httpx.get(records.ready_url, timeout=2, trust_env=False)
                                    .status_code)
            return any(m.startswith("identity is back") for m in said)

        assert _run_until(supervisor, back, 60), (said, (tmp_path / "identity.log").read_text()[-2000:])
        assert identity.process.pid != first and identity.restarts == 1
        assert httpx.get(identity.ready_url, timeout=2, trust_env=False).status_code == 200
        assert set(records_answered) == {200}  # records served all along
        assert records.restarts == 0
        exited = next(m for m in said if m.startswith("identity exited"))
        assert f"code {-signal.SIGKILL}" in exited and "restarting in" in exited
    finally:
        supervisor.stop_all()
    assert all(s.process.poll() is not None for s in supervisor.services)


def test_a_process_that_keeps_failing_waits_longer_each_time(tmp_path):
    said: list[str] = []
    supervisor = Supervisor(said.append, min_backoff=0.1, max_backoff=0.4, stable_after=60)
    crash = partial(subprocess.Popen, [sys.executable, "-c", "raise SystemExit(3)"],
                    start_new_session=True)
    service = supervisor.add(Supervised("flaky", crash, tmp_path / "flaky.log"))
    try:
        assert _run_until(supervisor, lambda: len(service.crashes) >= 5, 10), said
    finally:
        supervisor.stop_all()
    assert service.crashes[:5] == [3] * 5
    assert service.waits[:5] == [0.1, 0.2, 0.4, 0.4, 0.4]
    assert "flaky exited with code 3" in said[0] and "restarting in 0.1 s" in said[0]


def test_a_process_that_stayed_up_restarts_without_waiting_long(tmp_path):
    said: list[str] = []
    supervisor = Supervisor(said.append, min_backoff=0.1, max_backoff=5, stable_after=0.3)
    slow_crash = partial(subprocess.Popen, [sys.executable, "-c",
                                            "import time; time.sleep(0.5); raise SystemExit(1)"],
                         start_new_session=True)
    service = supervisor.add(Supervised("steady", slow_crash, tmp_path / "steady.log"))
    try:
        assert _run_until(supervisor, lambda: len(service.crashes) >= 3, 10), said
    finally:
        supervisor.stop_all()
    assert service.waits[:3] == [0.1, 0.1, 0.1]  # each run outlived stable_after
