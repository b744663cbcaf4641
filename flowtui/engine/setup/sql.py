"""The setup package's SQL: streams, their stores and mappings, unmapping, the company profile.

A statement that reads the ledger's tables (``documents``, ``postings``...) is a *crossing*,
named ``CROSSING_*`` and listed in docs/storage.md.

Statements take ``?`` or ``$name`` parameters; a ``{name}`` in one is one of our own
fragments filled in by the caller (never user input).
"""

from __future__ import annotations

# -- streams (streams.py) ----------------------------------------------------------------------
_STREAM_COLUMNS = ("id, name, provider, store_name, config, auto_sync, auto_invoice, grouping, "
                   "start_date, lookback_days, cursor_date, created_at, archived_at")
STREAM_INSERT = ("INSERT INTO streams (name, provider, store_name, config, auto_sync, auto_invoice, grouping, "
                 "start_date, lookback_days, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
STREAM_UPDATE = "UPDATE streams SET {column} = ? WHERE id = ?"  # column names are ours
STREAM_SET_CURSOR = "UPDATE streams SET cursor_date = ? WHERE id = ?"
STREAM_NAMES = "SELECT name FROM streams ORDER BY name"
STREAM_BY_NAME = f"SELECT {_STREAM_COLUMNS} FROM streams WHERE name = ?"
STREAMS_ALL = f"SELECT {_STREAM_COLUMNS} FROM streams ORDER BY name"
STREAMS_IN_USE = f"SELECT {_STREAM_COLUMNS} FROM streams WHERE archived_at IS NULL ORDER BY name"
STREAM_ARCHIVE = "UPDATE streams SET archived_at = ? WHERE id = ?"
LAST_SYNC_RUNS = """
            SELECT stream_id, status, coalesce(finished_at, started_at) AS at, error, warnings
            FROM sync_runs
            QUALIFY row_number() OVER (PARTITION BY stream_id ORDER BY id DESC) = 1
            """

# -- stores and mappings (mapping.py) ----------------------------------------------------------
STORES = """
        SELECT s.pos_store_id, s.name, l.name AS location,
               (SELECT count(*) FROM orders o WHERE o.stream_id = s.stream_id AND o.pos_store_id = s.pos_store_id)
                   AS orders
        FROM stream_stores s
        LEFT JOIN location_mappings m ON m.stream_id = s.stream_id AND m.pos_store_id = s.pos_store_id
        LEFT JOIN locations l ON l.id = m.location_id
        WHERE s.stream_id = ?
        ORDER BY s.pos_store_id
        """
REMEMBER_STORE = (
    "INSERT INTO stream_stores (stream_id, pos_store_id, name, first_seen_at, service_charge_tax_code) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET name = coalesce(EXCLUDED.name, stream_stores.name), "
    "service_charge_tax_code = coalesce(EXCLUDED.service_charge_tax_code, stream_stores.service_charge_tax_code)")
LOCATION_MAPPING = ("SELECT contact_id, number_format, credit_note_format FROM location_mappings "
                    "WHERE stream_id = ? AND pos_store_id = ?")
LOCATION_MAPPING_UPSERT = (
    "INSERT INTO location_mappings (stream_id, pos_store_id, location_id, contact_id, number_format, "
    "credit_note_format) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET location_id = EXCLUDED.location_id, "
    "contact_id = EXCLUDED.contact_id, number_format = EXCLUDED.number_format, "
    "credit_note_format = EXCLUDED.credit_note_format")
STORE_SEEN = ("INSERT INTO stream_stores (stream_id, pos_store_id, first_seen_at) VALUES (?, ?, ?) "
              "ON CONFLICT DO NOTHING")
STORE_LOCATION = ("SELECT l.name, l.timezone FROM location_mappings m JOIN locations l ON l.id = m.location_id "
                  "WHERE m.stream_id = ? AND m.pos_store_id = ?")
_STORE = "stream_id = $stream AND pos_store_id = $store"
STORE_DIRTY_DAYS = (f"INSERT INTO dirty_days SELECT DISTINCT stream_id, pos_store_id, business_date FROM orders "
                    f"WHERE {_STORE} ON CONFLICT DO NOTHING")
STORE_REDATE_ORDERS = f"UPDATE orders SET business_date = (ordered_at AT TIME ZONE $tz)::DATE WHERE {_STORE}"
STORE_REDATE_CHILD = """
            UPDATE {child} SET business_date = o.business_date
            FROM orders o
            WHERE {child}.stream_id = $stream AND {child}.pos_store_id = $store
              AND o.stream_id = {child}.stream_id AND o.order_id = {child}.order_id
              AND {child}.business_date <> o.business_date
            """  # child: order_lines or order_payments
PAYMENT_MAPPING_UPSERT = ("INSERT INTO payment_mappings VALUES (?, ?, ?) "
                          "ON CONFLICT DO UPDATE SET account_code = EXCLUDED.account_code")
ACCOUNT_MAPPING_UPSERT = ("INSERT INTO account_mappings VALUES (?, ?, ?) "
                          "ON CONFLICT DO UPDATE SET account_code = EXCLUDED.account_code")
LOCATION_MAPPINGS = """
            WITH ids AS (
                SELECT pos_store_id FROM stream_stores WHERE stream_id = $s
                UNION SELECT pos_store_id FROM location_mappings WHERE stream_id = $s
            )
            SELECT i.pos_store_id, st.name AS store_name, l.name AS location, l.timezone, c.name AS contact,
                   m.number_format
            FROM ids i
            LEFT JOIN stream_stores st ON st.stream_id = $s AND st.pos_store_id = i.pos_store_id
            LEFT JOIN location_mappings m ON m.stream_id = $s AND m.pos_store_id = i.pos_store_id
            LEFT JOIN locations l ON l.id = m.location_id
            LEFT JOIN contacts c ON c.id = m.contact_id
            ORDER BY i.pos_store_id
            """
PAYMENT_MAPPINGS = """
            WITH seen AS (
                SELECT DISTINCT method FROM order_payments WHERE stream_id = $s
                UNION SELECT pos_method FROM payment_mappings WHERE stream_id = $s
            )
            SELECT seen.method AS pos_method,
                   coalesce(pm.account_code, g.account_code) AS account,
                   CASE WHEN pm.account_code IS NOT NULL THEN 'stream'
                        WHEN g.account_code IS NOT NULL THEN 'default' END AS source
            FROM seen
            LEFT JOIN payment_mappings pm ON pm.stream_id = $s AND pm.pos_method = seen.method
            LEFT JOIN payment_methods g ON lower(g.name) = lower(seen.method)
            ORDER BY seen.method
            """
ACCOUNT_DEFAULTS = "SELECT category, account_code FROM account_defaults"
ACCOUNT_MAPPINGS = "SELECT category, account_code FROM account_mappings WHERE stream_id = ?"
SERVICE_CHARGE_CODES = ("SELECT pos_store_id, service_charge_tax_code FROM stream_stores "
                        "WHERE stream_id = ? AND service_charge_tax_code IS NOT NULL ORDER BY 1")

# -- taking mappings away (unmap.py) -----------------------------------------------------------
MAPPED_STORES = "SELECT pos_store_id FROM location_mappings WHERE stream_id = ? ORDER BY 1"
# A store with posted documents keeps its location: the first such document's number.
CROSSING_STORE_FIRST_DOCUMENT = ("SELECT d.number FROM documents d JOIN digests g ON g.id = d.digest_id "
                                 "WHERE g.stream_id = ? AND g.pos_store_id = ? ORDER BY d.id LIMIT 1")
LOCATION_MAPPING_DELETE = "DELETE FROM location_mappings WHERE stream_id = ? AND pos_store_id = ?"
MAPPED_PAYMENTS = "SELECT pos_method FROM payment_mappings WHERE stream_id = ? ORDER BY 1"
PAYMENT_MAPPING_DELETE = "DELETE FROM payment_mappings WHERE stream_id = ? AND pos_method = ?"
PAYMENT_METHOD_ACCOUNT = "SELECT account_code FROM payment_methods WHERE lower(name) = lower(?)"
ACCOUNT_MAPPING_EXISTS = "SELECT 1 AS found FROM account_mappings WHERE stream_id = ? AND category = ?"
ACCOUNT_MAPPING_DELETE = "DELETE FROM account_mappings WHERE stream_id = ? AND category = ?"
ACCOUNT_DEFAULT = "SELECT account_code FROM account_defaults WHERE category = ?"

# -- the company profile (company.py) ----------------------------------------------------------
SETTING_DELETE = "DELETE FROM settings WHERE key = ?"
