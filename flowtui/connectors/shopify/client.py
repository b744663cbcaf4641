"""The Shopify stream: a shop's orders over the GraphQL Admin API.

* one POST endpoint, ``{base}/admin/api/{version}/graphql.json``, the token in ``X-Shopify-Access-Token``
  (never in a URL, never logged);
* the shop's cost bucket, one per shop in the process, taken before each query and set from each reply's
  ``throttleStatus``; THROTTLED waited out (the toolkit's :mod:`~flowtui.connectors.http.graphql`);
* 429 and 5xx asked again with jittered backoff, 401/403 failing at once, every request within a deadline
  (the toolkit's :class:`~flowtui.connectors.http.HttpClient`);
* what changed since the window's ``updated_since`` (less a day: time zones), sorted by ``UPDATED_AT``, read in
  pages of :data:`~.queries.ORDERS_PER_PAGE`; a range of more than :data:`BULK_AFTER_DAYS` days (a first sync,
  a backfill) is one bulk export instead (:mod:`~flowtui.connectors.http.bulk`), which pays no query cost
  and escapes the 25,000-object paging cap;
* an order with more line items than a page holds is read again alone, whole.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any, cast

import httpx
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from flowtui.connectors.base import OrderBatch, SourceError, SourceStore, Window
from flowtui.connectors.http import (
    BulkExport,
    CostBucket,
    CredentialsRefused,
    Deadlines,
    GraphQLAccessDenied,
    GraphQLClient,
    GraphQLCursor,
    GraphQLError,
    HttpClient,
    HttpError,
    RequestStats,
    open_http,
    reassemble,
    shared_limiter,
)
from flowtui.connectors.shopify import fast, queries
from flowtui.connectors.shopify.mapping import ONLINE, ONLINE_NAME, Entry, is_test, map_order, numeric_id, skipped, truncated
from flowtui.engine.core import clock

API_VERSION = "2026-10"
BULK_AFTER_DAYS = 30
ALL_ORDERS_DAYS = 60  # orders older than this are listed only with the read_all_orders scope
BATCH_ORDERS = 2000  # Shopify orders handed over per batch (each gives a sale and its returns)
CREDENTIALS_HINT = "check the shop domain and the Admin API access token (Settings > Apps > Develop apps)"
ACCESS_HINT = "give the app the read_orders and read_locations scopes (read_all_orders for orders over 60 days)"

#: Every Shopify request of the process, counted (the benchmark reads them).
STATS = RequestStats()


class ShopifyError(SourceError):
    """Shopify could not be read; the message says why and what to do."""


class GraphQLUndefined(Exception):
    """The server has no such field (a Shopify-compatible one may lack ``nodes(ids:)``)."""


#: the error codes of a query naming a field the server does not have (Shopify's, and graphql-core's validation)
UNDEFINED = frozenset({"undefinedField", "GRAPHQL_VALIDATION_FAILED", "fieldNotDefined"})


def _first_bucket() -> CostBucket:
    """Shopify's Standard plan until the first reply says otherwise (``observe`` then sets the real figures)."""
    return CostBucket(1000.0, 50.0)


