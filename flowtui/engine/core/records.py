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


SUMMARY_FIELDS = ("gross_sales", "returns", "discount", "service_charge", "tax", "rounding", "net_total")


def digest_row(r: dict) -> DigestRow:
    return DigestRow(
        id=r["id"], stream=r["stream"], location=r["location"], pos_store_id=r["pos_store_id"],
        date=r["business_date"], order_count=r["order_count"], return_count=r["return_count"],
        amount=r["net_total"], invoice_number=r["invoice_number"], status=r["status"], created_at=r["created_at"],
    )


