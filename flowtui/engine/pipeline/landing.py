"""Landing: canonical order JSON -> ``orders``, ``order_lines``, ``order_payments``.

One :func:`land_batch` call is one transaction on one open connection:

1. parse the whole batch once with DuckDB ``json_transform`` (typed columns);
2. run every check of :mod:`flowtui.engine.core.orders` as SQL, collecting each
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

import pyarrow as pa

from flowtui.connectors.base import Lines, OrderBatch, Window
from flowtui.engine.core import clock
from flowtui.engine.core.orders import TIME_AHEAD_DAYS
from flowtui.engine.pipeline.landing_rejects import Rejection, record_rejections, resolve_rejections
from flowtui.engine.pipeline.landing_sql import (
    CHECK_SQL,
    CLASSIFY_SQL,
    CLEARED_SQL,
    COUNT_GOOD_SQL,
    COUNT_KINDS_SQL,
    COUNT_SUSPECTS_SQL,
    DAYS_BY_FILE_SQL,
    DAYS_OF_BATCH_SQL,
    DEDUPE_SQL,
    GOOD_SQL,
    NEXT_BATCH_ID_SQL,
    STAGE_SQL,
    STAGE_TABLE_SQL,
    STAGE_TYPED_SQL,
    STALE_SQL,
    WRITE_SQL,
)
from flowtui.engine.pipeline.raw import CHUNK, compress_chunks
from flowtui.engine.pipeline.rejections import REF_FILE
from flowtui.engine.storage.database import Connection, run
from flowtui.engine.storage.rows import rows, the


@dataclass
class LandingResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0
    skipped: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    # file -> first and last business date of its orders read (for an open-ended window only): the days an
    # entry of that file whose own day cannot be read may belong to
    days: dict[str, tuple[date, date]] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged + self.stale + self.skipped + self.rejected

    @property
    def kept(self) -> int:
        """New orders and new versions: what a sync that stopped early landed, and keeps."""
        return self.new + self.changed

    def merge(self, other: LandingResult) -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.skipped += other.skipped
        self.rejections.extend(other.rejections)
        for name, (first, last) in other.days.items():
            known = self.days.get(name)
            self.days[name] = (min(first, known[0]), max(last, known[1])) if known else (first, last)


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
    stores: list = field(default_factory=list)
    finished: list[str] = field(default_factory=list)  # files read to their end (OrderBatch.finished)
    short_days: list = field(default_factory=list)  # store-days handed over in part (OrderBatch.short_days)

    def __len__(self) -> int:
        return self.table.num_rows

    @property
    def nbytes(self) -> int:
        """Bytes its table holds (the orders' text, mostly)."""
        return self.table.nbytes

    @property
    def typed(self) -> bool:
        """The source handed over the orders already read (a ``parsed`` column)."""
        return "parsed" in self.table.column_names

    def joinable(self, other: PreparedBatch) -> bool:
        """Both carry their refs (not lines of a file) and the same columns."""
        return (self.source is None and other.source is None and len(self) > 0 and len(other) > 0
                and self.table.schema.equals(other.table.schema))

    @staticmethod
    def join(batches: list[PreparedBatch]) -> PreparedBatch:
        """One batch landing as one unit of work. Each part's rows start on a fresh raw chunk, so a row's
        ``seq`` still finds its payload (chunk ``seq // CHUNK``, line ``seq % CHUNK``)."""
        tables: list[pa.Table] = []
        chunks: list[bytes] = []
        for batch in batches:
            start = len(chunks) * CHUNK
            seq = pa.array(range(start, start + len(batch)), pa.int64())
            tables.append(batch.table.set_column(0, "seq", seq))
            chunks.extend(batch.chunks)
        last = batches[-1]
        return PreparedBatch(
            table=pa.concat_tables(tables), chunks=chunks, source=None, progress=last.progress,
            warnings=[w for b in batches for w in b.warnings], stores=[s for b in batches for s in b.stores],
            finished=[f for b in batches for f in b.finished], short_days=[d for b in batches for d in b.short_days],
        )


def prepare(batch: OrderBatch) -> PreparedBatch:
    if batch.columns is not None:
        return _prepare_columns(batch)
    orders = _Packed.of(batch.orders)
    raw = _Packed.of(batch.raw) if batch.raw is not None else orders
    table = batch_table(batch, orders, raw if batch.raw is not None else None)
    return PreparedBatch(
        table=table,
        chunks=compress_chunks(raw.data, raw.offsets),
        source=batch.source if batch.refs is None else None,
        first_line=batch.first_line,
        progress=batch.progress,
        warnings=list(batch.warnings),
        stores=list(batch.stores),
        finished=list(batch.finished),
        short_days=list(batch.short_days),
    )


def _prepare_columns(batch: OrderBatch) -> PreparedBatch:
    """A batch the source read in bulk: its table as it is, raw payloads (one line each) compressed."""
    columns = batch.columns
    raw = columns.column("raw").cast(pa.large_string()).combine_chunks()
    offsets = pa.Array.from_buffers(pa.int64(), len(raw) + 1, [None, raw.buffers()[1]], offset=raw.offset)
    data = raw.buffers()[2]
    table = pa.table({"seq": pa.array(range(len(raw)), pa.int64()), **{n: columns.column(n) for n in columns.column_names}})
    return PreparedBatch(
        table=table,
        chunks=compress_chunks(data.to_pybytes() if data is not None else b"", offsets.to_pylist()),
        progress=batch.progress, warnings=list(batch.warnings), stores=list(batch.stores),
        finished=list(batch.finished),
        short_days=list(batch.short_days),
    )


@dataclass(frozen=True)
class _Packed:
    """Payloads laid end to end in one buffer, with where each starts: cheap to hand to Arrow."""

    data: bytes
    offsets: list[int]

    @classmethod
    def of(cls, items: Sequence[bytes | str]) -> _Packed:
        if isinstance(items, Lines):  # a file's lines, already in one buffer
            return cls(items.data, items.offsets)
        if not all(type(i) is bytes for i in items):  # text (CSV, APIs), or a mix after batches were joined
            items = [i.encode("utf-8") if isinstance(i, str) else i for i in items]
        data = cast(Sequence[bytes], items)  # every item is bytes by now
        return cls(b"".join(data), list(itertools.accumulate(map(len, data), initial=0)))

    def strings(self) -> pa.Array:
        """The payloads as an Arrow string array without copying; raises if some are not UTF-8."""
        array = pa.LargeStringArray.from_buffers(
            len(self.offsets) - 1, pa.array(self.offsets, pa.int64()).buffers()[1], pa.py_buffer(self.data)
        )
        array.validate(full=True)
        return array


def batch_table(batch: OrderBatch, packed: _Packed | None = None, raw: _Packed | None = None) -> pa.Table:
    """The batch as an Arrow table: ``seq, ref, payload, raw, pre_error``."""
    count = len(batch.orders)
    errors: list[str | None] = list(batch.errors) if batch.errors is not None else [None] * count  # filled in for bad UTF-8
    payload = _text_array(batch.orders, errors, packed)
    raws = None if batch.raw is None else _text_array(batch.raw, [None] * count, raw)
    seq = pa.array(range(count), pa.int64())
    # line-oriented sources get their refs ("file.ndjson:17") worked out only where needed
    refs = pa.array(batch.refs, pa.string()) if batch.refs is not None else pa.nulls(count, pa.string())
    return pa.table(
        {
            "seq": seq,
            "ref": refs,
            "payload": payload,
            "raw": raws if raws is not None else pa.nulls(count, pa.string()),
            "pre_error": pa.array(errors, pa.string()) if any(errors) else pa.nulls(count, pa.string()),
        }
    )


def _text_array(items: Sequence[bytes | str], errors: list[str | None], packed: _Packed | None) -> pa.Array:
    try:  # JSON allows the line's own whitespace; blank lines are skipped in SQL
        return (packed or _Packed.of(items)).strings()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass  # some line is not UTF-8: find it below
    texts = []
    for index, item in enumerate(items):
        try:
            texts.append(item.decode("utf-8") if isinstance(item, bytes) else item)
        except UnicodeDecodeError as exc:
            texts.append(cast(bytes, item).decode("utf-8", errors="replace"))  # only bytes fail to decode
            errors[index] = errors[index] or f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    return pa.array(texts, pa.string())


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
    con.register("batch", _in_pieces(prepared.table))
    con.register("chunks", chunks)
    try:
        return _land_registered(con, stream_id, window, default_tz, sync_run_id, now, prepared)
    finally:
        con.unregister("batch")
        con.unregister("chunks")


SCAN_PIECE = 16_384  # rows per Arrow record batch handed to DuckDB: each is one scan task for a thread


def _in_pieces(table: pa.Table) -> pa.Table:
    """The table as record batches of :data:`SCAN_PIECE` rows (zero-copy slices).

    DuckDB scans a registered Arrow table batch by batch, one thread per batch:
    a table in one piece (as a batch is built) would be parsed and checked on one core.
    """
    return pa.Table.from_batches(table.to_batches(max_chunksize=SCAN_PIECE), table.schema)


def _land_registered(con, stream_id, window, default_tz, sync_run_id, now, prepared) -> LandingResult:
    result = LandingResult()
    params = {"stream": stream_id, "default_tz": default_tz}
    con.execute(STAGE_TABLE_SQL + (STAGE_TYPED_SQL if prepared.typed else STAGE_SQL),
                {"latest": latest_time()})
    suspects = the(con, COUNT_SUSPECTS_SQL)["n"]
    if suspects:
        con.execute(CHECK_SQL)
        con.execute(CLEARED_SQL)
    con.execute(GOOD_SQL, params)
    counted = the(con, COUNT_GOOD_SQL)
    good, distinct = counted["n"], counted["ids"]
    if good > distinct:
        con.execute(DEDUPE_SQL)
        good = distinct
    window_params = {"stream": stream_id, "start": window.start, "end": window.end}
    con.execute(CLASSIFY_SQL, window_params)
    counts = _counts(con)
    if counts.get("changed"):  # only a change can be a version already superseded
        con.execute(STALE_SQL, {"stream": stream_id})
        counts = _counts(con)
    result.new = counts.get("new", 0)
    result.changed = counts.get("changed", 0)
    result.unchanged = counts.get("unchanged", 0)
    result.stale = counts.get("stale", 0)
    result.skipped = good - sum(counts.values())
    if window.end is None and good and not prepared.typed:  # files have open windows; a typed batch is an API's
        result.days = _days_by_file(con, prepared)
    if result.new or result.changed:
        batch_id = the(con, NEXT_BATCH_ID_SQL)["id"]
        write_params = {"stream": stream_id, "run": sync_run_id, "now": now, "batch_id": batch_id,
                        "chunk_size": CHUNK, "source": prepared.source, "first_line": prepared.first_line}
        for statement in WRITE_SQL:
            run(con, statement, write_params)
    if suspects:
        result.rejections = record_rejections(con, stream_id, window, default_tz, sync_run_id, now, prepared)
    resolve_rejections(con, stream_id, now)
    return result


def _counts(con: Connection) -> dict[str, int]:
    return {r["kind"]: r["n"] for r in rows(con, COUNT_KINDS_SQL)}


def latest_time() -> datetime:
    """The latest instant an order may have: a year from now (``FLOWTUI_NOW`` moves it). Anything later, like a
    time before 2000, is a typing or clock error at the source, and dating it would break the books' calendar."""
    return clock.now() + timedelta(days=TIME_AHEAD_DAYS)


def _days_by_file(con, prepared: PreparedBatch) -> dict[str, tuple[date, date]]:
    """First and last business date of the batch's orders (in the window), per file they came from."""
    if prepared.source is not None:  # the lines of one file
        span = the(con, DAYS_OF_BATCH_SQL)
        return {prepared.source: (span["first"], span["last"])} if span["first"] is not None else {}
    spans = rows(con, DAYS_BY_FILE_SQL, {"pattern": REF_FILE})
    return {r["file"]: (r["first"], r["last"]) for r in spans}