@dataclass
class ShopifyConnector:
    shop: str
    token: str
    base_url: str
    api_version: str = API_VERSION
    transport: httpx.BaseTransport | None = None  # tests plug a fake server in here
    bulk_after_days: int | None = None  # None: BULK_AFTER_DAYS
    deadlines: Deadlines = field(default_factory=Deadlines)
    provider: str = "shopify"
    stats: RequestStats = field(default_factory=lambda: RequestStats(parent=STATS))
    today: date | None = None  # None: today in UTC (tests pin it)

    def __repr__(self) -> str:  # never show the token
        return f"ShopifyConnector(shop={self.shop!r}, base_url={self.base_url!r}, api_version={self.api_version!r})"

    @property
    def endpoint(self) -> str:
        return f"/admin/api/{self.api_version}/graphql.json"

    def _http(self) -> HttpClient:
        return HttpClient(open_http(self.base_url, headers={"X-Shopify-Access-Token": self.token},
                                    transport=self.transport),
                          service="Shopify", credentials_hint=CREDENTIALS_HINT, deadlines=self.deadlines,
                          stats=self.stats)

    def _graphql(self, http: HttpClient) -> GraphQLClient:
        bucket = cast(CostBucket, shared_limiter(("shopify", self.base_url.lower(), self.shop.lower()), _first_bucket))
        return GraphQLClient(http, self.endpoint, bucket=bucket, access_hint=ACCESS_HINT)

    def _ask(self, gql: GraphQLClient, text: str, variables: dict | None = None, *, plain: bool = True) -> dict:
        """The query's data; a ShopifyError saying why not (``plain=False``: a field the server does not have is
        :class:`GraphQLUndefined`, for the caller to ask another way)."""
        try:
            return gql.query(text, variables)
        except (CredentialsRefused, GraphQLAccessDenied) as exc:
            raise ShopifyError(str(exc)) from None
        except GraphQLError as exc:
            if not plain and any(code in UNDEFINED for code in exc.codes):
                raise GraphQLUndefined(str(exc)) from None
            raise ShopifyError(str(exc)) from None
        except HttpError as exc:
            raise ShopifyError(str(exc)) from None

    # -- what the engine asks ----------------------------------------------------------------
    def test(self) -> str:
        try:
            with self._http() as http:
                shop = self._ask(self._graphql(http), queries.SHOP).get("shop") or {}
        except ShopifyError as exc:
            raise ShopifyError(f"The test failed: {exc}") from None
        return (f"Connected to Shopify shop {shop.get('name') or self.shop} ({shop.get('myshopifyDomain') or self.shop}):"
                f" currency {shop.get('currencyCode') or '?'}, time zone {shop.get('ianaTimezone') or '?'}")

    def stores(self) -> list[SourceStore]:
        with self._http() as http:
            return self._stores(self._graphql(http))

    def _stores(self, gql: GraphQLClient) -> list[SourceStore]:
        found = []
        try:
            for page in gql.pages(queries.LOCATIONS, {}, GraphQLCursor("locations")):
                for location in (page.get("locations") or {}).get("nodes") or []:
                    ident = numeric_id(location.get("id")) if isinstance(location, dict) else None
                    if ident:
                        found.append(SourceStore(ident, location.get("name") or None))
        except (CredentialsRefused, HttpError) as exc:
            raise ShopifyError(str(exc)) from None
        return found + [SourceStore(ONLINE, ONLINE_NAME)]

    def fetch(self, window: Window) -> Iterator[OrderBatch]:
        since = window.updated_since or window.start
        if since is None:
            raise ShopifyError("A Shopify sync needs a start date (`flowtui stream set NAME --start-date D`).")
        try:
            yield from self._fetch(since)
        except ShopifyError as exc:
            raise ShopifyError(f"{exc} The sync stopped; the next one starts again from the same day.") from None
        except HttpError as exc:
            raise ShopifyError(f"{exc} The sync stopped; the next one starts again from the same day.") from None

    def _fetch(self, since: date) -> Iterator[OrderBatch]:
        search = f"updated_at:>='{(since - timedelta(days=1)).isoformat()}T00:00:00Z'"
        today = self.today or clock.now().astimezone(UTC).date()
        with self._http() as http:
            gql = self._graphql(http)
            stores = self._stores(gql)
            bulk = (today - since).days > (BULK_AFTER_DAYS if self.bulk_after_days is None else self.bulk_after_days)
            orders = self._bulk(gql, search) if bulk else self._paged(gql, search)
            tally = _Tally()
            batch = _Batch(stores=stores)
            for order in orders:
                why = skipped(order)
                if why is not None:
                    setattr(tally, why, getattr(tally, why) + 1)
                    continue
                tally.orders += 1
                batch.add(map_order(order))
                if batch.count >= BATCH_ORDERS:
                    yield batch.take()
            final = batch.take()
            if tally.test:
                final.warnings.append(f"skipped {tally.test:,} Shopify test order(s) (test: true): "
                                      "they are never booked")
            if tally.unpaid:
                final.warnings.append(f"{tally.unpaid:,} Shopify order(s) not paid yet (pending or only authorized): "
                                      "booked once Shopify captures their payment")
            if (today - since).days > ALL_ORDERS_DAYS:
                final.warnings.append(f"asked Shopify for orders changed since {since}: an app without the "
                                      f"read_all_orders scope is shown only the last {ALL_ORDERS_DAYS} days of orders")
            final.progress = 1.0
            yield final

    def _paged(self, gql: GraphQLClient, search: str) -> Iterator[dict]:
        variables = {"q": search, "first": queries.ORDERS_PER_PAGE}
        pages = gql.pages(queries.ORDERS, variables, GraphQLCursor("orders"))
        found = (order for page in pages for order in (page.get("orders") or {}).get("nodes") or [])
        yield from self._filled(gql, (self._whole(gql, o) if isinstance(o, dict) else {"__unreadable": o}
                                      for o in found))

    def _bulk(self, gql: GraphQLClient, search: str) -> Iterator[dict]:
        """The bulk export's orders, their refunds' lines and money read by id (a bulk query cannot hold them)."""
        export = BulkExport(gql, self._download, deadline=_seconds("FLOWTUI_SHOPIFY_BULK_DEADLINE", 3600.0))
        found = reassemble(export.run(queries.bulk_orders(search)), queries.BULK_CHILDREN)
        yield from self._filled(gql, (o for o in found if not o.get("__orphan")))  # an orphan: nothing to attach to

    def _filled(self, gql: GraphQLClient, orders: Iterator[dict]) -> Iterator[dict]:
        """``orders`` with their refunds filled in, held back until a query of refunds is full (or 250 orders)."""
        waiting: list[dict] = []
        for order in orders:
            waiting.append(order)
            if sum(len(_refunds(o)) for o in waiting) >= queries.REFUNDS_PER_QUERY or len(waiting) >= 250:
                yield from self._with_refunds(gql, waiting)
                waiting = []
        yield from self._with_refunds(gql, waiting)

    def _whole(self, gql: GraphQLClient, order: dict) -> dict:
        """``order`` with whatever its page could not carry read on its own (a test order is left as it is)."""
        if is_test(order) or not isinstance(order.get("id"), str):
            return order
        for part in ("lineItems", "shippingLines"):
            if truncated(order.get(part)):
                nodes: list = []
                paging = GraphQLCursor(f"order.{part}")
                for data in gql.pages(queries.order_part(part), {"id": order["id"]}, paging):
                    nodes.extend(((data.get("order") or {}).get(part) or {}).get("nodes") or [])
                order[part] = {"pageInfo": {"hasNextPage": False}, "nodes": nodes}
        for part, carried in (("transactions", queries.TRANSACTIONS), ("refunds", queries.REFUND_IDS)):
            if isinstance(order.get(part), list) and len(order[part]) >= carried:
                order[part] = (self._ask(gql, queries.order_part(part), {"id": order["id"]}).get("order") or {}).get(
                    part, order[part])
        return order

    def _with_refunds(self, gql: GraphQLClient, orders: list[dict]) -> list[dict]:
        """``orders`` with each refund's lines and money filled in, read ``REFUNDS_PER_QUERY`` at a time (through
        each order instead when the server has no ``nodes(ids:)``)."""
        wanted = [r["id"] for o in orders if not is_test(o) for r in _refunds(o) if isinstance(r.get("id"), str)]
        found: dict[str, dict] = {}
        try:
            for start in range(0, len(wanted), queries.REFUNDS_PER_QUERY):
                data = self._ask(gql, queries.REFUNDS, {"ids": wanted[start:start + queries.REFUNDS_PER_QUERY]},
                                 plain=False)
                for node in data.get("nodes") or []:
                    if isinstance(node, dict) and isinstance(node.get("id"), str):
                        if truncated(node.get("refundLineItems")):
                            node = (self._ask(gql, queries.REFUND_WHOLE, {"ids": [node["id"]]}).get("nodes")
                                    or [node])[0]
                        found[node["id"]] = node
        except GraphQLUndefined:
            for order in orders:
                if not is_test(order) and _refunds(order) and isinstance(order.get("id"), str):
                    data = self._ask(gql, queries.ORDER_REFUNDS, {"id": order["id"]}).get("order") or {}
                    found.update({r["id"]: r for r in _refunds(data) if isinstance(r.get("id"), str)})
        for order in orders:
            refunds = _refunds(order)
            if refunds:
                order["refunds"] = [{**r, **found.get(str(r.get("id")), {})} for r in refunds]
        return orders

    def _download(self, url: str) -> bytes:
        """A bulk result file: a plain GET without the shop's token (the file is on a storage host)."""
        parts = httpx.URL(url)
        origin = f"{parts.scheme}://{parts.netloc.decode()}"
        target = parts.raw_path.decode()
        http = HttpClient(open_http(origin, transport=self.transport), service="Shopify's bulk file host",
                          deadlines=Deadlines(reply=600.0, request=1200.0), stats=self.stats)
        with http:
            return cast(bytes, http.get(target, read=lambda content: content))


