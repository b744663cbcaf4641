"""flowtui schedule: the nightly sync goes into the user crontab (a fake one here), one line per database.

The line must work where cron runs it: no shell variables but HOME, LOGNAME,
USER, SHELL=/bin/sh and PATH=/usr/bin:/bin. ``--check`` runs it once exactly
so, and these tests look at what it did to the database.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb
import pytest

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.pipeline import nightly
from flowtui.engine.pipeline import schedule as cron
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from tests.cli_helpers import Cli, assert_clean_error, invoke
from tests.factories import order, write_ndjson

FAKE_CRONTAB = """#!/bin/sh
# a stand-in for crontab(1): -l prints the stored table, - stores stdin
table='{table}'
case "$1" in
  -l) if [ -f "$table" ]; then cat "$table"; else echo "no crontab for tester" >&2; exit 1; fi ;;
  -) cat > "$table" ;;
  *) echo "fake crontab: unexpected $*" >&2; exit 2 ;;
esac
"""


@pytest.fixture
def crontab(tmp_path, monkeypatch) -> Path:
    """The fake crontab's table file (absent until something is installed)."""
    table = tmp_path / "crontab.txt"
    script = tmp_path / "bin" / "crontab"
    script.parent.mkdir()
    script.write_text(FAKE_CRONTAB.format(table=table))
    script.chmod(0o755)
    monkeypatch.setenv("FLOWTUI_CRONTAB", str(script))
    return table


@pytest.fixture
def cli(db_path) -> Cli:
    """Books that exist (a nightly sync of a database that does not is refused)."""
    make_books(db_path)
    return Cli(db_path)


def make_books(db: Path) -> Flow:
    flow = Flow(Database.at(db))
    flow.init()
    return flow


def sync_runs(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT s.name, r.status FROM sync_runs r JOIN streams s ON s.id = r.stream_id "
                           "ORDER BY r.id").fetchall()


def lines(table: Path) -> list[str]:
    return table.read_text().splitlines()


def ours(table: Path, db: Path) -> list[str]:
    return [line for line in lines(table) if line.endswith(f"# flowtui-sync {db}")]


def test_install_writes_a_daily_line_that_needs_nothing_from_the_shell(cli, crontab, db_path, tmp_path):
    out = cli.ok("schedule", "install").out
    [line] = lines(crontab)
    assert line.startswith("0 6 * * * { ")
    config = tmp_path / "config"  # conftest's $FLOWTUI_CONFIG_DIR: written into the line, absolute
    assert f"FLOWTUI_CONFIG_DIR={config} {sys.executable} -m flowtui --db {db_path} sync ; }}" in line
    assert f" }} >> {db_path.parent / 'flowtui-sync.log'} 2>&1 " in line
    assert 'echo "== $(date) flowtui sync"' in line  # a timestamp line in the log per run
    assert "~" not in line and "$HOME" not in line and "%" not in line
    assert line.endswith(f" # flowtui-sync {db_path}")
    assert "06:00" in out and "local time" in out and str(config / "secrets.json") in out
    assert "No stream has auto sync on" in cli.ok("schedule", "install").err  # a note, not a refusal


def test_install_keeps_every_other_line(cli, crontab, db_path):
    others = ["MAILTO=me@example.com", "# backups", "15 2 * * 0 /usr/local/bin/backup --full",
              "0 6 * * * /opt/flowtui --db /elsewhere/flow.duckdb sync # flowtui-sync /elsewhere/flow.duckdb"]
    crontab.write_text("\n".join(others) + "\n")
    cli.ok("schedule", "install", "--at", "05:30")
    assert lines(crontab)[:4] == others
    assert len(lines(crontab)) == 5 and lines(crontab)[4].startswith("30 5 * * * ")
    cli.ok("schedule", "remove")
    assert lines(crontab) == others


def test_installing_twice_leaves_one_line(cli, crontab, db_path):
    cli.ok("schedule", "install")
    first = crontab.read_text()
    assert "Replaced" in cli.ok("schedule", "install").out
    assert crontab.read_text() == first and len(ours(crontab, db_path)) == 1


