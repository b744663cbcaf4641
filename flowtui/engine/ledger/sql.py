"""The ledger's SQL: every statement the posting, numbering, history, reversal and journal modules run.

The ledger's own tables — ``postings``, ``documents`` and ``document_*``,
``journal_entries``/``journal_lines``, ``stock_movements``, ``posted_orders``,
``number_sequences`` — are written only from here, so a later backend for them
(PostgreSQL) has one module to answer. A statement that reads or writes order
data (``orders``, ``order_*``, ``digests``, ``digest_*``, mappings) is a
*crossing*: each is named ``CROSSING_*`` here and listed, with why, in
docs/storage.md.

Statements take ``?`` or ``$name`` parameters; a ``{name}`` in one is one of our own
fragments filled in by the caller (never user input).
"""

from __future__ import annotations

from flowtui.engine.core.records import COUNTED_SUMMARY

# -- number sequences (sequences.py) ------------------------------------------------------------
SEQUENCE_LAST = "SELECT last_value FROM number_sequences WHERE scope = ?"
SEQUENCE_TAKE = ("INSERT INTO number_sequences VALUES (?, 1) ON CONFLICT DO UPDATE SET last_value = last_value + 1 "
                 "RETURNING last_value")
SEQUENCE_SET = ("INSERT INTO number_sequences VALUES (?, ?) "
                "ON CONFLICT DO UPDATE SET last_value = EXCLUDED.last_value")

# -- document history (history.py) --------------------------------------------------------------
HISTORY_INSERT = ("INSERT INTO document_history (document_id, happened_at, actor, event, detail) "
                  "SELECT unnest($ids), $now, $actor, unnest($events), unnest($details)")

# -- posting (posting.py) ----------------------------------------------------------------------
_STANDING = "status = 'posted' AND coalesce(role, 'original') <> 'reversal'"  # a posted, unreversed document
ORIGINAL_DOCUMENTS = f"""
SELECT digest_id, arg_min(id, id) AS document_id, arg_min(number, id) AS number FROM documents
WHERE digest_id IN (SELECT unnest($ids)) AND {_STANDING} GROUP BY digest_id"""
DIGEST_DOCUMENTS = f"""
SELECT digest_id, kind, number FROM documents WHERE digest_id IN (SELECT unnest($ids)) AND {_STANDING} ORDER BY id"""

