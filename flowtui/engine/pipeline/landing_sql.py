"""The SQL of landing, built once from the canonical order's check lists.

Statements run in order against the registered Arrow table ``batch`` (see
:mod:`flowtui.engine.pipeline.landing`); ``$name`` parameters are bound by the caller.
"""

from __future__ import annotations

import json

from flowtui.engine.core.orders import (
    ARITHMETIC_CHECKS,
    EARLIEST_TIME,
    LINE_CHECKS,
    NUMBER_TEXT_CHECKS,
    NUMBER_TEXT_STRUCTURE,
    ORDER_CHECKS,
    PAYMENT_CHECKS,
    TIME_PATTERN,
    Check,
    structure_json,
)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _error(check: Check, path_sql: str) -> str:
    message = _quote(check.message)
    if check.detail:
        message = f"{message} || ': ' || ({check.detail})"
    return f"CASE WHEN {check.failing} THEN {{'path': {path_sql}, 'msg': {message}}} END"


def _field_errors_sql() -> str:
    order = [_error(c, _quote(c.path) if c.path else "NULL") for c in ORDER_CHECKS]
    line = [_error(c, f"'$.lines[' || (i - 1) || '].{c.path}'") for c in LINE_CHECKS]
    payment = [_error(c, f"'$.payments[' || (i - 1) || '].{c.path}'") for c in PAYMENT_CHECKS]
    return (
        f"[{', '.join(order)}]"
        f" || flatten(list_transform(coalesce(lines, []), lambda l, i: [{', '.join(line)}]))"
        f" || flatten(list_transform(coalesce(payments, []), lambda p, i: [{', '.join(payment)}]))"
    )


def _text_error(value: str, path_sql: str) -> str:
    """The reason a number written as ``value`` (its JSON text) is not one, from :data:`NUMBER_TEXT_CHECKS`."""
    text = f"({value}::VARCHAR)"
    cases = " ".join(f"WHEN {c.failing.format(v=text)} THEN {{'path': {path_sql}, 'msg': {_quote(c.message)}}}"
                     for c in NUMBER_TEXT_CHECKS)
    return f"CASE WHEN {value} IS NULL THEN NULL {cases} END"


def _text_errors_sql() -> str:
    """Over ``t``, the order's numbers as their JSON text (:data:`NUMBER_TEXT_STRUCTURE`)."""
    shape = NUMBER_TEXT_STRUCTURE
    order = [_text_error(f"t.{k}", _quote(f"$.{k}")) for k, v in shape.items() if v == "JSON"]
    line = [_text_error(f"tl.{k}", f"'$.lines[' || (i - 1) || '].{k}'") for k in shape["lines"][0]]
    payment = [_text_error(f"tp.{k}", f"'$.payments[' || (i - 1) || '].{k}'") for k in shape["payments"][0]]
    return (
        f"[{', '.join(order)}]"
        f" || flatten(list_transform(coalesce(t.lines, []), lambda tl, i: [{', '.join(line)}]))"
        f" || flatten(list_transform(coalesce(t.payments, []), lambda tp, i: [{', '.join(payment)}]))"
    )


def _arithmetic_errors_sql() -> str:
    return "[" + ", ".join(_error(c, "NULL") for c in ARITHMETIC_CHECKS) + "]"


def _failing_sql() -> str:
    """True when any check fails: the cheap test every order goes through."""
    def any_of(checks):
        return " OR ".join(f"coalesce({c.failing}, false)" for c in checks)

    return (
        f"({any_of(ORDER_CHECKS)})"
        f" OR coalesce(list_bool_or(list_transform(lines, lambda l, i: {any_of(LINE_CHECKS)})), false)"
        f" OR coalesce(list_bool_or(list_transform(payments, lambda p, i: {any_of(PAYMENT_CHECKS)})), false)"
        f" OR ({any_of(ARITHMETIC_CHECKS)})"
    )


