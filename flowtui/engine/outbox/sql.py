"""The outbox's SQL: queueing, claiming, recording answers, reading documents out of the ledger (run by store.py)."""

from __future__ import annotations

# The same document for the same destination gets the same key in this database for ever (and another database's
# books, with their own database_id, never collide with it): 32 hex digits.
_KEY = ("md5(coalesce((SELECT max(value) FROM settings WHERE key = 'database_id'), '') || '/' || $destination "
        "|| '/' || {kind} || '/' || CAST({id} AS VARCHAR))")
_LEDGER_KINDS = "('invoice', 'credit_note')"

# -- queueing -----------------------------------------------------------------------------------------------------
ENQUEUE_DOCUMENTS = f"""
        INSERT INTO outbox (destination, document_kind, document_id, document_number, state, idempotency_key,
                            next_attempt_at, created_at, updated_at)
        SELECT $destination, d.kind, d.id, d.number, 'queued', {_KEY.format(kind="d.kind", id="d.id")}, $now, $now, $now
        FROM documents d
        WHERE ($stream IS NULL OR d.stream_id = $stream) AND ($since IS NULL OR d.date >= $since)
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.destination = $destination AND o.document_kind = d.kind
                          AND o.document_id = d.id)
        ORDER BY d.id
        """
ENQUEUE = f"""
        INSERT INTO outbox (destination, document_kind, document_id, document_number, state, idempotency_key,
                            next_attempt_at, created_at, updated_at)
        SELECT $destination, $kind, $id, $number, 'queued', {_KEY.format(kind="$kind", id="$id")}, $now, $now, $now
        WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE destination = $destination AND document_kind = $kind
                          AND document_id = $id)
        """

# -- claiming -----------------------------------------------------------------------------------------------------
CLAIM_CANDIDATES = f"""
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
        """
CLAIM = """
        UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_at = $now, claimed_by = $token,
                          updated_at = $now
        WHERE id = $id AND state = $state AND claimed_by IS NOT DISTINCT FROM $previous
        RETURNING id
        """

# -- a claimed row and its document, read out of the books (store.load) -------------------------------------------
ITEM = "SELECT * FROM outbox WHERE id = $id"
DOCUMENT_HEAD = """
        SELECT d.kind, coalesce(d.role, 'original') AS role, d.number, d.date, d.status, c.name AS contact,
               l.name AS location, s.name AS stream, d.currency, d.subtotal, d.discount, d.service_charge, d.tax,
               d.rounding, d.total, d.linked_document_id, ld.number AS linked_number, d.shipping, d.tips
        FROM documents d
        JOIN contacts c ON c.id = d.contact_id
        JOIN locations l ON l.id = d.location_id
        JOIN streams s ON s.id = d.stream_id
        LEFT JOIN documents ld ON ld.id = d.linked_document_id
        WHERE d.id = $id
        """
LINK = """
        SELECT d.kind, d.id, d.number, o.remote_id, o.remote_number
        FROM documents d
        LEFT JOIN outbox o ON o.destination = $destination AND o.document_kind = d.kind AND o.document_id = d.id
        WHERE d.id = $id
        """
JOURNAL_ENTRY = "SELECT id AS entry_id, date, kind, memo FROM journal_entries WHERE id = $id"
JOURNAL_LINES = """
        SELECT line_no, account_code, debit, credit, memo, tax_code
        FROM journal_lines WHERE entry_id = $id ORDER BY line_no
        """

# -- recording what happened ------------------------------------------------------------------------------------
RECORD_DELIVERY = """
        UPDATE outbox SET state = $state, remote_id = $remote_id, remote_number = $remote_number,
                          remote_detail = $detail, remote_errors = $errors,
                          last_error = coalesce($message, last_error), claimed_at = NULL, claimed_by = NULL,
                          next_attempt_at = CASE WHEN $state = 'submitted' THEN $next_poll ELSE next_attempt_at END,
                          sent_at = CASE WHEN $state = 'sent' THEN $now ELSE sent_at END, updated_at = $now
        WHERE id = $id AND state = 'sending' AND claimed_by = $token
        RETURNING id
        """
RECORD_ERROR = """
        UPDATE outbox SET state = $state, last_error = $message, remote_errors = $errors, claimed_at = NULL,
                          claimed_by = NULL, next_attempt_at = $next, updated_at = $now
        WHERE id = $id AND state = 'sending' AND claimed_by = $token
        RETURNING id
        """
DUE_POLLS = """
        SELECT id, remote_id, coalesce(document_number, CAST(document_id AS VARCHAR)) AS number FROM outbox
        WHERE destination = $destination AND state = 'submitted' AND next_attempt_at <= $now ORDER BY id
        """
POLL_FAILED = """
            UPDATE outbox SET last_error = $error, next_attempt_at = $next_poll, updated_at = $now
            WHERE id = $id AND state = 'submitted'
            """
RECORD_STATUS = """
        UPDATE outbox SET state = $state, remote_id = $remote_id, remote_number = coalesce($remote_number, remote_number),
                          remote_detail = coalesce($detail, remote_detail), remote_errors = $errors,
                          last_error = coalesce($message, last_error), next_attempt_at = $next_poll,
                          sent_at = CASE WHEN $state = 'sent' THEN $now ELSE sent_at END, updated_at = $now
        WHERE id = $id AND state = 'submitted'
        """
REQUEUE_FAILED = """
        UPDATE outbox SET state = 'queued', next_attempt_at = $now, updated_at = $now
        WHERE id = $id AND state = 'failed' RETURNING id
        """

# -- reading --------------------------------------------------------------------------------------------------------
ITEMS = """
        SELECT id, destination, document_kind, document_id, document_number, state, attempts, next_attempt_at,
               remote_id, remote_number, last_error, remote_errors, idempotency_key, created_at, updated_at, sent_at
        FROM outbox
        WHERE ($destination IS NULL OR destination = $destination)
          AND ($states IS NULL OR list_contains($states, state))
        ORDER BY id
        """
