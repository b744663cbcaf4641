"""The Shopify sandbox over real HTTP: Shopify's schema names, paging, search, cost and throttle, bulk JSONL, auth."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from zoneinfo import ZoneInfo

import httpx
import pytest
from graphql import build_schema, parse, validate

from flowtui.sandbox.shopify import ShopifySandbox

END = date(2026, 10, 14)
MYT = ZoneInfo("Asia/Kuala_Lumpur")
MONEY = "{ shopMoney { amount currencyCode } }"
ORDER_FIELDS = f"""
    id name createdAt updatedAt processedAt cancelledAt test displayFinancialStatus taxesIncluded currencyCode
    retailLocation {{ id name }} totalTipReceivedSet {MONEY} totalPriceSet {MONEY}
    lineItems(first: 5) {{ nodes {{ id sku name quantity originalUnitPriceSet {MONEY}
        discountAllocations {{ allocatedAmountSet {MONEY} }} taxLines {{ title rate priceSet {MONEY} }} }} }}
    shippingLines(first: 2) {{ nodes {{ title originalPriceSet {MONEY} discountAllocations {{ allocatedAmountSet {MONEY} }}
        taxLines {{ rate priceSet {MONEY} }} }} }}
    transactions {{ id kind status gateway amountSet {MONEY} processedAt }}
"""
REFUNDS = f"""
    refunds {{ id createdAt
        refundLineItems(first: 5) {{ nodes {{ quantity lineItem {{ id sku }} subtotalSet {MONEY} totalTaxSet {MONEY} }} }}
        refundShippingLines(first: 2) {{ nodes {{ subtotalAmountSet {MONEY} taxAmountSet {MONEY} }} }}
        transactions(first: 5) {{ nodes {{ kind status gateway amountSet {MONEY} }} }} }}
