"""The nightly sync job itself, whatever starts it (cron or a systemd timer).

Cron runs a job with almost nothing of the operator's shell: ``HOME``,
``LOGNAME``, ``USER``, ``SHELL=/bin/sh`` and ``PATH=/usr/bin:/bin``, in the
home folder. So the job names everything it needs itself — the ``flowtui``
executable, the database and the config folder (where ``secrets.json`` is), all
absolute — and can source an env file for API keys kept in variables.

:func:`readiness` refuses a job that would fail under cron for a reason known
in advance (no database, a key in a variable nobody sets, a key missing from
the secrets file); :func:`check` runs the job once in such a bare environment.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from flowtui.connectors.registry import ProviderConfigError, provider
from flowtui.engine.core.errors import FlowError
from flowtui.engine.pipeline import sql
from flowtui.engine.pipeline.sync import streams_to_sync
from flowtui.engine.setup.secrets import SecretStore, config_dir
from flowtui.engine.setup.streams import require_stream
from flowtui.engine.storage.database import Database, resolve_db_path
from flowtui.engine.storage.rows import rows, the

BARE_PATH = "/usr/bin:/bin"
STAMP = "date"  # no format: a % would need escaping in a crontab, and the line should run as it reads
TAIL_LINES = 15


class NotReady(FlowError):
    """The nightly job would fail under cron; the message names each thing missing and its fix."""


class CheckFailed(FlowError):
    """The nightly job, run once as cron runs it, did not succeed."""


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The absolute database path: ``--db``, else ``$FLOWTUI_DB``, else the default."""
    return Path(os.path.abspath(resolve_db_path(explicit)))


def flowtui_argv() -> list[str]:
    """How to run this flowtui again from cron: the ``flowtui`` script, else ``python -m flowtui``."""
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name == "flowtui":
        script = Path(argv0) if os.sep in argv0 else Path(shutil.which(argv0) or argv0)
        if script.is_file():
            return [os.path.abspath(script)]  # absolute, but keep symlinks (a venv's python is one)
    return [os.path.abspath(sys.executable), "-m", "flowtui"]


def log_path(db: Path) -> Path:
    """Where the nightly sync appends its output: next to the database."""
    return db.parent / "flowtui-sync.log"


@dataclass(frozen=True)
class NightlyJob:
    """``flowtui sync`` of one database, written so that it needs nothing from the operator's shell."""

    database: Path  # absolute
    config_dir: Path  # absolute: the secrets file is here
    env_file: Path | None = None  # absolute; sourced first (``VAR=value`` lines)

    @property
    def log(self) -> Path:
        return log_path(self.database)

    def argv(self) -> list[str]:
        return [*flowtui_argv(), "--db", str(self.database), "sync"]

    def shell(self) -> str:
        """The ``/bin/sh`` command: a timestamp line, the env file, the sync; all appended to the log."""
        steps = [f'echo "== $({STAMP}) flowtui sync"']
        if self.env_file is not None:
            steps.append(f"set -a ; . {shlex.quote(str(self.env_file))} ; set +a")
        steps.append(f"FLOWTUI_CONFIG_DIR={shlex.quote(str(self.config_dir))} {shlex.join(self.argv())}")
        return "{ " + " ; ".join(steps) + f" ; }} >> {shlex.quote(str(self.log))} 2>&1"


def job(db: Path, env_file: str | os.PathLike[str] | None = None) -> NightlyJob:
    """The job for ``db`` with this process's config folder (``$FLOWTUI_CONFIG_DIR`` or the default)."""
    env = Path(os.path.abspath(Path(env_file).expanduser())) if env_file else None
    return NightlyJob(Path(os.path.abspath(db)), Path(os.path.abspath(config_dir())), env)