def test_a_new_time_replaces_the_line_in_place(cli, crontab, db_path):
    crontab.write_text("MAILTO=me\n")
    cli.ok("schedule", "install")
    crontab.write_text(crontab.read_text() + "@reboot /usr/bin/true\n")
    cli.ok("schedule", "install", "--at", "22:05")
    assert lines(crontab)[0] == "MAILTO=me" and lines(crontab)[2] == "@reboot /usr/bin/true"
    assert lines(crontab)[1].startswith("5 22 * * * ") and ours(crontab, db_path) == [lines(crontab)[1]]
    assert cli.json("schedule", "show")["at"] == "22:05"


def test_two_databases_get_two_lines(crontab, tmp_path):
    shop, cafe = tmp_path / "shop" / "flow.duckdb", tmp_path / "cafe.duckdb"
    make_books(shop), make_books(cafe)
    Cli(shop).ok("schedule", "install", "--at", "01:00")
    Cli(cafe).ok("schedule", "install", "--at", "02:00")
    assert len(lines(crontab)) == 2
    assert [Cli(db).json("schedule", "show")["at"] for db in (shop, cafe)] == ["01:00", "02:00"]
    Cli(shop).ok("schedule", "remove")
    assert ours(crontab, shop) == [] and len(ours(crontab, cafe)) == 1


def test_show_says_what_is_scheduled(cli, crontab, db_path, tmp_path):
    assert "No nightly sync is scheduled" in cli.ok("schedule", "show").out
    nothing = cli.json("schedule", "show")
    assert {k: nothing[k] for k in ("scheduled", "at", "command", "line", "crontab")} == {
        "scheduled": False, "at": None, "command": None, "line": None, "crontab": True}
    assert nothing["planned"].startswith("0 6 * * * ") and nothing["database"] == str(db_path)
    cli.ok("schedule", "install", "--at", "7:45")
    out = cli.ok("schedule", "show").out
    assert "07:45" in out and str(db_path) in out and "local time" in out
    shown = cli.json("schedule", "show")
    assert shown["scheduled"] is True and shown["at"] == "07:45" and shown["planned"] is None
    assert shown["command"].endswith("sync ; } >> " + str(db_path.parent / "flowtui-sync.log") + " 2>&1")
    assert shown["line"] == lines(crontab)[0]
    assert shown["config_dir"] == str(tmp_path / "config") and shown["env_file"] is None
    assert shown["log"] == str(db_path.parent / "flowtui-sync.log") and shown["systemd_units"] == []


def test_remove_and_remove_again(cli, crontab, db_path):
    cli.ok("schedule", "install")
    assert "Removed" in cli.ok("schedule", "remove").out
    assert ours(crontab, db_path) == []
    assert "No nightly sync was scheduled" in cli.ok("schedule", "remove").out


def test_remove_with_no_crontab_at_all_writes_nothing(cli, crontab):
    assert "No nightly sync was scheduled" in cli.ok("schedule", "remove").out
    assert not crontab.exists()


@pytest.mark.parametrize("at", ["24:00", "06:60", "6", "6pm", "-1:00", ""])
def test_invalid_time_is_refused(cli, crontab, at):
    assert_clean_error(cli("schedule", "install", "--at", at), code=2, says="00:00 and 23:59")
    assert not crontab.exists()


def test_a_database_that_does_not_exist_is_not_scheduled(crontab, tmp_path):
    missing = tmp_path / "typo.duckdb"
    result = Cli(missing)("schedule", "install")
    assert_clean_error(result, says=f"There is no database at {missing}")
    assert "init" in result.err
    assert not crontab.exists() and not missing.exists()


# --- without a crontab command ----------------------------------------------------------------------

