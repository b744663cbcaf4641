"""Journal entries that no sales document carries: stock counts, cash over/short, manual entries.

Documents write their own entries in bulk (:mod:`posting_writer`); everything
else goes through :func:`add_entry`, which refuses an entry that is empty,
does not balance or names an unknown account — so the one rule "every entry
balances" has one gate here too. Amounts are integer sen
(:class:`~flowtui.engine.ledger.posting_plan.JournalLine`).
"""

from __future__ import annotations

from datetime import date, datetime

from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.core.money import amount_text, as_sen, from_sen
from flowtui.engine.ledger import sql
from flowtui.engine.ledger.posting_plan import JournalLine, balanced
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows, the

MANUAL = "manual"


sen = as_sen  # an exact amount as integer sen (core.money's rule)


def add_entry(con: Connection, day: date, kind: str, memo: str, lines: list[JournalLine], now: datetime,
              document_id: int | None = None) -> int:
    """Write one balanced entry; returns its id."""
    lines = [line for line in lines if line.debit or line.credit]
    if not lines:
        raise InvalidInput("A journal entry needs at least one debit and one credit.")
    if any(line.debit < 0 or line.credit < 0 for line in lines):
        raise InvalidInput("Debits and credits must be zero or more.")
    if not balanced(lines):
        debit, credit = (sum(getattr(line, side) for line in lines) for side in ("debit", "credit"))
        raise InvalidInput(f"The entry does not balance: debits {amount_text(from_sen(debit))}, "
                           f"credits {amount_text(from_sen(credit))}.")
    codes = sorted({line.account for line in lines})
    known = {r["code"] for r in rows(con, sql.KNOWN_ACCOUNTS, {"c": codes})}
    missing = [c for c in codes if c not in known]
    if missing:
        raise NotFound(f"No account with code {', '.join(missing)}; see `flowtui accounts`.")
    entry_id = the(con, sql.INSERT_ENTRY, [day, document_id, kind, memo, now])["id"]
    con.executemany(
        sql.INSERT_ENTRY_LINES,
        [(entry_id, no, line.account, from_sen(line.debit), from_sen(line.credit), line.memo,
          line.tax_code) for no, line in enumerate(lines, start=1)])
    return entry_id


def two_sided(debit_account: str, credit_account: str, amount: int, memo: str) -> list[JournalLine]:
    """Debit one account and credit another with ``amount`` sen (a negative amount swaps them)."""
    if amount < 0:
        debit_account, credit_account, amount = credit_account, debit_account, -amount
    return [JournalLine(debit_account, amount, 0, memo), JournalLine(credit_account, 0, amount, memo)]


def category_account(con: Connection, category: str, stream_id: int | None = None) -> str:
    """The account a posting category goes to: the stream's mapping, else the books' default."""
    found = one(con, sql.CROSSING_CATEGORY_MAPPING, [stream_id, category]) if stream_id is not None else None
    found = found or one(con, sql.CATEGORY_DEFAULT, [category])
    if not found:
        raise NotFound(f'No account for "{category}"; set one with `flowtui map account STREAM {category} '
                       f'--account CODE` (or run `flowtui init` to get the defaults).')
    return found["account_code"]
