"""What every command gets: the database it works on and the engine over it (:class:`Context`)."""

from __future__ import annotations

import functools

import click

from flowtui.engine.services.flow import Flow
from flowtui.engine.services.schedule import ScheduleService
from flowtui.engine.storage.database import Database


class Context:
    """What every command gets: where the database is, and the engine over it.

    ``must_exist`` is set by commands that only read the books (:func:`read_only`): on a database
    file that does not exist they say so instead of creating an empty one.
    """

    def __init__(self, db_path: str | None, lock_timeout: float | None) -> None:
        self.db_path = db_path
        self.lock_timeout = lock_timeout
        self.must_exist = False

    @property
    def flow(self) -> Flow:
        return Flow(Database.at(self.db_path, self.lock_timeout, must_exist=self.must_exist))

    @property
    def schedule(self) -> ScheduleService:
        """The nightly sync of the database (its crontab line or systemd timer)."""
        return ScheduleService.of(self.db_path)


pass_context = click.make_pass_decorator(Context)


def read_only(command):
    """Mark a command that only reads the books (put it above ``pass_context``): it never creates a database."""

    @functools.wraps(command)
    def reading(*args, **kwargs):
        found = click.get_current_context().find_object(Context)
        assert found is not None, "the flowtui group makes the Context before any command runs"
        found.must_exist = True
        return command(*args, **kwargs)

    return reading
