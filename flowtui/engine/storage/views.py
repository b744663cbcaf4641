"""The query surface: plain-named views for notebooks, exports and any SQL tool.

Tables are flowtui's own business and change between versions; these views
are the contract (documented column by column in ``docs/schema.md``). Each one
is read from the base tables directly, so none depends on another.

* Money is ``DECIMAL(18,2)`` everywhere, sums included (they are cast back);
  quantities ``DECIMAL(18,3)``, unit prices and costs ``DECIMAL(18,4)``;
  instants ``TIMESTAMPTZ``; business dates ``DATE``.
* ``signed_*`` / ``net_*`` columns carry the sign a total needs: a return, a
  credit note or a refund counts negative, a voided order counts zero.
* ``v_digests.status`` is worked out when the view is read, as flowtui does:
  it compares each day with *now*, which is ``getvariable('flowtui_now')``
  when a session sets it (``flowtui.notebook.connect`` and ``flowtui export``
  do, honouring ``FLOWTUI_NOW``), else ``current_timestamp``.

How the views reach a database: :func:`recreate_views` runs every
``CREATE OR REPLACE VIEW`` (harmless to run again), and the storage layer
calls it after any migration run (:func:`flowtui.engine.storage.database._migrate`). A
file of an older schema therefore gets the current views when it is next
opened for writing (a read-only open of an older file upgrades it first). A
change to a view ships as a new, possibly empty, migration so that existing
files pick it up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from flowtui.engine.core.records import COUNTED_SUMMARY
from flowtui.engine.storage import digest_listing

MONEY = "DECIMAL(18,2)"
QTY = "DECIMAL(18,3)"
DEFAULT_TZ = "Asia/Kuala_Lumpur"
ATTACHED = "flowtui_file"  # the alias flowtui.notebook attaches a database file under

# "now" for read-time statuses: a session may pin it (FLOWTUI_NOW), else the clock.
NOW = "coalesce(CAST(getvariable('flowtui_now') AS TIMESTAMPTZ), current_timestamp)"
COMPANY_TZ = f"(SELECT coalesce(max(value), '{DEFAULT_TZ}') FROM settings WHERE key = 'timezone')"

# A POS store's location, through the stream's location mapping.
_LOCATION = """LEFT JOIN location_mappings m ON m.stream_id = {t}.stream_id AND m.pos_store_id = {t}.pos_store_id
LEFT JOIN locations l ON l.id = m.location_id"""


def _signed(expr: str, *, type_col: str = "type", status_col: str = "status") -> str:
    """A source amount as it counts in a day's total: sales +, returns -, voided 0."""
    return (f"CAST(CASE WHEN {status_col} <> 'completed' THEN 0 WHEN {type_col} = 'sale' THEN {expr} "
            f"ELSE -{expr} END AS {{cast}})")


def _doc_signed(expr: str) -> str:
    """A document amount as it counts in the ledger: invoices +, credit notes -."""
    return f"CAST(CASE WHEN d.kind = 'invoice' THEN {expr} ELSE -{expr} END AS {MONEY})"


@dataclass(frozen=True)
class View:
    name: str
    sql: str
    date_column: str | None = None  # what --from/--to (and a notebook's date range) filter on

    @property
    def create(self) -> str:
        _name, _body = self.name, self.sql.strip()  # our own constants, never user input
        return f"CREATE OR REPLACE VIEW {_name} AS\n{_body}"


V_ORDERS = View("v_orders", f"""
SELECT s.name AS stream, o.stream_id, o.order_id, o.number, o.pos_store_id, l.name AS location,
       o.business_date, o.ordered_at,
       timezone(coalesce(l.timezone, {COMPANY_TZ}), o.ordered_at) AS ordered_at_local,
       o.type, o.status, o.channel, o.original_number,
       o.subtotal, o.discount, o.service_charge, o.shipping, o.tax, o.tip, o.rounding, o.total,
       {_signed("o.total", type_col="o.type", status_col="o.status").format(cast=MONEY)} AS net_total,
       o.version, o.landed_at, o.updated_at
FROM orders o
JOIN streams s ON s.id = o.stream_id
{_LOCATION.format(t="o")}
""", "business_date")

V_ORDER_LINES = View("v_order_lines", f"""
SELECT s.name AS stream, ol.stream_id, ol.order_id, o.number AS order_number, ol.line_no, ol.pos_store_id,
       l.name AS location, ol.business_date, ol.type, ol.status, ol.sku, ol.product_id, ol.name,
       ol.quantity, ol.unit_price, ol.discount, ol.tax, ol.tax_code, ol.amount,
       {_signed("ol.quantity", type_col="ol.type", status_col="ol.status").format(cast=QTY)} AS net_quantity,
       {_signed("ol.amount", type_col="ol.type", status_col="ol.status").format(cast=MONEY)} AS net_amount
FROM order_lines ol
JOIN streams s ON s.id = ol.stream_id
LEFT JOIN orders o ON o.stream_id = ol.stream_id AND o.order_id = ol.order_id
{_LOCATION.format(t="ol")}
""", "business_date")