# What a chunk posts: its digests' days, with the stream's grouping and the location's numbering.
CROSSING_POST_DAYS = """
CREATE OR REPLACE TEMP TABLE post_days AS
SELECT d.id AS digest_id, d.version, d.stream_id, d.pos_store_id, d.business_date, s.grouping,
       s.name AS stream, m.location_id, m.contact_id, m.number_format, m.credit_note_format
FROM digests d
JOIN streams s ON s.id = d.stream_id
JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
WHERE d.id IN (SELECT unnest($ids))"""
POST_DAYS = "SELECT * FROM post_days"
POST_WINDOW = "SELECT min(business_date) AS first, max(business_date) AS last FROM post_days"
# The days' completed orders, lines, payments and order discounts, summed per digest and side (sen, thousandths).
CROSSING_DAY_ORDERS = """
SELECT p.digest_id, o.type, count(*) AS orders, CAST(sum(o.discount) * 100 AS BIGINT) AS discount,
       CAST(sum(o.service_charge) * 100 AS BIGINT) AS service_charge, CAST(sum(o.tax) * 100 AS BIGINT) AS tax,
       CAST(sum(o.rounding) * 100 AS BIGINT) AS rounding, CAST(sum(o.total) * 100 AS BIGINT) AS total,
       CAST(sum(o.shipping) * 100 AS BIGINT) AS shipping, CAST(sum(o.tip) * 100 AS BIGINT) AS tips
FROM orders o JOIN post_days p USING (stream_id, pos_store_id, business_date)
WHERE o.status = 'completed' AND o.business_date BETWEEN $first AND $last
GROUP BY ALL"""
CROSSING_DAY_ITEMS = """
SELECT p.digest_id, l.type, coalesce(l.sku, l.product_id) AS sku, l.tax_code, max(l.name) AS name,
       CAST(sum(l.quantity) * 1000 AS BIGINT) AS quantity, CAST(sum(l.discount) * 100 AS BIGINT) AS discount,
       CAST(sum(l.tax) * 100 AS BIGINT) AS tax, CAST(sum(l.amount) * 100 AS BIGINT) AS amount
FROM order_lines l JOIN post_days p USING (stream_id, pos_store_id, business_date)
WHERE l.status = 'completed' AND l.business_date BETWEEN $first AND $last
GROUP BY p.digest_id, l.type, coalesce(l.sku, l.product_id), l.tax_code"""
CROSSING_DAY_PAYMENTS = """
SELECT p.digest_id, o.type, o.method, CAST(sum(o.amount) * 100 AS BIGINT) AS amount
FROM order_payments o JOIN post_days p USING (stream_id, pos_store_id, business_date)
WHERE o.status = 'completed' AND o.business_date BETWEEN $first AND $last
GROUP BY ALL ORDER BY 3"""
CROSSING_DAY_DISCOUNTS = """
SELECT p.digest_id, x.type, x.tax_code, sum(x.discount) AS discount
FROM ({discounts}) x JOIN post_days p USING (stream_id, pos_store_id, business_date)
GROUP BY ALL ORDER BY 3"""
# A day's returns -> the digest that sold what they return, and that digest's standing invoice.
CROSSING_RETURN_LINKS = """
WITH returned AS (
    SELECT p.digest_id, r.stream_id, r.original_id, r.original_number
    FROM orders r JOIN post_days p USING (stream_id, pos_store_id, business_date)
    WHERE r.type = 'return' AND r.status = 'completed' AND r.business_date BETWEEN $first AND $last
      AND (r.original_id IS NOT NULL OR r.original_number IS NOT NULL)
),
originals AS (
    SELECT x.digest_id, s.stream_id, s.pos_store_id, s.business_date
    FROM returned x JOIN orders s ON s.stream_id = x.stream_id AND s.order_id = x.original_id
    WHERE s.type = 'sale'
    UNION ALL
    SELECT x.digest_id, s.stream_id, s.pos_store_id, s.business_date
    FROM returned x JOIN orders s ON s.stream_id = x.stream_id AND s.number = x.original_number
    WHERE s.type = 'sale'
)
SELECT o.digest_id, min(d2.id) AS original_digest, min(doc.id) AS invoice_id,
       arg_min(doc.number, doc.id) AS invoice_number
FROM originals o
JOIN digests d2 USING (stream_id, pos_store_id, business_date)
LEFT JOIN documents doc ON doc.digest_id = d2.id AND doc.kind = 'invoice' AND doc.status = 'posted'
     AND coalesce(doc.role, 'original') <> 'reversal'
WHERE d2.id <> o.digest_id
GROUP BY o.digest_id"""
PRODUCTS = "SELECT sku, name, income_account, track_stock, cost FROM products"
CONTACT_NAMED = "SELECT 1 FROM contacts WHERE name = ?"
ACCOUNT_DEFAULTS = "SELECT category, account_code FROM account_defaults"
PAYMENT_METHOD_ACCOUNTS = "SELECT name, account_code FROM payment_methods"
CROSSING_STREAM_ACCOUNTS = "SELECT category, account_code FROM account_mappings WHERE stream_id = ?"
CROSSING_STREAM_PAYMENT_ACCOUNTS = "SELECT pos_method, account_code FROM payment_mappings WHERE stream_id = ?"

