"""How amounts, prices and quantities are shown: on screen, in the command line's tables and in print.

Decimal in, text out; never a float, never ``-0.00``.
"""

from __future__ import annotations

from decimal import Decimal


def money(value) -> str:
    """``1234.5`` -> ``1,234.50``; never ``-0.00``."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"{(amount if amount else abs(amount)):,.2f}"


def price(value) -> str:
    """A unit price: two decimals, or up to four when it has them (``3.3333``)."""
    if value is None:
        return ""
    amount = Decimal(value)
    return f"{amount:,.4f}".rstrip("0") if amount != amount.quantize(Decimal("0.01")) else money(amount)


def quantity(value) -> str:
    if value is None:
        return ""
    amount = Decimal(value)
    text = f"{amount:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plain(value) -> str:
    """A number as a person writes it, every digit it has and no more: ``2.000000`` -> ``2``, ``12.50`` -> ``12.5``."""
    return f"{Decimal(value).normalize():f}"
