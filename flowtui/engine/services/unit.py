"""What every service shares: the database it works on, and its write unit of work on seeded books."""

from __future__ import annotations

from dataclasses import dataclass

from flowtui.engine.core import clock
from flowtui.engine.ledger import books
from flowtui.engine.setup import streams as streams_mod
from flowtui.engine.setup.streams import Stream
from flowtui.engine.storage.database import Connection, Database


@dataclass
class Service:
    """One area of the engine over one database file; each method is one or a few short units of work."""

    db: Database

    def _write(self):
        return _Initialised(self.db)


def active_stream(con: Connection, name: str) -> Stream:
    """The stream ``name`` means, refused when it was removed (see :func:`streams_mod.require_active`)."""
    return streams_mod.require_active(streams_mod.require_stream(con, name))


class _Initialised:
    """A write unit of work on books that are seeded (``flowtui init`` is implied)."""

    def __init__(self, db: Database) -> None:
        self._cm = db.write()

    def __enter__(self) -> Connection:
        con = self._cm.__enter__()
        if not books.is_initialised(con):
            books.initialise(con, clock.now())
        return con

    def __exit__(self, *exc) -> bool | None:
        return self._cm.__exit__(*exc)