@pytest.mark.parametrize("nowhere", ["path", "env"])
def test_without_crontab_show_and_remove_explain_and_install_suggests_systemd(cli, db_path, tmp_path, monkeypatch,
                                                                             nowhere):
    if nowhere == "path":  # the real crontab(1), on a PATH that has none
        monkeypatch.delenv("FLOWTUI_CRONTAB", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    else:
        monkeypatch.setenv("FLOWTUI_CRONTAB", str(tmp_path / "no-such-crontab"))
    shown = cli.ok("schedule", "show").out
    assert "command on this machine, so no crontab runs a nightly sync" in shown
    assert "--systemd" in shown and f"--db {db_path} sync" in shown  # the line install would add
    assert cli.json("schedule", "show")["crontab"] is False
    assert cli.json("schedule", "show")["scheduled"] is False
    removed = cli.ok("schedule", "remove").out
    assert "nothing to remove" in removed and "--systemd" in removed
    assert_clean_error(cli("schedule", "install"), says="--systemd")
    assert_clean_error(cli("schedule", "check"), says="--systemd --check")


# --- secrets where cron can reach them --------------------------------------------------------------------

def storehub_stream(flow: Flow, name: str, *, env: str | None = None, key: str | None = None,
                    base_url: str = "http://127.0.0.1:9", account: str | None = None, **settings) -> None:
    """A StoreHub stream (its own account: one account, one stream), set up without asking StoreHub anything."""
    options = {"account": account or name.lower().replace(" ", "-"), "base_url": base_url,
               **({"api_key_env": env} if env else {"api_key": key})}
    flow.add_stream(name, "storehub", options, StreamSettings(**settings))


def test_a_key_in_a_shell_variable_is_refused_naming_the_stream_the_variable_and_both_fixes(crontab, db_path,
                                                                                          monkeypatch, tmp_path):
    flow = make_books(db_path)
    storehub_stream(flow, "Bangsar", env="BANGSAR_KEY")
    storehub_stream(flow, "Old shop", env="OLD_KEY", auto_sync=False)  # the nightly sync leaves it alone
    monkeypatch.setenv("BANGSAR_KEY", "sk_live_in_my_shell_only")  # set here, but cron will not have it
    result = Cli(db_path)("schedule", "install")
    assert_clean_error(result, says="stream 'Bangsar' reads its API key from $BANGSAR_KEY, and cron will not have it")
    assert "OLD_KEY" not in result.err
    assert "flowtui stream set Bangsar --api-key -" in result.err
    assert str(tmp_path / "config" / "secrets.json") in result.err
    assert "flowtui schedule install --env-file FILE" in result.err
    assert "sk_live_in_my_shell_only" not in result.err + result.out
    assert not crontab.exists()
    assert_clean_error(Cli(db_path)("schedule", "install", "--systemd"), says="$BANGSAR_KEY")


def test_a_key_in_the_secrets_file_must_be_in_the_config_folder_the_line_names(crontab, db_path, tmp_path,
                                                                               monkeypatch):
    flow = make_books(db_path)
    storehub_stream(flow, "Bangsar", key="sk_live_0123456789")  # into $FLOWTUI_CONFIG_DIR/secrets.json
    assert Cli(db_path).ok("schedule", "install").code == 0
    assert f"FLOWTUI_CONFIG_DIR={tmp_path / 'config'} " in lines(crontab)[0]
    monkeypatch.setenv("FLOWTUI_CONFIG_DIR", str(tmp_path / "other-config"))
    result = Cli(db_path)("schedule", "install", "--at", "07:00")
    assert_clean_error(result, says=f"stream 'Bangsar' keeps its API key in {tmp_path / 'other-config' / 'secrets.json'}")
    assert "flowtui stream set Bangsar --api-key -" in result.err
    assert lines(crontab)[0].startswith("0 6 ")  # the working line stays


def env_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_an_env_file_must_be_private_and_set_every_variable_and_is_never_shown(crontab, db_path, tmp_path):
    flow = make_books(db_path)
    storehub_stream(flow, "Bangsar", env="BANGSAR_KEY")
    storehub_stream(flow, "Cheras", env="CHERAS_KEY")
    cli = Cli(db_path)
    assert_clean_error(cli("schedule", "install", "--env-file", tmp_path / "nope.env"), says="cannot be read")
    shared = env_file(tmp_path / "shared.env", "BANGSAR_KEY=sk_secret_one\nCHERAS_KEY=sk_secret_two\n", 0o644)
    assert_clean_error(cli("schedule", "install", "--env-file", shared), says=f"chmod 600 {shared}")
    half = env_file(tmp_path / "half.env", "BANGSAR_KEY='sk secret one'\nexport OTHER=1\nCHERAS_KEY=\n")
    result = cli("schedule", "install", "--env-file", half)
    assert_clean_error(result, says=f"stream 'Cheras' reads its API key from $CHERAS_KEY, and {half} does not set it")
    assert "Bangsar" not in result.err and f"add CHERAS_KEY=... to {half}" in result.err
    broken = env_file(tmp_path / "broken.env", "BANGSAR_KEY='sk_unterminated\n")
    result = cli("schedule", "install", "--env-file", broken)
    assert_clean_error(result, says=f"/bin/sh could not read the env file {broken}")
    for run in (result, cli("schedule", "install", "--env-file", half)):
        assert "sk_" not in run.err + run.out
    assert not crontab.exists()
    good = env_file(tmp_path / "keys.env", "BANGSAR_KEY=sk_secret_one\nCHERAS_KEY='sk secret two'\n")
    out = cli.ok("schedule", "install", "--env-file", good).out
    assert f"set -a ; . {good} ; set +a ; FLOWTUI_CONFIG_DIR=" in lines(crontab)[0]
    assert "sk_secret" not in out + crontab.read_text()
    assert cli.json("schedule", "show")["env_file"] == str(good)


# --- --check: run once as cron would --------------------------------------------------------------------

@pytest.fixture
def file_books(db_path, tmp_path) -> Path:
    """Books with a file stream of two orders on 1 October 2026."""
    flow = make_books(db_path)
    flow.add_location("Kuala Lumpur")
    folder = tmp_path / "drop"
    folder.mkdir()
    write_ndjson(folder / "orders.ndjson", [order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),
                                            order("A-2", "KL", "2026-10-01T04:00:00Z", [("TEH", 1, "3.00")])])
    flow.add_stream("Drop", "file", {"path": str(folder)}, StreamSettings())
    flow.map_location("Drop", "KL", "Kuala Lumpur")
    return folder


