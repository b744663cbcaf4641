"""The one module that talks to the DuckDB file.

DuckDB lets one process hold a file for writing, and refuses every other
opener (even read-only) meanwhile. So nothing here keeps a connection: callers
take a connection for one *unit of work* with :meth:`Database.write` or
:meth:`Database.read` and it is closed when the block ends. Opening retries
with jittered exponential backoff while another process holds the lock, up to
``lock_timeout`` seconds, then fails with a message naming the file.

Schema migrations (:mod:`flowtui.engine.storage.schema`) are applied forward on the
first write-open of a file.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import platformdirs

from flowtui.engine.core.errors import DatabaseError, DatabaseLocked, DatabaseMissing
from flowtui.engine.storage.schema import MIGRATIONS, SCHEMA_VERSION
from flowtui.engine.storage.views import recreate_views

DEFAULT_LOCK_TIMEOUT = 10.0
_LOCK_PATTERN = re.compile(r"Could not set lock|Conflicting lock", re.IGNORECASE)
_PID_PATTERN = re.compile(r"PID (\d+)")

Connection = duckdb.DuckDBPyConnection


class Turns:
    """Units of work on one file within this process, taken in the order they asked; re-entrant per thread.

    A thread waits as long as the queue moves: its patience runs from the moment the turn last changed
    hands, so it gives up only when the unit holding the turn has held it longer than that patience (a
    unit stuck for good), never because units ahead of it are waiting for the file or working.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._queue: deque[object] = deque()
        self._moved = time.monotonic()  # when the turn last changed hands

    def acquire(self, blocking: bool = True, patience: float | None = None) -> bool:
        """Take the turn; ``False`` when not ``blocking`` and it is taken, or when the holder outlasts ``patience``."""
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None and not self._queue:
                self._take(me)
                return True
            if not blocking:
                return False
            ticket = object()
            self._queue.append(ticket)
            try:
                while self._owner is not None or self._queue[0] is not ticket:
                    left = None if patience is None else self._moved + patience - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._changed.wait(left)
                self._take(me)
                return True
            finally:  # taken or given up: either way out of the queue, and the next one may move up
                if ticket in self._queue:
                    self._queue.remove(ticket)
                self._changed.notify_all()

    def release(self) -> None:
        with self._changed:
            if self._owner != threading.get_ident():
                raise RuntimeError("a turn released by a thread that does not hold it")
            self._depth -= 1
            if self._depth == 0:
                self._owner, self._moved = None, time.monotonic()
                self._changed.notify_all()

    def _take(self, me: int) -> None:
        self._owner, self._depth, self._moved = me, 1, time.monotonic()


_TURNS: dict[str, Turns] = {}
_TURNS_GUARD = threading.Lock()


def _process_lock(path: Path) -> Turns:
    key = str(path.resolve())
    with _TURNS_GUARD:
        return _TURNS.setdefault(key, Turns())


def run(con: Connection, sql: str, params: dict | None = None) -> Connection:
    """Execute ``sql`` with the named ``$params`` it uses (DuckDB refuses extra ones)."""
    used = {k: v for k, v in (params or {}).items() if f"${k}" in sql}
    return con.execute(sql, used)


