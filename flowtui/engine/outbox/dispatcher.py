"""Sending what the outbox holds to one destination, exactly once.

For each document, three steps, and the database file is held only in the first and the last:

1. **claim** (a write unit of work): the row becomes ``sending`` under a token naming this process, with one
   more attempt, and the document is read out of the books;
2. **ask** (no file held: posting, syncing and the console go on meanwhile): if an earlier attempt may have
   reached the destination (``attempt > 1``: a crash, a timeout), ``find`` first; then ``send`` with the row's
   idempotency key, which is the same on every attempt;
3. **record** (a write unit of work): the remote id and state, or the error; only while the row is still
   claimed under this token.

A process that dies between 2 and 3 leaves its row ``sending``. The next dispatcher takes it over when its
claimer is a process of this machine that is gone, or when the claim is older than ``lease`` (a claimer on
another machine, or a thread of this very process): the destination is asked what it has before anything is
sent again, and the key makes a repeated request create nothing new. So a document reaches the destination
once, whatever stops where.

Retryable errors put the row back in the queue with exponential backoff (honouring ``Retry-After``) and, after
``max_attempts``, leave it ``failed``; permanent errors leave it ``failed`` at once, the destination's messages
kept verbatim. Nothing here is called by posting: posting never waits on a destination.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flowtui.engine.core import clock
from flowtui.engine.outbox import store
from flowtui.engine.outbox.protocol import Delivery, Destination, PermanentError, RetryableError
from flowtui.engine.outbox.records import OutboundDocument, OutboxState
from flowtui.engine.storage.database import Database

LEASE = timedelta(minutes=10)  # a claim older than this is taken over, wherever its claimer runs
MAX_ATTEMPTS = 8
FIRST_BACKOFF = timedelta(seconds=30)  # then 1, 2, 4... minutes
MAX_BACKOFF = timedelta(hours=1)
POLL_EVERY = timedelta(seconds=5)  # asking again about a submitted document (MyInvois: at least 3 s apart)


@dataclass(frozen=True)
class Policy:
    lease: timedelta = LEASE
    max_attempts: int = MAX_ATTEMPTS
    first_backoff: timedelta = FIRST_BACKOFF
    max_backoff: timedelta = MAX_BACKOFF
    poll_every: timedelta = POLL_EVERY

    def backoff(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """The wait before attempt ``attempts + 1``: doubling from ``first_backoff``, at least ``retry_after``."""
        wait = min(self.first_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return max(wait, timedelta(seconds=retry_after or 0))


@dataclass
class DispatchReport:
    """What one run did, for the CLI and the console to show."""

    destination: str
    sent: list[str] = field(default_factory=list)  # document numbers now at the destination and accepted
    submitted: list[str] = field(default_factory=list)  # taken, still being judged: run again later
    resumed: list[str] = field(default_factory=list)  # found at the destination after an interrupted attempt
    retrying: list[tuple[str, str]] = field(default_factory=list)  # (number, error): queued for a later attempt
    failed: list[tuple[str, str]] = field(default_factory=list)  # (number, error)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (number, the destination's errors)
    lost: list[str] = field(default_factory=list)  # claims another dispatcher took over meanwhile


def claimer() -> str:
    """A claim token: this machine, this process, and a random part so that two claims never look alike."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def abandoned(claimed_by: str | None, claimed_at: datetime | None, now: datetime, lease: timedelta) -> bool:
    """Whether a ``sending`` row's claimer is gone: a process of this machine that no longer runs, or a claim
    older than ``lease``. A claim of this very process is trusted until its lease ends (another thread's)."""
    if claimed_at is None or claimed_at + lease <= now:
        return True
    host, _, rest = (claimed_by or "").partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return pid != os.getpid() and not _alive(pid)


def dispatch(db: Database, destination: Destination, *, now: Callable[[], datetime] = clock.now,
             policy: Policy = Policy(), limit: int | None = None) -> DispatchReport:
    """Ask about submitted documents whose time has come, then send every due document queued for
    ``destination`` (at most ``limit``): a credit note whose invoice was just found valid goes in the same run."""
    report = DispatchReport(destination.name)
    _poll(db, destination, now, policy, report)
    token = claimer()
    done = 0
    while limit is None or done < limit:
        document = _claim_next(db, destination.name, token, now(), policy)
        if document is None:
            break
        done += 1
        _deliver(db, destination, document, token, now, policy, report)
    return report


