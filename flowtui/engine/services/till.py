"""The service face of a MiniPOS till: what the checkout screen and `flowtui minipos` call.

Each sale, return, void and close is one short write; nothing is held
between keystrokes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.core.statuses import PostStatus
from flowtui.engine.ledger.posting import actor
from flowtui.engine.ledger.products import parse_amount
from flowtui.engine.minipos import sales as minipos
from flowtui.engine.minipos.checkout import Bill, Cart, Item, SoldLine, Tender, bill, find
from flowtui.engine.setup.streams import require_active, require_stream
from flowtui.engine.storage.database import Database


@dataclass(frozen=True)
class Closed:
    day: minipos.Day
    outcome: object  # the SyncOutcome of building (and, with auto invoice, posting) the day's digest
    postings: list = field(default_factory=list)  # the PostOutcomes of its own day (not other days the sync posted)
    closes: list[dict] = field(default_factory=list)  # every close of the day, this one last

    @property
    def documents(self) -> list[str]:
        """What this close posted for its own day."""
        return [number for p in self.postings if p.status in (PostStatus.POSTED, PostStatus.ADJUSTED)
                for _kind, number in p.documents]


class Till:
    """The till of the MiniPOS stream ``name``; ``sync`` builds (and posts) a closed day's digest."""

    def __init__(self, db: Database, name: str, sync: Callable[..., list]) -> None:
        self.db = db
        self._sync = sync
        with self.db.read() as con:
            self.stream = minipos.require_till(require_stream(con, name))
            self.location = minipos.location(con, self.stream).name

    @property
    def name(self) -> str:
        return self.stream.name

    def catalog(self) -> list[Item]:
        with self.db.read() as con:
            return minipos.catalog(con)

    def payment_methods(self) -> list[str]:
        with self.db.read() as con:
            return minipos.payment_methods(con, self.stream)

    def today(self) -> date:
        with self.db.read() as con:
            return minipos.today(con, self.stream)

    def ring_up(self, cart: Cart | Bill, tenders: list[Tender], *, follow: bool = True) -> minipos.Rung:
        """Save a sale. With ``follow=False`` its day's digest catches up only at :meth:`catch_up` (or any
        later rebuild): the sale is saved in half the time, for a till that shows the receipt first."""
        the_bill = bill(cart) if isinstance(cart, Cart) else cart
        with self.db.write() as con:
            return minipos.ring_up(con, require_active(self.stream), the_bill, tenders, clock.now(), follow=follow)

    def catch_up(self) -> None:
        """Bring the digests up to date with what was rung up with ``follow=False``."""
        with self.db.write() as con:
            minipos.catch_up(con, clock.now())

    def cart(self, items: list[tuple[str, str]], discount: str | None = None,
             line_discounts: dict[int, str] | None = None) -> Cart:
        """A cart from (SKU, barcode or name; quantity) pairs, as the command line gives them."""
        catalog = self.catalog()
        cart = Cart()
        for code, quantity in items:
            cart = cart.add(find(catalog, code), _quantity(quantity))
        for index, text in (line_discounts or {}).items():
            cart = cart.set_line_discount(index, text)
        return cart.set_discount(discount) if discount else cart

    def order(self, number: str) -> minipos.TillOrder:
        with self.db.read() as con:
            return minipos.order(con, self.stream, number)

    def returnable(self, number: str) -> tuple[minipos.TillOrder, list[SoldLine]]:
        with self.db.read() as con:
            return minipos.returnable(con, self.stream, number)

    def refund(self, number: str, wanted: dict[str, Decimal] | None = None, method: str = "Cash", *,
               follow: bool = True) -> minipos.Rung:
        """A return against sale ``number``; ``follow`` as for :meth:`ring_up`."""
        with self.db.write() as con:
            return minipos.refund(con, require_active(self.stream), number, wanted, method, clock.now(), follow=follow)

    def void_last(self) -> minipos.TillOrder:
        with self.db.write() as con:
            return minipos.void_last(con, require_active(self.stream), clock.now())

    def day(self, business_date: date | None = None) -> minipos.Day:
        with self.db.read() as con:
            return minipos.day(con, self.stream, business_date)

    def close(self, business_date: date | None = None, opening_float: str | None = None,
              counted: str | None = None) -> Closed:
        """End the day: record it, then build its digest (and post it when auto invoice is on)."""
        float_amount = None if opening_float in (None, "") else parse_amount(opening_float, "Opening float", places=2)
        counted_amount = parse_amount(counted, "Counted cash", places=2) if counted not in (None, "") else None
        with self.db.write() as con:
            business_date = business_date or minipos.today(con, self.stream)
            minipos.close(con, require_active(self.stream), business_date, float_amount, counted_amount, clock.now(), actor())
        outcome = self._sync([self.name], start=business_date, end=business_date)[0]
        with self.db.read() as con:
            own = minipos.day_digests(con, self.stream, business_date)
            closes = minipos.closes(con, self.stream, business_date)
        return Closed(self.day(business_date), outcome, [p for p in outcome.postings if p.digest_id in own], closes)

    def receipt(self, rung: minipos.Rung) -> list[str]:
        return rung.receipt(self.stream.store_name or self.location)


def _quantity(text: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except ArithmeticError:
        raise InvalidInput(f"Quantity must be a number, not {text!r}.") from None
    if not value.is_finite():
        raise InvalidInput(f"Quantity must be a number, not {text!r}.")
    return value