def default_db_path() -> Path:
    """The embedded default: ``flow.duckdb`` in the user data directory."""
    return Path(platformdirs.user_data_dir("flowtui", appauthor=False)) / "flow.duckdb"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db PATH``, else ``FLOWTUI_DB``, else the user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("FLOWTUI_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()


def lock_timeout_from_env(default: float = DEFAULT_LOCK_TIMEOUT) -> float:
    raw = os.environ.get("FLOWTUI_LOCK_TIMEOUT")
    if not raw:
        return default
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise DatabaseError(f"FLOWTUI_LOCK_TIMEOUT must be a number of seconds, not {raw!r}") from None


@dataclass(frozen=True)
class Database:
    """A DuckDB file, opened briefly for each unit of work.

    The file is created (and migrated) by the first unit of work on it, unless ``must_exist``: then
    every unit of work on a file that is not there fails with :class:`DatabaseMissing` (what a
    command that only reads the books wants, rather than an empty book).
    """

    path: Path
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    must_exist: bool = False

    @classmethod
    def at(cls, explicit: str | os.PathLike[str] | None = None, lock_timeout: float | None = None,
           must_exist: bool = False) -> Database:
        timeout = lock_timeout_from_env() if lock_timeout is None else lock_timeout
        return cls(resolve_db_path(explicit), timeout, must_exist)

    # -- units of work -------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One read-write transaction: commits when the block ends, rolls back on error."""
        with self._turn():
            con = self._open(read_only=False)
            try:
                con.begin()
                try:
                    yield con
                except BaseException:
                    con.rollback()
                    raise
                con.commit()
            finally:
                con.close()

    @contextmanager
    def session(self) -> Iterator[Connection]:
        """A read-write connection without an enclosing transaction.

        For work that commits several transactions in one hold (e.g. a
        migration-sized rebuild); the caller manages ``begin``/``commit``.
        """
        with self._turn():
            con = self._open(read_only=False)
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection; several readers (in other processes) may hold the file at once."""
        with self._turn():
            con, version = self._open_at(read_only=True) if self.path.exists() else (None, 0)
            if con is None or version < SCHEMA_VERSION:
                if con is not None:
                    con.close()
                con = self._open(read_only=False)  # creates the file and applies migrations
                con.close()
                con = self._open(read_only=True)
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One unit of work at a time per file within this process, first come, first served.

        DuckDB will not open a file read-only and read-write at once in one
        process, and the console runs several workers in threads: they take
        turns here (as other processes take turns at the file lock). A worker
        waits here as long as the units ahead of it move on: each may first wait
        up to ``lock_timeout`` for the file (another process) and then work, so
        a unit holding its turn for more than twice that is the only reason to
        give up, and a screen never reports the file busy because a sibling
        screen is waiting for it.
        """
        if self.must_exist and not self.path.exists():
            raise DatabaseMissing(f"There is no flowtui database at {self.path}. Create it with "
                                  f"`flowtui --db {self.path} init`, or point --db / FLOWTUI_DB at an existing one.")
        lock = _process_lock(self.path)
        patience = max(2 * self.lock_timeout, 0.001)  # the holder's own wait for the file, then as long for its work
        if not lock.acquire(patience=patience):
            raise DatabaseLocked(
                f"The database {self.path} stayed busy in this process: one unit of work held it for more than "
                f"{patience:g} s. Try again, or allow longer with --lock-timeout / FLOWTUI_LOCK_TIMEOUT.")
        try:
            yield
        finally:
            lock.release()

    # -- opening ---------------------------------------------------------------
    def _open(self, *, read_only: bool) -> Connection:
        return self._open_at(read_only=read_only)[0]

    def _open_at(self, *, read_only: bool) -> tuple[Connection, int]:
        """An open connection, and the schema version the file was at when opened."""
        con = self._connect(read_only=read_only)
        try:
            con.execute("SET TimeZone = 'UTC'")
            version = _current_version(con)
            if version > SCHEMA_VERSION:
                raise DatabaseError(
                    f"{self.path} was written by a newer flowtui (schema {version}, "
                    f"this version knows {SCHEMA_VERSION}); upgrade flowtui to open it."
                )
            if version < SCHEMA_VERSION and not read_only:
                _migrate(con, version)
        except BaseException:
            con.close()
            raise
        return con, version

    def _connect(self, *, read_only: bool) -> Connection:
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # a folder we create is private
            except OSError as exc:
                blocker = next((p for p in self.path.parents if p.exists() and not p.is_dir()), None)
                reason = f"{blocker} is a file, not a folder" if blocker else exc.strerror
                raise DatabaseError(f"Cannot create the folder for {self.path}: {reason}") from None
        deadline = time.monotonic() + self.lock_timeout
        self._let_waiting_in()
        delay, since, said = 0.02, time.time(), False
        while True:
            try:
                con = _connect_private(self.path, read_only)
            except duckdb.Error as exc:
                message = str(exc)
                if not _LOCK_PATTERN.search(message):
                    raise DatabaseError(_explain_open_error(self.path, message)) from None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pid = _PID_PATTERN.search(message)
                    holder = f" (held by process {pid.group(1)})" if pid else ""
                    raise DatabaseLocked(
                        f"The database {self.path} is busy{holder}; gave up after "
                        f"{self.lock_timeout:g} s. Try again, or allow longer with "
                        f"--lock-timeout / FLOWTUI_LOCK_TIMEOUT."
                    ) from None
                said = self._say_waiting(since) or said
                time.sleep(min(remaining, delay * random.uniform(0.5, 1.5)))
                delay = min(delay * 1.5, WAIT_POLL)
            else:
                if said:
                    self._stop_waiting()
                return con

    # -- taking turns with other processes --------------------------------------------------------
    # DuckDB's file lock has no queue: a process that holds the file for unit after unit (a long sync)
    # would leave others only the instants between its units, and they would give up. So a process
    # kept waiting says so in a marker file next to the database, and one about to take the file again
    # while the marker is fresh lets the waiting one in first.
    @property
    def _waiting_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".waiting")

    def _say_waiting(self, since: float) -> bool:
        """This process has been waiting for the file since ``since`` (a ``time.time()``); whether it said so."""
        if time.time() - since < WAIT_PATIENT:
            return False  # a short wait is no starvation: nobody needs to step aside
        try:
            self._waiting_marker.write_text(f"{os.getpid()} {since}")
        except OSError:
            return False  # a folder we cannot write to: no turns, the old way
        return True

    def _stop_waiting(self) -> None:
        try:
            if self._waiting_marker.read_text().split()[0] == str(os.getpid()):
                self._waiting_marker.unlink()
        except (OSError, ValueError, IndexError):
            pass

    def _let_waiting_in(self) -> None:
        try:
            marker = self._waiting_marker
            fresh = time.time() - marker.stat().st_mtime < WAIT_FRESH
            if fresh and marker.read_text().split()[0] != str(os.getpid()):
                time.sleep(WAIT_YIELD)
        except (OSError, ValueError, IndexError):
            pass


