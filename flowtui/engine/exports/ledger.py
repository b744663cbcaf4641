"""``flowtui ledger export``: the general ledger as plain text, for an accountant's own tools.

Two formats, one reading of the books:

* ``beancount`` (v3 syntax): ``option "operating_currency"`` with the company
  currency; every account of the chart opened under the root of its type
  (asset -> ``Assets``, liability -> ``Liabilities``, equity -> ``Equity``,
  income -> ``Income``, expense -> ``Expenses``) as ``Assets:1000-Cash-on-Hand``,
  with its code and chart name as metadata, dated on its first use; one
  transaction per journal entry (date, ``*``, the contact as payee, a
  narration that names the document, ``entry``/``kind``/``document``
  metadata), postings debit positive and credit negative; and, after the last
  day, a ``balance`` assertion per account so that ``bean-check`` itself proves
  the totals.
* ``csv``: one row per journal line (``date, entry_id, document_number,
  document_kind, entry_kind, memo, account_code, account_name, account_type,
  debit, credit``), money as strings with two decimals; a text a spreadsheet
  would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) has a ``'`` in front
  (:mod:`flowtui.engine.core.spreadsheet`).

With a start date, everything posted before it comes in as one entry of kind
``opening`` on the day before (each account's balance brought forward; the
books balance, so it balances too), so the balances at the end of the export
equal the trial balance as of its end. Entries of any kind export, with or
without a document (their memo is the narration).

Reading is one query per table (``exports/sql.py``, rows read by name) while the database is held; the text is built
afterwards by pure functions; writing replaces the file in one rename.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby
from pathlib import Path

from flowtui.engine.core.errors import DatabaseError, InvalidInput
from flowtui.engine.core.money import amount_text
from flowtui.engine.core.spreadsheet import as_text
from flowtui.engine.exports import sql
from flowtui.engine.ledger import books
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import rows

FORMATS = ("beancount", "csv")
ROOTS = {"asset": "Assets", "liability": "Liabilities", "equity": "Equity", "income": "Income",
         "expense": "Expenses"}
CSV_COLUMNS = ("date", "entry_id", "document_number", "document_kind", "entry_kind", "memo", "account_code",
               "account_name", "account_type", "debit", "credit")
OPENING = "opening"


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    type: str
    created: date | None = None  # opens the account in an export with no entries to date it by


@dataclass(frozen=True)
class Line:
    account_code: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class Entry:
    id: int | None  # None: the opening balances brought forward, which is no journal entry of its own
    date: date
    kind: str
    memo: str
    document_number: str | None
    document_kind: str | None
    contact: str | None
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Ledger:
    company: str
    currency: str
    accounts: tuple[Account, ...]
    entries: tuple[Entry, ...]  # by date and id; an opening entry, if any, first
    start: date | None
    end: date | None


@dataclass(frozen=True)
class LedgerExport:
    format: str
    text: str
    entries: int  # journal entries written (the opening balances not counted)
    opening: date | None  # the day of the opening balances, when there are any
    first: date | None
    last: date | None
    path: Path | None = None


def check_request(fmt: str, start: date | None, end: date | None) -> None:
    if fmt not in FORMATS:
        raise InvalidInput(f"Format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    if start == date.min:
        raise InvalidInput(f"--from {start} leaves no day before it for the opening balances; leave --from out.")


# -- reading -------------------------------------------------------------------------------------

def read_ledger(con: Connection, start: date | None, end: date | None) -> Ledger:
    """Everything the export needs, read in one unit of work."""
    company = books.company(con)
    accounts = tuple(Account(**r) for r in rows(con, sql.ACCOUNTS))
    entries: list[Entry] = []
    for entry_id, group in groupby(rows(con, sql.JOURNAL_LINES, {"start": start, "end": end}),
                                   key=lambda r: r["entry_id"]):
        lines = list(group)
        head = lines[0]
        entries.append(Entry(entry_id, head["date"], head["kind"], head["memo"] or "", head["document_number"],
                             head["document_kind"], head["contact"],
                             tuple(Line(r["account_code"], r["debit"], r["credit"]) for r in lines)))
    if start is not None:
        brought = rows(con, sql.BROUGHT_FORWARD, {"start": start})
        opening = opening_entry(start, [(r["account_code"], r["balance"]) for r in brought])
        if opening is not None:
            entries.insert(0, opening)
    known = {a.code for a in accounts}
    unknown = sorted({ln.account_code for e in entries for ln in e.lines} - known)
    if unknown:
        raise DatabaseError(f"Journal lines refer to account(s) {', '.join(unknown)} missing from the chart of "
                            "accounts; add them with `flowtui account add` before exporting.")
    return Ledger(company.name, company.currency, accounts, tuple(entries), start, end)


def opening_entry(start: date, balances: list[tuple[str, Decimal]]) -> Entry | None:
    """Each account's balance before ``start`` as one entry on the day before (None when there is none)."""
    lines = tuple(Line(code, amount if amount > 0 else Decimal("0.00"), -amount if amount < 0 else Decimal("0.00"))
                  for code, amount in balances if amount)
    if not lines:
        return None
    return Entry(None, start - timedelta(days=1), OPENING, f"Balances brought forward from before {start}",
                 None, None, None, lines)


# -- beancount -------------------------------------------------------------------------------------

