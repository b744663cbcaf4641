"""Shopify orders -> canonical orders (docs/orders.md; the rules are also in docs/connectors.md, Shopify).

One Shopify order gives one canonical **sale** and one canonical **return** per refund that moved money:

* ids: the sale is the order's numeric id (``gid://shopify/Order/450789469`` -> ``450789469``), its number the
  order's ``name`` (``#1001``); a return is ``refund-<refund's numeric id>``, ``original_id`` the sale's.
* store: the POS ``retailLocation``'s numeric id; ``online`` for an order without one (online store, other
  channels). Dated by ``processedAt`` (a return by the refund's ``createdAt``).
* line: ``amount = originalUnitPrice x quantity - its discountAllocations``; ``tax`` = its ``taxLines``; all in
  shop money. Its ``sku``; a custom item without one is known by its name (``product_id``). Order-level
  discounts are already allocated to the lines by Shopify, so the order's own ``discount`` is 0.
* shipping: the shipping lines' ``discountedPriceSet`` (removed lines left out), ex-tax; their tax lines go into
  ``tax``. ``tip`` is ``totalTipReceivedSet``; the line item Shopify books a POS tip as (no SKU, untaxed, the tip's
  amount, named ``Tip``) is left out of the lines, and given back by a cancellation it is the return's ``tip``.
* payments: the ``SUCCESS`` transactions of kind ``SALE`` or ``CAPTURE``, method = ``gateway`` exactly. A cash
  transaction Shopify POS rounded (``amountRoundingSet``: 9.99 paid in cash, +0.01, is 10.00 received) pays its
  rounded amount, and the order's ``rounding`` is the sum of its transactions' (a return's the same, from its
  refund's transactions: 5.02 refunded, -0.02, is 5.00 given back).
* **tax-inclusive prices** (``taxesIncluded``): Shopify's tax lines are the tax charged, to the sen, so a line's
  ex-tax amount is its tax-inclusive amount less its tax (exact, never re-rounded); its ex-tax unit price is
  the price / (1 + the sum of its tax rates), to 4 decimals, and its discount is what makes
  ``quantity x unit price - discount`` equal the amount, to the sen. Shipping the same: less its tax.
* status: ``displayFinancialStatus`` ``VOIDED`` (cancelled before any money was captured) is a voided order
  (its refunds are not returns: nothing was paid). A paid order that was cancelled stays a sale; its refund is
  a return.
* return: lines from ``refundLineItems`` (quantity, subtotal, tax), refunded shipping from
  ``refundShippingLines``, payments from its ``SUCCESS`` ``REFUND`` transactions. A refund without line items
  or shipping (an amount only) is one adjustment line (SKU ``SHOPIFY-REFUND``, no product: it moves no
  stock). When the money refunded differs from what the lines say (Shopify's order adjustments), the
  difference is an adjustment line (more refunded) or the return's discount (less). A refund that moved no
  money (a restock only) is no return.
* ``test: true`` orders are skipped, and so are orders nothing was captured for yet (``PENDING``, ``AUTHORIZED``,
  ``EXPIRED`` without a successful sale or capture: a bank transfer not yet received): they are booked when paid,
  which changes the order and brings it back. The caller counts both.

Pure and forgiving: :func:`map_order` never raises; a value it cannot read makes the entry unusable with a
reason naming the field, and the rest of the order's entries (and every other order) still go through.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from flowtui.connectors.shopify import fast
from flowtui.connectors.shopify.values import (
    Unreadable,
    money,
    nodes,
    numeric_id,
    positive_quantity,
    priced,
    rates,
    shown,
    sum_of,
    truncated,
)
from flowtui.engine.core.money import ZERO, exact_text
from flowtui.engine.core.orders import Order, OrderLine, Payment
from flowtui.engine.core.statuses import OrderStatus, OrderType

ONLINE = "online"
ONLINE_NAME = "Online store"
ADJUSTMENT_SKU = fast.ADJUSTMENT_SKU
PAID = frozenset({"SALE", "CAPTURE"})


@dataclass(frozen=True)
class Entry:
    """One canonical order made from a Shopify order: the order, where it came from, the reason it is unusable."""

    order: Order | dict | fast.Sale  # a dict: the canonical JSON object already; a Sale: the fast path's
    ref: str
    raw: Any
    error: str | None = None

    @property
    def canonical(self) -> dict:
        return self.order if isinstance(self.order, dict) else self.order.as_dict()


def store_of(order: dict) -> tuple[str, str]:
    """(store id, store name): the POS location's numeric id and name, else ``online``."""
    location = order.get("retailLocation")
    if isinstance(location, dict) and numeric_id(location.get("id")):
        name = location.get("name")
        return str(numeric_id(location.get("id"))), name if isinstance(name, str) and name else ""
    return ONLINE, ONLINE_NAME