def parse_shell(command: str) -> tuple[Path | None, Path | None]:
    """(config folder, env file) named in a job's shell command; None where it names none."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return None, None
    config = next((Path(t.split("=", 1)[1]) for t in tokens if t.startswith("FLOWTUI_CONFIG_DIR=")), None)
    dots = [i for i, t in enumerate(tokens[:-1]) if t == "." and i > 0 and tokens[i - 1] in (";", "&&")]
    return config, (Path(tokens[dots[0] + 1]) if dots else None)


# --- what cron can reach ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Readiness:
    """What the nightly sync will run: streams (with auto sync on) and notes worth saying."""

    streams: list[str]
    notes: list[str] = field(default_factory=list)


def bare_environment() -> tuple[dict[str, str], str]:
    """Cron's environment for this user, and the folder it starts in (the home folder from passwd)."""
    user = pwd.getpwuid(os.getuid())
    env = {"HOME": user.pw_dir, "LOGNAME": user.pw_name, "USER": user.pw_name, "SHELL": "/bin/sh",
           "PATH": BARE_PATH}
    return env, user.pw_dir if os.path.isdir(user.pw_dir) else "/"


def readiness(nightly_job: NightlyJob) -> Readiness:
    """Refuse (NotReady) when the job could not work under cron; every problem is named at once, with its fix."""
    db = nightly_job.database
    if not db.is_file():
        raise NotReady(f"There is no database at {db}; create it first (`flowtui --db {db} init`) or give "
                       "the --db of the books to sync.")
    database = Database.at(db)
    names = streams_to_sync(database, [])
    with database.read() as con:
        streams = [require_stream(con, name) for name in names]
    # (stream, secret's label, its flag, its reference): each declared secret of each stream to sync
    keys = [(stream.name, secret.label, secret.flag, stream.config.get(secret.name) or {})
            for stream in streams for secret in _secrets(stream.provider)]
    problems: list[str] = []
    fixes: list[str] = []
    defined = _env_file_defines(nightly_job.env_file, problems) if nightly_job.env_file else set()
    if defined is None:  # the env file itself is the problem (said above): its variables are not judged
        defined = {ref["env"] for *_, ref in keys if "env" in ref}
    store = SecretStore(nightly_job.config_dir / "secrets.json")
    for name, label, flag, ref in keys:
        if "secret" in ref and store.get(ref["secret"]) is None:
            problems.append(f"stream {name!r} keeps its {label} in {store.path}, which has no entry for it.")
            fixes.append(f"set the key again: flowtui stream set {shlex.quote(name)} {flag} -")
    unset = [(name, label, flag, ref["env"]) for name, label, flag, ref in keys
             if "env" in ref and ref["env"] not in defined]
    for name, label, _flag, var in unset:
        where = f"{nightly_job.env_file} does not set it" if nightly_job.env_file else "cron will not have it"
        problems.append(f"stream {name!r} reads its {label} from ${var}, and {where}.")
    if unset and nightly_job.env_file:
        fixes.append(f"add {', '.join(f'{var}=...' for *_, var in unset)} to {nightly_job.env_file}")
    elif unset:
        example, _label, flag, _var = unset[0]
        fixes.append(f"keep the key in flowtui's secrets file ({store.path}): flowtui stream set "
                     f"{shlex.quote(example)} {flag} -")
        fixes.append("or put VAR=value lines in a file only you can read (chmod 600 FILE) and install with: "
                     "flowtui schedule install --env-file FILE")
    if problems:
        lines = ["The nightly sync would fail when cron runs it (cron does not have your shell's variables):",
                 *(f"  - {p}" for p in problems)]
        if fixes:
            lines += ["Fix, then install again:", *(f"  - {f}" for f in dict.fromkeys(fixes))]
        raise NotReady("\n".join(lines))
    notes = [] if names else ["No stream has auto sync on, so the nightly sync has nothing to do until one "
                              "does (`flowtui stream set NAME --auto-sync`)."]
    return Readiness(names, notes)


def _secrets(provider_name: str) -> tuple:
    """The secrets a stream's source declares (none when its source is no longer installed: its sync will say so)."""
    try:
        return provider(provider_name).secrets
    except ProviderConfigError:
        return ()


