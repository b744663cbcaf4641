"""A document's history: the one writer of ``document_history`` (posted, linked, adjusted, reversed, printed…).

Events are written together, in the order given, by one statement: a chunk of
postings or a batch of printed files is one short write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flowtui.engine.ledger import sql
from flowtui.engine.storage.database import Connection


def record(con: Connection, events: Iterable[tuple[int, str, str]], *, now: datetime, actor: str) -> None:
    """Write ``(document id, event, detail)`` events, in the caller's transaction."""
    events = list(events)
    if not events:
        return
    con.execute(sql.HISTORY_INSERT, {"ids": [e[0] for e in events], "events": [e[1] for e in events],
                                     "details": [e[2] for e in events], "now": now, "actor": actor})
