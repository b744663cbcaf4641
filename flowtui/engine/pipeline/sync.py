"""Syncing a stream: fetch -> land (batch by batch) -> rebuild touched digests.

Each step is its own short unit of work on the database; fetching (network or
file reading) never happens while the file is held. A run is recorded in
``sync_runs`` from start to finish; a crash leaves it ``running`` and the next
run of that stream marks it ``interrupted``. Landing is idempotent and dirty
days survive a crash, so re-running a sync always converges.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta

import pyarrow as pa

from flowtui.connectors.base import BATCH_BYTES, OrderBatch, SourceError, Window
from flowtui.connectors.registry import Cursor, ProviderConfigError, provider
from flowtui.engine.core import clock
from flowtui.engine.core.errors import FlowError, SyncCancelled
from flowtui.engine.core.statuses import SyncStatus
from flowtui.engine.digests.store import RebuildResult, rebuild_dirty
from flowtui.engine.ledger import books
from flowtui.engine.pipeline import rejections, sql
from flowtui.engine.pipeline.landing import LandingResult, PreparedBatch, land_batch, prepare
from flowtui.engine.setup.mapping import remember_stores
from flowtui.engine.setup.secrets import SecretStore
from flowtui.engine.setup.streams import Stream, require_active, require_stream, set_cursor
from flowtui.engine.storage.database import Database
from flowtui.engine.storage.rows import rows, the

#: progress(stream name, share done 0..1 or None, message)
Progress = Callable[[str, float | None, str], None]


@dataclass
class SyncOutcome:
    stream: str
    status: SyncStatus  # ok | warning | failed | cancelled
    window: Window
    landing: LandingResult = field(default_factory=LandingResult)
    digests: RebuildResult = field(default_factory=RebuildResult)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None
    postings: list = field(default_factory=list)  # auto invoice: a PostOutcome per digest considered
    open_rejections: int = 0  # the stream's rejections still open after the run (`flowtui rejections`)

    @property
    def failed(self) -> bool:
        return self.status == SyncStatus.FAILED


def default_window(stream: Stream, today: date) -> Window:
    """What a sync fetches when no range is given, by the kind of cursor the stream's source declares.

    A source without a cursor (files) is read whole from the start date on. A
    business-date window (an API) runs from the cursor minus the lookback days
    (or the start date on the first run) up to yesterday. An ``updated since``
    source is asked for what changed since that same day, and every business
    date from the start date on is landed.
    """
    try:
        cursor = provider(stream.provider).cursor
    except ProviderConfigError:  # its source is no longer installed: the sync fails (and says so) when it connects
        cursor = Cursor.WINDOW
    if cursor is Cursor.NONE:
        return Window(stream.start_date, None)
    yesterday = today - timedelta(days=1)
    if stream.cursor_date is not None:
        start = stream.cursor_date - timedelta(days=stream.lookback_days)
    else:
        start = stream.start_date or yesterday
    if cursor is Cursor.UPDATED_SINCE:
        return Window(stream.start_date, None, updated_since=min(start, today))
    return Window(min(start, yesterday), yesterday)


def next_cursor(stream: Stream, window: Window, today: date) -> date | None:
    """Where the stream's cursor moves after a sync of ``window`` (None: it stays)."""
    if window.updated_since is not None:
        return max(today, stream.cursor_date or today)
    if window.end is not None:
        return max(window.end, stream.cursor_date or window.end)
    return None