V_PAYMENTS = View("v_payments", f"""
SELECT s.name AS stream, p.stream_id, p.order_id, o.number AS order_number, p.seq, p.pos_store_id,
       l.name AS location, p.business_date, p.type, p.status, p.method,
       coalesce(pm.account_code, g.account_code) AS account_code, p.amount,
       {_signed("p.amount", type_col="p.type", status_col="p.status").format(cast=MONEY)} AS net_amount
FROM order_payments p
JOIN streams s ON s.id = p.stream_id
LEFT JOIN orders o ON o.stream_id = p.stream_id AND o.order_id = p.order_id
LEFT JOIN payment_mappings pm ON pm.stream_id = p.stream_id AND pm.pos_method = p.method
LEFT JOIN payment_methods g ON lower(g.name) = lower(p.method)
{_LOCATION.format(t="p")}
""", "business_date")

# Status and attention from the very SQL `flowtui digests` runs, for every digest as of now.
_ALL_DIGESTS = digest_listing.bound({
    "stream": "NULL::VARCHAR", "location": "NULL::VARCHAR", "start": "NULL::DATE", "end": "NULL::DATE",
    "ids": "NULL::INTEGER[]", "default_tz": COMPANY_TZ, "now": NOW,
})
V_DIGESTS = View("v_digests", f"""
SELECT id AS digest_id, stream, stream_id, pos_store_id, location, business_date,
       {", ".join(COUNTED_SUMMARY)},
       version, posted_version, status, attention, closed, invoice_number, created_at, updated_at
FROM ({_ALL_DIGESTS})
""", "business_date")

_DOCUMENT_JOINS = """JOIN contacts c ON c.id = d.contact_id
JOIN locations l ON l.id = d.location_id
JOIN streams s ON s.id = d.stream_id"""

V_INVOICES = View("v_invoices", f"""
SELECT d.id AS document_id, d.number, d.kind, coalesce(d.role, 'original') AS role, d.date,
       c.name AS contact, l.name AS location, s.name AS stream, d.digest_id, d.digest_version,
       ld.number AS linked_number,
       d.subtotal, d.discount, d.service_charge, d.shipping, d.tax, d.tips, d.rounding, d.total,
       {_doc_signed("d.total")} AS signed_total,
       d.currency, d.status, d.created_at AS posted_at
FROM documents d
{_DOCUMENT_JOINS}
LEFT JOIN documents ld ON ld.id = d.linked_document_id
""", "date")

V_INVOICE_LINES = View("v_invoice_lines", f"""
SELECT d.id AS document_id, d.number, d.kind, coalesce(d.role, 'original') AS role, d.date,
       l.name AS location, s.name AS stream, d.digest_id, dl.line_no, dl.kind AS line_kind, dl.description, dl.sku,
       dl.quantity, dl.unit_price, dl.discount, dl.tax, dl.tax_code, dl.amount,
       {_doc_signed("dl.amount")} AS signed_amount,
       CAST(CASE WHEN d.kind = 'invoice' THEN dl.quantity ELSE -dl.quantity END AS {QTY}) AS signed_quantity,
       dl.account_code, a.name AS account_name, dl.side
FROM document_lines dl
JOIN documents d ON d.id = dl.document_id
{_DOCUMENT_JOINS}
LEFT JOIN accounts a ON a.code = dl.account_code
""", "date")

V_INVOICE_PAYMENTS = View("v_invoice_payments", f"""
SELECT d.id AS document_id, d.number, d.kind, d.date, l.name AS location, s.name AS stream, d.digest_id,
       dp.method, dp.account_code, dp.amount, {_doc_signed("dp.amount")} AS signed_amount
FROM document_payments dp
JOIN documents d ON d.id = dp.document_id
{_DOCUMENT_JOINS}
""", "date")

V_INVOICE_TAXES = View("v_invoice_taxes", f"""
SELECT d.id AS document_id, d.number, d.kind, d.date, l.name AS location, s.name AS stream, d.digest_id,
       dt.tax_code, dt.taxable, dt.tax,
       {_doc_signed("dt.taxable")} AS signed_taxable, {_doc_signed("dt.tax")} AS signed_tax
FROM document_taxes dt
JOIN documents d ON d.id = dt.document_id
{_DOCUMENT_JOINS}
""", "date")

