"""The private PostgreSQL server: socket-only, unprivileged, and gone when its parent dies."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = """
import sys, time
from devtools.pgembed import throwaway
server, base = throwaway()
server.start()
print(server.process.pid, server.socket_dir, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_server_listens_on_a_socket_only_and_dies_with_the_process_that_started_it():
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=root, stdout=subprocess.PIPE,
                              text=True)
    try:
        pid_text, socket_dir = parent.stdout.readline().split()
        pid = int(pid_text)
        assert _alive(pid)
        assert (Path(socket_dir) / ".s.PGSQL.5432").exists()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert b"listen_addresses=" in cmdline
        if os.geteuid() == 0:
            assert os.stat(f"/proc/{pid}").st_uid != 0, "PostgreSQL must not run as root"
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), "PostgreSQL outlived the process that started it"
    finally:
        if parent.poll() is None:
            parent.kill()