def test_check_runs_the_installed_line_in_a_bare_environment_and_a_sync_lands(crontab, db_path, file_books):
    result = Cli(db_path).ok("schedule", "install", "--check")
    assert "it worked" in result.out and "Synced: Drop (ok)." in result.out
    assert sync_runs(db_path) == [("Drop", "ok")]
    log = (db_path.parent / "flowtui-sync.log").read_text()
    assert log.startswith("== ") and "Drop: ok" in log and "2 new" in log
    assert Cli(db_path).ok("schedule", "check").out.count("Synced: Drop (ok).") == 1
    assert sync_runs(db_path) == [("Drop", "ok"), ("Drop", "ok")]
    assert (db_path.parent / "flowtui-sync.log").read_text().count("== ") == 2


def test_a_check_whose_sync_left_an_unreadable_line_open_still_ran(crontab, db_path, file_books):
    with (file_books / "orders.ndjson").open("a") as handle:
        handle.write("{not json\n")  # the sync lands the rest and exits 3: it ran, and says what is open
    result = Cli(db_path).ok("schedule", "install", "--check")
    assert "it worked" in result.out and "could not read or land open" in result.out
    assert sync_runs(db_path) == [("Drop", "warning")]


def test_a_check_that_fails_says_why_and_exits_non_zero(crontab, db_path, file_books):
    (file_books / "orders.ndjson").unlink()
    file_books.rmdir()  # the folder the stream reads is gone
    result = Cli(db_path)("schedule", "install", "--check")
    assert_clean_error(result, says="The nightly sync is installed, but")
    assert "failed (exit 1)" in result.err and "Drop: failed" in result.err
    assert len(ours(crontab, db_path)) == 1
    assert sync_runs(db_path) == [("Drop", "failed")]
    assert_clean_error(Cli(db_path)("schedule", "check"), says="Drop: failed")


def test_check_needs_an_installed_line_and_its_database(crontab, cli, db_path, tmp_path):
    assert_clean_error(cli("schedule", "check"), says="schedule install --check")
    gone = tmp_path / "gone.duckdb"
    crontab.write_text(f"0 6 * * * flowtui --db {gone} sync # flowtui-sync {gone}\n")  # by hand, for books since deleted
    assert_clean_error(Cli(gone)("schedule", "check"), says=f"There is no database at {gone}")
    assert not gone.exists()


