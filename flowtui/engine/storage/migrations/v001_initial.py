"""Migration 1: orders, streams, mappings and digests (shipped: never edit, add a new migration)."""

from __future__ import annotations

from flowtui.engine.storage.migrations.columns import MONEY, PRICE, QTY

INITIAL = f"""
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
