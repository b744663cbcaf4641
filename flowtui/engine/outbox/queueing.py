"""Putting documents in the outbox, and taking a failed one out of ``failed``: one unit of work each.

Nothing calls :func:`queue_posted` yet: no destination exists in flowtui so far, and posting must never wait on
one. A destination's issue wires it in (after posting, or in ``flowtui push``/``einvoice submit``), e.g.::

    queue_posted(db, "bukku:shop", stream_id=stream.id)
    dispatch(db, BukkuDestination(...))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.outbox import store
from flowtui.engine.outbox.records import OutboxItem, OutboxState
from flowtui.engine.storage.database import Database


def queue_posted(db: Database, destination: str, *, stream_id: int | None = None, since: date | None = None,
                 now: Callable[[], datetime] = clock.now) -> int:
    """Queue for ``destination`` every posted document not yet queued for it (oldest first); how many were."""
    with db.write() as con:
        return store.enqueue_documents(con, destination, now(), stream_id=stream_id, since=since)


def requeue(db: Database, outbox_id: int, *, now: Callable[[], datetime] = clock.now) -> None:
    """Send a failed document again, once its cause is fixed (same idempotency key, so still at most once)."""
    with db.write() as con:
        if store.requeue_failed(con, outbox_id, now()):
            return
        found = store.items(con)
        row = next((i for i in found if i.id == outbox_id), None)
    if row is None:
        raise NotFound(f"No outbox entry {outbox_id}.")
    raise InvalidInput(f"Outbox entry {outbox_id} ({row.document_number}) is {row.state.value}, not failed: only a "
                       "failed document is sent again.")


def outbox(db: Database, destination: str | None = None,
           states: tuple[OutboxState, ...] | None = None) -> list[OutboxItem]:
    """The outbox's rows (for ``push --status``-like listings), oldest first."""
    with db.read() as con:
        return store.items(con, destination, states)
