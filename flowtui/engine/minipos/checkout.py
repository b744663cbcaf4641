"""The MiniPOS till's arithmetic: a cart, its bill, how it is paid, and returns.

Pure functions over Decimals, no database. Prices exclude tax (as in the
canonical order). A line's discount comes off the line; the order discount is
shared over the lines in proportion to their amounts (to the sen, largest
remainder) *before* tax, so tax is charged on what the customer actually pays.
Cash is rounded to 5 sen the way Bank Negara Malaysia's rounding mechanism
says (1, 2 sen down; 3, 4 up to 5; 6, 7 down to 5; 8, 9 up), and only the part
of a bill paid in cash is rounded: a card or e-wallet pays to the sen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.core.money import CENT, ZERO, cash_round
from flowtui.engine.core.money import to_sen as sen

CASH = "Cash"
CHANNEL = "MiniPOS"  # the channel of every order the till writes


def is_cash(method: str) -> bool:
    return method.strip().lower() == CASH.lower()


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Share ``total`` (in sen) over ``weights`` in proportion, so the shares add up exactly."""
    if not weights:
        return []
    whole = sum(weights)
    if total == 0 or whole == 0:
        return [ZERO for _ in weights]
    raw = [total * w / whole for w in weights]
    shares = [r.quantize(CENT, rounding=ROUND_FLOOR) for r in raw]
    left = int((total - sum(shares)) / CENT)
    by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += CENT
    return shares


def parse_discount(text: str, base: Decimal, what: str) -> Decimal:
    """An amount off (``1.50``) or a percentage of ``base`` (``10%``), to the sen."""
    raw = str(text).strip()
    try:
        value = Decimal(raw.rstrip("%").strip())
    except ArithmeticError:
        raise InvalidInput(f"{what} must be an amount like 1.50 or a percentage like 10%, not {text!r}.") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{what} must be zero or more, not {text!r}.")
    if raw.endswith("%"):
        if value > 100:
            raise InvalidInput(f"{what} cannot be more than 100%.")
        return sen(base * value / 100)
    if value != value.quantize(CENT):
        raise InvalidInput(f"{what} can have at most 2 decimals, not {text!r}.")
    return value


# -- the cart -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A product as the till sells it."""

    sku: str
    name: str
    unit_price: Decimal
    tax_code: str | None = None
    tax_rate: Decimal = Decimal(0)
    barcode: str | None = None


@dataclass(frozen=True)
class CartLine:
    item: Item
    quantity: Decimal
    discount: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return sen(self.quantity * self.item.unit_price)

    @property
    def amount(self) -> Decimal:
        return self.gross - self.discount


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...] = ()
    discount: Decimal = ZERO  # the order discount, an amount

    def add(self, item: Item, quantity: Decimal = Decimal(1)) -> Cart:
        """Ring up ``item``; the same SKU again adds to its line."""
        _check_quantity(quantity)
        for i, line in enumerate(self.lines):
            if line.item.sku == item.sku:
                return self.set_quantity(i, line.quantity + quantity)
        return replace(self, lines=self.lines + (CartLine(item, quantity),))

    def set_quantity(self, index: int, quantity: Decimal) -> Cart:
        _check_quantity(quantity)
        line = self.lines[index]
        updated = replace(line, quantity=quantity)
        if line.discount > updated.gross:
            raise InvalidInput(f"{line.item.name}: the discount {line.discount} is more than the line's {updated.gross}.")
        return self._with(index, updated)

    def set_line_discount(self, index: int, text: str) -> Cart:
        line = self.lines[index]
        discount = parse_discount(text, line.gross, "Line discount")
        if discount > line.gross:
            raise InvalidInput(f"{line.item.name}: a discount of {discount} is more than the line's {line.gross}.")
        return self._with(index, replace(line, discount=discount))

    def set_discount(self, text: str) -> Cart:
        subtotal = sum((line.amount for line in self.lines), ZERO)
        discount = parse_discount(text, subtotal, "Order discount")
        if discount > subtotal:
            raise InvalidInput(f"An order discount of {discount} is more than the subtotal {subtotal}.")
        return replace(self, discount=discount)

    def remove(self, index: int) -> Cart:
        lines = self.lines[:index] + self.lines[index + 1:]
        cart = replace(self, lines=lines)
        subtotal = sum((line.amount for line in lines), ZERO)
        return cart if cart.discount <= subtotal else replace(cart, discount=ZERO)

    def _with(self, index: int, line: CartLine) -> Cart:
        lines = self.lines[:index] + (line,) + self.lines[index + 1:]
        cart = replace(self, lines=lines)
        subtotal = sum((line.amount for line in lines), ZERO)
        return cart if cart.discount <= subtotal else replace(cart, discount=subtotal)

    @property
    def empty(self) -> bool:
        return not self.lines


