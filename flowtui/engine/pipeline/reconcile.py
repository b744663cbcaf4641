"""Reconciliation: per stream, location and day, the source, the digest and the ledger must agree.

* **source** — the orders as last fetched: completed sales less returns, straight
  from ``orders`` and ``order_payments``;
* **digest** — the day's digest;
* **ledger** — every document posted from that digest (invoices less credit
  notes, adjustments included).

Days whose business day is not over yet are listed but not held against the
result. Everything else must agree to the sen, in total and per payment method.

The books as a whole (when no stream is named): the **Inventory** account(s)
must equal the value of the stock movements on every date — a date where
they part is listed as a check of its own (stream ``(books)``).

An open rejection (:mod:`flowtui.engine.pipeline.rejections`: input that could not be
read or landed, neither corrected nor dismissed) fails the days it may belong
to, open or not, and is a line of its own when none of them is listed: the
source holds something the books do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flowtui.engine.core.money import amount_text
from flowtui.engine.pipeline import sql
from flowtui.engine.pipeline.rejections import RejectionRow, open_in_range
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import rows


@dataclass
class DayCheck:
    stream: str
    location: str | None
    pos_store_id: str
    date: date | None  # None: a rejection that names no day
    digest_id: int | None
    source: Decimal
    digest: Decimal | None
    ledger: Decimal
    open: bool
    differences: list[str] = field(default_factory=list)
    rejections: int = 0  # open rejections holding this day

    @property
    def agrees(self) -> bool:
        return not self.differences

    @property
    def fails(self) -> bool:
        """Held against the result: a difference on a day that is over, or an open rejection on any day."""
        return bool(self.differences) and (not self.open or self.rejections > 0)


def reconcile(con: Connection, *, stream: str | None, start: date | None, end: date | None,
              now: datetime, default_tz: str) -> list[DayCheck]:
    params = {"stream": stream, "start": start, "end": end, "now": now, "tz": default_tz}
    checks = []
    for row in rows(con, sql.CROSSING_RECONCILE_DAYS, params):
        source, digest, ledger, posted = row["source"], row["digest"], row["ledger"], row["posted"]
        check = DayCheck(row["stream"], row["location"], row["pos_store_id"], row["business_date"],
                         row["digest_id"], source, digest, ledger, bool(row["open_day"]))
        if digest is None:
            check.differences.append(f"no digest for {amount_text(source)} of orders (run `flowtui sync`)")
        elif digest != source:
            check.differences.append(f"digest {amount_text(digest)} but the orders add up to {amount_text(source)}")
        if not check.open and digest is not None and ledger != digest:
            check.differences.append(
                f"ledger {amount_text(ledger)} but the digest is {amount_text(digest)}"
                + ("" if posted else " (not posted yet: `flowtui post`)")
                + (" (changed since posting: `flowtui post` posts the difference)" if posted and ledger != digest else ""))
        checks.append(check)
    if stream is None:
        checks.extend(inventory_checks(con, start, end))
    keyed: dict[tuple[str | None, str, date | None], DayCheck] = {(c.stream, c.pos_store_id, c.date): c for c in checks}
    streams = {r["id"]: r["name"] for r in rows(con, sql.STREAM_NAMES)}
    for row in rows(con, sql.CROSSING_RECONCILE_PAYMENTS, {"start": start, "end": end}):
        method, source, ledger = row["method"], row["source"], row["ledger"]
        paid = keyed.get((streams.get(row["stream_id"]), row["pos_store_id"], row["business_date"]))
        if paid is not None and not paid.open and (paid.ledger or ledger):
            paid.differences.append(f"{method}: ledger {amount_text(ledger)} but the orders took {amount_text(source)}")
    _hold_rejected_days(checks, open_in_range(con, stream=stream, start=start, end=end))
    return checks


BOOKS = "(books)"

def inventory_checks(con: Connection, start: date | None, end: date | None) -> list[DayCheck]:
    """Dates on which the Inventory account and the stock's value part (each date's movements compared)."""
    checks = []
    for row in rows(con, sql.CROSSING_RECONCILE_INVENTORY):
        day, stock, booked = row["date"], row["stock"], row["booked"]
        if row["differs"] and (start is None or day >= start) and (end is None or day <= end):
            checks.append(DayCheck(
                BOOKS, None, "", day, None, stock, None, booked, False,
                [f"Inventory account {amount_text(booked)} but the stock is worth {amount_text(stock)} at the end of {day} "
                 "(stock moved without a journal entry, or an entry on Inventory without stock; see "
                 "`flowtui stock` and `flowtui ledger journal --account` of the inventory account)"]))
    return checks
def _hold_rejected_days(checks: list[DayCheck], rejected: list[RejectionRow]) -> None:
    """Each open rejection fails the days it may belong to, or is a line of its own when none is listed."""
    by_day = {(c.stream, c.pos_store_id, c.date): c for c in checks}
    by_stream: dict[str, list[DayCheck]] = {}
    for check in checks:
        by_stream.setdefault(check.stream, []).append(check)
    held: dict[int, list[RejectionRow]] = {}
    alone = []
    for r in rejected:
        if r.business_date is not None and r.pos_store_id is not None:
            day = by_day.get((r.stream, r.pos_store_id, r.business_date))
            days = [day] if day is not None else []
        else:
            first = r.business_date or r.scope_from
            last = r.business_date or r.scope_to
            days = [c for c in by_stream.get(r.stream, [])
                    if (r.pos_store_id is None or c.pos_store_id == r.pos_store_id)
                    and (first is None or (c.date is not None and c.date >= first))
                    and (last is None or (c.date is not None and c.date <= last))]
        for day in days:
            held.setdefault(id(day), []).append(r)
        if not days:
            alone.append(r)
    for check in checks:
        found = held.get(id(check))
        if found:
            check.rejections = len(found)
            check.differences.append(_held(found))
    for r in alone:
        checks.append(DayCheck(r.stream, None, r.pos_store_id or "", r.business_date or r.scope_from, None,
                               Decimal(0), None, Decimal(0), False, [_held([r])], rejections=1))


def _held(found: list[RejectionRow]) -> str:
    first = found[0]
    more = f" and {len(found) - 1} more (flowtui rejections --stream \"{first.stream}\")" if len(found) > 1 else ""
    if first.short:  # a day the source handed over in part: its reason says which and why
        what = first.errors[0].rstrip(".") if first.errors else f"{first.ref} was handed over in part"
    else:
        what = (f"order {first.order_id} at {first.ref} was rejected" if first.order_id
                else f"{first.ref} could not be read")
    return f"{what} (rejection {first.id}){more}: {first.fix()}"
