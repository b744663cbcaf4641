"""The MiniPOS: a till built into flowtui whose sales land as orders of its stream.

Every sale, return or void is one canonical order landed at once, in the
caller's transaction, through the same landing as any other stream — so it is
validated, versioned and digested exactly like StoreHub's orders. A MiniPOS
stream has one store, :data:`STORE_ID`, mapped to the stream's location when
the stream is created. Order numbers come from a sequence per stream.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flowtui.connectors.base import OrderBatch
from flowtui.connectors.minipos.source import STORE_ID
from flowtui.connectors.registry import has_till
from flowtui.engine.core import clock
from flowtui.engine.core.errors import FlowError, InvalidInput, NotFound
from flowtui.engine.core.money import amount_text, from_sen
from flowtui.engine.core.orders import Order, OrderLine, Payment
from flowtui.engine.core.statuses import OrderStatus, OrderType
from flowtui.engine.digests.store import rebuild_dirty
from flowtui.engine.ledger import books, journal, sequences
from flowtui.engine.minipos import sql
from flowtui.engine.minipos.checkout import (
    CASH,
    CHANNEL,
    ZERO,
    Bill,
    Item,
    Settlement,
    SoldLine,
    Tender,
    is_cash,
    return_bill,
    settle,
    sold_lines,
)
from flowtui.engine.minipos.receipt import canonical, receipt_lines
from flowtui.engine.pipeline.landing import land_batch
from flowtui.engine.setup.streams import Stream
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows, the


def require_till(stream: Stream) -> Stream:
    if not has_till(stream.provider):
        raise InvalidInput(f"{stream.name!r} is a {stream.provider} stream, not a MiniPOS; "
                           "create one with `flowtui stream add NAME --provider minipos --location L`.")
    return stream


def location(con: Connection, stream: Stream) -> books.Location:
    row = one(con, sql.TILL_LOCATION, [stream.id, STORE_ID])
    if row is None:
        raise NotFound(f"MiniPOS {stream.name!r} has no location; set one with "
                       f"`flowtui stream set {stream.name!r} --location NAME`.")
    return books.Location(**row)


def today(con: Connection, stream: Stream) -> date:
    return clock.today_in(location(con, stream).timezone)


def catalog(con: Connection) -> list[Item]:
    """Every product the till can sell."""
    return [Item(**row) for row in rows(con, sql.CATALOG)]


def payment_methods(con: Connection, stream: Stream) -> list[str]:
    """Methods to offer: the books' payment methods and any the stream has mapped, Cash first."""
    names = [r["name"] for r in rows(con, sql.PAYMENT_METHODS, [stream.id])]
    return sorted(set(names), key=lambda n: (not is_cash(n), n.lower()))


def accepted_method(con: Connection, stream: Stream, method: str) -> str:
    """``method`` as the till books it (any case), if it is offered or mapped: so a closed day can always post."""
    offered = payment_methods(con, stream)
    typed = method.strip()
    found = next((m for m in offered if m == typed), None) or next(
        (m for m in offered if m.casefold() == typed.casefold()), None)
    if found is None:
        raise InvalidInput(f"{typed!r} is not a payment method of MiniPOS {stream.name!r}; use one of "
                           f"{', '.join(offered)}, or map it to an account first with "
                           f"`flowtui map payment {stream.name!r} {typed!r} --account CODE`.")
    return found


# -- ringing up ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rung:
    """An order just written: its number, what was charged and how it was paid."""

    number: str
    kind: OrderType
    business_date: date
    bill: Bill
    settlement: Settlement
    original: str | None = None

    def receipt(self, shop: str) -> list[str]:
        title = f"{shop} - {'REFUND ' if self.kind == 'return' else ''}#{self.number}"
        return receipt_lines(self.bill, self.settlement, title=title)


def _scope(stream: Stream) -> str:
    """The till's order number sequence (in ``number_sequences``)."""
    return f"minipos:{stream.id}"


def _next_number(con: Connection, stream: Stream) -> str:
    return f"{sequences.take(con, _scope(stream)):06d}"


def _land(con: Connection, stream: Stream, order: Order, now: datetime, follow: bool = True) -> None:
    batch = OrderBatch([json.dumps(order.as_dict())], refs=[f"minipos:{order.number}"])
    result = land_batch(con, stream.id, batch, default_tz=books.default_timezone(con), sync_run_id=None, now=now)
    if result.rejected:  # our own arithmetic disagreed with landing's checks: write nothing
        raise FlowError("The order was not saved: " + result.rejections[0].describe())
    if follow:
        catch_up(con, now)


def catch_up(con: Connection, now: datetime) -> None:
    """The day's digest follows the till live ('changed' once a closed day sells more).

    An order landed without it (``follow=False``) leaves its day marked dirty until this
    runs, or any other rebuild does: nothing is lost in between, the digest only lags.
    """
    rebuild_dirty(con, now)


