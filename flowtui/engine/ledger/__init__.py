"""The books: posting digests, documents, the journal, number sequences, history, taxes and stock."""
