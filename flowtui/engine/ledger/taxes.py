"""Tax codes: what each code is (type and rate), which code a service charge carries, and the SST report.

* **Tax codes** (``tax_codes``): a code's type — ``sales`` (sales tax),
  ``service`` (service tax) or ``exempt`` — and its nominal rate. Malaysian
  SST codes come seeded (SV6, SV8, ST5, ST10, ZR); ``flowtui tax code add``
  adds more. Printing shows a code's nominal rate (6 %, never 5.99 %).
* **The service charge's code**: the source's (a StoreHub store's
  ``serviceChargeTaxCode``, kept in ``stream_stores``), else the stream's
  mapping (``flowtui map tax STREAM service_charge --code SV6``).
* **An order discount** (on top of line discounts) is shared over the
  order's lines in proportion to their amounts — largest remainder, ties to
  the earlier line, as the till shares it — so each tax code's taxable amount
  is net of it (:data:`flowtui.engine.ledger.sql.ORDER_DISCOUNTS_SQL`). An order with a discount but no
  line amounts keeps it under no code.
* **The tax report**: per type and rate, the taxable amount and tax of every
  document dated in the period (credit notes, adjustments and reversals
  negative), next to the movement of the tax accounts those documents posted
  to — what an SST-02 return asks for, tied to the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.core.money import amount_text
from flowtui.engine.ledger import sql
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows

TAX_TYPES = ("sales", "service", "exempt")
TAX_CATEGORIES = ("service_charge",)  # what `flowtui map tax` maps


@dataclass(frozen=True)
class TaxCode:
    code: str
    type: str
    rate: Decimal
    description: str | None = None


def tax_codes(con: Connection) -> list[TaxCode]:
    return [TaxCode(**r) for r in rows(con, sql.TAX_CODES)]


def rates(con: Connection) -> dict[str, Decimal]:
    """Each known code's nominal rate."""
    return {r["code"]: r["rate"] for r in rows(con, sql.TAX_RATES)}


def add_tax_code(con: Connection, code: str, kind: str, rate: Decimal, description: str | None,
                 now: datetime) -> TaxCode:
    code, kind = code.strip(), kind.strip().lower()
    if not code:
        raise InvalidInput("A tax code cannot be empty.")
    if kind not in TAX_TYPES:
        raise InvalidInput(f"Tax type must be one of {', '.join(TAX_TYPES)}, not {kind!r}.")
    con.execute(sql.UPSERT_TAX_CODE, [code, kind, rate, (description or "").strip() or None, now])
    return TaxCode(code, kind, rate, description)


def map_tax(con: Connection, stream_id: int, category: str, code: str) -> None:
    """The tax code a stream's ``category`` (the service charge) carries when its source names none."""
    category, code = category.strip().lower(), code.strip()
    if category not in TAX_CATEGORIES:
        raise InvalidInput(f"Tax can be mapped for {', '.join(TAX_CATEGORIES)}, not {category!r}.")
    if not code:
        raise InvalidInput("Give the tax code: --code SV6.")
    if one(con, sql.TAX_CODE_NAMED, [code]) is None:
        raise NotFound(f"No tax code {code!r}; see `flowtui tax codes`, or add it with "
                       f"`flowtui tax code add {code} --type service --rate 6%`.")
    con.execute(sql.CROSSING_UPSERT_TAX_MAPPING, [stream_id, category, code])
    # Days not posted yet take the code at once; posted days keep what their documents say.
    con.execute(sql.CROSSING_REDIGEST_UNPOSTED_SERVICE_DAYS, [stream_id])


def tax_mappings(con: Connection, stream_id: int) -> dict[str, str]:
    return {r["category"]: r["tax_code"] for r in rows(con, sql.CROSSING_TAX_MAPPINGS, [stream_id])}


# -- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxLine:
    type: str  # sales | service | exempt | unknown
    rate: Decimal | None
    codes: tuple[str, ...]
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class TaxReport:
    start: date
    end: date
    lines: list[TaxLine]
    taxable: Decimal
    tax: Decimal
    tax_account_movement: Decimal  # credits less debits of the documents' tax lines in the period
    other_tax_movement: Decimal  # entries not from documents (manual entries, payments to customs)
    accounts: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return self.tax == self.tax_account_movement


def report(con: Connection, start: date, end: date) -> TaxReport:
    if start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    grouped: dict[tuple[str, Decimal | None], list] = {}
    notes = []
    for r in rows(con, sql.TAX_REPORT, {"start": start, "end": end}):
        code, kind, rate, taxable, tax = r["code"], r["type"], r["rate"], r["taxable"], r["tax"]
        if kind is None:
            kind = "unknown"
            notes.append(f"{amount_text(tax)} of tax under no tax code; map the service charge's code "
                         f"(`flowtui map tax STREAM service_charge --code SV6`) or give lines a tax code"
                         if not code else
                         f"tax code {code!r} is not described; `flowtui tax code add {code} --type sales|service "
                         f"--rate R` puts it under its type and rate")
        entry = grouped.setdefault((kind, rate), [[], Decimal(0), Decimal(0)])
        entry[0].append(code)
        entry[1] += taxable
        entry[2] += tax
    lines = [TaxLine(kind, rate, tuple(codes), taxable, tax)
             for (kind, rate), (codes, taxable, tax) in sorted(
                 grouped.items(), key=lambda kv: (_ORDER.get(kv[0][0], 9), kv[0][1] or Decimal(0)))]
    accounts = sorted({r["account_code"] for r in rows(con, sql.TAX_ACCOUNTS)}
                      | {r["account_code"] for r in rows(con, sql.TAXED_JOURNAL_ACCOUNTS)})
    moved = rows(con, sql.TAX_MOVEMENT, {"start": start, "end": end, "accounts": accounts})[0]
    movement, other = moved["movement"], moved["other"]
    taxable = sum((line.taxable for line in lines), Decimal(0))
    tax = sum((line.tax for line in lines), Decimal(0))
    if other:
        notes.append(f"{amount_text(other)} moved on the tax account(s) by entries that are not sales documents "
                     "(manual entries, payments of tax); they are not part of the return")
    return TaxReport(start, end, lines, Decimal(taxable), Decimal(tax), Decimal(movement), Decimal(other),
                     accounts, notes)


_ORDER = {"sales": 0, "service": 1, "exempt": 2, "unknown": 3}
