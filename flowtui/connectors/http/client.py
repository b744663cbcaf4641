"""One HTTP client for every source and destination: limits, retries, deadlines and statistics in one place.

    http = HttpClient(open_http(base_url, auth=(account, key)), service="StoreHub",
                      credentials_hint="check the account name and API key",
                      limiter=shared_limiter(("storehub", account), lambda: RequestRate(3)))
    with http:
        stores = http.get("/stores")
        for page in http.pages("/orders", {"per_page": 100}, PageNumber()):
            ...

Each request:

* waits for its turn under the credential's limiter (:mod:`~flowtui.connectors.http.limits`);
* must end within ``deadlines.reply`` seconds, body and all (:mod:`~flowtui.connectors.http.deadlines`),
  and with all its retries and pauses within ``deadlines.request``;
* is asked again (:mod:`~flowtui.connectors.http.retry`) after a status of ``policy.statuses`` (429 and
  503 with their ``Retry-After``), a timeout, a dropped connection, a late reply, or a body its reader
  cannot read (the reader raises :class:`RetryLater`, or the JSON does not parse);
* fails at once on 401/403 (:class:`CredentialsRefused`, naming what to check) and on any other status
  that is not a success (:class:`UnexpectedStatus`);
* after the last attempt, raises :class:`GaveUp` with the last reason.

Everything it does is counted in :attr:`HttpClient.stats`. httpx's request logging is silenced, so not
even URLs (which may carry a key) reach a log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import httpx
import orjson

from flowtui.connectors.http.deadlines import DeadlineClient, LateReply, Reply
from flowtui.connectors.http.errors import CredentialsRefused, GaveUp, RetryLater, UnexpectedListing, UnexpectedStatus
from flowtui.connectors.http.limits import Limiter, Unlimited
from flowtui.connectors.http.paginators import Paginator
from flowtui.connectors.http.retry import Exhausted, OutOfTime, RetryPolicy, Tries, header_wait, run
from flowtui.connectors.http.stats import RequestStats

T = TypeVar("T")
Read = Callable[[bytes], Any]

for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class Deadlines:
    reply: float = 60.0  # seconds for one reply, from asking to its last byte
    request: float | None = 180.0  # seconds for one request with all its retries and pauses; None: unbounded
    read_timeout: float = 30.0  # seconds of silence: connecting, or waiting for the next bytes


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A successful reply and what its reader made of it."""

    reply: Reply
    data: T


