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


def digest_row(r: dict) -> DigestRow:
    return DigestRow(
        id=r["id"], stream=r["stream"], location=r["location"], pos_store_id=r["pos_store_id"],
        date=r["business_date"], order_count=r["order_count"], return_count=r["return_count"],
        amount=r["net_total"], invoice_number=r["invoice_number"], status=r["status"], created_at=r["created_at"],
        **{k: r[k] for k in ("shipping", "tips") if k in r},  # (the console's lean rows leave them out)
    )