# -- writing a chunk (posting_writer.py) -------------------------------------------------------
NEXT_IDS = "SELECT nextval('{sequence}') AS id FROM range(256)"  # internal row ids, a block at a time
INSERT_ROWS = "INSERT INTO {table} ({columns}) SELECT {select} FROM incoming"  # from a registered Arrow table
NUMBERS_TAKEN = "SELECT number FROM documents WHERE number IN (SELECT unnest($n)) LIMIT 1"
# Which order versions each posting covered (the audit trail): copied from order data as it is posted.
CROSSING_POSTED_ORDERS = """
INSERT INTO posted_orders
SELECT p.id, o.stream_id, o.order_id, o.version, o.status
FROM postings p JOIN digests d ON d.id = p.digest_id
JOIN orders o USING (stream_id, pos_store_id, business_date)
WHERE p.id IN (SELECT unnest($ids)) AND o.business_date BETWEEN $first AND $last"""

# -- reversal (reversal.py) --------------------------------------------------------------------
STANDING_DOCUMENTS = f"""
SELECT id, kind, number, date FROM documents WHERE digest_id = ? AND {_STANDING} ORDER BY id"""
DOCUMENT_BY_NUMBER = """
SELECT id, digest_id, status, coalesce(role, 'original') AS role FROM documents WHERE number = ?"""
DOCUMENT_HEAD = """
SELECT subtotal, discount, service_charge, shipping, tax, tips, rounding, total, contact_id, location_id
FROM documents WHERE id = ?"""
DOCUMENT_LINES = """
SELECT line_no, kind, description, sku, quantity, unit_price, discount, tax, tax_code, amount, account_code, side
FROM document_lines WHERE document_id = ? ORDER BY line_no"""
DOCUMENT_PAYMENTS = "SELECT method, account_code, amount FROM document_payments WHERE document_id = ? ORDER BY method"
DOCUMENT_TAXES = "SELECT tax_code, taxable, tax FROM document_taxes WHERE document_id = ? ORDER BY tax_code"
DOCUMENT_JOURNAL = """
SELECT e.kind AS entry_kind, l.account_code, l.debit, l.credit, l.memo, l.tax_code FROM journal_lines l
JOIN journal_entries e ON e.id = l.entry_id WHERE e.document_id = ? ORDER BY e.id, l.line_no"""
DOCUMENT_STOCK = "SELECT sku, quantity, unit_cost, value FROM stock_movements WHERE document_id = ? ORDER BY id"
LAST_POSTED_VERSION = "SELECT max(digest_version) AS version FROM postings WHERE digest_id = ?"
# The digest a document came from: its version, stream and location's number formats.
CROSSING_DIGEST_FORMATS = """
SELECT d.version, d.stream_id, s.name AS stream, m.number_format, m.credit_note_format
FROM digests d JOIN streams s ON s.id = d.stream_id
LEFT JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
WHERE d.id = ?"""
MARK_REVERSED = "UPDATE documents SET status = 'reversed' WHERE id IN (SELECT unnest($ids))"
POSTINGS_REVERSED = "UPDATE postings SET reversed_at = $now WHERE digest_id = $d AND reversed_at IS NULL"
# A reversed digest comes back under a new version, above every posted one (so it can post again).
CROSSING_DIGEST_NEW_VERSION = "UPDATE digests SET version = $v, updated_at = $now WHERE id = $d"
CROSSING_DIGEST_VERSIONS = f"""
INSERT INTO digest_versions (digest_id, version, created_at, {", ".join(COUNTED_SUMMARY)})
SELECT d.id, v.version, $now, {", ".join("d." + c for c in COUNTED_SUMMARY)}
FROM digests d, range($first, $last + 1) v(version) WHERE d.id = $d
ON CONFLICT DO NOTHING"""

