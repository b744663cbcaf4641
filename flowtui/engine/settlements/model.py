"""The words of settlements, shared by the file readers, the matcher and the books.

Money here is integer sen (exact, cheap to add up in the matcher); the storage layer turns it into DECIMAL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class LineKind(StrEnum):
    BANK = "bank"  # a bank statement line: money in or out of the bank account
    PAYOUT = "payout"  # a provider's payout report line: gross sold, fee kept, net paid


@dataclass(frozen=True)
class StatementLine:
    """One line a bank statement or a provider's payout report holds."""

    line_no: int  # where it is in the file (1-based line of a CSV, entry number of an OFX/CAMT file): for messages
    source_id: str  # stable across re-imports and overlapping statements (the bank's id, or a hash of the line)
    kind: LineKind
    day: date  # booking date (bank) or payout date (payout report)
    net_sen: int  # signed: money into the account > 0
    description: str = ""
    reference: str = ""
    gross_sen: int | None = None  # payout reports: what was sold ...
    fee_sen: int | None = None  # ... and what the provider kept (gross - fee = net)
    period_from: date | None = None  # payout reports: the sales days the payout covers
    period_to: date | None = None


@dataclass(frozen=True)
class BadLine:
    line_no: int
    reason: str  # in words a person can act on: "line 7: amount 'abc' is not a number"


@dataclass(frozen=True)
class ParsedStatement:
    """What reading one file gave: its good lines, its bad ones (the rest still import)."""

    lines: tuple[StatementLine, ...]
    bad: tuple[BadLine, ...] = ()
    account_hint: str = ""  # the account the file names (OFX ACCTID, CAMT IBAN), when it names one
    currency: str = ""


@dataclass(frozen=True)
class CsvProfile:
    """How a CSV file's columns are read; saved by name (``settlements import --profile NAME``)."""

    name: str
    date_column: str
    amount_column: str  # net (bank: the amount; payout report: what was paid out)
    description_column: str = ""
    reference_column: str = ""
    date_format: str = "%Y-%m-%d"
    gross_column: str = ""  # set for a provider payout report
    fee_column: str = ""
    period_column: str = ""  # "YYYY-MM-DD..YYYY-MM-DD" or one date


@dataclass(frozen=True)
class OpenItem:
    """Money waiting in a clearing account: one stream's method at one location on one sales day."""

    id: str  # stable: "<stream>/<location>/<method>/<YYYY-MM-DD>"
    clearing_account: str
    bank_account: str  # where it settles to (`map payment ... --settles-to`)
    method: str
    location: str
    day: date
    open_sen: int  # gross still unsettled (a day split over payouts is partly settled)
    lag_days: int  # business days the provider takes at most
    fee_max_bp: int  # the highest fee it may keep, in basis points of gross (250 = 2.5 %)


@dataclass(frozen=True)
class Deposit:
    """A statement line not yet matched, as the matcher sees it."""

    id: str
    bank_account: str
    day: date
    net_sen: int
    gross_sen: int | None = None  # known when a payout report says it
    period_from: date | None = None
    period_to: date | None = None


class Verdict(StrEnum):
    UNIQUE = "unique"  # exactly one set of items fits: safe to confirm automatically
    AMBIGUOUS = "ambiguous"  # several fit: a person chooses
    NONE = "none"  # nothing fits


@dataclass(frozen=True)
class Take:
    item_id: str
    gross_sen: int  # the part of the item this deposit settles (all of it unless a day is split)


@dataclass(frozen=True)
class Proposal:
    deposit_id: str
    verdict: Verdict
    takes: tuple[Take, ...] = ()  # the fitting set when unique
    fee_sen: int = 0  # gross of the takes - the deposit's net
    candidates: tuple[tuple[Take, ...], ...] = field(default_factory=tuple)  # the fitting sets when ambiguous
