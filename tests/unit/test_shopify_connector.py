"""The Shopify connector against canned GraphQL replies (the sandbox tests drive it over real HTTP)."""

from __future__ import annotations

import json
from datetime import date

import httpx
import orjson
import pytest

from flowtui.connectors.base import Window
from flowtui.connectors.http import Deadlines
from flowtui.connectors.shopify.client import ShopifyConnector, ShopifyError
from tests.unit.test_shopify_mapping import item, order, refund

TOKEN = "shpat_right"


ROUTES = [("bulkOperationRunQuery", "bulk-run"), ("on BulkOperation", "bulk-poll"), ("on Refund", "refunds"),
          ("shop {", "shop"), ("locations(", "locations"), ("query OrderPart", "part")]


class FakeShop:
    """Answers the connector's queries from a list of orders (as the API returns them)."""

    def __init__(self, orders: list[dict]) -> None:
        self.held = orders
        self.queries: list[str] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        if request.url.host == "storage.test":
            return httpx.Response(200, content=self.jsonl())
        if request.headers.get("X-Shopify-Access-Token") != TOKEN:
            return httpx.Response(401, json={"errors": "[API] Invalid API key or access token"})
        body = json.loads(request.content)
        text, variables = body["query"], body["variables"]
        name = next((name for marker, name in ROUTES if marker in text), "orders")
        self.queries.append(name)
        return httpx.Response(200, json={"data": getattr(self, name.replace("-", "_"))(variables),
                                         "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": 5,
                                                                 "throttleStatus": {"maximumAvailable": 2000,
                                                                                    "currentlyAvailable": 1990,
                                                                                    "restoreRate": 100}}}})

    def shop(self, variables):
        return {"shop": {"name": "Kopi Kita", "currencyCode": "MYR", "ianaTimezone": "Asia/Kuala_Lumpur",
                         "myshopifyDomain": "kopi.myshopify.com"}}

    def locations(self, variables):
        return {"locations": {"pageInfo": {"hasNextPage": False, "endCursor": None},
                              "nodes": [{"id": "gid://shopify/Location/11", "name": "Bangsar", "isActive": True}]}}

    def orders(self, variables):
        start = int(variables.get("after") or 0)
        page = self.orders_list[start:start + variables["first"]]
        more = start + len(page) < len(self.orders_list)
        return {"orders": {"pageInfo": {"hasNextPage": more, "endCursor": str(start + len(page))}, "nodes": page}}

    @property
    def orders_list(self):  # as a page carries them: 10 line items, the refunds' ids and dates
        return [{**o, "lineItems": {"nodes": o["lineItems"]["nodes"][:10],
                                    "pageInfo": {"hasNextPage": len(o["lineItems"]["nodes"]) > 10, "endCursor": "10"}},
                 "refunds": [{"id": r["id"], "createdAt": r["createdAt"]} for r in o["refunds"]]}
                for o in self.held]

    def part(self, variables):
        held = next(o for o in self.held if o["id"] == variables["id"])
        start = int(variables.get("after") or 0)
        lines = held["lineItems"]["nodes"][start:start + 100]
        return {"order": {"id": held["id"], "lineItems": {
            "nodes": lines, "pageInfo": {"hasNextPage": start + 100 < len(held["lineItems"]["nodes"]),
                                         "endCursor": str(start + 100)}}}}

    def bulk_run(self, variables):
        self.bulk_query = variables["query"]
        return {"bulkOperationRunQuery": {"bulkOperation": {"id": "gid://shopify/BulkOperation/1", "status": "CREATED"},
                                          "userErrors": []}}

    def refunds(self, variables):
        found = {r["id"]: r for o in self.held for r in o["refunds"]}
        return {"nodes": [found.get(i) for i in variables["ids"]]}

    def bulk_poll(self, variables):
        return {"node": {"id": variables["id"], "status": "COMPLETED", "errorCode": None, "objectCount": "3",
                                  "url": "https://storage.test/bulk.jsonl?signature=abc", "partialDataUrl": None}}

    def jsonl(self) -> bytes:
        lines = []
        for o in self.held:
            line = {k: v for k, v in o.items() if k not in ("lineItems", "shippingLines")}
            lines.append({**line, "refunds": [{"id": r["id"], "createdAt": r["createdAt"]} for r in o["refunds"]]})
            for child in o["lineItems"]["nodes"] + o["shippingLines"]["nodes"]:
                lines.append({**child, "__parentId": o["id"]})
        return b"\n".join(orjson.dumps(line) for line in lines) + b"\n"


