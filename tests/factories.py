"""Build canonical orders whose arithmetic is right, for tests.

    sale("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")], pay=[("Cash", None)])

``None`` as a payment amount means "the rest of the total".
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from flowtui.engine.core.money import to_sen
from flowtui.engine.core.orders import ORDER_FIELDS, Order, OrderLine, Payment

CENT = Decimal("0.01")


def _d(value) -> Decimal:
    return Decimal(str(value))


def order(
    id: str,
    store: str,
    time: str,
    lines: list[tuple],
    *,
    type: str = "sale",
    status: str = "completed",
    pay: list[tuple[str, object]] | None = None,
    tax_rate: str | None = None,
    service_charge: str = "0.00",
    discount: str = "0.00",
    rounding: str = "0.00",
    shipping: str | None = None,
    shipping_tax: str = "0.00",
    tip: str | None = None,
    number: str | None = None,
    original_id: str | None = None,
    **extra,
) -> dict:
    """``lines`` are ``(sku, quantity, unit_price[, line_discount[, tax]])``; ``shipping`` (ex-tax, its tax
    ``shipping_tax`` added to the order's tax) and ``tip`` are left out when not given; ``extra`` sets any other
    field (or adds a key the model does not know). Built as an :class:`Order`, handed back as its canonical JSON object."""
    built, subtotal, tax = [], Decimal(0), Decimal(0)
    for entry in lines:
        sku, quantity, price = entry[0], _d(entry[1]), _d(entry[2])
        line_discount = _d(entry[3]) if len(entry) > 3 else Decimal("0.00")
        amount = to_sen(quantity * price - line_discount)
        if len(entry) > 4:
            line_tax = _d(entry[4])
        elif tax_rate:
            line_tax = to_sen(amount * _d(tax_rate))
        else:
            line_tax = Decimal("0.00")
        built.append(OrderLine(sku=sku, name=f"Item {sku}", quantity=quantity, unit_price=price, discount=line_discount,
                               tax=line_tax, tax_code=f"T{tax_rate}" if tax_rate else None, amount=amount))
        subtotal += amount
        tax += line_tax
    tax += _d(shipping_tax)
    total = subtotal - _d(discount) + _d(service_charge) + _d(shipping or 0) + tax + _d(tip or 0) + _d(rounding)
    payments, paid = [], Decimal(0)
    for method, amount in pay if pay is not None else [("Cash", None)]:
        value = total - paid if amount is None else _d(amount)
        payments.append(Payment(method=method, amount=value.quantize(CENT)))
        paid += value
    given = dict(
        id=id, number=number or id, store_id=store, time=time, type=type, status=status, original_id=original_id,
        subtotal=subtotal.quantize(CENT), discount=discount, service_charge=service_charge, shipping=shipping,
        tax=tax.quantize(CENT), tip=tip, rounding=rounding, total=total.quantize(CENT), lines=tuple(built),
        payments=tuple(payments),
    )
    # the order's own fields go in their place; anything else (lines or payments written out as JSON, keys the
    # model does not know) is written as given, over what was built
    given.update((k, v) for k, v in extra.items() if k in ORDER_FIELDS)
    return Order(**given, extra={k: v for k, v in extra.items() if k not in ORDER_FIELDS}).as_dict()


def write_ndjson(path: Path, orders: list[dict | str]) -> Path:
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in orders), encoding="utf-8")
    return path