def ring_up(con: Connection, stream: Stream, the_bill: Bill, tenders: list[Tender], now: datetime, *,
            follow: bool = True) -> Rung:
    """Write a sale; durable when the caller's transaction commits. ``follow``: its digest too (see :func:`catch_up`)."""
    if not the_bill.lines:
        raise InvalidInput("The cart is empty.")
    tenders = [Tender(accepted_method(con, stream, t.method) if t.method.strip() else t.method, t.amount)
               for t in tenders]
    settlement = settle(the_bill.total, tenders)
    place = location(con, stream)
    number = _next_number(con, stream)
    sale = canonical(number, STORE_ID, place.name, clock.iso_utc(now), OrderType.SALE, the_bill, settlement)
    _land(con, stream, sale, now, follow)
    return Rung(number, OrderType.SALE, now.astimezone(ZoneInfo(place.timezone)).date(), the_bill, settlement)


# -- reading orders back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TillOrder:
    number: str
    kind: str
    status: str
    at: datetime
    business_date: date
    original: str | None
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    rounding: Decimal
    total: Decimal
    lines: tuple[dict, ...]
    payments: tuple[tuple[str, Decimal], ...]


def _orders(con: Connection, stream: Stream, where: str, params: list) -> list[TillOrder]:
    heads = rows(con, sql.TILL_ORDERS.format(where=where), [stream.id, *params])
    if not heads:
        return []
    ids = [h["number"] for h in heads]
    lines: dict[str, list[dict]] = defaultdict(list)
    for line in rows(con, sql.TILL_ORDER_LINES, [stream.id, ids]):
        order_id = line.pop("order_id")
        lines[order_id].append(line)
    payments: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for p in rows(con, sql.TILL_ORDER_PAYMENTS, [stream.id, ids]):
        payments[p["order_id"]].append((p["method"], p["amount"]))
    return [TillOrder(**h, lines=tuple(lines[h["number"]]), payments=tuple(payments[h["number"]])) for h in heads]


def _number(text: str) -> str:
    raw = str(text).strip().lstrip("#")
    return f"{int(raw):06d}" if raw.isdigit() else raw


def order(con: Connection, stream: Stream, number: str) -> TillOrder:
    found = _orders(con, stream, sql.WHERE_NUMBER, [_number(number)])
    if not found:
        raise NotFound(f"MiniPOS {stream.name!r} has no order {number}.")
    return found[0]


def orders_on(con: Connection, stream: Stream, day: date) -> list[TillOrder]:
    return _orders(con, stream, sql.WHERE_DAY, [day])


# -- returns and voids --------------------------------------------------------------------------------


def returnable(con: Connection, stream: Stream, number: str) -> tuple[TillOrder, list[SoldLine]]:
    """An earlier sale and, per SKU, what can still come back."""
    sale = order(con, stream, number)
    if sale.kind != OrderType.SALE:
        raise InvalidInput(f"Order {sale.number} is a return; give the number of the sale.")
    if sale.status == OrderStatus.VOIDED:
        raise InvalidInput(f"Order {sale.number} was voided; there is nothing to return.")
    sold = sold_lines([dict(line) for line in sale.lines], sale.discount)
    back: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), ZERO, ZERO, ZERO])
    for earlier in _orders(con, stream, sql.WHERE_RETURNS_OF, [sale.number]):
        shares = {s.sku: s.share for s in sold_lines([dict(line) for line in earlier.lines], earlier.discount)}
        for line in earlier.lines:
            acc = back[line["sku"]]
            acc[0] += line["quantity"]
            acc[1] += line["amount"]
            acc[3] += line["tax"]
        for sku, share in shares.items():
            back[sku][2] += share
    updated = [SoldLine(s.sku, s.name, s.quantity, s.unit_price, s.amount, s.share, s.tax, s.tax_code, *back[s.sku])
               if s.sku in back else s for s in sold]
    return sale, updated


def refund(con: Connection, stream: Stream, number: str, wanted: dict[str, Decimal] | None, method: str,
           now: datetime, *, follow: bool = True) -> Rung:
    """A return against an earlier sale, refunded by ``method`` (cash refunds round to 5 sen)."""
    sale, sold = returnable(con, stream, number)
    the_bill = return_bill(sold, wanted)
    settlement = settle(the_bill.total, [Tender(accepted_method(con, stream, method))])
    place = location(con, stream)
    ret = _next_number(con, stream)
    _land(con, stream, canonical(ret, STORE_ID, place.name, clock.iso_utc(now), OrderType.RETURN, the_bill, settlement,
                                 original=(sale.number, sale.number)), now, follow)
    return Rung(ret, OrderType.RETURN, now.astimezone(ZoneInfo(place.timezone)).date(), the_bill, settlement, sale.number)


