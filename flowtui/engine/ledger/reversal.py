"""Undo a posting: reverse a digest's documents with linked reversing documents, never a delete.

``flowtui invoice reverse NUMBER --reason TEXT`` reverses every document still
standing on NUMBER's digest (the day's invoice, its credit note and any
adjustments: the digest is what was posted, so it is undone whole). Each gets
a reversal — a credit note for an invoice, an invoice for a credit note — of
the same date, with the same lines, payments, tax and stock, and its journal
entries mirrored line by line (same accounts, same tax codes), so every
account, the tax report and the stock come back exactly to where they were
before. The reversed document is marked ``reversed``, both carry the reason
in their history, and the digest returns to ``ready`` (or whatever its orders
now make it) under a new version, so it can be posted again.

Each reversal sits in a posting of its own at a digest version above every
posted one, and every posting of the digest is marked reversed: the unique
key on (digest, version) keeps "posts at most once" true for the new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.ledger import books
from flowtui.engine.ledger.numbering import DEFAULT_INVOICE_FORMAT
from flowtui.engine.ledger.posting_plan import DocumentLine, DocumentPlan, JournalLine, StockMove
from flowtui.engine.ledger.posting_writer import Writer
from flowtui.engine.storage.database import Connection

_MONEY = ("subtotal", "discount", "service_charge", "tax", "rounding", "total")


@dataclass(frozen=True)
class Reversed:
    digest_id: int
    documents: list[tuple[str, str]]  # (reversed number, reversing number)
    status: str  # the digest's status afterwards (worked out by the caller)


def _sen(value) -> int:
    return int(value * 100)


def _active(con: Connection, digest_id: int) -> list[tuple]:
    return con.execute(
        "SELECT id, kind, number, date FROM documents WHERE digest_id = ? AND status = 'posted' "
        "AND coalesce(role, 'original') <> 'reversal' ORDER BY id", [digest_id]).fetchall()


def _mirror(con: Connection, document_id: int, kind: str, day) -> DocumentPlan:
    """The document with the other kind and the very same amounts: its journal and stock turned round."""
    head = con.execute(f"SELECT {', '.join(_MONEY)} FROM documents WHERE id = ?", [document_id]).fetchall()[0]
    lines = tuple(
        DocumentLine(r[0], r[1], r[2], int(r[3] * 1000), int(r[4] * 10_000), _sen(r[5]), _sen(r[6]), r[7], _sen(r[8]),
                     r[9], r[10])
        for r in con.execute(
            "SELECT kind, description, sku, quantity, unit_price, discount, tax, tax_code, amount, account_code, side "
            "FROM document_lines WHERE document_id = ? ORDER BY line_no", [document_id]).fetchall())
    payments = tuple((m, a, _sen(x)) for m, a, x in con.execute(
        "SELECT method, account_code, amount FROM document_payments WHERE document_id = ? ORDER BY method",
        [document_id]).fetchall())
    taxes = tuple((c, _sen(t), _sen(x)) for c, t, x in con.execute(
        "SELECT tax_code, taxable, tax FROM document_taxes WHERE document_id = ? ORDER BY tax_code",
        [document_id]).fetchall())
    journal: list[JournalLine] = []
    cogs: list[JournalLine] = []
    for entry_kind, account, debit, credit, memo, code in con.execute(
            "SELECT e.kind, l.account_code, l.debit, l.credit, l.memo, l.tax_code FROM journal_lines l "
            "JOIN journal_entries e ON e.id = l.entry_id WHERE e.document_id = ? ORDER BY e.id, l.line_no",
            [document_id]).fetchall():
        target = cogs if entry_kind == "cost" else journal
        target.append(JournalLine(account, _sen(credit), _sen(debit), f"Reversal: {memo or ''}".strip(), code))
    stock = tuple(StockMove(sku, -int(q * 1000), int(c * 10_000), -_sen(v or 0)) for sku, q, c, v in con.execute(
        "SELECT sku, quantity, unit_cost, value FROM stock_movements WHERE document_id = ? ORDER BY id",
        [document_id]).fetchall())
    return DocumentPlan(
        kind="credit_note" if kind == "invoice" else "invoice", date=day,
        **{name: _sen(value) for name, value in zip(_MONEY, head)},
        lines=lines, payments=payments, taxes=taxes, journal=tuple(journal), cogs=tuple(cogs), stock=stock)


def _formats(con: Connection, digest_id: int) -> dict:
    from flowtui.engine.ledger.posting import credit_note_format

    row = con.execute(
        """
        SELECT d.version, d.stream_id, s.name, m.number_format, m.credit_note_format,
               (SELECT max(digest_version) FROM postings p WHERE p.digest_id = d.id)
        FROM digests d JOIN streams s ON s.id = d.stream_id
        LEFT JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
        WHERE d.id = ?
        """, [digest_id]).fetchall()[0]
    invoice_format = row[3] or DEFAULT_INVOICE_FORMAT
    return {"version": row[0], "stream_id": row[1], "stream": row[2], "invoice_format": invoice_format,
            "credit_note_format": row[4] or credit_note_format(invoice_format), "last_posted": row[5] or 0}


def reverse(con: Connection, number: str, reason: str, now: datetime, who: str) -> Reversed:
    """Reverse every standing document of ``number``'s digest, in the caller's transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why: --reason TEXT (it is kept in both documents' history).")
    rows = con.execute("SELECT id, digest_id, status, coalesce(role, 'original') FROM documents WHERE number = ?",
                       [number.strip()]).fetchall()
    if not rows:
        raise NotFound(f"No invoice or credit note numbered {number!r}; see `flowtui invoices`.")
    _, digest_id, status, role = rows[0]
    if role == "reversal":
        raise InvalidInput(f"{number} is itself a reversal; post the day again instead (`flowtui post`).")
    if status == "reversed":
        raise InvalidInput(f"{number} is already reversed (see `flowtui invoice show {number}`).")
    standing = _active(con, digest_id)
    info = _formats(con, digest_id)
    first = max(info["version"], info["last_posted"]) + 1
    writer = Writer(con, now, who, books.company(con).currency)
    done = []
    for offset, (doc_id, kind, doc_number, day) in enumerate(standing):
        place = con.execute("SELECT contact_id, location_id FROM documents WHERE id = ?", [doc_id]).fetchall()[0]
        day_info = {**info, "contact_id": place[0], "location_id": place[1]}
        done.append((doc_number, writer.reversal(digest_id, day_info, first + offset, _mirror(con, doc_id, kind, day),
                                                 (doc_id, doc_number), reason)))
    writer.flush()
    version = first + len(standing)
    con.execute("UPDATE documents SET status = 'reversed' WHERE id IN (SELECT unnest($ids))",
                {"ids": [d[0] for d in standing]})
    con.execute("UPDATE postings SET reversed_at = $now WHERE digest_id = $d AND reversed_at IS NULL",
                {"now": now, "d": digest_id})
    con.execute("UPDATE digests SET version = $v, updated_at = $now WHERE id = $d",
                {"v": version, "now": now, "d": digest_id})
    con.execute(
        """
        INSERT INTO digest_versions
        SELECT d.id, v.version, $now, d.order_count, d.return_count, d.gross_sales, d.returns, d.discount,
               d.service_charge, d.tax, d.rounding, d.net_total
        FROM digests d, range($first, $last + 1) v(version) WHERE d.id = $d
        ON CONFLICT DO NOTHING
        """, {"now": now, "d": digest_id, "first": first, "last": version})
    return Reversed(digest_id, done, "")
