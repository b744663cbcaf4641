"""What a sales document comes to, exactly (Decimal), from its ``form_items`` and ``tax_mode``.

Per normal line: ``quantity × unit_price`` rounded half-up to the sen, less the ``discount`` (a value, or a
percentage of that amount rounded to the sen) gives the line's ``amount``. Its tax is worked out on that line and
rounded to the sen: ``exclusive`` adds ``amount × rate / 100``; ``inclusive`` takes ``amount × rate / (100 + rate)``
out of it. ``net_amount`` is the line without tax. The document's ``amount`` is the sum of the nets plus the sum of
the taxes; with cash rounding on (a company setting, off by default) it is then rounded to the nearest 5 sen and
the difference kept as ``rounding_amount``. Bukku documents the fields, not the arithmetic: the per-line rounding
is the sandbox's reading (it is how Malaysian SST invoices are worked), see docs/bukku.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

SEN = Decimal("0.01")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_DISCOUNT = re.compile(r"^\d+(\.\d{1,4})?%?$")


def number(value: object) -> Decimal | None:
    """A JSON number or a numeric string as a Decimal (Bukku accepts both), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def places(value: Decimal) -> int:
    """How many decimal places a number was written with (``1.50`` has 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def sen(value: Decimal) -> Decimal:
    return value.quantize(SEN, rounding=ROUND_HALF_UP)


def valid_discount(text: str) -> bool:
    return len(text) <= 14 and bool(_DISCOUNT.match(text))


def discount_of(gross: Decimal, discount: str | None) -> Decimal:
    if not discount:
        return Decimal("0.00")
    if discount.endswith("%"):
        return sen(gross * Decimal(discount[:-1]) / 100)
    return sen(Decimal(discount))


@dataclass(frozen=True)
class Line:
    amount: Decimal  # after discount, as entered (tax included when inclusive)
    discount_amount: Decimal
    tax_amount: Decimal
    net_amount: Decimal  # without tax


def line(quantity: Decimal, unit_price: Decimal, discount: str | None, rate: Decimal, tax_mode: str) -> Line:
    gross = sen(quantity * unit_price)
    off = discount_of(gross, discount)
    amount = gross - off
    if tax_mode == "inclusive":
        tax = sen(amount * rate / (100 + rate))
        return Line(amount, off, tax, amount - tax)
    tax = sen(amount * rate / 100)
    return Line(amount, off, tax, amount)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    rounding: Decimal
    amount: Decimal


def totals(lines: list[Line], cash_rounding: bool = False) -> Totals:
    net = sum((x.net_amount for x in lines), Decimal("0.00"))
    tax = sum((x.tax_amount for x in lines), Decimal("0.00"))
    amount = net + tax
    rounding = Decimal("0.00")
    if cash_rounding:
        rounded = (amount / Decimal("0.05")).quantize(Decimal(1), rounding=ROUND_HALF_UP) * Decimal("0.05")
        rounding, amount = sen(rounded - amount), sen(rounded)
    return Totals(net, tax, rounding, amount)


def fee_of(amount: Decimal, fee_text: str | None) -> Decimal:
    """A deposit's fee: a value, or a percentage of the deposit."""
    if not fee_text:
        return Decimal("0.00")
    if fee_text.endswith("%"):
        return sen(amount * Decimal(fee_text[:-1]) / 100)
    return sen(Decimal(fee_text))
