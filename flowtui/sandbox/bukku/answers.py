"""How the Bukku sandbox answers a request, in order: an injected 503 (``fail_every``), the bearer token (401),
the ``Company-Subdomain`` header (403), the rate limit (429 with ``Retry-After``), then the route: reference lists,
contacts, products, sales invoices, credit notes and refunds, journal entries; a write that fails validation is
answered 422 with Laravel's ``{message, errors}``. ``/_sandbox/summary`` (the ledger) and ``/_sandbox/knobs`` (GET
to read, POST to change) need no auth and are not counted.
"""

from __future__ import annotations

import json
import math
import re
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from flowtui.sandbox.bukku import company, ledger
from flowtui.sandbox.bukku.books import MAX_PAGE_SIZE, Books, as_number
from flowtui.sandbox.bukku.rules import Errors
from flowtui.sandbox.serving import SandboxHandler

UNAUTHENTICATED = {"message": "Unauthenticated."}
DOCUMENTS = {"sales/invoices": "sale_invoice", "sales/credit_notes": "sale_credit_note",
             "sales/refunds": "sale_refund", "journal_entries": "journal_entry"}
_DOCUMENT = re.compile(r"^/(sales/invoices|sales/credit_notes|sales/refunds|journal_entries)(?:/(\d+))?$")
_RECORD = re.compile(r"^/(accounts|contacts|products|locations|location)(?:/(\d+))?$")
LISTS = ("tax_codes", "payment_methods", "accounts", "locations", "contacts", "products", "currencies")


