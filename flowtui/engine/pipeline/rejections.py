"""Rejections: entries a sync could not land, held open until corrected or dismissed on the record.

Nothing is dropped silently (DESIGN.md invariant 11). Landing records every
entry it cannot use in ``order_rejections`` — an order that breaks a rule, a
line that is not JSON, a file that cannot be read as orders — and a rejection
stays **open** until:

* **corrected** — the order lands cleanly (:mod:`flowtui.engine.pipeline.landing`);
* **superseded** — a later version of the order arrives, itself rejected (that
  one is open now);
* **fixed** — its file was read again to the end and the entry was not in it
  any more (a file that is no longer there fixes nothing: it may have been
  moved away, and what it held was never read);
* **dismissed** — someone said why it does not matter (who, when and why are
  kept forever).

A store-day the source could hand over only in part (StoreHub's 5,000 cap,
even asked for that day alone) is recorded the same way, keyed
``short:STORE:DAY`` (:func:`hold_short_days`): it holds its day until a later
sync reads the day whole (**fixed**) or it is dismissed.

An open rejection holds the days it may belong to: its own day when its store
and time could be read; otherwise every day in its *scope*
(``scope_from``..``scope_to``, worked out here when a sync ends). Those days
need attention (even when posted), and ``flowtui reconcile`` fails, until it is
no longer open.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

import pyarrow as pa

from flowtui.connectors.base import ShortDay, Window
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.core.statuses import RejectionState
from flowtui.engine.pipeline import sql
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import Row, rows

# A ref is FILE:LINE, FILE:FIRST-LAST, FILE:FIRST- (to the end) or FILE (the whole file): group 1 is the file.
REF_FILE = r"^(.*?)(:[0-9]+(-[0-9]*)?)?$"
_REF = re.compile(REF_FILE)
SHORT_KEY = "short:"  # the order_key of a store-day the source handed over only in part: short:STORE:DAY


def _parts(ref: str) -> re.Match[str]:
    return cast(re.Match[str], _REF.match(ref))  # the pattern matches every string


def source_file(ref: str) -> str:
    """The file (or source) a ref points into: ``sales.ndjson:17`` -> ``sales.ndjson``."""
    return _parts(ref).group(1)


def lines_of(ref: str) -> str | None:
    """The line(s) a ref points at (``17``, ``2-5``), or None for a whole file."""
    suffix = _parts(ref).group(2)
    return suffix[1:] if suffix else None


@dataclass(frozen=True)
class RejectionRow:
    """One rejection as `flowtui rejections` lists it."""

    id: int
    stream: str
    ref: str
    order_id: str | None
    pos_store_id: str | None
    business_date: date | None
    scope_from: date | None
    scope_to: date | None
    errors: tuple[str, ...]
    first_seen_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    dismissed_by: str | None
    dismiss_reason: str | None
    order_key: str | None = None

    @property
    def short(self) -> bool:
        """A store-day the source handed over only in part, not an entry of its own."""
        return (self.order_key or "").startswith(SHORT_KEY)

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    @property
    def file(self) -> str:
        return source_file(self.ref)

    @property
    def lines(self) -> str | None:
        return lines_of(self.ref)

    @property
    def days(self) -> str:
        """The day it belongs to, or the days it may belong to."""
        if self.business_date is not None:
            return self.business_date.isoformat()
        if self.scope_from is None and self.scope_to is None:
            return "any day"
        start = self.scope_from.isoformat() if self.scope_from else "the start"
        end = self.scope_to.isoformat() if self.scope_to else "any later day"
        return start if self.scope_from == self.scope_to else f"{start} to {end}"

    @property
    def state(self) -> str:
        """``open``, or how it stopped being open."""
        return RejectionState.OPEN if self.open else (self.resolution or "resolved")

    def fix(self) -> str:
        """What to do about it, in the user's words."""
        if self.short:
            return ("check the day's transactions at the source; when it is known to be complete, dismiss it: "
                    f"flowtui rejections dismiss {self.id} --reason TEXT (a later sync that reads the day whole "
                    "closes it)")
        where = "the order" if self.order_id else ("the file" if self.lines is None else "the line")
        return (f"fix {where} in {self.file} and sync again, or dismiss it: "
                f"flowtui rejections dismiss {self.id} --reason TEXT")


def _row(row: Row) -> RejectionRow:
    return RejectionRow(**{**row, "errors": tuple(row["errors"] or ())})


def listing(con: Connection, *, stream: str | None = None, everything: bool = False) -> list[RejectionRow]:
    """Open rejections (every one with ``everything``), oldest first."""
    found = rows(con, sql.REJECTIONS_LISTING, {"stream": stream, "everything": everything})
    return [_row(r) for r in found]


def open_in_range(con: Connection, *, stream: str | None, start: date | None, end: date | None) -> list[RejectionRow]:
    """Open rejections that hold a day between ``start`` and ``end`` (either may be None: open-ended)."""
    found = rows(con, sql.REJECTIONS_OPEN_IN_RANGE, {"stream": stream, "start": start, "end": end})
    return [_row(r) for r in found]


