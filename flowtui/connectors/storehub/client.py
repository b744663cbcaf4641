"""The StoreHub stream: stores, products, inventory and transactions over HTTP.

The API is unforgiving, so this connector is careful:

* at most 3 requests a second from the whole process (one shared limiter),
  one request at a time per account;
* 429, 409, 5xx, a 200 that is not JSON, timeouts and dropped connections are
  retried with jittered exponential backoff, a bounded number of times — then
  the sync fails with a clear message instead of hammering;
* every wait is bounded: a reply must end within ``REPLY_DEADLINE`` seconds of
  asking, body and all (a server trickling a byte at a time is cut off), and a
  request with all its retries and pauses within ``REQUEST_DEADLINE`` — so a
  server that never answers fails a sync or a test within that bound;
* 401/403 fail at once: check the account name and API key;
* a window that comes back with 5,000 transactions (the silent cap) is split
  in halves, down to one day of one store; a store-day that still hits the cap
  is landed with a warning that data may be missing, and handed over as a
  :class:`~flowtui.connectors.base.ShortDay` (the engine holds that day open);
* every request asks ``includeOnline=true`` and one extra local day on each
  side of the window; landing keeps only what belongs to the window by each
  order's business date, so orders after local midnight land on the right day.

The retrying, backoff, rate limiting, deadlines and statistics are the shared
HTTP toolkit's (:mod:`flowtui.connectors.http`); what is StoreHub's stays here:
its limit and which replies it retries, its deadline settings, the cap windows,
reading replies in bulk. The API key is sent in the Authorization header only;
httpx's request logging is silenced so not even URLs are logged.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

import httpx
import orjson

from flowtui.connectors.base import OrderBatch, ShortDay, SourceError, SourceStore, Window
from flowtui.connectors.http import (
    CredentialsRefused,
    Deadlines,
    HttpClient,
    HttpError,
    Limiter,
    RequestRate,
    RequestStats,
    RetryLater,
    RetryPolicy,
    open_http,
    shared_limiter,
)
from flowtui.connectors.storehub.bulk import NotAList, NotJSON, ReplyReader

BASE_URL = "https://api.storehubhq.com"
TIMEOUT = 30.0  # seconds of silence: connecting, or waiting for the next bytes of a reply
REPLY_DEADLINE = 60.0  # seconds for one reply, from asking to its last byte
REQUEST_DEADLINE = 180.0  # seconds for one request with all its retries and the pauses between them
CAP = 5000
CHUNK_DAYS = 7
RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})  # 409: some clients saw it instead of 429


class StoreHubError(SourceError):
    """StoreHub could not be read; the message says why and what to do."""


class StoreHubAuthError(StoreHubError):
    pass


#: No more than ``rate`` request starts in any one-second window (and a little margin for the network).
RateLimiter = RequestRate


def _process_rate() -> float | None:
    """3 requests/s, StoreHub's limit; ``FLOWTUI_STOREHUB_RATE`` changes it for sandboxes (0 = unlimited)."""
    raw = os.environ.get("FLOWTUI_STOREHUB_RATE")
    if raw is None:
        return 3.0
    try:
        rate = float(raw)
    except ValueError:
        return 3.0
    return rate if rate > 0 else None


#: One limiter for every StoreHub request of the process, whatever the account: StoreHub blocks accounts
#: that keep going over, and does not document whether its limit is per account or per address. A quarter
#: second of margin: StoreHub counts a request when it arrives, and one sent early may arrive late (a busy
#: machine, a jittery link) while the next arrives on time.
PROCESS_LIMITER = cast(RequestRate, shared_limiter(("storehub",), lambda: RequestRate(_process_rate(), margin=0.25)))


def _seconds(variable: str, default: float) -> float:
    """A deadline in seconds: ``default``, or the environment variable's (for tests and slow links)."""
    raw = os.environ.get(variable)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise StoreHubError(f"{variable} must be a number of seconds above 0, not {raw!r}.")
    return value


#: Every StoreHub request of the process, counted (the benchmark reads them): ``seconds`` waiting on StoreHub,
#: ``read_seconds`` turning its replies into canonical orders.
STATS = RequestStats()


