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

from flowtui.engine.digests.rollup import KEYS, SUMMARY_MONEY, summarize
from flowtui.engine.ledger.books import POSTING_CATEGORIES
from flowtui.engine.ledger.taxes import ORDER_DISCOUNTS_SQL, SERVICE_CODES_SQL
from flowtui.engine.storage.database import Connection, run
from flowtui.engine.storage.digest_listing import BASE_SQL as _BASE_SQL
from flowtui.engine.storage.digest_listing import DIGESTS_SQL as _DIGESTS_SQL
from flowtui.engine.storage.digest_listing import ROWS_ALL, ROWS_PAGE
from flowtui.engine.storage.digest_listing import ROWS_SQL as _ROWS_SQL

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


# Orders of the dirty days, money in integer sen and quantities in thousandths.
_LOAD = {
    "orders": "SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, "
    "CAST(o.discount * 100 AS BIGINT) AS discount, CAST(o.service_charge * 100 AS BIGINT) AS service_charge, "
    "CAST(o.tax * 100 AS BIGINT) AS tax, CAST(o.rounding * 100 AS BIGINT) AS rounding, "
    "CAST(o.total * 100 AS BIGINT) AS total FROM orders o",
    # Lines with identical attributes are summed first (lossless: the digest only ever sums
    # them), so Polars sees one row per day, type, status, SKU and tax code.
    "lines": "SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, o.sku, o.product_id, "
    "max(o.name) AS name, o.tax_code, CAST(sum(o.quantity) * 1000 AS BIGINT) AS quantity, "
    "CAST(sum(o.discount) * 100 AS BIGINT) AS discount, CAST(sum(o.tax) * 100 AS BIGINT) AS tax, "
    "CAST(sum(o.amount) * 100 AS BIGINT) AS amount FROM order_lines o "
    "JOIN todo t USING (stream_id, pos_store_id, business_date) "
    "GROUP BY o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, o.sku, o.product_id, o.tax_code",
    "payments": "SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, o.method, "
    "CAST(o.amount * 100 AS BIGINT) AS amount FROM order_payments o",
}
# The date range is a plain filter DuckDB can check against each row group's
# min/max (zone maps), so a day's rebuild skips most of the table.
_LOAD = {
    name: (sql if "JOIN todo" in sql else f"{sql} JOIN todo t USING (stream_id, pos_store_id, business_date)")
    .replace("JOIN todo t USING (stream_id, pos_store_id, business_date)",
             "JOIN todo t USING (stream_id, pos_store_id, business_date) "
             "WHERE o.business_date BETWEEN $first AND $last")
    for name, sql in _LOAD.items()
}


def rebuild_dirty(con: Connection, now: datetime) -> RebuildResult:
    """Recompute every digest whose day is marked dirty, in the caller's transaction.

    A digest whose numbers, payments, items or taxes come out different gets
    ``version + 1``; one that comes out the same is left alone; a day left
    with nothing (every order voided) loses its digest.
    """
    dirty = con.execute("SELECT count(*) FROM dirty_days").fetchall()[0][0]
    if not dirty:
        return RebuildResult()
    con.execute("CREATE OR REPLACE TEMP TABLE todo AS SELECT * FROM dirty_days")
    first, last = con.execute("SELECT min(business_date), max(business_date) FROM todo").fetchall()[0]
    frames = {name: con.sql(sql, params={"first": first, "last": last}).pl() for name, sql in _LOAD.items()}
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
        for statement in _STAGE_FRESH_SQL:
            if "$lo" in statement:  # ids of the digests being rebuilt: lets scans skip row groups
                lo, hi = con.execute("SELECT min(id), max(id) FROM existing").fetchall()[0]
                con.execute(statement, {"lo": lo, "hi": hi})
            else:
                run(con, statement, {"first": first, "last": last})
    finally:
        for name in fresh:
            con.unregister(name)
    counts = con.execute(
        """
        SELECT count(*) FILTER (WHERE kind = 'new'), count(*) FILTER (WHERE kind = 'changed'),
               count(*) FILTER (WHERE kind = 'same'),
               (SELECT count(*) FROM gone)
        FROM outcome
        """
    ).fetchall()[0]
    for statement in _STORE_SQL:
        con.execute(statement, {"now": now} if "$now" in statement else {})
    con.execute("DELETE FROM dirty_days WHERE (stream_id, pos_store_id, business_date) IN "
                "(SELECT (stream_id, pos_store_id, business_date) FROM todo)")
    return RebuildResult(days=dirty, created=counts[0], updated=counts[1], unchanged=counts[2], removed=counts[3])