def test_the_check_environment_is_crons(tmp_path, db_path, monkeypatch):
    make_books(db_path)
    monkeypatch.setenv("LEAKED_FROM_MY_SHELL", "1")
    seen = tmp_path / "env.txt"
    run = nightly.check(f"env > {seen}", db_path)
    assert run.ok and run.runs == []
    env = dict(line.split("=", 1) for line in seen.read_text().splitlines() if "=" in line)
    assert {"HOME", "LOGNAME", "USER", "SHELL", "PATH"} <= set(env)
    assert env["PATH"] == "/usr/bin:/bin" and env["SHELL"] == "/bin/sh"
    assert not {k for k in env if k.startswith(("FLOWTUI", "XDG", "LEAKED", "VIRTUAL_ENV", "PYTHON"))}


@pytest.fixture
def sandbox():
    from flowtui.sandbox.storehub import StoreHubSandbox

    with StoreHubSandbox(seed=3, days=2, rate_limit=None, scale=0.1) as box:
        box.start()
        yield box


def test_an_env_file_key_is_found_by_the_check_run(crontab, db_path, tmp_path, sandbox, monkeypatch):
    flow = make_books(db_path)
    storehub_stream(flow, "Sandbox", env="SANDBOX_KEY", base_url=sandbox.base_url, account=sandbox.account,
                    start_date=sandbox.start_date)
    monkeypatch.delenv("SANDBOX_KEY", raising=False)  # only the env file has it
    keys = env_file(tmp_path / "keys.env", f"SANDBOX_KEY={sandbox.api_key}\n")
    result = Cli(db_path).ok("schedule", "install", "--env-file", keys, "--check")
    assert "Synced: Sandbox (ok)." in result.out or "Synced: Sandbox (warning)." in result.out
    assert sync_runs(db_path) in ([("Sandbox", "ok")], [("Sandbox", "warning")])
    assert sandbox.api_key not in result.out + result.err
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchall()[0][0] > 0


# --- systemd ----------------------------------------------------------------------------------------------

def test_systemd_prints_units_named_for_the_database_and_leaves_the_crontab_alone(cli, crontab, db_path, tmp_path):
    out = cli.ok("schedule", "install", "--systemd", "--at", "21:15").out
    name = cron.unit_name(db_path)
    assert name.startswith("flowtui-sync-flow-") and len(name) == len("flowtui-sync-flow-") + 8
    assert f"{name}.service" in out and f"{name}.timer" in out
    assert "OnCalendar=*-*-* 21:15:00" in out and "Persistent=true" in out
    assert f"ExecStart={sys.executable} -m flowtui --db {db_path} sync" in out
    assert f"Environment=FLOWTUI_CONFIG_DIR={tmp_path / 'config'}" in out and "EnvironmentFile" not in out
    assert "systemctl --user daemon-reload" in out and f"systemctl --user enable --now {name}.timer" in out
    assert not crontab.exists()


def test_two_databases_get_their_own_systemd_units(crontab, tmp_path):
    shop, cafe = tmp_path / "shop" / "flow.duckdb", tmp_path / "cafe" / "flow.duckdb"
    make_books(shop), make_books(cafe)
    assert cron.unit_name(shop) != cron.unit_name(cafe)
    keys = env_file(tmp_path / "keys.env", "OTHER=1\n")
    for db in (shop, cafe):
        out = Cli(db).ok("schedule", "install", "--systemd", "--write", "--env-file", keys).out
        assert "Wrote " in out
    folder = tmp_path / "xdg-config" / "systemd" / "user"  # conftest's $XDG_CONFIG_HOME
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{cron.unit_name(db)}.{kind}" for db in (shop, cafe) for kind in ("service", "timer"))
    service = (folder / f"{cron.unit_name(cafe)}.service").read_text()
    assert f"--db {cafe} sync" in service and f"EnvironmentFile={keys}" in service
    shown = Cli(shop).json("schedule", "show")
    assert shown["systemd_units"] == [str(folder / f"{cron.unit_name(shop)}.{k}") for k in ("service", "timer")]
    removed = Cli(shop).ok("schedule", "remove").out
    assert f"systemctl --user disable --now {cron.unit_name(shop)}.timer" in removed
    assert_clean_error(Cli(shop)("schedule", "install", "--write"), code=2, says="--systemd")


