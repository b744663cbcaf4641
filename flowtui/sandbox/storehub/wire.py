"""The StoreHub sandbox's data on the wire: integer sen to JSON amounts, instants to ISO text, and back.

``transaction_json`` writes a transaction's JSON by hand (the hot path of a large ``/transactions`` answer);
``to_api`` and ``dumps`` are the plain, general form.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flowtui.engine.core.money import from_sen
from flowtui.sandbox.storehub.data import MYT, Item, Payment, Product, Store, Transaction

_STR = json.encoder.encode_basestring


def money(sen: int) -> Decimal:
    return from_sen(sen)


def to_sen(value) -> int:
    """A JSON number, string or Decimal of at most 2 decimals as integer sen."""
    sen = Decimal(str(value)) * 100
    if sen != sen.to_integral_value():
        raise ValueError(f"{value!r} is not an amount in sen")
    return int(sen)


def iso_ms(ms: int | None) -> str | None:
    if ms is None:
        return None
    return f"{datetime.fromtimestamp(ms // 1000, UTC):%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def parse_ms(text: str) -> int:
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return round(value.timestamp() * 1000)


def store_api(s: Store) -> dict:
    return {"id": s.id, "name": s.name, "timezone": s.timezone, "city": s.city, "country": "Malaysia", "currency": "MYR",
            "serviceChargeRate": Decimal(s.service_charge_bp) / 10000,
            "serviceChargeTaxCode": "SV6" if s.service_charge_bp else None}


def product_api(p: Product) -> dict:
    return {"id": p.id, "name": p.name, "sku": p.sku, "category": p.category, "unitPrice": money(p.price),
            "taxCode": p.tax_code, "priceType": "Fixed", "trackStockLevel": p.tracked}


def to_api(t: Transaction) -> dict:
    """The transaction as StoreHub shows it, money as ``Decimal`` with 2 places."""
    return {
        "refId": t.ref_id, "invoiceNumber": t.invoice_number, "storeId": t.store_id, "transactionType": t.type,
        "transactionTime": iso_ms(t.time_ms), "channel": t.channel, "subTotal": money(t.sub_total),
        "discount": money(t.discount), "serviceCharge": money(t.service_charge), "tax": money(t.tax),
        "roundedAmount": money(t.rounded), "total": money(t.total),
        "items": [{"productId": i.product_id, "itemType": "Item", "quantity": i.quantity,
                   "unitPrice": money(i.unit_price), "subTotal": money(i.sub_total), "discount": money(i.discount),
                   "tax": money(i.tax), "taxCode": i.tax_code, "total": money(i.total)} for i in t.items],
        "payments": [{"paymentMethod": p.method, "amount": money(p.amount)} for p in t.payments],
        "isCancelled": t.is_cancelled, "cancelledTime": iso_ms(t.cancelled_ms),
        "returnReason": t.return_reason, "saleInvoiceNumber": t.sale_invoice_number,
    }


def from_api(data: dict, ref_id: str, invoice: str, tz: str = MYT) -> Transaction:
    """A record from StoreHub's shape, taken as given (the arithmetic is not checked)."""
    time_ms = parse_ms(data["transactionTime"])
    cancelled = data.get("cancelledTime")
    items = tuple(Item(i["productId"], i.get("quantity", 1), to_sen(i.get("unitPrice", 0)), to_sen(i.get("subTotal", 0)),
                       to_sen(i.get("discount", 0)), to_sen(i.get("tax", 0)), i.get("taxCode", ""),
                       to_sen(i.get("total", 0))) for i in data.get("items", ()))
    return Transaction(
        ref_id, invoice, data["storeId"], data.get("transactionType", "Sale"), time_ms,
        datetime.fromtimestamp(time_ms / 1000, ZoneInfo(tz)).date(), data.get("channel", "POS"),
        to_sen(data.get("subTotal", 0)), to_sen(data.get("discount", 0)), to_sen(data.get("serviceCharge", 0)),
        to_sen(data.get("tax", 0)), to_sen(data.get("roundedAmount", 0)), to_sen(data.get("total", 0)),
        items, tuple(Payment(p["paymentMethod"], to_sen(p["amount"])) for p in data.get("payments", ())),
        bool(data.get("isCancelled", False)), parse_ms(cancelled) if cancelled else None,
        data.get("returnReason"), data.get("saleInvoiceNumber"))


def _num(sen: int) -> str:
    """Integer sen as a JSON number with two decimals, without floats."""
    return f"{'-' if sen < 0 else ''}{abs(sen) // 100}.{abs(sen) % 100:02d}"


def dumps(value) -> bytes:
    """JSON with ``Decimal`` written as a number exactly as it is (``12.50``)."""
    def text(v) -> str:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, dict):
            return "{" + ",".join(f"{_STR(k)}:{text(x)}" for k, x in v.items()) + "}"
        return "[" + ",".join(map(text, v)) + "]" if isinstance(v, list) else json.dumps(v)
    return text(value).encode()


def transaction_json(t: Transaction) -> bytes:
    """One transaction as StoreHub's JSON: :func:`to_api`'s shape, written straight from sen (fast)."""
    items = ",".join(
        f'{{"productId":{_STR(i.product_id)},"itemType":"Item","quantity":{i.quantity},"unitPrice":{_num(i.unit_price)},'
        f'"subTotal":{_num(i.sub_total)},"discount":{_num(i.discount)},"tax":{_num(i.tax)},'
        f'"taxCode":{_STR(i.tax_code)},"total":{_num(i.total)}}}' for i in t.items)
    payments = ",".join(f'{{"paymentMethod":{_STR(p.method)},"amount":{_num(p.amount)}}}' for p in t.payments)
    cancelled, reason, sale = (json.dumps(v) for v in (iso_ms(t.cancelled_ms), t.return_reason, t.sale_invoice_number))
    return (
        f'{{"refId":{_STR(t.ref_id)},"invoiceNumber":{_STR(t.invoice_number)},"storeId":{_STR(t.store_id)},'
        f'"transactionType":{_STR(t.type)},"transactionTime":"{iso_ms(t.time_ms)}","channel":{_STR(t.channel)},'
        f'"subTotal":{_num(t.sub_total)},"discount":{_num(t.discount)},"serviceCharge":{_num(t.service_charge)},'
        f'"tax":{_num(t.tax)},"roundedAmount":{_num(t.rounded)},"total":{_num(t.total)},"items":[{items}],'
        f'"payments":[{payments}],"isCancelled":{"true" if t.is_cancelled else "false"},"cancelledTime":{cancelled},'
        f'"returnReason":{reason},"saleInvoiceNumber":{sale}}}'
    ).encode()
