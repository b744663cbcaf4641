"""The outbox's SQL: queueing, claiming, recording answers, reading documents out of the ledger.

Every function runs in the caller's unit of work (``Database.write()``/``read()``) and none talks to a
destination: the dispatcher keeps the network outside the file's lock. Rows are read by name.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

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

# The same document for the same destination gets the same key in this database for ever (and another database's
# books, with their own database_id, never collide with it): 32 hex digits.
_KEY = ("md5(coalesce((SELECT max(value) FROM settings WHERE key = 'database_id'), '') || '/' || $destination "
        "|| '/' || {kind} || '/' || CAST({id} AS VARCHAR))")
_LEDGER_KINDS = "('invoice', 'credit_note')"


def _records(cursor: Connection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# -- queueing -----------------------------------------------------------------------------------------------------


def enqueue_documents(con: Connection, destination: str, now: datetime, *, stream_id: int | None = None,
                      since: date | None = None) -> int:
    """Queue every posted invoice and credit note (adjustments and reversals included) not yet queued for
    ``destination``, oldest first; ``stream_id`` and ``since`` (document date) narrow it. Returns how many."""
    _key = _KEY.format(kind="d.kind", id="d.id")
    queued = run(con, f"""
        INSERT INTO outbox (destination, document_kind, document_id, document_number, state, idempotency_key,
                            next_attempt_at, created_at, updated_at)
        SELECT $destination, d.kind, d.id, d.number, 'queued', {_key}, $now, $now, $now
        FROM documents d
        WHERE ($stream IS NULL OR d.stream_id = $stream) AND ($since IS NULL OR d.date >= $since)
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.destination = $destination AND o.document_kind = d.kind
                          AND o.document_id = d.id)
        ORDER BY d.id
        """, {"destination": destination, "now": now, "stream": stream_id, "since": since}).fetchall()
    return queued[0][0] if queued else 0


def enqueue(con: Connection, destination: str, kind: DocumentKind, document_id: int, number: str | None,
            now: datetime) -> bool:
    """Queue one document (any kind) for ``destination``; ``False`` when it already is."""
    _key = _KEY.format(kind="$kind", id="$id")
    inserted = run(con, f"""
        INSERT INTO outbox (destination, document_kind, document_id, document_number, state, idempotency_key,
                            next_attempt_at, created_at, updated_at)
        SELECT $destination, $kind, $id, $number, 'queued', {_key}, $now, $now, $now
        WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE destination = $destination AND document_kind = $kind
                          AND document_id = $id)
        """, {"destination": destination, "kind": kind.value, "id": document_id, "number": number,
              "now": now}).fetchall()
    return bool(inserted and inserted[0][0])


# -- claiming -----------------------------------------------------------------------------------------------------


def claim_candidates(con: Connection, destination: str, now: datetime) -> list[dict[str, Any]]:
    """Rows a dispatcher might take, in order: ``sending`` ones (whose claimer may have died: the dispatcher
    judges), then due ``queued`` ones whose linked document, when it is queued for the same destination, is
    there already (a credit note waits for the invoice it credits). The first hundred: asked again per claim."""
    return _records(run(con, f"""
        SELECT o.id, o.state, o.claimed_at, o.claimed_by
        FROM outbox o
        WHERE o.destination = $destination
          AND (o.state = 'sending'
               OR (o.state = 'queued' AND o.next_attempt_at <= $now AND NOT EXISTS (
                   SELECT 1 FROM documents d
                   JOIN outbox l ON l.destination = o.destination AND l.document_kind IN {_LEDGER_KINDS}
                                AND l.document_id = d.linked_document_id
                   WHERE o.document_kind IN {_LEDGER_KINDS} AND d.id = o.document_id AND l.state <> 'sent')))
        ORDER BY o.state = 'sending' DESC, o.id
        LIMIT 100
        """, {"destination": destination, "now": now}))


def claim(con: Connection, candidate: dict[str, Any], token: str, now: datetime) -> bool:
    """Mark a candidate ``sending`` under ``token`` (one more attempt), unless it moved meanwhile."""
    taken = run(con, """
        UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_at = $now, claimed_by = $token,
                          updated_at = $now
        WHERE id = $id AND state = $state AND claimed_by IS NOT DISTINCT FROM $previous
        RETURNING id
        """, {"id": candidate["id"], "state": candidate["state"], "previous": candidate["claimed_by"],
              "token": token, "now": now}).fetchall()
    return bool(taken)


def load(con: Connection, outbox_id: int) -> OutboundDocument | None:
    """A claimed row with its document read out of the books; ``None`` when the document is not there."""
    rows = _records(run(con, "SELECT * FROM outbox WHERE id = $id", {"id": outbox_id}))
    if not rows:
        return None
    row = rows[0]
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
    heads = _records(run(con, """
        SELECT d.kind, coalesce(d.role, 'original') AS role, d.number, d.date, d.status, c.name AS contact,
               l.name AS location, s.name AS stream, d.currency, d.subtotal, d.discount, d.service_charge, d.tax,
               d.rounding, d.total, d.linked_document_id, ld.number AS linked_number
        FROM documents d
        JOIN contacts c ON c.id = d.contact_id
        JOIN locations l ON l.id = d.location_id
        JOIN streams s ON s.id = d.stream_id
        LEFT JOIN documents ld ON ld.id = d.linked_document_id
        WHERE d.id = $id
        """, {"id": document_id}))
    if not heads:
        return None, None
    head = heads[0]
    lines = tuple(Line(**r) for r in _records(run(con, """
        SELECT line_no, kind, description, sku, quantity, unit_price, discount, tax, tax_code, amount, account_code,
               side
        FROM document_lines WHERE document_id = $id ORDER BY line_no
        """, {"id": document_id})))
    payments = tuple(Payment(**r) for r in _records(run(con, """
        SELECT method, account_code, amount FROM document_payments WHERE document_id = $id ORDER BY method
        """, {"id": document_id})))
    taxes = tuple(TaxTotal(**r) for r in _records(run(con, """
        SELECT tax_code, taxable, tax FROM document_taxes WHERE document_id = $id ORDER BY tax_code
        """, {"id": document_id})))
    linked_id = head.pop("linked_document_id")
    head["kind"] = DocumentKind(head["kind"])
    return LedgerDocument(**head, lines=lines, payments=payments, taxes=taxes), linked_id


def _link(con: Connection, destination: str, document_id: int) -> Link | None:
    rows = _records(run(con, """
        SELECT d.kind, d.id, d.number, o.remote_id, o.remote_number
        FROM documents d
        LEFT JOIN outbox o ON o.destination = $destination AND o.document_kind = d.kind AND o.document_id = d.id
        WHERE d.id = $id
        """, {"destination": destination, "id": document_id}))
    if not rows:
        return None
    r = rows[0]
    return Link(DocumentKind(r["kind"]), r["id"], r["number"], r["remote_id"], r["remote_number"])


def _journal_entry(con: Connection, entry_id: int) -> JournalEntry | None:
    heads = _records(run(con, "SELECT id AS entry_id, date, kind, memo FROM journal_entries WHERE id = $id",
                         {"id": entry_id}))
    if not heads:
        return None
    lines = tuple(JournalLine(**r) for r in _records(run(con, """
        SELECT line_no, account_code, debit, credit, memo, tax_code
        FROM journal_lines WHERE entry_id = $id ORDER BY line_no
        """, {"id": entry_id})))
    return JournalEntry(**heads[0], lines=lines)


# -- recording what happened ------------------------------------------------------------------------------------


def record_delivery(con: Connection, outbox_id: int, token: str, delivery: Delivery, now: datetime,
                    next_poll: datetime) -> bool:
    """What the destination holds, on a row still claimed under ``token``; ``False`` if the claim was lost."""
    rejected = delivery.state in (OutboxState.REJECTED, OutboxState.CANCELLED)
    message = f"{delivery.state.value} by the destination: {'; '.join(delivery.errors)}" if rejected else None
    done = run(con, """
        UPDATE outbox SET state = $state, remote_id = $remote_id, remote_number = $remote_number,
                          remote_detail = $detail, remote_errors = $errors,
                          last_error = coalesce($message, last_error), claimed_at = NULL, claimed_by = NULL,
                          next_attempt_at = CASE WHEN $state = 'submitted' THEN $next_poll ELSE next_attempt_at END,
                          sent_at = CASE WHEN $state = 'sent' THEN $now ELSE sent_at END, updated_at = $now
        WHERE id = $id AND state = 'sending' AND claimed_by = $token
        RETURNING id
        """, _answer(delivery) | {"id": outbox_id, "token": token, "now": now, "message": message,
                                  "next_poll": next_poll}).fetchall()
    return bool(done)


def record_error(con: Connection, outbox_id: int, token: str, *, state: OutboxState, message: str,
                 errors: tuple[str, ...], now: datetime, next_attempt: datetime) -> bool:
    """A failed attempt: back to ``queued`` for ``next_attempt`` (retryable) or ``failed`` (permanent)."""
    done = run(con, """
        UPDATE outbox SET state = $state, last_error = $message, remote_errors = $errors, claimed_at = NULL,
                          claimed_by = NULL, next_attempt_at = $next, updated_at = $now
        WHERE id = $id AND state = 'sending' AND claimed_by = $token
        RETURNING id
        """, {"id": outbox_id, "token": token, "state": state.value, "message": message, "errors": list(errors),
              "next": next_attempt, "now": now}).fetchall()
    return bool(done)


def due_polls(con: Connection, destination: str, now: datetime) -> list[dict[str, Any]]:
    """``submitted`` rows whose time to ask again has come."""
    return _records(run(con, """
        SELECT id, remote_id, coalesce(document_number, CAST(document_id AS VARCHAR)) AS number FROM outbox
        WHERE destination = $destination AND state = 'submitted' AND next_attempt_at <= $now ORDER BY id
        """, {"destination": destination, "now": now}))


def record_status(con: Connection, outbox_id: int, delivery: Delivery | None, now: datetime, next_poll: datetime,
                  error: str | None = None) -> None:
    """What a poll found (``delivery``), or that it could not ask (``error``: ask again at ``next_poll``)."""
    if delivery is None:
        run(con, """
            UPDATE outbox SET last_error = $error, next_attempt_at = $next_poll, updated_at = $now
            WHERE id = $id AND state = 'submitted'
            """, {"id": outbox_id, "error": error, "next_poll": next_poll, "now": now})
        return
    message = (f"{delivery.state.value} by the destination: {'; '.join(delivery.errors)}"
               if delivery.state in (OutboxState.REJECTED, OutboxState.CANCELLED) else None)
    run(con, """
        UPDATE outbox SET state = $state, remote_id = $remote_id, remote_number = coalesce($remote_number, remote_number),
                          remote_detail = coalesce($detail, remote_detail), remote_errors = $errors,
                          last_error = coalesce($message, last_error), next_attempt_at = $next_poll,
                          sent_at = CASE WHEN $state = 'sent' THEN $now ELSE sent_at END, updated_at = $now
        WHERE id = $id AND state = 'submitted'
        """, _answer(delivery) | {"id": outbox_id, "now": now, "next_poll": next_poll, "message": message})


def _answer(delivery: Delivery) -> dict[str, Any]:
    return {"state": delivery.state.value, "remote_id": delivery.remote_id, "remote_number": delivery.remote_number,
            "detail": json.dumps(dict(delivery.detail), sort_keys=True) if delivery.detail else None,
            "errors": list(delivery.errors)}


def requeue_failed(con: Connection, outbox_id: int, now: datetime) -> bool:
    """Send a ``failed`` row again (after its cause was fixed), with the same key; ``False`` if it is not failed."""
    done = run(con, """
        UPDATE outbox SET state = 'queued', next_attempt_at = $now, updated_at = $now
        WHERE id = $id AND state = 'failed' RETURNING id
        """, {"id": outbox_id, "now": now}).fetchall()
    return bool(done)


# -- reading --------------------------------------------------------------------------------------------------------


def items(con: Connection, destination: str | None = None,
          states: tuple[OutboxState, ...] | None = None) -> list[OutboxItem]:
    """Outbox rows, oldest first; ``destination`` and ``states`` narrow it."""
    rows = _records(run(con, """
        SELECT id, destination, document_kind, document_id, document_number, state, attempts, next_attempt_at,
               remote_id, remote_number, last_error, remote_errors, idempotency_key, created_at, updated_at, sent_at
        FROM outbox
        WHERE ($destination IS NULL OR destination = $destination)
          AND ($states IS NULL OR list_contains($states, state))
        ORDER BY id
        """, {"destination": destination, "states": [s.value for s in states] if states is not None else None}))
    return [OutboxItem(**{**r, "document_kind": DocumentKind(r["document_kind"]), "state": OutboxState(r["state"]),
                          "remote_errors": tuple(r["remote_errors"])}) for r in rows]
