"""Migration 8: the books an accountant signs (shipped: never edit, add a new migration)."""

from __future__ import annotations

from flowtui.engine.storage.migrations.columns import MONEY

# The books an accountant signs: corrections by the side they correct, tax by code (service charge
# included), stock valued movement by movement (so Inventory ties to it), every till close kept, undo.
ACCOUNTING = f"""
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