def sync_stream(
    db: Database,
    name: str,
    *,
    start: date | None = None,
    end: date | None = None,
    progress: Progress | None = None,
    secrets: SecretStore | None = None,
) -> SyncOutcome:
    report = progress or (lambda *_: None)
    now = clock.now()
    with db.write() as con:
        stream = require_stream(con, name)
        default_tz = books.default_timezone(con)
        con.execute(sql.SYNC_RUNS_INTERRUPT, [now, stream.id])
        today = clock.today_in(default_tz)
        window = default_window(stream, today)
        since = (start or window.updated_since) if window.updated_since is not None else None
        window = Window(start or window.start, end or window.end, since)
        run_id = the(con, sql.SYNC_RUN_START, [stream.id, now, window.start, window.end])["id"]
    outcome = SyncOutcome(stream=stream.name, status=SyncStatus.RUNNING, window=window, run_id=run_id)
    try:
        report(stream.name, 0.0, "starting")
        declared = provider(stream.provider)
        connector = declared.connect(stream.config,
                                     (secrets or SecretStore.default()).resolve_all(stream.config, declared.secrets))
        windows = 0
        finished: set[str] = set()
        for batch in landing_units(connector.fetch(window)):
            windows += 1
            outcome.warnings.extend(batch.warnings)
            finished.update(batch.finished)
            outcome.landing.merge(land(db, stream.id, batch, window, default_tz, run_id))
            report(stream.name, batch.progress, f"{outcome.landing.total:,} orders read")
        report(stream.name, None, "building digests")
        with db.write() as con:
            outcome.open_rejections = rejections.settle(con, stream.id, run_id, window, finished,
                                                        outcome.landing.days, clock.now())
            outcome.digests = rebuild_dirty(con, clock.now())
            outcome.status = (SyncStatus.WARNING if outcome.warnings or outcome.landing.rejected
                              or outcome.open_rejections else SyncStatus.OK)
            _finish(con, outcome, windows)
            cursor = next_cursor(stream, window, today)
            if cursor is not None:
                set_cursor(con, stream.id, cursor)
    except SyncCancelled as exc:  # stopped on purpose: not a failure; what landed stays, its digests are built
        outcome.status = SyncStatus.CANCELLED
        n = outcome.landing.kept  # e.g. "cancelled: the console was closed during the sync; 120 orders ... kept"
        outcome.error = f"cancelled: {exc}; {n:,} order{'' if n == 1 else 's'} landed before it {'is' if n == 1 else 'are'} kept"
        _record(db, outcome, rebuild=True)
    except Exception as exc:  # a failed stream must not stop the others
        outcome.status = SyncStatus.FAILED
        outcome.error = str(exc) if isinstance(exc, (FlowError, SourceError)) else f"{type(exc).__name__}: {exc}"
        _record(db, outcome)
    if outcome.status in (SyncStatus.OK, SyncStatus.WARNING):  # (a failed or cancelled run is not "done")
        with suppress(SyncCancelled):  # cancelled as it ended: nothing is left to cancel
            report(stream.name, 1.0, outcome.status)
    return outcome


def _record(db: Database, outcome: SyncOutcome, rebuild: bool = False) -> None:
    """Finish a run that stopped early (building the digests of what it landed first, if asked)."""
    try:
        with db.write() as con:
            if rebuild:
                outcome.digests = rebuild_dirty(con, clock.now())
            _finish(con, outcome, 0)
    except FlowError:
        pass  # the run stays 'running' and is marked interrupted next time (its days stay dirty: rebuilt later)


def land(db: Database, stream_id: int, batch: PreparedBatch, window: Window, default_tz: str,
         run_id: int | None) -> LandingResult:
    """One batch, one unit of work (with the stores the source offered, and the days it could not hand over
    whole, when it said)."""
    if not len(batch) and not batch.stores and not batch.short_days:
        return LandingResult()
    with db.write() as con:
        # Landing says where every row goes (seq, line numbers, ORDER BY business date): DuckDB need not keep
        # the order rows happen to come in, so inserts run on every core (1M orders: 9.5 -> 8.8 s)
        con.execute("SET preserve_insertion_order = false")
        remember_stores(con, stream_id, batch.stores, clock.now())
        rejections.hold_short_days(con, stream_id, run_id, window, batch.short_days, clock.now())
        if not len(batch):
            return LandingResult()
        if batch.typed:  # the source reads in bulk with a DuckDB of its own, alongside: leave it a core
            con.execute(f"SET threads = {max(1, (os.cpu_count() or 2) - 1)}")  # (for this unit: the file closes)
        return land_batch(con, stream_id, batch, window=window, default_tz=default_tz,
                          sync_run_id=run_id, now=clock.now())


LANDING_BATCH = 20_000  # orders per batch prepared when a source hands them over in small pieces


