"""What a template sees: a document or a digest as plain data (pure functions, no I/O).

Money stays ``Decimal`` here; the templates format it with the ``money``
filter (thousands separators, two decimals). Views are plain dicts of
str/Decimal/date/list so they cross into worker processes as they are.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flowtui.engine.core.records import SHOWN_WHEN_ANY, SUMMARY_LABELS, DigestDetail
from flowtui.engine.core.statuses import DocumentRole
from flowtui.engine.ledger.reading import DocumentDetail

ZERO = Decimal("0.00")

#: Parts of the day's sales (sales minus returns) already inside gross sales and net total.
INCLUDED = ("discount", "service_charge", "shipping", "tax", "tips", "rounding")


def document_title(kind: str, role: str) -> str:
    if role == DocumentRole.ADJUSTMENT:
        return "Supplementary Invoice" if kind == "invoice" else "Credit Note (adjustment)"
    if role == DocumentRole.REVERSAL:
        return "Invoice (reversal)" if kind == "invoice" else "Credit Note (reversal)"
    return "Invoice" if kind == "invoice" else "Credit Note"


def kind_label(kind: str) -> str:
    return "invoice" if kind == "invoice" else "credit note"


def tax_rate(code: str | None, taxable: Decimal, tax: Decimal, declared: Decimal | None = None) -> Decimal | None:
    """The rate of a tax code: its nominal rate (``flowtui tax codes``, else what its products declare),
    else tax / taxable — so 6 % prints as 6 %, never as the 5.99 % the sen make of it.

    None for lines without a tax code (they mix untaxed items with, say, the
    service tax on a service charge: no single rate describes them) and when
    nothing is taxable.
    """
    if declared:
        return Decimal(declared)
    if not code or not taxable:
        return None
    return (Decimal(tax) / Decimal(taxable)).quantize(Decimal("0.0001"))


def local_time(instant: datetime | None, tz: str) -> str:
    if instant is None:
        return ""
    return instant.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def printed_stamp(instant: datetime, tz: str) -> str:
    local = instant.astimezone(ZoneInfo(tz))
    return f"{local:%Y-%m-%d %H:%M} ({tz})"


def document_view(detail: DocumentDetail, *, source_date: date | None = None,
                  declared_rates: dict[str, Decimal] | None = None) -> dict:
    """One invoice, credit note or supplementary invoice, ready for ``invoice.html``."""
    r = detail.row
    items = [line for line in detail.lines if line.get("kind", "item") == "item"]
    declared = declared_rates or {}
    return {
        "title": document_title(r.kind, detail.role),
        "kind": r.kind,
        "role": detail.role,
        "number": r.number,
        "date": r.date,
        "status": r.status,
        "contact": r.contact,
        "location": r.location,
        "currency": detail.currency,
        "source": {"stream": detail.stream, "date": source_date or r.date, "digest_id": r.digest_id,
                   "version": detail.digest_version},
        "with_sku": any(line["sku"] for line in items),
        "lines": [{"no": i, "sku": line["sku"] or "", "description": line["description"] or "",
                   "quantity": line["quantity"], "unit_price": line["unit_price"], "discount": line["discount"],
                   "tax": line["tax"], "tax_code": line["tax_code"] or "", "amount": line["amount"]}
                  for i, line in enumerate(items, 1)],
        "subtotal": detail.subtotal,
        "discount": detail.discount,
        "service_charge": detail.service_charge,
        "shipping": detail.shipping,
        "tax": detail.tax,
        "tips": detail.tips,
        "total_before_rounding": r.total - detail.rounding,
        "rounding": detail.rounding,
        "total": r.total,
        "taxes": [{"code": t["tax_code"] or "",
                   "rate": tax_rate(t["tax_code"], t["taxable"], t["tax"], declared.get(t["tax_code"])),
                   "taxable": t["taxable"], "tax": t["tax"]} for t in detail.taxes],
        "payments": [{"method": p["method"], "amount": p["amount"]} for p in detail.payments],
        "paid": sum((p["amount"] for p in detail.payments), ZERO),
        "linked": [{"relation": x["relation"], "kind": kind_label(x["kind"]), "number": x["number"],
                    "date": x["date"], "total": x["total"]} for x in detail.linked],
    }


def digest_view(detail: DigestDetail, *, timezone: str, documents: list[dict] | None = None,
                declared_rates: dict[str, Decimal] | None = None) -> dict:
    """One day's digest, ready for ``digest.html``: summary, payments, items, taxes and orders.

    ``documents`` are the documents posted from it (``title``, ``number``, ``total``), oldest first.
    """
    r = detail.row
    orders: list[dict[str, Any]] = []
    for o in detail.orders:
        signed = -o.total if o.type == "return" else o.total
        orders.append({"time": local_time(o.time, timezone), "id": o.id, "number": o.number, "type": o.type,
                       "status": o.status, "total": signed})
    return {
        "id": r.id,
        "stream": r.stream,
        "location": r.location or f"POS store {r.pos_store_id}",
        "pos_store_id": r.pos_store_id,
        "date": r.date,
        "status": r.status,
        "invoice_number": r.invoice_number,
        "version": detail.version,
        "order_count": r.order_count,
        "return_count": r.return_count,
        "timezone": timezone,
        "gross_sales": detail.summary.get("gross_sales", ZERO),
        "returns": -detail.summary.get("returns", ZERO),
        "net_total": detail.summary.get("net_total", r.amount),
        "included": [{"label": SUMMARY_LABELS[k], "amount": detail.summary.get(k, ZERO)} for k in INCLUDED
                     if k not in SHOWN_WHEN_ANY or detail.summary.get(k)],
        "payments": [{"method": m, "amount": a} for m, a in detail.payments],
        "paid": sum((a for _, a in detail.payments), ZERO),
        "item_lines": [{"sku": i.sku or "", "name": i.name or "", "quantity": i.quantity, "unit_price": i.unit_price,
                        "discount": i.discount, "tax": i.tax, "amount": i.amount} for i in detail.items],
        "items_amount": sum((i.amount for i in detail.items), ZERO),
        "items_tax": sum((i.tax for i in detail.items), ZERO),
        "taxes": [{"code": c or "", "rate": tax_rate(c, t, x, (declared_rates or {}).get(c)), "taxable": t, "tax": x}
                  for c, t, x in detail.taxes],
        "orders": orders,
        "orders_total": sum((o["total"] for o in orders), ZERO),
        "attention": list(detail.attention),
        "documents": documents or [],
    }