def _env_file_defines(path: Path, problems: list[str]) -> set[str] | None:
    """The variables ``path`` sets when /bin/sh sources it (values never leave that shell); None if unusable."""
    try:
        info = path.stat()
    except OSError as exc:
        problems.append(f"the env file {path} cannot be read: {exc.strerror}.")
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.append(f"the env file {path} is not a regular file.")
        return None
    if info.st_uid != os.getuid():
        problems.append(f"the env file {path} belongs to another user (uid {info.st_uid}); it must be yours.")
    if info.st_mode & 0o077:
        problems.append(f"the env file {path} can be read or changed by others (mode {stat.S_IMODE(info.st_mode):o}); "
                        f"make it yours alone: chmod 600 {shlex.quote(str(path))}.")
    probe = "import os; print('\\n'.join(k for k, v in os.environ.items() if v))"
    env, home = bare_environment()
    try:
        result = subprocess.run(
            ["/bin/sh", "-c", 'set -a ; . "$1" ; set +a ; exec "$2" -c "$3"', "sh", str(path), sys.executable, probe],
            env=env, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        problems.append(f"/bin/sh could not read the env file {path}: {type(exc).__name__}.")
        return None
    if result.returncode != 0:  # its message may quote the file, so it is not shown
        problems.append(f"/bin/sh could not read the env file {path} (exit {result.returncode}); write one "
                        "VAR=value per line, quoting values that hold spaces or symbols with single quotes.")
        return None
    return set(result.stdout.split()) - set(env)


# --- running it once as cron would ---------------------------------------------------------------

SYNC_LEFT_REJECTIONS = 3  # `flowtui sync`'s exit status when it ran but input it could not land is open


@dataclass(frozen=True)
class CheckRun:
    """One run of the nightly command in a bare environment."""

    command: str
    environment: dict[str, str]
    exit_code: int
    output: list[str]  # the last lines it wrote (to the log, or around it)
    runs: list[tuple[str, str]]  # (stream, status) of each sync run it recorded

    @property
    def ok(self) -> bool:
        """It ran: synced cleanly (0), or synced leaving input it could not land open (3, `flowtui rejections`)."""
        return self.exit_code in (0, SYNC_LEFT_REJECTIONS)

    @property
    def left_rejections(self) -> bool:
        return self.exit_code == SYNC_LEFT_REJECTIONS


def check(command: str, db: Path) -> CheckRun:
    """Run ``command`` (a job's shell command) with ``/bin/sh -c`` as cron would, and wait for it."""
    if not db.is_file():
        raise NotReady(f"There is no database at {db} for the nightly sync to sync; `flowtui --db {db} init` creates it.")
    env, home = bare_environment()
    log = log_path(db)
    before_size = log.stat().st_size if log.is_file() else 0
    before_run = _last_run(db)
    result = subprocess.run(["/bin/sh", "-c", command], env=env, cwd=home, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True)
    written = ""
    if log.is_file():
        with log.open("rb") as handle:
            handle.seek(before_size)
            written = handle.read().decode("utf-8", errors="replace")
    lines = [x for x in (written + result.stdout + result.stderr).splitlines() if x.strip()]
    return CheckRun(command, env, result.returncode, lines[-TAIL_LINES:], _runs_since(db, before_run))


def _last_run(db: Path) -> int:
    with Database(db).read() as con:
        return the(con, sql.LAST_SYNC_RUN)["id"]


def _runs_since(db: Path, run_id: int) -> list[tuple[str, str]]:
    with Database(db).read() as con:
        runs = rows(con, sql.SYNC_RUNS_SINCE, [run_id])
    return [(r["name"], r["status"]) for r in runs]


def checked(run: CheckRun, log: Path, installed: bool = False) -> CheckRun:
    """``run`` if it succeeded; else CheckFailed with its exit status and last lines."""
    if run.ok:
        return run
    tail = "\n".join(f"  {x}" for x in run.output) or "  (it wrote nothing)"
    what = "The nightly sync is installed, but running it" if installed else "Running the nightly sync"
    raise CheckFailed(f"{what} as cron would failed (exit {run.exit_code}). Its last lines "
                      f"(all of it is in {log}):\n{tail}")