# -- manual journal entries (journal.py) -------------------------------------------------------
KNOWN_ACCOUNTS = "SELECT code FROM accounts WHERE code IN (SELECT unnest($c))"
INSERT_ENTRY = ("INSERT INTO journal_entries (date, document_id, kind, memo, created_at) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id")
INSERT_ENTRY_LINES = ("INSERT INTO journal_lines (entry_id, line_no, account_code, debit, credit, memo, tax_code) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)")
CROSSING_CATEGORY_MAPPING = "SELECT account_code FROM account_mappings WHERE stream_id = ? AND category = ?"
CATEGORY_DEFAULT = "SELECT account_code FROM account_defaults WHERE category = ?"

# -- what the ledger holds for a digest, and what changed since (adjustments.py) -----------------
_SIGN = "CASE d.kind WHEN 'invoice' THEN 1 ELSE -1 END"  # invoices add, credit notes take away
LEDGER_TOTALS = f"""
SELECT d.digest_id, count(*) AS documents,
       {", ".join(f"CAST(sum({_SIGN} * d.{f}) * 100 AS BIGINT) AS {f}"
                  for f in ("discount", "service_charge", "shipping", "tax", "tips", "rounding", "total"))}
FROM documents d WHERE d.digest_id IN (SELECT unnest($ids)) GROUP BY d.digest_id"""
LEDGER_ITEMS = f"""
SELECT d.digest_id, coalesce(l.side, CASE d.kind WHEN 'invoice' THEN 'sale' ELSE 'return' END) AS side,
       coalesce(l.sku, '') AS sku, l.tax_code, max(l.description) AS name,
       CAST(sum({_SIGN} * l.quantity) * 1000 AS BIGINT) AS quantity,
       CAST(sum({_SIGN} * l.discount) * 100 AS BIGINT) AS discount,
       CAST(sum({_SIGN} * l.tax) * 100 AS BIGINT) AS tax, CAST(sum({_SIGN} * l.amount) * 100 AS BIGINT) AS amount
FROM document_lines l JOIN documents d ON d.id = l.document_id
WHERE d.digest_id IN (SELECT unnest($ids)) AND l.kind = 'item'
GROUP BY ALL"""
LEDGER_PAYMENTS = f"""
SELECT d.digest_id, p.method, CAST(sum({_SIGN} * p.amount) * 100 AS BIGINT) AS amount
FROM document_payments p JOIN documents d ON d.id = p.document_id
WHERE d.digest_id IN (SELECT unnest($ids)) GROUP BY ALL"""
LEDGER_DISCOUNTS = f"""
SELECT d.digest_id, coalesce(l.tax_code, '') AS tax_code, CAST(sum({_SIGN} * -l.amount) * 100 AS BIGINT) AS amount
FROM document_lines l JOIN documents d ON d.id = l.document_id
WHERE d.digest_id IN (SELECT unnest($ids)) AND l.kind = 'discount'
GROUP BY ALL"""
# The day's orders against the versions its postings covered.
CROSSING_ORDER_CHANGES = """
WITH posted AS (
    SELECT po.order_id, arg_max(po.version, po.posting_id) AS version,
           arg_max(po.status, po.posting_id) AS status
    FROM posted_orders po JOIN postings p ON p.id = po.posting_id
    WHERE p.digest_id = $id GROUP BY po.order_id
),
current AS (
    SELECT o.order_id, o.version, o.status FROM orders o
    JOIN digests d ON d.stream_id = o.stream_id AND d.pos_store_id = o.pos_store_id
         AND d.business_date = o.business_date
    WHERE d.id = $id
)
SELECT coalesce(c.order_id, p.order_id) AS order_id, p.version AS old_version, p.status AS old_status,
       c.version AS new_version, c.status AS new_status
FROM posted p FULL JOIN current c USING (order_id)
ORDER BY 1"""
# Every version of a digest, and the posting (and documents) of each.
CROSSING_DIGEST_TRAIL = """
SELECT v.version, v.created_at, v.net_total AS amount, v.order_count, v.return_count,
       p.posted_at, p.note, list(doc.number ORDER BY doc.id) FILTER (WHERE doc.number IS NOT NULL) AS documents
FROM digest_versions v
LEFT JOIN postings p ON p.digest_id = v.digest_id AND p.digest_version = v.version
LEFT JOIN documents doc ON doc.posting_id = p.id
WHERE v.digest_id = ?
GROUP BY ALL ORDER BY v.version"""
CROSSING_DIGEST_PAYMENTS_SEN = ("SELECT method, CAST(amount * 100 AS BIGINT) AS amount FROM digest_payments "
                                "WHERE digest_id = ?")
