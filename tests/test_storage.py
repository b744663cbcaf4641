"""The storage module: migrations, units of work, the lock retry, clear errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from flowtui.engine.errors import DatabaseError, DatabaseLocked
from flowtui.engine.schema import SCHEMA_VERSION
from flowtui.engine.storage import Database, default_db_path, resolve_db_path


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
    holder = _hold_lock(db_path, 5)
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseLocked) as caught:
            with db.write():
                pass
    finally:
        holder.kill()
        holder.wait()
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 3
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
