"""flowtui schedule: the nightly sync goes into the user crontab (a fake one here), one line per database."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import flowtui.cli
from flowtui.cli import schedule_cmd
from flowtui.engine import schedule as nightly
from flowtui.engine.errors import InvalidInput
from tests.cli_helpers import Cli, assert_clean_error, invoke

if "schedule" not in flowtui.cli.cli.commands:  # until flowtui.cli registers it itself
    schedule_cmd.register(flowtui.cli.cli)

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
    return Cli(db_path)


def lines(table: Path) -> list[str]:
    return table.read_text().splitlines()


def ours(table: Path, db: Path) -> list[str]:
    return [line for line in lines(table) if line.endswith(f"# flowtui-sync {db}")]


def test_install_writes_a_daily_line_that_syncs_this_database(cli, crontab, db_path):
    out = cli.ok("schedule", "install").out
    [line] = lines(crontab)
    assert line.startswith("0 6 * * * ")
    assert f"{sys.executable} -m flowtui --db {db_path} sync" in line  # pytest is not a flowtui script
    assert f" >> {db_path.parent / 'flowtui-sync.log'} 2>&1 " in line
    assert line.endswith(f" # flowtui-sync {db_path}")
    assert "06:00" in out and "local time" in out


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
    Cli(shop).ok("schedule", "install", "--at", "01:00")
    Cli(cafe).ok("schedule", "install", "--at", "02:00")
    assert len(lines(crontab)) == 2
    assert [Cli(db).json("schedule", "show")["at"] for db in (shop, cafe)] == ["01:00", "02:00"]
    Cli(shop).ok("schedule", "remove")
    assert ours(crontab, shop) == [] and len(ours(crontab, cafe)) == 1


def test_show_says_what_is_scheduled(cli, crontab, db_path):
    assert "No nightly sync is scheduled" in cli.ok("schedule", "show").out
    assert cli.json("schedule", "show") == {"scheduled": False, "at": None, "command": None,
                                            "database": str(db_path), "line": None}
    cli.ok("schedule", "install", "--at", "7:45")
    out = cli.ok("schedule", "show").out
    assert "07:45" in out and str(db_path) in out and "local time" in out
    shown = cli.json("schedule", "show")
    assert shown["scheduled"] is True and shown["at"] == "07:45"
    assert shown["command"].endswith("sync >> " + str(db_path.parent / "flowtui-sync.log") + " 2>&1")
    assert shown["line"] == lines(crontab)[0]


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


def test_missing_crontab_command_suggests_systemd(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_CRONTAB", str(tmp_path / "no-such-crontab"))
    for args in (["install"], ["show"], ["remove"]):
        assert_clean_error(cli("schedule", *args), says="--systemd")


def test_systemd_prints_units_and_leaves_the_crontab_alone(cli, crontab, db_path):
    out = cli.ok("schedule", "install", "--systemd", "--at", "21:15").out
    assert "flowtui-sync.service" in out and "flowtui-sync.timer" in out
    assert "OnCalendar=*-*-* 21:15:00" in out and "Persistent=true" in out
    assert f"ExecStart={sys.executable} -m flowtui --db {db_path} sync" in out
    assert "systemctl --user daemon-reload" in out and "systemctl --user enable --now flowtui-sync.timer" in out
    assert not crontab.exists()


def test_the_database_comes_from_flowtui_db_or_the_default_and_is_made_absolute(crontab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
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
    assert nightly.parse_at("06:00") == (6, 0) and nightly.parse_at("0:00") == (0, 0)
    assert nightly.parse_at(" 23:59 ") == (23, 59)
    for bad in ("24:00", "12:5", "12:60", "noon", "1:2:3"):
        with pytest.raises(InvalidInput):
            nightly.parse_at(bad)


def test_runs_the_flowtui_script_it_was_started_as(tmp_path, monkeypatch):
    script = tmp_path / "venv" / "bin" / "flowtui"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [os.path.join("venv", "bin", "flowtui"), "schedule", "install"])
    assert nightly.flowtui_argv() == [str(script)]
    db = tmp_path / "flow.duckdb"
    assert nightly.planned(db, "06:00").command.startswith(f"{script} --db {db} sync >> ")


def test_paths_with_spaces_and_percent_are_quoted_for_the_shell_and_cron(crontab, tmp_path):
    db = tmp_path / "Kopi & Co 100%" / "flow.duckdb"
    new, previous = nightly.install(db, "06:00")
    assert previous is None
    assert "'" in new.command and r"100\%" in new.line and "100%" not in new.line.replace(r"\%", "")
    assert nightly.show(db) == new
    assert nightly.remove(db) == new and nightly.show(db) is None


def test_commented_out_lines_and_other_databases_are_not_ours(crontab, tmp_path):
    db = tmp_path / "flow.duckdb"
    crontab.write_text(
        f"# 0 6 * * * flowtui --db {db} sync # flowtui-sync {db}\n"
        f"0 6 * * * flowtui --db /x{db} sync # flowtui-sync /x{db}\n"
    )
    assert nightly.show(db) is None and nightly.remove(db) is None
    nightly.install(db)
    assert len(lines(crontab)) == 3


def test_a_hand_edited_schedule_is_shown_without_a_time(crontab, tmp_path):
    db = tmp_path / "flow.duckdb"
    crontab.write_text(f"*/30 * * * * flowtui --db {db} sync # flowtui-sync {db}\n")
    found = nightly.show(db)
    assert found is not None and found.at is None and found.command == f"flowtui --db {db} sync"


def test_a_crontab_that_fails_is_reported(tmp_path, monkeypatch):
    broken = tmp_path / "crontab"
    broken.write_text("#!/bin/sh\necho 'crontab: permission denied' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("FLOWTUI_CRONTAB", str(broken))
    with pytest.raises(nightly.ScheduleError, match="permission denied"):
        nightly.show(tmp_path / "flow.duckdb")