def open_http(base_url: str, *, auth: httpx.Auth | tuple[str, str] | None = None,
              headers: dict[str, str] | None = None, timeout: float = 30.0,
              transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An ``httpx.Client`` as flowtui uses them: JSON asked for, redirects not followed (a redirect would
    carry the credentials somewhere unchecked), the caller's transport in tests."""
    return httpx.Client(base_url=base_url.rstrip("/"), auth=auth, timeout=timeout, follow_redirects=False,
                        headers={"Accept": "application/json", "User-Agent": "flowtui", **(headers or {})},
                        transport=transport)


def json_reply(content: bytes) -> Any:
    """A reply's JSON; one that does not parse (a proxy's error page, a cut-off body) is asked for again."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        raise RetryLater("a reply that was not JSON") from None


class HttpClient:
    """Requests to one service through one ``httpx.Client``, one at a time."""

    def __init__(self, http: httpx.Client, *, service: str, credentials_hint: str = "check the credentials",
                 limiter: Limiter | None = None, policy: RetryPolicy | None = None,
                 deadlines: Deadlines | None = None, stats: RequestStats | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] | None = None) -> None:
        self.http, self.service, self.credentials_hint = http, service, credentials_hint
        self.limiter = limiter or Unlimited()
        self.policy = policy or RetryPolicy()
        self.deadlines = deadlines or Deadlines()
        self.stats = stats if stats is not None else RequestStats()
        self._wire = DeadlineClient(http)
        self._clock, self._sleep, self._now = clock, sleep, now

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict | None = None, read: Read = json_reply) -> Any:
        """What ``read`` makes of the reply to a GET (its JSON by default)."""
        return self.request("GET", path, params, read=read).data

    def request(self, method: str, path: str, params: dict | None = None, *, json: Any = None,
                read: Read = json_reply, cost: float = 1.0) -> Answer[Any]:
        """One request, asked again while it makes sense; ``cost`` is what it takes from the limiter."""
        request_deadline = self.deadlines.request
        tries = Tries(None if request_deadline is None else self._clock() + request_deadline)

        def attempt(tries: Tries) -> Answer[Any]:
            return self._attempt(tries, method, path, params, json, read, cost)

        try:
            return run(attempt, self.policy, tries, stats=self.stats, clock=self._clock, sleep=self._sleep)
        except Exhausted:
            raise GaveUp(self.service, path, attempts=tries.sent, last=tries.last, deadline=request_deadline,
                         out_of_time=tries.sent < self.policy.attempts) from None

    def pages(self, path: str, params: dict | None, paginator: Paginator, read: Read = json_reply) -> Iterator[Any]:
        """Every page of a listing, as ``read`` makes them, following ``paginator`` until it says the end."""
        ask: tuple[str, dict | None] | None = (path, dict(params or {}))
        seen: set[str] = set()
        while ask is not None:
            where, query = ask
            key = str(httpx.URL(where).copy_merge_params(query or {}))
            if key in seen:
                raise UnexpectedListing(self.service, path, "asked for the same page twice")
            seen.add(key)
            answer = self.request("GET", where, query, read=read)
            yield answer.data
            ask = paginator.next(where, query, answer.reply, answer.data)
            if ask is not None:
                ask = (self._same_origin(ask[0], path), ask[1])

    def _same_origin(self, where: str, path: str) -> str:
        """A next page's address, refused when it points at another host (the credentials would go with it)."""
        url = httpx.URL(where)
        if url.is_relative_url:
            return where
        base = self.http.base_url
        if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port):
            raise UnexpectedListing(self.service, path, f"the next page is on another host ({url.host})")
        return where

    def _attempt(self, tries: Tries, method: str, path: str, params: dict | None, json: Any, read: Read,
                 cost: float) -> Answer[Any]:
        left = None if tries.ends is None else tries.ends - self._clock()
        waited = self.limiter.acquire(cost, within=left)
        if waited is None:
            raise OutOfTime()
        self.stats.wait(waited)
        if tries.ends is not None:
            left = tries.ends - self._clock()
            if left <= 0:
                raise OutOfTime()
        tries.sent += 1
        reply_deadline = self.deadlines.reply
        seconds = reply_deadline if left is None else min(reply_deadline, left)
        reply = self._exchange(tries, method, path, params, json, seconds)
        status = reply.status_code
        if status in (401, 403):
            raise CredentialsRefused(self.service, status, self.credentials_hint)
        if status in self.policy.statuses:
            tries.failed(f"HTTP {status}")
            raise RetryLater(f"HTTP {status}", header_wait(reply.headers, self._now() if self._now else None))
        if not 200 <= status < 300:
            raise UnexpectedStatus(self.service, status, path)
        started = time.perf_counter()
        try:
            return Answer(reply, read(reply.content))
        except RetryLater as exc:
            tries.failed(exc.reason)
            raise
        finally:
            self.stats.add(read_seconds=time.perf_counter() - started)

    def _exchange(self, tries: Tries, method: str, path: str, params: dict | None, json: Any,
                  seconds: float) -> Reply:
        """The reply, whole, within ``seconds``; :class:`RetryLater` with the reason when there is none."""
        started = time.perf_counter()
        try:
            reply = self._wire.send(method, path, params, json=json, deadline=seconds,
                                    read_timeout=self.deadlines.read_timeout)
        except LateReply:
            # a reply cut short only because the request's own time ran out keeps the earlier reason
            late = seconds >= self.deadlines.reply or tries.sent == 1
            reason = f"no complete reply within {seconds:g} s" if late else None
            tries.failed(reason)
            raise RetryLater(reason) from None
        except httpx.TimeoutException:
            tries.failed("a timeout")
            raise RetryLater("a timeout") from None
        except httpx.TransportError as exc:
            reason = f"a connection error ({type(exc).__name__})"
            tries.failed(reason)
            raise RetryLater(reason) from None
        finally:
            self.stats.add(requests=1, seconds=time.perf_counter() - started)
        self.stats.add(bytes=len(reply.content))
        return reply