def _check_quantity(quantity: Decimal) -> None:
    if not quantity.is_finite() or quantity <= 0 or quantity != quantity.quantize(Decimal("0.001")):
        raise InvalidInput(f"Quantity must be more than zero with at most 3 decimals, not {quantity}.")
    if quantity >= 100_000:
        raise InvalidInput(f"Quantity {quantity} is too large for one line.")


# -- the bill --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillLine:
    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal  # the line's own discount
    amount: Decimal  # quantity x unit price - discount, before tax
    share: Decimal  # its share of the order discount
    tax: Decimal
    tax_code: str | None
    tax_rate: Decimal


@dataclass(frozen=True)
class Bill:
    lines: tuple[BillLine, ...]
    discount: Decimal

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        """What is due before any cash rounding."""
        return self.subtotal - self.discount + self.tax

    def taxes(self) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        """(tax code, rate, taxable amount, tax) per code, for the receipt."""
        out: dict[tuple[str, Decimal], list[Decimal]] = {}
        for line in self.lines:
            if line.tax_code or line.tax:
                key = (line.tax_code or "", line.tax_rate)
                acc = out.setdefault(key, [ZERO, ZERO])
                acc[0] += line.amount - line.share
                acc[1] += line.tax
        return [(code, rate, taxable, tax) for (code, rate), (taxable, tax) in sorted(out.items())]


def bill(cart: Cart) -> Bill:
    """Price a cart: order discount shared over the lines, then tax per line."""
    shares = allocate(cart.discount, [line.amount for line in cart.lines])
    lines = tuple(
        BillLine(line.item.sku, line.item.name, line.quantity, line.item.unit_price, line.discount, line.amount,
                 share, sen((line.amount - share) * line.item.tax_rate), line.item.tax_code, line.item.tax_rate)
        for line, share in zip(cart.lines, shares, strict=True)
    )
    return Bill(lines, cart.discount)


# -- paying ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tender:
    """A payment as the customer hands it over; ``amount=None`` pays whatever is left."""

    method: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class Settlement:
    due: Decimal  # the bill before rounding
    rounding: Decimal  # on the cash part only
    payments: tuple[tuple[str, Decimal], ...]  # as booked: cash at the rounded amount due, not as tendered
    cash_tendered: Decimal
    change: Decimal

    @property
    def total(self) -> Decimal:
        return self.due + self.rounding


def settle(due: Decimal, tenders: Iterable[Tender]) -> Settlement:
    """Work out rounding, the payments to book and the change, or say what is wrong.

    Card, e-wallet and other methods pay exact amounts and may not pay more
    than is due; cash pays the rest, rounded to 5 sen, and may be more (the
    change is given back).
    """
    tenders = [Tender(t.method.strip(), t.amount) for t in tenders]
    for t in tenders:
        if not t.method:
            raise InvalidInput("Every payment needs a method.")
        if t.amount is not None and t.amount < 0:
            raise InvalidInput(f"{t.method}: a payment cannot be negative ({t.amount}).")
        if t.amount is not None and t.amount != t.amount.quantize(CENT):
            raise InvalidInput(f"{t.method}: {t.amount} has more than 2 decimals; money is paid to the sen, "
                               "never rounded for you.")
    open_ones = [t for t in tenders if t.amount is None]
    if len(open_ones) > 1:
        raise InvalidInput("Only one payment can be 'the rest'; give the others an amount.")
    cash = [t for t in tenders if is_cash(t.method)]
    other = [t for t in tenders if not is_cash(t.method)]
    cash_given = sum((t.amount for t in cash if t.amount is not None), ZERO)
    other_fixed = sum((t.amount for t in other if t.amount is not None), ZERO)
    booked: list[tuple[str, Decimal]] = []
    for t in other:
        amount = t.amount if t.amount is not None else due - other_fixed - cash_given
        if amount <= 0 and t.amount is None:
            raise InvalidInput(f"Nothing is left to pay by {t.method}.")
        if amount > 0:
            booked.append((t.method, amount))
    other_total = sum((a for _, a in booked), ZERO)
    if other_total > due:
        raise InvalidInput(f"Card and other payments come to {other_total}, more than the {due} due; "
                           "only cash can be overpaid.")
    rest = due - other_total
    if not cash:
        if rest:
            raise InvalidInput(f"{rest} is still to pay.")
        return Settlement(due, ZERO, tuple(booked), ZERO, ZERO)
    cash_due = cash_round(rest)
    tendered = cash_due if any(t.amount is None for t in cash) else cash_given
    if tendered < cash_due:
        raise InvalidInput(f"Cash of {tendered} is short of the {cash_due} due in cash by {cash_due - tendered}.")
    if cash_due:
        booked.append((CASH, cash_due))
    return Settlement(due, cash_due - rest, tuple(booked), tendered, tendered - cash_due)


