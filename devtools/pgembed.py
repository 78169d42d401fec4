"""A private PostgreSQL server for `make run` and `make test` on machines that have none running.

Uses the system's PostgreSQL binaries or the ones bundled in the pgserver wheel. The server
listens on a Unix socket only, and dies with the process that started it (PR_SET_PDEATHSIG).
Run as root, it runs as an unprivileged user, in directories that user can reach; it never
changes the permissions of the caller's directories.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1
DB_USER = "xinyong"


class EmbeddedPostgresError(RuntimeError):
    """The private PostgreSQL server could not be set up or started."""


def _bundled_bindir() -> Path | None:
    import importlib.util

    # find_spec locates the wheel without importing it (its import has side effects).

    spec = importlib.util.find_spec("pgserver")
    if spec is None or spec.origin is None:
        return None
    bindir = Path(spec.origin).parent / "pginstall" / "bin"
    return bindir if (bindir / "postgres").exists() else None


def _system_bindirs() -> list[Path]:
    found = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            found.append(Path(out.stdout.strip()))
    base = Path("/usr/lib/postgresql")
    if base.is_dir():
        versions = sorted((p for p in base.iterdir() if p.name.isdigit()),
                          key=lambda p: int(p.name), reverse=True)
        found.extend(v / "bin" for v in versions)
    return [d for d in found if (d / "postgres").exists() and (d / "initdb").exists()]


def find_bindir() -> Path:
    """Where initdb/postgres live: XINYONG_PG_BINDIR, the system's, or pgserver's bundle."""
    override = os.environ.get("XINYONG_PG_BINDIR")
    if override:
        return Path(override)
    candidates = _system_bindirs()
    bundled = _bundled_bindir()
    if bundled:
        candidates.append(bundled)
    if not candidates:
        raise EmbeddedPostgresError(
            "no PostgreSQL binaries found: install the project (pgserver bundles them) "
            "or set XINYONG_PG_BINDIR"
        )
    return candidates[0]


def _server_user() -> pwd.struct_passwd | None:
    """The account the server runs as: None means the current (non-root) user."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("XINYONG_PG_USER"), "postgres", "nobody"):
        if not name:
            continue
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise EmbeddedPostgresError("running as root and found no unprivileged user for PostgreSQL")


def _reachable(path: Path, user: pwd.struct_passwd | None) -> bool:
    """Whether `user` can traverse every directory down to `path`."""
    if user is None:
        return True
    groups = {user.pw_gid} | {g for g in os.getgrouplist(user.pw_name, user.pw_gid)}
    for d in [*reversed(path.resolve().parents), path.resolve()]:
        if not d.exists():
            break
        st = d.stat()
        if st.st_uid == user.pw_uid:
            ok = st.st_mode & stat.S_IXUSR
        elif st.st_gid in groups:
            ok = st.st_mode & stat.S_IXGRP
        else:
            ok = st.st_mode & stat.S_IXOTH
        if not ok:
            return False
    return True


def _reachable_bindir(bindir: Path, user: pwd.struct_passwd | None) -> Path:
    """The bindir itself, or a copy of its installation where `user` can run it.

    pgserver's binaries find their shared libraries through an RPATH relative to the wheel
    (`$ORIGIN/../../../pgserver.libs`), so the copy keeps that layout.
    """
    if _reachable(bindir, user):
        return bindir
    install_root = bindir.parent
    wheel_libs = install_root.parent.parent / "pgserver.libs"
    digest = hashlib.sha1(str(install_root).encode()).hexdigest()[:10]
    target = Path("/var/tmp") / f"xinyong-pginstall-{digest}"
    copied_bin = target / "pgserver" / "pginstall" / "bin"
    if not (copied_bin / "postgres").exists():
        tmp = Path(tempfile.mkdtemp(prefix="xinyong-pginstall-", dir="/var/tmp"))
        shutil.copytree(install_root, tmp / "pgserver" / "pginstall", symlinks=True)
        if wheel_libs.is_dir():
            shutil.copytree(wheel_libs, tmp / "pgserver.libs", symlinks=True)
        for root, dirs, files in os.walk(tmp):
            for name in dirs + files:
                p = Path(root) / name
                if not p.is_symlink():
                    executable = p.is_dir() or os.access(p, os.X_OK)
                    p.chmod(p.stat().st_mode | stat.S_IRGRP | stat.S_IROTH
                            | (stat.S_IXGRP | stat.S_IXOTH if executable else 0))
        tmp.chmod(0o755)
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    return copied_bin


def _preexec(user: pwd.struct_passwd | None):
    prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl  # loaded before fork

    def run() -> None:
        os.setsid()
        if user is not None:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        # After the credential change, which clears it: SIGQUIT is PostgreSQL's immediate
        # shutdown, so the server dies with the process that started it.
        prctl(PR_SET_PDEATHSIG, int(signal.SIGQUIT))
    return run


