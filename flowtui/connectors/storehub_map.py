"""StoreHub transactions -> canonical orders (see ``docs/orders.md``).

Pure and forgiving: whatever a transaction holds, :func:`to_canonical` returns
canonical JSON (or a reason it cannot), never raises. Values it cannot read
are passed on as they are, so the canonical checks reject the order with a
precise message instead of this code guessing.

Mapping:

* ``refId`` -> ``id``; ``invoiceNumber`` -> ``number``; ``storeId`` -> ``store_id``
* ``transactionType`` Sale/Return -> ``type``; ``isCancelled`` -> ``status`` voided
* ``transactionTime`` (UTC; a ``Z`` is added when the offset is missing) -> ``time``
* ``saleInvoiceNumber`` -> ``original_number``; ``channel`` kept (online orders are sales)
* items: SKU from ``/products`` by ``productId``, else the product id itself;
  the line amount is the item's total less its tax (``subTotal - discount``
  when there is no total)
* ``serviceCharge``, ``tax``, ``roundedAmount``, ``total`` as they are;
  ``subtotal`` is the sum of line amounts and the order-level ``discount`` is
  what makes ``total = subtotal - discount + service_charge + tax + rounding``
  hold (StoreHub's own discount field mixes item and order discounts)
* payments: ``paymentMethod`` names kept exactly (custom methods included)
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import orjson

CENT = Decimal("0.01")
_OPT = orjson.OPT_SORT_KEYS


def raw_json(transaction) -> str:
    """The transaction as stable JSON (sorted keys), for audit and change detection."""
    try:
        return orjson.dumps(transaction, option=_OPT).decode()
    except TypeError:  # something orjson cannot write: keep a readable form
        return repr(transaction)


def _text(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None if value is None else orjson.dumps(value).decode()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _number(value) -> Decimal | None:
    """A JSON number or numeric string as an exact Decimal; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _line(item, products: dict) -> tuple[dict, Decimal | None]:
    if not isinstance(item, dict):
        return {"sku": None, "quantity": _text(item)}, None
    product_id = _text(item.get("productId"))
    product = products.get(product_id) or {}
    sku = product.get("sku") or product_id
    quantity, price = _number(item.get("quantity")), _number(item.get("unitPrice"))
    discount = _number(item.get("discount")) or Decimal(0)
    tax = _number(item.get("tax")) or Decimal(0)
    total, subtotal = _number(item.get("total")), _number(item.get("subTotal"))
    if total is not None:
        amount = total - tax
    elif subtotal is not None:
        amount = subtotal - discount
    elif quantity is not None and price is not None:
        amount = quantity * price - discount
    else:
        amount = None
    line = {
        "sku": sku,
        "product_id": product_id,
        "name": product.get("name") or _text(item.get("name")),
        "quantity": _text(item.get("quantity")),
        "unit_price": _text(item.get("unitPrice")),
        "discount": _text(item.get("discount")) if item.get("discount") is not None else "0",
        "tax": _text(item.get("tax")) if item.get("tax") is not None else "0",
        "tax_code": _text(item.get("taxCode")),
    }
    try:
        if amount is not None:
            line["amount"] = _money(amount)
            if quantity and price is not None and abs(amount - (quantity * price - discount)) >= CENT:
                # a price that does not explain the amount (e.g. tax-inclusive): use the one that does
                line["unit_price"] = str(((amount + discount) / quantity).quantize(Decimal("0.0001"), ROUND_HALF_UP))
    except ArithmeticError:  # absurdly large numbers: leave them for the checks to reject
        line.pop("amount", None)
        amount = None
    return line, amount


def _instant(value) -> str | None:
    text = _text(value)
    if text and len(text) >= 16 and text[-1] not in "Zz" and "+" not in text[10:] and "-" not in text[10:]:
        return text + "Z"  # StoreHub's transactionTime is UTC
    return text


def to_canonical(transaction, products: dict) -> tuple[dict, str | None]:
    """(canonical order, None) or (what could be read, the reason it is unusable)."""
    if not isinstance(transaction, dict):
        return {}, f"not a transaction object (got {type(transaction).__name__})"
    kind = transaction.get("transactionType")
    items = transaction.get("items")
    lines, amounts = [], []
    for item in items if isinstance(items, list) else []:
        line, amount = _line(item, products)
        lines.append(line)
        amounts.append(amount)
    order = {
        "id": _text(transaction.get("refId")),
        "number": _text(transaction.get("invoiceNumber")),
        "store_id": _text(transaction.get("storeId")),
        "time": _instant(transaction.get("transactionTime")),
        "type": {"Sale": "sale", "Return": "return"}.get(kind, _text(kind)) if isinstance(kind, str) else _text(kind),
        "status": "voided" if transaction.get("isCancelled") is True else "completed",
        "original_number": _text(transaction.get("saleInvoiceNumber")),
        "channel": _text(transaction.get("channel")),
        "service_charge": _text(transaction.get("serviceCharge")) if transaction.get("serviceCharge") is not None else "0",
        "tax": _text(transaction.get("tax")) if transaction.get("tax") is not None else "0",
        "rounding": _text(transaction.get("roundedAmount")) if transaction.get("roundedAmount") is not None else "0",
        "total": _text(transaction.get("total")),
        "lines": lines,
        "payments": [
            {"method": _text(p.get("paymentMethod")), "amount": _text(p.get("amount"))} if isinstance(p, dict)
            else {"method": None, "amount": _text(p)}
            for p in (transaction.get("payments") if isinstance(transaction.get("payments"), list) else [])
        ],
    }
    if items is not None and not isinstance(items, list):
        return order, f"items is not a list (got {type(items).__name__})"
    numbers = [_number(transaction.get(k)) for k in ("serviceCharge", "tax", "roundedAmount", "total")]
    if lines and all(a is not None for a in amounts) and numbers[3] is not None:
        subtotal = sum(amounts, Decimal(0))
        service, tax, rounding = (n if n is not None else Decimal(0) for n in numbers[:3])
        try:
            order["subtotal"] = _money(subtotal)
            order["discount"] = _money(subtotal + service + tax + rounding - numbers[3])
        except ArithmeticError:  # absurdly large numbers: leave them for the checks to reject
            order.pop("subtotal", None)
    return order, None


def canonical_json(order: dict) -> str:
    return orjson.dumps(order).decode()