# (worked out wide, and NULL when too large for an amount: the line checks reject it)
_LINE_AMOUNT = ("coalesce(l.amount, TRY_CAST(round(l.quantity::DECIMAL(38,6) * l.unit_price "
                "- coalesce(l.discount, 0::DECIMAL(18,6)), 2) AS DECIMAL(18,6)))")

# Text that may hide a number written loosely (``true``, ``" 21.20 "``): such an order is examined like a suspect
# one (and lands if nothing is wrong after all). Looking for a few substrings costs far less than reading every
# number's text; canonical orders have no booleans, and their strings rarely start or end with a space. (No
# pattern starts with a quote, JSON's commonest character: that is what keeps looking for them cheap.)
_LOOSE = ("coalesce(contains(payload, 'true') OR contains(payload, 'false') OR contains(payload, ':\" ') "
          "OR contains(payload, ': \" ') OR contains(payload, ' \",') OR contains(payload, ' \"}'), false)")

# Parse every order once, with the values the arithmetic checks need and a
# ``suspect`` flag; only suspect orders are examined in detail (``_CHECK_SQL``).
# Landing keeps the result as the temporary table ``stg``.
_PARSE = f"TRY(json_transform(payload, {_quote(structure_json())}))"


def _stage_sql(typed: bool) -> str:
    """``typed``: the batch has a ``parsed`` column, the orders its source already read (JSON only where NULL)."""
    _parse = f"CASE WHEN parsed IS NOT NULL THEN parsed ELSE {_PARSE} END" if typed else _PARSE
    _or_typed = "OR parsed IS NOT NULL" if typed else ""
    return f"""
WITH parsed AS (
    SELECT seq, pre_error, hash(body) AS h, j IS NULL AS bad_json, loose, j.*, TRY_CAST(j.time AS TIMESTAMPTZ) AS ts
    FROM (
        SELECT seq, pre_error, coalesce(raw, payload) AS body, {_parse} AS j, {_LOOSE} AS loose
        FROM batch
        WHERE pre_error IS NOT NULL {_or_typed} OR length(payload) > 8
           OR length(trim(payload, ' ' || chr(9) || chr(10) || chr(13))) > 0
    )
),
valued AS (
    SELECT *,
           list_sum(list_transform(lines, lambda l: {_LINE_AMOUNT})) AS line_sum,
           coalesce(list_sum(list_transform(payments, lambda p: p.amount)), 0) AS pay_sum,
           coalesce(discount, 0::DECIMAL(18,6)) AS discount_v,
           coalesce(service_charge, 0::DECIMAL(18,6)) AS service_charge_v,
           coalesce(shipping, 0::DECIMAL(18,6)) AS shipping_v,
           coalesce(tax, 0::DECIMAL(18,6)) AS tax_v,
           coalesce(tip, 0::DECIMAL(18,6)) AS tip_v,
           coalesce(rounding, 0::DECIMAL(18,6)) AS rounding_v,
           coalesce(status, 'completed') AS status_v,
           coalesce(type, 'sale') AS type_v,
           coalesce(ts IS NOT NULL AND regexp_full_match(time, {_quote(TIME_PATTERN)}), false) AS time_ok,
           coalesce(ts >= {_quote(EARLIEST_TIME)}::TIMESTAMPTZ AND ts <= $latest, false) AS ts_ok
    FROM parsed
),
defaulted AS (
    SELECT *, coalesce(subtotal, line_sum) AS subtotal_v FROM valued
),
checked AS (
    SELECT *, coalesce({_failing_sql()}, false) AS failing FROM defaulted
)
SELECT *, pre_error IS NOT NULL OR bad_json OR failing OR loose AS suspect
FROM checked
"""


STAGE_SQL = _stage_sql(typed=False)
STAGE_TYPED_SQL = _stage_sql(typed=True)

_TEXT_PARSE = f"TRY(json_transform(b.payload, {_quote(json.dumps(NUMBER_TEXT_STRUCTURE))}))"

