"""Reading the ledger: documents, their history, the journal and the trial balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.storage.database import Connection


@dataclass(frozen=True)
class DocumentRow:
    id: int
    number: str
    kind: str
    date: date
    contact: str
    location: str
    total: Decimal
    status: str
    digest_id: int
    created_at: datetime
    role: str = "original"  # "adjustment": posted for a change to a day already posted


@dataclass(frozen=True)
class DocumentDetail:
    row: DocumentRow
    stream: str
    digest_version: int
    subtotal: Decimal
    discount: Decimal
    service_charge: Decimal
    tax: Decimal
    rounding: Decimal
    currency: str
    lines: list[dict]
    payments: list[dict]
    taxes: list[dict]
    history: list[dict]
    linked: list[dict]
    role: str = "original"  # or "adjustment": posted for a change to a day already posted


_DOCUMENTS = """
SELECT d.id, d.number, d.kind, d.date, c.name, l.name, d.total, d.status, d.digest_id, d.created_at,
       coalesce(d.role, 'original')
FROM documents d JOIN contacts c ON c.id = d.contact_id JOIN locations l ON l.id = d.location_id
"""


def documents(con: Connection, start: date | None, end: date | None, location: str | None) -> list[DocumentRow]:
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    if location and not con.execute("SELECT 1 FROM locations WHERE name = ?", [location]).fetchall():
        raise NotFound(f"No location named {location!r}; see `flowtui locations`.")
    rows = con.execute(
        _DOCUMENTS + "WHERE (? IS NULL OR d.date >= ?) AND (? IS NULL OR d.date <= ?) AND (? IS NULL OR l.name = ?) "
        "ORDER BY d.date, d.id",
        [start, start, end, end, location, location],
    ).fetchall()
    return [DocumentRow(*r) for r in rows]


def document(con: Connection, number: str) -> DocumentDetail:
    rows = con.execute(_DOCUMENTS + "WHERE d.number = ?", [number.strip()]).fetchall()
    if not rows:
        raise NotFound(f"No invoice or credit note numbered {number!r}; see `flowtui invoices`.")
    row = DocumentRow(*rows[0])
    head = con.execute(
        "SELECT s.name, d.digest_version, d.subtotal, d.discount, d.service_charge, d.tax, d.rounding, d.currency, "
        "d.linked_document_id, d.role FROM documents d JOIN streams s ON s.id = d.stream_id WHERE d.id = ?", [row.id]
    ).fetchall()[0]
    lines = [
        dict(zip(("description", "sku", "quantity", "unit_price", "discount", "tax", "tax_code", "amount", "account",
                  "kind", "side"), r))
        for r in con.execute(
            "SELECT description, sku, quantity, unit_price, discount, tax, tax_code, amount, account_code, kind, side "
            "FROM document_lines WHERE document_id = ? ORDER BY line_no", [row.id]).fetchall()
    ]
    payments = [dict(zip(("method", "account", "amount"), r)) for r in con.execute(
        "SELECT method, account_code, amount FROM document_payments WHERE document_id = ? ORDER BY method",
        [row.id]).fetchall()]
    taxes = [dict(zip(("tax_code", "taxable", "tax"), r)) for r in con.execute(
        "SELECT tax_code, taxable, tax FROM document_taxes WHERE document_id = ? ORDER BY tax_code",
        [row.id]).fetchall()]
    history = [dict(zip(("at", "actor", "event", "detail"), r)) for r in con.execute(
        "SELECT happened_at, actor, event, detail FROM document_history WHERE document_id = ? ORDER BY id",
        [row.id]).fetchall()]
    linked = [dict(zip(("number", "kind", "date", "total", "relation"), r)) for r in con.execute(
        """
        SELECT number, kind, date, total,
               CASE $role WHEN 'adjustment' THEN 'adjusts' WHEN 'reversal' THEN 'reverses' ELSE 'credits' END
        FROM documents WHERE id = $linked
        UNION ALL
        SELECT number, kind, date, total,
               CASE role WHEN 'adjustment' THEN 'adjusted by' WHEN 'reversal' THEN 'reversed by' ELSE 'credited by' END
        FROM documents WHERE linked_document_id = $id
        UNION ALL
        SELECT number, kind, date, total, 'same digest' FROM documents
        WHERE digest_id = $digest AND id <> $id AND id IS DISTINCT FROM $linked AND linked_document_id IS DISTINCT FROM $id
        ORDER BY 3, 1
        """,
        {"linked": head[8], "id": row.id, "digest": row.digest_id, "role": head[9]}).fetchall()]
    return DocumentDetail(row, head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7],
                          lines, payments, taxes, history, linked, head[9] or "original")


@dataclass(frozen=True)
class BalanceRow:
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def trial_balance(con: Connection, as_of: date | None) -> list[BalanceRow]:
    rows = con.execute(
        """
        SELECT a.code, a.name, a.type,
               coalesce(sum(g.debit), 0)::DECIMAL(18,2), coalesce(sum(g.credit), 0)::DECIMAL(18,2),
               (coalesce(sum(g.debit), 0) - coalesce(sum(g.credit), 0))::DECIMAL(18,2)
        FROM accounts a
        LEFT JOIN general_ledger g ON g.account_code = a.code AND (? IS NULL OR g.date <= ?)
        GROUP BY a.code, a.name, a.type
        HAVING count(g.entry_id) > 0
        ORDER BY a.code
        """,
        [as_of, as_of],
    ).fetchall()
    return [BalanceRow(*r) for r in rows]


@dataclass(frozen=True)
class JournalRow:
    entry_id: int
    date: date
    document: str | None
    kind: str
    memo: str
    account: str
    account_name: str
    debit: Decimal
    credit: Decimal


def journal(con: Connection, start: date | None, end: date | None, account: str | None) -> list[JournalRow]:
    if account and not con.execute("SELECT 1 FROM accounts WHERE code = ?", [account]).fetchall():
        raise NotFound(f"No account with code {account!r}; see `flowtui accounts`.")
    rows = con.execute(
        """
        SELECT entry_id, date, document_number, kind, memo, account_code, account_name, debit, credit
        FROM general_ledger
        WHERE (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?) AND (? IS NULL OR account_code = ?)
        ORDER BY date, entry_id, line_no
        """,
        [start, start, end, end, account, account],
    ).fetchall()
    return [JournalRow(*r) for r in rows]
