"""The HTTP toolkit's GraphQL pieces: the cost bucket fed by throttleStatus, THROTTLED, cursor paging, bulk exports."""

from __future__ import annotations

import json

import httpx
import pytest

from flowtui.connectors.http import (
    BulkExport,
    BulkFailed,
    CostBucket,
    GraphQLAccessDenied,
    GraphQLClient,
    GraphQLCursor,
    GraphQLError,
    HttpClient,
    RetryPolicy,
    UnexpectedListing,
    open_http,
    reassemble,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def cost(available: float, requested: float = 10, actual: float | None = 10, rate: float = 50, maximum: float = 1000):
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available,
                                        "restoreRate": rate}}}


def client(replies, clock: Clock, bucket: CostBucket | None = None, attempts: int = 1):
    """A GraphQLClient whose server answers from ``replies`` (a function of the request's JSON body)."""
    sent = []

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        status, reply = replies(body, len(sent))
        return httpx.Response(status, json=reply)

    http = HttpClient(open_http("https://shop.test", transport=httpx.MockTransport(handle)), service="Shopify",
                      policy=RetryPolicy(attempts=attempts, base=0.01), clock=clock, sleep=clock.sleep)
    return GraphQLClient(http, "/admin/api/2026-10/graphql.json", bucket=bucket, clock=clock, sleep=clock.sleep), sent


def test_each_reply_sets_the_bucket_and_the_next_query_waits_before_it_runs_dry():
    clock = Clock()
    bucket = CostBucket(1000, 50, clock=clock, sleep=clock.sleep)
    gql, sent = client(lambda body, n: (200, {"data": {"shop": {"name": "Kopi"}}, "extensions": cost(available=30)}),
                       clock, bucket)
    assert gql.query("{ shop { name } }") == {"shop": {"name": "Kopi"}}
    assert bucket.capacity == 1000 and bucket.available == pytest.approx(30)
    gql.query("{ shop { name } }")  # costs 10 (what it was charged): 30 are there, no wait
    assert clock.slept == []
    bucket.observe(4)
    gql.query("{ shop { name } }")  # 4 there, 10 needed at 50 a second: 0.12 s first
    assert clock.slept == [pytest.approx(0.12)]
    assert len(sent) == 3


def test_the_bucket_takes_the_services_own_figures():
    clock = Clock()
    bucket = CostBucket(1000, 50, clock=clock, sleep=clock.sleep)
    gql, _ = client(lambda body, n: (200, {"data": {}, "extensions": cost(1800, rate=100, maximum=2000)}), clock, bucket)
    gql.query("{ shop { id } }")
    assert (bucket.capacity, bucket.restore_rate, bucket.available) == (2000, 100, pytest.approx(1800))


def test_throttled_is_asked_again_after_the_restore_time_and_is_not_a_failure():
    clock = Clock()
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                 "extensions": cost(available=2, requested=102, actual=None)}

    def replies(body, n):
        return (200, throttled) if n <= 2 else (200, {"data": {"orders": []}, "extensions": cost(900)})

    gql, sent = client(replies, clock, CostBucket(1000, 50, clock=clock, sleep=clock.sleep), attempts=1)
    assert gql.query("{ orders { id } }") == {"orders": []}  # with one attempt allowed: the waits were not failures
    assert len(sent) == 3 and gql.throttled == 2
    assert clock.slept[0] == pytest.approx(2.0)  # (102 - 2) / 50
    assert gql.http.stats.retries == 0


def test_an_error_is_a_graphql_error_and_access_denied_says_which_scopes():
    clock = Clock()
    gql, _ = client(lambda body, n: (200, {"errors": [{"message": "Field 'x' doesn't exist on type 'Order'"}]}), clock)
    with pytest.raises(GraphQLError, match="Field 'x' doesn't exist"):
        gql.query("{ x }")
    gql, _ = client(lambda body, n: (200, {"errors": [{"message": "Access denied for orders field.",
                                                       "extensions": {"code": "ACCESS_DENIED"}}]}), clock)
    with pytest.raises(GraphQLAccessDenied, match="read scopes"):
        gql.query("{ orders { id } }")


def test_cursor_paging_follows_end_cursor_until_has_next_page_is_false():
    clock = Clock()
    pages = {None: ("c1", True), "c1": ("c2", True), "c2": ("c3", False)}

    def replies(body, n):
        cursor, more = pages[body["variables"].get("after")]
        return 200, {"data": {"orders": {"pageInfo": {"hasNextPage": more, "endCursor": cursor},
                                         "nodes": [{"id": cursor}]}}}

    gql, sent = client(replies, clock)
    got = [p["orders"]["nodes"][0]["id"] for p in gql.pages("query($after: String) { x }", {"q": "a"},
                                                            GraphQLCursor("orders"))]
    assert got == ["c1", "c2", "c3"]
    assert [s["variables"] for s in sent] == [{"q": "a"}, {"q": "a", "after": "c1"}, {"q": "a", "after": "c2"}]


def test_cursor_paging_refuses_a_loop():
    clock = Clock()
    gql, _ = client(lambda body, n: (200, {"data": {"orders": {"pageInfo": {"hasNextPage": True, "endCursor": "same"},
                                                               "nodes": []}}}), clock)
    with pytest.raises(UnexpectedListing, match="same page"):
        list(gql.pages("{ x }", {}, GraphQLCursor("orders")))