def _sale_line(item: dict, number: int, taxes_included: bool) -> OrderLine:
    what = f"line item {number}"
    quantity = positive_quantity(item.get("quantity"), f"{what} quantity")
    unit = money(item.get("originalUnitPriceSet"), f"{what} originalUnitPriceSet")
    discount = sum_of(nodes(item.get("discountAllocations"), f"{what} discountAllocations"), "allocatedAmountSet",
                    f"{what} discount allocation")
    tax_lines = nodes(item.get("taxLines"), f"{what} taxLines")
    tax = sum_of(tax_lines, "priceSet", f"{what} tax line")
    if unit < 0 or discount < 0 or tax < 0:
        raise Unreadable(f"{what} has a negative price, discount or tax")
    amount = quantity * unit - discount
    if taxes_included:
        amount -= tax
        rate = rates(tax_lines)
        unit, discount = priced(amount, quantity, unit / (1 + rate) if rate is not None and rate > -1 else None)
    if amount < 0:
        raise Unreadable(f"{what}'s discounts ({discount}) are more than its price")
    return _line(item, quantity, unit, discount, tax, amount, what)


def _line(item: dict, quantity: int, unit: Decimal, discount: Decimal, tax: Decimal, amount: Decimal,
          what: str) -> OrderLine:
    sku, name = item.get("sku"), item.get("name")
    product = None
    sku = sku.strip() if isinstance(sku, str) and sku.strip() else None
    if sku is None and isinstance(name, str) and name.strip():
        product = name.strip()  # a custom item: its name groups it, the same on every order
    if sku is None and product is None:
        raise Unreadable(f"{what} has neither a SKU nor a name")
    return OrderLine(sku=sku, product_id=product, name=name if isinstance(name, str) else None, quantity=quantity,
                     unit_price=exact_text(unit), discount=exact_text(discount), tax=exact_text(tax),
                     amount=exact_text(amount))


def _payments(transactions: list[dict], kinds: frozenset[str], what: str) -> tuple[list[Payment], Decimal]:
    """(the payments, their cash rounding): a cash transaction's money is its ``amountSet`` plus its
    ``amountRoundingSet`` (Shopify POS's cash rounding, + or -; null or 0 for other payments)."""
    out, rounding = [], ZERO
    for number, transaction in enumerate(transactions, start=1):
        if transaction.get("kind") not in kinds or transaction.get("status") != "SUCCESS":
            continue
        gateway = transaction.get("gateway")
        if not isinstance(gateway, str) or not gateway.strip():
            raise Unreadable(f"{what} transaction {number} has no gateway")
        amount = money(transaction.get("amountSet"), f"{what} transaction {number} amount")
        if transaction.get("amountRoundingSet") is not None:
            rounded = money(transaction["amountRoundingSet"], f"{what} transaction {number} amountRoundingSet")
            amount, rounding = amount + rounded, rounding + rounded
        out.append(Payment(method=gateway, amount=exact_text(amount)))
    return out, rounding


def _shipping(lines: list[dict], taxes_included: bool) -> tuple[Decimal, Decimal]:
    """(ex-tax shipping after discounts, its tax) of the lines not removed."""
    amount = tax = ZERO
    for number, line in enumerate(lines, start=1):
        if line.get("isRemoved") is True:
            continue
        price = money(line.get("discountedPriceSet"), f"shipping line {number} discountedPriceSet")
        line_tax = sum_of(nodes(line.get("taxLines"), f"shipping line {number} taxLines"), "priceSet",
                        f"shipping line {number} tax line")
        amount += price - line_tax if taxes_included else price
        tax += line_tax
    if amount < 0 or tax < 0:
        raise Unreadable("the shipping is negative")
    return amount, tax


def _time(value: Any, what: str) -> str:
    if not isinstance(value, str) or len(value) < 16:
        raise Unreadable(f"{what} is {shown(value)}, not a time")
    return value


