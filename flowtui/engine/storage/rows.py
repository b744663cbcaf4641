"""Rows read by name: a query's rows as mappings (column name -> value), never unpacked by position.

``rows(con, "SELECT id, number FROM documents WHERE digest_id = ?", [7])`` gives
``[{"id": 12, "number": "INV-00012"}, ...]``: adding or reordering a column in the
SQL cannot shift a value into the wrong field. Named ``$parameters`` are passed
only when the SQL uses them (DuckDB refuses extra ones), as :func:`database.run` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from flowtui.engine.core import names

Row = dict[str, Any]


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | tuple | None):
    if isinstance(params, dict):
        params = {k: v for k, v in params.items() if f"${k}" in sql}
    return con.execute(sql, params) if params else con.execute(sql)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | tuple | None = None) -> list[Row]:
    """Every row of ``sql``, each a dict keyed by column name."""
    cursor = _execute(con, sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | tuple | None = None) -> Row | None:
    """The first row of ``sql`` (a query of one row, or a few) as a dict, or ``None`` when there is none."""
    found = rows(con, sql, params)  # read to the end: DuckDB allows no other work on a half-read result
    return found[0] if found else None


def the(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | tuple | None = None) -> Row:
    """The first row of ``sql`` where one always exists (an aggregate, ``INSERT ... RETURNING``, a row just checked).

    No row there is a bug, not a user's mistake: it raises :class:`LookupError` naming the query.
    """
    found = one(con, sql, params)
    if found is None:
        raise LookupError(f"internal error: no row where one must exist, from: {' '.join(sql.split())[:200]}")
    return found


def named(con: duckdb.DuckDBPyConnection, sql: str, typed: str, stored: Callable[[], list[str]], what: str,
          hint: str) -> Row:
    """The row of ``sql`` (one ``?``: a name) for the name people typed: as typed, else the one stored name it
    means whatever its case; a clear error naming the nearest names when none (:func:`~flowtui.engine.core.names.resolve`).
    """
    found = one(con, sql, [typed.strip()])
    if found is None:
        found = the(con, sql, [names.resolve(typed, stored(), what, hint)])
    return found