def test_the_database_comes_from_flowtui_db_or_the_default_and_is_made_absolute(crontab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for db in (tmp_path / "rel.duckdb", tmp_path / "env.duckdb", tmp_path / "xdg-data" / "flowtui" / "flow.duckdb"):
        make_books(db)
    assert invoke(["--db", "rel.duckdb", "schedule", "install"]).code == 0
    assert len(ours(crontab, tmp_path / "rel.duckdb")) == 1
    monkeypatch.setenv("FLOWTUI_DB", str(tmp_path / "env.duckdb"))
    assert invoke(["schedule", "install"]).code == 0
    assert len(ours(crontab, tmp_path / "env.duckdb")) == 1
    monkeypatch.delenv("FLOWTUI_DB")
    default = tmp_path / "xdg-data" / "flowtui" / "flow.duckdb"  # conftest points XDG_DATA_HOME here
    assert json.loads(invoke(["schedule", "show", "--json"]).out)["scheduled"] is False
    assert invoke(["schedule", "install"]).code == 0
    assert len(ours(crontab, default)) == 1 and len(lines(crontab)) == 3


# --- the engine directly ------------------------------------------------------------------------------

def test_parse_at():
    assert cron.parse_at("06:00") == (6, 0) and cron.parse_at("0:00") == (0, 0)
    assert cron.parse_at(" 23:59 ") == (23, 59)
    for bad in ("24:00", "12:5", "12:60", "noon", "1:2:3"):
        with pytest.raises(InvalidInput):
            cron.parse_at(bad)


def test_runs_the_flowtui_script_it_was_started_as(tmp_path, monkeypatch):
    script = tmp_path / "venv" / "bin" / "flowtui"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [os.path.join("venv", "bin", "flowtui"), "schedule", "install"])
    assert nightly.flowtui_argv() == [str(script)]
    db = tmp_path / "flow.duckdb"
    assert f" {script} --db {db} sync ; }} >> " in cron.planned(nightly.job(db), "06:00").command


def test_paths_with_spaces_and_percent_are_quoted_for_the_shell_and_cron(crontab, tmp_path, monkeypatch):
    db = tmp_path / "Kopi & Co 100%" / "flow.duckdb"
    make_books(db)
    monkeypatch.setenv("FLOWTUI_CONFIG_DIR", str(tmp_path / "my config"))
    keys = env_file(tmp_path / "my keys.env", "X=1\n")
    job = nightly.job(db, keys)
    installed = cron.install(job, "06:00")
    new = installed.schedule
    assert installed.previous is None
    assert "'" in new.command and r"100\%" in new.line and "100%" not in new.line.replace(r"\%", "")
    assert cron.show(db) == new and new.job == job and "100%" in new.shell
    assert cron.remove(db).installed == new and cron.show(db) is None


def test_commented_out_lines_and_other_databases_are_not_ours(crontab, tmp_path):
    db = tmp_path / "flow.duckdb"
    make_books(db)
    crontab.write_text(
        f"# 0 6 * * * flowtui --db {db} sync # flowtui-sync {db}\n"
        f"0 6 * * * flowtui --db /x{db} sync # flowtui-sync /x{db}\n"
    )
    assert cron.show(db) is None and cron.remove(db).installed is None
    cron.install(nightly.job(db))
    assert len(lines(crontab)) == 3


def test_a_hand_edited_schedule_is_shown_without_a_time(crontab, tmp_path):
    db = tmp_path / "flow.duckdb"
    crontab.write_text(f"*/30 * * * * flowtui --db {db} sync # flowtui-sync {db}\n")
    found = cron.show(db)
    assert found is not None and found.at is None and found.command == f"flowtui --db {db} sync"
    assert found.job is None  # it names no config folder


def test_a_crontab_that_fails_is_reported(tmp_path, monkeypatch):
    broken = tmp_path / "crontab"
    broken.write_text("#!/bin/sh\necho 'crontab: permission denied' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("FLOWTUI_CRONTAB", str(broken))
    with pytest.raises(cron.ScheduleError, match="permission denied"):
        cron.show(tmp_path / "flow.duckdb")