@dataclass
class _Tally:
    orders: int = 0
    test: int = 0
    unpaid: int = 0


@dataclass
class _Batch:
    stores: list[SourceStore]
    orders: list[bytes] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    raw: list[bytes | str] = field(default_factory=list)
    errors: list[str | None] = field(default_factory=list)
    count: int = 0

    sales: list[fast.Sale] = field(default_factory=list)  # the fast path's, handed over as typed columns
    typed: list[int | None] = field(default_factory=list)  # per entry: its place in ``sales``, or None (JSON)

    def add(self, entries: list[Entry]) -> None:
        self.count += 1
        for entry in entries:
            if type(entry.order) is fast.Sale and entry.error is None:
                self.typed.append(len(self.sales))
                self.sales.append(entry.order)
                self.orders.append(b"")
            else:
                self.typed.append(None)
                self.orders.append(orjson.dumps(entry.canonical))
            self.refs.append(entry.ref)
            self.raw.append(_raw(entry.raw))
            self.errors.append(entry.error)

    def take(self) -> OrderBatch:
        if self.sales:
            batch = OrderBatch(orders=[], columns=self._columns(), stores=self.stores)
        else:
            batch = OrderBatch(orders=self.orders, refs=self.refs, raw=self.raw, errors=self.errors, stores=self.stores)
        self.orders, self.refs, self.raw, self.errors, self.stores, self.count = [], [], [], [], [], 0
        self.sales, self.typed = [], []
        return batch

    def _columns(self) -> pa.Table:
        """The entries as landing's columns (``ref, payload, raw, pre_error, parsed``, as StoreHub's bulk reader
        hands them over): the fast path's sales typed, the rest as their canonical JSON."""
        parsed = pc.take(fast.columns(self.sales), pa.array(self.typed, pa.int64()))
        payloads = [None if place is not None else order.decode() for place, order in zip(self.typed, self.orders)]
        return pa.table({"ref": pa.array(self.refs, pa.string()), "payload": pa.array(payloads, pa.string()),
                         "raw": _texts(cast(list[bytes], self.raw)), "pre_error": pa.array(self.errors, pa.string()),
                         "parsed": parsed})


def _refunds(order: dict) -> list[dict]:
    refunds = order.get("refunds")
    return [r for r in refunds if isinstance(r, dict)] if isinstance(refunds, list) else []


def _texts(items: list[bytes]) -> pa.Array:
    """JSON texts (orjson's: UTF-8) as one Arrow string array, laid end to end without a copy each."""
    offsets = list(itertools.accumulate(map(len, items), initial=0))
    return pa.LargeStringArray.from_buffers(len(items), pa.array(offsets, pa.int64()).buffers()[1],
                                            pa.py_buffer(b"".join(items)))


def _raw(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return orjson.dumps(value, default=str)


def _seconds(variable: str, default: float) -> float:
    raw = os.environ.get(variable, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = default
    return value if value > 0 else default