def dismiss(con: Connection, ids: list[int], reason: str, actor: str, now: datetime) -> list[RejectionRow]:
    """Dismiss open rejections on the record: all of ``ids`` or none (see the module docstring)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why they can be dismissed: --reason TEXT (it is kept with the rejection).")
    wanted = sorted(set(ids))
    if not wanted:
        raise InvalidInput("Say which rejections to dismiss: their ids (see `flowtui rejections`).")
    found = {r.id: r for r in _by_ids(con, wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"No rejection with id {', '.join(map(str, missing))}; see `flowtui rejections --all`.")
    closed = [found[i] for i in wanted if not found[i].open]
    if closed:
        raise InvalidInput("Not open, so nothing to dismiss: " + "; ".join(
            f"rejection {r.id} was {r.state}" + (f" by {r.dismissed_by} ({r.dismiss_reason})" if r.dismissed_by else "")
            for r in closed) + ".")
    con.execute(sql.REJECTIONS_DISMISS, {"now": now, "actor": actor, "reason": reason, "ids": wanted})
    # a day whose only orders were rejected kept a (zero) digest for them: let it go now, unless posted
    con.execute(sql.REJECTIONS_DIRTY_DAYS, {"ids": wanted})
    return _by_ids(con, wanted)


def _by_ids(con: Connection, ids: list[int]) -> list[RejectionRow]:
    return [_row(r) for r in rows(con, sql.REJECTIONS_BY_IDS, {"ids": ids})]


def record(con: Connection, records: list[tuple]) -> None:
    """Record entries that could not be landed: ``(stream_id, sync_run_id, order_key, order_id, pos_store_id,
    business_date, ref, errors, content_hash, payload, seen_at)`` each. One already on file (same key, same
    content) is only marked as seen again; a new version of one supersedes it."""
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
        for statement in sql.STORE_REJECTIONS:
            con.execute(statement)
    finally:
        con.unregister("rejected")


def hold_short_days(con: Connection, stream_id: int, run_id: int | None, window: Window,
                    days: list[ShortDay], now: datetime) -> None:
    """Hold open the store-days the source could not hand over whole (inside the sync's window).

    Each is recorded like a rejection, keyed by store and day, with the source's reason: its digest needs
    attention (posted or not), ``reconcile`` fails for it and it can be dismissed on the record; a later
    sync that reads the day whole closes it (:func:`settle`).
    """
    records = []
    for short in days:
        if not window.contains(short.day):
            continue
        key = f"{SHORT_KEY}{short.store_id}:{short.day.isoformat()}"
        digest = int.from_bytes(hashlib.sha256(short.reason.encode()).digest()[:8], "big")
        records.append((stream_id, run_id, key, None, short.store_id, short.day, key, [short.reason], digest,
                        short.reason, now))
    if records:
        record(con, records)


def settle(con: Connection, stream_id: int, run_id: int, window: Window, finished: set[str],
           days: dict[str, tuple[date, date]], now: datetime) -> int:
    """After a sync has read everything: resolve what its files no longer hold, scope what has no day.

    ``finished`` are the files read to their end; ``days`` the first and last business date of the
    orders read from each file (for an open-ended window). A store-day held short (:func:`hold_short_days`)
    that this sync read again without meeting the cap is whole now. Returns how many of the stream's
    rejections are still open: met by this run or not, each still holds its days.
    """
    held = rows(con, sql.REJECTIONS_OPEN_OF_STREAM, [stream_id])
    fixed = [r for r in held if r["last_seen_run_id"] != run_id
             and (r["business_date"] is None or window.contains(r["business_date"]))
             and (source_file(r["ref"]) in finished  # its file was read to the end, and the entry is gone
                  or (r["order_key"].startswith(SHORT_KEY) and window.end is not None))]  # its day was read whole
    if fixed:
        ids = [r["id"] for r in fixed]
        con.execute(sql.REJECTIONS_FIX, {"now": now, "ids": ids})
        con.execute(sql.REJECTIONS_DIRTY_DAYS, {"ids": ids})
    met = [r for r in held if r["last_seen_run_id"] == run_id]
    undated = [r for r in met if r["business_date"] is None]
    if undated:
        scopes = [(r["id"], *scope(window, days, source_file(r["ref"]))) for r in undated]
        table = pa.table({"id": pa.array([s[0] for s in scopes], pa.int32()),
                          "scope_from": pa.array([s[1] for s in scopes], pa.date32()),
                          "scope_to": pa.array([s[2] for s in scopes], pa.date32())})
        con.register("scopes", table)
        try:
            con.execute(sql.REJECTIONS_SET_SCOPES)
        finally:
            con.unregister("scopes")
    return len(held) - len(fixed)


def scope(window: Window, days: dict[str, tuple[date, date]], file: str) -> tuple[date | None, date | None]:
    """The days an entry of ``file`` whose own day cannot be read may belong to.

    The sync's window when it has an end (a fetching stream reads a range of days); otherwise (a file
    stream reads everything from its start date) the days of the orders read from the same file, else
    of every order the sync read, else every day from the window's start.
    """
    if window.end is not None:
        return window.start, window.end
    if file in days:
        return days[file]
    if days:
        return min(d[0] for d in days.values()), max(d[1] for d in days.values())
    return window.start, None
