"""The SQL that works out a digest listing: stream, location, attention reasons and status.

One definition for `flowtui digests`, the console (:mod:`flowtui.engine.digests.store`, with
``$`` parameters and a ``{page}`` cut) and the notebooks' ``v_digests`` view
(:mod:`flowtui.engine.storage.views`, which binds the parameters to "everything, now").
Imports nothing, so the storage layer can build the views from it.

``ROWS_SQL`` is the console's lean twin: the same rows and statuses, but it only
asks *whether* a digest needs attention (semi-joins) instead of writing out the
reasons, so listing 100,000 digests by status costs a quarter as much. The two
share their filters, the attention rules' tables and the status order (the
fragments below); tests/test_digests.py checks they agree for every status.

An open rejection (:mod:`flowtui.engine.pipeline.rejections`) on a digest's day — its
own day, or a day in the scope of an entry whose day could not be read — puts
the digest in need of attention even when it is posted or changed. So does a
day the source handed over only in part (a rejection keyed ``short:``, whose
reason is the source's).
"""

from __future__ import annotations

import re

from flowtui.engine.core.accounts import POSTING_CATEGORIES

# -- fragments both listings are built from ---------------------------------------------
_FILTERS = """    WHERE ($stream IS NULL OR s.name = $stream)
      AND ($location IS NULL OR l.name = $location OR d.pos_store_id = $location)
      AND ($start IS NULL OR d.business_date >= $start)
      AND ($end IS NULL OR d.business_date <= $end)
      AND ($ids IS NULL OR d.id IN (SELECT unnest($ids)))
"""
_MISSING = f"""missing AS (  -- posting categories a stream has no account for (usually none)
    SELECT s.id AS stream_id, c.category
    FROM streams s
    CROSS JOIN (VALUES {", ".join(f"('{c}')" for c in POSTING_CATEGORIES)}) c(category)
    WHERE NOT EXISTS (SELECT 1 FROM account_mappings am WHERE am.stream_id = s.id AND am.category = c.category)
      AND NOT EXISTS (SELECT 1 FROM account_defaults ad WHERE ad.category = c.category)
),
"""
_USED_CATEGORY = """    WHERE CASE m.category WHEN 'sales' THEN b.order_count > 0 WHEN 'returns' THEN b.returns <> 0
                          WHEN 'discount' THEN b.discount <> 0 WHEN 'service_charge' THEN b.service_charge <> 0
                          WHEN 'tax' THEN b.tax <> 0 ELSE b.rounding <> 0 END
"""
_REJECTED = """rejected AS (  -- (digest, open rejection): the rejection's own day, or the days an entry may belong to
    SELECT b.id AS digest_id, r.id AS rejection_id, r.ref, true AS dated,
           starts_with(r.order_key, 'short:') AS short, r.errors[1] AS reason  -- short: a day handed over in part
    FROM order_rejections r
    JOIN {scope} b ON r.stream_id = b.stream_id AND r.pos_store_id = b.pos_store_id AND r.business_date = b.business_date
    WHERE r.resolved_at IS NULL
    UNION ALL  -- no day (or no store) could be read: every store's days in its scope (open rejections: few)
    SELECT b.id, r.id, r.ref, r.business_date IS NOT NULL, starts_with(r.order_key, 'short:'), r.errors[1]
    FROM (SELECT * FROM order_rejections WHERE resolved_at IS NULL AND (business_date IS NULL OR pos_store_id IS NULL)) r
    JOIN {scope} b ON r.stream_id = b.stream_id AND (r.pos_store_id IS NULL OR r.pos_store_id = b.pos_store_id)
        AND b.business_date >= coalesce(r.business_date, r.scope_from, b.business_date)
        AND b.business_date <= coalesce(r.business_date, r.scope_to, b.business_date)
),
"""
_CLOSES = """    LEFT JOIN day_closes c
        ON c.stream_id = b.stream_id AND c.pos_store_id = b.pos_store_id AND c.business_date = b.business_date
"""
_STATUS = """    CASE WHEN p.posted_version IS NOT NULL AND {rejected} THEN 'needs_attention'  -- held open, posted or not
         WHEN p.posted_version = d.version THEN 'posted'
         WHEN p.posted_version IS NOT NULL THEN 'changed'
         WHEN d.business_date >= d.local_today AND NOT d.closed THEN 'open'
         WHEN {attention} THEN 'needs_attention'
         ELSE 'ready' END AS status,
"""


