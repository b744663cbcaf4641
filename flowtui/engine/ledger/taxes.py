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
  is net of it (:data:`ORDER_DISCOUNTS_SQL`). An order with a discount but no
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

TAX_TYPES = ("sales", "service", "exempt")
TAX_CATEGORIES = ("service_charge",)  # what `flowtui map tax` maps

# The tax code of each (stream, store)'s service charge: the source's, else the stream's mapping.
# ``{keys}`` is a relation with stream_id and pos_store_id.
SERVICE_CODES_SQL = """
SELECT k.stream_id, k.pos_store_id, coalesce(ss.service_charge_tax_code, tm.tax_code) AS tax_code
FROM (SELECT DISTINCT stream_id, pos_store_id FROM {keys}) k
LEFT JOIN stream_stores ss ON ss.stream_id = k.stream_id AND ss.pos_store_id = k.pos_store_id
LEFT JOIN tax_mappings tm ON tm.stream_id = k.stream_id AND tm.category = 'service_charge'
WHERE coalesce(ss.service_charge_tax_code, tm.tax_code) IS NOT NULL
"""


# Completed orders' order discounts in sen, per (stream, store, business date, type) and tax code of the lines
# they are shared over. ``{keys}`` is a relation with stream_id, pos_store_id, business_date; $first..$last
# bound its dates (so scans skip row groups).
ORDER_DISCOUNTS_SQL = """
WITH o AS (
    SELECT o.stream_id, o.order_id, o.pos_store_id, o.business_date, o.type, CAST(o.discount * 100 AS BIGINT) AS d
    FROM orders o JOIN {keys} k USING (stream_id, pos_store_id, business_date)
    WHERE o.status = 'completed' AND o.discount <> 0 AND o.business_date BETWEEN $first AND $last
),
l AS (
    SELECT o.*, l.line_no, coalesce(l.tax_code, '') AS tax_code, CAST(l.amount * 100 AS BIGINT) AS a,
           sum(CAST(l.amount * 100 AS BIGINT)) OVER (PARTITION BY o.stream_id, o.order_id) AS whole,
           min(l.amount) OVER (PARTITION BY o.stream_id, o.order_id) >= 0 AS fair
    FROM o JOIN order_lines l ON l.stream_id = o.stream_id AND l.order_id = o.order_id
    WHERE l.business_date BETWEEN $first AND $last
),
shared AS (
    SELECT *, (CAST(d AS HUGEINT) * a) // whole AS floor_share, (CAST(d AS HUGEINT) * a) % whole AS rest
    FROM l WHERE whole > 0 AND fair
),
ranked AS (
    SELECT *, d - sum(floor_share) OVER (PARTITION BY stream_id, order_id) AS left_over,
           row_number() OVER (PARTITION BY stream_id, order_id ORDER BY rest DESC, line_no) AS place
    FROM shared
)
SELECT stream_id, pos_store_id, business_date, type, tax_code,
       CAST(sum(floor_share + CASE WHEN place <= left_over THEN 1 ELSE 0 END) AS BIGINT) AS discount
FROM ranked GROUP BY ALL
UNION ALL  -- nothing to share it over (no lines, or lines that add up to nothing): under no code
SELECT o.stream_id, o.pos_store_id, o.business_date, o.type, '' AS tax_code, CAST(sum(o.d) AS BIGINT) AS discount
FROM o WHERE NOT EXISTS (SELECT 1 FROM shared s WHERE s.stream_id = o.stream_id AND s.order_id = o.order_id)
GROUP BY ALL
"""


@dataclass(frozen=True)
class TaxCode:
    code: str
    type: str
    rate: Decimal
    description: str | None = None


def tax_codes(con: Connection) -> list[TaxCode]:
    return [TaxCode(*r) for r in con.execute(
        "SELECT code, type, rate, description FROM tax_codes ORDER BY type, rate, code").fetchall()]


