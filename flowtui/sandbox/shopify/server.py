"""A local Shopify GraphQL Admin API: generated orders, Shopify's limits and failures.

    with ShopifySandbox(seed=1, days=14) as shop:     # starts on a free port of 127.0.0.1
        httpx.post(shop.graphql_url, headers={"X-Shopify-Access-Token": shop.token}, json={"query": "{ shop { name } }"})

It answers ``POST /admin/api/{version}/graphql.json`` like Shopify: ``X-Shopify-Access-Token`` (else 401), the
calculated query cost and its leaky bucket in ``extensions.cost`` (``THROTTLED`` when the bucket is short, 200 as
Shopify), ``MAX_COST_EXCEEDED`` over 1000 points, pages of at most 250, bulk query operations whose JSONL is served
at ``/bulk-operation-results/{n}.jsonl``. Knobs for tests, changeable while it runs: ``fail_every`` (every Nth
request answers 503), ``bucket`` (``bucket.drain()``, ``bucket.clock``), ``bulk.seconds``, ``bulk.fail_next``;
``next_night()`` moves "now" one local day on: that day's orders, and the refunds and cancellations made that day.

The package: this module (the data it holds, the HTTP), :mod:`.api` (the schema and its resolvers), :mod:`.cost`
(query cost, the bucket), :mod:`.bulk` (bulk operations), :mod:`.data` (generated orders), :mod:`.run` (the command).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as dtime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, execute_sync, parse, validate
from graphql.execution.values import get_variable_values
from graphql.language import FragmentDefinitionNode

from flowtui.sandbox.shopify.api import load_schema
from flowtui.sandbox.shopify.bulk import BulkOperations
from flowtui.sandbox.shopify.cost import MAX_COST, Bucket, Walk
from flowtui.sandbox.shopify.data import LOCATIONS, MYT, SHOP, Ids, Made, OrderMaker, as_of, location

_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
_BULK_PATH = re.compile(r"^/bulk-operation-results/(\d+)\.jsonl$")
_UNAUTHORIZED = b'{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}'
_DOCS = "https://shopify.dev/api/usage/rate-limits"


class ShopifySandbox:
    """Generated Shopify orders for ``days`` local days ending ``end_date``, served over HTTP on demand."""

    def __init__(self, seed: int = 1, days: int = 14, end_date: date | None = None, token: str = "shpat_sandbox",
                 api_version: str = "2025-07", bucket_size: float = 2000.0, restore_rate: float = 100.0,
                 fail_every: int | None = None) -> None:
        if end_date is None:
            from flowtui.engine.core.clock import today_in  # honours FLOWTUI_NOW

            end_date = today_in(MYT) - timedelta(days=1)
        self.seed, self.days, self.token, self.api_version = seed, days, token, api_version
        self.start_date, self.end_date = end_date - timedelta(days=days - 1), end_date
        self.fail_every = fail_every
        self.clock = time.monotonic
        self.bucket = Bucket(bucket_size, restore_rate)
        self.bulk = BulkOperations(self)
        self.schema = load_schema()
        self.requests = 0
        self.request_log: list[tuple[str, int, dict | None]] = []  # (path, status, extensions.cost)
        self.base_url: str | None = None
        self.nights = 0
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._parsed: dict[str, tuple[DocumentNode | None, list]] = {}
        opened = datetime.combine(self.start_date - timedelta(days=400), dtime(9), ZoneInfo(MYT))
        self._locations = [location(number, name, city, opened) for number, name, city in LOCATIONS]
        self._ids = Ids()
        self._maker = OrderMaker(seed, self._locations, self._ids)
        self._made: list[Made] = []
        self._manual: list[dict] = []
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

    def shop(self) -> dict:
        return dict(SHOP)

    def locations(self) -> list[dict]:
        return list(self._locations)

    def orders(self) -> list[dict]:
        """Every order the API shows (test orders and cancelled ones included), by ``processedAt``."""
        with self._lock:
            return list(self._visible)

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

    # -- one GraphQL request ------------------------------------------------------------------------------
    def graphql(self, body: dict, version: str) -> dict:
        """Shopify's answer (always HTTP 200) to a GraphQL request body."""
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            return {"errors": [{"message": "No query string was present"}]}
        parsed = self._parsed.get(query)
        if parsed is None:  # a client sends the same few queries again and again: parse and check each once
            try:
                tree = parse(query)
                parsed = (tree, [e.formatted for e in validate(self.schema, tree)])
            except GraphQLError as err:
                parsed = (None, [err.formatted])
            if len(self._parsed) > 100:
                self._parsed.clear()
            self._parsed[query] = parsed
        if parsed[1] or parsed[0] is None:
            return {"errors": parsed[1]}
        document = parsed[0]
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        name = body.get("operationName")
        chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
        if len(chosen) != 1:
            return {"errors": [{"message": "An operation name is required" if name is None else
                                f'No operation named "{name}"'}]}
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return {"errors": [{"message": "Variables must be an object"}]}
        try:
            coerced = get_variable_values(self.schema, chosen[0].variable_definitions or [], variables)
            if isinstance(coerced, list):
                return {"errors": [e.formatted for e in coerced]}
            walk = Walk(self.schema, chosen[0], fragments, coerced)
            requested = walk.requested()
        except GraphQLError as err:
            return {"errors": [err.formatted]}
        if requested > MAX_COST:
            return {"errors": [{"message": (
                f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_COST}).\n\n"
                "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                "cost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations "
                "should be used instead.\nSee https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n"),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_COST, "documentation": _DOCS}}]}
        if not self.bucket.take(requested):
            return {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": _DOCS}}],
                    "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": None,
                                            "throttleStatus": self.bucket.status()}}}
        context: dict = {"sandbox": self, "api_version": version}
        result = execute_sync(self.schema, document, operation_name=name, variable_values=variables, context_value=context)
        actual = min(requested, walk.actual(result.data))
        self.bucket.settle(requested, actual)
        answer: dict = {}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
        answer["data"] = result.data
        answer["extensions"] = {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                                         "throttleStatus": self.bucket.status()}}
        if context.get("warnings"):
            answer["extensions"]["search"] = [{"path": ["orders"], "warnings": context["warnings"]}]
        return answer

    # -- HTTP ---------------------------------------------------------------------------------------
    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests += 1
            n = self.requests
        headers = {"X-Request-Id": str(uuid.UUID(int=n))}
        bulk = _BULK_PATH.match(path)
        if bulk and method == "GET":
            jsonl = self.bulk.file(bulk.group(1))
            return self._send(handler, path, 200 if jsonl else 404, jsonl or b"Not Found", "application/jsonl", headers)
        match = _PATH.match(path)
        if not match:
            return self._send(handler, path, 404, b'{"errors":"Not Found"}', "application/json", headers)
        if self.fail_every and n % self.fail_every == 0:
            return self._send(handler, path, 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                              "text/html; charset=utf-8", headers)
        if handler.headers.get("X-Shopify-Access-Token") != self.token:
            return self._send(handler, path, 401, _UNAUTHORIZED, "application/json; charset=utf-8", headers)
        if method != "POST":
            return self._send(handler, path, 405, b'{"errors":"Method Not Allowed"}', "application/json", headers)
        headers["X-Shopify-API-Version"] = match.group(1)
        try:
            kind = handler.headers.get("Content-Type", "application/json").split(";")[0].strip()
            body = {"query": raw.decode()} if kind == "application/graphql" else json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return self._send(handler, path, 400, b'{"errors":{"query":"Required parameter missing or invalid"}}',
                              "application/json; charset=utf-8", headers)
        reply = self.graphql(body, match.group(1))
        out = json.dumps(reply, separators=(",", ":")).encode()
        self._send(handler, path, 200, out, "application/json; charset=utf-8", headers,
                   (reply.get("extensions") or {}).get("cost"))

    def _send(self, handler, path: str, status: int, body: bytes, content_type: str, headers: dict,
              cost: dict | None = None) -> None:
        self.request_log.append((path, status, cost))
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            handler.close_connection = True

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread; returns the base URL."""
        if self._server is not None:
            return self.base_url or ""
        server = ThreadingHTTPServer((host, port), _Handler)
        server.daemon_threads = True
        server.sandbox = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="shopify-sandbox", daemon=True)
        self._thread.start()
        self.base_url = f"http://{host}:{server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ShopifySandbox:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ShopifySandbox/1.0"
    timeout = 60

    def setup(self) -> None:
        super().setup()
        with self.server.sandbox._lock:  # type: ignore[attr-defined]
            self.server.sandbox._connections.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        with self.server.sandbox._lock:  # type: ignore[attr-defined]
            self.server.sandbox._connections.discard(self.connection)  # type: ignore[attr-defined]
        try:
            super().finish()
        except OSError:
            pass

    def do_POST(self) -> None:
        self.server.sandbox.answer(self, "POST")  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self.server.sandbox.answer(self, "GET")  # type: ignore[attr-defined]

    def log_message(self, format, *args) -> None:  # quiet
        pass
