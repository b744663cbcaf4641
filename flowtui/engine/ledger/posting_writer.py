"""Writing a chunk's postings: every table once, ids drawn in blocks, numbers gap-free per format."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import pyarrow as pa

from flowtui.engine.core.errors import FlowError
from flowtui.engine.ledger import history, sql
from flowtui.engine.ledger.posting_plan import DocumentPlan
from flowtui.engine.ledger.sequences import Numbers
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows


class Writer:
    """Collects the rows of a chunk's documents and writes each table once."""

    def __init__(self, con: Connection, now: datetime, who: str, currency: str) -> None:
        self.con, self.now, self.who, self.currency = con, now, who, currency
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.sequences = Numbers(con)  # document numbers, gap-free per format
        self.events: list[tuple[int, str, str]] = []  # document history, written at flush
        self.invoices: dict[int, int] = {}  # digest id -> invoice document id, for this chunk
        self.numbers: dict[int, str] = {}  # document id -> number, for this chunk
        self.ids: dict[str, list[int]] = {}
        self.dates: list = []  # business dates of the chunk's postings

    def _next_id(self, sequence: str) -> int:
        """Internal row ids, drawn from the sequence a block at a time (unused ones are simply skipped)."""
        pool = self.ids.setdefault(sequence, [])
        if not pool:
            pool.extend(r["id"] for r in rows(self.con, sql.NEXT_IDS.format(sequence=sequence)))  # names are ours
            pool.reverse()
        return pool.pop()

    def add(self, row: dict, day: dict, plans: list[DocumentPlan], adjusts: tuple[int, str] | None = None,
            why: str | None = None) -> list[tuple[str, str]]:
        """A digest's posting: its documents, or — ``adjusts`` given — the one document of a change."""
        posting_id = self._next_id("posting_ids")
        self.rows["postings"].append((posting_id, row["id"], day["version"], self.now, self.who, None))
        self.dates.append(day["plan_input"].business_date)
        numbers, invoice_id = [], None
        for plan in plans:
            document_id = self._next_id("document_ids")
            fmt = day["invoice_format"] if plan.kind == "invoice" else day["credit_note_format"]
            number = self.sequences.next(fmt, plan.date)
            if adjusts:
                linked = adjusts[0]
            elif plan.kind == "credit_note":  # the same day's invoice, else the invoice of the sale returned
                linked = invoice_id or self.invoices.get(day["original_digest"]) or day["earlier_invoice"]
            else:
                linked = None
                invoice_id = self.invoices[row["id"]] = document_id
            title = _title(plan.kind, bool(adjusts))
            self._document(document_id, posting_id, plan, number, title, row["id"], day, linked,
                           "adjustment" if adjusts else "original")
            where = f"digest {row['id']} v{day['version']} ({day['stream']}, {row['location']}, {plan.date})"
            if adjusts:
                self._history(document_id, "posted", f"posted the change to {where} since it was posted: {why}")
                self._history(document_id, "linked", f"adjusts {adjusts[1]}")
                self._history(adjusts[0], "adjusted", f"adjusted by {title.lower()} {number} ({where}): {why}")
            else:
                noun = "sale" if plan.kind == "invoice" else "return"
                self._history(document_id, "posted", f"posted from {where}: {plan.orders} {noun}(s)")
                if linked:
                    self._history(document_id, "linked",
                                  f"credits invoice {self.numbers.get(linked) or day['earlier_number']}")
            numbers.append((plan.kind, number))
        return numbers

    def _document(self, document_id: int, posting_id: int, plan: DocumentPlan, number: str, title: str,
                  digest_id: int, day: dict, linked: int | None, role: str, entry_kind: str | None = None) -> None:
        """One document's rows: itself, lines, payments, taxes, journal entries and stock movements."""
        self.numbers[document_id] = number
        self.rows["documents"].append((
            document_id, plan.kind, number, plan.date, day["contact_id"], day["location_id"], day["stream_id"],
            digest_id, day["version"], posting_id, linked, plan.subtotal, plan.discount, plan.service_charge,
            plan.tax, plan.rounding, plan.total, self.currency, "posted", self.now, role, plan.shipping, plan.tips))
        for no, line in enumerate(plan.lines, start=1):
            self.rows["document_lines"].append((
                document_id, no, line.kind, line.description, line.sku, line.quantity, line.unit_price,
                line.discount, line.tax, line.tax_code, line.amount, line.account, line.side))
        for method, account, amount in plan.payments:
            self.rows["document_payments"].append((document_id, method, account, amount))
        for code, taxable, tax in plan.taxes:
            self.rows["document_taxes"].append((document_id, code, taxable, tax))
        cost_entry = None
        sale_kind = entry_kind or ("sale" if plan.kind == "invoice" else "return")
        for kind, memo, lines in ((sale_kind, f"{title} {number}", plan.journal),
                                  ("cost", f"Cost of goods, {title.lower()} {number}", plan.cogs)):
            if not lines:
                continue
            entry_id = self._next_id("journal_entry_ids")
            self.rows["journal_entries"].append((entry_id, plan.date, document_id, kind, memo, self.now))
            for no, jline in enumerate(lines, start=1):
                self.rows["journal_lines"].append((entry_id, no, jline.account, jline.debit, jline.credit, jline.memo,
                                                   jline.tax_code))
            if kind == "cost":
                cost_entry = entry_id
        for move in plan.stock:
            self.rows["stock_movements"].append((
                move.sku, day["location_id"], plan.date, move.quantity, move.unit_cost,
                "sale" if move.quantity < 0 else "return", document_id, f"{title} {number}", self.now, move.value,
                cost_entry))

    def reversal(self, digest_id: int, day: dict, version: int, plan: DocumentPlan, reverses: tuple[int, str],
                 reason: str) -> str:
        """The document that reverses ``reverses`` (id, number), in a posting of its own at ``version``."""
        posting_id = self._next_id("posting_ids")
        self.rows["postings"].append((posting_id, digest_id, version, self.now, self.who,
                                      f"reversal of {reverses[1]}: {reason}"))
        document_id = self._next_id("document_ids")
        fmt = day["invoice_format"] if plan.kind == "invoice" else day["credit_note_format"]
        number = self.sequences.next(fmt, plan.date)
        title = "Reversal"
        self._document(document_id, posting_id, plan, number, title, digest_id, {**day, "version": version},
                       reverses[0], "reversal", entry_kind="reversal")
        self._history(document_id, "posted", f"reverses {reverses[1]}: {reason}")
        self._history(document_id, "linked", f"reverses {reverses[1]}")
        self._history(reverses[0], "reversed", f"reversed by {number}: {reason}")
        return number

    def unchanged(self, row: dict, day: dict, original: tuple[int, str], why: str) -> None:
        """A change that nets to zero on every line: nothing to post, but the digest version is settled."""
        posting_id = self._next_id("posting_ids")
        self.rows["postings"].append((posting_id, row["id"], day["version"], self.now, self.who, "nothing to post"))
        self.dates.append(day["plan_input"].business_date)
        self._history(original[0], "change recorded",
                      f"digest {row['id']} v{day['version']} changed at the source ({why}) but every line nets "
                      f"to zero: nothing to post")

    def _history(self, document_id: int, event: str, detail: str) -> None:
        self.events.append((document_id, event, detail))

    def flush(self) -> None:
        self._check_numbers()
        for table, batch in self.rows.items():
            if batch:
                _insert(self.con, table, batch)
        history.record(self.con, self.events, now=self.now, actor=self.who)
        if self.dates:  # which order versions each posting covered, for the audit trail
            self.con.execute(sql.CROSSING_POSTED_ORDERS, {
                "ids": [r[0] for r in self.rows["postings"]], "first": min(self.dates), "last": max(self.dates)})
        self.sequences.save()

    def _check_numbers(self) -> None:
        """Two formats can render the same number; say so before the UNIQUE key refuses it."""
        numbers = [row[2] for row in self.rows["documents"]]
        seen, clash = set(), None
        for number in numbers:
            if number in seen:
                clash = number
            seen.add(number)
        if clash is None and numbers:
            found = one(self.con, sql.NUMBERS_TAKEN, {"n": numbers})
            clash = found["number"] if found else None
        if clash:
            raise FlowError(f"Document number {clash} would be used twice: two locations' number formats produce "
                            f"the same numbers. Give one of them a distinct format (flowtui map location ... "
                            f"--number-format) and post again; nothing was posted.")


