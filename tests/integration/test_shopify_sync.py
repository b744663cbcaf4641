"""The Shopify stream over real HTTP against flowtui's Shopify sandbox: exact digests, later nights posted as
adjustments, throttling, 5xx, bulk equal to paged, wrong token."""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from flowtui.connectors.shopify import client as shopify
from flowtui.engine.setup.streams import StreamSettings
from flowtui.sandbox.shopify import ShopifySandbox
from tests.cli_helpers import Cli

KL = ZoneInfo("Asia/Kuala_Lumpur")
END = date(2026, 10, 14)
START = END - timedelta(days=6)
PAID, UNPAID = ("SALE", "CAPTURE"), ("PENDING", "AUTHORIZED", "EXPIRED")


@pytest.fixture(autouse=True)
def morning_after(monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")


@pytest.fixture
def box():
    with ShopifySandbox(seed=3, days=10, end_date=END, restore_rate=1_000_000) as sandbox:
        yield sandbox


def connect(flow, box, name="Shop", token=None, start=START):
    flow.init()
    flow.add_stream(name, "shopify", {"shop": box.shop_domain, "access_token": token or box.token,
                                      "base_url": box.base_url}, StreamSettings(start_date=start), force=True)
    for location in box.locations():
        store_id = location["id"].rsplit("/", 1)[1]
        if location["name"] not in {loc.name for loc in flow.locations()}:
            flow.add_location(location["name"])
        flow.map_location(name, store_id, location["name"])
    if "Online" not in {loc.name for loc in flow.locations()}:
        flow.add_location("Online")
    flow.map_location(name, "online", "Online")
    for gateway in {t["gateway"] for o in box.orders() for t in o["transactions"]}:
        flow.map_payment(name, gateway, "1030")


def _day(instant: str) -> date:
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(KL).date()


def _amount(bag) -> Decimal:
    return Decimal(bag["shopMoney"]["amount"])


def _cash(transaction) -> Decimal:
    """The money that changed hands: a cash transaction's amount plus Shopify POS's cash rounding."""
    rounding = transaction.get("amountRoundingSet")
    return _amount(transaction["amountSet"]) + (_amount(rounding) if rounding else 0)


def _rounding(transactions) -> Decimal:
    return sum((_amount(t["amountRoundingSet"]) for t in transactions if t.get("amountRoundingSet")), Decimal(0))


def _store(order) -> str:
    return order["retailLocation"]["id"].rsplit("/", 1)[1] if order.get("retailLocation") else "online"


def expected(box, first: date, last: date) -> dict:
    """Per (store, day): payments per gateway, tax and quantities per SKU, worked out from the sandbox's own orders."""
    out: dict = defaultdict(lambda: {"pay": defaultdict(Decimal), "tax": Decimal(0), "qty": defaultdict(Decimal),
                                     "rounding": Decimal(0), "orders": 0, "returns": 0})
    for order in box.orders():
        paid = [t for t in order["transactions"] if t["kind"] in PAID and t["status"] == "SUCCESS"]
        if order["test"] or order["displayFinancialStatus"] == "VOIDED" or (
                order["displayFinancialStatus"] in UNPAID and not paid):
            continue
        day = _day(order["processedAt"])
        if first <= day <= last:
            got = out[(_store(order), day)]
            got["orders"] += 1
            got["tax"] += _amount(order["totalTaxSet"])
            got["rounding"] += _rounding(paid)
            for t in paid:
                got["pay"][t["gateway"]] += _cash(t)
            for line in order["lineItems"]:
                if not line.get("_tip"):  # the tip's line item is the tip, not an item sold
                    got["qty"][line["sku"] or line["name"]] += line["quantity"]
        for refund in order["refunds"]:
            back = [t for t in refund["transactions"] if t["kind"] == "REFUND" and t["status"] == "SUCCESS"]
            day = _day(refund["createdAt"])
            if not back or not first <= day <= last:
                continue
            got = out[(_store(order), day)]
            got["returns"] += 1
            got["tax"] -= sum(_amount(i["totalTaxSet"]) for i in refund["refundLineItems"]) + sum(
                _amount(s["taxAmountSet"]) for s in refund["refundShippingLines"])
            got["rounding"] -= _rounding(back)
            for t in back:
                got["pay"][t["gateway"]] -= _cash(t)
            for item in refund["refundLineItems"]:
                if not item["lineItem"].get("_tip"):
                    got["qty"][item["lineItem"]["sku"] or item["lineItem"]["name"]] -= item["quantity"]
            if not refund["refundLineItems"] and not refund["refundShippingLines"]:
                got["qty"]["SHOPIFY-REFUND"] -= 1
    return out


def assert_digests_match(flow, box, first: date, last: date) -> None:
    want = expected(box, first, last)
    seen = set()
    for row in flow.digests():
        if not first <= row.date <= last:
            continue
        key = (row.pos_store_id, row.date)
        seen.add(key)
        detail = flow.digest(row.id)
        wanted = want[key]
        assert (row.order_count, row.return_count) == (wanted["orders"], wanted["returns"]), key
        assert {m: a for m, a in detail.payments if a} == {m: a for m, a in wanted["pay"].items() if a}, key
        assert detail.summary["tax"] == wanted["tax"], key
        assert detail.summary["rounding"] == wanted["rounding"], key
        assert {i.sku: i.quantity for i in detail.items if i.quantity} == {
            s: q for s, q in wanted["qty"].items() if q}, key
    assert seen == {k for k, v in want.items() if v["orders"] or v["returns"]}


def test_a_sync_lands_every_day_to_the_sen_per_store_gateway_tax_and_item(flow, box):
    connect(flow, box)
    [outcome] = flow.sync(["Shop"], start=START, end=END)
    assert not outcome.failed, outcome.error
    assert outcome.landing.rejected == 0, [r.errors for r in outcome.landing.rejections]
    assert any("test order" in w for w in outcome.warnings)
    assert_digests_match(flow, box, START, END)
    days = {(r.pos_store_id, r.date) for r in flow.digests()}
    assert {s for s, _ in days} >= {"online"} and len({s for s, _ in days}) == 3  # two POS locations and online


def test_refunds_and_cancellations_of_a_posted_day_post_as_documents_and_the_ledger_equals_the_source(
        flow, box, db_path, monkeypatch):
    connect(flow, box)
    flow.sync(["Shop"], start=START, end=END)
    first = flow.post(everything=True)
    assert first and all(o.status == "posted" for o in first), [o.reasons for o in first if o.reasons]
    night = box.next_night()
    assert night["changed"]  # refunds and captures of orders already landed
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-16T01:00:00Z")
    [outcome] = flow.sync(["Shop"])
    assert not outcome.failed and outcome.landing.rejected == 0, outcome.error
    flow.post(everything=True)
    result = Cli(db_path)("reconcile", "--json")
    assert result.code == 0, [d["differences"] for d in result.json() if not d["agrees"]]
    assert_digests_match(flow, box, START, END + timedelta(days=1))
    with flow.db.read() as con:  # a refund of an order of a posted day: a credit note linked to that day's invoice
        linked = con.execute(
            "SELECT d.linked_document_id IS NOT NULL FROM documents d JOIN posted_orders po ON po.posting_id = d.posting_id "
            "WHERE po.order_id LIKE 'refund-%' AND d.kind = 'credit_note'").fetchall()
    assert linked and all(row == (True,) for row in linked)


def test_a_bulk_backfill_lands_what_the_paged_sync_lands(flow, box, monkeypatch):
    connect(flow, box, "Paged")
    flow.sync(["Paged"], start=START, end=END)
    monkeypatch.setattr(shopify, "BULK_AFTER_DAYS", 0)
    connect(flow, box, "Bulk")
    [outcome] = flow.sync(["Bulk"], start=START, end=END)
    assert not outcome.failed, outcome.error
    assert box.bulk.find("gid://shopify/BulkOperation/1000001") is not None  # it did run one
    with flow.db.read() as con:
        def landed(stream):
            return sorted(con.execute(
                "SELECT o.order_id, o.business_date, o.type, o.status, o.total, o.tax FROM orders o "
                "JOIN streams s ON s.id = o.stream_id WHERE s.name = ?", [stream]).fetchall())
        assert landed("Bulk") == landed("Paged") and landed("Paged")


def test_throttling_waits_for_the_bucket_and_never_fails(flow, monkeypatch):
    with ShopifySandbox(seed=3, days=3, end_date=END, bucket_size=1000, restore_rate=2000) as box:
        connect(flow, box, start=END - timedelta(days=2))
        box.bucket.drain()
        [outcome] = flow.sync(["Shop"], start=END - timedelta(days=2), end=END)
        assert not outcome.failed, outcome.error
        assert_digests_match(flow, box, END - timedelta(days=2), END)
        statuses = [status for _path, status, _cost in box.request_log]
        assert statuses.count(200) == len(statuses)
        throttled = [cost for _path, _status, cost in box.request_log if cost and cost.get("actualQueryCost") is None]
        assert throttled  # it was THROTTLED, waited for the bucket, and carried on


def test_a_5xx_every_few_requests_is_asked_again(flow, monkeypatch):
    monkeypatch.setattr("flowtui.connectors.http.retry.RetryPolicy.base", 0.01)
    with ShopifySandbox(seed=3, days=3, end_date=END, restore_rate=1_000_000, fail_every=3) as box:
        connect(flow, box, start=END - timedelta(days=2))
        [outcome] = flow.sync(["Shop"], start=END - timedelta(days=2), end=END)
        assert not outcome.failed, outcome.error
        assert 503 in [status for _path, status, _cost in box.request_log]
        assert_digests_match(flow, box, END - timedelta(days=2), END)


def test_a_wrong_token_fails_test_and_sync_with_one_clear_line(flow, box, db_path):
    connect(flow, box, token="shpat_wrong")
    cli = Cli(db_path)
    for args in (("stream", "test", "Shop"), ("sync", "Shop")):
        result = cli(*args)
        assert result.code == 1
        assert "Shopify refused the credentials (401)" in result.err and "access token" in result.err
        assert "Traceback" not in result.err and "shpat_wrong" not in result.out + result.err
    assert not flow.digests()


def test_stream_add_test_and_stores_through_the_cli(box, db_path):
    cli = Cli(db_path)
    cli.ok("init")
    os.environ["SHOP_TOKEN"] = box.token
    try:
        cli.ok("stream", "add", "Shop", "--provider", "shopify", "--shop", box.shop_domain, "--access-token-env",
               "SHOP_TOKEN", "--base-url", box.base_url, "--start-date", str(START))
        assert "Kedai Kopi Kita" in cli.ok("stream", "test", "Shop").out and "MYR" in cli.ok("stream", "test", "Shop").out
        stores = cli.json("stream", "stores", "Shop")
        assert {s["id"] for s in stores} == {"71234560001", "71234560002", "online"}
    finally:
        del os.environ["SHOP_TOKEN"]


def test_a_cash_order_shopify_pos_rounded_lands_with_its_rounding_and_the_digest_sums_it(flow, box):
    connect(flow, box)
    [outcome] = flow.sync(["Shop"], start=START, end=END)
    assert outcome.landing.rejected == 0, [r.errors for r in outcome.landing.rejections]
    rounded = [o for o in box.orders() if not o["test"] and START <= _day(o["processedAt"]) <= END
               and _rounding(o["transactions"]) and not o["refunds"]]
    assert rounded, "the sandbox rounds some cash payments"
    digests = {(r.pos_store_id, r.date): r.id for r in flow.digests()}
    for shop_order in rounded[:5]:
        paid = [t for t in shop_order["transactions"] if t["kind"] in PAID and t["status"] == "SUCCESS"]
        landed = flow.order(digests[(_store(shop_order), _day(shop_order["processedAt"]))],
                            shop_order["id"].rsplit("/", 1)[1])
        assert landed.rounding == _rounding(paid) != 0
        assert landed.total == _amount(shop_order["totalPriceSet"]) + _rounding(paid)
        assert sum(Decimal(str(p["amount"])) for p in landed.payments) == sum(_cash(t) for t in paid)
    assert any(flow.digest(d).summary["rounding"] for d in digests.values())