WAIT_POLL = 0.05  # a process kept waiting tries the file again at least this often (s)
WAIT_PATIENT = 0.5  # a process waiting longer than this asks the one holding the file to step aside (s)
WAIT_YIELD = 0.12  # how long one about to take the file again leaves it to a waiting one (s)
WAIT_FRESH = 1.0  # a marker older than this is from a process that gave up or left (s)


def _connect_private(path: Path, read_only: bool) -> Connection:
    """``duckdb.connect``; a file it creates is born its owner's alone (0600), as the secrets file is.

    The books hold every sale and customer: nobody else on the machine should read them. A file that
    exists keeps the mode its owner gave it (never loosened, never tightened behind their back). The
    umask is process-wide, so it is narrowed only for the instant DuckDB creates the file (a file another
    thread creates meanwhile is private too, which errs the safe way); chmod-ing afterwards would leave a
    moment when another user could open the file and keep reading through that handle. DuckDB's
    write-ahead log (``flow.duckdb.wal``, there only while a change is being written) takes the umask:
    the folder flowtui creates for the file is 0700 for that reason.
    """
    if read_only or path.exists():
        return duckdb.connect(str(path), read_only=read_only)
    previous = os.umask(0o077)
    try:
        return duckdb.connect(str(path), read_only=False)
    finally:
        os.umask(previous)


def _explain_open_error(path: Path, message: str) -> str:
    first = message.splitlines()[0] if message else "unknown error"
    lowered = message.lower()
    if "permission denied" in lowered or "read-only file system" in lowered:
        return f"Cannot open {path}: permission denied. Check the file and folder permissions."
    if "not a valid duckdb database" in lowered or "corrupt" in lowered or "invalid" in lowered:
        return f"{path} is not a usable flowtui database ({first}). Restore it from a backup or point --db elsewhere."
    return f"Cannot open the database {path}: {first}"


def _current_version(con: Connection) -> int:
    """The schema version of the file (0 for a new one); outside a transaction.

    Asked directly, not through ``information_schema`` (which costs ~5 ms an open).
    """
    try:
        return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]
    except duckdb.CatalogException:
        return 0


def _migrate(con: Connection, current: int) -> None:
    """Apply every migration newer than ``current``, each in its own transaction.

    The query views (docs/schema.md) are then recreated over the new tables, so
    they keep working whatever a migration changed underneath them.
    """
    applied = False
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        con.begin()
        try:
            for statement in migration.statements():
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, now())",
                [migration.version, migration.name],
            )
            con.commit()
            applied = True
        except BaseException:
            con.rollback()
            raise
    if applied:
        con.begin()
        try:
            recreate_views(con)
            con.commit()
        except BaseException:
            con.rollback()
            raise
