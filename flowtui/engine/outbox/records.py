"""What the outbox holds and what it hands a destination: states, document kinds, documents as plain data.

Money is ``Decimal`` to the sen (as the ledger's tables hold it), quantities ``Decimal`` to the thousandth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class OutboxState(StrEnum):
    """Where a document stands with one destination.

    ``queued`` -> ``sending`` -> ``sent`` is the usual path. A destination that judges documents after taking them
    (MyInvois: "in progress", then "valid" or "invalid") answers ``submitted`` first, and the dispatcher asks it
    again later. A retryable error puts the row back to ``queued`` (with a later ``next_attempt_at``).
    """

    QUEUED = "queued"  # waiting to go: for the first time, or again after a retryable error
    SENDING = "sending"  # claimed by a dispatcher: a request may be in flight
    SUBMITTED = "submitted"  # the destination took it and is still judging it (MyInvois: in progress)
    SENT = "sent"  # the destination has it and accepts it (Bukku: created; MyInvois: valid)
    FAILED = "failed"  # refused before it was taken: a permanent error, or retryable ones too many times
    REJECTED = "rejected"  # taken, then judged invalid (MyInvois: invalid)
    CANCELLED = "cancelled"  # cancelled at the destination after it was accepted

    @property
    def final(self) -> bool:
        """Nothing more happens to the row unless someone acts (requeue after a fix, cancel)."""
        return self in (OutboxState.SENT, OutboxState.FAILED, OutboxState.REJECTED, OutboxState.CANCELLED)


# What a destination may answer about a document it took (see protocol.Delivery).
ANSWERS = frozenset({OutboxState.SUBMITTED, OutboxState.SENT, OutboxState.REJECTED, OutboxState.CANCELLED})


class DocumentKind(StrEnum):
    """Which book a queued document comes from. Adjustments and reversals are invoices or credit notes whose
    ``role`` says so (``LedgerDocument.role``)."""

    INVOICE = "invoice"  # documents table
    CREDIT_NOTE = "credit_note"  # documents table
    JOURNAL_ENTRY = "journal_entry"  # journal_entries table: an entry of its own (settlement, stock, till close)

    @property
    def in_documents(self) -> bool:
        return self in (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE)


@dataclass(frozen=True)
class Line:
    line_no: int
    kind: str  # item | discount | service_charge | shipping | tax | tips | rounding
    description: str
    sku: str | None
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax: Decimal
    tax_code: str | None
    amount: Decimal  # after the line discount, before tax
    account_code: str
    side: str | None  # items: sale | return


@dataclass(frozen=True)
class Payment:
    method: str
    account_code: str
    amount: Decimal


@dataclass(frozen=True)
class TaxTotal:
    tax_code: str
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class LedgerDocument:
    """An invoice or credit note as the ledger holds it (amounts positive; a credit note's kind gives its sign)."""

    kind: DocumentKind
    role: str  # original | adjustment | reversal
    number: str
    date: date
    status: str  # posted | reversed
    contact: str
    location: str
    stream: str
    currency: str
    subtotal: Decimal
    discount: Decimal
    service_charge: Decimal
    tax: Decimal
    rounding: Decimal
    total: Decimal
    lines: tuple[Line, ...]
    payments: tuple[Payment, ...]
    taxes: tuple[TaxTotal, ...]
    linked_number: str | None = None  # the document it credits, adjusts or reverses
    shipping: Decimal = Decimal("0.00")  # excluding its tax (which is part of ``tax``)
    tips: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class JournalLine:
    line_no: int
    account_code: str
    debit: Decimal
    credit: Decimal
    memo: str | None
    tax_code: str | None


@dataclass(frozen=True)
class JournalEntry:
    entry_id: int
    date: date
    kind: str
    memo: str
    lines: tuple[JournalLine, ...]


@dataclass(frozen=True)
class Link:
    """The document a correction refers to, and where the destination keeps it (None: it was never sent there)."""

    kind: DocumentKind
    document_id: int
    number: str
    remote_id: str | None
    remote_number: str | None


@dataclass(frozen=True)
class OutboundDocument:
    """One claimed outbox row: what to send, and the key that makes sending it twice harmless."""

    outbox_id: int
    destination: str
    kind: DocumentKind
    document_id: int
    number: str
    idempotency_key: str  # the same on every attempt, for ever
    attempt: int  # 1 on the first try; above 1 the destination may already have it
    body: LedgerDocument | JournalEntry
    link: Link | None = None

    @property
    def may_be_there(self) -> bool:
        """An earlier attempt may have reached the destination (a crash, a timeout): ask before sending."""
        return self.attempt > 1


@dataclass(frozen=True)
class OutboxItem:
    """A row of the outbox, as listings show it."""

    id: int
    destination: str
    document_kind: DocumentKind
    document_id: int
    document_number: str | None
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    remote_id: str | None
    remote_number: str | None
    last_error: str | None
    remote_errors: tuple[str, ...] = field(default=())
    idempotency_key: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sent_at: datetime | None = None
