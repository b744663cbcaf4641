"""Build canonical orders whose arithmetic is right, for tests.

    sale("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")], pay=[("Cash", None)])

``None`` as a payment amount means "the rest of the total".
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

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
    number: str | None = None,
    original_id: str | None = None,
    **extra,
) -> dict:
    """``lines`` are ``(sku, quantity, unit_price[, line_discount[, tax]])``."""
    built, subtotal, tax = [], Decimal(0), Decimal(0)
    for entry in lines:
        sku, quantity, price = entry[0], _d(entry[1]), _d(entry[2])
        line_discount = _d(entry[3]) if len(entry) > 3 else Decimal("0.00")
        amount = (quantity * price - line_discount).quantize(CENT, rounding=ROUND_HALF_UP)
        if len(entry) > 4:
            line_tax = _d(entry[4])
        elif tax_rate:
            line_tax = (amount * _d(tax_rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            line_tax = Decimal("0.00")
        built.append({"sku": sku, "name": f"Item {sku}", "quantity": str(quantity), "unit_price": str(price),
                      "discount": str(line_discount), "tax": str(line_tax), "amount": str(amount),
                      **({"tax_code": f"T{tax_rate}"} if tax_rate else {})})
        subtotal += amount
        tax += line_tax
    total = subtotal - _d(discount) + _d(service_charge) + tax + _d(rounding)
    payments, paid = [], Decimal(0)
    for method, amount in pay if pay is not None else [("Cash", None)]:
        value = total - paid if amount is None else _d(amount)
        payments.append({"method": method, "amount": f"{value:.2f}"})
        paid += value
    data = {
        "id": id, "number": number or id, "store_id": store, "time": time, "type": type, "status": status,
        "subtotal": f"{subtotal:.2f}", "discount": discount, "service_charge": service_charge,
        "tax": f"{tax:.2f}", "rounding": rounding, "total": f"{total:.2f}", "lines": built, "payments": payments,
    }
    if original_id:
        data["original_id"] = original_id
    data.update(extra)
    return data


def write_ndjson(path: Path, orders: list[dict | str]) -> Path:
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in orders), encoding="utf-8")
    return path
