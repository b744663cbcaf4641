"""Secrets belong to their own books.

One ``secrets.json`` serves every database on the machine, so a stream's API key is kept under its
database's own id as well as the stream's name: two shops' books with a stream called "Shop" keep
their own keys, and each sends its own key to its own StoreHub. A key is written only when the
command that brings it succeeds, and a failure never takes away a key someone else uses.
"""

from __future__ import annotations

import json
import os
import pty
import select
import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flowtui.cli import main
from flowtui.connectors.registry import provider
from flowtui.engine.core.errors import DatabaseError, FlowError, InvalidInput
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.secrets import SecretStore
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from flowtui.sandbox.storehub import StoreHubSandbox
from tests.cli_helpers import Cli, Run, assert_clean_error

KEY_A, KEY_B = "sk_live_first_shop_0001", "sk_live_second_shop_0002"


@pytest.fixture
def two_shops(tmp_path):
    """Two StoreHub accounts on this machine, each with its own key."""
    with StoreHubSandbox(seed=1, days=2, rate_limit=None, account="first", api_key=KEY_A) as a, \
            StoreHubSandbox(seed=2, days=2, rate_limit=None, account="second", api_key=KEY_B) as b:
        a.start()
        b.start()
        yield a, b


def books(tmp_path: Path, name: str) -> Flow:
    return Flow(Database.at(tmp_path / name / "flow.duckdb"))


def connect(flow: Flow, box: StoreHubSandbox, key: str, name: str = "Shop"):
    return flow.add_stream(name, "storehub", {"account": box.account, "api_key": key, "base_url": box.base_url},
                           StreamSettings())


def entry(flow: Flow, name: str = "Shop") -> str:
    [row] = [s for s in flow.streams() if s.stream.name == name]
    return row.stream.config["api_key"]["secret"]


def database_id(flow: Flow) -> str:
    with flow.db.read() as con:
        return con.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchall()[0][0]


def secrets_file(flow: Flow) -> dict:
    return json.loads(flow.secrets.path.read_text()) if flow.secrets.path.exists() else {}


def invoke(args, db: Path, stdin: str | None = None) -> Run:
    """``flowtui --db DB ARGS`` in-process, with ``stdin`` as its standard input (tests/cli_helpers.py's invoke, plus input)."""
    runner = CliRunner()
    with runner.isolation(input=stdin) as streams:
        try:
            main(["--db", str(db), *map(str, args)])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Run(code, streams[0].getvalue().decode(), streams[1].getvalue().decode())


# -- two books, two keys -----------------------------------------------------------------------------------


def test_two_databases_with_a_stream_of_one_name_keep_their_own_keys(tmp_path, two_shops):
    a, b = two_shops
    first, second = books(tmp_path, "first"), books(tmp_path, "second")
    connect(first, a, KEY_A)
    connect(second, b, KEY_B)  # the same stream name, in other books: once it replaced the first shop's key

    assert database_id(first) != database_id(second)
    assert entry(first) == f"db:{database_id(first)}:stream:Shop:api_key"
    assert entry(second) == f"db:{database_id(second)}:stream:Shop:api_key"
    assert secrets_file(first) == {entry(first): KEY_A, entry(second): KEY_B}
    assert "store(s)" in first.test_stream("Shop")
    assert "store(s)" in second.test_stream("Shop")
    # each shop's StoreHub saw its own key only (a 401 would be a key sent to the wrong shop)
    assert all(status == 200 for _, _, status in a.request_log + b.request_log)

    first.update_stream("Shop", StreamSettings(), {"api_key": "sk_live_first_shop_0003"})
    assert secrets_file(first)[entry(first)] == "sk_live_first_shop_0003"
    assert secrets_file(second)[entry(second)] == KEY_B  # the other books' key is not touched


def test_every_database_has_an_id_and_an_older_file_gets_one_on_opening(tmp_path):
    shop = books(tmp_path, "shop")
    shop.init()
    assert len(database_id(shop)) == 36 and database_id(shop) == database_id(shop)  # stable
    con = duckdb.connect(str(shop.db.path))  # as a file written before migration 12 left it
    try:
        con.execute("DELETE FROM settings WHERE key = 'database_id'")
        con.execute("DELETE FROM schema_migrations WHERE version >= 12")
    finally:
        con.close()
    assert len(database_id(shop)) == 36  # migrated forward on open


def test_a_stream_keyed_the_old_way_keeps_working_and_moves_to_its_books_name_when_set_again(tmp_path, two_shops):
    a, _ = two_shops
    shop = books(tmp_path, "shop")
    connect(shop, a, KEY_A)
    shop.secrets.restore(entry(shop), None)
    with shop.db.write() as con:  # as flowtui kept it before: one entry per stream name for every database
        con.execute("""UPDATE streams SET config = json_object('account', ?, 'base_url', ?,
                       'api_key', json_object('secret', 'stream:Shop:api_key')) WHERE name = 'Shop'""",
                    [a.account, a.base_url])
    shop.secrets.store("stream:Shop:api_key", KEY_A)
    assert "store(s)" in shop.test_stream("Shop")

    shop.update_stream("Shop", StreamSettings(), {"api_key": "sk_live_first_shop_0003"})
    assert entry(shop) == f"db:{database_id(shop)}:stream:Shop:api_key"
    assert shop.secrets.get(entry(shop)) == "sk_live_first_shop_0003"
    assert shop.secrets.get("stream:Shop:api_key") == KEY_A  # left alone: another database may still use it


