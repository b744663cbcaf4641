"""Migrations 9 to 13: rejections, archived streams, database ids, the outbox (shipped: never edit)."""

from __future__ import annotations

ARCHIVED_STREAMS = """
ALTER TABLE streams ADD COLUMN IF NOT EXISTS archived_at TIMESTAMPTZ
"""

# Nothing dropped silently (DESIGN.md invariant 11): an entry whose day cannot be read holds the days it may
# belong to (``scope_from``..``scope_to``, NULL = open-ended); a rejection is open until it is resolved
# (``resolution``: corrected, superseded, fixed) or dismissed on the record.
REJECTIONS = """
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS scope_from DATE;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS scope_to DATE;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS last_seen_run_id INTEGER;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS resolution VARCHAR;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS dismissed_at TIMESTAMPTZ;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS dismissed_by VARCHAR;
ALTER TABLE order_rejections ADD COLUMN IF NOT EXISTS dismiss_reason VARCHAR;
UPDATE order_rejections SET last_seen_run_id = sync_run_id WHERE last_seen_run_id IS NULL;
UPDATE order_rejections SET resolution = 'corrected' WHERE resolved_at IS NOT NULL AND resolution IS NULL;
UPDATE order_rejections SET order_key = 'entry:' || ref WHERE order_id IS NULL AND order_key = ref
"""

# Secrets belong to their own books: every database gets a random id of its own (new files and old ones alike),
# and its streams' API keys are kept in secrets.json under it (flowtui.engine.setup.secrets.stream_key_name), so two
# databases with a stream of one name keep their own keys.
DATABASE_ID = """
INSERT INTO settings VALUES ('database_id', CAST(gen_random_uuid() AS VARCHAR)) ON CONFLICT DO NOTHING
"""

# What leaves the books leaves exactly once (DESIGN.md invariant 12): a row per document and destination, written
# before any request, claimed while a request may be in flight, and keeping what the destination answered. The
# states and the protocol are flowtui.engine.outbox's; no CHECK on ``state`` or ``document_kind``, so a later
# destination's kinds need no table rebuild (DuckDB cannot alter a constraint).
OUTBOX = """
CREATE SEQUENCE IF NOT EXISTS outbox_ids START 1;
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY DEFAULT nextval('outbox_ids'),
    destination VARCHAR NOT NULL,
    document_kind VARCHAR NOT NULL,
    document_id INTEGER NOT NULL,
    document_number VARCHAR,
    state VARCHAR NOT NULL,
    idempotency_key VARCHAR NOT NULL UNIQUE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_at TIMESTAMPTZ,
    claimed_by VARCHAR,
    remote_id VARCHAR,
    remote_number VARCHAR,
    remote_detail VARCHAR,
    last_error VARCHAR,
    remote_errors VARCHAR[] NOT NULL DEFAULT [],
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    UNIQUE (destination, document_kind, document_id)
);
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (destination, state)
"""
