"""Versioned schema migrations, applied forward on open.

Each migration is a list of SQL statements run in one transaction. Never edit a
migration that has shipped: add a new one. Money is ``DECIMAL(18,2)``;
quantities ``DECIMAL(18,3)``; instants ``TIMESTAMPTZ`` (sessions run in UTC);
business dates ``DATE``.
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY = "DECIMAL(18,2)"
QTY = "DECIMAL(18,3)"
PRICE = "DECIMAL(18,4)"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        return [part.strip() for part in self.sql.split(";\n") if part.strip()]


_INITIAL = f"""
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
CREATE TABLE accounts (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    type VARCHAR NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE account_defaults (
    category VARCHAR PRIMARY KEY,
    account_code VARCHAR NOT NULL
);
CREATE SEQUENCE contact_ids START 1;
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY DEFAULT nextval('contact_ids'),
    name VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE SEQUENCE location_ids START 1;
CREATE TABLE locations (
    id INTEGER PRIMARY KEY DEFAULT nextval('location_ids'),
    name VARCHAR NOT NULL UNIQUE,
    timezone VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE payment_methods (
    name VARCHAR PRIMARY KEY,
    account_code VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE SEQUENCE stream_ids START 1;
CREATE TABLE streams (
    id INTEGER PRIMARY KEY DEFAULT nextval('stream_ids'),
    name VARCHAR NOT NULL UNIQUE,
    provider VARCHAR NOT NULL,
    store_name VARCHAR,
    config VARCHAR NOT NULL DEFAULT '{{}}',
    auto_sync BOOLEAN NOT NULL DEFAULT true,
    auto_invoice BOOLEAN NOT NULL DEFAULT false,
    grouping VARCHAR NOT NULL DEFAULT 'sku' CHECK (grouping IN ('sku', 'all')),
    start_date DATE,
    lookback_days INTEGER NOT NULL DEFAULT 3,
    cursor_date DATE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE stream_stores (
    stream_id INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    name VARCHAR,
    first_seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (stream_id, pos_store_id)
);
CREATE TABLE location_mappings (
    stream_id INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    location_id INTEGER NOT NULL,
    contact_id INTEGER,
    number_format VARCHAR,
    PRIMARY KEY (stream_id, pos_store_id)
);
CREATE TABLE payment_mappings (
    stream_id INTEGER NOT NULL,
    pos_method VARCHAR NOT NULL,
    account_code VARCHAR NOT NULL,
    PRIMARY KEY (stream_id, pos_method)
);
CREATE TABLE account_mappings (
    stream_id INTEGER NOT NULL,
    category VARCHAR NOT NULL,
    account_code VARCHAR NOT NULL,
    PRIMARY KEY (stream_id, category)
);
CREATE SEQUENCE sync_run_ids START 1;
CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY DEFAULT nextval('sync_run_ids'),
    stream_id INTEGER NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,
    window_from DATE,
    window_to DATE,
    windows_fetched INTEGER NOT NULL DEFAULT 0,
    orders_new INTEGER NOT NULL DEFAULT 0,
    orders_changed INTEGER NOT NULL DEFAULT 0,
    orders_unchanged INTEGER NOT NULL DEFAULT 0,
    orders_rejected INTEGER NOT NULL DEFAULT 0,
    digests_updated INTEGER NOT NULL DEFAULT 0,
    error VARCHAR,
    warnings VARCHAR[] NOT NULL DEFAULT []
);
CREATE SEQUENCE raw_batch_ids START 1;
CREATE TABLE raw_batches (
    id INTEGER PRIMARY KEY,
    stream_id INTEGER NOT NULL,
    sync_run_id INTEGER,
    received_at TIMESTAMPTZ NOT NULL,
    source VARCHAR,
    first_line INTEGER,
    chunk_size INTEGER NOT NULL
);
CREATE TABLE raw_chunks (
    batch_id INTEGER NOT NULL,
    chunk_no INTEGER NOT NULL,
    data BLOB NOT NULL USING COMPRESSION uncompressed
);
CREATE TABLE raw_orders (
    stream_id INTEGER NOT NULL,
    order_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    content_hash UBIGINT NOT NULL,
    batch_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    ref VARCHAR
);
CREATE TABLE orders (
    stream_id INTEGER NOT NULL,
    order_id VARCHAR NOT NULL,
    number VARCHAR NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    ordered_at TIMESTAMPTZ NOT NULL,
    business_date DATE NOT NULL,
    type VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    original_id VARCHAR,
    original_number VARCHAR,
    channel VARCHAR,
    subtotal {MONEY} NOT NULL,
    discount {MONEY} NOT NULL,
    service_charge {MONEY} NOT NULL,
    tax {MONEY} NOT NULL,
    rounding {MONEY} NOT NULL,
    total {MONEY} NOT NULL,
    version INTEGER NOT NULL,
    content_hash UBIGINT NOT NULL,
    sync_run_id INTEGER,
    landed_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE order_lines (
    stream_id INTEGER NOT NULL,
    order_id VARCHAR NOT NULL,
    line_no INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    business_date DATE NOT NULL,
    type VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    sku VARCHAR,
    product_id VARCHAR,
    name VARCHAR,
    quantity {QTY} NOT NULL,
    unit_price {PRICE} NOT NULL,
    discount {MONEY} NOT NULL,
    tax {MONEY} NOT NULL,
    tax_code VARCHAR,
    amount {MONEY} NOT NULL
);
CREATE TABLE order_payments (
    stream_id INTEGER NOT NULL,
    order_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    business_date DATE NOT NULL,
    type VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    amount {MONEY} NOT NULL
);
CREATE SEQUENCE rejection_ids START 1;
CREATE TABLE order_rejections (
    id INTEGER PRIMARY KEY DEFAULT nextval('rejection_ids'),
    stream_id INTEGER NOT NULL,
    sync_run_id INTEGER,
    order_key VARCHAR NOT NULL,
    order_id VARCHAR,
    pos_store_id VARCHAR,
    business_date DATE,
    ref VARCHAR,
    errors VARCHAR[] NOT NULL,
    content_hash UBIGINT NOT NULL,
    payload VARCHAR USING COMPRESSION zstd,
    first_seen_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ
);
CREATE TABLE dirty_days (
    stream_id INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    business_date DATE NOT NULL,
    PRIMARY KEY (stream_id, pos_store_id, business_date)
);
CREATE SEQUENCE digest_ids START 1;
CREATE TABLE digests (
    id INTEGER PRIMARY KEY DEFAULT nextval('digest_ids'),
    stream_id INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    business_date DATE NOT NULL,
    order_count INTEGER NOT NULL,
    return_count INTEGER NOT NULL,
    gross_sales {MONEY} NOT NULL,
    returns {MONEY} NOT NULL,
    discount {MONEY} NOT NULL,
    service_charge {MONEY} NOT NULL,
    tax {MONEY} NOT NULL,
    rounding {MONEY} NOT NULL,
    net_total {MONEY} NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (stream_id, pos_store_id, business_date)
);
CREATE TABLE digest_payments (
    digest_id INTEGER NOT NULL,
    method VARCHAR NOT NULL,
    amount {MONEY} NOT NULL
);
CREATE TABLE digest_items (
    digest_id INTEGER NOT NULL,
    sku VARCHAR NOT NULL,
    name VARCHAR,
    quantity {QTY} NOT NULL,
    unit_price {MONEY} NOT NULL,
    discount {MONEY} NOT NULL,
    tax {MONEY} NOT NULL,
    amount {MONEY} NOT NULL
);
CREATE TABLE digest_taxes (
    digest_id INTEGER NOT NULL,
    tax_code VARCHAR NOT NULL,
    taxable {MONEY} NOT NULL,
    tax {MONEY} NOT NULL
)
"""

_LEDGER = f"""
ALTER TABLE location_mappings ADD COLUMN credit_note_format VARCHAR;
CREATE TABLE products (
    sku VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit_price {PRICE} NOT NULL,
    cost {PRICE} NOT NULL,
    income_account VARCHAR,
    track_stock BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE SEQUENCE stock_movement_ids START 1;
CREATE TABLE stock_movements (
    id BIGINT PRIMARY KEY DEFAULT nextval('stock_movement_ids'),
    sku VARCHAR NOT NULL,
    location_id INTEGER NOT NULL,
    business_date DATE,
    quantity {QTY} NOT NULL,
    unit_cost {PRICE} NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('opening', 'adjustment', 'sale', 'return')),
    document_id INTEGER,
    note VARCHAR,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE SEQUENCE posting_ids START 1;
CREATE TABLE postings (
    id INTEGER PRIMARY KEY DEFAULT nextval('posting_ids'),
    digest_id INTEGER NOT NULL,
    digest_version INTEGER NOT NULL,
    posted_at TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    UNIQUE (digest_id, digest_version)
);
CREATE TABLE posted_orders (
    posting_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    order_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    status VARCHAR NOT NULL
);
CREATE SEQUENCE document_ids START 1;
CREATE TABLE documents (
    id INTEGER PRIMARY KEY DEFAULT nextval('document_ids'),
    kind VARCHAR NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number VARCHAR NOT NULL UNIQUE,
    date DATE NOT NULL,
    contact_id INTEGER NOT NULL,
    location_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    digest_id INTEGER NOT NULL,
    digest_version INTEGER NOT NULL,
    posting_id INTEGER NOT NULL,
    linked_document_id INTEGER,
    subtotal {MONEY} NOT NULL,
    discount {MONEY} NOT NULL,
    service_charge {MONEY} NOT NULL,
    tax {MONEY} NOT NULL,
    rounding {MONEY} NOT NULL,
    total {MONEY} NOT NULL,
    currency VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (posting_id, kind)
);
CREATE TABLE document_lines (
    document_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    sku VARCHAR,
    quantity {QTY} NOT NULL,
    unit_price {PRICE} NOT NULL,
    discount {MONEY} NOT NULL,
    tax {MONEY} NOT NULL,
    tax_code VARCHAR,
    amount {MONEY} NOT NULL,
    account_code VARCHAR NOT NULL
);
CREATE TABLE document_payments (
    document_id INTEGER NOT NULL,
    method VARCHAR NOT NULL,
    account_code VARCHAR NOT NULL,
    amount {MONEY} NOT NULL
);
CREATE TABLE document_taxes (
    document_id INTEGER NOT NULL,
    tax_code VARCHAR NOT NULL,
    taxable {MONEY} NOT NULL,
    tax {MONEY} NOT NULL
);
CREATE SEQUENCE journal_entry_ids START 1;
CREATE TABLE journal_entries (
    id INTEGER PRIMARY KEY DEFAULT nextval('journal_entry_ids'),
    date DATE NOT NULL,
    document_id INTEGER,
    kind VARCHAR NOT NULL,
    memo VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE journal_lines (
    entry_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    account_code VARCHAR NOT NULL,
    debit {MONEY} NOT NULL,
    credit {MONEY} NOT NULL,
    memo VARCHAR,
    CHECK (debit >= 0 AND credit >= 0)
);
CREATE SEQUENCE history_ids START 1;
CREATE TABLE document_history (
    id BIGINT PRIMARY KEY DEFAULT nextval('history_ids'),
    document_id INTEGER NOT NULL,
    happened_at TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    event VARCHAR NOT NULL,
    detail VARCHAR
);
CREATE TABLE number_sequences (
    scope VARCHAR PRIMARY KEY,
    last_value INTEGER NOT NULL
);
CREATE VIEW stock_on_hand AS
SELECT m.sku, m.location_id, l.name AS location, sum(m.quantity) AS quantity
FROM stock_movements m JOIN locations l ON l.id = m.location_id
GROUP BY m.sku, m.location_id, l.name;
CREATE VIEW general_ledger AS
SELECT e.date, e.id AS entry_id, jl.line_no, jl.account_code, a.name AS account_name, a.type AS account_type,
       jl.debit, jl.credit, jl.debit - jl.credit AS amount, e.kind, e.memo, d.number AS document_number,
       d.kind AS document_kind, e.created_at
FROM journal_lines jl
JOIN journal_entries e ON e.id = jl.entry_id
JOIN accounts a ON a.code = jl.account_code
LEFT JOIN documents d ON d.id = e.document_id;
CREATE VIEW trial_balance AS
SELECT a.code, a.name, a.type,
       coalesce(sum(jl.debit), 0)::{MONEY} AS debit,
       coalesce(sum(jl.credit), 0)::{MONEY} AS credit,
       (coalesce(sum(jl.debit), 0) - coalesce(sum(jl.credit), 0))::{MONEY} AS balance
FROM accounts a LEFT JOIN journal_lines jl ON jl.account_code = a.code
GROUP BY a.code, a.name, a.type
"""

_ADJUSTMENTS = f"""
ALTER TABLE documents ADD COLUMN role VARCHAR DEFAULT 'original';
ALTER TABLE digests ADD COLUMN orders_sig VARCHAR;
ALTER TABLE postings ADD COLUMN note VARCHAR;
CREATE TABLE digest_versions (
    digest_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    order_count INTEGER NOT NULL,
    return_count INTEGER NOT NULL,
    gross_sales {MONEY} NOT NULL,
    returns {MONEY} NOT NULL,
    discount {MONEY} NOT NULL,
    service_charge {MONEY} NOT NULL,
    tax {MONEY} NOT NULL,
    rounding {MONEY} NOT NULL,
    net_total {MONEY} NOT NULL,
    PRIMARY KEY (digest_id, version)
);
INSERT INTO digest_versions
SELECT id, version, updated_at, order_count, return_count, gross_sales, returns, discount, service_charge, tax,
       rounding, net_total FROM digests
"""

_MINIPOS = """
ALTER TABLE products ADD COLUMN barcode VARCHAR;
ALTER TABLE products ADD COLUMN tax_code VARCHAR;
ALTER TABLE products ADD COLUMN tax_rate DECIMAL(6,4) DEFAULT 0
"""

_DAY_CLOSES = f"""
CREATE TABLE day_closes (
    stream_id INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    business_date DATE NOT NULL,
    closed_at TIMESTAMPTZ NOT NULL,
    closed_by VARCHAR NOT NULL,
    opening_float {MONEY} NOT NULL,
    expected_cash {MONEY} NOT NULL,
    counted_cash {MONEY},
    PRIMARY KEY (stream_id, pos_store_id, business_date)
)
"""

# The books an accountant signs: corrections by the side they correct, tax by code (service charge
# included), stock valued movement by movement (so Inventory ties to it), every till close kept, undo.
_ACCOUNTING = f"""
ALTER TABLE document_lines ADD COLUMN side VARCHAR;
UPDATE document_lines SET side = CASE WHEN d.kind = 'invoice' THEN 'sale' ELSE 'return' END
FROM documents d WHERE d.id = document_lines.document_id;
ALTER TABLE journal_lines ADD COLUMN tax_code VARCHAR;
CREATE TABLE tax_codes (
    code VARCHAR PRIMARY KEY,
    type VARCHAR NOT NULL CHECK (type IN ('sales', 'service', 'exempt')),
    rate DECIMAL(6,4) NOT NULL,
    description VARCHAR,
    created_at TIMESTAMPTZ NOT NULL
);
INSERT INTO tax_codes VALUES
    ('SV6', 'service', 0.06, 'Service tax 6%', now()),
    ('SV8', 'service', 0.08, 'Service tax 8%', now()),
    ('ST5', 'sales', 0.05, 'Sales tax 5%', now()),
    ('ST10', 'sales', 0.10, 'Sales tax 10%', now()),
    ('ZR', 'exempt', 0, 'Not taxed (exempt or zero-rated)', now());
CREATE TABLE tax_mappings (
    stream_id INTEGER NOT NULL,
    category VARCHAR NOT NULL,
    tax_code VARCHAR NOT NULL,
    PRIMARY KEY (stream_id, category)
);
ALTER TABLE stream_stores ADD COLUMN service_charge_tax_code VARCHAR;
ALTER TABLE stock_movements ADD COLUMN value {MONEY};
UPDATE stock_movements SET value = round(quantity * unit_cost, 2);
ALTER TABLE stock_movements ADD COLUMN journal_entry_id INTEGER;
CREATE SEQUENCE till_close_ids START 1;
CREATE TABLE till_closes (
    id INTEGER PRIMARY KEY DEFAULT nextval('till_close_ids'),
    stream_id INTEGER NOT NULL,
    pos_store_id VARCHAR NOT NULL,
    business_date DATE NOT NULL,
    closed_at TIMESTAMPTZ NOT NULL,
    closed_by VARCHAR NOT NULL,
    opening_float {MONEY} NOT NULL,
    expected_cash {MONEY} NOT NULL,
    counted_cash {MONEY},
    over_short {MONEY},
    posted {MONEY} NOT NULL DEFAULT 0,
    journal_entry_id INTEGER
);
INSERT INTO till_closes (stream_id, pos_store_id, business_date, closed_at, closed_by, opening_float, expected_cash,
                         counted_cash, over_short)
SELECT stream_id, pos_store_id, business_date, closed_at, closed_by, opening_float, expected_cash, counted_cash,
       counted_cash - expected_cash
FROM day_closes ORDER BY closed_at;
DROP TABLE day_closes;
CREATE VIEW day_closes AS
SELECT stream_id, pos_store_id, business_date, max(closed_at) AS closed_at, arg_max(closed_by, id) AS closed_by,
       arg_max(opening_float, id) AS opening_float, arg_max(expected_cash, id) AS expected_cash,
       arg_max(counted_cash, id) AS counted_cash, count(*) AS closes
FROM till_closes GROUP BY stream_id, pos_store_id, business_date;
ALTER TABLE postings ADD COLUMN reversed_at TIMESTAMPTZ;
INSERT INTO accounts
SELECT * FROM (VALUES ('3200', 'Opening Balance Equity', 'equity', now()),
                      ('5100', 'Stock Adjustments', 'expense', now()),
                      ('6100', 'Cash Over/Short', 'expense', now())) a(code, name, type, created_at)
WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'initialised')
ON CONFLICT DO NOTHING;
INSERT INTO account_defaults
SELECT * FROM (VALUES ('opening_balance', '3200'), ('stock_adjustment', '5100'),
                      ('cash_over_short', '6100')) c(category, account_code)
WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'initialised')
ON CONFLICT DO NOTHING
"""

_ARCHIVED_STREAMS = """
ALTER TABLE streams ADD COLUMN IF NOT EXISTS archived_at TIMESTAMPTZ
"""

# Nothing dropped silently (DESIGN.md invariant 11): an entry whose day cannot be read holds the days it may
# belong to (``scope_from``..``scope_to``, NULL = open-ended); a rejection is open until it is resolved
# (``resolution``: corrected, superseded, fixed) or dismissed on the record.
_REJECTIONS = """
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS scope_from DATE;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS scope_to DATE;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS last_seen_run_id INTEGER;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS resolution VARCHAR;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS dismissed_at TIMESTAMPTZ;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS dismissed_by VARCHAR;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS dismiss_reason VARCHAR;
UPDATE order_rejections SET last_seen_run_id = sync_run_id WHERE last_seen_run_id IS NULL;
UPDATE order_rejections SET resolution = 'corrected' WHERE resolved_at IS NOT NULL AND resolution IS NULL;
UPDATE order_rejections SET order_key = 'entry:' || ref WHERE order_id IS NULL AND order_key = ref
"""

# Secrets belong to their own books: every database gets a random id of its own (new files and old ones alike),
# and its streams' API keys are kept in secrets.json under it (flowtui.engine.setup.secrets.stream_key_name), so two
# databases with a stream of one name keep their own keys.
_DATABASE_ID = """
INSERT INTO settings VALUES ('database_id', CAST(gen_random_uuid() AS VARCHAR)) ON CONFLICT DO NOTHING
"""

# What leaves the books leaves exactly once (DESIGN.md invariant 12): a row per document and destination, written
# before any request, claimed while a request may be in flight, and keeping what the destination answered. The
# states and the protocol are flowtui.engine.outbox's; no CHECK on ``state`` or ``document_kind``, so a later
# destination's kinds need no table rebuild (DuckDB cannot alter a constraint).
_OUTBOX = """
CREATE SEQUENCE outbox_ids START 1;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY DEFAULT nextval('outbox_ids'),
    destination VARCHAR NOT NULL,
    document_kind VARCHAR NOT NULL,
    document_id INTEGER NOT NULL,
    document_number VARCHAR,
    state VARCHAR NOT NULL,
    idempotency_key VARCHAR NOT NULL UNIQUE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_at TIMESTAMPTZ,
    claimed_by VARCHAR,
    remote_id VARCHAR,
    remote_number VARCHAR,
    remote_detail VARCHAR,
    last_error VARCHAR,
    remote_errors VARCHAR[] NOT NULL DEFAULT [],
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    UNIQUE (destination, document_kind, document_id)
);
CREATE INDEX outbox_by_state ON outbox (destination, state)
"""

MIGRATIONS: list[Migration] = [
    Migration(1, "orders, streams, mappings and digests", _INITIAL),
    Migration(2, "ledger: products, stock, documents, journal, history", _LEDGER),
    Migration(3, "adjustments: document roles, digest versions", _ADJUSTMENTS),
    Migration(4, "products: barcodes and tax for MiniPOS", _MINIPOS),
    Migration(5, "day closes: a till's day ends before midnight", _DAY_CLOSES),
    # The views themselves live in flowtui.engine.storage.views and are recreated after every migration run;
    # a change to a view ships as a new (possibly empty) migration so existing files pick it up.
    Migration(6, "query views for notebooks (docs/schema.md)", ""),
    Migration(7, "v_digests built from the listing's own SQL", ""),
    Migration(8, "accounting: corrections by side, tax codes, stock value, till closes kept, reversals", _ACCOUNTING),
    Migration(9, "rejections: days they may belong to, resolution, dismissal", _REJECTIONS),
    Migration(10, "streams can be removed (archived) and keep their books", _ARCHIVED_STREAMS),
    Migration(12, "each database has its own id, under which its streams' API keys are kept", _DATABASE_ID),
    Migration(13, "outbox: documents queued for destinations, sent exactly once", _OUTBOX),
]

SCHEMA_VERSION = MIGRATIONS[-1].version
