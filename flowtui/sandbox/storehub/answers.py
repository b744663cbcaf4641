"""How the StoreHub sandbox answers a request: its routes and its faults.

:class:`Answering` is the HTTP half of :class:`~flowtui.sandbox.storehub.server.StoreHubSandbox` (which holds the
data, the fault knobs and the request log); :class:`Handler` hands every GET to it.
"""

from __future__ import annotations

import base64
import hmac
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from flowtui.sandbox.serving import SandboxHandler
from flowtui.sandbox.storehub.data import Transaction
from flowtui.sandbox.storehub.wire import dumps, transaction_json

_HTML = b"<!DOCTYPE html><html><head><title>StoreHub</title></head><body><h1>Please try again later</h1></body></html>"
FAULTS = ("reset", "slow", "trickle", "silent", "burst_429", "rate_limited", "fail", "non_json", "unauthorized")


class Answering:
    """Routes and faults, over the state :class:`~flowtui.sandbox.storehub.server.StoreHubSandbox` keeps."""

    account: str
    api_key: str
    cap: int
    rate_limit: float | None
    requests: int
    request_log: list[tuple[str, dict, int | None]]
    faults: dict[str, int]
    fail_every: int | None
    burst_429: int
    non_json_every: int | None
    slow_every: int | None
    slow_seconds: float
    reset_every: int | None
    reset_mode: str
    trickle_every: int | None
    trickle_seconds: float
    trickle_headers: bool
    silent_every: int | None
    _lock: threading.RLock
    _hits: deque[float]
    _server: ThreadingHTTPServer | None
    _encoded: dict[str, tuple[Transaction, bytes]]
    clock: Callable[[], float]

    # -- what the server provides (its data) ----------------------------------------------------------
    def stores(self) -> list[dict]:
        raise NotImplementedError

    def products(self) -> list[dict]:
        raise NotImplementedError

    def inventory(self, store_id: str) -> list[dict]:
        raise NotImplementedError

    @property
    def store_ids(self) -> list[str]:
        raise NotImplementedError

    def _select(self, first: date | None = None, last: date | None = None, store_id: str | None = None,
                include_online: bool = True) -> list[Transaction]:
        raise NotImplementedError

    if TYPE_CHECKING:  # the data the sandbox holds (StoreHubSandbox, in server.py), answered from here
        @property
        def store_ids(self) -> list[str]: ...
        def stores(self) -> list[dict]: ...
        def products(self) -> list[dict]: ...
        def inventory(self, store_id: str) -> list[dict]: ...
        def _select(self, first: date | None = None, last: date | None = None, store_id: str | None = None,
                    include_online: bool = True) -> list[Transaction]: ...

    def _fault(self, n: int) -> str | None:
        """Which fault (if any) request number ``n`` meets; counts it. Called under the lock."""
        now = self.clock()
        self._hits.append(now)
        while self._hits and now - self._hits[0] >= 1.0:
            self._hits.popleft()
        fault = None
        if self.reset_every and n % self.reset_every == 0:
            fault = "reset"
        elif self.burst_429 > 0:
            self.burst_429 -= 1
            fault = "burst_429"
        elif self.rate_limit is not None and len(self._hits) > self.rate_limit:
            fault = "rate_limited"
        elif self.fail_every and n % self.fail_every == 0:
            fault = "fail"
        elif self.non_json_every and n % self.non_json_every == 0:
            fault = "non_json"
        elif self.silent_every and n % self.silent_every == 0:
            fault = "silent"
        elif self.trickle_every and n % self.trickle_every == 0:
            fault = "trickle"
        if fault:
            self.faults[fault] += 1
        return fault

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        with self._lock:
            self.requests += 1
            n = self.requests
            fault = self._fault(n)
            slow = bool(self.slow_every and n % self.slow_every == 0)
            if slow:
                self.faults["slow"] += 1
            if fault is None and not self._authorized(handler.headers.get("Authorization", "")):
                fault = "unauthorized"
                self.faults[fault] += 1
        if slow:
            time.sleep(self.slow_seconds)
        if fault == "reset":
            self.request_log.append((url.path, query, None))
            return self._reset(handler, url.path, query)
        if fault == "silent":
            self.request_log.append((url.path, query, None))
            return self._keep_silent(handler)
        status, body, content_type = {
            "burst_429": (429, _error("Too Many Requests"), "application/json"),
            "rate_limited": (429, _error("Too Many Requests"), "application/json"),
            "fail": (500, _error("Internal Server Error"), "application/json"),
            "non_json": (200, _HTML, "text/html; charset=utf-8"),
            "unauthorized": (401, _error("Unauthorized"), "application/json"),
        }.get(fault or "") or (*self._route(url.path, query), "application/json")
        self.request_log.append((url.path, query, status))
        headers = {"Retry-After": "1"} if status == 429 else {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="StoreHub"'
        if fault == "trickle":
            return self._trickle(handler, status, body, content_type)
        _send(handler, status, body, content_type, headers)

    def _authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        try:
            given = base64.b64decode(token.strip(), validate=True)
        except ValueError:
            return False
        expected = f"{self.account}:{self.api_key}".encode()
        return scheme.lower() == "basic" and hmac.compare_digest(given, expected)

    def _route(self, path: str, query: dict) -> tuple[int, bytes]:
        path = path.rstrip("/")
        if path == "/stores":
            return 200, dumps(self.stores())
        if path == "/products":
            return 200, dumps(self.products())
        if path.startswith("/inventory/"):
            try:
                return 200, dumps(self.inventory(path.removeprefix("/inventory/")))
            except KeyError:
                return 404, _error("Store not found")
        if path == "/transactions":
            return self._transactions(query)
        return 404, _error("Not Found")

    def _transactions(self, query: dict) -> tuple[int, bytes]:
        try:
            first, last = _date(query.get("from")), _date(query.get("to"))
        except ValueError:
            return 400, _error("from and to are required dates (YYYY-MM-DD)")
        if first > last:
            return 400, _error("from must not be after to")
        store_id = query.get("storeId") or None
        if store_id is not None and store_id not in self.store_ids:
            return 404, _error("Store not found")
        online = query.get("includeOnline", "").lower() == "true"
        rows = self._select(first, last, store_id, online)[: self.cap]
        return 200, b"[" + b",".join(self._encode(t) for t in rows) + b"]"

    def _encode(self, t: Transaction) -> bytes:
        cached = self._encoded.get(t.ref_id)
        if cached is None or cached[0] is not t:
            cached = (t, transaction_json(t))
            self._encoded[t.ref_id] = cached
        return cached[1]

    def _reset(self, handler: BaseHTTPRequestHandler, path: str, query: dict) -> None:
        handler.close_connection = True
        if self.reset_mode == "truncate":
            body = self._route(path, query)[1]
            _send(handler, 200, body[: len(body) // 2], "application/json", {}, length=len(body))
            return
        try:  # an abortive close: the client sees a connection reset, no response
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass


    def _keep_silent(self, handler: BaseHTTPRequestHandler) -> None:
        """Hold the connection, answering nothing, until the client hangs up or the sandbox stops."""
        handler.close_connection = True
        connection = handler.connection
        try:
            connection.settimeout(0.1)
            while self._server is not None:
                try:
                    if not connection.recv(1024):
                        return  # the client hung up
                except TimeoutError:
                    continue
        except OSError:
            return

    def _trickle(self, handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
        """A complete, correct answer, one byte every ``trickle_seconds``, for as long as the client listens."""
        handler.close_connection = True
        head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        slow = head + body if self.trickle_headers else body
        try:
            if not self.trickle_headers:
                handler.wfile.write(head)
                handler.wfile.flush()
            for i in range(len(slow)):
                if self._server is None:
                    return
                time.sleep(self.trickle_seconds)
                handler.wfile.write(slow[i:i + 1])
                handler.wfile.flush()
        except OSError:  # the client gave up
            pass


class Handler(SandboxHandler):
    server_version = "StoreHubSandbox/1.0"

    def do_GET(self) -> None:
        self.server.sandbox._answer(self)  # type: ignore[attr-defined]


def _send(handler, status: int, body: bytes, content_type: str, headers: dict, length: int | None = None) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    except OSError:  # the client went away
        handler.close_connection = True


def _date(value: str | None) -> date:
    if not value or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(value)
    return date.fromisoformat(value)


def _summary(t: dict) -> dict:
    return {k: t[k] for k in ("refId", "invoiceNumber", "storeId", "transactionTime")}


def _error(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


# -- command line ---------------------------------------------------------------------------------