def test_a_copy_of_a_database_adding_a_stream_the_original_also_added_takes_a_new_entry(tmp_path, two_shops):
    """A copied file has the original's id (a known edge, README): a new key still never overwrites another's."""
    a, b = two_shops
    original = books(tmp_path, "original")
    original.init()
    copy = tmp_path / "copy" / "flow.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(original.db.path.read_bytes())
    duplicate = Flow(Database.at(copy))
    connect(original, a, KEY_A, name="Kiosk")
    connect(duplicate, b, KEY_B, name="Kiosk")
    assert database_id(original) == database_id(duplicate)
    assert entry(duplicate, "Kiosk") == entry(original, "Kiosk") + ":2"
    assert original.secrets.get(entry(original, "Kiosk")) == KEY_A
    assert duplicate.secrets.get(entry(duplicate, "Kiosk")) == KEY_B


# -- written only when the command succeeds ----------------------------------------------------------------


def test_a_failing_stream_add_in_other_books_leaves_the_first_books_key_alone(tmp_path, two_shops):
    a, b = two_shops
    first, second = books(tmp_path, "first"), books(tmp_path, "second")
    connect(first, a, KEY_A)
    before = first.secrets.path.read_bytes()
    second_cli = Cli(second.db.path)
    for bad in (["--base-url", "ftp://example.com"],  # refused by the provider
                ["--base-url", b.base_url, "--start-date", "2026-02-30"]):  # refused by click
        result = invoke(["stream", "add", "Shop", "--provider", "storehub", "--account", "second",
                         "--api-key", "-", *bad], second.db.path, stdin=KEY_B + "\n")
        assert_clean_error(result)
    second_cli.ok("stream", "add", "Other", "--provider", "file", "--path", tmp_path)
    result = invoke(["stream", "add", "other", "--provider", "storehub", "--account", "second",  # name taken
                     "--api-key", "-", "--base-url", b.base_url], second.db.path, stdin=KEY_B + "\n")
    assert_clean_error(result, says="already exists")
    assert first.secrets.path.read_bytes() == before  # nothing written, nothing deleted
    assert "store(s)" in first.test_stream("Shop")


def test_a_failing_stream_add_in_the_same_books_leaves_their_key_alone(tmp_path, two_shops):
    a, _ = two_shops
    shop = books(tmp_path, "shop")
    connect(shop, a, KEY_A)
    before = shop.secrets.path.read_bytes()
    with pytest.raises(InvalidInput, match="already exists"):
        connect(shop, a, "sk_live_someone_else_0009")  # the same name again
    with pytest.raises(InvalidInput, match="already reads"):
        connect(shop, a, "sk_live_someone_else_0009", name="Twin")  # the same account
    assert shop.secrets.path.read_bytes() == before
    assert "store(s)" in shop.test_stream("Shop")


def test_a_failing_stream_set_keeps_the_old_key(tmp_path, two_shops):
    a, _ = two_shops
    shop = books(tmp_path, "shop")
    connect(shop, a, KEY_A)
    before = shop.secrets.path.read_bytes()
    result = invoke(["stream", "set", "Shop", "--api-key", "-", "--base-url", "ftp://example.com"], shop.db.path,
                    stdin="sk_live_new_key_0004\n")
    assert_clean_error(result, says="--base-url must start with http:// or https://")
    assert shop.secrets.path.read_bytes() == before
    assert "store(s)" in shop.test_stream("Shop")

    result = invoke(["stream", "set", "Shop", "--api-key", "sk_live_new_key_0004", "--store-name", "Kopi"],
                    shop.db.path)
    assert result.code == 0 and shop.secrets.get(entry(shop)) == "sk_live_new_key_0004"


def test_a_secrets_file_that_cannot_be_written_changes_nothing_in_the_books(tmp_path, two_shops, monkeypatch):
    a, _ = two_shops
    shop = books(tmp_path, "shop")
    shop.init()

    def full_disk(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SecretStore, "_replace", full_disk)
    with pytest.raises(FlowError, match=r"Cannot write the secrets file .*No space left"):
        connect(shop, a, KEY_A)
    assert shop.streams() == []  # the stream was rolled back with its key