def connector(fake: FakeShop, token: str = TOKEN) -> ShopifyConnector:
    return ShopifyConnector("kopi.myshopify.com", token, "https://kopi.myshopify.com",
                            transport=httpx.MockTransport(fake), today=date(2026, 11, 10),
                            deadlines=Deadlines(reply=5, request=5))


def numbered(n: int, **over) -> dict:
    return order(id=f"gid://shopify/Order/{1000 + n}", name=f"#{1000 + n}", **over)


def fetched(conn: ShopifyConnector, since: date):
    return list(conn.fetch(Window(since, None, updated_since=since)))


def entries(batches) -> list[tuple]:
    """(ref, the order as landing reads it, error) of every entry, whether its batch carries canonical JSON or
    typed columns (the fast path's sales): the JSON read into the same typed structure landing reads it into."""
    import duckdb
    import pyarrow as pa

    from flowtui.engine.core.orders import structure_json

    out: list[tuple] = []
    con = duckdb.connect()
    for b in batches:
        table = b.columns if b.columns is not None else pa.table({
            "ref": pa.array(b.refs or [], pa.string()), "payload": pa.array([o.decode() for o in b.orders], pa.string()),
            "pre_error": pa.array(b.errors or [], pa.string())})
        con.register("t", table)
        parsed = "parsed" if "parsed" in table.column_names else "NULL"
        out += con.execute(f"SELECT ref, coalesce({parsed}, json_transform(payload, '{structure_json()}')), pre_error "
                           "FROM t").fetchall()
        con.unregister("t")
    return out


def test_test_names_the_shop_currency_and_time_zone():
    assert connector(FakeShop([])).test() == ("Connected to Shopify shop Kopi Kita (kopi.myshopify.com): currency MYR, "
                                              "time zone Asia/Kuala_Lumpur")


def test_stores_are_the_locations_and_online():
    assert [(s.id, s.name) for s in connector(FakeShop([])).stores()] == [("11", "Bangsar"), ("online", "Online store")]


def test_a_wrong_token_fails_at_once_with_a_clear_message_without_the_token():
    with pytest.raises(ShopifyError) as caught:
        connector(FakeShop([]), token="shpat_wrong").test()
    message = str(caught.value)
    assert "refused the credentials (401)" in message and "access token" in message and "shpat_wrong" not in message


def test_a_recent_window_is_paged_and_test_orders_are_counted():
    fake = FakeShop([numbered(n) for n in range(20)] + [numbered(99, test=True)])
    batches = fetched(connector(fake), date(2026, 11, 1))
    refs = [r for r, _o, _e in entries(batches)]
    assert len(refs) == 20 and refs[0] == "shopify:order/1000"
    assert fake.queries.count("orders") == 4  # 21 orders, 6 a page
    assert batches[-1].warnings == ["skipped 1 Shopify test order(s) (test: true): they are never booked"]
    assert [s.id for s in batches[0].stores] == ["11", "online"]


def test_the_search_asks_what_changed_since_a_day_before_the_window():
    fake = FakeShop([])
    seen = []
    original = fake.orders
    fake.orders = lambda variables: seen.append(variables["q"]) or original(variables)  # type: ignore[method-assign]
    fetched(connector(fake), date(2026, 11, 5))
    assert seen == ["updated_at:>='2026-11-04T00:00:00Z'"]


def test_an_order_with_more_lines_than_a_page_holds_is_read_again_whole():
    big = numbered(1, lineItems={"pageInfo": {"hasNextPage": False},
                                 "nodes": [item(sku=f"S{n}", qty=1, price="1.00", taxes=(), ident=n) for n in range(30)]},
                   transactions=[{"id": "t", "kind": "SALE", "status": "SUCCESS", "gateway": "cash",
                                  "amountSet": {"shopMoney": {"amount": "30.00"}}}])
    fake = FakeShop([big])
    [(_ref, order, error)] = entries(fetched(connector(fake), date(2026, 11, 1)))
    assert fake.queries.count("part") == 1
    assert error is None and len(order["lines"]) == 30


