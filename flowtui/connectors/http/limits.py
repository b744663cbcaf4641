"""Rate limits, per credential: how many requests a service takes, or how much they may cost.

Two kinds cover the services flowtui reads and writes:

* :class:`RequestRate` — at most N request starts in any window of W seconds (StoreHub: 3 a second;
  Loyverse: about 60 a minute). A sliding window of the last starts, so a burst of N goes at once and
  the next waits until the oldest leaves the window: never N + 1 in any window, which a token bucket
  refilling continuously would allow.
* :class:`CostBucket` — a leaky bucket of cost points (Shopify GraphQL: each query costs points, the
  bucket refills at its restore rate). A request takes its expected cost before it is sent;
  :meth:`CostBucket.observe` then sets the bucket to what the service reports (``throttleStatus``:
  currently available, restore rate), so the client never drifts from the server's count.

A limit belongs to a credential, not to a client: every client of the same account in the process must
share one limiter, or two syncs side by side would each take the whole allowance. :func:`shared_limiter`
keeps one per key. Both limiters take a ``clock`` and a ``sleep`` so that tests can run them on fake time.

Why not a library: pyrate-limiter does request-count windows well, but neither it nor ``limits`` models a
bucket whose level the server dictates after each reply, and a deadline-aware acquire (give up rather than
wait past the request's deadline) is a few lines here against a wrapper around theirs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Protocol

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class Limiter(Protocol):
    def acquire(self, cost: float = 1.0, within: float | None = None) -> float | None:
        """Wait until a request of ``cost`` may start and take it; the seconds waited.

        ``None`` (and nothing taken) when that would mean waiting more than ``within`` seconds.
        """
        ...


class Unlimited:
    """No limit (a local file, a sandbox)."""

    def acquire(self, cost: float = 1.0, within: float | None = None) -> float | None:
        return 0.0


class RequestRate:
    """No more than ``rate`` request starts in any ``period`` seconds (plus ``margin`` for the network).

    ``rate`` may be changed while in use; ``None`` or 0 lifts the limit. Thread-safe.
    """

    def __init__(self, rate: float | None, period: float = 1.0, margin: float = 0.05, *,
                 clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.rate, self.period, self.margin = rate, period, margin
        self._clock, self._sleep = clock, sleep
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self, cost: float = 1.0, within: float | None = None) -> float | None:
        if not self.rate:
            return 0.0
        limit, window = max(1, int(self.rate)), self.period + self.margin
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and now - self._starts[0] >= window:
                    self._starts.popleft()
                if len(self._starts) < limit:
                    self._starts.append(now)
                    return waited
                pause = window - (now - self._starts[0])
            if within is not None and waited + pause > within:
                return None
            self._sleep(pause)
            waited += pause

    def wait(self) -> float:
        """Wait for a turn, however long it takes; the seconds waited."""
        return self.acquire() or 0.0


class CostBucket:
    """A leaky bucket of ``capacity`` points refilling at ``restore_rate`` points a second. Thread-safe.

    A request whose cost is more than the whole bucket waits for a full bucket and takes it (the service
    decides whether it runs).
    """

    def __init__(self, capacity: float, restore_rate: float, *, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep) -> None:
        if capacity <= 0 or restore_rate <= 0:
            raise ValueError("a cost bucket needs a capacity and a restore rate above 0")
        self.capacity, self.restore_rate = float(capacity), float(restore_rate)
        self._clock, self._sleep = clock, sleep
        self._level = self.capacity  # points available
        self._at = clock()
        self._lock = threading.Lock()

    @property
    def available(self) -> float:
        with self._lock:
            return self._refill()

    def acquire(self, cost: float = 1.0, within: float | None = None) -> float | None:
        cost = min(float(cost), self.capacity)
        waited = 0.0
        while True:
            with self._lock:
                level = self._refill()
                if level >= cost - 1e-9:  # (what rounding leaves short after a pause of exactly the shortfall)
                    self._level = max(0.0, level - cost)
                    return waited
                pause = (cost - level) / self.restore_rate
            if within is not None and waited + pause > within:
                return None
            self._sleep(pause)
            waited += pause

    def refund(self, points: float) -> None:
        """Give back points taken but not spent (a query that cost less than it was expected to)."""
        with self._lock:
            self._level = min(self.capacity, self._refill() + max(0.0, points))

    def observe(self, available: float, restore_rate: float | None = None, capacity: float | None = None) -> None:
        """Set the bucket to what the service reports it is (Shopify's ``throttleStatus``)."""
        with self._lock:
            if capacity and capacity > 0:
                self.capacity = float(capacity)
            if restore_rate and restore_rate > 0:
                self.restore_rate = float(restore_rate)
            self._level, self._at = min(self.capacity, max(0.0, float(available))), self._clock()

    def _refill(self) -> float:
        now = self._clock()
        self._level = min(self.capacity, self._level + (now - self._at) * self.restore_rate)
        self._at = now
        return self._level


_SHARED: dict[Hashable, Limiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(credential: Hashable, make: Callable[[], Limiter]) -> Limiter:
    """The one limiter of ``credential`` in this process (made by ``make`` the first time it is asked for).

    ``credential`` names the allowance, e.g. ``("shopify", "shop.myshopify.com")``: the service and the
    account, never the secret itself.
    """
    with _SHARED_LOCK:
        limiter = _SHARED.get(credential)
        if limiter is None:
            limiter = _SHARED[credential] = make()
        return limiter
