"""How amounts, prices and quantities are shown: on screen, in the command line's tables and in print.

Decimal in, text out; never a float, never ``-0.00``. Money and prices are :mod:`flowtui.engine.core.money`'s
(re-exported here); quantities and plain numbers are written here.
"""

from __future__ import annotations

from decimal import Decimal

from flowtui.engine.core.money import money, price

__all__ = ["money", "plain", "price", "quantity"]


def quantity(value) -> str:
    if value is None:
        return ""
    amount = Decimal(value)
    text = f"{amount:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def plain(value) -> str:
    """A number as a person writes it, every digit it has and no more: ``2.000000`` -> ``2``, ``12.50`` -> ``12.5``."""
    return f"{Decimal(value).normalize():f}"