# Each suspect order's errors: what its values break and how its numbers are written (a number written loosely
# gives that reason in place of what its value breaks), else the arithmetic.
CHECK_SQL = f"""
CREATE OR REPLACE TEMP TABLE chk AS
WITH fields AS (
    SELECT *, list_filter({_field_errors_sql()}, lambda e: e IS NOT NULL) AS value_errs,
           list_filter({_text_errors_sql()}, lambda e: e IS NOT NULL) AS text_errs
    FROM (SELECT s.*, {_TEXT_PARSE} AS t FROM stg s JOIN batch b USING (seq)
          WHERE s.suspect AND s.pre_error IS NULL AND NOT s.bad_json)
),
merged AS (
    SELECT seq, status_v, total, subtotal, subtotal_v, discount_v, service_charge_v, shipping_v, tax_v, tip_v,
           rounding_v,
           line_sum, pay_sum,
           list_filter(value_errs, lambda e: e.path IS NULL OR NOT list_contains(text_paths, e.path)) || text_errs
               AS errs
    FROM (SELECT *, list_transform(text_errs, lambda e: e.path) AS text_paths FROM fields)
)
SELECT seq, CASE WHEN len(errs) > 0 THEN errs
                 ELSE list_filter({_arithmetic_errors_sql()}, lambda e: e IS NOT NULL) END AS errs
FROM merged
"""

# An order examined only because its text looked loose, in which nothing was wrong, lands after all.
CLEARED_SQL = """
UPDATE stg SET suspect = false
WHERE loose AND NOT failing AND seq IN (SELECT seq FROM chk WHERE len(errs) = 0)
"""

# Valid orders with their business date, last occurrence of an id winning.
GOOD_SQL = """
CREATE OR REPLACE TEMP TABLE good AS
SELECT s.seq, s.id, s.h, s.store_id, (s.ts AT TIME ZONE coalesce(z.timezone, $default_tz))::DATE AS bd
FROM stg s
LEFT JOIN (
    SELECT m.pos_store_id, l.timezone
    FROM location_mappings m JOIN locations l ON l.id = m.location_id
    WHERE m.stream_id = $stream
) z ON z.pos_store_id = s.store_id
WHERE NOT s.suspect
"""

DEDUPE_SQL = """
DELETE FROM good WHERE seq IN (
    SELECT seq FROM good QUALIFY row_number() OVER (PARTITION BY id ORDER BY seq DESC) > 1
)
"""

CLASSIFY_SQL = """
CREATE OR REPLACE TEMP TABLE cls AS
SELECT g.seq, g.id, g.bd, g.store_id, g.h,
       o.version AS old_version, o.pos_store_id AS old_store, o.business_date AS old_bd,
       o.landed_at AS old_landed_at,
       CASE WHEN o.order_id IS NULL THEN 'new'
            WHEN o.content_hash = g.h THEN 'unchanged'
            ELSE 'changed' END AS kind
FROM good g
LEFT JOIN orders o ON o.stream_id = $stream AND o.order_id = g.id
WHERE ($start IS NULL OR g.bd >= $start) AND ($end IS NULL OR g.bd <= $end)
"""

STALE_SQL = """
UPDATE cls SET kind = 'stale'
WHERE kind = 'changed' AND id IN (
    SELECT r.order_id FROM raw_orders r
    JOIN cls c ON c.id = r.order_id AND c.kind = 'changed'
    JOIN good g ON g.seq = c.seq AND g.h = r.content_hash
    WHERE r.stream_id = $stream
)
"""