class Reply(Exception):
    """An answer other than 200, raised from anywhere in a request."""

    def __init__(self, status: int, body: dict, headers: dict | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class Answering:
    """Requests answered over the books :class:`~flowtui.sandbox.bukku.server.BukkuSandbox` keeps."""

    books: Books
    token: str
    subdomain: str
    fail_every: int | None
    rate_limit: int | None
    drop_responses: int
    write_delay: float
    clock: Callable[[], float]
    requests: Counter
    request_log: list[tuple[str, str, int]]
    _lock: threading.RLock
    _count: int
    _recent: deque

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/") or "/"
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        try:
            try:
                body = json.loads(raw, parse_float=Decimal) if raw.strip() else {}
            except ValueError:
                body = {}  # as Laravel: an unreadable body is an empty one, then validation speaks
            if path == "/_sandbox/summary" and method == "GET":
                return self._send(handler, method, path, 200, ledger.summary(self.books, self.requests))
            if path == "/_sandbox/knobs" and method in ("GET", "POST"):
                return self._send(handler, method, path, 200, self._knobs(body if method == "POST" else {}))
            self._gate(handler, headers)
            try:
                status, reply = self._route(method, path, dict(parse_qsl(parts.query)),
                                            body if isinstance(body, dict) else {})
            except (KeyError, TypeError, ValueError, ArithmeticError):  # a body no check foresaw: Laravel's 500
                raise Reply(500, {"message": "Server Error"}) from None
        except Reply as r:
            return self._send(handler, method, path, r.status, r.body, {**headers, **r.headers})
        write = method in ("POST", "PATCH") and path != "/v2/lists"
        with self._lock:
            drop = write and self.drop_responses > 0
            if drop:
                self.drop_responses -= 1
        if write and self.write_delay:
            time.sleep(self.write_delay)  # stored, not yet answered: a client killed now never hears of it
        if drop:  # stored, but the answer is lost on the way back (a crash or a cut connection)
            self._log(method, path, 0)
            handler.close_connection = True
            return
        self._send(handler, method, path, status, reply, headers)

    def _gate(self, handler: BaseHTTPRequestHandler, headers: dict) -> None:
        with self._lock:
            self._count += 1
            n = self._count
        if self.fail_every and n % self.fail_every == 0:
            raise Reply(503, {"message": "Service Unavailable"})
        auth = handler.headers.get("Authorization") or ""
        if auth != f"Bearer {self.token}":
            raise Reply(401, UNAUTHENTICATED)
        if (handler.headers.get("Company-Subdomain") or "").strip().lower() != self.subdomain:
            raise Reply(403, {"message": "This action is unauthorized."})
        if self.rate_limit:
            now = self.clock()
            with self._lock:
                while self._recent and self._recent[0] <= now - 1.0:
                    self._recent.popleft()
                if len(self._recent) >= self.rate_limit:
                    wait = max(1, math.ceil(self._recent[0] + 1.0 - now))
                    raise Reply(429, {"message": "Too Many Attempts."},
                                {"Retry-After": str(wait), "X-RateLimit-Limit": str(self.rate_limit),
                                 "X-RateLimit-Remaining": "0"})
                self._recent.append(now)
                headers["X-RateLimit-Limit"] = str(self.rate_limit)
                headers["X-RateLimit-Remaining"] = str(self.rate_limit - len(self._recent))

    def _knobs(self, changes: dict) -> dict:
        """``/_sandbox/knobs``: the fault and company knobs, changed by a POST of some of them (for a sandbox run
        as a command, which tests cannot reach into)."""
        books = self.books
        owners = {"fail_every": self, "rate_limit": self, "drop_responses": self, "write_delay": self,
                  "unique_numbers": books, "cash_rounding": books, "myinvois": books, "lock_date": books}
        unknown = sorted(set(changes) - set(owners))
        if unknown:
            raise Reply(422, {"message": f"Unknown knobs: {', '.join(unknown)}.", "errors": {
                k: ["Unknown knob."] for k in unknown}})
        with self._lock, books.lock:
            for name, value in changes.items():
                if name == "write_delay":
                    value = float(value or 0)
                elif name in ("fail_every", "rate_limit", "drop_responses"):
                    value = int(value) if value else (0 if name == "drop_responses" else None)
                setattr(owners[name], name, value)
            return {name: getattr(owner, name) for name, owner in owners.items()}

    # -- routes ------------------------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict[str, str], body: dict) -> tuple[int, dict]:
        books = self.books
        if path == "/companies" and method == "GET":
            return 200, {"companies": [{"id": 1, "legal_name": company.LEGAL_NAME, "subdomain": self.subdomain}]}
        if path == "/v2/lists" and method == "POST":
            return 200, self._lists(body)
        match = _DOCUMENT.match(path)
        if match:
            kind, ident = DOCUMENTS[match.group(1)], match.group(2)
            if ident is None:
                return self._documents(method, kind, query, body)
            record = books.find(kind, int(ident))
            if record is None:
                raise Reply(404, {"message": "Record not found."})
            if method == "GET":
                return 200, {"transaction": record}
            if method == "PATCH":
                errors = books.set_status(record, body.get("status"))
                if errors:
                    raise Reply(422, errors.body())
                return 200, {"transaction": record}
            raise _not_allowed(method, path, "GET, PATCH")
        match = _RECORD.match(path)
        if match:
            return self._records(method, match.group(1), match.group(2), query, body)
        raise Reply(404, {"message": f"The route {path.lstrip('/')} could not be found."})

    def _documents(self, method: str, kind: str, query: dict[str, str], body: dict) -> tuple[int, dict]:
        if method == "GET":
            errors, page = self.books.listing(kind, query)
            if errors:
                raise Reply(422, errors.body())
            return 200, page
        if method == "POST":
            errors, record = self.books.create(kind, body)
            if record is None:
                raise Reply(422, errors.body())
            return 200, {"transaction": record}
        raise _not_allowed(method, kind, "GET, POST")

    def _records(self, method: str, table: str, ident: str | None, query: dict[str, str],
                 body: dict) -> tuple[int, dict]:
        books = self.books
        if table.startswith("location") and (table == "locations") == (ident is not None):
            # Bukku lists at GET /locations but shows one at GET /location/{id}
            raise Reply(404, {"message": f"The route {table}{'/' + ident if ident else ''} could not be found."})
        table = "locations" if table == "location" else table
        rows = {"accounts": books.accounts, "contacts": books.contacts, "products": books.products,
                "locations": books.locations}[table]
        if ident is not None:
            if method != "GET":
                raise _not_allowed(method, table, "GET")
            record = rows.get(int(ident))
            if record is None:
                raise Reply(404, {"message": "Record not found."})
            return 200, {table[:-1]: record}
        if method == "POST" and table == "contacts":
            errors, contact = books.add_contact(body)
            if contact is None:
                raise Reply(422, errors.body())
            return 200, {"contact": contact}
        if method != "GET":
            raise _not_allowed(method, table, "GET")
        items = list(rows.values())
        archived = str(query.get("include_archived") or query.get("is_archived") or "").lower() in ("1", "true")
        if table == "contacts":
            wanted = query.get("status", "ACTIVE").upper()
            items = [c for c in items if wanted == "ALL" or c["is_archived"] == (wanted == "INACTIVE")]
            if query.get("type"):
                items = [c for c in items if query["type"] in c["types"]]
        elif not archived:
            items = [x for x in items if not x["is_archived"]]
        search = (query.get("search") or "").lower()
        if search:
            fields = ("name", "legal_name", "other_name", "sku", "code", "contact_code", "sale_description", "email")
            items = [x for x in items if any(search in str(x.get(f) or "").lower() for f in fields)]
        if table == "locations":
            return 200, {"locations": items, "paging": {"page": 1, "pageSize": len(items), "total": len(items)}}
        if table == "accounts":
            return 200, {"accounts": items, "paging": {"current_page": 1, "per_page": len(items),
                                                       "total": len(items)}}
        errors = Errors()
        page = errors.integer(query, "page", required=False) or 1
        size = errors.integer(query, "page_size", required=False) or 30
        if errors:
            raise Reply(422, errors.body())
        page, size = max(1, page), max(1, min(size, MAX_PAGE_SIZE))
        return 200, {"paging": {"current_page": page, "per_page": size, "total": len(items)},
                     table: items[(page - 1) * size: page * size]}

    def _lists(self, body: dict) -> dict:
        """``POST /v2/lists``: ``{"lists": ["tax_codes", ...]}`` answered as ``{"tax_codes": {"items": [...]}}``."""
        wanted = body.get("lists")
        if not isinstance(wanted, list) or not wanted:
            raise Reply(422, {"message": "The lists field is required.", "errors": {"lists": [
                "The lists field is required."]}})
        bad = {f"lists.{n}": [f"The selected lists.{n} is invalid."] for n, name in enumerate(wanted)
               if name not in LISTS}
        if bad:
            raise Reply(422, {"message": next(iter(bad.values()))[0], "errors": bad})
        books = self.books
        tables = {"tax_codes": books.tax_codes, "payment_methods": books.payment_methods,
                  "accounts": books.accounts, "locations": books.locations, "contacts": books.contacts,
                  "products": books.products}
        out: dict = {}
        for name in wanted:
            if name == "currencies":
                out[name] = {"favourite_items": [dict(company.CURRENCY)], "popular_items": [], "other_items": []}
            else:
                out[name] = {"items": list(tables[name].values())}
        return out

    # -- HTTP --------------------------------------------------------------------------------------------
    def _log(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests[status] += 1
            self.request_log.append((method, path, status))

    def _send(self, handler: BaseHTTPRequestHandler, method: str, path: str, status: int, body: dict,
              headers: dict | None = None) -> None:
        if not path.startswith("/_sandbox/"):
            self._log(method, path, status)
        out = json.dumps(body, default=as_number, separators=(",", ":")).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(out)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(out)
        except OSError:
            handler.close_connection = True


def _not_allowed(method: str, path: str, allowed: str) -> Reply:
    return Reply(405, {"message": f"The {method} method is not supported for route {path}. Supported methods: "
                                  f"{allowed}."}, {"Allow": allowed})


class Handler(SandboxHandler):
    server_version = "BukkuSandbox/1.0"

    def setup(self) -> None:
        super().setup()
        # headers and body leave in two writes: without this, Nagle and a delayed ACK add ~40 ms to each answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.server.sandbox.answer(self, "GET")  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.sandbox.answer(self, "POST")  # type: ignore[attr-defined]

    def do_PATCH(self) -> None:
        self.server.sandbox.answer(self, "PATCH")  # type: ignore[attr-defined]

    def do_PUT(self) -> None:
        self.server.sandbox.answer(self, "PUT")  # type: ignore[attr-defined]

    def do_DELETE(self) -> None:
        self.server.sandbox.answer(self, "DELETE")  # type: ignore[attr-defined]
