"""Landing: canonical order JSON -> ``orders``, ``order_lines``, ``order_payments``.

One :func:`land_batch` call is one transaction on one open connection:

1. parse the whole batch once with DuckDB ``json_transform`` (typed columns);
2. run every check of :mod:`flowtui.engine.orders` as SQL, collecting each
   order's errors as values; rejected orders are recorded and reported, the
   rest go on;
3. compute each order's business date in its location's time zone and keep
   only those inside the window;
4. compare with what is landed by (stream, order id) and a content hash:
   *new* and *changed* orders are written (a change replaces the old version
   and bumps ``version``), *unchanged* ones are left alone, and *stale* ones
   (a version we already saw and superseded) are ignored — so landing the
   same data twice, in any order, changes nothing;
5. mark every (store, business date) whose orders changed as dirty, in the
   same transaction, so digests are rebuilt even after a crash.

All of it is set-based SQL over an Arrow table: never row by row.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from flowtui.connectors.base import OrderBatch, Window
from flowtui.engine.orders import (
    ARITHMETIC_CHECKS,
    LINE_CHECKS,
    ORDER_CHECKS,
    PAYMENT_CHECKS,
    Check,
    structure_json,
)
from flowtui.engine.raw import CHUNK, compress_chunks
from flowtui.engine.storage import Connection, run


@dataclass(frozen=True)
class Rejection:
    """An order that did not land, with every reason."""

    ref: str
    order_id: str | None
    errors: tuple[str, ...]

    def describe(self) -> str:
        who = f"order {self.order_id}" if self.order_id else "entry"
        return f"{self.ref}: {who} rejected: " + "; ".join(self.errors)


@dataclass
class LandingResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0
    skipped: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged + self.stale + self.skipped + self.rejected

    def merge(self, other: "LandingResult") -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.skipped += other.skipped
        self.rejections.extend(other.rejections)


# -- SQL built once from the check lists ---------------------------------------


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


_LINE_AMOUNT = "coalesce(l.amount, round(l.quantity * l.unit_price - coalesce(l.discount, 0::DECIMAL(18,6)), 2)::DECIMAL(18,6))"

# Parse every order once, with the values the arithmetic checks need and a
# ``suspect`` flag; only suspect orders are examined in detail (``_CHECK_SQL``).
_STAGE_SQL = f"""
CREATE OR REPLACE TEMP TABLE stg AS
WITH parsed AS (
    SELECT seq, pre_error, hash(body) AS h, j IS NULL AS bad_json, j.*, TRY_CAST(j.time AS TIMESTAMPTZ) AS ts
    FROM (
        SELECT seq, pre_error, coalesce(raw, payload) AS body,
               TRY(json_transform(payload, {_quote(structure_json())})) AS j
        FROM batch
        WHERE pre_error IS NOT NULL OR length(payload) > 8 OR length(trim(payload, ' ' || chr(9) || chr(10) || chr(13))) > 0
    )
),
valued AS (
    SELECT *,
           list_sum(list_transform(lines, lambda l: {_LINE_AMOUNT})) AS line_sum,
           coalesce(list_sum(list_transform(payments, lambda p: p.amount)), 0) AS pay_sum,
           coalesce(discount, 0::DECIMAL(18,6)) AS discount_v,
           coalesce(service_charge, 0::DECIMAL(18,6)) AS service_charge_v,
           coalesce(tax, 0::DECIMAL(18,6)) AS tax_v,
           coalesce(rounding, 0::DECIMAL(18,6)) AS rounding_v,
           coalesce(status, 'completed') AS status_v,
           coalesce(type, 'sale') AS type_v
    FROM parsed
),
defaulted AS (
    SELECT *, coalesce(subtotal, line_sum) AS subtotal_v FROM valued
)
SELECT *, pre_error IS NOT NULL OR bad_json OR ({_failing_sql()}) AS suspect
FROM defaulted
"""

_CHECK_SQL = f"""
CREATE OR REPLACE TEMP TABLE chk AS
WITH fields AS (
    SELECT *, list_filter({_field_errors_sql()}, lambda e: e IS NOT NULL) AS errs
    FROM stg
    WHERE suspect AND pre_error IS NULL AND NOT bad_json
)
SELECT seq, CASE WHEN len(errs) > 0 THEN errs
                 ELSE list_filter({_arithmetic_errors_sql()}, lambda e: e IS NOT NULL) END AS errs
FROM fields
"""

# Valid orders with their business date, last occurrence of an id winning.
_GOOD_SQL = """
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