CROSSING_DIGEST_ITEMS_SEN = ("SELECT sku, CAST(quantity * 1000 AS BIGINT) AS quantity, "
                             "CAST(amount * 100 AS BIGINT) AS amount FROM digest_items WHERE digest_id = ?")

# -- reading the ledger (reading.py) -------------------------------------------------------------
_DOCUMENTS = """
SELECT d.id, d.number, d.kind, d.date, c.name AS contact, l.name AS location, d.total, d.status, d.digest_id,
       d.created_at, coalesce(d.role, 'original') AS role
FROM documents d JOIN contacts c ON c.id = d.contact_id JOIN locations l ON l.id = d.location_id
"""
LOCATION_NAMED = "SELECT 1 FROM locations WHERE name = ?"
DOCUMENTS = _DOCUMENTS + """WHERE (? IS NULL OR d.date >= ?) AND (? IS NULL OR d.date <= ?) AND (? IS NULL OR l.name = ?)
ORDER BY d.date, d.id"""
DOCUMENT_NUMBERED = _DOCUMENTS + "WHERE d.number = ?"
# A document's stream is named from the streams it came from.
CROSSING_DOCUMENT_DETAIL = """
SELECT s.name AS stream, d.digest_version, d.subtotal, d.discount, d.service_charge, d.shipping, d.tax, d.tips,
       d.rounding, d.currency, d.linked_document_id, d.role
FROM documents d JOIN streams s ON s.id = d.stream_id WHERE d.id = ?"""
DOCUMENT_LINES_SHOWN = """
SELECT description, sku, quantity, unit_price, discount, tax, tax_code, amount, account_code AS account, kind, side
FROM document_lines WHERE document_id = ? ORDER BY line_no"""
DOCUMENT_PAYMENTS_SHOWN = ("SELECT method, account_code AS account, amount FROM document_payments "
                           "WHERE document_id = ? ORDER BY method")
DOCUMENT_HISTORY = ("SELECT happened_at AS at, actor, event, detail FROM document_history "
                    "WHERE document_id = ? ORDER BY id")
LINKED_DOCUMENTS = """
SELECT number, kind, date, total,
       CASE $role WHEN 'adjustment' THEN 'adjusts' WHEN 'reversal' THEN 'reverses' ELSE 'credits' END AS relation
FROM documents WHERE id = $linked
UNION ALL
SELECT number, kind, date, total,
       CASE role WHEN 'adjustment' THEN 'adjusted by' WHEN 'reversal' THEN 'reversed by' ELSE 'credited by' END
FROM documents WHERE linked_document_id = $id
UNION ALL
SELECT number, kind, date, total, 'same digest' FROM documents
WHERE digest_id = $digest AND id <> $id AND id IS DISTINCT FROM $linked AND linked_document_id IS DISTINCT FROM $id
ORDER BY 3, 1"""
TRIAL_BALANCE = """
SELECT a.code, a.name, a.type,
       coalesce(sum(g.debit), 0)::DECIMAL(18,2) AS debit, coalesce(sum(g.credit), 0)::DECIMAL(18,2) AS credit,
       (coalesce(sum(g.debit), 0) - coalesce(sum(g.credit), 0))::DECIMAL(18,2) AS balance
FROM accounts a
LEFT JOIN general_ledger g ON g.account_code = a.code AND (? IS NULL OR g.date <= ?)
GROUP BY a.code, a.name, a.type
HAVING count(g.entry_id) > 0
ORDER BY a.code"""
ACCOUNT_CODED = "SELECT 1 FROM accounts WHERE code = ?"
JOURNAL = """
SELECT entry_id, date, document_number AS document, kind, memo, account_code AS account, account_name, debit, credit
FROM general_ledger
WHERE (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?) AND (? IS NULL OR account_code = ?)
ORDER BY date, entry_id, line_no"""