def _sale(order: dict, sale_id: str, store: tuple[str, str]) -> Order:
    taxes_included = order.get("taxesIncluded") is True
    items = nodes(order.get("lineItems"), "lineItems")
    tipped = fast.tip_line(items, order.get("totalTipReceivedSet"))
    lines = tuple(_sale_line(item, n, taxes_included) for n, item in enumerate(items, start=1)
                  if tipped is None or item.get("id") != tipped)
    shipping, shipping_tax = _shipping(nodes(order.get("shippingLines"), "shippingLines"), taxes_included)
    tip = money(order.get("totalTipReceivedSet"), "totalTipReceivedSet") if order.get("totalTipReceivedSet") else ZERO
    subtotal = sum((Decimal(str(line.amount)) for line in lines), ZERO)
    tax = sum((Decimal(str(line.tax)) for line in lines), ZERO) + shipping_tax
    voided = order.get("displayFinancialStatus") == "VOIDED"
    payments, rounding = ([], ZERO) if voided else _payments(nodes(order.get("transactions"), "transactions"), PAID,
                                                              "the order's")
    name = order.get("name")
    return Order(
        id=sale_id, number=name if isinstance(name, str) and name else sale_id, store_id=store[0],
        store_name=store[1] or None, time=_time(order.get("processedAt"), "processedAt"), type=OrderType.SALE,
        status=OrderStatus.VOIDED if voided else OrderStatus.COMPLETED, channel=_channel(order),
        subtotal=exact_text(subtotal), discount="0.00", tax=exact_text(tax),
        shipping=exact_text(shipping), tip=exact_text(tip), rounding=exact_text(rounding) if rounding else None,
        total=exact_text(subtotal + shipping + tax + tip + rounding), lines=lines, payments=tuple(payments),
    )


def _channel(order: dict) -> str | None:
    source = order.get("sourceName")
    return source if isinstance(source, str) and source else None


def _refund(order: dict, refund: dict, sale: dict, number: int) -> Order | None:
    taxes_included = order.get("taxesIncluded") is True
    what = f"refund {number}"
    if truncated(refund.get("refundLineItems")):
        raise Unreadable(f"{what} has more lines than were read")
    tipped = fast.tip_line(nodes(order.get("lineItems"), "lineItems"), order.get("totalTipReceivedSet"))
    lines, tip = [], ZERO
    for n, item in enumerate(nodes(refund.get("refundLineItems"), f"{what} refundLineItems"), start=1):
        line_what = f"{what} line {n}"
        if tipped is not None and isinstance(item.get("lineItem"), dict) and item["lineItem"].get("id") == tipped:
            tip += money(item.get("subtotalSet"), f"{line_what} subtotalSet")  # the tip given back (a cancellation)
            continue
        quantity = positive_quantity(item.get("quantity"), f"{line_what} quantity")
        subtotal = money(item.get("subtotalSet"), f"{line_what} subtotalSet")
        tax = money(item.get("totalTaxSet"), f"{line_what} totalTaxSet") if item.get("totalTaxSet") else ZERO
        amount = subtotal - tax if taxes_included else subtotal
        if amount < 0 or tax < 0:
            raise Unreadable(f"{line_what} is negative")
        unit, discount = priced(amount, quantity, None)
        source = item.get("lineItem")
        lines.append(_line(source if isinstance(source, dict) else {}, quantity, unit, discount, tax, amount,
                           line_what))
    shipping = shipping_tax = ZERO
    for n, line in enumerate(nodes(refund.get("refundShippingLines"), f"{what} refundShippingLines"), start=1):
        tax = money(line.get("taxAmountSet"), f"{what} shipping {n} taxAmountSet")
        subtotal = money(line.get("subtotalAmountSet"), f"{what} shipping {n} subtotalAmountSet")
        shipping += subtotal - tax if taxes_included else subtotal
        shipping_tax += tax
    payments, rounding = _payments(nodes(refund.get("transactions"), f"{what} transactions"), frozenset({"REFUND"}),
                                   what)
    paid = sum((Decimal(str(p.amount)) for p in payments), ZERO)
    if paid <= 0:
        return None  # a restock or a note: no money moved, nothing to book
    subtotal = sum((Decimal(str(line.amount)) for line in lines), ZERO)
    tax = sum((Decimal(str(line.tax)) for line in lines), ZERO) + shipping_tax
    gap = paid - rounding - (subtotal + shipping + tax + tip)
    discount = ZERO
    if gap > 0:  # an amount only, or more refunded than the lines say: an adjustment that moves no stock
        lines.append(OrderLine(sku=ADJUSTMENT_SKU, name="Refund adjustment" if lines else "Refund (amount only)",
                               quantity=1, unit_price=exact_text(gap), discount="0.00", tax="0.00",
                               amount=exact_text(gap)))
        subtotal += gap
    elif gap < 0:
        discount = -gap
    refund_id = numeric_id(refund.get("id"))
    if refund_id is None:
        raise Unreadable(f"{what} has no id")
    return Order(
        id=f"refund-{refund_id}", number=f"{sale['number']}-R{number}", store_id=sale["store_id"],
        store_name=sale.get("store_name"), time=_time(refund.get("createdAt"), f"{what} createdAt"),
        type=OrderType.RETURN, status=OrderStatus.COMPLETED, original_id=sale["id"], original_number=sale["number"],
        channel=sale.get("channel"), subtotal=exact_text(subtotal), discount=exact_text(discount), tax=exact_text(tax),
        shipping=exact_text(shipping), tip=exact_text(tip), rounding=exact_text(rounding) if rounding else None,
        total=exact_text(paid), lines=tuple(lines),
        payments=tuple(payments),
    )