_DEDUPE_SQL = """
DELETE FROM good WHERE seq IN (
    SELECT seq FROM good QUALIFY row_number() OVER (PARTITION BY id ORDER BY seq DESC) > 1
)
"""

_CLASSIFY_SQL = """
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

_STALE_SQL = """
UPDATE cls SET kind = 'stale'
WHERE kind = 'changed' AND id IN (
    SELECT r.order_id FROM raw_orders r
    JOIN cls c ON c.id = r.order_id AND c.kind = 'changed'
    JOIN good g ON g.seq = c.seq AND g.h = r.content_hash
    WHERE r.stream_id = $stream
)
"""

_WRITE_SQL = (
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
       coalesce(c.old_version, 0) + 1, s.h, $run, coalesce(c.old_landed_at, $now), $now
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
INSERT INTO stream_stores
SELECT $stream, s.store_id, max(s.store_name), $now FROM good g JOIN stg s USING (seq) GROUP BY s.store_id
ON CONFLICT DO UPDATE SET name = coalesce(EXCLUDED.name, stream_stores.name)
""",
)

_EXPLAIN_SQL = """
SELECT c.seq, e.path, e.msg,
       CASE WHEN e.path IS NULL THEN NULL ELSE json_exists(b.payload, e.path) END,
       CASE WHEN e.path IS NULL THEN NULL ELSE json_extract_string(b.payload, e.path) END
FROM (SELECT seq, unnest(errs) AS e, generate_subscripts(errs, 1) AS k FROM chk WHERE len(errs) > 0) c
JOIN batch b USING (seq)
ORDER BY c.seq, c.k
"""