def coalesced(batches: Iterator[OrderBatch], target: int = LANDING_BATCH,
              budget: int = BATCH_BYTES) -> Iterator[OrderBatch]:
    """Join a source's small batches (one per API reply) into batches of about ``target`` orders.

    Landing has a fixed cost per unit of work, so fewer, bigger units land
    faster; a batch as big as the target already passes through untouched.
    The first batch needs only half the target, so that landing starts sooner.
    A joined batch holds less than ``budget`` bytes of source text, however few
    orders that is: a batch of half the budget or more passes through as it is
    (never joined to the small ones before it).
    """
    pending: list[OrderBatch] = []
    size = held = 0
    least, half = target // 2, budget // 2
    for batch in batches:
        weight = batch.nbytes
        if len(batch) >= least or weight >= half:
            if pending:
                yield _join(pending)
                pending, size, held = [], 0, 0
            yield batch
            least = target
            continue
        pending.append(batch)
        size += len(batch)
        held += weight
        if size >= least or held >= half:
            yield _join(pending)
            pending, size, held, least = [], 0, 0, target
    if pending:
        yield _join(pending)


def _join(batches: list[OrderBatch]) -> OrderBatch:
    if len(batches) == 1:
        return batches[0]
    if any(b.columns is not None for b in batches):
        return _join_columns(batches)
    orders: list[bytes | str] = []
    refs: list[str] = []
    raw: list[bytes | str] = []
    errors: list[str | None] = []
    for b in batches:
        orders.extend(b.orders)
        refs.extend(b.refs if b.refs is not None else [b.ref(i) for i in range(len(b))])
        raw.extend(b.raw if b.raw is not None else b.orders)
        errors.extend(b.errors if b.errors is not None else [None] * len(b))
    return OrderBatch(
        orders=orders, refs=refs, raw=raw if any(b.raw is not None for b in batches) else None,
        errors=errors if any(errors) else None, progress=batches[-1].progress,
        warnings=[w for b in batches for w in b.warnings], stores=[s for b in batches for s in b.stores],
        finished=[f for b in batches for f in b.finished], short_days=[d for b in batches for d in b.short_days],
    )


def _join_columns(batches: list[OrderBatch]) -> OrderBatch:
    """Batches read in bulk: their tables end to end (an empty list batch only brings its stores)."""
    if any(b.columns is None and len(b) for b in batches):
        raise ValueError("cannot join orders read in bulk with orders one by one")
    return OrderBatch(
        orders=[], columns=pa.concat_tables([b.columns for b in batches if b.columns is not None]),
        progress=batches[-1].progress, warnings=[w for b in batches for w in b.warnings],
        stores=[s for b in batches for s in b.stores], finished=[f for b in batches for f in b.finished],
        short_days=[d for b in batches for d in b.short_days],
    )


READ_AHEAD = 100_000  # orders read and prepared ahead of landing (beyond the batch being read), at most
LANDING_LEAST = 30_000  # orders a unit of work waits for, after the first (unless the reading is over)
LANDING_MOST = 200_000  # orders gathered into one unit of work, at most
# and in bytes of source text (what orders of ~40 KB each fill long before those counts)
READ_AHEAD_BYTES = BATCH_BYTES
LANDING_MOST_BYTES = BATCH_BYTES


def landing_units(batches: Iterator[OrderBatch]) -> Iterator[PreparedBatch]:
    """What a sync lands, unit by unit.

    The source's batches are joined (:func:`coalesced`) and prepared in a
    background thread while landing runs; whenever landing is free it takes
    everything prepared meanwhile as one unit (:func:`prefetched` with
    ``gather``): landing starts as soon as the first batch is ready, and a
    slow landing is not slowed further by a fixed cost per small unit.
    """
    return prefetched((prepare(b) for b in coalesced(batches)), gather=PreparedBatch.join,
                      joinable=PreparedBatch.joinable, least=LANDING_LEAST, most=LANDING_MOST)


