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

The API key is sent in the Authorization header only; httpx's request logging
is silenced so not even URLs are logged.
"""

from __future__ import annotations

import gc
import logging
import os
import random
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import orjson

from flowtui.connectors.base import OrderBatch, ShortDay, SourceError, SourceStore, Window
from flowtui.connectors.http.deadlines import DeadlineClient, LateReply
from flowtui.connectors.storehub.bulk import NotAList, NotJSON, ReplyReader

BASE_URL = "https://api.storehubhq.com"
TIMEOUT = 30.0  # seconds of silence: connecting, or waiting for the next bytes of a reply
REPLY_DEADLINE = 60.0  # seconds for one reply, from asking to its last byte
REQUEST_DEADLINE = 180.0  # seconds for one request with all its retries and the pauses between them
CAP = 5000
CHUNK_DAYS = 7
RETRY_STATUSES = {409, 429, 500, 502, 503, 504}

for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class StoreHubError(SourceError):
    """StoreHub could not be read; the message says why and what to do."""


class StoreHubAuthError(StoreHubError):
    pass


class RateLimiter:
    """No more than ``rate`` request starts in any one-second window; thread-safe."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.rate:
            return
        limit, window = max(1, int(self.rate)), 1.05  # a little margin for the network
        while True:
            with self._lock:
                now = time.monotonic()
                while self._starts and now - self._starts[0] >= window:
                    self._starts.popleft()
                if len(self._starts) < limit:
                    self._starts.append(now)
                    return
                pause = window - (now - self._starts[0])
            time.sleep(pause)


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


PROCESS_LIMITER = RateLimiter(_process_rate())


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

#: Seconds spent waiting on StoreHub and turning its replies into canonical orders, process-wide
#: (the benchmark reads them).
STATS = {"http": 0.0, "parse": 0.0, "requests": 0}


BACKOFF_BASE = 0.5  # seconds; the first retry waits up to this, doubling each time


@dataclass
class Backoff:
    attempts: int = 6
    base: float | None = None  # None: BACKOFF_BASE
    cap: float = 8.0

    def delay(self, attempt: int) -> float:
        """Full jitter: a random pause up to base x 2^attempt, capped."""
        base = BACKOFF_BASE if self.base is None else self.base
        return random.uniform(0, min(self.cap, base * 2 ** attempt))