V_JOURNAL = View("v_journal", f"""
SELECT e.date, e.id AS entry_id, jl.line_no, jl.account_code, a.name AS account_name, a.type AS account_type,
       jl.debit, jl.credit, CAST(jl.debit - jl.credit AS {MONEY}) AS amount,
       e.kind AS entry_kind, e.memo, d.number AS document_number, d.kind AS document_kind, e.created_at,
       jl.tax_code
FROM journal_lines jl
JOIN journal_entries e ON e.id = jl.entry_id
JOIN accounts a ON a.code = jl.account_code
LEFT JOIN documents d ON d.id = e.document_id
""", "date")

V_TRIAL_BALANCE = View("v_trial_balance", f"""
SELECT a.code AS account_code, a.name AS account_name, a.type AS account_type,
       CAST(coalesce(sum(jl.debit), 0) AS {MONEY}) AS debit,
       CAST(coalesce(sum(jl.credit), 0) AS {MONEY}) AS credit,
       CAST(coalesce(sum(jl.debit), 0) - coalesce(sum(jl.credit), 0) AS {MONEY}) AS balance
FROM accounts a LEFT JOIN journal_lines jl ON jl.account_code = a.code
GROUP BY a.code, a.name, a.type
""")

V_STOCK = View("v_stock", f"""
SELECT sm.sku, p.name AS product_name, sm.location_id, l.name AS location,
       CAST(sum(sm.quantity) AS {QTY}) AS quantity, p.cost AS unit_cost,
       CAST(coalesce(sum(sm.value), 0) AS {MONEY}) AS stock_value,
       coalesce(p.track_stock, false) AS track_stock,
       max(sm.business_date) AS last_movement_date, max(sm.created_at) AS last_movement_at
FROM stock_movements sm
JOIN locations l ON l.id = sm.location_id
LEFT JOIN products p ON p.sku = sm.sku
GROUP BY sm.sku, p.name, sm.location_id, l.name, p.cost, p.track_stock
""")

V_ACCOUNTS = View("v_accounts", """
SELECT a.code AS account_code, a.name AS account_name, a.type AS account_type,
       coalesce((SELECT list(ad.category ORDER BY ad.category) FROM account_defaults ad WHERE ad.account_code = a.code),
                []) AS default_for,
       coalesce((SELECT list(what ORDER BY what) FROM (
                     SELECT s.name || ': ' || am.category AS what
                     FROM account_mappings am JOIN streams s ON s.id = am.stream_id WHERE am.account_code = a.code
                     UNION ALL
                     SELECT s.name || ': payment ' || pm.pos_method
                     FROM payment_mappings pm JOIN streams s ON s.id = pm.stream_id WHERE pm.account_code = a.code)),
                []) AS mapped_for,
       coalesce((SELECT list(pm.name ORDER BY pm.name) FROM payment_methods pm WHERE pm.account_code = a.code),
                []) AS payment_methods
FROM accounts a
""")

V_COMPANY = View("v_company", f"""
SELECT max(value) FILTER (WHERE key = 'company_name') AS company_name,
       coalesce(max(value) FILTER (WHERE key = 'currency'), 'MYR') AS currency,
       coalesce(max(value) FILTER (WHERE key = 'timezone'), '{DEFAULT_TZ}') AS timezone
FROM settings
""")

V_PRODUCTS = View("v_products", """
SELECT sku, name, barcode, unit_price, cost, tax_code, tax_rate, income_account, track_stock, created_at, updated_at
FROM products
""")

V_SYNC_RUNS = View("v_sync_runs", """
SELECT r.id AS run_id, s.name AS stream, r.stream_id, s.provider, r.started_at, r.finished_at,
       CAST(date_diff('millisecond', r.started_at, r.finished_at) / 1000.0 AS DOUBLE) AS seconds,
       r.status, r.window_from, r.window_to, r.windows_fetched, r.orders_new, r.orders_changed,
       r.orders_unchanged, r.orders_rejected, r.digests_updated, r.error, r.warnings,
       len(r.warnings) AS warning_count
FROM sync_runs r
JOIN streams s ON s.id = r.stream_id
""")