def void_last(con: Connection, stream: Stream, now: datetime) -> TillOrder:
    """Void the till's most recent order (a sale rung up by mistake, or a return)."""
    last_number = sequences.last(con, _scope(stream))
    if not last_number:
        raise InvalidInput(f"MiniPOS {stream.name!r} has no orders yet.")
    last = order(con, stream, f"{last_number:06d}")
    if last.status == OrderStatus.VOIDED:
        raise InvalidInput(f"Order {last.number} is already voided; only the last order can be voided.")
    voided = Order(
        id=last.number, number=last.number, store_id=STORE_ID, time=last.at, type=last.kind,
        status=OrderStatus.VOIDED, original_id=last.original, original_number=last.original, channel=CHANNEL,
        subtotal=last.subtotal, discount=last.discount, tax=last.tax, rounding=last.rounding, total=last.total,
        lines=tuple(OrderLine(**line) for line in last.lines),
        payments=tuple(Payment(method=m, amount=a) for m, a in last.payments),
    )
    _land(con, stream, voided, now)
    return order(con, stream, last.number)


# -- the day ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    stream: str
    location: str
    business_date: date
    orders: list[TillOrder]
    by_method: dict[str, Decimal]  # sales in, refunds out, voided orders left out
    sales: Decimal
    refunds: Decimal
    opening_float: Decimal
    closed_at: datetime | None
    counted_cash: Decimal | None
    timezone: str = "UTC"  # the till's location's: its times are shown in it

    @property
    def net_cash(self) -> Decimal:
        return sum((a for m, a in self.by_method.items() if is_cash(m)), ZERO)

    @property
    def expected_cash(self) -> Decimal:
        """What should be in the drawer: the float plus cash taken less cash refunded."""
        return self.opening_float + self.net_cash

    @property
    def over_short(self) -> Decimal | None:
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash


def day(con: Connection, stream: Stream, business_date: date | None = None) -> Day:
    business_date = business_date or today(con, stream)
    place = location(con, stream)
    orders = orders_on(con, stream, business_date)
    by_method: dict[str, Decimal] = defaultdict(lambda: ZERO)
    sales = refunds = ZERO
    for o in orders:
        if o.status != OrderStatus.COMPLETED:
            continue
        sign = 1 if o.kind == OrderType.SALE else -1
        if sign > 0:
            sales += o.total
        else:
            refunds += o.total
        for method, amount in o.payments:
            by_method[method] += sign * amount
    closed = one(con, sql.DAY_CLOSE, [stream.id, STORE_ID, business_date])
    closed_at, opening_float, counted = ((closed["closed_at"], closed["opening_float"], closed["counted_cash"])
                                         if closed else (None, ZERO, None))
    return Day(stream.name, place.name, business_date, orders, dict(sorted(by_method.items())), sales, refunds,
               opening_float, closed_at, counted, place.timezone)


def close(con: Connection, stream: Stream, business_date: date, opening_float: Decimal | None,
          counted: Decimal | None, now: datetime, who: str) -> Day:
    """Record the end-of-day close (again, if more was sold after an earlier close).

    Every close is kept (``till_closes``; ``day_closes`` shows the latest of each day). When the cash is
    counted, the drawer's difference from what was expected — over or short — is posted to the cash
    over/short account against the cash account; a later close of the same day posts only the change.
    Without an ``opening_float`` a second close keeps the first one's.
    """
    if business_date > today(con, stream):
        raise InvalidInput(f"{business_date} has not started yet at {location(con, stream).name}.")
    before = day(con, stream, business_date)
    if opening_float is None:
        opening_float = before.opening_float
    expected = opening_float + before.net_cash
    over_short = None if counted is None else counted - expected
    entry_id, change = None, 0
    if over_short is not None:
        posted = the(con, sql.CLOSES_POSTED, [stream.id, STORE_ID, business_date])["posted"]
        change = journal.sen(over_short) - journal.sen(posted)
    if change:
        label = "over" if change > 0 else "short"
        memo = f"Cash {label}, {stream.name} {business_date} (counted {amount_text(counted)}, expected {amount_text(expected)})"
        entry_id = journal.add_entry(
            con, business_date, "cash_over_short", memo,
            journal.two_sided(cash_account(con, stream), journal.category_account(con, "cash_over_short", stream.id),
                              change, memo), now)
    con.execute(
        sql.CLOSE_INSERT,
        [stream.id, STORE_ID, business_date, now, who, opening_float, expected, counted, over_short,
         from_sen(change), entry_id])
    return day(con, stream, business_date)


def day_digests(con: Connection, stream: Stream, business_date: date) -> set[int]:
    """The ids of the till's digests of ``business_date``."""
    return {r["id"] for r in rows(con, sql.DAY_DIGESTS, [stream.id, business_date])}


def cash_account(con: Connection, stream: Stream) -> str:
    """Where the till's cash is booked: the stream's mapping for Cash, else the books' Cash method."""
    row = one(con, sql.CASH_ACCOUNT, {"s": stream.id, "m": CASH})
    if row is None:
        raise FlowError(f'No account for cash; map it with `flowtui map payment "{stream.name}" Cash --account CODE`.')
    return row["account_code"]


def closes(con: Connection, stream: Stream, business_date: date) -> list[dict]:
    """Every close of a day, first to last, with the over/short each posted."""
    return rows(con, sql.CLOSES, [stream.id, STORE_ID, business_date])
