"""Digests in the database: rebuild the dirty days, list them, show one.

A digest's numbers are stored (rebuilt only for days whose orders changed);
its *status* and *attention* reasons are worked out when read, because they
depend on the clock (is the business day over?) and on the current mappings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from flowtui.engine.digest import KEYS, SUMMARY_MONEY, summarize
from flowtui.engine.storage import Connection

ACCOUNT_CATEGORIES = ("sales", "returns", "discount", "service_charge", "tax", "rounding")


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


_LOAD = {
    "orders": "SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, o.discount, "
    "o.service_charge, o.tax, o.rounding, o.total FROM orders o",
    "lines": "SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, o.sku, o.product_id, "
    "o.name, o.quantity, o.discount, o.tax, o.tax_code, o.amount FROM order_lines o",
    "payments": "SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, o.method, o.amount "
    "FROM order_payments o",
}


def rebuild_dirty(con: Connection, now: datetime) -> RebuildResult:
    """Recompute every digest whose day is marked dirty, in the caller's transaction."""
    dirty = con.execute("SELECT count(*) FROM dirty_days").fetchall()[0][0]
    if not dirty:
        return RebuildResult()
    con.execute("CREATE OR REPLACE TEMP TABLE todo AS SELECT * FROM dirty_days")
    frames = {
        name: con.sql(f"{sql} JOIN todo t USING (stream_id, pos_store_id, business_date)").pl()
        for name, sql in _LOAD.items()
    }
    digest = summarize(frames["orders"], frames["lines"], frames["payments"])
    summary = _with_rejection_only_days(con, digest.summary)
    summary = summary.join(_fingerprints(summary, digest), on=KEYS, how="left")
    result = _store(con, summary, digest, now)
    con.execute("DELETE FROM dirty_days WHERE (stream_id, pos_store_id, business_date) IN (SELECT (stream_id, pos_store_id, business_date) FROM todo)")
    return RebuildResult(days=dirty, **result)


def _with_rejection_only_days(con: Connection, summary: pl.DataFrame) -> pl.DataFrame:
    """Days whose only orders were rejected still get a (zero) digest that needs attention."""
    extra = con.sql(
        """
        SELECT DISTINCT r.stream_id, r.pos_store_id, r.business_date
        FROM order_rejections r JOIN todo t USING (stream_id, pos_store_id, business_date)
        WHERE r.resolved_at IS NULL
        """
    ).pl()
    if extra.is_empty():
        return summary
    extra = extra.join(summary.select(KEYS), on=KEYS, how="anti")
    zeros = extra.with_columns(
        pl.lit(0, pl.Int32).alias("order_count"),
        pl.lit(0, pl.Int32).alias("return_count"),
        *[pl.lit(0).cast(pl.Decimal(18, 2)).alias(c) for c in SUMMARY_MONEY],
    )
    return pl.concat([summary, zeros.select(summary.columns)], how="vertical_relaxed") if not zeros.is_empty() else summary


def _fingerprints(summary: pl.DataFrame, digest) -> pl.DataFrame:
    """A stable content hash per digest: numbers, payments, items and taxes."""
    parts: dict[tuple, list[str]] = {}
    for name, frame in (("s", summary), ("p", digest.payments), ("i", digest.items), ("t", digest.taxes)):
        values = [c for c in frame.columns if c not in KEYS]
        for row in frame.select([*KEYS, *values]).iter_rows():
            parts.setdefault(row[:3], []).append(name + "|" + "|".join(str(v) for v in row[3:]))
    keys = list(parts)
    return pl.DataFrame(
        {
            "stream_id": [k[0] for k in keys],
            "pos_store_id": [k[1] for k in keys],
            "business_date": [k[2] for k in keys],
            "content_hash": [hashlib.sha256("\n".join(parts[k]).encode()).hexdigest()[:32] for k in keys],
        },
        schema_overrides={"stream_id": summary.schema["stream_id"], "business_date": pl.Date},
    )


