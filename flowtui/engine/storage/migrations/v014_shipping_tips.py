"""Migration 14: shipping and tips on orders, digests and documents (shipped: never edit, add a new migration)."""

from __future__ import annotations

from flowtui.engine.storage.migrations.columns import MONEY

# An order's shipping (ex-tax; its tax is part of ``tax``) and tip (docs/orders.md), their day totals and their
# documents' lines; zero for everything landed before. Books already set up get the two new default accounts
# (Shipping Income, Tips Payable) unless a code is taken: a category whose default code is another kind of
# account has no default (the stream maps it with `flowtui map account`).
SHIPPING_TIPS = f"""
ALTER TABLE orders ADD COLUMN shipping {MONEY} DEFAULT 0;
ALTER TABLE orders ADD COLUMN tip {MONEY} DEFAULT 0;
ALTER TABLE digests ADD COLUMN shipping {MONEY} DEFAULT 0;
ALTER TABLE digests ADD COLUMN tips {MONEY} DEFAULT 0;
ALTER TABLE digest_versions ADD COLUMN shipping {MONEY} DEFAULT 0;
ALTER TABLE digest_versions ADD COLUMN tips {MONEY} DEFAULT 0;
ALTER TABLE documents ADD COLUMN shipping {MONEY} DEFAULT 0;
ALTER TABLE documents ADD COLUMN tips {MONEY} DEFAULT 0;
INSERT INTO accounts
SELECT * FROM (VALUES ('2200', 'Tips Payable', 'liability', now()),
                      ('4200', 'Shipping Income', 'income', now())) a(code, name, type, created_at)
WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'initialised')
ON CONFLICT DO NOTHING;
INSERT INTO account_defaults
SELECT c.category, c.account_code
FROM (VALUES ('tips', '2200', 'liability'), ('shipping', '4200', 'income')) c(category, account_code, type)
JOIN accounts a ON a.code = c.account_code AND a.type = c.type
WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'initialised')
ON CONFLICT DO NOTHING
"""
