"""The outbox's store: queueing, claiming, recording answers, reading documents out of the ledger.

Every function runs in the caller's unit of work (``Database.write()``/``read()``) and none talks to a
destination: the dispatcher keeps the network outside the file's lock. The SQL is in ``outbox/sql.py``; rows are
read by name.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from flowtui.engine.ledger import sql as ledger_sql
from flowtui.engine.outbox import sql
from flowtui.engine.outbox.protocol import Delivery
from flowtui.engine.outbox.records import (
    DocumentKind,
    JournalEntry,
    JournalLine,
    LedgerDocument,
    Line,
    Link,
    OutboundDocument,
    OutboxItem,
    OutboxState,
    Payment,
    TaxTotal,
)
from flowtui.engine.storage.database import Connection, run
from flowtui.engine.storage.rows import one, rows

# -- queueing -----------------------------------------------------------------------------------------------------


def enqueue_documents(con: Connection, destination: str, now: datetime, *, stream_id: int | None = None,
                      since: date | None = None) -> int:
    """Queue every posted invoice and credit note (adjustments and reversals included) not yet queued for
    ``destination``, oldest first; ``stream_id`` and ``since`` (document date) narrow it. Returns how many."""
    queued = run(con, sql.ENQUEUE_DOCUMENTS, {"destination": destination, "now": now, "stream": stream_id,
                                              "since": since}).fetchall()
    return queued[0][0] if queued else 0


def enqueue(con: Connection, destination: str, kind: DocumentKind, document_id: int, number: str | None,
            now: datetime) -> bool:
    """Queue one document (any kind) for ``destination``; ``False`` when it already is."""
    inserted = run(con, sql.ENQUEUE, {"destination": destination, "kind": kind.value, "id": document_id,
                                      "number": number, "now": now}).fetchall()
    return bool(inserted and inserted[0][0])


# -- claiming -----------------------------------------------------------------------------------------------------


def claim_candidates(con: Connection, destination: str, now: datetime) -> list[dict[str, Any]]:
    """Rows a dispatcher might take, in order: ``sending`` ones (whose claimer may have died: the dispatcher
    judges), then due ``queued`` ones whose linked document, when it is queued for the same destination, is
    there already (a credit note waits for the invoice it credits). The first hundred: asked again per claim."""
    return rows(con, sql.CLAIM_CANDIDATES, {"destination": destination, "now": now})


def claim(con: Connection, candidate: dict[str, Any], token: str, now: datetime) -> bool:
    """Mark a candidate ``sending`` under ``token`` (one more attempt), unless it moved meanwhile."""
    taken = run(con, sql.CLAIM, {"id": candidate["id"], "state": candidate["state"],
                                 "previous": candidate["claimed_by"], "token": token, "now": now}).fetchall()
    return bool(taken)


def load(con: Connection, outbox_id: int) -> OutboundDocument | None:
    """A claimed row with its document read out of the books; ``None`` when the document is not there."""
    row = one(con, sql.ITEM, {"id": outbox_id})
    if row is None:
        return None
    kind = DocumentKind(row["document_kind"])
    body: LedgerDocument | JournalEntry | None
    link = None
    if kind.in_documents:
        body, linked_id = _ledger_document(con, row["document_id"])
        if linked_id is not None:
            link = _link(con, row["destination"], linked_id)
    else:
        body = _journal_entry(con, row["document_id"])
    if body is None:
        return None
    number = body.number if isinstance(body, LedgerDocument) else (row["document_number"] or f"JE-{body.entry_id}")
    return OutboundDocument(row["id"], row["destination"], kind, row["document_id"], number, row["idempotency_key"],
                            row["attempts"], body, link)


def _ledger_document(con: Connection, document_id: int) -> tuple[LedgerDocument | None, int | None]:
    head = one(con, sql.DOCUMENT_HEAD, {"id": document_id})
    if head is None:
        return None, None
    lines = tuple(Line(**r) for r in rows(con, ledger_sql.DOCUMENT_LINES, [document_id]))  # the ledger's own reads
    payments = tuple(Payment(**r) for r in rows(con, ledger_sql.DOCUMENT_PAYMENTS, [document_id]))
    taxes = tuple(TaxTotal(**r) for r in rows(con, ledger_sql.DOCUMENT_TAXES, [document_id]))
    linked_id = head.pop("linked_document_id")
    head["kind"] = DocumentKind(head["kind"])
    return LedgerDocument(**head, lines=lines, payments=payments, taxes=taxes), linked_id


def _link(con: Connection, destination: str, document_id: int) -> Link | None:
    r = one(con, sql.LINK, {"destination": destination, "id": document_id})
    if r is None:
        return None
    return Link(DocumentKind(r["kind"]), r["id"], r["number"], r["remote_id"], r["remote_number"])


def _journal_entry(con: Connection, entry_id: int) -> JournalEntry | None:
    head = one(con, sql.JOURNAL_ENTRY, {"id": entry_id})
    if head is None:
        return None
    lines = tuple(JournalLine(**r) for r in rows(con, sql.JOURNAL_LINES, {"id": entry_id}))
    return JournalEntry(**head, lines=lines)


# -- recording what happened ------------------------------------------------------------------------------------


def record_delivery(con: Connection, outbox_id: int, token: str, delivery: Delivery, now: datetime,
                    next_poll: datetime) -> bool:
    """What the destination holds, on a row still claimed under ``token``; ``False`` if the claim was lost."""
    rejected = delivery.state in (OutboxState.REJECTED, OutboxState.CANCELLED)
    message = f"{delivery.state.value} by the destination: {'; '.join(delivery.errors)}" if rejected else None
    done = run(con, sql.RECORD_DELIVERY, _answer(delivery) | {"id": outbox_id, "token": token, "now": now,
                                                               "message": message, "next_poll": next_poll}).fetchall()
    return bool(done)


def record_error(con: Connection, outbox_id: int, token: str, *, state: OutboxState, message: str,
                 errors: tuple[str, ...], now: datetime, next_attempt: datetime) -> bool:
    """A failed attempt: back to ``queued`` for ``next_attempt`` (retryable) or ``failed`` (permanent)."""
    done = run(con, sql.RECORD_ERROR, {"id": outbox_id, "token": token, "state": state.value, "message": message,
                                       "errors": list(errors), "next": next_attempt, "now": now}).fetchall()
    return bool(done)


def due_polls(con: Connection, destination: str, now: datetime) -> list[dict[str, Any]]:
    """``submitted`` rows whose time to ask again has come."""
    return rows(con, sql.DUE_POLLS, {"destination": destination, "now": now})


def record_status(con: Connection, outbox_id: int, delivery: Delivery | None, now: datetime, next_poll: datetime,
                  error: str | None = None) -> None:
    """What a poll found (``delivery``), or that it could not ask (``error``: ask again at ``next_poll``)."""
    if delivery is None:
        run(con, sql.POLL_FAILED, {"id": outbox_id, "error": error, "next_poll": next_poll, "now": now})
        return
    message = (f"{delivery.state.value} by the destination: {'; '.join(delivery.errors)}"
               if delivery.state in (OutboxState.REJECTED, OutboxState.CANCELLED) else None)
    run(con, sql.RECORD_STATUS, _answer(delivery) | {"id": outbox_id, "now": now, "next_poll": next_poll,
                                                      "message": message})


def _answer(delivery: Delivery) -> dict[str, Any]:
    return {"state": delivery.state.value, "remote_id": delivery.remote_id, "remote_number": delivery.remote_number,
            "detail": json.dumps(dict(delivery.detail), sort_keys=True) if delivery.detail else None,
            "errors": list(delivery.errors)}


def requeue_failed(con: Connection, outbox_id: int, now: datetime) -> bool:
    """Send a ``failed`` row again (after its cause was fixed), with the same key; ``False`` if it is not failed."""
    done = run(con, sql.REQUEUE_FAILED, {"id": outbox_id, "now": now}).fetchall()
    return bool(done)


# -- reading --------------------------------------------------------------------------------------------------------


def items(con: Connection, destination: str | None = None,
          states: tuple[OutboxState, ...] | None = None) -> list[OutboxItem]:
    """Outbox rows, oldest first; ``destination`` and ``states`` narrow it."""
    found = rows(con, sql.ITEMS, {"destination": destination,
                                  "states": [s.value for s in states] if states is not None else None})
    return [OutboxItem(**{**r, "document_kind": DocumentKind(r["document_kind"]), "state": OutboxState(r["state"]),
                          "remote_errors": tuple(r["remote_errors"])}) for r in found]