def quote(text: str) -> str:
    """``text`` as a beancount string literal: quotes, backslashes and line breaks escaped, control characters
    (which beancount has no escape for) as spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif unicodedata.category(ch) == "Cc":
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _component(text: str) -> str:
    """One account name component: letters and decimal digits, words joined by dashes, starting with an
    upper-case letter or a digit (beancount's rule)."""
    text = unicodedata.normalize("NFC", text.replace("&", " and ").replace("'", "").replace("\u2019", ""))
    words, word = [], []
    for ch in text:
        if unicodedata.category(ch) == "Nd" or unicodedata.category(ch).startswith("L"):
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    name = "-".join(words) or "Account"
    first = name[0]
    if unicodedata.category(first) not in ("Lu", "Nd"):
        upper = first.upper()
        name = upper + name[1:] if len(upper) == 1 and unicodedata.category(upper) == "Lu" else "X-" + name
    return name


def beancount_names(accounts: tuple[Account, ...] | list[Account]) -> dict[str, str]:
    """Account code -> beancount name (``Assets:1000-Cash-on-Hand``); unique even when two charts names clean
    up alike (the later code gets ``-2``, ``-3``...)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for account in sorted(accounts, key=lambda a: a.code):
        root = ROOTS.get(account.type)
        if root is None:
            raise DatabaseError(f"Account {account.code} has the type {account.type!r}, which is none of "
                                f"{', '.join(ROOTS)}.")
        base = f"{root}:{_component(f'{account.code} {account.name}')}"
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        names[account.code] = name
    return names


def _narration(entry: Entry) -> str:
    if entry.document_number is None or entry.document_number in entry.memo:
        return entry.memo or entry.kind
    label = f"{(entry.document_kind or 'document').replace('_', ' ').capitalize()} {entry.document_number}"
    return f"{label}: {entry.memo}" if entry.memo else label


def to_beancount(ledger: Ledger) -> str:
    names = beancount_names(ledger.accounts)
    currency = ledger.currency
    used: dict[str, date | None] = {a.code: None for a in ledger.accounts}
    for entry in ledger.entries:
        for line in entry.lines:
            used[line.account_code] = used[line.account_code] or entry.date
    first = ledger.entries[0].date if ledger.entries else (ledger.start or ledger.end)
    out = [
        "; The general ledger of flowtui, in beancount syntax (bean-check checks it).",
        f"option \"title\" {quote(f'{ledger.company}: general ledger')}",
        f"option \"operating_currency\" {quote(currency)}",
        "",
    ]
    for account in ledger.accounts:
        opened = used[account.code] or first or account.created or date(1970, 1, 1)
        out.append(f"{opened.isoformat()} open {names[account.code]} {currency}")
        out.append(f"  code: {quote(account.code)}")
        out.append(f"  name: {quote(account.name)}")
    for entry in ledger.entries:
        out.append("")
        payee = f"{quote(entry.contact)} " if entry.contact else ""
        out.append(f"{entry.date.isoformat()} * {payee}{quote(_narration(entry))}")
        if entry.id is not None:
            out.append(f"  entry: {entry.id}")
        out.append(f"  kind: {quote(entry.kind)}")
        if entry.document_number is not None:
            out.append(f"  document: {quote(entry.document_number)}")
            out.append(f"  document-kind: {quote(entry.document_kind or '')}")
        for line in entry.lines:
            out.append(f"  {names[line.account_code]}  {amount_text(line.debit - line.credit)} {currency}")
    out.extend(_balance_assertions(ledger, names))
    return "\n".join(out) + "\n"


def _balance_assertions(ledger: Ledger, names: dict[str, str]) -> list[str]:
    """Each used account's balance at the end, asserted on the day after (beancount checks at the start of a day)."""
    if not ledger.entries:
        return []
    last = ledger.end or ledger.entries[-1].date
    if last == date.max:
        return []
    balances: dict[str, Decimal] = {}
    for entry in ledger.entries:
        for line in entry.lines:
            balances[line.account_code] = balances.get(line.account_code, Decimal(0)) + line.debit - line.credit
    day = (last + timedelta(days=1)).isoformat()
    return ["", f"; Balances at the end of {last.isoformat()}."] + [
        f"{day} balance {names[code]}  {amount_text(balances[code])} {ledger.currency}" for code in sorted(balances)]


# -- csv -------------------------------------------------------------------------------------------

def to_csv(ledger: Ledger) -> str:
    accounts = {a.code: a for a in ledger.accounts}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in ledger.entries:
        for line in entry.lines:
            account = accounts[line.account_code]
            text = [entry.document_number or "", entry.document_kind or "", entry.kind, entry.memo, account.code,
                    account.name, account.type]
            writer.writerow([entry.date.isoformat(), "" if entry.id is None else entry.id, *map(as_text, text),
                             amount_text(line.debit), amount_text(line.credit)])
    return buffer.getvalue()


# -- the whole export ------------------------------------------------------------------------------

def render(ledger: Ledger, fmt: str) -> LedgerExport:
    text = to_beancount(ledger) if fmt == "beancount" else to_csv(ledger)
    journal = [e for e in ledger.entries if e.id is not None]
    opening = next((e.date for e in ledger.entries if e.id is None), None)
    return LedgerExport(fmt, text, len(journal), opening, journal[0].date if journal else None,
                        journal[-1].date if journal else None)


def write_atomically(target: Path, text: str, example: str = "ledger.txt") -> Path:
    """Write ``text`` (UTF-8) to ``target`` under a temporary name and rename it into place."""
    target = Path(target).expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name, e.g. {target / example}.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"Cannot create the folder {target.parent}: {exc.strerror}.") from None
    temporary = target.with_name(f".{target.name}.part")
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write {target}: {exc.strerror}.") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
