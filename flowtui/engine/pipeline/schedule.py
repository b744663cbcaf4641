"""Nightly sync: a user crontab line (or systemd user units) that runs the :mod:`~flowtui.engine.pipeline.nightly` job.

Each database gets at most one crontab line, found by its trailing marker
``# flowtui-sync <absolute db path>``; every other line of the crontab is left
exactly as it was. The crontab is read with ``crontab -l`` and written with
``crontab -`` (``$FLOWTUI_CRONTAB`` names another executable, for tests); with
no crontab command, ``show`` and ``remove`` say so rather than fail. systemd
units are named after their database (``flowtui-sync-<name>-<hash>``), so two
books each have their own. Nothing is installed that :func:`nightly.readiness`
refuses. Cron and systemd timers both run at the machine's local time.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flowtui.engine.core.errors import FlowError, InvalidInput, NotFound
from flowtui.engine.pipeline import nightly
from flowtui.engine.pipeline.nightly import NightlyJob, Readiness

DEFAULT_AT = "06:00"
MARKER = "# flowtui-sync"
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

    @property
    def shell(self) -> str:
        """The command as cron hands it to /bin/sh (cron turns ``\\%`` into ``%``)."""
        return self.command.replace("\\%", "%")

    @property
    def job(self) -> NightlyJob | None:
        """The job the line runs, when it names its config folder (a line written by this flowtui does)."""
        config, env_file = nightly.parse_shell(self.shell)
        return NightlyJob(self.database, config, env_file) if config else None


def parse_at(text: str) -> tuple[int, int]:
    """``"06:00"`` -> ``(6, 0)``; anything that is not a time 00:00-23:59 is refused."""
    match = _AT.fullmatch(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(f"--at must be a time of day HH:MM between 00:00 and 23:59, not {text!r}.")
    return int(match[1]), int(match[2])


def _cron(text: str) -> str:
    return text.replace("%", r"\%")  # cron turns a bare % into a newline


def planned(job: NightlyJob, at: str = DEFAULT_AT) -> Schedule:
    """The crontab line that runs ``job`` every day at ``at`` (local time)."""
    hour, minute = parse_at(at)
    command = _cron(job.shell())
    line = f"{minute} {hour} * * * {command} {MARKER} {_cron(str(job.database))}"
    return Schedule(job.database, f"{hour:02d}:{minute:02d}", command, line)


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

def crontab_command() -> str:
    return os.environ.get("FLOWTUI_CRONTAB") or "crontab"


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    command = crontab_command()
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

@dataclass(frozen=True)
class Status:
    """How the nightly sync of one database stands."""

    database: Path
    crontab: bool  # is there a crontab command to ask (and so a cron to run the line)?
    installed: Schedule | None  # its crontab line
    units: list[Path]  # systemd unit files written for it (``install --systemd --write``)


def show(db: Path) -> Schedule | None:
    """The installed nightly sync of ``db``, if any (CrontabMissing when there is no crontab command)."""
    return next((s for s in (_parse(line, db) for line in read_crontab()) if s), None)


def status(db: Path) -> Status:
    """What is scheduled for ``db``; without a crontab command nothing can be, and that is said, not raised."""
    try:
        installed, crontab = show(db), True
    except CrontabMissing:
        installed, crontab = None, False
    return Status(db, crontab, installed, written_units(db))


@dataclass(frozen=True)
class Installed:
    schedule: Schedule
    previous: Schedule | None
    readiness: Readiness


def install(job: NightlyJob, at: str = DEFAULT_AT) -> Installed:
    """Put ``job`` in the crontab (replacing the database's earlier line) once it is known to be able to run."""
    new = planned(job, at)
    ready = nightly.readiness(job)
    lines = read_crontab()
    previous = next((s for s in (_parse(x, job.database) for x in lines) if s), None)
    kept = [x for x in lines if _parse(x, job.database) is None]
    if previous is None:
        kept.append(new.line)
    else:
        kept.insert(lines.index(previous.line), new.line)  # in the old line's place (every line before it is kept)
    write_crontab(kept)
    return Installed(new, previous, ready)


def remove(db: Path) -> Status:
    """Take the nightly sync of ``db`` out of the crontab; ``installed`` is what was removed (None: nothing was).

    Without a crontab command there is no line to remove (and no cron to run one): that is the answer, not an error.
    """
    before = status(db)
    if before.installed is not None:
        write_crontab([x for x in read_crontab() if _parse(x, db) is None])
    return before


def check_installed(db: Path) -> nightly.CheckRun:
    """Run the installed line's command once as cron would (its readiness first, when the line names its job)."""
    try:
        found = show(db)
    except CrontabMissing:
        raise CrontabMissing(
            f"There is no {crontab_command()!r} command on this machine, so there is no crontab line to check; "
            "`flowtui schedule install --systemd --check` runs the systemd job once instead."
        ) from None
    if found is None:
        raise NotFound(f"No nightly sync is scheduled for {db}; `flowtui schedule install --check` adds one and runs it.")
    if found.job is not None:
        nightly.readiness(found.job)
    return nightly.check(found.shell, db)


# --- systemd ------------------------------------------------------------------------------------------

def unit_name(db: Path) -> str:
    """``flowtui-sync-<file name>-<8 hex of the path>``: one pair of units per database."""
    slug = re.sub(r"[^a-z0-9]+", "-", db.stem.lower()).strip("-")[:32] or "books"
    return f"flowtui-sync-{slug}-{hashlib.sha256(str(db).encode()).hexdigest()[:8]}"


def unit_dir() -> Path:
    """Where systemd looks for the user's own units: ``$XDG_CONFIG_HOME/systemd/user``."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "systemd" / "user"


def written_units(db: Path) -> list[Path]:
    name = unit_name(db)
    return [p for p in (unit_dir() / f"{name}.service", unit_dir() / f"{name}.timer") if p.is_file()]


def _systemd_quote(arg: str) -> str:
    arg = arg.replace("%", "%%")  # systemd specifiers
    if re.fullmatch(r"[\w@%+=:,./-]+", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(job: NightlyJob, at: str = DEFAULT_AT) -> dict[str, str]:
    """The two user units (file name -> content) that run ``job`` nightly: named after its database."""
    hour, minute = parse_at(at)
    log = str(job.log).replace("%", "%%")  # append: takes the rest of the line as the path
    env_file = f"EnvironmentFile={str(job.env_file).replace('%', '%%')}\n" if job.env_file else ""
    service = (
        "[Unit]\n"
        f"Description=flowtui nightly sync of {job.database}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"Environment={_systemd_quote(f'FLOWTUI_CONFIG_DIR={job.config_dir}')}\n"
        f"{env_file}"
        f"ExecStart={' '.join(_systemd_quote(a) for a in job.argv())}\n"
        f"StandardOutput=append:{log}\n"
        f"StandardError=append:{log}\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=Run the flowtui sync of {job.database} nightly\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    name = unit_name(job.database)
    return {f"{name}.service": service, f"{name}.timer": timer}


@dataclass(frozen=True)
class Units:
    units: dict[str, str]  # file name -> content
    written: list[Path]  # where they were written (none unless asked)
    readiness: Readiness


def install_systemd(job: NightlyJob, at: str = DEFAULT_AT, write: bool = False) -> Units:
    """The systemd units of ``job`` once it is known to be able to run; written into :func:`unit_dir` if asked."""
    ready = nightly.readiness(job)
    units = systemd_units(job, at)
    return Units(units, write_units(units) if write else [], ready)


def write_units(units: dict[str, str]) -> list[Path]:
    """Write the units into :func:`unit_dir` (replacing earlier ones of the same database)."""
    folder = unit_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in units.items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written