def _title(kind: str, adjustment: bool) -> str:
    if kind == "invoice":
        return "Supplementary invoice" if adjustment else "Invoice"
    return "Credit note"


# money columns arrive as sen, quantities as thousandths, prices and costs as 1/10,000
_TABLES = {
    "postings": ("id, digest_id, digest_version, posted_at, actor, note", {}),
    "documents": ("id, kind, number, date, contact_id, location_id, stream_id, digest_id, digest_version, posting_id, "
                  "linked_document_id, subtotal, discount, service_charge, tax, rounding, total, currency, status, "
                  "created_at, role, shipping, tips",
                  {"subtotal": 2, "discount": 2, "service_charge": 2, "tax": 2, "rounding": 2, "total": 2,
                   "shipping": 2, "tips": 2}),
    "document_lines": ("document_id, line_no, kind, description, sku, quantity, unit_price, discount, tax, tax_code, "
                       "amount, account_code, side",
                       {"quantity": 3, "unit_price": 4, "discount": 2, "tax": 2, "amount": 2}),
    "document_payments": ("document_id, method, account_code, amount", {"amount": 2}),
    "document_taxes": ("document_id, tax_code, taxable, tax", {"taxable": 2, "tax": 2}),
    "journal_entries": ("id, date, document_id, kind, memo, created_at", {}),
    "journal_lines": ("entry_id, line_no, account_code, debit, credit, memo, tax_code", {"debit": 2, "credit": 2}),
    "stock_movements": ("sku, location_id, business_date, quantity, unit_cost, kind, document_id, note, created_at, "
                        "value, journal_entry_id", {"quantity": 3, "unit_cost": 4, "value": 2}),
}


def _insert(con: Connection, table: str, rows: list[tuple]) -> None:
    columns, scaled = _TABLES[table]
    names = [c.strip() for c in columns.split(",")]
    data = pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})
    select = ", ".join(  # exact: an integer times 0.01 (never a division, which DuckDB does in floating point)
        f"({n} * 0.{'0' * (scaled[n] - 1)}1::DECIMAL({scaled[n] + 1},{scaled[n]}))::DECIMAL(18,{scaled[n]})"
        if n in scaled else n
        for n in names)
    con.register("incoming", data)
    try:
        con.execute(sql.INSERT_ROWS.format(table=table, columns=columns, select=select))  # names are ours
    finally:
        con.unregister("incoming")
