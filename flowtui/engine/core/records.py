"""What the service facade hands out about digests: small frozen records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class DigestRow:
    id: int
    stream: str
    location: str | None
    pos_store_id: str
    date: date
    order_count: int
    return_count: int
    amount: Decimal
    invoice_number: str | None
    status: str
    created_at: datetime
    shipping: Decimal = Decimal("0.00")  # the day's shipping (ex-tax) and tips, sales less returns
    tips: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class DigestOrder:
    id: str
    number: str
    time: datetime
    type: str
    status: str
    total: Decimal


@dataclass(frozen=True)
class DigestItem:
    sku: str
    name: str | None
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax: Decimal
    amount: Decimal


@dataclass(frozen=True)
class DigestDetail:
    row: DigestRow
    version: int
    updated_at: datetime
    summary: dict[str, Decimal]
    payments: list[tuple[str, Decimal]]
    items: list[DigestItem]
    taxes: list[tuple[str, Decimal, Decimal]]
    orders: list[DigestOrder]
    attention: list[str] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)
    changes: dict | None = None
    warnings: list[str] = field(default_factory=list)  # worth knowing, but nothing stops posting
    #: the summary as a sum (:func:`summary_sum`): (label, signed amount) lines, the last the net total
    summary_lines: list[tuple[str, Decimal]] = field(default_factory=list)
    timezone: str = "UTC"  # the location's (the books' while the store is not mapped): its times are shown in it


@dataclass(frozen=True)
class DigestPage:
    rows: list[DigestRow]
    total: int
    amount: Decimal
    offset: int


#: A digest's summary: its money columns (in ``digests`` and ``digest_versions``), in the order they are shown,
#: each with its label. The one list: the roll-up, the digest SQL, the views, the screens and print read it.
SUMMARY_LABELS: dict[str, str] = {
    "gross_sales": "Gross sales",
    "returns": "Returns",
    "discount": "Discount",
    "service_charge": "Service charge",
    "shipping": "Shipping",
    "tax": "Tax",
    "tips": "Tips",
    "rounding": "Rounding",
    "net_total": "Net total",
}
SUMMARY_FIELDS: tuple[str, ...] = tuple(SUMMARY_LABELS)
#: Summary parts most sources never have: people see them only when a day has some (JSON always carries them).
SHOWN_WHEN_ANY: tuple[str, ...] = ("shipping", "tips")


def shown_summary(summary: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """A summary's parts as people see them, in order: those of :data:`SHOWN_WHEN_ANY` only when not zero."""
    return [(k, v) for k, v in summary.items() if k not in SHOWN_WHEN_ANY or v]
#: A digest's counts and summary, as its columns are written (``digests``, ``digest_versions``).
COUNTED_SUMMARY: tuple[str, ...] = ("order_count", "return_count", *SUMMARY_FIELDS)


#: The parts of a sale's total besides its items, in the order the invoice lists them: discount (taken off),
#: service charge, shipping, tax, tips, rounding.
PARTS: tuple[str, ...] = ("discount", "service_charge", "shipping", "tax", "tips", "rounding")


def summary_sum(summary: dict[str, Decimal], returned: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """A digest's summary laid out as a sum that adds up, in the order of the invoice's totals, then the returns:

    gross sales (the sales' items, before discounts) - discounts + service charge (+ shipping) + tax (+ tips)
    + rounding
    (so far the sales as charged: what the invoice totals) - returns (as refunded) = net total.

    ``summary`` is the digest's (its parts net of returns); ``returned`` what its returns hold of each part.
    Every line is signed as it counts; the lines above the last add up to it, to the sen.
    """
    sales = {part: summary[part] + returned.get(part, Decimal(0)) for part in PARTS}
    gross = summary["gross_sales"] + sales["discount"] - sum((sales[p] for p in PARTS if p != "discount"), Decimal(0))
    charged = [(SUMMARY_LABELS[p], sales[p]) for p in PARTS[1:] if p not in SHOWN_WHEN_ANY or sales[p]]
    return [
        ("Gross sales", gross),
        ("Discounts", -sales["discount"]),
        *charged,
        ("Returns", -summary["returns"]),
        (SUMMARY_LABELS["net_total"], summary["net_total"]),
    ]


def digest_row(r: dict) -> DigestRow:
    return DigestRow(
        id=r["id"], stream=r["stream"], location=r["location"], pos_store_id=r["pos_store_id"],
        date=r["business_date"], order_count=r["order_count"], return_count=r["return_count"],
        amount=r["net_total"], invoice_number=r["invoice_number"], status=r["status"], created_at=r["created_at"],
        **{k: r[k] for k in ("shipping", "tips") if k in r},  # (the console's lean rows leave them out)
    )


