"""The source conformance suite: what every source must do, as checks any source's tests can run.

Each check is a plain function ``check(books, source)`` that raises :class:`ConformanceFailure` (an
``AssertionError``, so pytest reports it as a failed assertion) when the source misbehaves:

* :func:`windows` — a sync of a business-date window lands exactly the source's orders of that window,
  every one dated inside it (a source may fetch more; landing keeps the window);
* :func:`rereads_are_idempotent` — syncing the same window again lands nothing new and changes nothing;
* :func:`voids_land_voided` — an order voided at the source lands again as ``status: voided`` (a new
  version of the same order), as ``docs/orders.md`` says;
* :func:`returns_land_as_returns` — a return lands as ``type: return`` with a positive total, linked to
  the sale it returns;
* :func:`hostile_payloads_are_rejected` — broken orders planted at the source are rejected one by one
  with their reasons, the sync does not fail, and everything else still lands;
* :func:`wrong_credentials_fail_cleanly` — with wrong credentials, testing the stream and syncing it fail
  with one clear line (a :class:`~flowtui.engine.core.errors.FlowError`-style message naming what to
  check), never a traceback, and land nothing.

Two adapters connect the checks to the world. :class:`SourceUnderTest` is the source's side, written
once per source against its fake or sandbox (it knows the truth: which orders a window holds, how to void
one). :class:`Books` is flowtui's side: ``flowtui.testing.FlowBooks`` runs it all through the engine on a
temporary database. A source's tests then read::

    from flowtui.connectors import conformance
    from flowtui.testing import FlowBooks

    @pytest.mark.parametrize("check", conformance.CHECKS, ids=conformance.name)
    def test_conformance(check, flow, my_source):
        check(FlowBooks(flow), my_source)

``tests/integration/test_conformance.py`` runs it for StoreHub (against ``flowtui.sandbox.storehub``) and for the
file source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from flowtui.connectors.base import SourceError
from flowtui.engine.core.errors import FlowError


class ConformanceFailure(AssertionError):
    """A source does not do what every source must."""


@dataclass(frozen=True)
class Landed:
    """An order as it landed in the books."""

    id: str
    business_date: date
    type: str  # sale | return
    status: str  # completed | voided
    total: Decimal
    version: int
    original: str | None = None  # the sale a return returns: its id or number, as the source said


@dataclass
class Synced:
    """What one sync did."""

    failed: bool
    error: str | None = None
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (order id or where, reasons)


class Books(Protocol):
    """flowtui's side: a stream of the source, synced into books the checks can read."""

    def connect(self, provider: str, options: dict, start: date) -> str:
        """A new stream reading the source with ``options``; its name."""
        ...

    def sync(self, stream: str, first: date, last: date) -> Synced: ...

    def orders(self, stream: str) -> dict[str, Landed]:
        """The stream's landed orders by id."""
        ...

    def test(self, stream: str) -> str:
        """The stream's connection test: its one-line description, or the error it raises."""
        ...


class SourceUnderTest(Protocol):
    """The source's side, over a fake or sandbox the test controls. Dates are business dates in the
    company's time zone (Asia/Kuala_Lumpur unless the books say otherwise; no location is mapped)."""

    provider: str

    def options(self) -> dict:
        """The stream options that read this source (credentials included, as ``stream add`` takes them)."""
        ...

    def wrong_options(self) -> dict | None:
        """The same, with credentials the source refuses; ``None`` when the source takes none."""
        ...

    def window(self) -> tuple[date, date]:
        """A window with orders in it, and orders on the days either side of it."""
        ...

    def expected(self, first: date, last: date) -> set[str]:
        """The ids of every order (voided ones too) the source holds for that window."""
        ...

    def void(self, first: date, last: date) -> str:
        """Void a completed sale of the window at the source; its id."""
        ...

    def refund(self, first: date, last: date) -> tuple[str, str]:
        """Make a return in the window against an earlier sale; (the return's id, the sale's id or number)."""
        ...

    def plant_hostile(self, first: date, last: date) -> list[str]:
        """Put broken orders in the window at the source; how each names itself (id, or where it is)."""
        ...


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceFailure(message)


def _synced(books: Books, stream: str, first: date, last: date) -> Synced:
    outcome = books.sync(stream, first, last)
    _expect(not outcome.failed, f"the sync of {first}..{last} failed: {outcome.error}")
    return outcome


def _connected(books: Books, source: SourceUnderTest) -> tuple[str, date, date]:
    first, last = source.window()
    return books.connect(source.provider, source.options(), first), first, last


def windows(books: Books, source: SourceUnderTest) -> None:
    stream, first, last = _connected(books, source)
    _synced(books, stream, first, last)
    landed = books.orders(stream)
    outside = sorted(o.id for o in landed.values() if not first <= o.business_date <= last)
    _expect(not outside, f"orders landed outside {first}..{last}: {outside[:5]}")
    expected = source.expected(first, last)
    _expect(bool(expected), "the source's window holds no orders: the check would prove nothing")
    missing, extra = sorted(expected - set(landed)), sorted(set(landed) - expected)
    _expect(not missing and not extra, f"window {first}..{last}: missing {missing[:5]}, unexpected {extra[:5]}")


