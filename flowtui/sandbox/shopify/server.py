"""A local Shopify GraphQL Admin API: generated orders, Shopify's limits and failures.

    with ShopifySandbox(seed=1, days=14) as shop:     # starts on a free port of 127.0.0.1
        httpx.post(shop.graphql_url, headers={"X-Shopify-Access-Token": shop.token}, json={"query": "{ shop { name } }"})

It answers ``POST /admin/api/{version}/graphql.json`` like Shopify: ``X-Shopify-Access-Token`` (else 401), the
calculated query cost and its leaky bucket in ``extensions.cost`` (``THROTTLED`` when the bucket is short, 200 as
Shopify), ``MAX_COST_EXCEEDED`` over 1000 points, pages of at most 250, bulk query operations whose JSONL is served
at ``/bulk-operation-results/{n}.jsonl``. Knobs for tests, changeable while it runs: ``fail_every`` (every Nth
request answers 503), ``read_all_orders`` (without that scope ``orders`` lists the last 60 days only), ``bucket``
(``bucket.drain()``, ``bucket.clock``), ``bulk.seconds``, ``bulk.fail_next``, ``bulk.finish()``, ``add_order()``;
``next_night()`` moves "now" one local day on: that day's orders, and the refunds and cancellations made that day;
``refund()`` and ``cancel()`` make one at the source.

The package: this module (the data it holds, its lifecycle), :mod:`.answers` (a request, as Shopify answers it),
:mod:`.api` (the schema and its resolvers), :mod:`.cost`
(query cost, the bucket), :mod:`.bulk` (bulk operations), :mod:`.data` (generated orders), :mod:`.run` (the command).
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from zoneinfo import ZoneInfo

from graphql import DocumentNode

from flowtui.engine.core.clock import iso_utc
from flowtui.sandbox.serving import Served
from flowtui.sandbox.shopify.answers import Answering, Handler
from flowtui.sandbox.shopify.api import load_schema
from flowtui.sandbox.shopify.bulk import BulkOperations
from flowtui.sandbox.shopify.cost import Bucket
from flowtui.sandbox.shopify.data import LOCATIONS, MYT, SHOP, Ids, Made, OrderMaker, as_of, location


class ShopifySandbox(Served, Answering):
    """Generated Shopify orders for ``days`` local days ending ``end_date``, served over HTTP on demand."""

    HANDLER = Handler
    THREAD_NAME = "shopify-sandbox"

    def __init__(self, seed: int = 1, days: int = 14, end_date: date | None = None, token: str = "shpat_sandbox",
                 api_version: str = "2025-07", bucket_size: float = 2000.0, restore_rate: float = 100.0,
                 fail_every: int | None = None, read_all_orders: bool = True) -> None:
        if end_date is None:
            from flowtui.engine.core.clock import today_in  # honours FLOWTUI_NOW

            end_date = today_in(MYT) - timedelta(days=1)
        self.seed, self.days, self.token, self.api_version = seed, days, token, api_version
        self.start_date, self.end_date = end_date - timedelta(days=days - 1), end_date
        self.fail_every, self.read_all_orders = fail_every, read_all_orders
        self.clock = time.monotonic
        self.bucket = Bucket(bucket_size, restore_rate)
        self.bulk = BulkOperations(self)
        self.schema = load_schema()
        self.requests = 0
        self.request_log: list[tuple[str, int, dict | None]] = []  # (path, status, extensions.cost)
        self._init_serving()
        self.nights = 0
        self._parsed: dict[str, tuple[DocumentNode | None, list]] = {}
        opened = datetime.combine(self.start_date - timedelta(days=400), dtime(9), ZoneInfo(MYT))
        self._locations = [location(number, name, city, opened) for number, name, city in LOCATIONS]
        self._ids = Ids()
        self._maker = OrderMaker(seed, self._locations, self._ids)
        self._made: list[Made] = []
        self._manual: list[dict] = []
        self._manual_refunds = 0
        for n in range(days):
            self._add_day(self.start_date + timedelta(days=n))
        self._refresh()

    # -- data ---------------------------------------------------------------------------------------
    def _add_day(self, day: date) -> None:
        made = self._maker.day(day)
        for m in made:
            m.order["name"] = f"#{1001 + len(self._made)}"
            self._made.append(m)

    def _refresh(self) -> None:
        """What the API shows: everything up to the end of ``end_date`` (local), seen from then."""
        instant = datetime.combine(self.end_date + timedelta(days=1), dtime(0), ZoneInfo(MYT)) - timedelta(seconds=1)
        with self._lock:
            self._visible = [as_of(m, instant) for m in self._made if m.processed <= instant] + self._manual
            self._index: dict[str, dict] = {loc["id"]: loc for loc in self._locations}
            for order in self._visible:
                self._index[order["id"]] = order
                for item in order["lineItems"]:
                    self._index[item["id"]] = item
                for refund in order["refunds"]:
                    self._index[refund["id"]] = refund
                for txn in order["transactions"]:
                    self._index[txn["id"]] = txn

    def add_order(self, order: dict) -> dict:
        """Add (or, for a known ``id``, replace) an order in the API's shape, served exactly as given.

        Missing keys take harmless defaults; nothing is checked, so tests can plant hostile orders on purpose.
        """
        with self._lock:
            self._manual = [o for o in self._manual if o["id"] != order.get("id")]
            number = 6_109_000_000 + len(self._manual) + 1
            defaults: dict = {"id": f"gid://shopify/Order/{number}", "name": f"#9{len(self._manual) + 1:03d}",
                        "lineItems": [], "shippingLines": [], "transactions": [], "refunds": [], "taxLines": [],
                        "paymentGatewayNames": [], "retailLocation": None, "test": False, "taxesIncluded": False}
            self._manual.append({**defaults, **order})
            self._refresh()
            return self._manual[-1]

    def refund(self, order_id: str, at: datetime | None = None, full: bool = False, amount: Decimal | None = None) -> dict:
        """Refund an order at the source: one line (part of its quantity), every line and shipping (``full``), or an
        ``amount`` with no line; at ``at`` (default: an hour before the end of ``end_date``). Returns the order."""
        with self._lock:
            made = self._made_of(order_id)
            self._manual_refunds += 1
            rng = random.Random(f"{self.seed}:refund:{self._manual_refunds}")
            self._maker.refund(rng, made, self._when(made, at), full=full,
                               amount_only=int(amount * 100) if amount is not None else 0)
            self._refresh()
            return self._index[order_id]

    def cancel(self, order_id: str, at: datetime | None = None) -> dict:
        """Cancel a paid order at the source: everything goes back (tip included), as Shopify's cancel-and-refund."""
        with self._lock:
            made = self._made_of(order_id)
            self._manual_refunds += 1
            at = self._when(made, at)
            self._maker.refund(random.Random(f"{self.seed}:cancel:{self._manual_refunds}"), made, at, full=True,
                               restock="CANCEL")
            made.cancelled, made.cancel_status = at, "REFUNDED"
            self._refresh()
            return self._index[order_id]

    def _made_of(self, order_id: str) -> Made:
        made = next((m for m in self._made if m.order["id"] == order_id), None)
        if made is None:
            raise KeyError(order_id)
        return made

    def _when(self, made: Made, at: datetime | None) -> datetime:
        end = datetime.combine(self.end_date + timedelta(days=1), dtime(0), ZoneInfo(MYT)) - timedelta(hours=1)
        return at or max(end, made.processed + timedelta(minutes=1))

    def shop(self) -> dict:
        return dict(SHOP)

    def locations(self) -> list[dict]:
        return list(self._locations)

    def orders(self) -> list[dict]:
        """Every order the API shows (test orders and cancelled ones included), by ``processedAt``."""
        with self._lock:
            return list(self._visible)

    def readable_orders(self) -> list[dict]:
        """What ``orders`` lists: without the ``read_all_orders`` scope, only the last 60 days (by ``createdAt``)."""
        orders = self.orders()
        if self.read_all_orders:
            return orders
        since = iso_utc(datetime.combine(self.end_date + timedelta(days=1), dtime(0), ZoneInfo(MYT)) - timedelta(days=60))
        return [o for o in orders if o["createdAt"] >= since]

    def find(self, gid: str) -> dict | None:
        if "/BulkOperation/" in gid:
            return self.bulk.find(gid)
        with self._lock:
            return self._index.get(gid)

    def next_night(self) -> dict:
        """One local day on: that day's orders appear, and the refunds and cancellations made on it."""
        with self._lock:
            before = {o["id"]: o["updatedAt"] for o in self._visible}
            self.nights += 1
            self.end_date += timedelta(days=1)
            self._add_day(self.end_date)
            self._refresh()
            changed = [o["name"] for o in self._visible if o["id"] in before and before[o["id"]] != o["updatedAt"]]
            added = sum(1 for o in self._visible if o["id"] not in before)
            return {"night": self.nights, "end_date": self.end_date.isoformat(), "added": added, "changed": changed}

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/admin/api/{self.api_version}/graphql.json"

    @property
    def shop_domain(self) -> str:
        return str(SHOP["myshopifyDomain"])
