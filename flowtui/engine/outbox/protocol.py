"""What a destination implements: an accounting system, LHDN MyInvois, anything documents are sent to.

A destination is an object with a ``name`` and three methods. It never touches the database: the dispatcher
(:mod:`flowtui.engine.outbox.dispatcher`) hands it a plain :class:`~flowtui.engine.outbox.records.OutboundDocument`
with the file already closed, and records what it answers.

* ``send(document) -> Delivery``: create the document at the destination. Send
  ``document.idempotency_key`` along where the API takes one (a header, a reference or code-number field), so
  that a second request for the same document creates nothing new; ``document.link`` names the document a
  credit note or adjustment refers to, with its remote id there.
* ``find(document) -> Delivery | None``: what the destination already has of this document, asked before
  sending again whenever an earlier attempt may have reached it (``document.may_be_there``: a crash between
  request and record, a timeout). Bukku: look the number up; MyInvois: the submission or the code number.
  ``None`` means "not there" (or "cannot tell": then ``send`` must be safe to repeat with the same key).
* ``status(remote_id) -> Delivery``: for a document answered ``submitted`` (taken, judged later), where it
  stands now. A destination that accepts on the spot answers ``sent`` from ``send`` and is never asked.

Errors: raise :class:`RetryableError` when trying again later may work (timeouts, 429 with ``Retry-After``,
5xx, the service down), :class:`PermanentError` when it will not until someone changes something (401, a
validation error: give the destination's own messages in ``errors``, verbatim). Anything else a destination
raises is treated as retryable, and its text kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from flowtui.engine.core.errors import FlowError
from flowtui.engine.outbox.records import ANSWERS, OutboundDocument, OutboxState


@dataclass(frozen=True)
class Delivery:
    """What a destination says it holds for a document."""

    remote_id: str  # its id there (Bukku transaction id, MyInvois document UUID)
    state: OutboxState = OutboxState.SENT  # sent | submitted | rejected | cancelled
    remote_number: str | None = None  # its number there, when the destination numbers documents itself
    detail: Mapping[str, str] = field(default_factory=dict)  # anything else worth keeping (MyInvois longId, uid)
    errors: tuple[str, ...] = ()  # the destination's own words when it rejected the document

    def __post_init__(self) -> None:
        if self.state not in ANSWERS:
            raise ValueError(f"a destination answers one of {sorted(ANSWERS)}, not {self.state!r}")
        if not self.remote_id:
            raise ValueError("a delivery needs the destination's id for the document")


class DestinationError(FlowError):
    """A destination could not take a document; the message says why in words a person can act on."""

    def __init__(self, message: str, errors: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)  # the destination's own messages, verbatim


class RetryableError(DestinationError):
    """Trying the same request again later may work (timeout, rate limit, server error, service down)."""

    def __init__(self, message: str, errors: tuple[str, ...] | list[str] = (), *,
                 retry_after: float | None = None) -> None:
        super().__init__(message, errors)
        self.retry_after = retry_after  # seconds the destination asked us to wait (Retry-After), if it did


class PermanentError(DestinationError):
    """The same request will fail again until someone changes something (credentials, mappings, the document)."""


@runtime_checkable
class Destination(Protocol):
    """Somewhere documents go. ``name`` is what the outbox's ``destination`` column holds ("bukku:shop")."""

    name: str

    def send(self, document: OutboundDocument) -> Delivery: ...

    def find(self, document: OutboundDocument) -> Delivery | None: ...

    def status(self, remote_id: str) -> Delivery: ...