_REJECTED_SQL = """
SELECT s.seq, coalesce(b.ref, $source || ':' || ($first_line + s.seq)) AS ref, s.id, s.store_id,
       CASE WHEN s.ts IS NOT NULL THEN (s.ts AT TIME ZONE coalesce(z.timezone, $default_tz))::DATE END AS bd,
       s.h, s.pre_error, s.bad_json,
       json_valid(b.payload) AS valid_json,
       CASE WHEN json_valid(b.payload) THEN json_type(b.payload) END AS json_kind,
       coalesce(b.raw, b.payload) AS body
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


# -- landing ------------------------------------------------------------------


@dataclass
class PreparedBatch:
    """A batch made ready to land: its Arrow table and its compressed raw payloads.

    Preparing costs CPU but needs no database, so it runs before the file is
    opened (in the sync's prefetch thread).
    """

    table: pa.Table
    chunks: list[bytes]
    source: str | None = None
    first_line: int = 1
    progress: float | None = None
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return self.table.num_rows


def prepare(batch: OrderBatch) -> PreparedBatch:
    packed = _Packed.of(batch.raw if batch.raw is not None else batch.orders)
    return PreparedBatch(
        table=batch_table(batch, packed if batch.raw is None else None),
        chunks=compress_chunks(packed.data, packed.offsets),
        source=batch.source if batch.refs is None else None,
        first_line=batch.first_line,
        progress=batch.progress,
        warnings=list(batch.warnings),
    )


@dataclass(frozen=True)
class _Packed:
    """Payloads laid end to end in one buffer, with where each starts: cheap to hand to Arrow."""

    data: bytes
    offsets: list[int]

    @classmethod
    def of(cls, items: list[bytes | str]) -> "_Packed":
        blobs = items if not items or isinstance(items[0], bytes) else [i.encode("utf-8") for i in items]
        return cls(b"".join(blobs), list(itertools.accumulate(map(len, blobs), initial=0)))

    def strings(self) -> pa.Array:
        """The payloads as an Arrow string array without copying; raises if some are not UTF-8."""
        array = pa.LargeStringArray.from_buffers(
            len(self.offsets) - 1, pa.array(self.offsets, pa.int64()).buffers()[1], pa.py_buffer(self.data)
        )
        array.validate(full=True)
        return array


def batch_table(batch: OrderBatch, packed: _Packed | None = None) -> pa.Table:
    """The batch as an Arrow table: ``seq, ref, payload, raw, pre_error``."""
    count = len(batch.orders)
    errors = list(batch.errors) if batch.errors is not None else [None] * count  # filled in for bad UTF-8
    payload = _text_array(batch.orders, errors, packed)
    seq = pa.array(range(count), pa.int64())
    # line-oriented sources get their refs ("file.ndjson:17") worked out only where needed
    refs = pa.array(batch.refs, pa.string()) if batch.refs is not None else pa.nulls(count, pa.string())
    return pa.table(
        {
            "seq": seq,
            "ref": refs,
            "payload": payload,
            "raw": pa.array(batch.raw, pa.string()) if batch.raw is not None else pa.nulls(count, pa.string()),
            "pre_error": pa.array(errors, pa.string()) if any(errors) else pa.nulls(count, pa.string()),
        }
    )


def _text_array(items: list[bytes | str], errors: list[str | None], packed: _Packed | None) -> pa.Array:
    if items and isinstance(items[0], bytes):
        try:  # JSON allows the line's own whitespace; blank lines are skipped in SQL
            return (packed or _Packed.of(items)).strings()
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass  # some line is not UTF-8: find it below
        texts = []
        for index, item in enumerate(items):
            try:
                texts.append(item.decode("utf-8") if isinstance(item, bytes) else item)
            except UnicodeDecodeError as exc:
                texts.append(item.decode("utf-8", errors="replace"))
                errors[index] = errors[index] or f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        return pa.array(texts, pa.string())
    return pa.array(items, pa.string())


def land_batch(
    con: Connection,
    stream_id: int,
    batch: OrderBatch | PreparedBatch,
    *,
    window: Window = Window(),
    default_tz: str,
    sync_run_id: int | None,
    now,
) -> LandingResult:
    """Land one batch in the caller's transaction; see the module docstring."""
    prepared = batch if isinstance(batch, PreparedBatch) else prepare(batch)
    if not len(prepared):
        return LandingResult()
    chunks = pa.table({"chunk_no": pa.array(range(len(prepared.chunks)), pa.int32()),
                       "data": pa.array(prepared.chunks, pa.binary())})
    con.register("batch", prepared.table)
    con.register("chunks", chunks)
    try:
        return _land_registered(con, stream_id, window, default_tz, sync_run_id, now, prepared)
    finally:
        con.unregister("batch")
        con.unregister("chunks")


def _land_registered(con, stream_id, window, default_tz, sync_run_id, now, prepared) -> LandingResult:
    result = LandingResult()
    params = {"stream": stream_id, "default_tz": default_tz}
    con.execute(_STAGE_SQL)
    con.execute(_CHECK_SQL)
    con.execute(_GOOD_SQL, params)
    if con.execute("SELECT count(*) > count(DISTINCT id) FROM good").fetchall()[0][0]:
        con.execute(_DEDUPE_SQL)
    window_params = {"stream": stream_id, "start": window.start, "end": window.end}
    con.execute(_CLASSIFY_SQL, window_params)
    con.execute(_STALE_SQL, {"stream": stream_id})
    counts = dict(con.execute("SELECT kind, count(*) FROM cls GROUP BY kind").fetchall())
    good = con.execute("SELECT count(*) FROM good").fetchall()[0][0]
    result.new = counts.get("new", 0)
    result.changed = counts.get("changed", 0)
    result.unchanged = counts.get("unchanged", 0)
    result.stale = counts.get("stale", 0)
    result.skipped = good - sum(counts.values())
    if result.new or result.changed:
        batch_id = con.execute("SELECT nextval('raw_batch_ids')").fetchall()[0][0]
        write_params = {"stream": stream_id, "run": sync_run_id, "now": now, "batch_id": batch_id,
                        "chunk_size": CHUNK, "source": prepared.source, "first_line": prepared.first_line}
        for statement in _WRITE_SQL:
            run(con, statement, write_params)
    result.rejections = _record_rejections(con, stream_id, window, default_tz, sync_run_id, now, prepared)
    _resolve_rejections(con, stream_id, now)
    return result


def _record_rejections(con, stream_id, window, default_tz, sync_run_id, now, prepared) -> list[Rejection]:
    rows = con.execute(
        _REJECTED_SQL,
        {"stream": stream_id, "default_tz": default_tz, "source": prepared.source or "input",
         "first_line": prepared.first_line},
    ).fetchall()
    if not rows:
        return []
    explained: dict[int, list[str]] = {}
    for seq, path, msg, exists, value in con.execute(_EXPLAIN_SQL).fetchall():
        explained.setdefault(seq, []).append(_explain(path, msg, exists, value))
    rejections: list[Rejection] = []
    records = []
    for seq, ref, order_id, store_id, bd, h, pre_error, bad_json, valid_json, json_kind, body in rows:
        if bd is not None and not window.contains(bd):
            continue
        if pre_error:
            errors = [pre_error]
        elif not valid_json:
            errors = ["not valid JSON"]
        elif json_kind != "OBJECT":
            errors = [f"not a JSON object (got {str(json_kind).lower()})"]
        else:
            errors = explained.get(seq, ["rejected"])
        order_id = order_id if order_id and order_id.strip() else None
        rejection = Rejection(ref=ref, order_id=order_id, errors=tuple(errors))
        rejections.append(rejection)
        records.append((stream_id, sync_run_id, order_id or ref, order_id, store_id, bd, ref, errors, h, body, now))
    if records:
        _store_rejections(con, records)
    return rejections


def _store_rejections(con, records) -> None:
    columns = ["stream_id", "sync_run_id", "order_key", "order_id", "pos_store_id", "business_date",
               "ref", "errors", "content_hash", "payload", "seen_at"]
    table = pa.Table.from_pylist(
        [dict(zip(columns, r)) for r in records],
        schema=pa.schema([
            ("stream_id", pa.int32()), ("sync_run_id", pa.int32()), ("order_key", pa.string()),
            ("order_id", pa.string()), ("pos_store_id", pa.string()), ("business_date", pa.date32()),
            ("ref", pa.string()), ("errors", pa.list_(pa.string())), ("content_hash", pa.uint64()),
            ("payload", pa.string()), ("seen_at", pa.timestamp("us", tz="UTC")),
        ]),
    )
    con.register("rejected", table)
    try:
        # A rejection already on file (same order, same content) is not news.
        con.execute("""
            CREATE OR REPLACE TEMP TABLE fresh AS
            SELECT r.* FROM rejected r
            WHERE NOT EXISTS (
                SELECT 1 FROM order_rejections o
                WHERE o.stream_id = r.stream_id AND o.order_key = r.order_key
                  AND o.content_hash = r.content_hash AND o.resolved_at IS NULL)
            QUALIFY row_number() OVER (PARTITION BY order_key ORDER BY ref DESC) = 1
        """)
        con.execute("""
            UPDATE order_rejections SET resolved_at = f.seen_at
            FROM fresh f
            WHERE order_rejections.stream_id = f.stream_id AND order_rejections.order_key = f.order_key
              AND order_rejections.resolved_at IS NULL
        """)
        con.execute("""
            INSERT INTO order_rejections (stream_id, sync_run_id, order_key, order_id, pos_store_id,
                business_date, ref, errors, content_hash, payload, first_seen_at)
            SELECT stream_id, sync_run_id, order_key, order_id, pos_store_id, business_date, ref,
                   errors, content_hash, payload, seen_at
            FROM fresh
        """)
        con.execute("""
            INSERT INTO dirty_days
            SELECT DISTINCT stream_id, pos_store_id, business_date FROM fresh
            WHERE pos_store_id IS NOT NULL AND business_date IS NOT NULL
            ON CONFLICT DO NOTHING
        """)
    finally:
        con.unregister("rejected")


def _resolve_rejections(con, stream_id, now) -> None:
    """An order that now lands cleanly resolves its earlier rejection."""
    open_count = con.execute(
        "SELECT count(*) FROM order_rejections WHERE stream_id = ? AND resolved_at IS NULL", [stream_id]
    ).fetchall()[0][0]
    if not open_count:
        return
    con.execute("""
        CREATE OR REPLACE TEMP TABLE resolved AS
        SELECT o.id AS rejection_id, o.pos_store_id, o.business_date
        FROM order_rejections o
        JOIN cls c ON c.id = o.order_key AND c.kind IN ('new', 'changed', 'unchanged')
        WHERE o.stream_id = $stream AND o.resolved_at IS NULL
    """, {"stream": stream_id})
    con.execute("""
        INSERT INTO dirty_days
        SELECT DISTINCT $stream, pos_store_id, business_date FROM resolved
        WHERE pos_store_id IS NOT NULL AND business_date IS NOT NULL
        ON CONFLICT DO NOTHING
    """, {"stream": stream_id})
    con.execute(
        "UPDATE order_rejections SET resolved_at = $now WHERE id IN (SELECT rejection_id FROM resolved)",
        {"now": now},
    )


def _explain(path: str | None, message: str, exists: bool | None, value: str | None) -> str:
    if path is None:
        return message
    label = _label(path)
    if not exists or value is None:
        return f"{label}: missing"
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"{label}: {json.dumps(shown, ensure_ascii=False)} {message}"


def _label(path: str) -> str:
    """``$.lines[1].quantity`` -> ``line 2 quantity``; ``$.total`` -> ``total``."""
    body = path.removeprefix("$.")
    for collection, noun in (("lines", "line"), ("payments", "payment")):
        prefix = f"{collection}["
        if body.startswith(prefix):
            index, _, rest = body[len(prefix):].partition("].")
            return f"{noun} {int(index) + 1} {rest}"
    return body
