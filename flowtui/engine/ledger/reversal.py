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
from flowtui.engine.core.money import as_sen
from flowtui.engine.core.statuses import DocumentRole, DocumentStatus
from flowtui.engine.ledger import books, sql
from flowtui.engine.ledger.numbering import DEFAULT_INVOICE_FORMAT
from flowtui.engine.ledger.posting_plan import DocumentLine, DocumentPlan, JournalLine, StockMove
from flowtui.engine.ledger.posting_writer import Writer
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows, the

_MONEY = ("subtotal", "discount", "service_charge", "shipping", "tax", "tips", "rounding", "total")


@dataclass(frozen=True)
class Reversed:
    digest_id: int
    documents: list[tuple[str, str]]  # (reversed number, reversing number)
    status: str  # the digest's status afterwards (worked out by the caller)


def _mirror(con: Connection, document_id: int, kind: str, day) -> DocumentPlan:
    """The document with the other kind and the very same amounts: its journal and stock turned round."""
    head = the(con, sql.DOCUMENT_HEAD, [document_id])
    lines = tuple(
        DocumentLine(r["kind"], r["description"], r["sku"], int(r["quantity"] * 1000), int(r["unit_price"] * 10_000),
                     as_sen(r["discount"]), as_sen(r["tax"]), r["tax_code"], as_sen(r["amount"]), r["account_code"],
                     r["side"])
        for r in rows(con, sql.DOCUMENT_LINES, [document_id]))
    payments = tuple((r["method"], r["account_code"], as_sen(r["amount"]))
                     for r in rows(con, sql.DOCUMENT_PAYMENTS, [document_id]))
    taxes = tuple((r["tax_code"], as_sen(r["taxable"]), as_sen(r["tax"])) for r in rows(con, sql.DOCUMENT_TAXES, [document_id]))
    journal: list[JournalLine] = []
    cogs: list[JournalLine] = []
    for r in rows(con, sql.DOCUMENT_JOURNAL, [document_id]):
        target = cogs if r["entry_kind"] == "cost" else journal
        target.append(JournalLine(r["account_code"], as_sen(r["credit"]), as_sen(r["debit"]),
                                  f"Reversal: {r['memo'] or ''}".strip(), r["tax_code"]))
    stock = tuple(StockMove(r["sku"], -int(r["quantity"] * 1000), int(r["unit_cost"] * 10_000), -as_sen(r["value"] or 0))
                  for r in rows(con, sql.DOCUMENT_STOCK, [document_id]))
    return DocumentPlan(
        kind="credit_note" if kind == "invoice" else "invoice", date=day,
        **{name: as_sen(head[name]) for name in _MONEY},
        lines=lines, payments=payments, taxes=taxes, journal=tuple(journal), cogs=tuple(cogs), stock=stock)


def _formats(con: Connection, digest_id: int) -> dict:
    from flowtui.engine.ledger.posting import credit_note_format

    row = the(con, sql.CROSSING_DIGEST_FORMATS, [digest_id])
    last_posted = the(con, sql.LAST_POSTED_VERSION, [digest_id])["version"]
    invoice_format = row["number_format"] or DEFAULT_INVOICE_FORMAT
    return {"version": row["version"], "stream_id": row["stream_id"], "stream": row["stream"],
            "invoice_format": invoice_format,
            "credit_note_format": row["credit_note_format"] or credit_note_format(invoice_format),
            "last_posted": last_posted or 0}


def reverse(con: Connection, number: str, reason: str, now: datetime, who: str) -> Reversed:
    """Reverse every standing document of ``number``'s digest, in the caller's transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why: --reason TEXT (it is kept in both documents' history).")
    found = one(con, sql.DOCUMENT_BY_NUMBER, [number.strip()])
    if not found:
        raise NotFound(f"No invoice or credit note numbered {number!r}; see `flowtui invoices`.")
    digest_id = found["digest_id"]
    if found["role"] == DocumentRole.REVERSAL:
        raise InvalidInput(f"{number} is itself a reversal; post the day again instead (`flowtui post`).")
    if found["status"] == DocumentStatus.REVERSED:
        raise InvalidInput(f"{number} is already reversed (see `flowtui invoice show {number}`).")
    standing = rows(con, sql.STANDING_DOCUMENTS, [digest_id])
    info = _formats(con, digest_id)
    first = max(info["version"], info["last_posted"]) + 1
    writer = Writer(con, now, who, books.company(con).currency)
    done = []
    for offset, doc in enumerate(standing):
        place = the(con, sql.DOCUMENT_HEAD, [doc["id"]])
        day_info = {**info, "contact_id": place["contact_id"], "location_id": place["location_id"]}
        done.append((doc["number"], writer.reversal(digest_id, day_info, first + offset,
                                                    _mirror(con, doc["id"], doc["kind"], doc["date"]),
                                                    (doc["id"], doc["number"]), reason)))
    writer.flush()
    version = first + len(standing)
    con.execute(sql.MARK_REVERSED, {"ids": [d["id"] for d in standing]})
    con.execute(sql.POSTINGS_REVERSED, {"now": now, "d": digest_id})
    con.execute(sql.CROSSING_DIGEST_NEW_VERSION, {"v": version, "now": now, "d": digest_id})
    con.execute(sql.CROSSING_DIGEST_VERSIONS, {"now": now, "d": digest_id, "first": first, "last": version})
    return Reversed(digest_id, done, "")