def _store(con: Connection, summary: pl.DataFrame, digest, now: datetime) -> dict:
    con.register("fresh_digests", summary.to_arrow())
    con.register("fresh_payments", digest.payments.to_arrow())
    con.register("fresh_items", digest.items.to_arrow())
    con.register("fresh_taxes", digest.taxes.to_arrow())
    try:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE dg AS
            SELECT f.*, d.id AS old_id, d.version AS old_version, d.content_hash AS old_hash
            FROM fresh_digests f
            LEFT JOIN digests d USING (stream_id, pos_store_id, business_date)
            """
        )
        counts = con.execute(
            """
            SELECT count(*) FILTER (WHERE old_id IS NULL),
                   count(*) FILTER (WHERE old_id IS NOT NULL AND old_hash <> content_hash),
                   count(*) FILTER (WHERE old_hash = content_hash)
            FROM dg
            """
        ).fetchall()[0]
        removed = con.execute(
            """
            SELECT count(*) FROM digests d JOIN todo t USING (stream_id, pos_store_id, business_date)
            WHERE NOT EXISTS (SELECT 1 FROM dg WHERE dg.stream_id = d.stream_id
                AND dg.pos_store_id = d.pos_store_id AND dg.business_date = d.business_date)
            """
        ).fetchall()[0][0]
        for statement in _STORE_SQL:
            con.execute(statement, {"now": now} if "$now" in statement else {})
    finally:
        for name in ("fresh_digests", "fresh_payments", "fresh_items", "fresh_taxes"):
            con.unregister(name)
    return {"created": counts[0], "updated": counts[1], "unchanged": counts[2], "removed": removed}


_MONEY_COLUMNS = ", ".join(SUMMARY_MONEY)

_STORE_SQL = (
    # digests whose day no longer has anything
    """
    CREATE OR REPLACE TEMP TABLE gone AS
    SELECT d.id FROM digests d JOIN todo t USING (stream_id, pos_store_id, business_date)
    WHERE NOT EXISTS (SELECT 1 FROM dg WHERE dg.stream_id = d.stream_id
        AND dg.pos_store_id = d.pos_store_id AND dg.business_date = d.business_date)
    """,
    "DELETE FROM digest_payments WHERE digest_id IN (SELECT id FROM gone)",
    "DELETE FROM digest_items WHERE digest_id IN (SELECT id FROM gone)",
    "DELETE FROM digest_taxes WHERE digest_id IN (SELECT id FROM gone)",
    "DELETE FROM digests WHERE id IN (SELECT id FROM gone)",
    f"""
    INSERT INTO digests (stream_id, pos_store_id, business_date, order_count, return_count,
        {_MONEY_COLUMNS}, version, content_hash, created_at, updated_at)
    SELECT stream_id, pos_store_id, business_date, order_count, return_count,
        {_MONEY_COLUMNS}, 1, content_hash, $now, $now
    FROM dg WHERE old_id IS NULL
    """,
    f"""
    UPDATE digests SET order_count = dg.order_count, return_count = dg.return_count,
        {", ".join(f"{c} = dg.{c}" for c in SUMMARY_MONEY)},
        version = dg.old_version + 1, content_hash = dg.content_hash, updated_at = $now
    FROM dg WHERE digests.id = dg.old_id AND dg.old_hash <> dg.content_hash
    """,
    """
    CREATE OR REPLACE TEMP TABLE changed_digests AS
    SELECT d.id, d.stream_id, d.pos_store_id, d.business_date
    FROM digests d JOIN dg USING (stream_id, pos_store_id, business_date)
    WHERE dg.old_id IS NULL OR dg.old_hash <> dg.content_hash
    """,
    "DELETE FROM digest_payments WHERE digest_id IN (SELECT id FROM changed_digests)",
    "DELETE FROM digest_items WHERE digest_id IN (SELECT id FROM changed_digests)",
    "DELETE FROM digest_taxes WHERE digest_id IN (SELECT id FROM changed_digests)",
    """
    INSERT INTO digest_payments
    SELECT c.id, f.method, f.amount FROM fresh_payments f
    JOIN changed_digests c USING (stream_id, pos_store_id, business_date)
    """,
    """
    INSERT INTO digest_items
    SELECT c.id, f.sku, f.name, f.quantity, f.unit_price, f.discount, f.tax, f.amount FROM fresh_items f
    JOIN changed_digests c USING (stream_id, pos_store_id, business_date)
    """,
    """
    INSERT INTO digest_taxes
    SELECT c.id, f.tax_code, f.taxable, f.tax FROM fresh_taxes f
    JOIN changed_digests c USING (stream_id, pos_store_id, business_date)
    """,
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


DIGEST_STATUSES = ("open", "ready", "needs_attention", "posted")

# Everything a listing row needs, with attention reasons and status worked out.
_DIGESTS_SQL = f"""
WITH base AS (
    SELECT d.*, s.name AS stream, m.location_id, l.name AS location,
           coalesce(l.timezone, $default_tz) AS tz
    FROM digests d
    JOIN streams s ON s.id = d.stream_id
    LEFT JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
    LEFT JOIN locations l ON l.id = m.location_id
    WHERE ($stream IS NULL OR s.name = $stream)
      AND ($location IS NULL OR l.name = $location OR d.pos_store_id = $location)
      AND ($start IS NULL OR d.business_date >= $start)
      AND ($end IS NULL OR d.business_date <= $end)
),
pay AS (
    SELECT p.digest_id,
           list('payment method "' || p.method || '" is not mapped to an account (flowtui map payment "'
                || b.stream || '" "' || p.method || '" --account CODE)' ORDER BY p.method) AS reasons
    FROM digest_payments p JOIN base b ON b.id = p.digest_id
    WHERE NOT EXISTS (SELECT 1 FROM payment_mappings pm WHERE pm.stream_id = b.stream_id AND pm.pos_method = p.method)
      AND NOT EXISTS (SELECT 1 FROM payment_methods g WHERE lower(g.name) = lower(p.method))
    GROUP BY p.digest_id
),
needed AS (
    SELECT b.id AS digest_id, b.stream, b.stream_id, c.category
    FROM base b,
    LATERAL (SELECT unnest([
        CASE WHEN b.order_count > 0 THEN 'sales' END,
        CASE WHEN b.returns <> 0 THEN 'returns' END,
        CASE WHEN b.discount <> 0 THEN 'discount' END,
        CASE WHEN b.service_charge <> 0 THEN 'service_charge' END,
        CASE WHEN b.tax <> 0 THEN 'tax' END,
        CASE WHEN b.rounding <> 0 THEN 'rounding' END]) AS category) c
    WHERE c.category IS NOT NULL
),
acct AS (
    SELECT n.digest_id,
           list('no account for "' || n.category || '" (flowtui map account "' || n.stream || '" '
                || n.category || ' --account CODE)' ORDER BY n.category) AS reasons
    FROM needed n
    WHERE NOT EXISTS (SELECT 1 FROM account_mappings am WHERE am.stream_id = n.stream_id AND am.category = n.category)
      AND NOT EXISTS (SELECT 1 FROM account_defaults ad WHERE ad.category = n.category)
    GROUP BY n.digest_id
),
rej AS (
    SELECT b.id AS digest_id, count(*) AS n, min(r.ref) AS first_ref
    FROM order_rejections r
    JOIN base b ON r.stream_id = b.stream_id AND r.pos_store_id = b.pos_store_id AND r.business_date = b.business_date
    WHERE r.resolved_at IS NULL
    GROUP BY b.id
),
described AS (
    SELECT b.*,
        list_concat(
            CASE WHEN b.location_id IS NULL THEN ['POS store "' || b.pos_store_id
                || '" is not mapped to a location (flowtui map location "' || b.stream || '" "'
                || b.pos_store_id || '" --location NAME)'] ELSE [] END,
            coalesce(pay.reasons, []),
            coalesce(acct.reasons, []),
            CASE WHEN rej.n > 0 THEN [rej.n || ' order(s) of this day were rejected (first: ' || rej.first_ref
                || '); fix them at the source and sync again'] ELSE [] END
        ) AS attention,
        (CAST($now AS TIMESTAMPTZ) AT TIME ZONE b.tz)::DATE AS local_today
    FROM base b
    LEFT JOIN pay ON pay.digest_id = b.id
    LEFT JOIN acct ON acct.digest_id = b.id
    LEFT JOIN rej ON rej.digest_id = b.id
)
SELECT *,
    CASE WHEN business_date >= local_today THEN 'open'
         WHEN len(attention) > 0 THEN 'needs_attention'
         ELSE 'ready' END AS status,
    NULL::VARCHAR AS invoice_number
FROM described
"""


def query_digests(con: Connection, flt: DigestFilter, *, now: datetime, default_tz: str) -> pl.DataFrame:
    """Digests matching ``flt`` with stream, location, status and attention."""
    params = {
        "stream": flt.stream,
        "location": flt.location,
        "start": flt.start,
        "end": flt.end,
        "now": now,
        "default_tz": default_tz,
    }
    sql = f"SELECT * FROM ({_DIGESTS_SQL}) WHERE ($status IS NULL OR status = $status)"
    params["status"] = flt.status
    if flt.ids is not None:
        sql += " AND id IN (SELECT unnest($ids))"
        params["ids"] = list(flt.ids)
    sql += " ORDER BY business_date, stream, pos_store_id"
    return con.sql(sql, params=params).pl()


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
