"""The nightly sync of one database file: its crontab line or systemd timer, and a run as cron would run it.

The job runs ``flowtui sync`` in another process on the file, so this service works on the database's path (its
checks read the file through :mod:`flowtui.engine.pipeline.nightly`); the crontab and the units are
:mod:`flowtui.engine.pipeline.schedule`'s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flowtui.engine.pipeline import nightly
from flowtui.engine.pipeline import schedule as cron


@dataclass(frozen=True)
class ScheduleService:
    db: Path  # absolute

    @classmethod
    def of(cls, db_path: str | os.PathLike[str] | None) -> ScheduleService:
        """The schedule of ``--db`` (else ``$FLOWTUI_DB``, else the default database)."""
        return cls(nightly.database_path(db_path))

    @property
    def log(self) -> Path:
        """Where the nightly job writes what it did."""
        return nightly.log_path(self.db)

    def job(self, env_file: str | os.PathLike[str] | None = None) -> nightly.NightlyJob:
        return nightly.job(self.db, env_file)

    def status(self) -> cron.Status:
        return cron.status(self.db)

    def planned(self) -> str:
        """The crontab line ``install`` would add."""
        return cron.planned(self.job()).line

    def install(self, at: str, env_file: str | os.PathLike[str] | None = None) -> cron.Installed:
        return cron.install(self.job(env_file), at)

    def install_systemd(self, at: str, write: bool, env_file: str | os.PathLike[str] | None = None) -> cron.Units:
        return cron.install_systemd(self.job(env_file), at, write)

    def remove(self) -> cron.Status:
        return cron.remove(self.db)

    def check(self, command: str, installed: bool = False) -> nightly.CheckRun:
        """Run ``command`` once as cron would (bare environment); a failed run is an error with its last lines."""
        return nightly.checked(nightly.check(command, self.db), self.log, installed)

    def check_installed(self) -> nightly.CheckRun:
        """Run the installed nightly command once as cron would; a failed run is an error with its last lines."""
        return nightly.checked(cron.check_installed(self.db), self.log)