WRITE_SQL = (
    """
INSERT INTO dirty_days
SELECT DISTINCT $stream, c.store_id, c.bd FROM cls c WHERE c.kind IN ('new', 'changed')
UNION
SELECT DISTINCT $stream, c.old_store, c.old_bd FROM cls c WHERE c.kind = 'changed'
ON CONFLICT DO NOTHING
""",
    """
DELETE FROM order_lines WHERE stream_id = $stream AND order_id IN (SELECT id FROM cls WHERE kind = 'changed')
""",
    """
DELETE FROM order_payments WHERE stream_id = $stream AND order_id IN (SELECT id FROM cls WHERE kind = 'changed')
""",
    """
DELETE FROM orders WHERE stream_id = $stream AND order_id IN (SELECT id FROM cls WHERE kind = 'changed')
""",
    """
INSERT INTO orders
SELECT $stream, s.id, coalesce(s.number, s.id), s.store_id, s.ts, c.bd,
       s.type_v, s.status_v,
       s.original_id, s.original_number, s.channel,
       s.subtotal_v, s.discount_v, s.service_charge_v, s.tax_v, s.rounding_v, s.total,
       coalesce(c.old_version, 0) + 1, s.h, $run, coalesce(c.old_landed_at, $now), $now,
       s.shipping_v, s.tip_v  -- (migration 14 added them last)
FROM cls c JOIN stg s USING (seq)
WHERE c.kind IN ('new', 'changed')
ORDER BY c.bd
""",
    f"""
INSERT INTO order_lines
SELECT $stream, id, i, store_id, bd, type_v, status_v,
       nullif(trim(l.sku), ''), nullif(trim(l.product_id), ''), l.name, l.quantity, l.unit_price,
       coalesce(l.discount, 0::DECIMAL(18,6)), coalesce(l.tax, 0::DECIMAL(18,6)), l.tax_code,
       {_LINE_AMOUNT}
FROM (
    SELECT s.id, s.store_id, c.bd, s.type_v, s.status_v, unnest(s.lines) AS l, generate_subscripts(s.lines, 1) AS i
    FROM cls c JOIN stg s USING (seq)
    WHERE c.kind IN ('new', 'changed')
)
ORDER BY bd
""",
    """
INSERT INTO order_payments
SELECT $stream, id, i, store_id, bd, type_v, status_v, trim(p.method), p.amount
FROM (
    SELECT s.id, s.store_id, c.bd, s.type_v, s.status_v, unnest(s.payments) AS p, generate_subscripts(s.payments, 1) AS i
    FROM cls c JOIN stg s USING (seq)
    WHERE c.kind IN ('new', 'changed')
)
ORDER BY bd
""",
    """
INSERT INTO raw_batches VALUES ($batch_id, $stream, $run, $now, $source, $first_line, $chunk_size)
""",
    """
INSERT INTO raw_orders
SELECT $stream, c.id, coalesce(c.old_version, 0) + 1, c.h, $batch_id, c.seq, b.ref
FROM cls c JOIN batch b USING (seq)
WHERE c.kind IN ('new', 'changed') AND $source IS NULL
""",
    """
INSERT INTO raw_orders
SELECT $stream, c.id, coalesce(c.old_version, 0) + 1, c.h, $batch_id, c.seq, NULL
FROM cls c
WHERE c.kind IN ('new', 'changed') AND $source IS NOT NULL
""",
    """
INSERT INTO raw_chunks
SELECT $batch_id, chunk_no, data FROM chunks
WHERE chunk_no IN (SELECT DISTINCT seq // $chunk_size FROM cls WHERE kind IN ('new', 'changed'))
""",
    """
INSERT INTO stream_stores (stream_id, pos_store_id, name, first_seen_at)
SELECT $stream, s.store_id, max(s.store_name), $now FROM good g JOIN stg s USING (seq) GROUP BY s.store_id
ON CONFLICT DO UPDATE SET name = coalesce(EXCLUDED.name, stream_stores.name)
""",
)

# An order's canonical JSON, for explaining a rejection (typed orders are written out again).
_PAYLOAD = "b.payload"
_TYPED_PAYLOAD = "coalesce(b.payload, to_json(b.parsed)::VARCHAR)"


def _explain_sql(_payload: str) -> str:
    """Each error of each rejected order, with the value at its path; ``read`` when the value is one the source
    read itself (a typed column written out again, e.g. a DECIMAL with six decimals), not the order's own text."""
    _read = "b.payload IS NULL" if _payload == _TYPED_PAYLOAD else "false"
    return f"""
SELECT c.seq, e.path, e.msg,
       CASE WHEN e.path IS NULL THEN NULL ELSE json_exists({_payload}, e.path) END AS found,
       CASE WHEN e.path IS NULL THEN NULL ELSE json_extract_string({_payload}, e.path) END AS value,
       {_read} AS read
FROM (SELECT seq, unnest(errs) AS e, generate_subscripts(errs, 1) AS k FROM chk WHERE len(errs) > 0) c
JOIN batch b USING (seq)
ORDER BY c.seq, c.k
"""