# -- books: settings, chart of accounts, contacts, locations (books.py) -------------------------
SETTING = "SELECT value FROM settings WHERE key = ?"
BOOKS_HELD = "SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM journal_entries) AS entries"
CHART = "SELECT code, name, type FROM accounts ORDER BY code"
ACCOUNT_BY_CODE = "SELECT code, name, type FROM accounts WHERE code = ?"
ACCOUNT_NAMED = "SELECT name FROM accounts WHERE code = ?"
CONTACTS = "SELECT id, name FROM contacts ORDER BY name"
CONTACT_BY_NAME = "SELECT id, name FROM contacts WHERE name = ?"
LOCATIONS = "SELECT id, name, timezone FROM locations ORDER BY name"
LOCATION_BY_NAME = "SELECT id, name, timezone FROM locations WHERE name = ?"
NAMES_IN = "SELECT name FROM {table} ORDER BY name"  # contacts or locations
PUT_SETTING = "INSERT INTO settings VALUES (?, ?) ON CONFLICT DO UPDATE SET value = EXCLUDED.value"
INSERT_DEFAULT_ACCOUNTS = "INSERT INTO accounts VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
INSERT_DEFAULT_CATEGORY_ACCOUNTS = "INSERT INTO account_defaults VALUES (?, ?) ON CONFLICT DO NOTHING"
INSERT_DEFAULT_PAYMENT_METHODS = "INSERT INTO payment_methods VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
INSERT_DEFAULT_CONTACT = "INSERT INTO contacts (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING"
INSERT_ACCOUNT = "INSERT INTO accounts VALUES (?, ?, ?, ?)"
INSERT_CONTACT = "INSERT INTO contacts (name, created_at) VALUES (?, ?) RETURNING id, name"
INSERT_LOCATION = "INSERT INTO locations (name, timezone, created_at) VALUES (?, ?, ?) RETURNING id, name, timezone"

# -- tax codes (taxes.py) ------------------------------------------------------------------------
UPSERT_TAX_CODE = ("INSERT INTO tax_codes VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET type = EXCLUDED.type, "
                   "rate = EXCLUDED.rate, description = coalesce(EXCLUDED.description, tax_codes.description)")
CROSSING_UPSERT_TAX_MAPPING = ("INSERT INTO tax_mappings VALUES (?, ?, ?) "
                               "ON CONFLICT DO UPDATE SET tax_code = EXCLUDED.tax_code")
# A stream's service-charge tax code changed: its days not posted yet are rebuilt with it.
CROSSING_REDIGEST_UNPOSTED_SERVICE_DAYS = """
INSERT INTO dirty_days
SELECT d.stream_id, d.pos_store_id, d.business_date FROM digests d
WHERE d.stream_id = ? AND d.service_charge <> 0 AND d.id NOT IN (SELECT digest_id FROM postings)
ON CONFLICT DO NOTHING"""