BACKOFF_BASE = 0.5  # seconds; the first retry waits up to this, doubling each time


@dataclass
class Backoff:
    """How often and how patiently StoreHub is asked again (the toolkit's :class:`RetryPolicy` is built from it)."""

    attempts: int = 6
    base: float | None = None  # None: BACKOFF_BASE
    cap: float = 8.0  # the longest pause, Retry-After included

    def policy(self) -> RetryPolicy:
        return RetryPolicy(attempts=self.attempts, base=BACKOFF_BASE if self.base is None else self.base,
                           cap=self.cap, statuses=RETRY_STATUSES, max_retry_after=self.cap)


@dataclass
class StoreHubConnector:
    account: str
    api_key: str
    base_url: str = BASE_URL
    timeout: float | None = None  # None: TIMEOUT
    reply_deadline: float | None = None  # None: REPLY_DEADLINE, or $FLOWTUI_STOREHUB_REPLY_DEADLINE
    request_deadline: float | None = None  # None: REQUEST_DEADLINE, or $FLOWTUI_STOREHUB_REQUEST_DEADLINE
    limiter: Limiter = field(default_factory=lambda: PROCESS_LIMITER)
    backoff: Backoff = field(default_factory=Backoff)
    chunk_days: int = CHUNK_DAYS
    transport: httpx.BaseTransport | None = None  # tests plug a fake server in here
    provider: str = "storehub"
    stats: RequestStats = field(default_factory=lambda: RequestStats(parent=STATS))  # this connector's requests

    def __repr__(self) -> str:  # never show the key
        return f"StoreHubConnector(account={self.account!r}, base_url={self.base_url!r})"

    # -- HTTP ----------------------------------------------------------------------------
    def _client(self) -> HttpClient:
        reply, request = self.deadlines()
        return HttpClient(
            open_http(self.base_url, auth=(self.account, self.api_key), timeout=self._read_timeout,
                      transport=self.transport),
            service="StoreHub", credentials_hint="check the account name and API key", limiter=self.limiter,
            policy=self.backoff.policy(), deadlines=Deadlines(reply, request, self._read_timeout), stats=self.stats)

    @property
    def _read_timeout(self) -> float:
        return TIMEOUT if self.timeout is None else self.timeout

    def deadlines(self) -> tuple[float, float]:
        """(seconds for one reply, seconds for one request with its retries)."""
        reply = self.reply_deadline or _seconds("FLOWTUI_STOREHUB_REPLY_DEADLINE", REPLY_DEADLINE)
        request = self.request_deadline or _seconds("FLOWTUI_STOREHUB_REQUEST_DEADLINE", REQUEST_DEADLINE)
        return reply, request

    def _get(self, client: HttpClient, path: str, params: dict | None = None,
             read: Callable[[bytes], Any] | None = None) -> Any:
        """The reply to one GET, read by ``read`` (JSON values by default), asked again while it makes sense.

        Asking again stops after ``backoff.attempts`` attempts or once the request's deadline has passed,
        whichever comes first; no attempt and no pause reaches past that deadline.
        """
        try:
            return client.get(path, params, read=_json if read is None else _asking_again_if_not_json(read))
        except CredentialsRefused as exc:
            raise StoreHubAuthError(str(exc)) from None
        except HttpError as exc:
            raise StoreHubError(str(exc)) from None

    # -- what the engine asks ----------------------------------------------------------------
    def stores(self) -> list[SourceStore]:
        with self._client() as client:
            return self._stores(client)

    def _stores(self, client: HttpClient) -> list[SourceStore]:
        data = self._get(client, "/stores")
        if not isinstance(data, list):
            raise StoreHubError("StoreHub's /stores did not return a list.")
        return [SourceStore(str(s.get("id")), s.get("name"), _code(s.get("serviceChargeTaxCode")))
                for s in data if isinstance(s, dict) and s.get("id")]

    def test(self) -> str:
        try:
            stores = self.stores()
        except StoreHubError as exc:
            raise type(exc)(f"The test failed: {exc}") from None
        names = ", ".join(f"{s.name or s.id} ({s.id})" for s in stores[:10]) + (" ..." if len(stores) > 10 else "")
        return f"Connected to StoreHub as {self.account}: {len(stores)} store(s): {names or 'none'}"

    def inventory(self, store_id: str) -> list[dict]:
        with self._client() as client:
            data = self._get(client, f"/inventory/{store_id}")
        return data if isinstance(data, list) else []

    def fetch(self, window: Window) -> Iterator[OrderBatch]:
        if window.start is None or window.end is None:
            raise StoreHubError("A StoreHub sync needs a date range (a start date or a cursor).")
        try:
            yield from self._fetch(window.start, window.end)
        except StoreHubError as exc:
            raise type(exc)(f"{exc} The sync stopped; the next one starts again from the same day.") from None

    def _fetch(self, start: date, end: date) -> Iterator[OrderBatch]:
        asked = (start - timedelta(days=1), end + timedelta(days=1))
        with self._client() as client:
            stores = self._stores(client)
            reader = ReplyReader(self._products(client))
            ranges = [(s.id, a, b) for s in stores for a, b in _chunks(*asked, self.chunk_days)]
            with reader:
                yield from self._fetch_ranges(client, reader, ranges, stores)
            if not ranges:
                yield OrderBatch(orders=[], stores=stores, progress=1.0)

    def _fetch_ranges(self, client: HttpClient, reader: ReplyReader, ranges, stores) -> Iterator[OrderBatch]:
        """Replies read together, a batch whenever the reader is full (and one at the end)."""
        short: list[ShortDay] = []
        for done, (store_id, first, last) in enumerate(ranges, start=1):
            short.extend(self._transactions(client, store_id, first, last, reader))
            if reader.full or done == len(ranges):
                started = time.perf_counter()
                columns = reader.take()
                self.stats.add(read_seconds=time.perf_counter() - started)
                yield OrderBatch(orders=[], columns=columns, warnings=[s.reason for s in short],
                                 progress=done / len(ranges), stores=stores, short_days=short)
                short, stores = [], []

    def _products(self, client: HttpClient) -> dict:
        data = self._get(client, "/products")
        items = data if isinstance(data, list) else []
        return {str(p.get("id")): {"sku": p.get("sku"), "name": p.get("name")} for p in items if isinstance(p, dict)}

    def _transactions(self, client: HttpClient, store_id: str, first: date, last: date,
                      reader: ReplyReader) -> list[ShortDay]:
        """Stage a store's transactions from ``first`` to ``last``, in as many windows as the cap needs; the days
        that still hit the cap alone."""
        params = {"from": first.isoformat(), "to": last.isoformat(), "storeId": store_id, "includeOnline": "true"}
        try:
            count = self._get(client, "/transactions", params, read=lambda content: reader.stage(content, store_id))
        except NotAList:
            raise StoreHubError("StoreHub's /transactions did not return a list.") from None
        if count < CAP:
            return []
        if first < last:  # never trust a capped window: ask again in halves
            reader.unstage()
            middle = first + (last - first) // 2
            return (self._transactions(client, store_id, first, middle, reader)
                    + self._transactions(client, store_id, middle + timedelta(days=1), last, reader))
        return [ShortDay(store_id, first, f"StoreHub returned {CAP:,} transactions (its cap) for store {store_id} "
                                          f"on {first}: some of that day's transactions may be missing.")]


def _json(content: bytes) -> Any:
    """A reply's JSON values, built in bulk; a reply that is not JSON is asked for again."""
    try:
        with _bulk():
            return orjson.loads(content)
    except orjson.JSONDecodeError:
        raise RetryLater("a reply that was not JSON") from None


def _asking_again_if_not_json(read: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def reading(content: bytes) -> Any:
        try:
            return read(content)
        except (orjson.JSONDecodeError, NotJSON):
            raise RetryLater("a reply that was not JSON") from None

    return reading


@contextmanager
def _bulk():
    """Building many small objects: pause the cycle collector, which would re-scan them over and over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(first: date, last: date, days: int) -> list[tuple[date, date]]:
    out, start = [], first
    while start <= last:
        end = min(last, start + timedelta(days=days - 1))
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def _code(value) -> str | None:
    """A tax code as StoreHub gives it: a non-empty string, else none."""
    return value.strip() if isinstance(value, str) and value.strip() else None
