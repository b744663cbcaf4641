"""The storage module: migrations, units of work, the lock retry, clear errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
import time

import duckdb
import pytest

from flowtui.engine.core.errors import DatabaseError, DatabaseLocked
from flowtui.engine.storage.database import Database, Turns, default_db_path, resolve_db_path
from flowtui.engine.storage.rows import one, the
from flowtui.engine.storage.schema import SCHEMA_VERSION


def test_first_open_creates_the_file_and_applies_every_migration(db, db_path):
    assert not db_path.exists()
    with db.read() as con:
        versions = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert db_path.exists()
    assert versions[-1][0] == SCHEMA_VERSION
    with db.write() as con:  # opening again applies nothing twice
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0] == len(versions)


def test_a_file_flowtui_creates_is_its_owners_alone_and_an_existing_one_keeps_its_mode(tmp_path):
    previous = os.umask(0o022)  # the usual umask: files 0644 and folders 0755 unless flowtui says otherwise
    try:
        books = tmp_path / "new folder" / "flow.duckdb"
        with Database.at(books).write() as con:
            con.execute("INSERT INTO settings VALUES ('probe', 'x')")
        assert stat.S_IMODE(os.stat(books).st_mode) == 0o600  # like secrets.json: it holds every sale
        assert stat.S_IMODE(os.stat(books.parent).st_mode) == 0o700  # where the write-ahead log comes and goes
        assert os.umask(0o022) == 0o022  # the process's umask is given back

        os.chmod(books, 0o640)  # the owner shares it with their group: flowtui leaves that alone
        with Database.at(books).write() as con:
            con.execute("INSERT INTO settings VALUES ('probe 2', 'x')")
        with Database.at(books).read():
            pass
        assert stat.S_IMODE(os.stat(books).st_mode) == 0o640

        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        with Database.at(shared / "flow.duckdb").read():  # a read creates the file too
            pass
        assert stat.S_IMODE(os.stat(shared / "flow.duckdb").st_mode) == 0o600
        assert stat.S_IMODE(os.stat(shared).st_mode) == 0o755  # an existing folder is not touched
    finally:
        os.umask(previous)


def test_a_file_from_a_newer_flowtui_is_refused_with_a_clear_message(db, db_path):
    with db.write() as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(DatabaseError, match="newer flowtui"):
        with db.write():
            pass


def test_write_rolls_back_everything_when_the_block_fails(db):
    with pytest.raises(RuntimeError):
        with db.write() as con:
            con.execute("INSERT INTO settings VALUES ('x', 'y')")
            raise RuntimeError("boom")
    with db.read() as con:
        assert con.execute("SELECT count(*) FROM settings WHERE key = 'x'").fetchall()[0][0] == 0


def test_no_connection_is_kept_after_a_unit_of_work(db, db_path):
    with db.write() as con:
        con.execute("INSERT INTO settings VALUES ('a', 'b')")
    # another process can open the file right away
    out = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db_path)!r}).close(); print('ok')"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.stdout.strip() == "ok", out.stderr


def _hold_lock(db_path, seconds: float) -> subprocess.Popen:
    script = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db_path)!r})
        print('locked', flush=True)
        time.sleep({seconds})
        con.close()
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_locked_file_is_waited_for_then_opened(db, db_path):
    with db.write():
        pass
    holder = _hold_lock(db_path, 1.5)
    started = time.monotonic()
    try:
        with db.write() as con:
            con.execute("INSERT INTO settings VALUES ('waited', 'yes')")
    finally:
        holder.wait(timeout=30)
    assert time.monotonic() - started >= 0.5
    with db.read() as con:
        assert con.execute("SELECT value FROM settings WHERE key = 'waited'").fetchall() == [("yes",)]


def test_a_lock_held_past_the_timeout_fails_naming_the_file(db_path):
    db = Database.at(db_path, lock_timeout=0.6)
    with db.write():
        pass
    holder = _hold_lock(db_path, 120)  # killed below
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseLocked) as caught:
            with db.write():
                pass
    finally:
        holder.kill()
        holder.wait()
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 60  # gave up after its timeout, not when the holder let go (generous, for a busy machine)
    assert str(db_path) in str(caught.value)
    assert "gave up after 0.6 s" in str(caught.value)


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("this is not a database\n" * 100)
    with pytest.raises(DatabaseError) as caught:
        with Database.at(bogus).read():
            pass
    assert str(bogus) in str(caught.value)


def test_database_path_resolution_order(tmp_path, monkeypatch):
    assert resolve_db_path(tmp_path / "a.duckdb") == tmp_path / "a.duckdb"
    monkeypatch.setenv("FLOWTUI_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path(None) == tmp_path / "env.duckdb"
    assert resolve_db_path(tmp_path / "a.duckdb") == tmp_path / "a.duckdb"
    monkeypatch.delenv("FLOWTUI_DB")
    assert resolve_db_path(None) == default_db_path()
    assert default_db_path().parts[-2:] == ("flowtui", "flow.duckdb")


def test_lock_timeout_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_LOCK_TIMEOUT", "2.5")
    assert Database.at(tmp_path / "x.duckdb").lock_timeout == 2.5
    assert Database.at(tmp_path / "x.duckdb", lock_timeout=1).lock_timeout == 1
    monkeypatch.setenv("FLOWTUI_LOCK_TIMEOUT", "soon")
    with pytest.raises(DatabaseError, match="FLOWTUI_LOCK_TIMEOUT"):
        Database.at(tmp_path / "x.duckdb")


def test_sessions_run_in_utc(db):
    with db.read() as con:
        assert con.execute("SELECT current_setting('TimeZone')").fetchall()[0][0] == "UTC"
    assert duckdb.__version__.startswith("2.")


# -- units of work within one process (the console's screens run theirs in threads) ----------------------

def _unit(db, kind: str, done: list, name: str, hold: float = 0.0) -> threading.Thread:
    def work() -> None:
        try:
            with getattr(db, kind)() as con:
                con.execute("SELECT 1").fetchall()
                time.sleep(hold)
            done.append((name, "ok", time.monotonic()))
        except DatabaseLocked as exc:
            done.append((name, str(exc), time.monotonic()))

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_sibling_units_wait_for_one_that_waits_for_the_file_and_then_works(db_path):
    """Another process has the file for 0.8 s; a unit here waits for it (up to the 1 s lock timeout), then
    works 0.6 s. Two sibling units asking meanwhile wait 1.4 s and more: longer than the lock timeout, but
    the unit ahead of them moves, so they get their turns, in the order they asked."""
    db = Database.at(db_path, lock_timeout=1.0)
    with db.write():
        pass
    done: list = []
    holder = _hold_lock(db_path, 0.8)
    try:
        first = _unit(db, "write", done, "sync", hold=0.6)
        time.sleep(0.05)
        second = _unit(db, "read", done, "digests screen")
        time.sleep(0.05)
        third = _unit(db, "read", done, "invoices screen")
        for thread in (first, second, third):
            thread.join(timeout=30)
    finally:
        holder.wait(timeout=30)
    assert [(name, outcome) for name, outcome, _ in done] == [
        ("sync", "ok"), ("digests screen", "ok"), ("invoices screen", "ok")]


def test_turns_are_taken_in_the_order_they_were_asked_for():
    """Five screens ask while a long unit runs: each gets its turn in the order it asked, none gives up."""
    turns = Turns()
    served: list[str] = []
    turns.acquire()  # the long unit

    def screen(name: str) -> None:
        assert turns.acquire(patience=5)
        served.append(name)
        time.sleep(0.01)
        turns.release()

    screens = [threading.Thread(target=screen, args=(f"screen {n}",)) for n in range(5)]
    for thread in screens:
        thread.start()
        time.sleep(0.02)  # each asks a little after the one before
    time.sleep(0.2)
    turns.release()
    for thread in screens:
        thread.join(timeout=30)
    assert served == [f"screen {n}" for n in range(5)]


def test_a_unit_that_holds_its_turn_too_long_is_reported_busy(db_path):
    """Waiting has an end: a sibling gives up once one unit has held the turn for twice the lock timeout."""
    db = Database.at(db_path, lock_timeout=0.2)
    with db.write():
        pass
    done: list = []
    started = time.monotonic()
    long_unit = _unit(db, "write", done, "long", hold=3)
    time.sleep(0.05)
    waiting = _unit(db, "read", done, "screen")
    waiting.join(timeout=30)
    long_unit.join(timeout=30)
    [(name, message, when), _] = done
    assert name == "screen" and when - started >= 0.35  # after its patience, before the long unit ended
    assert message == (f"The database {db_path} stayed busy in this process: one unit of work held it for more "
                       f"than 0.4 s. Try again, or allow longer with --lock-timeout / FLOWTUI_LOCK_TIMEOUT.")


def test_turns_are_re_entrant_in_one_thread():
    turns = Turns()
    assert turns.acquire() and turns.acquire()
    turns.release()
    elsewhere: list = []
    probe = lambda: elsewhere.append(turns.acquire(blocking=False))  # noqa: E731
    for expected in (False, True):
        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        assert elsewhere.pop() is expected
        if not expected:
            turns.release()  # the outer unit ends: now another thread may take the turn


def test_rows_by_name_one_may_find_none_the_must_find_one():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id INTEGER, name TEXT)")
    con.execute("INSERT INTO t VALUES (1, 'a')")
    assert one(con, "SELECT id, name FROM t WHERE id = ?", [1]) == {"id": 1, "name": "a"}
    assert one(con, "SELECT id, name FROM t WHERE id = ?", [2]) is None
    assert the(con, "SELECT count(*) AS n FROM t WHERE id = $id", {"id": 2, "unused": 0}) == {"n": 0}
    with pytest.raises(LookupError, match="no row where one must exist, from: SELECT id FROM t WHERE id ="):
        the(con, "SELECT id\n  FROM t WHERE id = ?", [2])
