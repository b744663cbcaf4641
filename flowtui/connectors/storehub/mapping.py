"""StoreHub transactions -> canonical orders (see ``docs/orders.md``).

Pure and forgiving: whatever a transaction holds, :func:`to_canonical` returns
canonical JSON (or a reason it cannot), never raises. Values it cannot read
are passed on as they are, so the canonical checks reject the order with a
precise message instead of this code guessing.

Mapping:

* ``refId`` -> ``id``; ``invoiceNumber`` -> ``number``; ``storeId`` -> ``store_id``
* ``transactionType`` Sale/Return -> ``type``; ``isCancelled`` -> ``status`` voided (only a JSON
  ``true`` or ``false`` says it; anything else rejects the transaction with the reason)
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

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import orjson

from flowtui.engine.core.money import CENT, exact_text, from_sen, sen_text, to_sen
from flowtui.engine.core.orders import Order, OrderLine, Payment
from flowtui.engine.core.statuses import OrderStatus, OrderType

_TYPES = {"Sale": OrderType.SALE, "Return": OrderType.RETURN}


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


def _cents(value) -> int | None:
    """A JSON number that is a whole number of sen, as integer sen; None for anything else.

    The fast path: ``c / 100 == value`` holds exactly only when the float is the
    nearest one to a two-decimal amount. Everything else takes the Decimal path.
    """
    kind = type(value)
    if kind is int:
        return value * 100 if -10**15 < value < 10**15 else None
    if kind is float and -1e13 < value < 1e13:
        cents = round(value * 100)
        return cents if cents / 100 == value else None
    return None


def _line(item, products: dict) -> tuple[OrderLine, Decimal | None]:
    """A line and its amount; the common case in integer sen, anything unusual exactly in Decimal."""
    if isinstance(item, dict):
        quantity, tax, total = item.get("quantity"), _cents(item.get("tax", 0)), _cents(item.get("total"))
        price, discount = _cents(item.get("unitPrice")), _cents(item.get("discount", 0))
        if type(quantity) is int and tax is not None and total is not None and price is not None and discount is not None:
            amount = total - tax
            if amount == quantity * price - discount:
                product_id = _text(item.get("productId"))
                product = products.get(product_id) or {}
                return OrderLine(
                    sku=product.get("sku") or product_id, product_id=product_id,
                    name=product.get("name") or _text(item.get("name")), quantity=str(quantity),
                    unit_price=sen_text(price), discount=sen_text(discount), tax=sen_text(tax),
                    tax_code=_text(item.get("taxCode")), amount=sen_text(amount),
                ), from_sen(amount)
    return _line_exact(item, products)


def _line_exact(item, products: dict) -> tuple[OrderLine, Decimal | None]:
    if not isinstance(item, dict):
        return OrderLine(quantity=_text(item)), None
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
    line = OrderLine(
        sku=sku,
        product_id=product_id,
        name=product.get("name") or _text(item.get("name")),
        quantity=_text(item.get("quantity")),
        unit_price=_text(item.get("unitPrice")),
        discount=_text(item.get("discount")) if item.get("discount") is not None else "0",
        tax=_text(item.get("tax")) if item.get("tax") is not None else "0",
        tax_code=_text(item.get("taxCode")),
    )
    try:
        if amount is not None:
            line = replace(line, amount=exact_text(to_sen(amount)))
            if quantity and price is not None and abs(amount - (quantity * price - discount)) >= CENT:
                # a price that does not explain the amount (e.g. tax-inclusive): use the one that does
                price = ((amount + discount) / quantity).quantize(Decimal("0.0001"), ROUND_HALF_UP)
                line = replace(line, unit_price=exact_text(price))
    except ArithmeticError:  # absurdly large numbers: leave them for the checks to reject
        line = replace(line, amount=None)
        amount = None
    return line, amount


def transaction_time(value) -> str | None:
    """``transactionTime`` as the canonical time: StoreHub writes UTC, so a time without an offset gets its Z."""
    text = _text(value)
    if text and len(text) >= 16 and text[-1] not in "Zz" and "+" not in text[10:] and "-" not in text[10:]:
        return text + "Z"  # StoreHub's transactionTime is UTC
    return text


_NUM = (int, float)


def _sen(value) -> int:
    """Integer sen of a JSON number known to be numeric; raises ValueError when it is not whole sen."""
    cents = round(value * 100)
    if cents / 100 != value or not -1e15 < cents < 1e15:
        raise ValueError
    return cents


def _fast(transaction: dict, products: dict) -> Order | None:
    """The everyday transaction, mapped quickly; None sends anything unusual down the exact path.

    Numbers pass through as the JSON numbers they were (the canonical checks
    read them exactly); only the line amounts, subtotal and order discount are
    computed, in integer sen.
    """
    try:
        items, payments = transaction["items"], transaction["payments"]
        service, tax = transaction.get("serviceCharge", 0), transaction.get("tax", 0)
        rounding, total = transaction.get("roundedAmount", 0), transaction["total"]
        if type(items) is not list or type(payments) is not list or not items:
            return None
        lines, subtotal = [], 0
        for item in items:
            quantity, price = item["quantity"], item["unitPrice"]
            discount, line_tax = item.get("discount", 0), item.get("tax", 0)
            if type(quantity) is not int:
                return None
            amount = _sen(item["total"]) - _sen(line_tax)
            if amount != quantity * _sen(price) - _sen(discount):
                return None
            product_id = item["productId"]
            if type(product_id) is not str:
                return None
            product = products.get(product_id)
            lines.append(OrderLine(
                sku=(product and product["sku"]) or product_id, product_id=product_id,
                name=(product and product["name"]) or item.get("name"), quantity=quantity,
                unit_price=price, discount=discount, tax=line_tax, tax_code=item.get("taxCode"),
                amount=sen_text(amount),
            ))
            subtotal += amount
        for payment in payments:
            if type(payment["paymentMethod"]) is not str or type(payment["amount"]) not in _NUM:
                return None
        kind = transaction["transactionType"]
        when = transaction["transactionTime"]
        ids = (transaction["refId"], transaction["invoiceNumber"], transaction["storeId"])
        if type(kind) is not str or type(when) is not str or any(type(v) is not str for v in ids):
            return None
        cancelled = transaction.get("isCancelled")
        if cancelled is not None and type(cancelled) is not bool:
            return None
        return Order(
            id=ids[0], number=ids[1], store_id=ids[2], time=transaction_time(when), type=_TYPES.get(kind, kind),
            status=OrderStatus.VOIDED if cancelled is True else OrderStatus.COMPLETED,
            original_number=transaction.get("saleInvoiceNumber"), channel=transaction.get("channel"),
            subtotal=sen_text(subtotal),
            discount=sen_text(subtotal + _sen(service) + _sen(tax) + _sen(rounding) - _sen(total)),
            service_charge=service, tax=tax, rounding=rounding, total=total,
            lines=tuple(lines),
            payments=tuple(Payment(method=p["paymentMethod"], amount=p["amount"]) for p in payments),
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None


def to_order(transaction, products: dict) -> tuple[Order, str | None]:
    """(the canonical order, None) or (what could be read of it, the reason it is unusable)."""
    if type(transaction) is dict:
        order = _fast(transaction, products)
        if order is not None:
            return order, None
    if not isinstance(transaction, dict):
        return Order(), f"not a transaction object (got {type(transaction).__name__})"
    kind = transaction.get("transactionType")
    items = transaction.get("items")
    lines, amounts = [], []
    for item in items if isinstance(items, list) else []:
        line, amount = _line(item, products)
        lines.append(line)
        amounts.append(amount)
    payments = transaction.get("payments")
    order = Order(
        id=_text(transaction.get("refId")),
        number=_text(transaction.get("invoiceNumber")),
        store_id=_text(transaction.get("storeId")),
        time=transaction_time(transaction.get("transactionTime")),
        type=_TYPES.get(kind, _text(kind)) if isinstance(kind, str) else _text(kind),
        status=OrderStatus.VOIDED if transaction.get("isCancelled") is True else OrderStatus.COMPLETED,
        original_number=_text(transaction.get("saleInvoiceNumber")),
        channel=_text(transaction.get("channel")),
        service_charge=_text(transaction.get("serviceCharge")) if transaction.get("serviceCharge") is not None else "0",
        tax=_text(transaction.get("tax")) if transaction.get("tax") is not None else "0",
        rounding=_text(transaction.get("roundedAmount")) if transaction.get("roundedAmount") is not None else "0",
        total=_text(transaction.get("total")),
        lines=tuple(lines),
        payments=tuple(
            Payment(method=_text(p.get("paymentMethod")), amount=_text(p.get("amount"))) if isinstance(p, dict)
            else Payment(amount=_text(p))
            for p in (payments if isinstance(payments, list) else [])
        ),
    )
    if items is not None and not isinstance(items, list):
        return order, f"items is not a list (got {type(items).__name__})"
    cancelled = transaction.get("isCancelled")
    if cancelled is not None and type(cancelled) is not bool:  # "yes", 1, "false": nobody can say which it means
        return order, (f"isCancelled is {_shown(cancelled)}, not true or false: whether the transaction was "
                       "cancelled cannot be read")
    known = [a for a in amounts if a is not None]  # every line's amount was read when as many as the lines
    fast = [c for c in (_cents(transaction.get(k, 0)) for k in ("serviceCharge", "tax", "roundedAmount")) if c is not None]
    fast_total = _cents(transaction.get("total"))
    if lines and len(fast) == 3 and fast_total is not None and len(known) == len(amounts):
        subtotal = int(sum(known, Decimal(0)).scaleb(2))
        return replace(order, subtotal=sen_text(subtotal), discount=sen_text(subtotal + sum(fast) - fast_total)), None
    *charges, grand = [_number(transaction.get(k)) for k in ("serviceCharge", "tax", "roundedAmount", "total")]
    if lines and len(known) == len(amounts) and grand is not None:
        total = sum(known, Decimal(0))
        service, tax, rounding = (n if n is not None else Decimal(0) for n in charges)
        try:
            subtotal_text = exact_text(to_sen(total))
            discount_text = exact_text(to_sen(total + service + tax + rounding - grand))
        except ArithmeticError:  # absurdly large numbers: leave them for the checks to reject
            return order, None
        return replace(order, subtotal=subtotal_text, discount=discount_text), None
    return order, None


def to_canonical(transaction, products: dict) -> tuple[dict, str | None]:
    """:func:`to_order` as the canonical JSON object."""
    order, error = to_order(transaction, products)
    return order.as_dict(), error


def _shown(value) -> str:
    """A JSON value as the transaction wrote it, cut short."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def canonical_json(order: Order | dict) -> bytes:
    if isinstance(order, Order):
        order = order.as_dict()
    try:
        return orjson.dumps(order)
    except TypeError:  # e.g. an integer too large for JSON tools: write it as text, the checks reject it
        return orjson.dumps(order, default=str, option=orjson.OPT_PASSTHROUGH_SUBCLASS)
