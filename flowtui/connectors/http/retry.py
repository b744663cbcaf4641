"""Asking again: jittered exponential backoff, ``Retry-After`` honoured, every pause within a deadline.

The loop is tenacity's (``Retrying`` with our own stop, wait and sleep); what is ours is the policy:

* an attempt that raises :class:`~flowtui.connectors.http.errors.RetryLater` is tried again, anything
  else goes straight to the caller (401/403, a 404, a bug);
* the pause before the next attempt is full jitter — a random time up to ``base x 2^n``, at most ``cap``
  (tenacity's ``wait_random_exponential``) — or the service's ``Retry-After`` when that is longer;
* it stops after ``attempts`` attempts, or as soon as the next pause would reach the request's deadline
  (no attempt and no pause ever runs past it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import tenacity

from flowtui.connectors.http.errors import RetryLater
from flowtui.connectors.http.stats import RequestStats

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base: float = 0.5  # seconds: the first retry waits up to this, the window doubling each time
    cap: float = 8.0  # seconds: the longest backoff
    statuses: frozenset[int] = RETRY_STATUSES  # replies worth asking again (with 429 and 503 reading Retry-After)
    max_retry_after: float | None = None  # the longest Retry-After obeyed; None: all of it (the deadline bounds it)

    def backoff(self, attempt_number: int) -> float:
        """The jittered pause after attempt ``attempt_number`` (1 = the first) failed."""
        state = tenacity.RetryCallState(tenacity.Retrying(), None, (), {})
        state.attempt_number = attempt_number
        return float(tenacity.wait_random_exponential(multiplier=self.base, max=self.cap)(state))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for: a number of seconds, or an HTTP date; ``None`` if unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # nan, inf
        return None
    return max(0.0, seconds)


def header_wait(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    return retry_after(headers.get("Retry-After"), now)


@dataclass
class Tries:
    """One request's attempts so far: how many were sent, the last reason, when its time is up (monotonic)."""

    ends: float | None
    sent: int = 0
    last: str = "no answer"
    out_of_time: bool = False

    def failed(self, reason: str | None) -> None:
        if reason is not None:
            self.last = reason


class Exhausted(Exception):
    """Every attempt failed or the time was up; :attr:`tries` says how it went."""

    def __init__(self, tries: Tries) -> None:
        super().__init__(tries.last)
        self.tries = tries


class OutOfTime(Exception):
    """Raised by an attempt that finds no time left before sending anything."""


def run(attempt: Callable[[Tries], T], policy: RetryPolicy, tries: Tries, *, stats: RequestStats,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> T:
    """``attempt(tries)`` until it returns, as the policy allows; :class:`Exhausted` when it gives up."""

    def wait(state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        pause = policy.backoff(state.attempt_number)
        asked = error.after if isinstance(error, RetryLater) else None
        if asked is not None:
            pause = max(pause, asked if policy.max_retry_after is None else min(asked, policy.max_retry_after))
        return pause

    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= policy.attempts:
            return True
        if tries.ends is not None and clock() + state.upcoming_sleep >= tries.ends:
            tries.out_of_time = True
            return True
        return False

    def pause(seconds: float) -> None:
        stats.wait(seconds)
        sleep(seconds)

    def gave_up(_state: tenacity.RetryCallState) -> T:
        raise Exhausted(tries)

    def before_sleep(_state: tenacity.RetryCallState) -> None:
        stats.add(retries=1)

    retrying = tenacity.Retrying(stop=stop, wait=wait, sleep=pause, retry=tenacity.retry_if_exception_type(RetryLater),
                                 retry_error_callback=gave_up, before_sleep=before_sleep)
    try:
        return retrying(attempt, tries)
    except OutOfTime:
        tries.out_of_time = True
        raise Exhausted(tries) from None