"""
PAGE = """query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { %s } }
  }
}""" % (ORDER_FIELDS + REFUNDS)


@pytest.fixture(scope="module")
def shop():
    with ShopifySandbox(seed=1, days=14, end_date=END, restore_rate=1_000_000) as sandbox:
        yield sandbox


def post(sandbox: ShopifySandbox, query: str, variables: dict | None = None, token: str | None = None) -> httpx.Response:
    return httpx.post(sandbox.graphql_url, json={"query": query, "variables": variables or {}}, timeout=30,
                      headers={"X-Shopify-Access-Token": sandbox.token if token is None else token})


def gql(sandbox: ShopifySandbox, query: str, variables: dict | None = None) -> dict:
    response = post(sandbox, query, variables)
    assert response.status_code == 200, response.text
    return response.json()


def all_orders(sandbox: ShopifySandbox, search: str | None = None, first: int = 3) -> tuple[list[dict], int]:
    nodes, after, pages = [], None, 0
    while True:
        reply = gql(sandbox, PAGE, {"first": first, "after": after, "query": search})
        assert "errors" not in reply, reply["errors"]
        connection = reply["data"]["orders"]
        nodes += [edge["node"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes, pages
        after = connection["pageInfo"]["endCursor"]


def test_schema_is_a_subset_that_real_connector_queries_validate_against():
    sdl = resources.files("flowtui.sandbox.shopify").joinpath("schema.graphql").read_text("utf-8")
    schema = build_schema(sdl)
    assert validate(schema, parse(PAGE)) == []
    assert schema.query_type.name == "QueryRoot" and schema.mutation_type.name == "Mutation"
    order = schema.get_type("Order")
    assert str(order.fields["processedAt"].type) == "DateTime!" and str(order.fields["cancelledAt"].type) == "DateTime"
    assert str(order.fields["retailLocation"].type) == "Location" and "location" not in order.fields  # gone in 2024-07
    assert str(order.fields["refunds"].type) == "[Refund!]!" and str(order.fields["transactions"].type) == "[OrderTransaction!]!"
    assert str(order.fields["lineItems"].type) == "LineItemConnection!"
    assert str(schema.get_type("MoneyV2").fields["amount"].type) == "Decimal!"
    assert validate(schema, parse("{ orders(first: 1) { nodes { location { id } } } }"))  # not in Shopify's schema


def test_shop_and_locations(shop):
    reply = gql(shop, "{ shop { name currencyCode ianaTimezone myshopifyDomain } locations(first: 10) { nodes { id name } } }")
    assert reply["data"]["shop"] == {"name": "Kedai Kopi Kita", "currencyCode": "MYR", "ianaTimezone": "Asia/Kuala_Lumpur",
                                     "myshopifyDomain": "kedai-kopi-kita.myshopify.com"}
    assert [loc["id"].split("/")[:4] for loc in reply["data"]["locations"]["nodes"]] == [["gid:", "", "shopify", "Location"]] * 2
    cost = reply["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 1 + 2 + 10 and cost["actualQueryCost"] <= cost["requestedQueryCost"]
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_paging_covers_every_order_once_and_the_data_covers_the_rules(shop):
    orders, pages = all_orders(shop, first=5)
    assert pages > 1 and len(orders) == len({o["id"] for o in orders}) == len(shop.orders())
    assert [o["updatedAt"] for o in orders] == sorted(o["updatedAt"] for o in orders)
    gateways = Counter(t["gateway"] for o in orders for t in o["transactions"])
    assert {"shopify_payments", "manual", "cash", "gift_card", "Touch 'n Go eWallet"} <= set(gateways)
    statuses = Counter(o["displayFinancialStatus"] for o in orders)
    assert {"PAID", "PARTIALLY_REFUNDED", "REFUNDED", "VOIDED"} <= set(statuses)
    assert any(o["test"] for o in orders) and any(o["taxesIncluded"] for o in orders)
    assert any(o["retailLocation"] is None for o in orders)
    assert len({o["retailLocation"]["id"] for o in orders if o["retailLocation"]}) == 2
    assert any(Decimal(o["totalTipReceivedSet"]["shopMoney"]["amount"]) > 0 for o in orders)
    assert {line["taxLines"][0]["rate"] for o in orders for line in o["lineItems"]["nodes"] if line["taxLines"]} == {0.06, 0.08}
    assert any(o["shippingLines"]["nodes"] for o in orders)
    assert any(line["discountAllocations"] for o in orders for line in o["lineItems"]["nodes"])
    after_midnight = [o for o in orders if o["retailLocation"] and _local(o["processedAt"]).hour == 0]
    assert after_midnight and all(_local(o["processedAt"]).date() != _utc(o["processedAt"]).date() for o in after_midnight)
    refunded = [o for o in orders if o["refunds"]]
    assert any(_local(r["createdAt"]).date() > _local(o["processedAt"]).date() for o in refunded for r in o["refunds"])
    assert any(not r["refundLineItems"]["nodes"] for o in refunded for r in o["refunds"])  # an amount-only refund
    cancelled = [o for o in orders if o["cancelledAt"]]
    assert {o["displayFinancialStatus"] for o in cancelled} == {"VOIDED", "REFUNDED"}


def test_payments_add_up_to_the_order_total(shop):
    for order in shop.orders():
        paid = sum(Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in order["transactions"]
                   if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS")
        if order["displayFinancialStatus"] not in ("VOIDED", "PENDING"):
            assert paid == Decimal(order["totalPriceSet"]["shopMoney"]["amount"]), order["name"]
        for refund in order["refunds"]:
            back = sum(Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in refund["transactions"])
            assert back == Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]), order["name"]


def test_updated_at_filter_returns_exactly_the_orders_changed_since(shop):
    since = "2026-10-12T00:00:00Z"
    orders, _ = all_orders(shop, f"updated_at:>='{since}'", first=5)
    expected = {o["id"] for o in shop.orders() if o["updatedAt"] >= since}
    assert {o["id"] for o in orders} == expected and 0 < len(expected) < len(shop.orders())
    assert any(o["processedAt"] < since for o in orders)  # an old order, refunded or cancelled since


def test_page_size_limits_are_shopifys(shop):
    reply = gql(shop, "{ orders(first: 251) { nodes { id } } }")
    assert "data" not in reply or reply["data"] is None
    assert reply["errors"][0]["message"].startswith("first cannot exceed 250")
    reply = gql(shop, "{ orders { nodes { id } } }")
    assert reply["errors"][0]["message"] == "you must provide one of first or last"
    reply = gql(shop, PAGE, {"first": 50})
    assert reply["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_wrong_token_is_401_with_shopifys_body(shop):
    response = post(shop, "{ shop { name } }", token="shpat_wrong")
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    assert post(shop, "{ shop { name } }", token="").status_code == 401


def _local(text: str) -> datetime:
    return _utc(text).astimezone(MYT)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _lines(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.decode().splitlines()]
