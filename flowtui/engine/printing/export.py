"""``flowtui export``: the documented views as files, for spreadsheets and other tools.

* ``parquet`` and ``csv``: one file per view (``v_orders.parquet``…), written by
  DuckDB's own ``COPY`` while the database is held read-only. Parquet keeps
  the exact types (money stays DECIMAL(18,2)); CSV writes money as plain
  ``1234.50``, dates as ``YYYY-MM-DD`` and instants as ISO 8601 in UTC, and a
  text that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``,
  ``@…``) with a ``'`` in front (:mod:`flowtui.engine.core.spreadsheet`).
* ``xlsx``: one workbook, ``flowtui.xlsx``, with one sheet per view (named like
  the view), written with XlsxWriter through Polars after the database is
  closed again. Money cells are numbers formatted ``#,##0.00``; instants are
  in UTC (Excel has no time zones); lists are joined with ``"; "``; text is
  stored as text, exactly, never as a formula or a link. A sheet
  holds at most 1,048,575 rows: a larger view is refused before anything is
  written (narrow the dates, or use csv/parquet).

Dates (``start``/``end``, inclusive) limit every view that has a date column;
the others (trial balance, stock, products, streams, sync runs) are written
whole. Each file is written under a temporary name and renamed into place, so
a reader never sees half a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from flowtui.engine.core import clock, spreadsheet
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.printing import sql
from flowtui.engine.storage.database import Connection, Database
from flowtui.engine.storage.rows import the
from flowtui.engine.storage.views import BY_NAME, VIEW_NAMES, pin_now, view_query

FORMATS = ("parquet", "csv", "xlsx")
WORKBOOK = "flowtui.xlsx"
EXCEL_MAX_ROWS = 1_048_575  # 1,048,576 rows less the header
_AUTOFIT_ROWS = 20_000  # autofit reads every cell: skip it on big sheets


@dataclass(frozen=True)
class ExportedView:
    view: str
    rows: int
    path: Path
    filtered: bool  # whether the date range applied to this view


@dataclass(frozen=True)
class ExportResult:
    format: str
    folder: Path
    views: list[ExportedView]


def export_views(db: Database, fmt: str, folder: Path, *, start: date | None = None, end: date | None = None,
                 views: list[str] | tuple[str, ...] | None = None) -> ExportResult:
    """Write ``views`` (default: all) of ``db`` into ``folder`` as ``fmt``."""
    if fmt not in FORMATS:
        raise InvalidInput(f"Format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    names = list(VIEW_NAMES if not views else dict.fromkeys(views))
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise InvalidInput(f"Unknown view(s) {', '.join(unknown)}; the views are {', '.join(VIEW_NAMES)}.")
    if not db.path.exists():
        raise InvalidInput(f"There is no flowtui database at {db.path}; point --db at one, or build one with `flowtui demo`.")
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"Cannot create the folder {folder}: {exc.strerror}.") from None
    if fmt == "xlsx":
        return _export_xlsx(db, folder, names, start, end)
    exported = []
    with db.read() as con:
        pin_now(con, clock.now())
        for name in names:
            target = folder / f"{name}.{fmt}"
            temporary = target.with_name(f".{target.name}.part")
            options = sql.PARQUET_OPTIONS if fmt == "parquet" else sql.CSV_OPTIONS
            _select, params = view_query(name, start, end)
            if fmt == "csv":
                _select = _text_not_formulas(con, _select, params)
            try:
                rows = con.execute(sql.EXPORT_COPY.format(select=_select, options=options),
                                   [*params, str(temporary)]).fetchall()[0][0]
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            os.replace(temporary, target)
            exported.append(ExportedView(name, int(rows), target, _filtered(name, start, end)))
    return ExportResult(fmt, folder, exported)


def _text_not_formulas(con: Connection, _select: str, params: list) -> str:
    """``_select`` with each text column's values as CSV text cells (:func:`spreadsheet.as_text_sql`)."""
    relation = con.sql(_select, params=params)
    cols = ", ".join(spreadsheet.as_text_sql(f'"{column}"') + f' AS "{column}"' if str(kind) == "VARCHAR"
                     else f'"{column}"' for column, kind in zip(relation.columns, relation.types))
    return sql.EXPORT_COLUMNS.format(columns=cols, select=_select)


def _export_xlsx(db: Database, folder: Path, names: list[str], start: date | None, end: date | None) -> ExportResult:
    try:
        import xlsxwriter  # imported only when a workbook is asked for
    except ImportError:
        raise InvalidInput("Writing xlsx needs XlsxWriter (pip install xlsxwriter); "
                           "csv and parquet need nothing more.") from None

    frames: dict[str, pl.DataFrame] = {}
    with db.read() as con:  # read everything in one short hold, write the workbook after letting go
        pin_now(con, clock.now())
        too_big = {n: c for n in names if (c := _count(con, n, start, end)) > EXCEL_MAX_ROWS}
        if too_big:
            listing = ", ".join(f"{n} ({c:,} rows)" for n, c in too_big.items())
            raise InvalidInput(f"Too many rows for a spreadsheet sheet (at most {EXCEL_MAX_ROWS:,}): {listing}. "
                               "Export a shorter period with --from/--to, or use --format csv or parquet.")
        for name in names:
            _select, params = view_query(name, start, end)
            frames[name] = con.sql(_select, params=params).pl()
    target = folder / WORKBOOK
    temporary = target.with_name(f".{target.name}.part")
    try:
        with xlsxwriter.Workbook(str(temporary), spreadsheet.XLSX_OPTIONS) as workbook:
            for name, frame in frames.items():
                _excel_ready(frame).write_excel(
                    workbook, worksheet=name, table_name=name, autofit=frame.height <= _AUTOFIT_ROWS,
                    dtype_formats={pl.Decimal: "#,##0.00", pl.Date: "yyyy-mm-dd", pl.Datetime: "yyyy-mm-dd hh:mm:ss"},
                    freeze_panes=(1, 0))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, target)
    return ExportResult("xlsx", folder, [ExportedView(n, f.height, target, _filtered(n, start, end))
                                         for n, f in frames.items()])


def _excel_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Instants as naive UTC (Excel has no time zones), lists as text; money stays exact Decimal."""
    changes = []
    for column, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            changes.append(pl.col(column).dt.convert_time_zone("UTC").dt.replace_time_zone(None))
        elif isinstance(dtype, pl.List):
            changes.append(pl.col(column).cast(pl.List(pl.String)).list.join("; "))
    return frame.with_columns(changes) if changes else frame


def _count(con: Connection, name: str, start: date | None, end: date | None) -> int:
    _select, params = view_query(name, start, end)
    return the(con, sql.EXPORT_COUNT.format(select=_select), params)["n"]


def _filtered(name: str, start: date | None, end: date | None) -> bool:
    return BY_NAME[name].date_column is not None and (start is not None or end is not None)