def rates(con: Connection) -> dict[str, Decimal]:
    """Each known code's nominal rate."""
    return dict(con.execute("SELECT code, rate FROM tax_codes").fetchall())


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
    if not con.execute("SELECT 1 FROM tax_codes WHERE code = ?", [code]).fetchall():
        raise NotFound(f"No tax code {code!r}; see `flowtui tax codes`, or add it with "
                       f"`flowtui tax code add {code} --type service --rate 6%`.")
    con.execute(sql.CROSSING_UPSERT_TAX_MAPPING, [stream_id, category, code])
    # Days not posted yet take the code at once; posted days keep what their documents say.
    con.execute(sql.CROSSING_REDIGEST_UNPOSTED_SERVICE_DAYS, [stream_id])


def tax_mappings(con: Connection, stream_id: int) -> dict[str, str]:
    return dict(con.execute("SELECT category, tax_code FROM tax_mappings WHERE stream_id = ?", [stream_id]).fetchall())


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


_REPORT_SQL = """
SELECT coalesce(t.tax_code, '') AS code, c.type, c.rate,
       sum(CASE WHEN d.kind = 'invoice' THEN t.taxable ELSE -t.taxable END) AS taxable,
       sum(CASE WHEN d.kind = 'invoice' THEN t.tax ELSE -t.tax END) AS tax
FROM document_taxes t
JOIN documents d ON d.id = t.document_id
LEFT JOIN tax_codes c ON c.code = t.tax_code
WHERE d.date BETWEEN $start AND $end
GROUP BY ALL
HAVING sum(CASE WHEN d.kind = 'invoice' THEN t.taxable ELSE -t.taxable END) <> 0
    OR sum(CASE WHEN d.kind = 'invoice' THEN t.tax ELSE -t.tax END) <> 0
ORDER BY code
"""

# The tax accounts: every account the documents' tax lines went to, and the category's accounts.
_TAX_ACCOUNTS_SQL = """
SELECT account_code FROM account_defaults WHERE category = 'tax'
UNION SELECT account_code FROM account_mappings WHERE category = 'tax'
"""

_MOVEMENT_SQL = """
SELECT coalesce(sum(jl.credit - jl.debit) FILTER (WHERE e.document_id IS NOT NULL), 0),
       coalesce(sum(jl.credit - jl.debit) FILTER (WHERE e.document_id IS NULL), 0)
FROM journal_lines jl JOIN journal_entries e ON e.id = jl.entry_id
WHERE e.date BETWEEN $start AND $end AND jl.account_code IN (SELECT unnest($accounts))
"""


def report(con: Connection, start: date, end: date) -> TaxReport:
    if start > end:
        raise InvalidInput(f"--from {start} is after --to {end}.")
    grouped: dict[tuple[str, Decimal | None], list] = {}
    notes = []
    for code, kind, rate, taxable, tax in con.execute(_REPORT_SQL, {"start": start, "end": end}).fetchall():
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
    accounts = sorted({r[0] for r in con.execute(_TAX_ACCOUNTS_SQL).fetchall()}
                      | {r[0] for r in con.execute(
                          "SELECT DISTINCT jl.account_code FROM journal_lines jl WHERE jl.tax_code IS NOT NULL").fetchall()})
    movement, other = con.execute(_MOVEMENT_SQL, {"start": start, "end": end, "accounts": accounts}).fetchall()[0]
    taxable = sum((line.taxable for line in lines), Decimal(0))
    tax = sum((line.tax for line in lines), Decimal(0))
    if other:
        notes.append(f"{amount_text(other)} moved on the tax account(s) by entries that are not sales documents "
                     "(manual entries, payments of tax); they are not part of the return")
    return TaxReport(start, end, lines, Decimal(taxable), Decimal(tax), Decimal(movement), Decimal(other),
                     accounts, notes)


_ORDER = {"sales": 0, "service": 1, "exempt": 2, "unknown": 3}