@dataclass
class EmbeddedPostgres:
    """One private server: `start()` returns its DSN, `stop()` shuts it down."""

    data_dir: Path
    socket_dir: Path
    durable: bool = True
    process: subprocess.Popen | None = None

    @property
    def dsn(self) -> str:
        return f"postgresql://{DB_USER}@/postgres?host={self.socket_dir}"

    def _env(self, user: pwd.struct_passwd | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        if user is not None:
            env["HOME"] = user.pw_dir or "/"
            env["USER"] = user.pw_name
        return env

    def start(self, timeout: float = 30.0) -> str:
        """Initialise the data directory if new, start the server, wait until it accepts."""
        user = _server_user()
        bindir = _reachable_bindir(find_bindir(), user)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if len(str(self.socket_dir / ".s.PGSQL.5432")) > 100:
            raise EmbeddedPostgresError(f"socket path too long: {self.socket_dir}")
        if user is not None:
            os.chown(self.socket_dir, user.pw_uid, user.pw_gid)
            if not _reachable(self.data_dir.parent, user):
                raise EmbeddedPostgresError(f"{user.pw_name} cannot reach {self.data_dir}")
        env = self._env(user)
        if not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if user is not None:
                os.chown(self.data_dir, user.pw_uid, user.pw_gid)
            self.data_dir.chmod(0o700)
            out = subprocess.run(
                [str(bindir / "initdb"), "-D", str(self.data_dir), "-U", DB_USER,
                 "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions"],
                capture_output=True, text=True, preexec_fn=_preexec(user), env=env,
            )
            if out.returncode != 0:
                raise EmbeddedPostgresError(f"initdb failed:\n{out.stdout}\n{out.stderr}")
        settings = [
            "listen_addresses=", f"unix_socket_directories={self.socket_dir}",
            "max_connections=200", "shared_buffers=256MB", "timezone=UTC",
        ]
        if not self.durable:
            settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        args = [str(bindir / "postgres"), "-D", str(self.data_dir)]
        for s in settings:
            args += ["-c", s]
        log_path = self.data_dir.parent / f"{self.data_dir.name}.log"
        log = open(log_path, "ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                        preexec_fn=_preexec(user), env=env)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise EmbeddedPostgresError(f"PostgreSQL exited at start:\n{tail}")
            ready = subprocess.run([str(bindir / "pg_isready"), "-q", "-h", str(self.socket_dir),
                                    "-U", DB_USER, "-d", "postgres"], env=env)
            if ready.returncode == 0:
                return self.dsn
            time.sleep(0.1)
        self.stop()
        raise EmbeddedPostgresError(f"PostgreSQL did not become ready in {timeout:.0f}s")

    def stop(self, timeout: float = 20.0) -> None:
        """Fast shutdown (SIGINT); immediate (SIGQUIT) if it does not finish in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGQUIT)
            self.process.wait(5)


def throwaway() -> tuple[EmbeddedPostgres, Path]:
    """A non-durable server in a fresh temporary directory (for tests); returns it and the dir."""
    user = _server_user()
    base = Path(tempfile.mkdtemp(prefix="xy-pg-"))
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    base.chmod(0o755)
    return EmbeddedPostgres(data_dir=base / "data", socket_dir=base / "s", durable=False), base


def persistent(repo_data: Path) -> EmbeddedPostgres:
    """The `make run` server: data under `.data/pg`, or a reachable stand-in when run as root."""
    user = _server_user()
    repo_data.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(str(repo_data.resolve()).encode()).hexdigest()[:10]
    data_dir = repo_data / "pg"
    if not _reachable(repo_data, user):
        stand_in = Path("/var/tmp") / f"xinyong-data-{digest}"
        stand_in.mkdir(mode=0o755, exist_ok=True)
        (repo_data / "pg-location").write_text(f"{stand_in / 'pg'}\n")
        data_dir = stand_in / "pg"
    socket_dir = Path(tempfile.gettempdir()) / f"xinyong-{digest}"
    return EmbeddedPostgres(data_dir=data_dir, socket_dir=socket_dir, durable=True)


def start_replica(primary: EmbeddedPostgres, base: Path | None = None,
                  timeout: float = 60.0) -> tuple[EmbeddedPostgres, Path]:
    """A hot-standby streaming replica of a running `primary` (pg_basebackup -R), started.

    The copy is taken over the primary's Unix socket with the replication protocol (initdb's
    default pg_hba trusts local replication connections); `-R` writes `standby.signal` and
    `primary_conninfo`, so the replica streams WAL from the primary and serves read-only queries.
    Returns the replica and its base directory (remove it after `stop()`).
    """
    if primary.process is None or primary.process.poll() is not None:
        raise EmbeddedPostgresError("the primary is not running")
    user = _server_user()
    bindir = _reachable_bindir(find_bindir(), user)
    if base is None:
        base = Path(tempfile.mkdtemp(prefix="xy-pgr-"))
        if user is not None:
            os.chown(base, user.pw_uid, user.pw_gid)
        base.chmod(0o755)
    replica = EmbeddedPostgres(data_dir=base / "data", socket_dir=base / "s", durable=False)
    replica.socket_dir.mkdir(parents=True, exist_ok=True)
    if user is not None:
        os.chown(replica.socket_dir, user.pw_uid, user.pw_gid)
    env = replica._env(user)
    out = subprocess.run(
        [str(bindir / "pg_basebackup"), "-h", str(primary.socket_dir), "-U", DB_USER,
         "-D", str(replica.data_dir), "-R", "-X", "stream", "-c", "fast", "--no-sync"],
        capture_output=True, text=True, preexec_fn=_preexec(user), env=env, timeout=timeout,
    )
    if out.returncode != 0:
        raise EmbeddedPostgresError(f"pg_basebackup failed:\n{out.stdout}\n{out.stderr}")
    replica.start(timeout=timeout)
    return replica, base
