"""The pipeline's SQL: sync runs, rejections, raw payloads, reconciliation and the nightly check.

Landing's hot statements stay in :mod:`flowtui.engine.pipeline.landing_sql`. A statement that
reads the ledger's tables (``documents``, ``document_*``, ``postings``, ``journal_*``,
``stock_movements``) is a *crossing*, named ``CROSSING_*`` and listed in docs/storage.md.

Statements take ``?`` or ``$name`` parameters; a ``{name}`` in one is one of our own
fragments filled in by the caller (never user input).
"""

from __future__ import annotations

# -- reconciliation (reconcile.py) -------------------------------------------------------------
STREAM_NAMES = "SELECT id, name FROM streams"


CROSSING_RECONCILE_DAYS = """
WITH source AS (
    SELECT stream_id, pos_store_id, business_date,
           sum(CASE WHEN type = 'sale' THEN total ELSE -total END) AS total
    FROM orders WHERE status = 'completed'
      AND ($start IS NULL OR business_date >= $start) AND ($end IS NULL OR business_date <= $end)
    GROUP BY ALL
),
ledger AS (
    SELECT digest_id, sum(CASE WHEN kind = 'invoice' THEN total ELSE -total END) AS total
    FROM documents GROUP BY digest_id
),
days AS (
    SELECT coalesce(s.stream_id, d.stream_id) AS stream_id, coalesce(s.pos_store_id, d.pos_store_id) AS pos_store_id,
           coalesce(s.business_date, d.business_date) AS business_date, s.total AS source, d.id AS digest_id,
           d.net_total AS digest
    FROM source s
    FULL JOIN (SELECT * FROM digests
               WHERE ($start IS NULL OR business_date >= $start) AND ($end IS NULL OR business_date <= $end)) d
        USING (stream_id, pos_store_id, business_date)
)
SELECT st.name AS stream, l.name AS location, days.pos_store_id, days.business_date, days.digest_id,
       coalesce(days.source, 0)::DECIMAL(18,2) AS source, days.digest, coalesce(led.total, 0)::DECIMAL(18,2) AS ledger,
       (CAST($now AS TIMESTAMPTZ) AT TIME ZONE coalesce(l.timezone, $tz))::DATE <= days.business_date
           AND NOT EXISTS (SELECT 1 FROM day_closes c WHERE c.stream_id = days.stream_id
                           AND c.pos_store_id = days.pos_store_id AND c.business_date = days.business_date) AS open_day,
       EXISTS (SELECT 1 FROM postings p WHERE p.digest_id = days.digest_id AND p.reversed_at IS NULL) AS posted
FROM days
JOIN streams st ON st.id = days.stream_id
LEFT JOIN location_mappings m ON m.stream_id = days.stream_id AND m.pos_store_id = days.pos_store_id
LEFT JOIN locations l ON l.id = m.location_id
LEFT JOIN ledger led ON led.digest_id = days.digest_id
WHERE ($stream IS NULL OR st.name = $stream)
ORDER BY days.business_date, st.name, days.pos_store_id
"""

CROSSING_RECONCILE_PAYMENTS = """
WITH source AS (
    SELECT p.stream_id, p.pos_store_id, p.business_date, p.method,
           sum(CASE WHEN p.type = 'sale' THEN p.amount ELSE -p.amount END) AS amount
    FROM order_payments p WHERE p.status = 'completed'
      AND ($start IS NULL OR p.business_date >= $start) AND ($end IS NULL OR p.business_date <= $end)
    GROUP BY ALL
),
ledger AS (
    SELECT d.stream_id, d2.pos_store_id, d2.business_date, p.method,
           sum(CASE WHEN d.kind = 'invoice' THEN p.amount ELSE -p.amount END) AS amount
    FROM document_payments p JOIN documents d ON d.id = p.document_id JOIN digests d2 ON d2.id = d.digest_id
    GROUP BY ALL
)
SELECT coalesce(s.stream_id, l.stream_id) AS stream_id, coalesce(s.pos_store_id, l.pos_store_id) AS pos_store_id,
       coalesce(s.business_date, l.business_date) AS business_date, coalesce(s.method, l.method) AS method,
       coalesce(s.amount, 0)::DECIMAL(18,2) AS source, coalesce(l.amount, 0)::DECIMAL(18,2) AS ledger
FROM source s FULL JOIN ledger l USING (stream_id, pos_store_id, business_date, method)
WHERE coalesce(s.amount, 0) <> coalesce(l.amount, 0)
"""