def _with_rejection_only_days(con: Connection, summary: pl.DataFrame) -> pl.DataFrame:
    """Days left with no orders keep a (zero) digest when something still refers to them.

    A day whose only orders were rejected needs attention; a posted day whose
    orders were all voided must show the change rather than vanish.
    """
    extra = con.sql(
        """
        SELECT DISTINCT r.stream_id, r.pos_store_id, r.business_date
        FROM order_rejections r JOIN todo t USING (stream_id, pos_store_id, business_date)
        WHERE r.resolved_at IS NULL
        UNION
        SELECT d.stream_id, d.pos_store_id, d.business_date
        FROM digests d JOIN todo t USING (stream_id, pos_store_id, business_date)
        WHERE d.id IN (SELECT digest_id FROM postings)
        """
    ).pl()
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


def _sen(column: str) -> str:
    """Integer sen back to exact DECIMAL(18,2)."""
    return f"({column} * 0.01::DECIMAL(3,2))::DECIMAL(18,2)"


_K = "stream_id, pos_store_id, business_date"
_SUMMARY_COLUMNS = ["order_count", "return_count", *SUMMARY_MONEY]
_CHILDREN = {  # table -> (its columns after digest_id, the fresh frame's expression for each)
    "digest_payments": (["method", "amount"], ["method", _sen("amount")]),
    "digest_items": (
        ["sku", "name", "quantity", "unit_price", "discount", "tax", "amount"],
        ["sku", "name", "(quantity * 0.001::DECIMAL(4,3))::DECIMAL(18,3)", _sen("unit_price"),
         _sen("discount"), _sen("tax"), _sen("amount")],
    ),
    "digest_taxes": (["tax_code", "taxable", "tax"], ["tax_code", _sen("taxable"), _sen("tax")]),
}


def _child_diff(table: str) -> str:
    """Keys of existing digests whose ``table`` rows differ from the fresh ones."""
    columns, _ = _CHILDREN[table]
    cols = ", ".join(columns)
    return f"""
        SELECT DISTINCT {_K} FROM (
            (SELECT {_K}, {cols} FROM f_{table} JOIN existing USING ({_K})
             EXCEPT ALL
             SELECT e.stream_id, e.pos_store_id, e.business_date, {cols} FROM {table} c JOIN existing e ON e.id = c.digest_id
             WHERE c.digest_id BETWEEN $lo AND $hi)
            UNION ALL
            (SELECT e.stream_id, e.pos_store_id, e.business_date, {cols} FROM {table} c JOIN existing e ON e.id = c.digest_id
             WHERE c.digest_id BETWEEN $lo AND $hi
             EXCEPT ALL
             SELECT {_K}, {cols} FROM f_{table} JOIN existing USING ({_K}))
        )"""


