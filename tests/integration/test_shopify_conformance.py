"""The source conformance suite (flowtui.connectors.conformance) for the Shopify stream, against the sandbox."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flowtui.connectors import conformance
from flowtui.sandbox.shopify import ShopifySandbox
from flowtui.testing import FlowBooks

KL = ZoneInfo("Asia/Kuala_Lumpur")
END = date(2026, 10, 14)
PAID = ("SALE", "CAPTURE")


def _day(instant: str) -> date:
    try:
        return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(KL).date()
    except ValueError:  # a hostile time: no day
        return date.min


def _numeric(gid: str) -> str:
    return gid.rsplit("/", 1)[1]


def _paid(order: dict) -> bool:
    return any(t["kind"] in PAID and t["status"] == "SUCCESS" for t in order["transactions"])


class ShopifySource:
    """Shopify, as flowtui's sandbox serves it; a few copies of its sales are the ones voided and refunded."""

    provider = "shopify"

    def __init__(self, box: ShopifySandbox) -> None:
        self.box = box
        first, last = self.window()
        sales = [o for o in box.orders() if first <= _day(o["processedAt"]) <= last and not o["test"]
                 and o["displayFinancialStatus"] == "PAID" and not o["refunds"] and _paid(o)]
        self.copies = []
        for n, sale in enumerate(sales[:5], start=1):
            self.copies.append(box.add_order({**copy.deepcopy(sale), "id": f"gid://shopify/Order/77000000{n}",
                                              "name": f"#C{n}"}))

    def options(self) -> dict:
        return {"shop": self.box.shop_domain, "access_token": self.box.token, "base_url": self.box.base_url}

    def wrong_options(self) -> dict:
        return {**self.options(), "access_token": "shpat_wrong"}

    def window(self) -> tuple[date, date]:
        return END - timedelta(days=2), END - timedelta(days=1)

    def expected(self, first: date, last: date) -> set[str]:
        found = set()
        for order in self.box.orders():
            if order["test"] or (order["displayFinancialStatus"] in ("PENDING", "AUTHORIZED", "EXPIRED")
                                 and not _paid(order)):
                continue
            if first <= _day(order["processedAt"]) <= last:
                found.add(_numeric(order["id"]))
            if order["displayFinancialStatus"] == "VOIDED":
                continue
            for refund in order["refunds"]:
                moved = any(t["kind"] == "REFUND" and t["status"] == "SUCCESS" for t in refund["transactions"])
                if moved and first <= _day(refund["createdAt"]) <= last:
                    found.add(f"refund-{_numeric(refund['id'])}")
        return found

    def _later(self, order: dict) -> str:
        return (datetime.fromisoformat(order["processedAt"].replace("Z", "+00:00")) + timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")

    def void(self, first: date, last: date) -> str:
        order = self.copies[0]
        when = self._later(order)
        self.box.add_order({**order, "displayFinancialStatus": "VOIDED", "cancelledAt": when, "updatedAt": when})
        return _numeric(order["id"])

    def refund(self, first: date, last: date) -> tuple[str, str]:
        order = self.copies[1]
        when = self._later(order)
        back = order["lineItems"][0]["originalUnitPriceSet"]["shopMoney"]["amount"]
        gateway = next(t["gateway"] for t in order["transactions"] if t["kind"] in PAID and t["status"] == "SUCCESS")
        refund = {"id": "gid://shopify/Refund/88000001", "createdAt": when, "updatedAt": when,
                  "refundLineItems": [], "refundShippingLines": [],
                  "transactions": [{"id": "gid://shopify/OrderTransaction/88000002", "kind": "REFUND",
                                    "status": "SUCCESS", "gateway": gateway, "processedAt": when,
                                    "amountSet": {"shopMoney": {"amount": back, "currencyCode": "MYR"}}}]}
        # an amount-only refund (goodwill): one adjustment line, no stock moved
        self.box.add_order({**order, "refunds": [refund], "updatedAt": when,
                            "displayFinancialStatus": "PARTIALLY_REFUNDED"})
        return "refund-88000001", _numeric(order["id"])

    def plant_hostile(self, first: date, last: date) -> list[str]:
        base = copy.deepcopy(self.copies[2])
        line = base["lineItems"][0]
        broken = {
            "99000001": {**base, "lineItems": [{**line, "quantity": -2}, *base["lineItems"][1:]]},
            "99000002": {**base, "lineItems": [{**line, "originalUnitPriceSet": {"shopMoney": {"amount": "lots"}}}]},
            "99000003": {**base, "transactions": [{**base["transactions"][0],
                                                   "amountSet": {"shopMoney": {"amount": "0.01"}}}]},
            "99000004": {**base, "processedAt": "yesterday"},
        }
        for ident, order in broken.items():
            self.box.add_order({**order, "id": f"gid://shopify/Order/{ident}", "name": f"#H{ident}"})
        return list(broken)


@pytest.fixture
def shopify_source(monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")
    with ShopifySandbox(seed=2, days=5, end_date=END, restore_rate=1_000_000) as box:
        yield ShopifySource(box)


@pytest.mark.parametrize("check", conformance.CHECKS, ids=conformance.name)
def test_shopify_conforms(check, flow, shopify_source):
    check(FlowBooks(flow), shopify_source)
