"""The everyday Shopify sale, mapped quickly: integer sen and plain tuples instead of Decimals and dataclasses,
handed to landing as typed Arrow columns (:func:`columns`) rather than canonical JSON it would parse again.

:func:`sale` handles the common case only — a paid order (custom items too), prices not tax-inclusive, every amount a
plain decimal string — and answers ``None`` for anything else, which then takes the exact path of
:mod:`.mapping` (so do refunds, fewer). It writes exactly what that path writes for the same order
(``tests/unit/test_shopify_mapping.py`` checks it on the sandbox's orders), so an order lands the same whichever
path it took.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pyarrow as pa

from flowtui.connectors.shopify.values import numeric_id
from flowtui.engine.core.money import sen_text

_PAID = ("SALE", "CAPTURE")
ADJUSTMENT_SKU = "SHOPIFY-REFUND"
_LIMIT = 10**11  # sen: an amount flowtui holds is under 1,000,000,000


#: amounts already read (prices and taxes repeat from order to order): text -> sen
_READ: dict[str, int] = {}


def _sen(bag: Any) -> int:
    """A MoneyBag's shop amount (``"12.5"``) as integer sen; ValueError/KeyError/TypeError for anything unusual."""
    text = bag["shopMoney"]["amount"]
    if type(text) is not str:
        raise ValueError
    sen = _READ.get(text)
    if sen is not None:
        return sen
    whole, _dot, frac = text.partition(".")
    if len(frac) > 2 or not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError
    sen = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    if sen >= _LIMIT:
        raise ValueError
    if len(_READ) < 50_000:
        _READ[text] = sen
    return sen


def _signed_sen(bag: Any) -> int:
    """A MoneyBag that may be negative (a cash rounding: ``"-0.02"``) as integer sen."""
    text = bag["shopMoney"]["amount"]
    if type(text) is str and text.startswith("-"):
        return -_sen({"shopMoney": {"amount": text[1:]}})
    return _sen(bag)


def tip_line(items: list, tip: Any) -> str | None:
    """The id of the line item that is the order's tip, if one is: Shopify books a POS tip as a line item of its own
    (``TipSale.lineItem``: no SKU, untaxed, the tip's amount) besides ``totalTipReceivedSet``. It is the tip, not
    an item sold, so it is left out of the lines (``tip`` carries it). Its name ``Tip`` is preferred when several
    lines could be it."""
    try:
        wanted = _sen(tip)
    except (KeyError, TypeError, ValueError):
        return None
    if not wanted:
        return None
    found = []
    for item in items:
        try:
            if item.get("sku") or item.get("taxLines") or item.get("discountAllocations") or item["quantity"] != 1:
                continue
            if _sen(item["originalUnitPriceSet"]) == wanted and isinstance(item.get("id"), str):
                found.append(item)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    found.sort(key=lambda item: str(item.get("name") or "").strip().lower() != "tip")
    return found[0]["id"] if found else None


def _nodes(value: Any) -> list:
    if type(value) is list:
        return value
    if value["pageInfo"]["hasNextPage"] is not False if "pageInfo" in value else False:
        raise ValueError
    found = value["nodes"]
    if type(found) is not list:
        raise ValueError
    return found


