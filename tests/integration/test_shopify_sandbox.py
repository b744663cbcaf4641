"""The Shopify sandbox over real HTTP: Shopify's schema names, paging, search, cost and throttle, bulk JSONL, auth."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
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


CLIENT = httpx.Client()  # one client: a new one per request would spend most of a test on its TLS setup


def post(sandbox: ShopifySandbox, query: str, variables: dict | None = None, token: str | None = None) -> httpx.Response:
    return CLIENT.post(sandbox.graphql_url, json={"query": query, "variables": variables or {}}, timeout=30,
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
    tipped = [o for o in orders if Decimal(o["totalTipReceivedSet"]["shopMoney"]["amount"]) > 0]
    for order in tipped:  # a tip is a line item too
        tips = [(x["sku"], x["originalUnitPriceSet"]) for x in order["lineItems"]["nodes"] if x["name"] == "Tip"]
        assert tips == [(None, order["totalTipReceivedSet"])]
    assert tipped
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
        refunded = Decimal(0)
        for refund in order["refunds"]:
            back = sum(Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in refund["transactions"])
            assert back == Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]), order["name"]
            refunded += back
        if order["cancelledAt"] and order["displayFinancialStatus"] == "REFUNDED":  # paid, cancelled: all goes back
            assert refunded == paid, order["name"]


def test_updated_at_filter_returns_exactly_the_orders_changed_since(shop):
    since = "2026-10-12T00:00:00Z"
    orders, _ = all_orders(shop, f"updated_at:>='{since}'", first=5)
    expected = {o["id"] for o in shop.orders() if o["updatedAt"] >= since}
    assert {o["id"] for o in orders} == expected and 0 < len(expected) < len(shop.orders())
    assert any(o["processedAt"] < since for o in orders)  # an old order, refunded or cancelled since


def test_search_terms_combine_like_shopifys(shop):
    query = "query($q: String) { orders(first: 250, query: $q) { nodes { id } } }"

    def ids(search):
        return {o["id"] for o in gql(shop, query, {"q": search})["data"]["orders"]["nodes"]}
    voided = {o["id"] for o in shop.orders() if o["displayFinancialStatus"] == "VOIDED"}
    refunded = {o["id"] for o in shop.orders() if o["displayFinancialStatus"] == "REFUNDED"}
    assert ids("financial_status:voided") == voided and voided
    assert ids("financial_status:voided OR financial_status:refunded") == voided | refunded
    assert ids("financial_status:refunded AND status:cancelled") == {
        o["id"] for o in shop.orders() if o["id"] in refunded and o["cancelledAt"]}
    assert ids("test:true") == {o["id"] for o in shop.orders() if o["test"]}


def test_page_size_limits_are_shopifys(shop):
    reply = gql(shop, "{ orders(first: 251) { nodes { id } } }")
    assert "data" not in reply or reply["data"] is None
    assert reply["errors"][0]["message"].startswith("first cannot exceed 250")
    reply = gql(shop, "{ orders { nodes { id } } }")
    assert reply["errors"][0]["message"] == "you must provide one of first or last"
    reply = gql(shop, PAGE, {"first": 50})
    assert reply["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_a_field_shopify_removed_is_an_undefined_field(shop):
    reply = gql(shop, "{ orders(first: 1) { nodes { id location { id } } } }")  # Order.location went in 2024-07
    assert "data" not in reply
    assert reply["errors"][0]["message"] == "Field 'location' doesn't exist on type 'Order'"
    assert reply["errors"][0]["extensions"] == {"code": "undefinedField", "typeName": "Order", "fieldName": "location"}


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


BULK = f"""{{ orders(query: "updated_at:>='2026-10-01T00:00:00Z'") {{ edges {{ node {{
    id name processedAt updatedAt test displayFinancialStatus taxesIncluded retailLocation {{ id }}
    transactions {{ id kind status gateway amountSet {MONEY} }}
    refunds {{ id createdAt totalRefundedSet {MONEY} }}
    lineItems {{ edges {{ node {{ id sku quantity originalUnitPriceSet {MONEY} taxLines {{ rate priceSet {MONEY} }} }} }} }}
    shippingLines {{ nodes {{ id title originalPriceSet {MONEY} }} }}
}} }} }} }}"""
_BULK_FIELDS = BULK[BULK.index("id name"):BULK.rindex("} } } }")]
BULK_PAGE = ("""query($after: String) { orders(first: 5, after: $after, query: "updated_at:>='2026-10-01T00:00:00Z'") {
    pageInfo { hasNextPage endCursor } edges { node { """
             + _BULK_FIELDS.replace("lineItems {", "lineItems(first: 5) {")
             .replace("shippingLines {", "shippingLines(first: 2) {")
             + " } } } }")
RUN = """mutation($q: String!) {
    bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }"""
POLL = "{ currentBulkOperation { id status errorCode objectCount rootObjectCount url } }"


def test_bulk_operation_jsonl_equals_the_paged_orders(shop):
    shop.bulk.seconds = 0.0
    created = gql(shop, RUN, {"q": BULK})["data"]["bulkOperationRunQuery"]
    assert created["userErrors"] == [] and created["bulkOperation"]["status"] == "CREATED"
    op = gql(shop, POLL)["data"]["currentBulkOperation"]
    assert op["id"] == created["bulkOperation"]["id"] and op["status"] == "COMPLETED"
    lines = _lines(CLIENT.get(op["url"], timeout=30).content)
    assert int(op["objectCount"]) == len(lines)
    roots = {line["id"]: {**line, "lineItems": [], "shippingLines": []} for line in lines if "__parentId" not in line}
    for line in lines:
        if "__parentId" in line:
            kind = "lineItems" if "/LineItem/" in line["id"] else "shippingLines"
            roots[line.pop("__parentId")][kind].append(line)
    paged, after = {}, None
    while True:
        connection = gql(shop, BULK_PAGE, {"after": after})["data"]["orders"]
        for edge in connection["edges"]:
            node = edge["node"]
            paged[node["id"]] = {**node, "lineItems": [e["node"] for e in node["lineItems"]["edges"]],
                                 "shippingLines": node["shippingLines"]["nodes"]}
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert roots == paged and int(op["rootObjectCount"]) == len(paged)
    assert sum(1 for o in shop.orders() if o["updatedAt"] >= "2026-10-01T00:00:00Z") == len(paged)


def test_bulk_operations_follow_shopifys_rules(shop):
    shop.bulk.seconds = 3600.0
    try:
        first = gql(shop, RUN, {"q": "{ orders { edges { node { id } } } }"})["data"]["bulkOperationRunQuery"]
        assert first["bulkOperation"]["status"] == "CREATED"
        assert gql(shop, POLL)["data"]["currentBulkOperation"]["status"] == "RUNNING"
        busy = gql(shop, RUN, {"q": BULK})["data"]["bulkOperationRunQuery"]
        assert busy["bulkOperation"] is None and busy["userErrors"][0]["code"] == "OPERATION_IN_PROGRESS"
        assert first["bulkOperation"]["id"] in busy["userErrors"][0]["message"]
    finally:
        shop.bulk.seconds = 0.0
        shop.bulk.finish()
    assert gql(shop, POLL)["data"]["currentBulkOperation"]["status"] == "COMPLETED"
    for query, message in (
        ("{ orders { edges { node { id refunds { refundLineItems { nodes { quantity } } } } } } }", "within a list field"),
        ("{ orders { edges { node { name lineItems { nodes { sku } } } } } }", "must select the 'id' field"),
        ('{ node(id: "gid://shopify/Order/1") { id } }', "`node` or `nodes`"),
        ("{ shop { name } }", "at least one connection"),
        ("{ orders { edges { node { id nope } } } }", "Invalid bulk query"),
    ):
        errors = gql(shop, RUN, {"q": query})["data"]["bulkOperationRunQuery"]["userErrors"]
        assert errors and message in errors[0]["message"] and errors[0]["code"] == "INVALID", (query, errors)


def test_throttled_when_the_bucket_is_short_then_restored():
    with ShopifySandbox(seed=2, days=2, end_date=END, restore_rate=50.0) as sandbox:
        now = [0.0]
        sandbox.bucket.clock = lambda: now[0]
        sandbox.bucket.drain(to=5)
        reply = gql(sandbox, "{ orders(first: 10) { nodes { id } } }")
        assert reply["errors"] == [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
        assert "data" not in reply
        assert reply["extensions"]["cost"] == {"requestedQueryCost": 12, "actualQueryCost": None, "throttleStatus": {
            "maximumAvailable": 2000.0, "currentlyAvailable": 5, "restoreRate": 50.0}}
        now[0] += 1.0  # 50 points back
        reply = gql(sandbox, "{ orders(first: 10) { nodes { id } } }")
        assert len(reply["data"]["orders"]["nodes"]) == 10
        assert reply["extensions"]["cost"]["actualQueryCost"] == 12
        assert reply["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 55 - 12


def test_every_nth_request_fails_with_a_5xx_when_asked():
    with ShopifySandbox(seed=2, days=1, end_date=END, fail_every=3) as sandbox:
        statuses = [post(sandbox, "{ shop { name } }").status_code for _ in range(6)]
        assert statuses == [200, 200, 503, 200, 200, 503]


def test_next_night_brings_the_new_day_and_the_refunds_made_on_it():
    with ShopifySandbox(seed=3, days=7, end_date=END, restore_rate=1_000_000) as sandbox:
        before = {o["id"]: o for o in sandbox.orders()}
        night = sandbox.next_night()
        assert night["end_date"] == "2026-10-15" and night["added"] > 0 and night["changed"]
        since = "2026-10-14T16:00:00Z"  # local midnight starting the 15th
        changed, _ = all_orders(sandbox, f"updated_at:>={since}", first=5)
        old = [o for o in changed if o["id"] in before]
        assert {o["name"] for o in old} == set(night["changed"])
        assert all(len(o["refunds"]) > len(before[o["id"]]["refunds"]) or o["cancelledAt"] for o in old)
        assert all(_local(o["processedAt"]).date() == date(2026, 10, 15) for o in changed if o["id"] not in before)


def test_a_planted_order_is_served_as_given_and_unknown_search_fields_are_warned_about():
    with ShopifySandbox(seed=2, days=1, end_date=END) as sandbox:
        planted = sandbox.add_order({"createdAt": "2026-10-14T01:00:00Z", "updatedAt": "2026-10-14T01:00:00Z",
                                     "processedAt": "2026-10-14T01:00:00Z", "currencyCode": "MYR",
                                     "displayFinancialStatus": "PAID", "totalPriceSet": {"shopMoney": {"amount": "-1"}}})
        reply = gql(sandbox, """{ orders(first: 5, query: "name:9001 colour:blue") {
            nodes { id name totalPriceSet { shopMoney { amount } } } } }""")
        assert reply["data"]["orders"]["nodes"] == [{"id": planted["id"], "name": "#9001",
                                                     "totalPriceSet": {"shopMoney": {"amount": "-1"}}}]
        assert reply["extensions"]["search"][0]["warnings"] == [
            {"field": "colour", "message": "Invalid search field for this query."}]


def test_reverse_last_and_before_page_like_shopify(shop):
    ids = [o["id"] for o in sorted(shop.orders(), key=lambda o: (o["processedAt"], int(o["id"].rsplit("/", 1)[1])))]
    query = """query($first: Int, $last: Int, $after: String, $before: String, $reverse: Boolean) {
        orders(first: $first, last: $last, after: $after, before: $before, reverse: $reverse) {
            edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    newest = gql(shop, query, {"first": 3, "reverse": True})["data"]["orders"]
    assert [e["node"]["id"] for e in newest["edges"]] == ids[::-1][:3] and newest["pageInfo"]["hasNextPage"]
    tail = gql(shop, query, {"last": 2})["data"]["orders"]
    assert [e["node"]["id"] for e in tail["edges"]] == ids[-2:] and tail["pageInfo"]["hasPreviousPage"]
    before = gql(shop, query, {"last": 2, "before": tail["pageInfo"]["startCursor"]})["data"]["orders"]
    assert [e["node"]["id"] for e in before["edges"]] == ids[-4:-2]
    assert gql(shop, query, {"first": 2, "after": "bm90IGEgY3Vyc29y"})["errors"][0]["message"].startswith("Invalid cursor")


def test_the_command_serves_until_ctrl_c():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flowtui", "sandbox", "shopify", "--port", "0", "--days", "2", "--token", "shpat_cli"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        endpoint = lines[0].split()[-1].rstrip(")")
        assert endpoint.startswith("http://127.0.0.1:") and endpoint.endswith("/graphql.json") and "shpat_cli" in lines[1]
        reply = CLIENT.post(endpoint, json={"query": "{ shop { ianaTimezone } }"},
                            headers={"X-Shopify-Access-Token": "shpat_cli"})
        assert reply.json()["data"] == {"shop": {"ianaTimezone": "Asia/Kuala_Lumpur"}}
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_without_read_all_orders_only_the_last_60_days_are_listed():
    with ShopifySandbox(seed=4, days=62, end_date=END, read_all_orders=False, restore_rate=1_000_000) as sandbox:
        cutoff = "2026-08-15T16:00:00Z"  # 60 days before the end of the 14th of October, local time
        query = """query($after: String) {
            orders(first: 250, after: $after) { nodes { createdAt } pageInfo { hasNextPage endCursor } } }"""
        listed, after = [], None
        while True:
            connection = gql(sandbox, query, {"after": after})["data"]["orders"]
            listed += [o["createdAt"] for o in connection["nodes"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        assert min(listed) >= cutoff and len(listed) == sum(1 for o in sandbox.orders() if o["createdAt"] >= cutoff)
        assert any(o["createdAt"] < cutoff for o in sandbox.orders())


def test_foreign_buyers_see_their_currency_but_shop_money_stays_in_ringgit(shop):
    foreign = [o for o in shop.orders() if o["presentmentCurrencyCode"] == "SGD"]
    assert foreign and all(o["retailLocation"] is None for o in foreign)
    for order in foreign:
        total = order["totalPriceSet"]
        assert total["shopMoney"]["currencyCode"] == "MYR" and total["presentmentMoney"]["currencyCode"] == "SGD"
        assert Decimal(total["presentmentMoney"]["amount"]) < Decimal(total["shopMoney"]["amount"])
        line = order["lineItems"][0]["originalUnitPriceSet"]
        assert line["presentmentMoney"]["currencyCode"] == "SGD" and line["shopMoney"]["currencyCode"] == "MYR"


def test_a_refund_and_a_cancellation_made_at_the_source_show_on_the_next_read():
    with ShopifySandbox(seed=5, days=3, end_date=END, restore_rate=1_000_000) as sandbox:
        paid = [o for o in sandbox.orders() if o["displayFinancialStatus"] == "PAID" and not o["test"]]
        first, second = paid[0], paid[1]
        refunded = sandbox.refund(first["id"], amount=Decimal("5.00"))
        assert refunded["displayFinancialStatus"] == "PARTIALLY_REFUNDED" and refunded["updatedAt"] > first["updatedAt"]
        goodwill = refunded["refunds"][-1]
        assert goodwill["refundLineItems"] == [] and goodwill["totalRefundedSet"]["shopMoney"]["amount"] == "5.0"
        cancelled = sandbox.cancel(second["id"])
        assert cancelled["cancelledAt"] and cancelled["displayFinancialStatus"] == "REFUNDED"
        since = min(refunded["updatedAt"], cancelled["updatedAt"])
        changed, _ = all_orders(sandbox, f"updated_at:>='{since}'", first=5)
        assert {first["id"], second["id"]} <= {o["id"] for o in changed}


def test_query_cost_follows_shopifys_rules(shop):
    nested = "{ orders(first: 10) { pageInfo { hasNextPage } nodes { id lineItems(first: 5) { nodes { id } } } } }"
    cost = gql(shop, nested)["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 10 * (1 + 2 + 5 * 1)  # a connection: 2 + its objects x what each costs
    assert cost["actualQueryCost"] < cost["requestedQueryCost"]  # fewer than five lines an order, as it turned out
    objects = "{ orders(first: 2) { nodes { totalPriceSet { shopMoney { amount } } retailLocation { name } } } }"
    assert gql(shop, objects)["extensions"]["cost"]["requestedQueryCost"] == 2 + 2 * (1 + 2 + 1)
    assert gql(shop, RUN, {"q": "{ orders { edges { node { id } } } }"})["extensions"]["cost"]["requestedQueryCost"] == 10
    shop.bulk.finish()


def test_a_bulk_operation_that_fails_or_finds_nothing_has_no_url(shop):
    shop.bulk.seconds, shop.bulk.fail_next = 0.0, True
    assert gql(shop, RUN, {"q": BULK})["data"]["bulkOperationRunQuery"]["userErrors"] == []
    failed = gql(shop, POLL)["data"]["currentBulkOperation"]
    assert (failed["status"], failed["errorCode"], failed["url"]) == ("FAILED", "INTERNAL_SERVER_ERROR", None)
    empty = '{ orders(query: "updated_at:>=2099-01-01") { edges { node { id } } } }'
    assert gql(shop, RUN, {"q": empty})["data"]["bulkOperationRunQuery"]["userErrors"] == []
    done = gql(shop, POLL)["data"]["currentBulkOperation"]
    assert (done["status"], done["objectCount"], done["url"]) == ("COMPLETED", "0", None)


def test_dates_follow_flowtui_now_and_the_seed_decides_the_data(monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-14T17:30:00Z")  # 01:30 on the 15th in Kuala Lumpur
    one, again, other = (ShopifySandbox(seed=s, days=2) for s in (7, 7, 8))
    assert (one.start_date, one.end_date) == (date(2026, 10, 13), date(2026, 10, 14))
    assert one.orders() == again.orders() and one.orders() != other.orders()
    assert max(o["updatedAt"] for o in one.orders()) < "2026-10-14T16:00:00Z"  # nothing after the end of the 14th
