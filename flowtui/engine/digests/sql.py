"""The digests' SQL: what rebuilding, listing and showing digests run.

The listing itself (status and attention reasons) is compiled from the attention
rules in :mod:`flowtui.engine.storage.digest_listing`, beside the views that share it.
"""

from __future__ import annotations

from flowtui.engine.core.records import COUNTED_SUMMARY
from flowtui.engine.digests.rollup import KEYS, SUMMARY_MONEY

# -- one digest in full (detail.py) -------------------------------------------------------------
DIGEST_KEY = "SELECT stream_id, pos_store_id, business_date FROM digests WHERE id = ?"
DIGEST_PAYMENTS = "SELECT method, amount FROM digest_payments WHERE digest_id = ? ORDER BY method"
DIGEST_ITEMS = ("SELECT sku, name, quantity, unit_price, discount, tax, amount FROM digest_items "
                "WHERE digest_id = ? ORDER BY sku")
DIGEST_TAXES = "SELECT tax_code, taxable, tax FROM digest_taxes WHERE digest_id = ? ORDER BY tax_code"
DIGEST_ORDERS = """
SELECT order_id AS id, number, ordered_at AS time, type, status, total FROM orders
WHERE stream_id = $stream_id AND pos_store_id = $pos_store_id AND business_date = $business_date
  AND status = 'completed'
ORDER BY ordered_at, order_id"""

# -- one order in full (browse.py) -------------------------------------------------------------
ORDER = """
SELECT s.name AS stream, o.order_id AS id, o.number, o.pos_store_id, o.ordered_at AS time, o.business_date, o.type,
       o.status, o.channel, coalesce(o.original_number, o.original_id) AS original, o.subtotal, o.discount,
       o.service_charge, o.shipping, o.tax, o.tip, o.rounding, o.total, o.version
FROM orders o JOIN streams s ON s.id = o.stream_id WHERE o.stream_id = ? AND o.order_id = ?"""
ORDER_LINES = ("SELECT sku, product_id, name, quantity, unit_price, discount, tax, tax_code, amount FROM order_lines "
               "WHERE stream_id = ? AND order_id = ? ORDER BY line_no")
ORDER_PAYMENTS = "SELECT method, amount FROM order_payments WHERE stream_id = ? AND order_id = ? ORDER BY seq"

# -- listing (store.query_digests, store.listing_page) -------------------------------------------
# Composed with the listing SQL of storage/digest_listing.py ({digests}: DIGESTS_SQL, {base}: BASE_SQL, {rows}:
# ROWS_SQL) and the sort ({order}) and page ({page}). PAGE_FIRST: the page is cut before statuses are worked out.
DIGESTS_PAGE_FIRST = "SELECT * FROM ({digests}) {order}"
DIGESTS_STATUS_FIRST = "SELECT * FROM ({digests}) WHERE ($status IS NULL OR status = $status) {order} {page}"
LISTING_PAGE_FIRST = ("SELECT t.*, r.* FROM (SELECT count(*) AS _total, coalesce(sum(net_total), 0) AS _amount "
                      "FROM (SELECT * FROM ({base}))) t LEFT JOIN ({rows}) r ON true {order}")
LISTING_STATUS_FIRST = (
    "WITH matching AS MATERIALIZED (SELECT * FROM ({rows}) WHERE $status IS NULL OR status = $status) "
    "SELECT t.*, r.* FROM (SELECT count(*) AS _total, coalesce(sum(net_total), 0) AS _amount "
    "FROM matching) t LEFT JOIN (SELECT * FROM matching {order} LIMIT $limit OFFSET $offset) r ON true "
    "{order}")

# -- rebuilding the dirty days (store.rebuild_dirty) ---------------------------------------------
DIRTY_COUNT = "SELECT count(*) AS days FROM dirty_days"
TODO = "CREATE OR REPLACE TEMP TABLE todo AS SELECT * FROM dirty_days"
TODO_WINDOW = "SELECT min(business_date) AS first, max(business_date) AS last FROM todo"
DIRTY_DONE = ("DELETE FROM dirty_days WHERE (stream_id, pos_store_id, business_date) IN "
              "(SELECT (stream_id, pos_store_id, business_date) FROM todo)")
EXISTING_IDS = "SELECT min(id) AS lo, max(id) AS hi FROM existing"
OUTCOME_COUNTS = """
SELECT count(*) FILTER (WHERE kind = 'new') AS created, count(*) FILTER (WHERE kind = 'changed') AS updated,
       count(*) FILTER (WHERE kind = 'same') AS unchanged, (SELECT count(*) FROM gone) AS removed
FROM outcome"""
# Days left with no orders that still keep a (zero) digest: an open rejection, or a posting, refers to them
# (a crossing: it asks the ledger's postings, see docs/storage.md).
CROSSING_KEPT_EMPTY_DAYS = """
SELECT DISTINCT r.stream_id, r.pos_store_id, r.business_date
FROM order_rejections r JOIN todo t USING (stream_id, pos_store_id, business_date)
WHERE r.resolved_at IS NULL
UNION
SELECT d.stream_id, d.pos_store_id, d.business_date
FROM digests d JOIN todo t USING (stream_id, pos_store_id, business_date)
WHERE d.id IN (SELECT digest_id FROM postings)"""

# Orders of the dirty days, money in integer sen and quantities in thousandths.
_LOAD_ALL = {
    "orders": "SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, o.status, "
    "CAST(o.discount * 100 AS BIGINT) AS discount, CAST(o.service_charge * 100 AS BIGINT) AS service_charge, "
    "CAST(o.shipping * 100 AS BIGINT) AS shipping, CAST(o.tip * 100 AS BIGINT) AS tip, "
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
LOAD = {
    name: (sql if "JOIN todo" in sql else f"{sql} JOIN todo t USING (stream_id, pos_store_id, business_date)")
    .replace("JOIN todo t USING (stream_id, pos_store_id, business_date)",
             "JOIN todo t USING (stream_id, pos_store_id, business_date) "
             "WHERE o.business_date BETWEEN $first AND $last")
    for name, sql in _LOAD_ALL.items()
}


def _sen(column: str) -> str:
    """Integer sen back to exact DECIMAL(18,2)."""
    return f"({column} * 0.01::DECIMAL(3,2))::DECIMAL(18,2)"


_K = "stream_id, pos_store_id, business_date"
_SUMMARY_COLUMNS = list(COUNTED_SUMMARY)
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


STAGE_FRESH = (
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

STORE = (
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
    f"""
    INSERT INTO digest_versions (digest_id, version, created_at, {", ".join(_SUMMARY_COLUMNS)})
    SELECT d.id, d.version, $now, {", ".join("d." + c for c in _SUMMARY_COLUMNS)}
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

# -- a digest's stream (browse.py); the stores a filter may name (filters.py) -------------------
DIGEST_STREAM = "SELECT stream_id FROM digests WHERE id = ?"
STORE_IDS = ("SELECT pos_store_id FROM stream_stores UNION SELECT pos_store_id FROM location_mappings "
             "UNION SELECT DISTINCT pos_store_id FROM digests ORDER BY 1")