CROSSING_RECONCILE_INVENTORY = """
WITH accounts AS (
    SELECT account_code FROM account_defaults WHERE category = 'inventory'
    UNION SELECT account_code FROM account_mappings WHERE category = 'inventory'
),
stock AS (
    SELECT coalesce(business_date, created_at::DATE) AS date, sum(coalesce(value, 0)) AS value
    FROM stock_movements GROUP BY ALL
),
booked AS (
    SELECT e.date, sum(l.debit - l.credit) AS value
    FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
    WHERE l.account_code IN (SELECT account_code FROM accounts) GROUP BY ALL
),
days AS (
    SELECT coalesce(s.date, b.date) AS date, coalesce(s.value, 0) AS stock, coalesce(b.value, 0) AS booked
    FROM stock s FULL JOIN booked b USING (date)
)
SELECT date, CAST(sum(stock) OVER w AS DECIMAL(18,2)) AS stock, CAST(sum(booked) OVER w AS DECIMAL(18,2)) AS booked,
       stock <> booked AS differs
FROM days WINDOW w AS (ORDER BY date ROWS UNBOUNDED PRECEDING)
ORDER BY date
"""

# -- sync runs (sync.py, nightly.py) -----------------------------------------------------------
SYNC_RUNS_INTERRUPT = "UPDATE sync_runs SET status = 'interrupted', finished_at = ? WHERE stream_id = ? AND status = 'running'"
SYNC_RUN_START = ("INSERT INTO sync_runs (stream_id, started_at, status, window_from, window_to) "
                  "VALUES (?, ?, 'running', ?, ?) RETURNING id")
SYNC_RUN_FINISH = """
        UPDATE sync_runs SET finished_at = ?, status = ?, windows_fetched = ?, orders_new = ?,
            orders_changed = ?, orders_unchanged = ?, orders_rejected = ?, digests_updated = ?,
            error = ?, warnings = ?
        WHERE id = ?
        """
AUTO_SYNC_STREAMS = "SELECT name FROM streams WHERE auto_sync AND archived_at IS NULL ORDER BY name"
LAST_SYNC_RUN = "SELECT coalesce(max(id), 0) AS id FROM sync_runs"
SYNC_RUNS_SINCE = ("SELECT s.name, r.status FROM sync_runs r JOIN streams s ON s.id = r.stream_id "
                   "WHERE r.id > ? ORDER BY r.id")

# -- raw payloads (raw.py) ---------------------------------------------------------------------
RAW_PAYLOAD = """
        SELECT r.position, c.data, b.chunk_size
        FROM raw_orders r
        JOIN raw_batches b ON b.id = r.batch_id
        JOIN raw_chunks c ON c.batch_id = r.batch_id AND c.chunk_no = r.position // b.chunk_size
        WHERE r.stream_id = ? AND r.order_id = ? AND (? IS NULL OR r.version = ?)
        ORDER BY r.version DESC LIMIT 1
        """
RAW_REF = """
        SELECT coalesce(r.ref, b.source || ':' || (b.first_line + r.position)) AS ref
        FROM raw_orders r JOIN raw_batches b ON b.id = r.batch_id
        WHERE r.stream_id = ? AND r.order_id = ? AND (? IS NULL OR r.version = ?)
        ORDER BY r.version DESC LIMIT 1
        """

# -- rejections (rejections.py) ----------------------------------------------------------------
_REJECTION_COLUMNS = """r.id, s.name AS stream, r.ref, r.order_id, r.pos_store_id, r.business_date, r.scope_from,
       r.scope_to, r.errors, r.first_seen_at, r.resolved_at, r.resolution, r.dismissed_by, r.dismiss_reason,
       r.order_key"""
REJECTIONS_LISTING = f"""
        SELECT {_REJECTION_COLUMNS}
        FROM order_rejections r JOIN streams s ON s.id = r.stream_id
        WHERE ($stream IS NULL OR s.name = $stream) AND ($everything OR r.resolved_at IS NULL)
        ORDER BY r.id
        """
