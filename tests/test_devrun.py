"""`make run` refuses clearly to start twice from the same folder."""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_second_run_while_one_is_running_says_so_and_exits(tmp_path):
    lock = tmp_path / "run.lock"
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fh.write(json.dumps({"pid": 4242, "gateway": "http://127.0.0.1:4000/graphql"}))
        fh.flush()
        out = subprocess.run([sys.executable, "-m", "xinyong.cli", "run"], cwd=ROOT,
                             env=dict(os.environ, XINYONG_DATA_DIR=str(tmp_path)),
                             capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "already running" in out.stdout
    assert "pid 4242" in out.stdout and "http://127.0.0.1:4000/graphql" in out.stdout