def is_test(order: Any) -> bool:
    return isinstance(order, dict) and order.get("test") is True


#: financial statuses of an order nothing has been captured for yet (a pending bank transfer, an authorization)
UNPAID = frozenset({"PENDING", "AUTHORIZED", "EXPIRED"})


def skipped(order: Any) -> str | None:
    """Why an order is not booked at all: ``test``, ``unpaid`` (nothing captured yet: it is booked once Shopify
    captures its payment, which changes the order and brings it back), or None."""
    if is_test(order):
        return "test"
    if not isinstance(order, dict) or order.get("displayFinancialStatus") not in UNPAID:
        return None
    transactions = order.get("transactions")
    for transaction in transactions if isinstance(transactions, list) else []:
        if isinstance(transaction, dict) and transaction.get("kind") in PAID and transaction.get("status") == "SUCCESS":
            return None
    return "unpaid"


def map_order(order: Any) -> list[Entry]:
    """The canonical entries of one Shopify order (none for a test order); never raises."""
    if not isinstance(order, dict):
        return [Entry(Order(), "shopify:order", order, f"not an order object (got {type(order).__name__})")]
    sale_id = numeric_id(order.get("id"))
    ref = f"shopify:order/{sale_id}"
    if skipped(order):
        return []
    try:
        store = store_of(order)
    except (AttributeError, TypeError):
        store = (ONLINE, ONLINE_NAME)
    if sale_id is None:
        return [Entry(_partial(order, None, store), "shopify:order", order, "the order has no id")]
    if truncated(order.get("lineItems")) or truncated(order.get("shippingLines")):
        return [Entry(_partial(order, sale_id, store), ref, order,
                      "the order has more line items or shipping lines than were read; it is read again alone")]
    quick = fast.sale(order, sale_id, store)
    if quick is not None:
        entries = [Entry(quick, ref, order)]
        if not order.get("refunds"):
            return entries
        made = quick.as_dict()
    else:
        try:
            made = _sale(order, sale_id, store).as_dict()
        except (Unreadable, ArithmeticError) as exc:
            return [Entry(_partial(order, sale_id, store), ref, order, f"order {sale_id}: {_reason(exc)}")]
        entries = [Entry(made, ref, order)]
    if made["status"] == OrderStatus.VOIDED or not order.get("refunds"):
        return entries
    try:
        refunds = nodes(order.get("refunds"), "refunds")
    except Unreadable as exc:
        return [Entry(made, ref, order, f"order {sale_id}: {exc}")]
    for number, refund in enumerate(sorted(refunds, key=_refund_key), start=1):
        refund_ref = f"shopify:refund/{numeric_id(refund.get('id'))}"
        quick_back = fast.refund(order, refund, quick, number) if quick is not None else None
        if quick_back is not None:
            entries.append(Entry(quick_back, refund_ref, refund))
            continue
        try:
            back = _refund(order, refund, made, number)
        except (Unreadable, ArithmeticError) as exc:
            entries.append(Entry(_partial_refund(refund, made), refund_ref, refund,
                                 f"refund {numeric_id(refund.get('id'))} of order {sale_id}: {_reason(exc)}"))
            continue
        if back is not None:
            entries.append(Entry(back, refund_ref, refund))
    return entries


def _refund_key(refund: dict) -> tuple[str, str]:
    created, ident = refund.get("createdAt"), refund.get("id")
    return (created if isinstance(created, str) else "", ident if isinstance(ident, str) else "")


def _partial(order: dict, sale_id: str | None, store: tuple[str, str]) -> Order:
    """What can be read of an unusable order: enough for its rejection to hold its store's day."""
    when = order.get("processedAt")
    name = order.get("name")
    return Order(id=sale_id, number=name if isinstance(name, str) else None, store_id=store[0],
                 time=when if isinstance(when, str) else None)


def _partial_refund(refund: dict, sale: dict) -> Order:
    when = refund.get("createdAt")
    refund_id = numeric_id(refund.get("id"))
    return replace(Order(), id=f"refund-{refund_id}" if refund_id else None, store_id=sale["store_id"],
                   type=OrderType.RETURN, time=when if isinstance(when, str) else None, original_id=sale["id"])


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, Unreadable) else f"an amount flowtui cannot hold ({type(exc).__name__})"


