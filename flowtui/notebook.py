"""Notebooks over a flowtui database, without getting in the way of the console or the nightly sync.

    from flowtui.notebook import connect
    con = connect()                          # FLOWTUI_DB, else the user data dir (as the flowtui command)
    con.sql("SELECT * FROM v_digests WHERE status = 'ready'").pl()

**Why a copy.** DuckDB lets one process write a file, and refuses every other
opener, even a read-only one, while it does. A notebook kernel lives for
hours; if it kept the file open, the nightly sync and the console could not
write to it. So :func:`connect` takes one short unit of work, as every flowtui
command does: it opens the file read-only (waiting and retrying while someone
else writes, through :class:`flowtui.engine.storage.database.Database`, which also
migrates an older file and refuses a newer one), attaches it to a fresh
in-memory DuckDB, copies the documented views (``docs/schema.md``) into
in-memory tables, detaches and closes the file — typically in a fraction of a
second. You get an ordinary ``duckdb`` connection that holds no lock, answers
any SQL at memory speed and gives one consistent snapshot for the whole
notebook. A wrapper that opened the file for each query was the alternative;
it would make every cell wait on (and hold off) the writers, and two cells
could see two different states of the books. The price of the copy is memory
(roughly the size of the rows copied; pass ``start``/``end`` to copy only a
date range of a large file) and staleness: call :func:`connect` again to see
newer data (``snapshot_info`` says when the copy was taken).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

import duckdb
import polars as pl

from flowtui.engine.core import clock
from flowtui.engine.core.errors import DatabaseError
from flowtui.engine.ledger.books import DEFAULT_TIMEZONE
from flowtui.engine.storage.database import Database
from flowtui.engine.storage.views import ATTACHED, BY_NAME, VIEW_NAMES, pin_now, view_query

__all__ = ["connect", "as_date", "period", "for_chart"]

DEFAULT_DAYS = 90


def as_date(value: str | date | None) -> date | None:
    """A notebook parameter (``"2026-10-31"``, a date, ``None`` or ``""``) as a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD (e.g. 2026-10-31).") from None


def period(start: str | date | None, end: str | date | None, *, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """A notebook's date range from its parameters: ``end`` defaults to today, ``start`` to ``days`` before it.

    "Today" is flowtui's (``FLOWTUI_NOW`` freezes it) in Malaysia; pass dates to be exact.
    """
    last = as_date(end) or clock.today_in(DEFAULT_TIMEZONE)
    first = as_date(start) or last - timedelta(days=days - 1)
    if first > last:
        raise ValueError(f"START {first} is after END {last}.")
    return first, last


def connect(path: str | os.PathLike[str] | None = None, *, start: str | date | None = None,
            end: str | date | None = None, views: tuple[str, ...] | list[str] | None = None,
            tables: tuple[str, ...] | list[str] = (), lock_timeout: float | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding a snapshot of the flowtui database's views.

    ``path``: the database file; default ``FLOWTUI_DB``, else the user data
    dir's ``flowtui/flow.duckdb`` (the same resolution as ``flowtui --db``).
    ``start``/``end`` (inclusive) limit the views that have a date
    (``docs/schema.md`` names each view's date column); the others are copied
    whole. ``views`` picks some views (default: all of them); ``tables`` adds
    base tables, copied whole, for what the views do not show (they may change
    between flowtui versions; the views will not).
    """
    first, last = as_date(start), as_date(end)
    if first and last and first > last:
        raise ValueError(f"start {first} is after end {last}.")
    wanted = list(VIEW_NAMES if views is None else views)
    unknown = [v for v in wanted if v not in BY_NAME]
    if unknown:
        raise ValueError(f"Unknown view(s) {', '.join(unknown)}; the views are {', '.join(VIEW_NAMES)}.")
    db = Database.at(path, lock_timeout)
    if not db.path.exists():
        raise DatabaseError(
            f"There is no flowtui database at {db.path}. Pass its path (connect('.../flow.duckdb')), set FLOWTUI_DB, "
            "or build one with `flowtui demo`.")
    now = clock.now()
    mem = duckdb.connect(":memory:")
    try:
        mem.execute("SET TimeZone = 'UTC'")
        pin_now(mem, now)  # v_digests decides which days are still open against flowtui's clock
        with db.read():  # holds the file read-only (retrying while a writer has it) for the copy only
            mem.execute(f"ATTACH ? AS {ATTACHED} (READ_ONLY)", [str(db.path.resolve())])
            try:
                present = {row[0] for row in mem.execute(
                    "SELECT view_name FROM duckdb_views() WHERE database_name = ?", [ATTACHED]).fetchall()}
                missing = [v for v in wanted if v not in present]
                if missing:
                    raise DatabaseError(
                        f"{db.path} has no view {', '.join(missing)}: it was written by a flowtui without them. "
                        "Open it once with this version (e.g. `flowtui digests`) to bring it up to date.")
                for name in wanted:
                    _name = BY_NAME[name].name
                    _select, params = view_query(_name, first, last, attached=True)
                    mem.execute(f"CREATE TABLE main.{_name} AS {_select}", params)
                for table in tables:
                    _table = _ident(table)
                    mem.execute(f"CREATE TABLE main.{_table} AS SELECT * FROM {ATTACHED}.main.{_table}")
                version = mem.execute(f"SELECT max(version) FROM {ATTACHED}.main.schema_migrations").fetchall()[0][0]
            finally:
                mem.execute(f"DETACH {ATTACHED}")
        mem.execute(
            "CREATE TABLE snapshot_info AS SELECT ?::VARCHAR AS path, ?::TIMESTAMPTZ AS taken_at, "
            "?::TIMESTAMPTZ AS now, ?::DATE AS start_date, ?::DATE AS end_date, ?::INTEGER AS schema_version",
            [str(db.path), clock.now(), now, first, last, version])
    except BaseException:
        mem.close()
        raise
    return mem


def for_chart(frame: pl.DataFrame) -> pl.DataFrame:
    """Decimal columns as floats, for drawing only: do sums and checks in SQL, on the exact DECIMALs."""
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"{name!r} is not a table name.")
    return name
