"""The books: posting digests, documents, the journal, taxes, stock and exports of the ledger."""
