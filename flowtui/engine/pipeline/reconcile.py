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
from flowtui.engine.pipeline.rejections import RejectionRow, open_in_range
from flowtui.engine.storage.database import Connection

_SQL = """
WITH source AS (
    SELECT stream_id, pos_store_id, business_date,
           sum(CASE WHEN type = 'sale' THEN total ELSE -total END) AS total
    FROM orders WHERE status = 'completed'
      AND ($start IS NULL OR business_date >= $start) AND ($end IS NULL OR business_date <= $end)
    GROUP BY ALL
),
ledger AS (
    SELECT digest_id, sum(CASE WHEN kind = 'invoice' THEN total ELSE -total END) AS total
    FROM documents GROUP BY digest_id
),
days AS (
    SELECT coalesce(s.stream_id, d.stream_id) AS stream_id, coalesce(s.pos_store_id, d.pos_store_id) AS pos_store_id,
           coalesce(s.business_date, d.business_date) AS business_date, s.total AS source, d.id AS digest_id,
           d.net_total AS digest
    FROM source s
    FULL JOIN (SELECT * FROM digests
               WHERE ($start IS NULL OR business_date >= $start) AND ($end IS NULL OR business_date <= $end)) d
        USING (stream_id, pos_store_id, business_date)
)
SELECT st.name, l.name, days.pos_store_id, days.business_date, days.digest_id,
       coalesce(days.source, 0)::DECIMAL(18,2), days.digest, coalesce(led.total, 0)::DECIMAL(18,2),
       (CAST($now AS TIMESTAMPTZ) AT TIME ZONE coalesce(l.timezone, $tz))::DATE <= days.business_date
           AND NOT EXISTS (SELECT 1 FROM day_closes c WHERE c.stream_id = days.stream_id
                           AND c.pos_store_id = days.pos_store_id AND c.business_date = days.business_date) AS open_day,
       EXISTS (SELECT 1 FROM postings p WHERE p.digest_id = days.digest_id AND p.reversed_at IS NULL) AS posted
FROM days
JOIN streams st ON st.id = days.stream_id
LEFT JOIN location_mappings m ON m.stream_id = days.stream_id AND m.pos_store_id = days.pos_store_id
LEFT JOIN locations l ON l.id = m.location_id
LEFT JOIN ledger led ON led.digest_id = days.digest_id
WHERE ($stream IS NULL OR st.name = $stream)
ORDER BY days.business_date, st.name, days.pos_store_id
"""

_PAYMENTS = """
WITH source AS (
    SELECT p.stream_id, p.pos_store_id, p.business_date, p.method,
           sum(CASE WHEN p.type = 'sale' THEN p.amount ELSE -p.amount END) AS amount
    FROM order_payments p WHERE p.status = 'completed'
      AND ($start IS NULL OR p.business_date >= $start) AND ($end IS NULL OR p.business_date <= $end)
    GROUP BY ALL
),
ledger AS (
    SELECT d.stream_id, d2.pos_store_id, d2.business_date, p.method,
           sum(CASE WHEN d.kind = 'invoice' THEN p.amount ELSE -p.amount END) AS amount
    FROM document_payments p JOIN documents d ON d.id = p.document_id JOIN digests d2 ON d2.id = d.digest_id
    GROUP BY ALL
)
SELECT coalesce(s.stream_id, l.stream_id), coalesce(s.pos_store_id, l.pos_store_id),
       coalesce(s.business_date, l.business_date), coalesce(s.method, l.method),
       coalesce(s.amount, 0)::DECIMAL(18,2), coalesce(l.amount, 0)::DECIMAL(18,2)
FROM source s FULL JOIN ledger l USING (stream_id, pos_store_id, business_date, method)
WHERE coalesce(s.amount, 0) <> coalesce(l.amount, 0)
"""


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
    for name, location, store, day, digest_id, source, digest, ledger, open_day, posted in con.execute(
            _SQL, params).fetchall():
        check = DayCheck(name, location, store, day, digest_id, source, digest, ledger, bool(open_day))
        if digest is None:
            check.differences.append(f"no digest for {amount_text(source)} of orders (run `flowtui sync`)")
        elif digest != source:
            check.differences.append(f"digest {amount_text(digest)} but the orders add up to {amount_text(source)}")
        if not open_day and digest is not None and ledger != digest:
            check.differences.append(
                f"ledger {amount_text(ledger)} but the digest is {amount_text(digest)}"
                + ("" if posted else " (not posted yet: `flowtui post`)")
                + (" (changed since posting: `flowtui post` posts the difference)" if posted and ledger != digest else ""))
        checks.append(check)
    if stream is None:
        checks.extend(inventory_checks(con, start, end))
    keyed: dict[tuple[str | None, str, date | None], DayCheck] = {(c.stream, c.pos_store_id, c.date): c for c in checks}
    streams = dict(con.execute("SELECT id, name FROM streams").fetchall())
    for stream_id, store, day, method, source, ledger in con.execute(
            _PAYMENTS, {"start": start, "end": end}).fetchall():
        paid = keyed.get((streams.get(stream_id), store, day))
        if paid is not None and not paid.open and (paid.ledger or ledger):
            paid.differences.append(f"{method}: ledger {amount_text(ledger)} but the orders took {amount_text(source)}")
    _hold_rejected_days(checks, open_in_range(con, stream=stream, start=start, end=end))
    return checks


BOOKS = "(books)"

_INVENTORY = """
WITH accounts AS (
    SELECT account_code FROM account_defaults WHERE category = 'inventory'
    UNION SELECT account_code FROM account_mappings WHERE category = 'inventory'
),
stock AS (
    SELECT coalesce(business_date, created_at::DATE) AS date, sum(coalesce(value, 0)) AS value
    FROM stock_movements GROUP BY ALL
),
booked AS (
    SELECT e.date, sum(l.debit - l.credit) AS value
    FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
    WHERE l.account_code IN (SELECT account_code FROM accounts) GROUP BY ALL
),
days AS (
    SELECT coalesce(s.date, b.date) AS date, coalesce(s.value, 0) AS stock, coalesce(b.value, 0) AS booked
    FROM stock s FULL JOIN booked b USING (date)
)
SELECT date, CAST(sum(stock) OVER w AS DECIMAL(18,2)), CAST(sum(booked) OVER w AS DECIMAL(18,2)), stock <> booked
FROM days WINDOW w AS (ORDER BY date ROWS UNBOUNDED PRECEDING)
ORDER BY date
"""


def inventory_checks(con: Connection, start: date | None, end: date | None) -> list[DayCheck]:
    """Dates on which the Inventory account and the stock's value part (each date's movements compared)."""
    checks = []
    for day, stock, booked, differs in con.execute(_INVENTORY).fetchall():
        if differs and (start is None or day >= start) and (end is None or day <= end):
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