def _claim_next(db: Database, name: str, token: str, at: datetime, policy: Policy) -> OutboundDocument | None:
    with db.write() as con:
        for candidate in store.claim_candidates(con, name, at):
            if candidate["state"] == OutboxState.SENDING and not abandoned(
                    candidate["claimed_by"], candidate["claimed_at"], at, policy.lease):
                continue  # another dispatcher is at it
            if not store.claim(con, candidate, token, at):
                continue
            document = store.load(con, candidate["id"])
            if document is None:
                store.record_error(con, candidate["id"], token, state=OutboxState.FAILED,
                                   message="The document is no longer in the books.", errors=(), now=at,
                                   next_attempt=at)
                continue
            return document
    return None


def _deliver(db: Database, destination: Destination, document: OutboundDocument, token: str,
             now: Callable[[], datetime], policy: Policy, report: DispatchReport) -> None:
    outcome, resumed = _ask(destination, document)
    at = now()
    number = document.number
    with db.write() as con:
        if isinstance(outcome, Delivery):
            kept = store.record_delivery(con, document.outbox_id, token, outcome, at, at + policy.poll_every)
        else:
            state, message, errors, wait = _judge(outcome, document.attempt, policy)
            kept = store.record_error(con, document.outbox_id, token, state=state, message=message, errors=errors,
                                      now=at, next_attempt=at + wait)
    if not kept:
        report.lost.append(number)
    elif isinstance(outcome, Delivery):
        if resumed:
            report.resumed.append(number)
        _tally(report, number, outcome)
    else:
        (report.failed if state is OutboxState.FAILED else report.retrying).append((number, message))


def _ask(destination: Destination, document: OutboundDocument) -> tuple[Delivery | Exception, bool]:
    """What the destination holds after this attempt, or the error that stopped it; and whether it was found
    there from an earlier attempt rather than sent now."""
    try:
        if document.may_be_there:
            found = destination.find(document)
            if found is not None:
                return found, True
        return destination.send(document), False
    except Exception as exc:
        return exc, False


def _judge(error: Exception, attempt: int, policy: Policy) -> tuple[OutboxState, str, tuple[str, ...], timedelta]:
    """A failed attempt's next state, message, the destination's own errors, and the wait before the next try."""
    if isinstance(error, PermanentError):
        return OutboxState.FAILED, str(error), error.errors, timedelta(0)
    retry_after = error.retry_after if isinstance(error, RetryableError) else None
    errors = error.errors if isinstance(error, RetryableError) else ()
    message = str(error) if isinstance(error, RetryableError) else f"{type(error).__name__}: {error}"
    if attempt >= policy.max_attempts:
        return OutboxState.FAILED, f"Gave up after {attempt} attempts; the last said: {message}", errors, timedelta(0)
    return OutboxState.QUEUED, message, errors, policy.backoff(attempt, retry_after)


def _tally(report: DispatchReport, number: str, delivery: Delivery) -> None:
    if delivery.state is OutboxState.SENT:
        report.sent.append(number)
    elif delivery.state is OutboxState.SUBMITTED:
        report.submitted.append(number)
    else:
        report.rejected.append((number, "; ".join(delivery.errors) or delivery.state.value))


def _poll(db: Database, destination: Destination, now: Callable[[], datetime], policy: Policy,
          report: DispatchReport) -> None:
    """Ask about every submitted document whose time has come; an error asking is kept and asked again later."""
    with db.read() as con:
        due = store.due_polls(con, destination.name, now())
    for row in due:
        delivery: Delivery | None = None
        error = None
        try:
            delivery = destination.status(row["remote_id"])
        except Exception as exc:
            error = str(exc) if isinstance(exc, RetryableError | PermanentError) else f"{type(exc).__name__}: {exc}"
        at = now()
        wait = policy.poll_every if error is None else policy.first_backoff
        with db.write() as con:
            store.record_status(con, row["id"], delivery, at, at + wait, error)
        if delivery is not None:
            _tally(report, row["number"], delivery)
