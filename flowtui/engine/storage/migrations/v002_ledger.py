"""Migration 2: the ledger's products, stock, documents, journal and history (shipped: never edit)."""

from __future__ import annotations

from flowtui.engine.storage.migrations.columns import MONEY, PRICE, QTY

LEDGER = f"""
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
