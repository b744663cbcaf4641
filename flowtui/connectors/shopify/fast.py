"""The everyday Shopify sale, mapped quickly: integer sen and plain dicts instead of Decimals and dataclasses.

:func:`sale` handles the common case only — a paid order with SKUs, prices not tax-inclusive, every amount a
plain decimal string — and answers ``None`` for anything else, which then takes the exact path of
:mod:`.mapping` (so do refunds, fewer). It writes exactly what that path writes for the same order
(``tests/unit/test_shopify_mapping.py`` checks it on the sandbox's orders), so an order lands the same whichever
path it took.
"""

from __future__ import annotations

from typing import Any

from flowtui.engine.core.money import sen_text

_PAID = ("SALE", "CAPTURE")
_LIMIT = 10**11  # sen: an amount flowtui holds is under 1,000,000,000


def _sen(bag: Any) -> int:
    """A MoneyBag's shop amount (``"12.5"``) as integer sen; ValueError/KeyError/TypeError for anything unusual."""
    text = bag["shopMoney"]["amount"]
    if type(text) is not str:
        raise ValueError
    whole, _dot, frac = text.partition(".")
    if len(frac) > 2 or not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError
    sen = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    if sen >= _LIMIT:
        raise ValueError
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


def sale(order: dict, sale_id: str, store: tuple[str, str]) -> dict | None:
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
            if type(quantity) is not int or not 0 < quantity < 10**6 or type(sku) is not str or not sku.strip():
                return None
            price = _sen(item["originalUnitPriceSet"])
            discount = sum(_sen(a["allocatedAmountSet"]) for a in item["discountAllocations"])
            line_tax = sum(_sen(t["priceSet"]) for t in item["taxLines"])
            amount = quantity * price - discount
            if amount < 0:
                return None
            lines.append({"sku": sku.strip(), "name": name if type(name) is str else None, "quantity": quantity,
                          "unit_price": sen_text(price), "discount": sen_text(discount), "tax": sen_text(line_tax),
                          "amount": sen_text(amount)})
            if lines[-1]["name"] is None:
                del lines[-1]["name"]
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
                payments.append({"method": gateway, "amount": sen_text(paid)})
        when, name, channel = order["processedAt"], order["name"], order.get("sourceName")
        if type(when) is not str or len(when) < 16 or not lines:
            return None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    out: dict[str, Any] = {"id": sale_id, "number": name if type(name) is str and name else sale_id, "store_id": store[0]}
    if store[1]:
        out["store_name"] = store[1]
    out.update(time=when, type="sale", status="completed")
    if type(channel) is str and channel:
        out["channel"] = channel
    out.update(subtotal=sen_text(subtotal), discount="0.00", shipping=sen_text(shipping), tax=sen_text(tax),
               tip=sen_text(tip))
    if rounding:
        out["rounding"] = sen_text(rounding)
    out.update(total=sen_text(subtotal + shipping + tax + tip + rounding), lines=lines, payments=payments)
    return out
