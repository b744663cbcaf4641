"""GraphQL over the HTTP toolkit: queries priced against a cost bucket, THROTTLED waited out, cursor paging.

    gql = GraphQLClient(http, "/admin/api/2026-10/graphql.json", bucket=CostBucket(2000, 100))
    shop = gql.query("{ shop { name } }")["shop"]
    for page in gql.pages(ORDERS, {"q": "updated_at:>=2026-11-01"}, GraphQLCursor("orders")):
        ...

* **Cost** — each query takes its expected cost from the bucket before it is sent (the same query's
  ``requestedQueryCost`` last time, which the service wants in the bucket before it runs one, else
  ``first_cost``), so the client waits *before* the bucket runs dry; every reply's
  ``extensions.cost.throttleStatus`` (``currentlyAvailable``, ``restoreRate``, ``maximumAvailable``) then sets
  the bucket to what the service says it is (:meth:`CostBucket.observe`).
* **THROTTLED** — a reply whose errors say ``THROTTLED`` (Shopify answers it with HTTP 200) is asked again
  after the time the bucket needs to hold the query's cost (``requestedQueryCost`` at ``restoreRate``).
  It is not a failure: it uses none of the retry policy's attempts, only the request's deadline.
* **Errors** — any other GraphQL error is a :class:`GraphQLError` naming the service and the message; an
  access error (``ACCESS_DENIED``) is :class:`~flowtui.connectors.http.errors.CredentialsRefused`-like
  (:class:`GraphQLAccessDenied`); a reply without ``data`` is asked again like any unreadable reply.
* **Paging** — :class:`GraphQLCursor` reads a connection's ``pageInfo { hasNextPage endCursor }`` and asks
  the same query again with ``after`` set, refusing a cursor it has seen (a loop).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flowtui.connectors.http.client import HttpClient, json_reply
from flowtui.connectors.http.errors import HttpError, RetryLater, UnexpectedListing
from flowtui.connectors.http.limits import CostBucket

#: the most a throttled query is asked again (each time after its bucket refilled): a service that keeps
#: saying THROTTLED with a full bucket is broken, not busy
MAX_THROTTLED = 30


class GraphQLError(HttpError):
    """The service answered the query with errors (a bad query, a field it does not have, a server error)."""

    def __init__(self, service: str, messages: list[str], codes: list[str] | None = None) -> None:
        shown = "; ".join(m for m in messages[:3] if m) or "an error without a message"
        super().__init__(f"{service} refused the query: {shown}.")
        self.service, self.messages, self.codes = service, messages, codes or []


class GraphQLAccessDenied(GraphQLError):
    """The credentials are good but lack a scope the query needs (Shopify's ``ACCESS_DENIED``)."""

    def __init__(self, service: str, messages: list[str], hint: str) -> None:
        super().__init__(service, messages, ["ACCESS_DENIED"])
        self.args = (f"{service} refused access ({'; '.join(messages[:2])}): {hint}.",)


@dataclass(frozen=True)
class ThrottleStatus:
    """A reply's ``extensions.cost``: the bucket as the service sees it, and what the query cost."""

    available: float
    restore_rate: float
    maximum: float
    requested: float | None = None
    actual: float | None = None

    @classmethod
    def read(cls, reply: Any) -> ThrottleStatus | None:
        """From a GraphQL reply (``None`` when it carries no usable cost figures)."""
        cost = _dig(reply, "extensions", "cost")
        status = _dig(cost, "throttleStatus")
        if not isinstance(status, dict):
            return None
        numbers = [_float(status.get(k)) for k in ("currentlyAvailable", "restoreRate", "maximumAvailable")]
        if any(n is None for n in numbers) or not numbers[1] or not numbers[2]:
            return None
        available, rate, maximum = (float(n) for n in numbers if n is not None)
        return cls(available, rate, maximum, _float(cost.get("requestedQueryCost")), _float(cost.get("actualQueryCost")))

    def seconds_for(self, cost: float) -> float:
        """How long until the bucket holds ``cost`` points."""
        return max(0.0, (min(cost, self.maximum) - self.available) / self.restore_rate)


class GraphQLClient:
    """GraphQL queries to one endpoint through an :class:`HttpClient`, priced against a :class:`CostBucket`.

    ``bucket`` should be the credential's own (:func:`~flowtui.connectors.http.limits.shared_limiter`); the
    HttpClient itself should be unlimited (the bucket is taken here, with the query's expected cost).
    """

    def __init__(self, http: HttpClient, path: str, *, bucket: CostBucket | None = None, first_cost: float = 50.0,
                 access_hint: str = "the app needs the read scopes this query uses",
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.http, self.path, self.bucket, self.first_cost = http, path, bucket, first_cost
        self.access_hint = access_hint
        self.throttled = 0  # queries answered THROTTLED (and asked again)
        self._costs: dict[str, float] = {}  # query text -> its requested cost last time
        self._clock, self._sleep = clock, sleep

    @property
    def service(self) -> str:
        return self.http.service

    def query(self, text: str, variables: dict | None = None) -> dict:
        """The ``data`` of the query's reply; raises :class:`GraphQLError` for a reply with errors."""
        expected = self._costs.get(text, self.first_cost)
        body = {"query": text, "variables": variables or {}}
        for _ in range(MAX_THROTTLED + 1):
            self._take(expected)
            reply = self.http.request("POST", self.path, json=body, read=_graphql_reply).data
            status = ThrottleStatus.read(reply)
            if status is not None:
                if self.bucket is not None:
                    self.bucket.observe(status.available, status.restore_rate, status.maximum)
                if status.requested is not None:  # the service wants that much in the bucket before it runs
                    expected = self._costs[text] = status.requested
            errors = reply.get("errors") or []
            if _throttled(errors):
                self.throttled += 1
                self._wait_out(status, expected)
                continue
            if errors:
                self._raise(errors)
            data = reply.get("data")
            if not isinstance(data, dict):
                raise GraphQLError(self.service, ["a reply without data"])
            return data
        raise GraphQLError(self.service, [f"still THROTTLED after {MAX_THROTTLED} waits for the bucket to refill"])

    def pages(self, text: str, variables: dict | None, paginator: GraphQLCursor) -> Iterator[dict]:
        """Every page's ``data``, following ``paginator`` until it says the end."""
        asked: dict | None = dict(variables or {})
        seen: set[str] = set()
        while asked is not None:
            data = self.query(text, asked)
            yield data
            asked = paginator.next(asked, data)
            if asked is not None:
                cursor = str(asked.get(paginator.param))
                if cursor in seen:
                    raise UnexpectedListing(self.service, paginator.connection, "the same page came back twice")
                seen.add(cursor)

    def _take(self, cost: float) -> None:
        if self.bucket is not None:
            waited = self.bucket.acquire(cost)
            self.http.stats.wait(waited or 0.0)

    def _wait_out(self, status: ThrottleStatus | None, cost: float) -> None:
        """Wait until the bucket holds ``cost`` (the service's own figures when it gave them)."""
        if status is not None:
            seconds = status.seconds_for(cost) or 1.0 / status.restore_rate
        elif self.bucket is not None:
            seconds = max(cost - self.bucket.available, 1.0) / self.bucket.restore_rate
        else:
            seconds = 1.0
        self.http.stats.wait(seconds)
        self._sleep(seconds)
        if self.bucket is not None and status is not None:  # the bucket was observed before the wait
            self.bucket.observe(min(status.maximum, status.available + seconds * status.restore_rate))

    def _raise(self, errors: list) -> None:
        messages = [str(e.get("message") or "") if isinstance(e, dict) else str(e) for e in errors]
        codes = [str(_dig(e, "extensions", "code") or "") for e in errors]
        if "ACCESS_DENIED" in codes:
            raise GraphQLAccessDenied(self.service, messages, self.access_hint)
        raise GraphQLError(self.service, messages, codes)


@dataclass(frozen=True)
class GraphQLCursor:
    """The next page of the connection at ``connection`` (a dotted path in ``data``): the same query with
    ``param`` set to its ``pageInfo.endCursor``, while ``pageInfo.hasNextPage`` is true."""

    connection: str
    param: str = "after"

    def next(self, variables: dict, data: Any) -> dict | None:
        info = _dig(data, *self.connection.split("."), "pageInfo")
        if not isinstance(info, dict) or info.get("hasNextPage") is not True:
            return None
        cursor = info.get("endCursor")
        if not isinstance(cursor, str) or not cursor:
            return None
        return {**variables, self.param: cursor}


def _graphql_reply(content: bytes) -> dict:
    """A GraphQL reply: a JSON object (anything else is asked for again, like a proxy's error page)."""
    reply = json_reply(content)
    if not isinstance(reply, dict):
        raise RetryLater("a reply that was not a GraphQL object")
    return reply


def _throttled(errors: Any) -> bool:
    if not isinstance(errors, list):
        return False
    for error in errors:
        code = _dig(error, "extensions", "code")
        message = error.get("message") if isinstance(error, dict) else None
        if code == "THROTTLED" or (isinstance(message, str) and message.strip().lower() == "throttled"):
            return True
    return False


def _dig(value: Any, *steps: str) -> Any:
    for step in steps:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value else None