REJECTIONS_OPEN_IN_RANGE = f"""
        SELECT {_REJECTION_COLUMNS}
        FROM order_rejections r JOIN streams s ON s.id = r.stream_id
        WHERE r.resolved_at IS NULL AND ($stream IS NULL OR s.name = $stream)
          AND ($start IS NULL OR coalesce(r.business_date, r.scope_to) IS NULL
               OR coalesce(r.business_date, r.scope_to) >= $start)
          AND ($end IS NULL OR coalesce(r.business_date, r.scope_from) IS NULL
               OR coalesce(r.business_date, r.scope_from) <= $end)
        ORDER BY r.id
        """
REJECTIONS_BY_IDS = (f"SELECT {_REJECTION_COLUMNS} FROM order_rejections r JOIN streams s ON s.id = r.stream_id "
                     "WHERE r.id IN (SELECT unnest($ids)) ORDER BY r.id")
REJECTIONS_DISMISS = """
        UPDATE order_rejections SET resolved_at = $now, resolution = 'dismissed', dismissed_at = $now,
            dismissed_by = $actor, dismiss_reason = $reason
        WHERE id IN (SELECT unnest($ids))
        """
REJECTIONS_DIRTY_DAYS = """
        INSERT INTO dirty_days
        SELECT DISTINCT stream_id, pos_store_id, business_date FROM order_rejections
        WHERE id IN (SELECT unnest($ids)) AND pos_store_id IS NOT NULL AND business_date IS NOT NULL
        ON CONFLICT DO NOTHING
        """
REJECTIONS_OPEN_OF_STREAM = ("SELECT id, ref, business_date, pos_store_id, last_seen_run_id, order_key "
                             "FROM order_rejections WHERE stream_id = ? AND resolved_at IS NULL")
REJECTIONS_FIX = ("UPDATE order_rejections SET resolved_at = $now, resolution = 'fixed' "
                  "WHERE id IN (SELECT unnest($ids))")
REJECTIONS_SET_SCOPES = ("UPDATE order_rejections SET scope_from = s.scope_from, scope_to = s.scope_to "
                         "FROM scopes s WHERE order_rejections.id = s.id")
# Recording a batch's rejections (the batch registered as ``rejected``), statement by statement:
STORE_REJECTIONS = (
    # one per order (or entry) of the batch
    """
    CREATE OR REPLACE TEMP TABLE seen AS
    SELECT * FROM rejected QUALIFY row_number() OVER (PARTITION BY order_key ORDER BY ref DESC) = 1
    """,
    # Known already (same order, same content) is not news: open, it was seen again (and where); dismissed,
    # it stays dismissed; corrected or superseded, it is a version already replaced. Only one whose file was
    # fixed and that comes back is news again.
    """
    CREATE OR REPLACE TEMP TABLE fresh AS
    SELECT r.* FROM seen r
    WHERE NOT EXISTS (
        SELECT 1 FROM order_rejections o
        WHERE o.stream_id = r.stream_id AND o.order_key = r.order_key AND o.content_hash = r.content_hash
          AND (o.resolved_at IS NULL OR coalesce(o.resolution, '') <> 'fixed'))
    """,
    """
    UPDATE order_rejections SET last_seen_run_id = r.sync_run_id, ref = r.ref
    FROM seen r
    WHERE order_rejections.stream_id = r.stream_id AND order_rejections.order_key = r.order_key
      AND order_rejections.content_hash = r.content_hash AND order_rejections.resolved_at IS NULL
    """,
    # a new bad version of an order replaces its earlier rejection
    """
    UPDATE order_rejections SET resolved_at = f.seen_at, resolution = 'superseded'
    FROM fresh f
    WHERE order_rejections.stream_id = f.stream_id AND order_rejections.order_key = f.order_key
      AND order_rejections.resolved_at IS NULL
    """,
    """
    INSERT INTO order_rejections (stream_id, sync_run_id, order_key, order_id, pos_store_id,
        business_date, ref, errors, content_hash, payload, first_seen_at, last_seen_run_id)
    SELECT stream_id, sync_run_id, order_key, order_id, pos_store_id, business_date, ref,
           errors, content_hash, payload, seen_at, sync_run_id
    FROM fresh
    """,
    """
    INSERT INTO dirty_days
    SELECT DISTINCT stream_id, pos_store_id, business_date FROM fresh
    WHERE pos_store_id IS NOT NULL AND business_date IS NOT NULL
    ON CONFLICT DO NOTHING
    """,
)
