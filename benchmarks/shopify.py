"""Shopify benchmark: orders parsed and landed per second from the sandbox's replies, and what a 30-day backfill asks.

* **Parse + land**: a 30-day shop is read from the sandbox once, whole (pages, refunds filled in), and its orders
  written back as page replies (JSON bytes, as Shopify sends them); copies with other ids make ~40,000 orders.
  Timed: decoding each reply, mapping its orders (sales and returns) to canonical JSON, and landing them in
  batches into a fresh database — what a sync costs per order besides the network.
* **Backfill**: the same 30 days synced as a bulk export and as pages, counting the requests each used against
  the fewest they could (one per page of 6 orders, or run + poll + download; plus the locations and one per 6
  refunds), and the query points the pages cost: at Shopify's Standard plan (100 points/s) that is the time the
  paged backfill must take, which the bulk export does not pay.
"""

from __future__ import annotations

import math
import time
from datetime import date, timedelta
from pathlib import Path

END = date(2026, 10, 14)
DAYS = 30
COPIES = 40


def _shop(days: int = DAYS):
    from flowtui.sandbox.shopify import ShopifySandbox

    return ShopifySandbox(seed=11, days=days, end_date=END, restore_rate=1_000_000)


def _connector(box, bulk: bool):
    from flowtui.connectors.shopify.client import ShopifyConnector

    return ShopifyConnector(box.shop_domain, box.token, box.base_url, today=END + timedelta(days=1),
                            bulk_after_days=0 if bulk else 10**6)


def _orders(box) -> list[dict]:
    """Every order of the shop, whole, as the connector reads them (pages, then their refunds)."""
    connector = _connector(box, bulk=False)
    with connector._http() as http:
        gql = connector._graphql(http)
        search = f"updated_at:>='{(END - timedelta(days=DAYS)).isoformat()}T00:00:00Z'"
        return list(connector._paged(gql, search))


def _replies(orders: list[dict], copies: int) -> list[bytes]:
    """Page replies of 6 orders, ``copies`` times over with other ids (each copy its own orders and refunds)."""
    import orjson

    from flowtui.connectors.shopify.queries import ORDERS_PER_PAGE

    pages = [orjson.dumps({"data": {"orders": {"nodes": orders[i:i + ORDERS_PER_PAGE]}}})
             for i in range(0, len(orders), ORDERS_PER_PAGE)]
    out = []
    for copy in range(copies):
        for page in pages:
            out.append(page.replace(b"gid://shopify/Order/", b"gid://shopify/Order/%d" % (copy + 1))
                       .replace(b"gid://shopify/Refund/", b"gid://shopify/Refund/%d" % (copy + 1)))
    return out


def pipeline(work: Path) -> dict:
    """Decode, map and land the replies as a sync does (batches of 2,000 Shopify orders)."""
    import os

    import orjson

    os.environ["FLOWTUI_NOW"] = "2026-10-15T01:00:00Z"
    from flowtui.connectors.base import Window
    from flowtui.connectors.shopify.client import BATCH_ORDERS, _Batch
    from flowtui.connectors.shopify.mapping import map_order, skipped
    from flowtui.engine.pipeline.sync import land, landing_units

    with _shop() as box:
        orders = _orders(box)
    replies = _replies(orders, COPIES)
    from benchmarks.storehub import _books

    db = _books(work / "shopify-pipeline.duckdb")
    counted = {"shopify": 0, "entries": 0, "mapping": 0.0}

    def batches():
        batch = _Batch(stores=[])
        for reply in replies:
            started = time.perf_counter()
            for order in orjson.loads(reply)["data"]["orders"]["nodes"]:
                if skipped(order):
                    continue
                counted["shopify"] += 1
                batch.add(map_order(order))
            counted["mapping"] += time.perf_counter() - started
            if batch.count >= BATCH_ORDERS:
                taken = batch.take()
                counted["entries"] += len(taken)
                yield taken
        taken = batch.take()
        counted["entries"] += len(taken)
        yield taken

    started = time.perf_counter()
    for unit in landing_units(batches()):
        land(db, 1, unit, Window(), "Asia/Kuala_Lumpur", None)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "orders": counted["shopify"], "entries": counted["entries"],
            "mapping": counted["mapping"], "bytes": sum(map(len, replies))}


def backfill() -> dict:
    """The 30 days as one bulk export and as pages: requests used, the fewest possible, query points."""
    from flowtui.connectors.base import Window
    from flowtui.connectors.shopify.mapping import skipped
    from flowtui.connectors.shopify.queries import ORDERS_PER_PAGE, REFUNDS_PER_QUERY

    since = END - timedelta(days=DAYS - 1)
    out: dict = {}
    with _shop() as box:
        visible = [o for o in box.orders() if o["updatedAt"] >= f"{since - timedelta(days=1)}"]
        refunds = sum(len(o["refunds"]) for o in visible if not skipped(o))
        for kind in ("bulk", "paged"):
            connector = _connector(box, bulk=kind == "bulk")
            logged = len(box.request_log)
            started = time.perf_counter()
            entries = sum(len(b) for b in connector.fetch(Window(since, None, updated_since=since)))
            costs = [c for _p, _s, c in box.request_log[logged:] if c]
            out[kind] = {"requests": connector.stats.requests, "entries": entries,
                         "seconds": time.perf_counter() - started,
                         "points": sum((c.get("actualQueryCost") or 0) for c in costs)}
        least_refunds = math.ceil(refunds / REFUNDS_PER_QUERY)
        out["bulk"]["least"] = 1 + 3 + least_refunds  # locations; run, one poll, the file; the refunds
        out["paged"]["least"] = 1 + math.ceil(len(visible) / ORDERS_PER_PAGE) + least_refunds
        out["orders"], out["refunds"] = len(visible), refunds
    return out
