"""Digests in the database: rebuild the dirty days, list them, show one.

A digest's numbers are stored (rebuilt only for days whose orders changed);
its *status* and *attention* reasons are worked out when read, because they
depend on the clock (is the business day over?) and on the current mappings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import polars as pl

from flowtui.engine.core.statuses import DigestStatus, values
from flowtui.engine.digests import sql
from flowtui.engine.digests.rollup import KEYS, SUMMARY_MONEY, summarize
from flowtui.engine.ledger.books import POSTING_CATEGORIES
from flowtui.engine.ledger.sql import ORDER_DISCOUNTS_SQL, SERVICE_CODES_SQL
from flowtui.engine.storage.database import Connection, run
from flowtui.engine.storage.digest_listing import BASE_SQL as _BASE_SQL
from flowtui.engine.storage.digest_listing import DIGESTS_SQL as _DIGESTS_SQL
from flowtui.engine.storage.digest_listing import ROWS_ALL, ROWS_PAGE
from flowtui.engine.storage.digest_listing import ROWS_SQL as _ROWS_SQL
from flowtui.engine.storage.rows import one, rows, the

ACCOUNT_CATEGORIES = POSTING_CATEGORIES  # the categories a digest's posting needs (books.CATEGORY_TYPES has all)


@dataclass(frozen=True)
class RebuildResult:
    days: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def touched(self) -> int:
        return self.created + self.updated + self.removed


def pending_days(con: Connection) -> int:
    """How many (stream, store, day)s wait for their digest to be rebuilt."""
    return the(con, sql.DIRTY_COUNT)["days"]


def rebuild_dirty(con: Connection, now: datetime) -> RebuildResult:
    """Recompute every digest whose day is marked dirty, in the caller's transaction.

    A digest whose numbers, payments, items or taxes come out different gets
    ``version + 1``; one that comes out the same is left alone; a day left
    with nothing (every order voided) loses its digest.
    """
    dirty = the(con, sql.DIRTY_COUNT)["days"]
    if not dirty:
        return RebuildResult()
    con.execute(sql.TODO)
    window = the(con, sql.TODO_WINDOW)
    first, last = window["first"], window["last"]
    frames = {name: con.sql(statement, params=window).pl() for name, statement in sql.LOAD.items()}
    # what tax summaries need beyond the lines, asked only when some order has it
    orders = frames["orders"]
    service_codes = (con.sql(SERVICE_CODES_SQL.format(keys="todo")).pl()
                     if (orders["service_charge"] != 0).any() else None)
    order_discounts = (con.sql(ORDER_DISCOUNTS_SQL.format(keys="todo"), params={"first": first, "last": last}).pl()
                       if (orders["discount"] != 0).any() else None)
    digest = summarize(orders, frames["lines"], frames["payments"], service_codes, order_discounts)
    summary = _with_rejection_only_days(con, digest.summary)
    fresh = {"fresh_digests": summary, "fresh_payments": digest.payments,
             "fresh_items": digest.items, "fresh_taxes": digest.taxes}
    for name, frame in fresh.items():
        con.register(name, frame.to_arrow())
    try:
        for statement in sql.STAGE_FRESH:
            if "$lo" in statement:  # ids of the digests being rebuilt: lets scans skip row groups
                con.execute(statement, one(con, sql.EXISTING_IDS))
            else:
                run(con, statement, window)
    finally:
        for name in fresh:
            con.unregister(name)
    counts = the(con, sql.OUTCOME_COUNTS)
    for statement in sql.STORE:
        con.execute(statement, {"now": now} if "$now" in statement else {})
    con.execute(sql.DIRTY_DONE)
    return RebuildResult(days=dirty, **counts)


def _with_rejection_only_days(con: Connection, summary: pl.DataFrame) -> pl.DataFrame:
    """Days left with no orders keep a (zero) digest when something still refers to them.

    A day whose only orders were rejected needs attention; a posted day whose
    orders were all voided must show the change rather than vanish.
    """
    extra = con.sql(sql.CROSSING_KEPT_EMPTY_DAYS).pl()
    if extra.is_empty():
        return summary
    extra = extra.join(summary.select(KEYS), on=KEYS, how="anti")
    if extra.is_empty():
        return summary
    zeros = extra.with_columns(
        pl.lit(0, pl.Int32).alias("order_count"),
        pl.lit(0, pl.Int32).alias("return_count"),
        *[pl.lit(0, pl.Int64).alias(c) for c in SUMMARY_MONEY],
    )
    return pl.concat([summary, zeros.select(summary.columns)], how="vertical_relaxed")


# -- reading ---------------------------------------------------------------------


@dataclass(frozen=True)
class DigestFilter:
    stream: str | None = None
    location: str | None = None
    start: date | None = None
    end: date | None = None
    status: str | None = None
    ids: tuple[int, ...] | None = None


DIGEST_STATUSES = values(DigestStatus)



SORTS = {  # what a listing may be sorted by -> the column
    "date": "business_date", "stream": "stream", "location": "location", "amount": "net_total",
    "orders": "order_count", "status": "status", "created": "created_at", "invoice": "invoice_number",
}


_PUSHABLE = {"date", "stream", "location", "amount", "orders", "created"}  # sorts known before status is


def query_digests(con: Connection, flt: DigestFilter, *, now: datetime, default_tz: str, sort: str = "date",
                  descending: bool = False, limit: int | None = None, offset: int = 0) -> pl.DataFrame:
    """Digests matching ``flt`` with stream, location, status and attention (a page of them, if asked).

    When the page does not depend on the status, it is cut before status and
    attention are worked out, so a page of a long listing costs a page.
    """
    column = SORTS.get(sort)
    if column is None:
        raise ValueError(f"cannot sort digests by {sort!r}")
    order = f"ORDER BY {column} {'DESC' if descending else 'ASC'} NULLS LAST, business_date, stream, pos_store_id, id"
    page = "LIMIT $limit OFFSET $offset" if limit is not None else ""
    params = _params(flt, now, default_tz) | ({"limit": limit, "offset": offset} if limit is not None else {})
    if limit is not None and flt.status is None and sort in _PUSHABLE:
        query = sql.DIGESTS_PAGE_FIRST.format(digests=_DIGESTS_SQL.format(page=order + " " + page), order=order)
    else:
        query = sql.DIGESTS_STATUS_FIRST.format(digests=_DIGESTS_SQL.format(page=""), order=order, page=page)
    return con.sql(query, params={k: v for k, v in params.items() if f"${k}" in query}).pl()


@dataclass(frozen=True)
class ListingPage:
    """A page of listing rows (DigestRow's columns, no attention reasons), and how many match in all."""

    rows: list[dict]
    total: int
    amount: Decimal


def listing_page(con: Connection, flt: DigestFilter, *, now: datetime, default_tz: str, sort: str = "date",
                 descending: bool = False, limit: int = 200, offset: int = 0) -> ListingPage:
    """The console's page of digests matching ``flt``, with the count and amount of all of them, in one pass.

    Like :func:`query_digests` but with statuses decided by yes/no checks rather than written-out
    reasons; cut before statuses are worked out when the page does not depend on them.
    """
    column = SORTS.get(sort)
    if column is None:
        raise ValueError(f"cannot sort digests by {sort!r}")
    order = f"ORDER BY {column} {'DESC' if descending else 'ASC'} NULLS LAST, business_date, stream, pos_store_id, id"
    if flt.status is None and sort in _PUSHABLE:
        _rows = _ROWS_SQL.format(page=f"{order} LIMIT $limit OFFSET $offset", **ROWS_PAGE)
        query = sql.LISTING_PAGE_FIRST.format(base=_BASE_SQL, rows=_rows, order=order)
    else:  # the statuses of all of them first; the page and the totals from that one pass
        _rows = _ROWS_SQL.format(**ROWS_ALL)
        query = sql.LISTING_STATUS_FIRST.format(rows=_rows, order=order)
    found = rows(con, query, _params(flt, now, default_tz) | {"limit": limit, "offset": offset})
    total, amount = found[0]["_total"], found[0]["_amount"]
    return ListingPage([r for r in found if r["id"] is not None], total, amount)


def _params(flt: DigestFilter, now: datetime, default_tz: str) -> dict:
    return {"stream": flt.stream, "location": flt.location, "start": flt.start, "end": flt.end, "now": now,
            "default_tz": default_tz, "status": flt.status, "ids": list(flt.ids) if flt.ids is not None else None}