def _status(attention: str, rejected: str) -> str:
    return _STATUS.replace("{attention}", attention).replace("{rejected}", rejected)


_POSTED_AND_INVOICE = """LEFT JOIN (
    SELECT digest_id, max(digest_version) AS posted_version FROM postings WHERE reversed_at IS NULL GROUP BY digest_id
) p ON p.digest_id = d.id
LEFT JOIN (
    SELECT digest_id, arg_min(number, (kind <> 'invoice', id)) AS invoice_number FROM documents
    WHERE status = 'posted' AND coalesce(role, 'original') <> 'reversal' GROUP BY digest_id
) n ON n.digest_id = d.id
"""

# Everything a listing row needs, with attention reasons and status worked out.
DIGESTS_SQL = """
WITH base AS (
  SELECT * FROM (
    SELECT d.*, s.name AS stream, m.location_id, l.name AS location,
           coalesce(l.timezone, $default_tz) AS tz
    FROM digests d
    JOIN streams s ON s.id = d.stream_id
    LEFT JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
    LEFT JOIN locations l ON l.id = m.location_id
""" + _FILTERS + """  ) {page}
),
pay AS (
    SELECT p.digest_id,
           list('payment method "' || p.method || '" is not mapped to an account (flowtui map payment "'
                || b.stream || '" "' || p.method || '" --account CODE)' ORDER BY p.method) AS reasons
    FROM digest_payments p JOIN base b ON b.id = p.digest_id
    WHERE NOT EXISTS (SELECT 1 FROM payment_mappings pm WHERE pm.stream_id = b.stream_id AND pm.pos_method = p.method)
      AND NOT EXISTS (SELECT 1 FROM payment_methods g WHERE lower(g.name) = lower(p.method))
    GROUP BY p.digest_id
),
""" + _MISSING + """acct AS (
    SELECT b.id AS digest_id,
           list('no account for "' || m.category || '" (flowtui map account "' || b.stream || '" '
                || m.category || ' --account CODE)' ORDER BY m.category) AS reasons
    FROM base b JOIN missing m ON m.stream_id = b.stream_id
""" + _USED_CATEGORY + """    GROUP BY b.id
),
today AS (  -- "today" once per time zone, not once per digest
    SELECT tz, (CAST($now AS TIMESTAMPTZ) AT TIME ZONE tz)::DATE AS local_today FROM (SELECT DISTINCT tz FROM base)
),
""" + _REJECTED.replace("{scope}", "base") + """rej AS (
    SELECT digest_id, count(*) FILTER (WHERE dated AND NOT short) AS orders,
           min(ref) FILTER (WHERE dated AND NOT short) AS first_order,
           arg_min(rejection_id, ref) FILTER (WHERE dated AND NOT short) AS first_order_id,
           arg_min(reason, ref) FILTER (WHERE short) AS short_reason,
           arg_min(rejection_id, ref) FILTER (WHERE short) AS short_id,
           count(*) FILTER (WHERE NOT dated) AS entries, min(ref) FILTER (WHERE NOT dated) AS first_entry,
           arg_min(rejection_id, ref) FILTER (WHERE NOT dated) AS first_entry_id
    FROM rejected GROUP BY digest_id
),
described AS (
    SELECT b.*,
        list_concat(
            CASE WHEN b.location_id IS NULL THEN ['POS store "' || b.pos_store_id
                || '" is not mapped to a location (flowtui map location "' || b.stream || '" "'
                || b.pos_store_id || '" --location NAME)'] ELSE [] END,
            coalesce(pay.reasons, []),
            coalesce(acct.reasons, []),
            CASE WHEN rej.orders > 0 THEN [rej.orders || ' order(s) of this day were rejected (first: '
                || rej.first_order || '); fix them at the source and sync again, or dismiss on the record: '
                || 'flowtui rejections dismiss ' || rej.first_order_id || ' --reason TEXT (all: flowtui rejections '
                || '--stream "' || b.stream || '")'] ELSE [] END,
            CASE WHEN rej.entries > 0 THEN [rej.entries || CASE WHEN rej.entries = 1 THEN ' entry' ELSE ' entries' END
                || ' that could not be read may belong to this day (first: ' || rej.first_entry
                || '); fix the file and sync again, or dismiss on the record: flowtui rejections dismiss '
                || rej.first_entry_id || ' --reason TEXT (all: flowtui rejections --stream "' || b.stream || '")']
                ELSE [] END,
            CASE WHEN rej.short_id IS NOT NULL THEN [rej.short_reason || ' Check the day at the source; when it is '
                || 'complete, dismiss on the record: flowtui rejections dismiss ' || rej.short_id || ' --reason TEXT']
                ELSE [] END
        ) AS attention,
        rej.digest_id IS NOT NULL AS rejected,
        t.local_today,
        c.stream_id IS NOT NULL AS closed
    FROM base b
    JOIN today t ON t.tz = b.tz
""" + _CLOSES + """    LEFT JOIN pay ON pay.digest_id = b.id
    LEFT JOIN acct ON acct.digest_id = b.id
    LEFT JOIN rej ON rej.digest_id = b.id
)
SELECT d.*,
""" + _status("len(d.attention) > 0", "d.rejected") + """    n.invoice_number, p.posted_version
FROM described d
""" + _POSTED_AND_INVOICE