# -- returns ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoldLine:
    """A line of an earlier sale as it was sold, with what has come back of it since."""

    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    share: Decimal  # of the order discount
    tax: Decimal
    tax_code: str | None
    returned_quantity: Decimal = Decimal(0)
    returned_amount: Decimal = ZERO
    returned_share: Decimal = ZERO
    returned_tax: Decimal = ZERO

    @property
    def returnable(self) -> Decimal:
        return self.quantity - self.returned_quantity


def sold_lines(lines: list[dict], order_discount: Decimal) -> list[SoldLine]:
    """An earlier sale's lines (one per SKU) with each one's share of its order discount."""
    merged: dict[str, dict] = {}
    for line in lines:
        key = line["sku"]
        if key in merged:
            acc = merged[key]
            for field in ("quantity", "amount", "tax"):
                acc[field] += line[field]
        else:
            merged[key] = dict(line)
    rows = list(merged.values())
    shares = allocate(order_discount, [row["amount"] for row in rows])
    return [SoldLine(r["sku"], r["name"] or r["sku"], r["quantity"], r["unit_price"], r["amount"], share, r["tax"],
                     r.get("tax_code")) for r, share in zip(rows, shares, strict=True)]


def return_bill(sold: list[SoldLine], wanted: dict[str, Decimal] | None) -> Bill:
    """What to refund for ``wanted`` (SKU -> quantity; ``None`` = all that is left), pro rata to the sale.

    Returning the last of a line refunds exactly what is left of it, so a sale
    returned in parts refunds to the sen what it took.
    """
    by_sku = {line.sku: line for line in sold}
    wanted = wanted if wanted is not None else {s.sku: s.returnable for s in sold if s.returnable > 0}
    if not wanted:
        raise InvalidInput("Everything on that order has already been returned.")
    lines = []
    for sku, quantity in wanted.items():
        line = by_sku.get(sku)
        if line is None:
            raise InvalidInput(f"{sku} is not on that order.")
        _check_quantity(quantity)
        if quantity > line.returnable:
            raise InvalidInput(f"{sku}: only {plain_quantity(line.returnable)} of {plain_quantity(line.quantity)} "
                               "can still be returned.")
        if quantity == line.returnable:
            amount = line.amount - line.returned_amount
            share = line.share - line.returned_share
            tax = line.tax - line.returned_tax
        else:
            part = quantity / line.quantity
            amount, share, tax = sen(line.amount * part), sen(line.share * part), sen(line.tax * part)
        gross = sen(quantity * line.unit_price)
        taxable = amount - share
        rate = (tax / taxable).quantize(Decimal("0.01")) if taxable else Decimal(0)
        lines.append(BillLine(sku, line.name, quantity, line.unit_price, max(gross - amount, ZERO), amount, share, tax,
                              line.tax_code, rate))
    return Bill(tuple(lines), sum((line.share for line in lines), ZERO))


def plain_quantity(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


# -- finding products ----------------------------------------------------------------------------------


def search(items: list[Item], text: str, limit: int = 50) -> list[Item]:
    """Products matching what was typed: exact SKU or barcode first, then SKUs and names that start with it,
    then names that contain it."""
    needle = text.strip().lower()
    if not needle:
        return items[:limit]
    ranked = []
    for item in items:
        sku, name = item.sku.lower(), item.name.lower()
        if needle in (sku, (item.barcode or "").lower()):
            rank = 0
        elif sku.startswith(needle) or name.startswith(needle):
            rank = 1
        elif needle in name or needle in sku:
            rank = 2
        else:
            continue
        ranked.append((rank, item.name.lower(), item.sku, item))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked[:limit]]


def find(items: list[Item], code: str) -> Item:
    """The one product a SKU, barcode or name means; a clear error when none or several do."""
    needle = code.strip().lower()
    for exact in (lambda i: i.sku.lower() == needle, lambda i: (i.barcode or "").lower() == needle,
                  lambda i: i.name.lower() == needle):
        found = [i for i in items if exact(i)]
        if len(found) == 1:
            return found[0]
    found = search(items, code, limit=6)
    if not found:
        raise InvalidInput(f"No product with SKU, barcode or name {code!r}; see `flowtui products`.")
    if len(found) > 1:
        names = ", ".join(f"{i.sku} ({i.name})" for i in found[:5])
        raise InvalidInput(f"{code!r} could mean {names}; give the SKU.")
    return found[0]
