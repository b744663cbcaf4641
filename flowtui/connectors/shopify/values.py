"""Reading a Shopify order's values: ids, connections, money as exact Decimals, quantities; each refusal names the
field (:class:`Unreadable`), for the mapping (:mod:`.mapping`) to report."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flowtui.engine.core.money import CENT, ZERO, to_sen

PRICE = Decimal("0.0001")


class Unreadable(ValueError):
    """A value of the order that cannot be read; the message names it."""


def numeric_id(gid: Any) -> str | None:
    """``gid://shopify/Order/450789469`` -> ``450789469`` (a bare id as it is); None when there is none."""
    if isinstance(gid, bool) or gid is None:
        return None
    text = str(gid).strip()
    if not text:
        return None
    tail = text.rsplit("/", 1)[-1] if text.startswith("gid://") else text
    return tail.split("?", 1)[0] or None


def nodes(value: Any, what: str) -> list[dict]:
    """A connection's nodes whatever its shape (``nodes``, ``edges { node }``, a plain list); [] when absent."""
    if value is None:
        return []
    if isinstance(value, dict):
        if isinstance(value.get("nodes"), list):
            items = value["nodes"]
        elif isinstance(value.get("edges"), list):
            items = [e.get("node") if isinstance(e, dict) else e for e in value["edges"]]
        else:
            raise Unreadable(f"{what} is not a list")
    elif isinstance(value, list):
        items = value
    else:
        raise Unreadable(f"{what} is not a list")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise Unreadable(f"{what} {number} is not an object")
    return items


def truncated(value: Any) -> bool:
    """Whether a connection says it has more nodes than it carried."""
    return isinstance(value, dict) and (value.get("pageInfo") or {}).get("hasNextPage") is True


def money(value: Any, what: str) -> Decimal:
    """A MoneyBag's (or Money's) shop amount, exact; at most 2 decimals."""
    amount = value.get("shopMoney") if isinstance(value, dict) and "shopMoney" in value else value
    amount = amount.get("amount") if isinstance(amount, dict) else amount
    number = decimal(amount, what)
    if number != number.quantize(CENT):
        raise Unreadable(f"{what} is {amount!r}, more than 2 decimals")
    return number.quantize(CENT)


def decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Unreadable(f"{what} is {shown(value)}, not an amount")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise Unreadable(f"{what} is {shown(value)}, not an amount") from None
    if not number.is_finite() or abs(number) >= 10**9:
        raise Unreadable(f"{what} is {shown(value)}, not an amount flowtui can hold")
    return number


def positive_quantity(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value >= 10**6:
        raise Unreadable(f"{what} is {shown(value)}, not a positive whole quantity")
    return value


def sum_of(items: list, key: str, what: str) -> Decimal:
    """The sum of each item's ``key`` amount."""
    return sum((money(item.get(key), f"{what} {n} {key}") for n, item in enumerate(items, 1)), ZERO)


def rates(tax_lines: list[dict]) -> Decimal | None:
    """The sum of the tax lines' rates (None when one has none)."""
    found = Decimal(0)
    for line in tax_lines:
        rate = line.get("rate")
        if rate is None:
            return None
        found += decimal(rate, "a tax line's rate")
    return found


def priced(amount: Decimal, quantity: int, unit_hint: Decimal | None) -> tuple[Decimal, Decimal]:
    """(unit price to 4 decimals, discount to the sen) with ``quantity x unit - discount = amount`` within a sen."""
    if unit_hint is not None and unit_hint >= 0:
        unit = unit_hint.quantize(PRICE, ROUND_HALF_UP)
        discount = to_sen(quantity * unit - amount)
        if discount >= 0 and abs(quantity * unit - discount - amount) < CENT:
            return unit, discount
    unit = (amount / quantity).quantize(PRICE, ROUND_HALF_UP) if amount > 0 else Decimal(0)
    discount = to_sen(quantity * unit - amount)
    return unit, max(discount, Decimal(0))


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