def rereads_are_idempotent(books: Books, source: SourceUnderTest) -> None:
    stream, first, last = _connected(books, source)
    once = _synced(books, stream, first, last)
    before = books.orders(stream)
    again = _synced(books, stream, first, last)
    _expect(once.new > 0, "the first sync landed nothing: the check would prove nothing")
    _expect((again.new, again.changed) == (0, 0),
            f"syncing the same window again landed {again.new} new and {again.changed} changed orders")
    _expect(books.orders(stream) == before, "syncing the same window again changed the landed orders")


def voids_land_voided(books: Books, source: SourceUnderTest) -> None:
    stream, first, last = _connected(books, source)
    _synced(books, stream, first, last)
    before = books.orders(stream)
    voided = source.void(first, last)
    _expect(before.get(voided) is not None and before[voided].status == "completed",
            f"order {voided} should have landed completed before it was voided")
    outcome = _synced(books, stream, first, last)
    after = books.orders(stream)
    order = after.get(voided)
    _expect(order is not None and order.status == "voided", f"the voided order {voided} landed as {order}")
    _expect(order is not None and order.version == before[voided].version + 1,
            "a void lands as a new version of the same order")
    _expect(outcome.changed >= 1 and outcome.new == 0, f"the void landed {outcome.new} new, {outcome.changed} changed")
    untouched = {k: v for k, v in after.items() if k != voided}
    _expect(untouched == {k: v for k, v in before.items() if k != voided}, "a void changed other orders")


def returns_land_as_returns(books: Books, source: SourceUnderTest) -> None:
    stream, first, last = _connected(books, source)
    _synced(books, stream, first, last)
    returned, original = source.refund(first, last)
    _synced(books, stream, first, last)
    order = books.orders(stream).get(returned)
    if order is None:
        raise ConformanceFailure(f"the return {returned} did not land")
    _expect(order.type == "return", f"the return {returned} landed as a {order.type}")
    _expect(order.total > 0, f"a return carries positive amounts (type makes it subtract), not {order.total}")
    _expect(order.original == original, f"the return {returned} names {order.original!r}, not the sale {original!r}")


def hostile_payloads_are_rejected(books: Books, source: SourceUnderTest) -> None:
    stream, first, last = _connected(books, source)
    planted = source.plant_hostile(first, last)
    _expect(bool(planted), "nothing hostile was planted: the check would prove nothing")
    outcome = _synced(books, stream, first, last)
    reasons = {where: errors for where, errors in outcome.rejected}
    for name in planted:
        found = [errors for where, errors in reasons.items() if where == name or name in where]
        _expect(bool(found), f"the hostile entry {name} was not rejected (rejections: {sorted(reasons)[:8]})")
        _expect(all(found) and all(e.strip() for errors in found for e in errors),
                f"the hostile entry {name} was rejected without a reason")
    landed = books.orders(stream)
    missing = sorted(source.expected(first, last) - set(planted) - set(landed))
    _expect(not missing, f"hostile entries cost other orders their landing: {missing[:5]}")


_CREDENTIAL_WORDS = ("credential", "key", "token", "password", "secret")


def _clean(message: str, what: str) -> None:
    _expect(bool(message.strip()), f"{what} failed without a message")
    _expect("Traceback" not in message and "\n" not in message.strip(), f"{what} is not one clean line: {message!r}")
    _expect(re.match(r"^[A-Za-z_.]+(Error|Exception): ", message) is None,
            f"{what} shows a programmer's exception, not a message: {message!r}")
    _expect(any(w in message.lower() for w in _CREDENTIAL_WORDS),
            f"{what} does not say to check the credentials: {message!r}")


def wrong_credentials_fail_cleanly(books: Books, source: SourceUnderTest) -> None:
    wrong = source.wrong_options()
    if wrong is None:
        return  # a source without credentials (files): nothing to refuse
    first, last = source.window()
    stream = books.connect(source.provider, wrong, first)
    try:
        books.test(stream)
    except Exception as exc:
        _expect(_user_facing(exc), f"the test raised {type(exc).__name__}, not an error meant for people")
        _clean(str(exc), "the connection test")
    else:
        raise ConformanceFailure("the connection test passed with wrong credentials")
    outcome = books.sync(stream, first, last)
    _expect(outcome.failed, "a sync with wrong credentials did not fail")
    _clean(outcome.error or "", "the sync")
    _expect(not books.orders(stream), "a sync with wrong credentials landed orders")


def _user_facing(exc: BaseException) -> bool:
    """A FlowError, or a source's error (``SourceError``): what the CLI prints as one line, exit code and all."""
    return isinstance(exc, (FlowError, SourceError))


Check = Callable[[Books, SourceUnderTest], None]
CHECKS: list[Check] = [windows, rereads_are_idempotent, voids_land_voided, returns_land_as_returns,
                       hostile_payloads_are_rejected, wrong_credentials_fail_cleanly]


def name(check: Check) -> str:
    """A check's name, for pytest ids."""
    return check.__name__