def prefetched(items: Iterator, depth: int = 1, *, gather: Callable | None = None,
               joinable: Callable = lambda a, b: True, least: int = 0, most: int = LANDING_MOST,
               ahead: int = READ_AHEAD, ahead_bytes: int = READ_AHEAD_BYTES,
               most_bytes: int = LANDING_MOST_BYTES) -> Iterator:
    """Read the next items in a background thread while the current one is used.

    Reading (files, HTTP, DuckDB reading replies) and landing (DuckDB, which
    releases the GIL) then overlap. The database is still held only while a
    batch lands. Without ``gather`` up to ``depth`` items wait; with it, up
    to ``ahead`` orders wait and each item handed over is ``gather(list)`` of
    the items waiting in a row that are ``joinable`` (up to ``most`` orders);
    after the first, an item waits until ``least`` orders are ready (or the
    reading is over), so that units are not smaller than their fixed cost
    deserves. Orders are counted in bytes too (``nbytes``, where an item has
    it): what waits stays under ``ahead_bytes`` and a unit under ``most_bytes``.
    """
    waiting: deque = deque()
    changed = threading.Condition()
    stop = threading.Event()
    done = object()

    def room() -> bool:
        if gather is None:
            return len(waiting) < depth
        sized = [i for i in waiting if _sized(i)]
        return not waiting or (sum(map(len, sized)) < ahead and sum(map(_nbytes, sized)) < ahead_bytes)

    def put(item) -> None:
        with changed:
            while not stop.is_set() and not room():
                changed.wait(0.1)
            waiting.append(item)
            changed.notify_all()

    def produce() -> None:
        try:
            for item in items:
                put(item)
                if stop.is_set():
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer
            put(exc)

    taken = [0]

    def ready() -> bool:
        """Something to hand over: after the first unit, enough for a unit worth its fixed cost (or the end, or
        as much as may wait: wide orders fill ``ahead_bytes`` long before ``least`` orders)."""
        if not waiting:
            return False
        if gather is None or not taken[0] or not all(_sized(i) for i in waiting):
            return True
        return sum(len(i) for i in waiting) >= least or not room()

    def take():
        with changed:
            while not ready():
                changed.wait(0.5 if waiting else None)
                if waiting and not worker.is_alive():
                    break
            taken[0] += 1
            item = waiting.popleft()
            if gather is not None and _sized(item):
                group, size, held = [item], len(item), _nbytes(item)
                while (waiting and _sized(waiting[0]) and size + len(waiting[0]) <= most
                       and held + _nbytes(waiting[0]) <= most_bytes and joinable(group[-1], waiting[0])):
                    group.append(waiting.popleft())
                    size += len(group[-1])
                    held += _nbytes(group[-1])
                item = gather(group) if len(group) > 1 else item
            changed.notify_all()
            return item

    worker = threading.Thread(target=produce, name="flowtui-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = take()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        with changed:
            changed.notify_all()


def _sized(item) -> bool:
    return hasattr(item, "__len__") and not isinstance(item, BaseException)


def _nbytes(item) -> int:
    return getattr(item, "nbytes", 0)


def _finish(con, outcome: SyncOutcome, windows: int) -> None:
    landing = outcome.landing
    con.execute(
        sql.SYNC_RUN_FINISH,
        [
            clock.now(), outcome.status, windows, landing.new, landing.changed,
            landing.unchanged + landing.stale, landing.rejected, outcome.digests.touched,
            outcome.error, outcome.warnings, outcome.run_id,
        ],
    )


def rebuild_pending(db: Database) -> RebuildResult:
    """Rebuild digests left dirty by an interrupted run."""
    with db.write() as con:
        return rebuild_dirty(con, clock.now())


def streams_to_sync(db: Database, names: list[str]) -> list[str]:
    """The named streams (checked; a removed one is refused), or every stream in use with auto sync on."""
    with db.read() as con:
        if names:
            return [require_active(require_stream(con, n)).name for n in names]
        return [r["name"] for r in rows(con, sql.AUTO_SYNC_STREAMS)]


def window_of(outcome: SyncOutcome) -> str:
    start = outcome.window.start.isoformat() if outcome.window.start else "the beginning"
    end = outcome.window.end.isoformat() if outcome.window.end else "the latest order"
    return f"{start} to {end}"