TAX_CODES = "SELECT code, type, rate, description FROM tax_codes ORDER BY type, rate, code"
TAX_RATES = "SELECT code, rate FROM tax_codes"
TAX_CODE_NAMED = "SELECT 1 FROM tax_codes WHERE code = ?"
CROSSING_TAX_MAPPINGS = "SELECT category, tax_code FROM tax_mappings WHERE stream_id = ?"
# The tax report: per code, the documents' taxable amount and tax in the period (credit notes negative).
TAX_REPORT = """
SELECT coalesce(t.tax_code, '') AS code, c.type, c.rate,
       sum(CASE WHEN d.kind = 'invoice' THEN t.taxable ELSE -t.taxable END) AS taxable,
       sum(CASE WHEN d.kind = 'invoice' THEN t.tax ELSE -t.tax END) AS tax
FROM document_taxes t
JOIN documents d ON d.id = t.document_id
LEFT JOIN tax_codes c ON c.code = t.tax_code
WHERE d.date BETWEEN $start AND $end
GROUP BY ALL
HAVING sum(CASE WHEN d.kind = 'invoice' THEN t.taxable ELSE -t.taxable END) <> 0
    OR sum(CASE WHEN d.kind = 'invoice' THEN t.tax ELSE -t.tax END) <> 0
ORDER BY code
"""
# The tax accounts: every account the documents' tax lines went to, and the category's accounts.
TAX_ACCOUNTS = """
SELECT account_code FROM account_defaults WHERE category = 'tax'
UNION SELECT account_code FROM account_mappings WHERE category = 'tax'
"""
TAXED_JOURNAL_ACCOUNTS = "SELECT DISTINCT jl.account_code FROM journal_lines jl WHERE jl.tax_code IS NOT NULL"
TAX_MOVEMENT = """
SELECT coalesce(sum(jl.credit - jl.debit) FILTER (WHERE e.document_id IS NOT NULL), 0) AS movement,
       coalesce(sum(jl.credit - jl.debit) FILTER (WHERE e.document_id IS NULL), 0) AS other
FROM journal_lines jl JOIN journal_entries e ON e.id = jl.entry_id
WHERE e.date BETWEEN $start AND $end AND jl.account_code IN (SELECT unnest($accounts))
"""

# -- order-side reads (taxes.py's rules) that digests (rebuilding) and posting compose with their keys ------
# The tax code of each (stream, store)'s service charge: the source's, else the stream's mapping.
# ``{keys}`` is a relation with stream_id and pos_store_id.
SERVICE_CODES_SQL = """
SELECT k.stream_id, k.pos_store_id, coalesce(ss.service_charge_tax_code, tm.tax_code) AS tax_code
FROM (SELECT DISTINCT stream_id, pos_store_id FROM {keys}) k
LEFT JOIN stream_stores ss ON ss.stream_id = k.stream_id AND ss.pos_store_id = k.pos_store_id
LEFT JOIN tax_mappings tm ON tm.stream_id = k.stream_id AND tm.category = 'service_charge'
WHERE coalesce(ss.service_charge_tax_code, tm.tax_code) IS NOT NULL
"""
# Completed orders' order discounts in sen, per (stream, store, business date, type) and tax code of the lines
# they are shared over. ``{keys}`` is a relation with stream_id, pos_store_id, business_date; $first..$last
# bound its dates (so scans skip row groups).
ORDER_DISCOUNTS_SQL = """
WITH o AS (
    SELECT o.stream_id, o.order_id, o.pos_store_id, o.business_date, o.type, CAST(o.discount * 100 AS BIGINT) AS d
    FROM orders o JOIN {keys} k USING (stream_id, pos_store_id, business_date)
    WHERE o.status = 'completed' AND o.discount <> 0 AND o.business_date BETWEEN $first AND $last
),
l AS (
    SELECT o.*, l.line_no, coalesce(l.tax_code, '') AS tax_code, CAST(l.amount * 100 AS BIGINT) AS a,
           sum(CAST(l.amount * 100 AS BIGINT)) OVER (PARTITION BY o.stream_id, o.order_id) AS whole,
           min(l.amount) OVER (PARTITION BY o.stream_id, o.order_id) >= 0 AS fair
    FROM o JOIN order_lines l ON l.stream_id = o.stream_id AND l.order_id = o.order_id
    WHERE l.business_date BETWEEN $first AND $last
),
shared AS (
    SELECT *, (CAST(d AS HUGEINT) * a) // whole AS floor_share, (CAST(d AS HUGEINT) * a) % whole AS rest
    FROM l WHERE whole > 0 AND fair
),
ranked AS (
    SELECT *, d - sum(floor_share) OVER (PARTITION BY stream_id, order_id) AS left_over,
           row_number() OVER (PARTITION BY stream_id, order_id ORDER BY rest DESC, line_no) AS place
    FROM shared
)
SELECT stream_id, pos_store_id, business_date, type, tax_code,
       CAST(sum(floor_share + CASE WHEN place <= left_over THEN 1 ELSE 0 END) AS BIGINT) AS discount
FROM ranked GROUP BY ALL
UNION ALL  -- nothing to share it over (no lines, or lines that add up to nothing): under no code
SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, '' AS tax_code, CAST(sum(o.d) AS BIGINT) AS discount
FROM o WHERE NOT EXISTS (SELECT 1 FROM shared s WHERE s.stream_id = o.stream_id AND s.order_id = o.order_id)
GROUP BY ALL
"""