EXPLAIN_SQL = _explain_sql(_PAYLOAD)
EXPLAIN_TYPED_SQL = _explain_sql(_TYPED_PAYLOAD)


def _rejected_sql(_payload: str) -> str:
    """Each rejected entry, dated when its time is in range and says its instant: a time without an offset is
    read as UTC (as before: the nearest day), one with an offset that is not one (``+25:00``) is not dated."""
    return f"""
SELECT s.seq, coalesce(b.ref, $source || ':' || ($first_line + s.seq)) AS ref, s.id, s.store_id,
       CASE WHEN s.ts_ok AND (s.time_ok OR NOT regexp_matches(s.time, '[Tt ][0-9:.]*[+-]'))
            THEN (s.ts AT TIME ZONE coalesce(z.timezone, $default_tz))::DATE END AS bd,
       s.h, s.pre_error, s.bad_json,
       json_valid({_payload}) AS valid_json,
       CASE WHEN json_valid({_payload}) THEN json_type({_payload}) END AS json_kind,
       coalesce(b.raw, {_payload}) AS body
FROM stg s
JOIN batch b USING (seq)
LEFT JOIN (
    SELECT m.pos_store_id, l.timezone
    FROM location_mappings m JOIN locations l ON l.id = m.location_id
    WHERE m.stream_id = $stream
) z ON z.pos_store_id = s.store_id
WHERE s.suspect
ORDER BY s.seq
"""


REJECTED_SQL = _rejected_sql(_PAYLOAD)
REJECTED_TYPED_SQL = _rejected_sql(_TYPED_PAYLOAD)

# -- the batch's bookkeeping between the statements above (landing.py) ---------------------------
STAGE_TABLE_SQL = "CREATE OR REPLACE TEMP TABLE stg AS "  # + STAGE_SQL or STAGE_TYPED_SQL
COUNT_SUSPECTS_SQL = "SELECT count(*) AS n FROM stg WHERE suspect"
COUNT_GOOD_SQL = "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM good"
COUNT_KINDS_SQL = "SELECT kind, count(*) AS n FROM cls GROUP BY kind"
NEXT_BATCH_ID_SQL = "SELECT nextval('raw_batch_ids') AS id"
DAYS_OF_BATCH_SQL = "SELECT min(bd) AS first, max(bd) AS last FROM cls"
DAYS_BY_FILE_SQL = ("SELECT regexp_extract(b.ref, $pattern, 1) AS file, min(c.bd) AS first, max(c.bd) AS last "
                    "FROM cls c JOIN batch b USING (seq) WHERE b.ref IS NOT NULL GROUP BY ALL")

# -- an order that now lands cleanly resolves its earlier rejection (landing_rejects.py) ---------
OPEN_REJECTIONS_SQL = "SELECT count(*) AS n FROM order_rejections WHERE stream_id = ? AND resolved_at IS NULL"
RESOLVED_SQL = """
        CREATE OR REPLACE TEMP TABLE resolved AS
        SELECT o.id AS rejection_id, o.pos_store_id, o.business_date
        FROM order_rejections o
        JOIN cls c ON c.id = o.order_key AND c.kind IN ('new', 'changed', 'unchanged')
        WHERE o.stream_id = $stream AND o.resolved_at IS NULL
    """
RESOLVED_DIRTY_DAYS_SQL = """
        INSERT INTO dirty_days
        SELECT DISTINCT $stream, pos_store_id, business_date FROM resolved
        WHERE pos_store_id IS NOT NULL AND business_date IS NOT NULL
        ON CONFLICT DO NOTHING
    """
RESOLVE_CORRECTED_SQL = ("UPDATE order_rejections SET resolved_at = $now, resolution = 'corrected' "
                         "WHERE id IN (SELECT rejection_id FROM resolved)")
