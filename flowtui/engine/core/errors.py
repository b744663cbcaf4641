"""Errors raised for people, not for programmers: one root, :class:`FlowError`.

Every :class:`FlowError` carries a message that can be shown as it is; the CLI
prints it to stderr and exits with its ``exit_code``, the console shows it in a
modal. The engine's errors and the sources' (:class:`SourceError`) all derive
from it, so one ``except FlowError`` handles every error meant for a person.
"""

from __future__ import annotations


class FlowError(Exception):
    """A problem the user can act on. ``str(err)`` is the whole message."""

    exit_code = 1


class NotFound(FlowError):
    """A named thing (stream, account, digest...) does not exist."""


class InvalidInput(FlowError):
    """A value given on the command line or in a form is not acceptable."""

    exit_code = 2


class DatabaseLocked(FlowError):
    """Another process held the database for longer than our retry window."""

    exit_code = 4


class DatabaseError(FlowError):
    """The database file cannot be opened or is not a flowtui database."""

    exit_code = 5


class DatabaseMissing(DatabaseError):
    """A command that only reads the books was pointed at a database file that does not exist."""


class SyncFailed(FlowError):
    """A stream could not be synced; the message says why."""


class SyncCancelled(FlowError):
    """The operator stopped a sync; what landed so far stays (landing is idempotent)."""


class SourceError(FlowError):
    """A source (a folder, StoreHub...) cannot be read; ``str(err)`` says why in the user's words."""