def test_a_long_range_is_one_bulk_export_read_like_the_pages():
    refunded = [refund(ident=500 + n, lines=[(1, "10.00", "0.60")]) for n in range(12)]
    fake = FakeShop([numbered(n) for n in range(5)] + [numbered(9, test=True)]
                    + [numbered(20 + n, refunds=[r]) for n, r in enumerate(refunded)])
    paged = fetched(connector(fake), date(2026, 11, 1))
    asked = len(fake.queries)
    bulk = fetched(connector(fake), date(2026, 9, 1))  # 70 days before "today"
    assert "bulk-run" in fake.queries and "orders(query:" in fake.bulk_query and "first:" not in fake.bulk_query
    assert entries(bulk) == entries(paged)
    assert sum(1 for r, _o, _e in entries(bulk) if r.startswith("shopify:refund/")) == 12
    assert fake.queries[asked:].count("refunds") == 2  # 12 refunds read 6 at a time
    assert bulk[-1].warnings[0] == paged[-1].warnings[0]  # the test order, skipped both ways
    download = [h for h in fake.headers if "X-Shopify-Access-Token" not in h]
    assert len(download) == 1  # the file host never sees the token
    assert any("read_all_orders" in w for w in bulk[-1].warnings)  # 70 days: past what Shopify lists by default
    assert not any("read_all_orders" in w for w in paged[-1].warnings)


def test_a_window_without_a_start_is_refused():
    with pytest.raises(ShopifyError, match="start date"):
        list(connector(FakeShop([])).fetch(Window(None, None)))


UNDEFINED = {"errors": [{"message": "Field 'nodes' doesn't exist on type 'QueryRoot'",
                         "extensions": {"code": "undefinedField", "typeName": "QueryRoot", "fieldName": "nodes"}}]}


class PlainShop(FakeShop):
    """A Shopify-compatible server without nodes(ids:) and node(id:): refunds through their order, currentBulkOperation."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "storage.test":
            text = json.loads(request.content)["query"]
            if "nodes(ids" in text or "node(id" in text:
                self.queries.append("undefined")
                return httpx.Response(200, json=UNDEFINED)
            if "OrderRefunds" in text:
                self.queries.append("order-refunds")
                wanted = json.loads(request.content)["variables"]["id"]
                held = next(o for o in self.held if o["id"] == wanted)
                return httpx.Response(200, json={"data": {"order": {"id": wanted, "refunds": held["refunds"]}}})
            if "currentBulkOperation" in text:
                self.queries.append("bulk-current")
                return httpx.Response(200, json={"data": {"currentBulkOperation": {
                    **self.bulk_poll({"id": "gid://shopify/BulkOperation/1"})["node"]}}})
        return super().__call__(request)


def test_a_server_without_nodes_gives_refunds_through_their_order_and_bulk_through_the_current_operation():
    refunded = [refund(ident=700 + n, lines=[(1, "10.00", "0.60")]) for n in range(3)]
    orders = [numbered(n) for n in range(3)] + [numbered(30 + n, refunds=[r]) for n, r in enumerate(refunded)]
    expected = entries(fetched(connector(FakeShop(orders)), date(2026, 11, 1)))
    plain = PlainShop(orders)
    assert entries(fetched(connector(plain), date(2026, 11, 1))) == expected
    assert plain.queries.count("order-refunds") == 3
    assert entries(fetched(connector(plain), date(2026, 9, 1))) == expected
    assert "bulk-current" in plain.queries


def test_the_declaration_checks_the_shop_the_version_and_warns_of_a_token_over_plain_http():
    from flowtui.connectors.declaration import ProviderConfigError
    from flowtui.connectors.shopify.provider import PROVIDER

    config = PROVIDER.stored_config({"shop": "https://Kopi.myshopify.com/", "access_token": {"env": "T"}})
    assert (config["shop"], config["base_url"], config["api_version"]) == (
        "kopi.myshopify.com", "https://kopi.myshopify.com", "2026-10")
    for bad in ({"shop": "not a shop"}, {"shop": "kopi.myshopify.com", "api_version": "latest"}):
        with pytest.raises(ProviderConfigError):
            PROVIDER.stored_config({"access_token": {"env": "T"}, **bad})
    assert PROVIDER.warnings({**config, "base_url": "http://shop.example"})
    assert not PROVIDER.warnings({**config, "base_url": "http://127.0.0.1:8766"})