@dataclass
class StoreHubConnector:
    account: str
    api_key: str
    base_url: str = BASE_URL
    timeout: float | None = None  # None: TIMEOUT
    reply_deadline: float | None = None  # None: REPLY_DEADLINE, or $FLOWTUI_STOREHUB_REPLY_DEADLINE
    request_deadline: float | None = None  # None: REQUEST_DEADLINE, or $FLOWTUI_STOREHUB_REQUEST_DEADLINE
    limiter: RateLimiter = field(default_factory=lambda: PROCESS_LIMITER)
    backoff: Backoff = field(default_factory=Backoff)
    chunk_days: int = CHUNK_DAYS
    transport: httpx.BaseTransport | None = None  # tests plug a fake server in here
    provider: str = "storehub"

    def __repr__(self) -> str:  # never show the key
        return f"StoreHubConnector(account={self.account!r}, base_url={self.base_url!r})"

    # -- HTTP ----------------------------------------------------------------------------
    def _client(self) -> DeadlineClient:
        return DeadlineClient(httpx.Client(
            base_url=self.base_url.rstrip("/"), auth=(self.account, self.api_key),
            timeout=self._read_timeout,
            headers={"Accept": "application/json", "User-Agent": "flowtui"}, follow_redirects=False,
            transport=self.transport,
        ))

    @property
    def _read_timeout(self) -> float:
        return TIMEOUT if self.timeout is None else self.timeout

    def deadlines(self) -> tuple[float, float]:
        """(seconds for one reply, seconds for one request with its retries)."""
        reply = self.reply_deadline or _seconds("FLOWTUI_STOREHUB_REPLY_DEADLINE", REPLY_DEADLINE)
        request = self.request_deadline or _seconds("FLOWTUI_STOREHUB_REQUEST_DEADLINE", REQUEST_DEADLINE)
        return reply, request

    def _get(self, client: DeadlineClient, path: str, params: dict | None = None, read=None):
        """The reply to one GET, read by ``read`` (JSON values by default), asked again while it makes sense.

        Asking again stops after ``backoff.attempts`` attempts or once the request's deadline has passed,
        whichever comes first; no attempt and no pause reaches past that deadline.
        """
        reply_deadline, request_deadline = self.deadlines()
        ends = time.monotonic() + request_deadline
        last, attempts = "no answer", 0
        for attempt in range(self.backoff.attempts):
            if attempt and not _pause(self.backoff.delay(attempt), ends):
                break
            self.limiter.wait()
            left = ends - time.monotonic()
            if left <= 0:
                break
            attempts += 1
            started = time.perf_counter()
            seconds = min(reply_deadline, left)
            try:
                response = client.get(path, params, deadline=seconds, read_timeout=self._read_timeout)
            except LateReply:
                if seconds >= reply_deadline or attempts == 1:  # (not merely the request's time running out)
                    last = f"no complete reply within {seconds:g} s"
                continue
            except httpx.TimeoutException:
                last = "a timeout"
                continue
            except httpx.TransportError as exc:
                last = f"a connection error ({type(exc).__name__})"
                continue
            finally:
                STATS["http"] += time.perf_counter() - started
                STATS["requests"] += 1
            if response.status_code in (401, 403):
                raise StoreHubAuthError(
                    f"StoreHub refused the credentials ({response.status_code}): check the account name and API key.")
            if response.status_code in RETRY_STATUSES:
                last = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit() and not _pause(min(float(retry_after), self.backoff.cap), ends):
                    break
                continue
            if response.status_code != 200:
                raise StoreHubError(f"StoreHub answered HTTP {response.status_code} for {path}.")
            started = time.perf_counter()
            try:
                if read is not None:
                    return read(response.content)
                with _bulk():
                    return orjson.loads(response.content)
            except (orjson.JSONDecodeError, NotJSON):
                last = "a reply that was not JSON"
                continue
            finally:
                STATS["parse"] += time.perf_counter() - started
        if attempts < self.backoff.attempts:
            raise StoreHubError(f"StoreHub did not answer {path} within {request_deadline:g} s "
                                f"({attempts} attempt(s): {last}).")
        raise StoreHubError(f"StoreHub kept failing on {path} ({last}) after {attempts} attempts.")

    # -- what the engine asks ----------------------------------------------------------------
    def stores(self) -> list[SourceStore]:
        with self._client() as client:
            return self._stores(client)

    def _stores(self, client: DeadlineClient) -> list[SourceStore]:
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

    def _fetch_ranges(self, client: DeadlineClient, reader: ReplyReader, ranges, stores) -> Iterator[OrderBatch]:
        """Replies read together, a batch whenever the reader is full (and one at the end)."""
        short: list[ShortDay] = []
        for done, (store_id, first, last) in enumerate(ranges, start=1):
            short.extend(self._transactions(client, store_id, first, last, reader))
            if reader.full or done == len(ranges):
                started = time.perf_counter()
                columns = reader.take()
                STATS["parse"] += time.perf_counter() - started
                yield OrderBatch(orders=[], columns=columns, warnings=[s.reason for s in short],
                                 progress=done / len(ranges), stores=stores, short_days=short)
                short, stores = [], []

    def _products(self, client: DeadlineClient) -> dict:
        data = self._get(client, "/products")
        items = data if isinstance(data, list) else []
        return {str(p.get("id")): {"sku": p.get("sku"), "name": p.get("name")} for p in items if isinstance(p, dict)}

    def _transactions(self, client: DeadlineClient, store_id: str, first: date, last: date,
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


def _pause(seconds: float, ends: float) -> bool:
    """Sleep ``seconds`` unless that would reach past ``ends`` (a monotonic time); whether time is left after."""
    if time.monotonic() + seconds >= ends:
        return False
    time.sleep(seconds)
    return True


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
