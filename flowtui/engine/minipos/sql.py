"""The MiniPOS till's SQL: its location, catalog and payment methods, its orders, and closing a day.

``till_closes`` (and the ``day_closes`` view over it) belong to the till; the over/short a close
posts is written through the ledger's journal (:mod:`flowtui.engine.ledger.journal`).

Statements take ``?`` or ``$name`` parameters; a ``{name}`` in one is one of our own
fragments filled in by the caller (never user input).
"""

from __future__ import annotations

# -- the till's setting (sales.py) -------------------------------------------------------------
TILL_LOCATION = ("SELECT l.id, l.name, l.timezone FROM location_mappings m JOIN locations l ON l.id = m.location_id "
                 "WHERE m.stream_id = ? AND m.pos_store_id = ?")
CATALOG = ("SELECT sku, name, unit_price, tax_code, coalesce(tax_rate, 0) AS tax_rate, barcode "
           "FROM products ORDER BY name, sku")
PAYMENT_METHODS = ("SELECT name FROM payment_methods UNION SELECT pos_method FROM payment_mappings "
                   "WHERE stream_id = ?")
CASH_ACCOUNT = ("SELECT account_code FROM payment_mappings WHERE stream_id = $s AND lower(pos_method) = lower($m) "
                "UNION ALL SELECT account_code FROM payment_methods WHERE lower(name) = lower($m) LIMIT 1")

# -- the till's orders (sales.py) --------------------------------------------------------------
TILL_ORDERS = ("SELECT order_id AS number, type AS kind, status, ordered_at AS at, business_date, "
               "original_id AS original, subtotal, discount, tax, rounding, total "
               "FROM orders WHERE stream_id = ? AND {where} ORDER BY order_id")  # where: one of these three
WHERE_NUMBER = "order_id = ?"
WHERE_DAY = "business_date = ?"
WHERE_RETURNS_OF = "type = 'return' AND status = 'completed' AND original_id = ?"
TILL_ORDER_LINES = ("SELECT order_id, sku, name, quantity, unit_price, discount, tax, tax_code, amount "
                    "FROM order_lines WHERE stream_id = ? AND order_id IN (SELECT unnest(?)) "
                    "ORDER BY order_id, line_no")
TILL_ORDER_PAYMENTS = ("SELECT order_id, method, amount FROM order_payments WHERE stream_id = ? AND order_id IN "
                       "(SELECT unnest(?)) ORDER BY order_id, seq")

# -- closing a day (sales.py) ------------------------------------------------------------------
DAY_CLOSE = ("SELECT closed_at, opening_float, counted_cash FROM day_closes WHERE stream_id = ? AND pos_store_id = ? "
             "AND business_date = ?")
CLOSES_POSTED = ("SELECT coalesce(sum(posted), 0) AS posted FROM till_closes WHERE stream_id = ? AND pos_store_id = ? "
                 "AND business_date = ?")
CLOSE_INSERT = (
    "INSERT INTO till_closes (stream_id, pos_store_id, business_date, closed_at, closed_by, opening_float, "
    "expected_cash, counted_cash, over_short, posted, journal_entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
CLOSES = ("SELECT closed_at, closed_by, opening_float, expected_cash, counted_cash, over_short, posted "
          "FROM till_closes WHERE stream_id = ? AND pos_store_id = ? AND business_date = ? ORDER BY id")
DAY_DIGESTS = "SELECT id FROM digests WHERE stream_id = ? AND business_date = ?"
