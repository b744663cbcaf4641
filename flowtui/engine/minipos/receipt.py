"""What a settled sale (or return) becomes: the canonical order the till lands, and its receipt.

The arithmetic that gets there (cart, bill, settlement, returns) is :mod:`flowtui.engine.minipos.checkout`.
"""

from __future__ import annotations

from flowtui.engine.core.money import money
from flowtui.engine.core.orders import Order, OrderLine, Payment
from flowtui.engine.core.statuses import OrderStatus
from flowtui.engine.minipos.checkout import CHANNEL, Bill, Settlement, is_cash, plain_quantity

# -- the canonical order ----------------------------------------------------------------------------


def canonical(order_id: str, store_id: str, store_name: str | None, time: str, kind: str, the_bill: Bill,
              settlement: Settlement, original: tuple[str, str] | None = None) -> Order:
    """The order as every stream lands it (see docs/orders.md).

    The order discount is the order's ``discount``; each line keeps its own
    discount and amount. The books share the order discount over the lines
    the way the till did (in proportion to their amounts, largest remainder),
    so each tax code's taxable amount is what tax was charged on.
    """
    original_id, original_number = original or (None, None)
    return Order(
        id=order_id, number=order_id, store_id=store_id, store_name=store_name, time=time, type=kind,
        status=OrderStatus.COMPLETED, original_id=original_id, original_number=original_number, channel=CHANNEL,
        subtotal=the_bill.subtotal, discount=the_bill.discount, tax=the_bill.tax, rounding=settlement.rounding,
        total=settlement.total,
        lines=tuple(OrderLine(sku=line.sku, name=line.name, quantity=line.quantity.normalize(),
                              unit_price=line.unit_price, discount=line.discount, tax=line.tax,
                              tax_code=line.tax_code, amount=line.amount) for line in the_bill.lines),
        payments=tuple(Payment(method=method, amount=amount) for method, amount in settlement.payments),
    )


# -- the receipt -------------------------------------------------------------------------------------

WIDTH = 40


def receipt_lines(the_bill: Bill, settlement: Settlement | None = None, *, title: str | None = None,
                  width: int = WIDTH) -> list[str]:
    """A plain-text receipt (or a preview of one while the cart is open)."""
    def row(left: str, right: str = "") -> str:
        room = width - len(right) - 1
        return f"{left[:room]:<{room}} {right}"

    out = [title.center(width)] if title else []
    for line in the_bill.lines:
        out.append(row(line.name, money(line.amount + line.discount)))
        out.append(row(f"  {plain_quantity(line.quantity)} x {money(line.unit_price)}  {line.sku}"))
        if line.discount:
            out.append(row("  line discount", f"-{money(line.discount)}"))
    out.append("-" * width)
    out.append(row("Subtotal", money(the_bill.subtotal)))
    if the_bill.discount:
        out.append(row("Order discount", f"-{money(the_bill.discount)}"))
    for code, rate, _taxable, tax in the_bill.taxes():
        out.append(row(f"Tax {code} {rate * 100:.0f}%".replace("  ", " "), money(tax)))
    out.append(row("Total", money(the_bill.total)))
    if settlement is not None:
        if settlement.rounding:
            out.append(row("Rounding", money(settlement.rounding, signed=True)))
            out.append(row("Total (rounded)", money(settlement.total)))
        for method, amount in settlement.payments:
            shown = settlement.cash_tendered if is_cash(method) else amount
            out.append(row(method, money(shown)))
        if settlement.change:
            out.append(row("Change", money(settlement.change)))
    return out