class Sale(NamedTuple):
    """An everyday sale in integer sen: what :func:`columns` hands landing as typed columns (no JSON between),
    and :meth:`as_dict` writes as the canonical JSON object the exact path writes."""

    id: str
    number: str
    store_id: str
    store_name: str | None
    time: str
    channel: str | None
    subtotal: int
    shipping: int
    tax: int
    tip: int
    rounding: int
    #: sku, product id (a custom item's name, when it has no SKU), name, quantity, unit price in 1/10,000s, discount,
    #: tax, amount, and the places the unit price is written with (2, or 4 for a return's)
    lines: list[tuple[str | None, str | None, str | None, int, int, int, int, int, int]]
    payments: list[tuple[str, int]]  # method, amount
    kind: str = "sale"  # or "return" (a refund), with the sale it returns and the money it gave back
    original_id: str | None = None
    original_number: str | None = None
    discount: int = 0
    paid: int | None = None

    @property
    def total(self) -> int:
        if self.paid is not None:
            return self.paid
        return self.subtotal - self.discount + self.shipping + self.tax + self.tip + self.rounding

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"id": self.id, "number": self.number, "store_id": self.store_id}
        if self.store_name:
            out["store_name"] = self.store_name
        out.update(time=self.time, type=self.kind, status="completed")
        if self.original_id is not None:
            out.update(original_id=self.original_id, original_number=self.original_number)
        if self.channel:
            out["channel"] = self.channel
        out.update(subtotal=sen_text(self.subtotal), discount=sen_text(self.discount), shipping=sen_text(self.shipping),
                   tax=sen_text(self.tax), tip=sen_text(self.tip))
        if self.rounding:
            out["rounding"] = sen_text(self.rounding)
        lines = []
        for sku, product, name, quantity, price, discount, tax, amount, places in self.lines:
            line: dict[str, Any] = {"sku": sku} if sku is not None else {"product_id": product}
            if name is not None:
                line["name"] = name
            unit = sen_text(price // 100) if places == 2 else f"{price // 10000}.{price % 10000:04d}" if price else "0"
            line.update(quantity=quantity, unit_price=unit, discount=sen_text(discount), tax=sen_text(tax),
                        amount=sen_text(amount))
            lines.append(line)
        out.update(total=sen_text(self.total), lines=lines,
                   payments=[{"method": method, "amount": sen_text(amount)} for method, amount in self.payments])
        return out


def sale(order: dict, sale_id: str, store: tuple[str, str]) -> Sale | None:
    """The canonical sale of an everyday order, or None (the exact path then maps it)."""
    try:
        if order["taxesIncluded"] is not False or order["displayFinancialStatus"] == "VOIDED":
            return None
        lines, subtotal, tax = [], 0, 0
        items = _nodes(order["lineItems"])
        tipped = tip_line(items, order.get("totalTipReceivedSet"))
        for item in items:
            if tipped is not None and item["id"] == tipped:
                continue
            quantity, sku, name = item["quantity"], item["sku"], item["name"]
            if type(quantity) is not int or not 0 < quantity < 10**6:
                return None
            product = None
            sku = sku.strip() if type(sku) is str else ""
            if not sku:  # a custom item: its name groups it
                product, sku = (name.strip() if type(name) is str else ""), None
                if not product:
                    return None
            price = _sen(item["originalUnitPriceSet"])
            discount = sum(_sen(a["allocatedAmountSet"]) for a in item["discountAllocations"])
            line_tax = sum(_sen(t["priceSet"]) for t in item["taxLines"])
            amount = quantity * price - discount
            if amount < 0:
                return None
            lines.append((sku, product, name if type(name) is str else None, quantity, price * 100, discount, line_tax,
                          amount, 2))
            subtotal += amount
            tax += line_tax
        shipping = 0
        for line in _nodes(order["shippingLines"]):
            if line["isRemoved"] is True:
                continue
            shipping += _sen(line["discountedPriceSet"])
            tax += sum(_sen(t["priceSet"]) for t in line["taxLines"])
        tip = _sen(order["totalTipReceivedSet"]) if order.get("totalTipReceivedSet") else 0
        payments, rounding = [], 0
        for transaction in order["transactions"]:
            if transaction["kind"] in _PAID and transaction["status"] == "SUCCESS":
                gateway = transaction["gateway"]
                if type(gateway) is not str or not gateway.strip():
                    return None
                paid = _sen(transaction["amountSet"])
                if transaction.get("amountRoundingSet") is not None:  # cash rounding: the cash received
                    rounded = _signed_sen(transaction["amountRoundingSet"])
                    paid, rounding = paid + rounded, rounding + rounded
                payments.append((gateway, paid))
        when, name, channel = order["processedAt"], order["name"], order.get("sourceName")
        if type(when) is not str or len(when) < 16 or not lines:
            return None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return Sale(sale_id, name if type(name) is str and name else sale_id, store[0], store[1] or None, when,
                channel if type(channel) is str and channel else None, subtotal, shipping, tax, tip, rounding, lines,
                payments)


def refund(order: dict, refund: dict, sale: Sale, number: int) -> Sale | None:
    """The canonical return of an everyday refund of an everyday sale (:func:`mapping._refund`'s rules, in sen), or
    None (the exact path then maps it: tax-inclusive prices, a refund that moved no money, anything unusual)."""
    try:
        if order["taxesIncluded"] is not False:
            return None
        tipped = tip_line(_nodes(order["lineItems"]), order.get("totalTipReceivedSet"))
        lines, subtotal, tax, tip = [], 0, 0, 0
        for item in _nodes(refund["refundLineItems"]):
            source = item["lineItem"]
            if tipped is not None and type(source) is dict and source.get("id") == tipped:
                tip += _sen(item["subtotalSet"])  # the tip given back (a cancellation)
                continue
            quantity = item["quantity"]
            if type(quantity) is not int or not 0 < quantity < 10**6 or type(source) is not dict:
                return None
            amount = _sen(item["subtotalSet"])
            line_tax = _sen(item["totalTaxSet"]) if item.get("totalTaxSet") else 0
            unit = (amount * 200 + quantity) // (2 * quantity) if amount > 0 else 0  # 1/10,000s, half up
            over = quantity * unit - amount * 100
            discount = (over + 50) // 100 if over > 0 else 0
            sku, name = source.get("sku"), source.get("name")
            product = None
            sku = sku.strip() if type(sku) is str else ""
            if not sku:
                product, sku = (name.strip() if type(name) is str else ""), None
                if not product:
                    return None
            lines.append((sku, product, name if type(name) is str else None, quantity, unit, discount, line_tax,
                          amount, 4))
            subtotal += amount
            tax += line_tax
        shipping = 0
        for line in _nodes(refund["refundShippingLines"]):
            tax += _sen(line["taxAmountSet"])
            shipping += _sen(line["subtotalAmountSet"])
        payments, rounding, paid = [], 0, 0
        for transaction in _nodes(refund["transactions"]):
            if transaction["kind"] == "REFUND" and transaction["status"] == "SUCCESS":
                gateway = transaction["gateway"]
                if type(gateway) is not str or not gateway.strip():
                    return None
                amount = _sen(transaction["amountSet"])
                if transaction.get("amountRoundingSet") is not None:
                    rounded = _signed_sen(transaction["amountRoundingSet"])
                    amount, rounding = amount + rounded, rounding + rounded
                payments.append((gateway, amount))
                paid += amount
        when, refund_id = refund["createdAt"], numeric_id(refund["id"])
        if paid <= 0 or type(when) is not str or len(when) < 16 or refund_id is None:
            return None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    gap, discount = paid - rounding - (subtotal + shipping + tax + tip), 0
    if gap > 0:  # an amount only, or more refunded than the lines say: an adjustment that moves no stock
        lines.append((ADJUSTMENT_SKU, None, "Refund adjustment" if lines else "Refund (amount only)", 1, gap * 100, 0, 0,
                      gap, 2))
        subtotal += gap
    elif gap < 0:
        discount = -gap
    return Sale(f"refund-{refund_id}", f"{sale.number}-R{number}", sale.store_id, sale.store_name, when, sale.channel,
                subtotal, shipping, tax, tip, rounding, lines, payments, "return", sale.id, sale.number, discount, paid)


_TEXT, _MONEY = pa.string(), pa.decimal128(18, 6)
_LINE = pa.struct([("sku", _TEXT), ("product_id", _TEXT), ("name", _TEXT), ("quantity", _MONEY),
                   ("unit_price", _MONEY), ("discount", _MONEY), ("tax", _MONEY), ("tax_code", _TEXT),
                   ("amount", _MONEY)])
_PAYMENT = pa.struct([("method", _TEXT), ("amount", _MONEY)])


def _money(sen: list, places: int = 2) -> pa.Array:
    """Integer sen (or 1/10,000s) -> DECIMAL(18,6) amounts (the type landing parses canonical JSON into), without a
    Decimal each."""
    return (pa.array(sen, pa.int64()).cast(pa.decimal128(19, 0)).view(pa.decimal128(19, places))
            .cast(_MONEY, safe=False))


def _count(values: list) -> pa.Array:
    return pa.array(values, pa.int64()).cast(pa.decimal128(19, 0)).cast(_MONEY, safe=False)


def _nulls(count: int, kind: pa.DataType) -> pa.Array:
    return pa.nulls(count, kind)


def columns(sales: list[Sale]) -> pa.StructArray:
    """The sales as the canonical order's typed columns (``orders.structure_type()``, landing's ``parsed``): what
    landing would read from their JSON, built column by column."""
    count = len(sales)
    lines = [line for sale in sales for line in sale.lines]
    payments = [payment for sale in sales for payment in sale.payments]
    line_offsets, pay_offsets = [0], [0]
    for sale in sales:
        line_offsets.append(line_offsets[-1] + len(sale.lines))
        pay_offsets.append(pay_offsets[-1] + len(sale.payments))
    line_values = pa.StructArray.from_arrays([
        pa.array([line[0] for line in lines], _TEXT), pa.array([line[1] for line in lines], _TEXT),
        pa.array([line[2] for line in lines], _TEXT), _count([line[3] for line in lines]),
        _money([line[4] for line in lines], 4), _money([line[5] for line in lines]), _money([line[6] for line in lines]),
        _nulls(len(lines), _TEXT), _money([line[7] for line in lines])], fields=list(_LINE))
    pay_values = pa.StructArray.from_arrays([
        pa.array([payment[0] for payment in payments], _TEXT), _money([payment[1] for payment in payments])],
        fields=list(_PAYMENT))
    fields = {
        "id": pa.array([s.id for s in sales], _TEXT), "number": pa.array([s.number for s in sales], _TEXT),
        "store_id": pa.array([s.store_id for s in sales], _TEXT),
        "store_name": pa.array([s.store_name for s in sales], _TEXT), "time": pa.array([s.time for s in sales], _TEXT),
        "type": pa.array([s.kind for s in sales], _TEXT), "status": pa.array(["completed"] * count, _TEXT),
        "original_id": pa.array([s.original_id for s in sales], _TEXT),
        "original_number": pa.array([s.original_number for s in sales], _TEXT),
        "channel": pa.array([s.channel for s in sales], _TEXT),
        "subtotal": _money([s.subtotal for s in sales]), "discount": _money([s.discount for s in sales]),
        "service_charge": _nulls(count, _MONEY), "shipping": _money([s.shipping for s in sales]),
        "tax": _money([s.tax for s in sales]), "tip": _money([s.tip for s in sales]),
        "rounding": _money([s.rounding or None for s in sales]), "total": _money([s.total for s in sales]),
        "lines": pa.ListArray.from_arrays(pa.array(line_offsets, pa.int32()), line_values),
        "payments": pa.ListArray.from_arrays(pa.array(pay_offsets, pa.int32()), pay_values),
    }
    return pa.StructArray.from_arrays(list(fields.values()), names=list(fields))