def test_a_commit_that_fails_after_the_key_was_written_puts_the_entry_back(tmp_path, two_shops, monkeypatch):
    a, _ = two_shops
    shop = books(tmp_path, "shop")
    connect(shop, a, KEY_A)
    before = shop.secrets.path.read_bytes()
    real = shop.services.streams._write

    @contextmanager
    def failing_commit():
        with real() as con:
            yield con
            raise DatabaseError("The disk is full.")  # after the block's last step: as the commit would

    monkeypatch.setattr(shop.services.streams, "_write", failing_commit)
    with pytest.raises(DatabaseError):
        shop.update_stream("Shop", StreamSettings(), {"api_key": "sk_live_new_key_0004"})
    with pytest.raises(DatabaseError):
        shop.add_stream("Second", "storehub", {"account": "other", "api_key": "sk_live_new_key_0005",
                                               "base_url": a.base_url}, StreamSettings())
    assert shop.secrets.path.read_bytes() == before


# -- keeping the key out of sight ------------------------------------------------------------------------------


def test_the_key_can_be_piped_in_and_one_on_the_command_line_is_warned_about(tmp_path, two_shops):
    a, b = two_shops
    db = tmp_path / "flow.duckdb"
    piped = invoke(["stream", "add", "Shop", "--provider", "storehub", "--account", a.account, "--api-key", "-",
                    "--base-url", a.base_url], db, stdin=f"  {KEY_A}  \n")
    assert piped.code == 0 and "warning" not in piped.err  # a loopback http:// address is fine, and silent
    assert KEY_A not in piped.out + piped.err
    assert "store(s)" in Cli(db).ok("stream", "test", "Shop").out

    typed = invoke(["stream", "add", "Other", "--provider", "storehub", "--account", b.account, "--api-key", KEY_B,
                    "--base-url", b.base_url], db)
    assert typed.code == 0
    assert "warning: a key given as --api-key KEY shows in the process list" in typed.err
    assert "--api-key -" in typed.err and KEY_B not in typed.out + typed.err

    empty = invoke(["stream", "set", "Shop", "--api-key", "-"], db, stdin="")
    assert_clean_error(empty, says="standard input")
    assert "store(s)" in Cli(db).ok("stream", "test", "Shop").out


def test_at_a_terminal_the_key_is_asked_for_and_not_echoed(tmp_path):
    db = tmp_path / "flow.duckdb"
    pid, terminal = pty.fork()
    if pid == 0:  # the child: flowtui at a terminal
        os.execv(sys.executable, [sys.executable, "-m", "flowtui", "--db", str(db), "stream", "add", "Shop",
                                  "--provider", "storehub", "--account", "a", "--api-key", "-"])
    seen = b""
    try:
        while b"API key:" not in seen:
            seen += _read(terminal)
        os.write(terminal, KEY_A.encode() + b"\n")
        while chunk := _read(terminal):
            seen += chunk
    finally:
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert b"Added StoreHub stream 'Shop'" in seen and KEY_A.encode() not in seen  # typed, never shown
    assert list(json.loads((tmp_path / "config" / "secrets.json").read_text()).values()) == [KEY_A]


def _read(fd: int) -> bytes:
    ready, _, _ = select.select([fd], [], [], 30)
    assert ready, "flowtui said nothing for 30 s"
    try:
        return os.read(fd, 4096)
    except OSError:  # the terminal closed: flowtui is done
        return b""


@pytest.mark.parametrize("url, warned", [
    ("https://api.storehubhq.com", False),
    ("http://127.0.0.1:8765", False),
    ("http://127.8.0.1", False),
    ("http://localhost:8765", False),
    ("http://[::1]:8765", False),
    ("http://shop.example.com", True),
    ("http://192.168.1.20:8080", True),
    ("HTTP://10.0.0.5", True),
])
def test_a_key_bound_for_another_machine_over_plain_http_is_warned_about(url, warned):
    config = {"account": "a", "api_key": {"secret": "x"}, "base_url": url}
    warnings = provider("storehub").warnings(config)
    assert bool(warnings) == warned
    if warned:
        assert "unencrypted over plain http://" in warnings[0] and "https://" in warnings[0]


def test_stream_add_and_set_warn_on_stderr_when_the_key_would_travel_unencrypted(tmp_path, monkeypatch):
    db = tmp_path / "flow.duckdb"
    monkeypatch.setenv("SHOP_KEY", KEY_A)
    added = invoke(["stream", "add", "Shop", "--provider", "storehub", "--account", "a", "--api-key-env", "SHOP_KEY",
                    "--base-url", "http://shop.example.com"], db)  # nothing is sent now: the warning is for the syncs
    assert added.code == 0 and "warning: the API key would travel unencrypted" in added.err
    assert "shop.example.com" in added.err and "Added" in added.out
    fixed = invoke(["stream", "set", "Shop", "--base-url", "https://shop.example.com"], db)
    assert fixed.code == 0 and "warning" not in fixed.err
    again = invoke(["stream", "set", "Shop", "--base-url", "http://10.1.2.3"], db)
    assert again.code == 0 and "unencrypted" in again.err
