"""Outbound documents: what leaves the books (an e-invoice to LHDN, a document to an accounting system) leaves
exactly once (DESIGN.md invariant 12).

- :mod:`.records` — outbox states, document kinds, documents as plain data;
- :mod:`.protocol` — the :class:`~.protocol.Destination` protocol, ``Delivery``, retryable/permanent errors;
- :mod:`.store` — the outbox's SQL (table ``outbox``, migration 13; view ``v_outbox``);
- :mod:`.queueing` — queueing posted documents, requeueing failed ones, listing;
- :mod:`.dispatcher` — claim, send outside the file lock, record; crash-safe.
"""
