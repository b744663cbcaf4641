"""Migrations 3 to 5: document roles and digest versions, MiniPOS products, day closes (shipped: never edit)."""

from __future__ import annotations

from flowtui.engine.storage.migrations.columns import MONEY

ADJUSTMENTS = f"""
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

MINIPOS = """
ALTER TABLE products ADD COLUMN barcode VARCHAR;
ALTER TABLE products ADD COLUMN tax_code VARCHAR;
ALTER TABLE products ADD COLUMN tax_rate DECIMAL(6,4) DEFAULT 0
"""

DAY_CLOSES = f"""
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