_STAGE_FRESH_SQL = (
    # orders_sig: which order versions make up the day (a change that nets to zero still changes it)
    f"""
    CREATE OR REPLACE TEMP TABLE f_digests AS
    SELECT {_K}, order_count, return_count, {", ".join(f"{_sen(c)} AS {c}" for c in SUMMARY_MONEY)},
           sig.orders_sig
    FROM fresh_digests
    LEFT JOIN (
        SELECT o.stream_id, o.pos_store_id, o.business_date,
               md5(string_agg(o.order_id || ':' || o.version, ',' ORDER BY o.order_id)) AS orders_sig
        FROM orders o JOIN todo USING ({_K})
        WHERE o.business_date BETWEEN $first AND $last
        GROUP BY ALL
    ) sig USING ({_K})
    """,
    *[
        f"CREATE OR REPLACE TEMP TABLE f_{table} AS SELECT {_K}, "
        + ", ".join(f"{expr} AS {col}" for col, expr in zip(*_CHILDREN[table]))
        + f" FROM fresh_{table.removeprefix('digest_')}"
        for table in _CHILDREN
    ],
    f"""
    CREATE OR REPLACE TEMP TABLE existing AS
    SELECT d.id, {", ".join("d." + k for k in KEYS)} FROM digests d JOIN todo USING ({_K})
    """,
    f"CREATE OR REPLACE TEMP TABLE gone AS SELECT id FROM existing WHERE ({_K}) NOT IN (SELECT ({_K}) FROM f_digests)",
    f"""
    CREATE OR REPLACE TEMP TABLE outcome AS
    WITH differing AS (
        SELECT f.stream_id, f.pos_store_id, f.business_date FROM f_digests f
        JOIN digests d USING ({_K})
        WHERE ({", ".join("f." + c for c in _SUMMARY_COLUMNS)}, f.orders_sig) IS DISTINCT FROM
              ({", ".join("d." + c for c in _SUMMARY_COLUMNS)}, coalesce(d.orders_sig, f.orders_sig))
        {"".join(" UNION " + _child_diff(t) for t in _CHILDREN)}
    )
    SELECT f.stream_id, f.pos_store_id, f.business_date, e.id,
           CASE WHEN e.id IS NULL THEN 'new'
                WHEN ({_K}) IN (SELECT ({_K}) FROM differing) THEN 'changed'
                ELSE 'same' END AS kind
    FROM f_digests f LEFT JOIN existing e USING ({_K})
    """,
)

_STORE_SQL = (
    *[f"DELETE FROM {table} WHERE digest_id IN (SELECT id FROM gone)" for table in _CHILDREN],
    "DELETE FROM digest_versions WHERE digest_id IN (SELECT id FROM gone)",
    "DELETE FROM digests WHERE id IN (SELECT id FROM gone)",
    f"""
    INSERT INTO digests (id, {_K}, {", ".join(_SUMMARY_COLUMNS)}, orders_sig, version, created_at, updated_at)
    SELECT nextval('digest_ids'), * FROM (  -- ids in date, stream and store order, the same on every run
        SELECT {_K}, {", ".join(_SUMMARY_COLUMNS)}, orders_sig, 1, $now, $now
        FROM f_digests JOIN outcome o USING ({_K}) WHERE o.kind = 'new'
        ORDER BY business_date, stream_id, pos_store_id
    )
    """,
    f"""
    UPDATE digests SET {", ".join(f"{c} = f.{c}" for c in _SUMMARY_COLUMNS)}, orders_sig = f.orders_sig,
        version = digests.version + 1, updated_at = $now
    FROM f_digests f JOIN outcome o USING ({_K})
    WHERE o.kind = 'changed' AND digests.id = o.id
    """,
    f"""
    CREATE OR REPLACE TEMP TABLE rewritten AS
    SELECT d.id, {", ".join("d." + k for k in KEYS)} FROM digests d
    JOIN outcome o USING ({_K}) WHERE o.kind IN ('new', 'changed')
    """,
    """
    INSERT INTO digest_versions
    SELECT d.id, d.version, $now, d.order_count, d.return_count, d.gross_sales, d.returns, d.discount,
           d.service_charge, d.tax, d.rounding, d.net_total
    FROM digests d JOIN rewritten r ON r.id = d.id
    ON CONFLICT DO NOTHING
    """,
    *[f"DELETE FROM {table} WHERE digest_id IN (SELECT id FROM rewritten WHERE id IS NOT NULL)" for table in _CHILDREN],
    *[
        f"INSERT INTO {table} SELECT r.id, {', '.join('f.' + c for c in _CHILDREN[table][0])} "
        f"FROM f_{table} f JOIN rewritten r USING ({_K})"
        for table in _CHILDREN
    ],
)