JSONL = b"\n".join(json.dumps(line).encode() for line in [
    {"id": "gid://shopify/Order/1", "name": "#1001", "refunds": [{"id": "gid://shopify/Refund/9"}]},
    {"id": "gid://shopify/LineItem/11", "sku": "A", "__parentId": "gid://shopify/Order/1"},
    {"id": "gid://shopify/LineItem/12", "sku": "B", "__parentId": "gid://shopify/Order/1"},
    {"id": "gid://shopify/RefundLineItem/91", "quantity": 1, "__parentId": "gid://shopify/Refund/9"},
    {"id": "gid://shopify/Order/2", "name": "#1002"},
    {"id": "gid://shopify/ShippingLine/21", "title": "Post", "__parentId": "gid://shopify/Order/2"},
]) + b"\n"


def test_reassemble_puts_children_under_their_parent_in_the_paged_shape():
    fields = {"LineItem": "lineItems", "ShippingLine": "shippingLines", "RefundLineItem": "refundLineItems"}
    orders = list(reassemble((json.loads(line) for line in JSONL.splitlines()), fields))
    assert [o["name"] for o in orders] == ["#1001", "#1002"]
    assert [i["sku"] for i in orders[0]["lineItems"]["nodes"]] == ["A", "B"]
    assert orders[0]["refunds"][0]["refundLineItems"]["nodes"][0]["quantity"] == 1
    assert orders[1]["shippingLines"]["nodes"][0]["title"] == "Post"
    assert "__parentId" not in orders[0]["lineItems"]["nodes"][0]


def test_reassemble_hands_over_an_orphan_rather_than_losing_it():
    lines = [{"id": "gid://shopify/LineItem/1", "__parentId": "gid://shopify/Order/404"}]
    assert list(reassemble(lines, {}))[0]["__orphan"] is True


def bulk_server(statuses: list[str], url: str | None = "https://storage.test/result.jsonl"):
    def replies(body, n):
        if "bulkOperationRunQuery" in body["query"]:
            return 200, {"data": {"bulkOperationRunQuery": {"bulkOperation": {"id": "gid://shopify/BulkOperation/5",
                                                                              "status": "CREATED"}, "userErrors": []}}}
        status = statuses.pop(0)
        return 200, {"data": {"node": {"id": body["variables"]["id"], "status": status, "errorCode": None,
                                       "objectCount": "6", "url": url if status == "COMPLETED" else None}}}
    return replies


def test_a_bulk_export_is_run_polled_with_growing_pauses_and_its_file_read():
    clock = Clock()
    gql, sent = client(bulk_server(["CREATED", "RUNNING", "RUNNING", "COMPLETED"]), clock)
    downloads = []
    export = BulkExport(gql, lambda url: downloads.append(url) or JSONL, first_poll=1.0, max_poll=3.0,
                        clock=clock, sleep=clock.sleep)
    lines = list(export.run("{ orders { edges { node { id } } } }"))
    assert len(lines) == 6 and lines[1]["__parentId"] == "gid://shopify/Order/1"
    assert clock.slept == [1.0, 2.0, 3.0] and export.polls == 4
    assert downloads == ["https://storage.test/result.jsonl"]
    assert sent[0]["variables"]["query"].startswith("{ orders")


def test_a_bulk_export_that_matched_nothing_has_no_file():
    clock = Clock()
    gql, _ = client(bulk_server(["COMPLETED"], url=None), clock)
    assert list(BulkExport(gql, lambda url: pytest.fail("nothing to download"), clock=clock,
                           sleep=clock.sleep).run("{ x }")) == []


def test_a_failed_or_endless_bulk_export_fails_clearly():
    clock = Clock()
    gql, _ = client(bulk_server(["RUNNING", "FAILED"]), clock)
    with pytest.raises(BulkFailed, match="ended FAILED"):
        list(BulkExport(gql, lambda url: b"", clock=clock, sleep=clock.sleep).run("{ x }"))
    gql, _ = client(bulk_server(["RUNNING"] * 100), clock)
    with pytest.raises(BulkFailed, match="did not finish within 10 s"):
        list(BulkExport(gql, lambda url: b"", deadline=10, clock=clock, sleep=clock.sleep).run("{ x }"))


def test_a_refused_bulk_query_names_the_services_reason():
    clock = Clock()
    gql, _ = client(lambda body, n: (200, {"data": {"bulkOperationRunQuery": {
        "bulkOperation": None, "userErrors": [{"field": ["query"], "message": "A bulk query is already running"}]}}}),
        clock)
    with pytest.raises(GraphQLError, match="already running"):
        list(BulkExport(gql, lambda url: b"", clock=clock, sleep=clock.sleep).run("{ x }"))


def test_a_bulk_file_line_that_is_not_json_fails_the_export():
    clock = Clock()
    gql, _ = client(bulk_server(["COMPLETED"]), clock)
    with pytest.raises(BulkFailed, match="line 2"):
        list(BulkExport(gql, lambda url: b'{"id": 1}\n{oops\n', clock=clock, sleep=clock.sleep).run("{ x }"))
