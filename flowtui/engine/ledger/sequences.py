"""Running numbers: the one allocator for documents, number previews and the till's order numbers.

A sequence is a row of ``number_sequences``: a scope and the last value given.
A document format's scope is the format with its date filled in
(:func:`numbering.sequence_scope`: ``INV-{yyyy}{mm}-{seq}`` restarts monthly);
a MiniPOS till's is ``minipos:<stream id>``. Numbers are gap-free because they
are taken in the unit of work that writes what they number: a crash or a
refusal rolls both back together.
"""

from __future__ import annotations

from datetime import date

from flowtui.engine.ledger import sql
from flowtui.engine.ledger.numbering import render_number, sequence_scope, validate_format
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, the


def last(con: Connection, scope: str) -> int:
    """The last value ``scope`` gave (0 before the first)."""
    found = one(con, sql.SEQUENCE_LAST, [scope])
    return found["last_value"] if found else 0


def take(con: Connection, scope: str) -> int:
    """The next value of ``scope``, taken and written at once (one order at a till)."""
    return the(con, sql.SEQUENCE_TAKE, [scope])["last_value"]


def preview(con: Connection, fmt: str, day: date) -> str:
    """The number the next document in ``fmt`` would get on ``day`` (nothing is taken)."""
    fmt = validate_format(fmt)
    return render_number(fmt, day, last(con, sequence_scope(fmt, day)) + 1)


class Numbers:
    """Document numbers for one unit of work (a chunk of postings): each scope read once, written by :meth:`save`."""

    def __init__(self, con: Connection) -> None:
        self.con = con
        self.taken: dict[str, int] = {}

    def next(self, fmt: str, day: date) -> str:
        scope = sequence_scope(fmt, day)
        if scope not in self.taken:
            self.taken[scope] = last(self.con, scope)
        self.taken[scope] += 1
        return render_number(fmt, day, self.taken[scope])

    def save(self) -> None:
        for scope, value in self.taken.items():
            self.con.execute(sql.SEQUENCE_SET, [scope, value])