# The console's rows (DigestRow's columns) and status, without the attention reasons.
# ``{page}`` cuts the digests before their status is worked out; ``{scope}`` is where the
# attention checks look and ``{methods}`` the payment methods they check: see ``ROWS_PAGE``
# and ``ROWS_ALL``.
ROWS_SQL = """
WITH base AS (
  SELECT * FROM (
    SELECT d.id, d.stream_id, d.pos_store_id, d.business_date, d.version, d.order_count, d.return_count,
           d.returns, d.discount, d.service_charge, d.tax, d.rounding, d.net_total, d.created_at,
           s.name AS stream, m.location_id, l.name AS location,
           coalesce(l.local_today, (CAST($now AS TIMESTAMPTZ) AT TIME ZONE $default_tz)::DATE) AS local_today
    FROM digests d
    JOIN streams s ON s.id = d.stream_id
    LEFT JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
    LEFT JOIN (  -- "today" once per location, not once per digest
        SELECT id, name, (CAST($now AS TIMESTAMPTZ) AT TIME ZONE coalesce(timezone, $default_tz))::DATE AS local_today
        FROM locations
    ) l ON l.id = m.location_id
""" + _FILTERS + """  ) {page}
),
unmapped AS (  -- (stream, payment method) pairs that no mapping sends to an account
    SELECT s.id AS stream_id, x.method
    FROM streams s CROSS JOIN ({methods}) x
    WHERE NOT EXISTS (SELECT 1 FROM payment_mappings pm WHERE pm.stream_id = s.id AND pm.pos_method = x.method)
      AND NOT EXISTS (SELECT 1 FROM payment_methods g WHERE lower(g.name) = lower(x.method))
),
""" + _MISSING + _REJECTED + """flagged AS (  -- an unmapped payment method or a missing account
    SELECT p.digest_id AS id
    FROM digest_payments p
    JOIN {scope} b ON b.id = p.digest_id
    JOIN unmapped u ON u.stream_id = b.stream_id AND u.method = p.method
    UNION
    SELECT b.id FROM {scope} b JOIN missing m ON m.stream_id = b.stream_id
""" + _USED_CATEGORY + """),
described AS (
    SELECT b.*, b.location_id IS NULL OR f.id IS NOT NULL OR r.digest_id IS NOT NULL AS needs_attention,
           r.digest_id IS NOT NULL AS rejected, c.stream_id IS NOT NULL AS closed
    FROM base b
""" + _CLOSES + """    LEFT JOIN (SELECT DISTINCT id FROM flagged) f ON f.id = b.id
    LEFT JOIN (SELECT DISTINCT digest_id FROM rejected) r ON r.digest_id = b.id
)
SELECT d.id, d.stream, d.location, d.pos_store_id, d.business_date, d.order_count, d.return_count, d.net_total,
       d.created_at,
""" + _status("d.needs_attention", "d.rejected") + """    n.invoice_number
FROM described d
""" + _POSTED_AND_INVOICE

# A page of digests: only its own digests and payment methods are looked at.
ROWS_PAGE = {"scope": "base", "methods": "SELECT DISTINCT p.method FROM digest_payments p JOIN base b ON b.id = p.digest_id"}
# All the digests that match (to pick those of a status): every digest and method, no copies made.
ROWS_ALL = {"page": "", "scope": "digests", "methods": "SELECT DISTINCT method FROM digest_payments"}


def bound(values: dict[str, str]) -> str:
    """``DIGESTS_SQL`` with every ``$name`` replaced by the SQL expression ``values[name]`` and no page cut."""
    return re.sub(r"\$(\w+)", lambda m: values[m.group(1)], DIGESTS_SQL.format(page=""))