# -- products and stock counts (products.py) -----------------------------------------------------
UPSERT_PRODUCT = (
    "INSERT INTO products (sku, name, unit_price, cost, income_account, track_stock, created_at, updated_at, "
    "barcode, tax_code, tax_rate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
    "name = EXCLUDED.name, unit_price = EXCLUDED.unit_price, cost = EXCLUDED.cost, "
    "income_account = EXCLUDED.income_account, track_stock = EXCLUDED.track_stock, "
    "updated_at = EXCLUDED.updated_at, barcode = EXCLUDED.barcode, tax_code = EXCLUDED.tax_code, "
    "tax_rate = EXCLUDED.tax_rate")
PRODUCT_SKU = "SELECT sku, name, cost FROM products WHERE sku = ?"
PRODUCT_SKUS = "SELECT sku FROM products"
PRODUCTS_LISTED = ("SELECT sku, name, unit_price, cost, income_account, track_stock, barcode, tax_code, "
                   "coalesce(tax_rate, 0) AS tax_rate FROM products ORDER BY sku")
STOCK = """
SELECT m.sku, p.name, l.name AS location, sum(m.quantity) AS quantity, coalesce(sum(m.value), 0) AS value
FROM stock_movements m JOIN locations l ON l.id = m.location_id LEFT JOIN products p USING (sku)
WHERE ? IS NULL OR l.name = ?
GROUP BY m.sku, p.name, l.name
ORDER BY m.sku, l.name"""
STOCK_BEFORE = """
SELECT coalesce(sum(quantity), 0) AS on_hand, count(*) AS movements FROM stock_movements
WHERE sku = ? AND location_id = ? AND coalesce(business_date, created_at::DATE) <= ?"""
STOCK_NOW = ("SELECT coalesce(sum(quantity), 0) AS on_hand, coalesce(sum(value), 0) AS value FROM stock_movements "
             "WHERE sku = ? AND location_id = ?")
# A digest's tracked SKUs against the stock at its location.
CROSSING_DIGEST_STOCK = """
SELECT i.sku, l.name AS location, coalesce(sum(m.quantity), 0) AS on_hand, i.quantity AS sold
FROM digest_items i
JOIN digests d ON d.id = i.digest_id
JOIN streams s ON s.id = d.stream_id AND s.grouping = 'sku'
JOIN location_mappings lm ON lm.stream_id = d.stream_id AND lm.pos_store_id = d.pos_store_id
JOIN locations l ON l.id = lm.location_id
JOIN products p ON p.sku = i.sku AND p.track_stock
LEFT JOIN stock_movements m ON m.sku = i.sku AND m.location_id = l.id
WHERE i.digest_id = ?
GROUP BY i.sku, l.name, i.quantity ORDER BY i.sku"""
INSERT_STOCK_COUNT = (
    "INSERT INTO stock_movements (sku, location_id, business_date, quantity, unit_cost, kind, note, created_at, "
    "value, journal_entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
