"""Nightly sync: a user crontab line (or systemd user units) that runs ``flowtui sync``.

Each database gets at most one crontab line, found by its trailing marker
``# flowtui-sync <absolute db path>``; every other line of the crontab is left
exactly as it was. The crontab is read with ``crontab -l`` and written with
``crontab -`` (``$FLOWTUI_CRONTAB`` names another executable, for tests).
Cron and systemd timers both run at the machine's local time.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flowtui.engine.errors import FlowError, InvalidInput
from flowtui.engine.storage import resolve_db_path

DEFAULT_AT = "06:00"
MARKER = "# flowtui-sync"
SERVICE = "flowtui-sync.service"
TIMER = "flowtui-sync.timer"
_AT = re.compile(r"(\d{1,2}):(\d{2})")


class ScheduleError(FlowError):
    """The crontab could not be read or written."""


class CrontabMissing(ScheduleError):
    """There is no ``crontab`` command on this machine."""


@dataclass(frozen=True)
class Schedule:
    """The nightly sync of one database, as it is (or would be) in the crontab."""

    database: Path
    at: str | None  # "HH:MM", or None when the line's time fields are not a plain daily time
    command: str  # what cron runs: the part of the line after the five time fields, without the marker
    line: str  # the whole crontab line


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The absolute database path: ``--db``, else ``$FLOWTUI_DB``, else the default."""
    return Path(os.path.abspath(resolve_db_path(explicit)))


def parse_at(text: str) -> tuple[int, int]:
    """``"06:00"`` -> ``(6, 0)``; anything that is not a time 00:00-23:59 is refused."""
    match = _AT.fullmatch(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(f"--at must be a time of day HH:MM between 00:00 and 23:59, not {text!r}.")
    return int(match[1]), int(match[2])


def flowtui_argv() -> list[str]:
    """How to run this flowtui again from cron: the ``flowtui`` script, else ``python -m flowtui``."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name == "flowtui":
        script = Path(argv0) if os.sep in argv0 else Path(shutil.which(argv0) or argv0)
        if script.is_file():
            return [os.path.abspath(script)]  # absolute, but keep symlinks (a venv's python is one)
    return [os.path.abspath(sys.executable), "-m", "flowtui"]


def sync_argv(db: Path) -> list[str]:
    return [*flowtui_argv(), "--db", str(db), "sync"]


def log_path(db: Path) -> Path:
    """Where the nightly sync appends its output: next to the database."""
    return db.parent / "flowtui-sync.log"


def _cron(text: str) -> str:
    return text.replace("%", r"\%")  # cron turns a bare % into a newline


def planned(db: Path, at: str = DEFAULT_AT) -> Schedule:
    """The crontab line that syncs ``db`` every day at ``at`` (local time)."""
    hour, minute = parse_at(at)
    command = _cron(f"{shlex.join(sync_argv(db))} >> {shlex.quote(str(log_path(db)))} 2>&1")
    return Schedule(db, f"{hour:02d}:{minute:02d}", command, f"{minute} {hour} * * * {command} {MARKER} {_cron(str(db))}")


def _parse(line: str, db: Path) -> Schedule | None:
    """The schedule of ``db`` if ``line`` is its (uncommented) flowtui line."""
    body, sep, marked = line.rstrip().rpartition(f" {MARKER} ")
    if not sep or line.lstrip().startswith("#") or marked != _cron(str(db)):
        return None
    fields = body.split(None, 5)
    if len(fields) < 6:
        return None
    minute, hour = fields[0], fields[1]
    daily = minute.isdigit() and hour.isdigit() and fields[2:5] == ["*", "*", "*"]
    at = f"{int(hour):02d}:{int(minute):02d}" if daily else None
    return Schedule(db, at, fields[5], line)


# --- the crontab ----------------------------------------------------------------------------------

def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    command = os.environ.get("FLOWTUI_CRONTAB") or "crontab"
    try:
        return subprocess.run([command, *args], input=stdin, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise CrontabMissing(
            f"There is no {command!r} command on this machine, so the nightly sync cannot go in a crontab. "
            "Use `flowtui schedule install --systemd` for a systemd timer instead."
        ) from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ScheduleError(f"Could not run {command!r}: {exc}") from None


def read_crontab() -> list[str]:
    """The user's crontab lines; none when the user has no crontab yet."""
    result = _crontab("-l")
    if result.returncode != 0:
        if "no crontab" in (result.stderr + result.stdout).lower():
            return []
        raise ScheduleError(f"`crontab -l` failed: {result.stderr.strip() or f'exit {result.returncode}'}")
    return result.stdout.splitlines()


def write_crontab(lines: list[str]) -> None:
    result = _crontab("-", stdin="".join(f"{line}\n" for line in lines))
    if result.returncode != 0:
        raise ScheduleError(f"`crontab -` refused the new crontab: {result.stderr.strip() or f'exit {result.returncode}'}")


# --- what the commands do -------------------------------------------------------------------------

def show(db: Path) -> Schedule | None:
    """The installed nightly sync of ``db``, if any."""
    return next((s for s in (_parse(line, db) for line in read_crontab()) if s), None)


def install(db: Path, at: str = DEFAULT_AT) -> tuple[Schedule, Schedule | None]:
    """Put the nightly sync of ``db`` in the crontab (replacing its earlier line); returns (new, previous)."""
    new = planned(db, at)
    lines = read_crontab()
    previous = next((s for s in (_parse(x, db) for x in lines) if s), None)
    kept = [x for x in lines if _parse(x, db) is None]
    if previous is None:
        kept.append(new.line)
    else:
        kept.insert(lines.index(previous.line), new.line)  # in the old line's place (every line before it is kept)
    write_crontab(kept)
    return new, previous


def remove(db: Path) -> Schedule | None:
    """Take the nightly sync of ``db`` out of the crontab; returns what was removed (None: nothing was)."""
    lines = read_crontab()
    previous = next((s for s in (_parse(x, db) for x in lines) if s), None)
    if previous is not None:
        write_crontab([x for x in lines if _parse(x, db) is None])
    return previous


def _systemd_quote(arg: str) -> str:
    arg = arg.replace("%", "%%")  # systemd specifiers
    if re.fullmatch(r"[\w@%+=:,./-]+", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(db: Path, at: str = DEFAULT_AT) -> dict[str, str]:
    """The two user units (file name -> content) that run the nightly sync of ``db``."""
    hour, minute = parse_at(at)
    log = str(log_path(db)).replace("%", "%%")  # append: takes the rest of the line as the path
    service = (
        "[Unit]\n"
        f"Description=flowtui nightly sync of {db}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={' '.join(_systemd_quote(a) for a in sync_argv(db))}\n"
        f"StandardOutput=append:{log}\n"
        f"StandardError=append:{log}\n"
    )
    timer = (
        "[Unit]\n"
        "Description=Run flowtui sync nightly\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {SERVICE: service, TIMER: timer}
