"""Reading the ledger: documents, their history, the journal and the trial balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.ledger import sql
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows, the


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
    shipping: Decimal = Decimal(0)  # ex-tax (its tax is part of ``tax``)
    tips: Decimal = Decimal(0)


def documents(con: Connection, start: date | None, end: date | None, location: str | None) -> list[DocumentRow]:
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    if location and not one(con, sql.LOCATION_NAMED, [location]):
        raise NotFound(f"No location named {location!r}; see `flowtui locations`.")
    return [DocumentRow(**r) for r in rows(con, sql.DOCUMENTS, [start, start, end, end, location, location])]


def document(con: Connection, number: str) -> DocumentDetail:
    found = one(con, sql.DOCUMENT_NUMBERED, [number.strip()])
    if not found:
        raise NotFound(f"No invoice or credit note numbered {number!r}; see `flowtui invoices`.")
    row = DocumentRow(**found)
    head = the(con, sql.CROSSING_DOCUMENT_DETAIL, [row.id])
    linked = rows(con, sql.LINKED_DOCUMENTS,
                  {"linked": head["linked_document_id"], "id": row.id, "digest": row.digest_id, "role": head["role"]})
    return DocumentDetail(
        row, head["stream"], head["digest_version"], head["subtotal"], head["discount"], head["service_charge"],
        head["tax"], head["rounding"], head["currency"],
        lines=rows(con, sql.DOCUMENT_LINES_SHOWN, [row.id]), payments=rows(con, sql.DOCUMENT_PAYMENTS_SHOWN, [row.id]),
        taxes=rows(con, sql.DOCUMENT_TAXES, [row.id]), history=rows(con, sql.DOCUMENT_HISTORY, [row.id]),
        linked=linked, role=head["role"] or "original", shipping=head["shipping"], tips=head["tips"])


@dataclass(frozen=True)
class BalanceRow:
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def trial_balance(con: Connection, as_of: date | None) -> list[BalanceRow]:
    return [BalanceRow(**r) for r in rows(con, sql.TRIAL_BALANCE, [as_of, as_of])]


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
    if account and not one(con, sql.ACCOUNT_CODED, [account]):
        raise NotFound(f"No account with code {account!r}; see `flowtui accounts`.")
    return [JournalRow(**r) for r in rows(con, sql.JOURNAL, [start, start, end, end, account, account])]