V_STREAMS = View("v_streams", """
WITH runs AS (
    SELECT stream_id,
           arg_max(status, id) AS last_run_status,
           arg_max(coalesce(finished_at, started_at), id) AS last_run_at,
           max(finished_at) FILTER (WHERE status IN ('ok', 'warning')) AS last_success_at,
           max(coalesce(finished_at, started_at)) FILTER (WHERE status IN ('failed', 'interrupted')) AS last_failure_at,
           count(*) AS runs,
           count(*) FILTER (WHERE status IN ('failed', 'interrupted')) AS failed_runs
    FROM sync_runs GROUP BY stream_id
),
landed AS (
    SELECT stream_id, count(*) AS orders, max(ordered_at) AS last_order_at,
           max(business_date) AS last_business_date, max(updated_at) AS last_landed_at
    FROM orders GROUP BY stream_id
),
rejected AS (
    SELECT stream_id, count(*) AS open_rejections FROM order_rejections WHERE resolved_at IS NULL GROUP BY stream_id
)
SELECT s.id AS stream_id, s.name AS stream, s.provider, s.store_name, s.auto_sync, s.auto_invoice, s.grouping,
       s.start_date, s.cursor_date, s.lookback_days,
       coalesce(runs.last_run_status, 'new') AS last_run_status, runs.last_run_at, runs.last_success_at,
       runs.last_failure_at, coalesce(runs.runs, 0) AS runs, coalesce(runs.failed_runs, 0) AS failed_runs,
       coalesce(landed.orders, 0) AS orders, landed.last_order_at, landed.last_business_date, landed.last_landed_at,
       coalesce(rejected.open_rejections, 0) AS open_rejections, s.archived_at
FROM streams s
LEFT JOIN runs ON runs.stream_id = s.id
LEFT JOIN landed ON landed.stream_id = s.id
LEFT JOIN rejected ON rejected.stream_id = s.id
""")

V_REJECTIONS = View("v_rejections", """
SELECT r.id AS rejection_id, s.name AS stream, r.stream_id, r.sync_run_id, r.order_key, r.order_id,
       r.pos_store_id, r.business_date, r.scope_from, r.scope_to, r.ref, r.errors, r.first_seen_at,
       r.last_seen_run_id, r.resolved_at IS NULL AS open, r.resolved_at, r.resolution, r.dismissed_at,
       r.dismissed_by, r.dismiss_reason
FROM order_rejections r
JOIN streams s ON s.id = r.stream_id
""", "business_date")

V_OUTBOX = View("v_outbox", """
SELECT o.id AS outbox_id, o.destination, o.document_kind, o.document_id, o.document_number,
       coalesce(d.date, e.date) AS document_date, o.state, o.attempts, o.next_attempt_at, o.remote_id,
       o.remote_number, o.remote_detail, o.last_error, o.remote_errors, o.idempotency_key, o.created_at,
       o.updated_at, o.sent_at
FROM outbox o
LEFT JOIN documents d ON o.document_kind IN ('invoice', 'credit_note') AND d.id = o.document_id
LEFT JOIN journal_entries e ON o.document_kind = 'journal_entry' AND e.id = o.document_id
""", "document_date")

VIEWS: tuple[View, ...] = (
    V_ORDERS, V_ORDER_LINES, V_PAYMENTS, V_DIGESTS, V_INVOICES, V_INVOICE_LINES, V_INVOICE_PAYMENTS,
    V_INVOICE_TAXES, V_JOURNAL, V_TRIAL_BALANCE, V_ACCOUNTS, V_STOCK, V_PRODUCTS, V_SYNC_RUNS, V_STREAMS,
    V_REJECTIONS, V_COMPANY, V_OUTBOX,
)
VIEW_NAMES = tuple(v.name for v in VIEWS)
BY_NAME = {v.name: v for v in VIEWS}


def recreate_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every view, in the caller's transaction (safe to run any number of times)."""
    for view in VIEWS:
        con.execute(view.create)


def view_query(name: str, start: date | None = None, end: date | None = None, *,
               attached: bool = False) -> tuple[str, list[date]]:
    """``SELECT * FROM view`` limited to ``start``..``end`` (inclusive) when the view has a date.

    Returns the SQL and its parameters (the dates travel as parameters, never
    in the text). ``attached`` reads the view of the database attached as
    :data:`ATTACHED` (``flowtui_file.main.view``).
    """
    view = BY_NAME[name]  # only our own view names get this far
    _relation = f"{ATTACHED}.main.{view.name}" if attached else view.name
    _column = view.date_column
    conditions, params = [], []
    if _column and start is not None:
        conditions.append(f"{_column} >= ?")
        params.append(start)
    if _column and end is not None:
        conditions.append(f"{_column} <= ?")
        params.append(end)
    _where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT * FROM {_relation}{_where}", params


def pin_now(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Make ``v_digests`` judge open days against ``now`` (an aware datetime) in this session."""
    con.execute("SET VARIABLE flowtui_now = CAST(? AS TIMESTAMPTZ)", [now])