# -- reading ---------------------------------------------------------------------


@dataclass(frozen=True)
class DigestFilter:
    stream: str | None = None
    location: str | None = None
    start: date | None = None
    end: date | None = None
    status: str | None = None
    ids: tuple[int, ...] | None = None


DIGEST_STATUSES = ("open", "ready", "needs_attention", "posted", "changed")



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
        sql = f"SELECT * FROM ({_DIGESTS_SQL.format(page=order + ' ' + page)}) {order}"
    else:
        sql = (f"SELECT * FROM ({_DIGESTS_SQL.format(page='')}) WHERE ($status IS NULL OR status = $status) "
               f"{order} {page}")
    return con.sql(sql, params={k: v for k, v in params.items() if f"${k}" in sql}).pl()


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
        sql = (f"SELECT t.*, r.* FROM (SELECT count(*) AS _total, coalesce(sum(net_total), 0) AS _amount "
               f"FROM ({_BASE_ONLY})) t LEFT JOIN ({_rows}) r ON true {order}")
    else:  # the statuses of all of them first; the page and the totals from that one pass
        _rows = _ROWS_SQL.format(**ROWS_ALL)
        sql = (f"WITH matching AS MATERIALIZED (SELECT * FROM ({_rows}) WHERE $status IS NULL OR status = $status) "
               f"SELECT t.*, r.* FROM (SELECT count(*) AS _total, coalesce(sum(net_total), 0) AS _amount "
               f"FROM matching) t LEFT JOIN (SELECT * FROM matching {order} LIMIT $limit OFFSET $offset) r ON true "
               f"{order}")
    params = _params(flt, now, default_tz) | {"limit": limit, "offset": offset}
    cursor = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
    names = [d[0] for d in cursor.description]
    found = [dict(zip(names, values)) for values in cursor.fetchall()]
    total, amount = found[0]["_total"], found[0]["_amount"]
    return ListingPage([r for r in found if r["id"] is not None], total, amount)


_BASE_ONLY = f"SELECT * FROM ({_BASE_SQL})"


def _params(flt: DigestFilter, now: datetime, default_tz: str) -> dict:
    return {"stream": flt.stream, "location": flt.location, "start": flt.start, "end": flt.end, "now": now,
            "default_tz": default_tz, "status": flt.status, "ids": list(flt.ids) if flt.ids is not None else None}


def digest_children(con: Connection, digest_id: int) -> dict[str, list[tuple]]:
    """Payments, items, taxes and the orders of one digest."""
    key = con.execute(
        "SELECT stream_id, pos_store_id, business_date FROM digests WHERE id = ?", [digest_id]
    ).fetchall()[0]
    return {
        "payments": con.execute(
            "SELECT method, amount FROM digest_payments WHERE digest_id = ? ORDER BY method", [digest_id]
        ).fetchall(),
        "items": con.execute(
            "SELECT sku, name, quantity, unit_price, discount, tax, amount FROM digest_items "
            "WHERE digest_id = ? ORDER BY sku", [digest_id]
        ).fetchall(),
        "taxes": con.execute(
            "SELECT tax_code, taxable, tax FROM digest_taxes WHERE digest_id = ? ORDER BY tax_code", [digest_id]
        ).fetchall(),
        "orders": con.execute(
            "SELECT order_id, number, ordered_at, type, status, total FROM orders "
            "WHERE stream_id = ? AND pos_store_id = ? AND business_date = ? AND status = 'completed' "
            "ORDER BY ordered_at, order_id", list(key)
        ).fetchall(),
    }
