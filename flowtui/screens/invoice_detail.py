"""One invoice or credit note: who, when, where from; lines, payments, taxes, totals, history, linked documents."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Label, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from flowtui.engine.core.clock import iso_utc
from flowtui.engine.core.formats import money, price, quantity
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.columns import Column, FittedTable
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import LiteralTable
from flowtui.screens.invoices import document_title, kind_label, money_cell

TABS = ("lines", "totals", "history", "linked")
# At 80 columns the account, the discount and then the SKU give way (c shows them); the amount never does.
LINE_COLUMNS = [Column("description", "Description", 30, least=14), Column("sku", "SKU", 14, least=8, rank=3),
                Column("quantity", "Qty", 6, right=True), Column("unit_price", "Unit price", 10, right=True, rank=2),
                Column("discount", "Disc", 10, right=True, rank=4), Column("tax", "Tax", 10, right=True, rank=1),
                Column("amount", "Amount", 12, right=True), Column("account", "Account", 24, least=10, rank=5)]


def _right(label: str) -> Text:
    return Text(label, justify="right")


class InvoiceDetailScreen(FlowScreen):
    """``InvoiceDetailScreen("KL-202610-0001")``: the document as posted, read-only."""

    DEFAULT_CSS = """
    InvoiceDetailScreen #doc-summary { height: auto; padding: 0 1; }
    InvoiceDetailScreen TabbedContent { height: 1fr; }
    InvoiceDetailScreen TabPane { padding: 0; }
    InvoiceDetailScreen ContentSwitcher { height: 1fr; }
    InvoiceDetailScreen #totals-scroll { height: 1fr; }
    InvoiceDetailScreen .section { text-style: bold; padding: 0 1; }
    InvoiceDetailScreen #history-detail, InvoiceDetailScreen #linked-hint { height: auto; padding: 0 1; }
    """
    AUTO_FOCUS = "#lines"
    FOOTER_KEYS = ("invoice.print", "invoice.next_tab", "table.columns")  # shown however narrow
    BINDINGS = [
        Binding("escape", "back", "Back", id="invoice.back"),
        Binding("p", "print", "Print PDF", id="invoice.print"),
        Binding("o", "open_linked", "Open linked", id="invoice.open_linked"),
        Binding("s", "source", "Source", id="invoice.source"),
        Binding("right_square_bracket", "next_tab(1)", "Next tab", id="invoice.next_tab"),
        Binding("left_square_bracket", "next_tab(-1)", "Previous tab", id="invoice.previous_tab", show=False),
        Binding("1", "tab('lines')", "Lines", id="invoice.lines", show=False),
        Binding("2", "tab('totals')", "Payments and totals", id="invoice.totals", show=False),
        Binding("3", "tab('history')", "History", id="invoice.history", show=False),
        Binding("4", "tab('linked')", "Linked documents", id="invoice.linked", show=False),
        Binding("r", "refresh", "Refresh", id="invoice.refresh", show=False),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number.strip()
        self.detail = None
        self.title = self.number

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Loading {self.number}...", id="doc-summary", markup=False)
        with TabbedContent(initial="lines-pane"):
            with TabPane("Lines", id="lines-pane"):
                yield FittedTable(LINE_COLUMNS, id="lines", cursor_type="row", zebra_stripes=True)
            with TabPane("Payments & totals", id="totals-pane"):
                with VerticalScroll(id="totals-scroll"):
                    yield Label("Payments", classes="section", markup=False)
                    yield LiteralTable(id="payments", cursor_type="none", zebra_stripes=True)
                    yield Label("Tax summary", classes="section", markup=False)
                    yield LiteralTable(id="taxes", cursor_type="none", zebra_stripes=True)
                    yield Label("Totals", classes="section", markup=False)
                    yield LiteralTable(id="totals", cursor_type="none", show_header=False)
            with TabPane("History", id="history-pane"):
                yield LiteralTable(id="history", cursor_type="row", zebra_stripes=True)
                yield Static("", id="history-detail", classes="hint", markup=False)
            with TabPane("Linked", id="linked-pane"):
                yield LiteralTable(id="linked", cursor_type="row", zebra_stripes=True)
                yield Static("", id="linked-hint", classes="hint", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#payments", DataTable).add_columns("Method", "Account", _right("Amount"))
        self.query_one("#taxes", DataTable).add_columns("Tax code", _right("Taxable"), _right("Tax"))
        self.query_one("#totals", DataTable).add_columns("What", _right("Amount"))
        for name in ("payments", "taxes", "totals"):  # whole, inside the scrolling pane (app.tcss makes tables 1fr)
            self.query_one(f"#{name}", DataTable).styles.height = "auto"
        self.query_one("#history", DataTable).add_columns("At (UTC)", "By", "Event", "Detail")
        self.query_one("#linked", DataTable).add_columns("Relation", "Number", "Kind", "Date", _right("Total"))
        self.action_refresh()

    # -- loading ---------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        number = self.number
        self.run_engine(lambda: self.flow.invoice(number), self._show, name="invoice")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # (FlowScreen's handler runs too, after this one: it shows the error modal)
        if event.worker.name == "invoice" and event.state == WorkerState.ERROR:
            self.query_one("#doc-summary", Static).update(f"Could not open {self.number}; escape goes back.")

    def _show(self, d) -> None:
        self.detail = d
        r = d.row
        title = document_title(r.kind, d.role)
        self.title = f"{title} {r.number}"
        self.query_one("#doc-summary", Static).update(
            f"{title} {r.number} · {r.date.isoformat()} · {r.status} · total {d.currency} {money(r.total)}\n"
            f"To {r.contact} · {r.location} · source: {d.stream} digest, version {d.digest_version} (s opens it)")
        self._fill("#lines", [
            (x["description"] or "", x["sku"] or "", _right(quantity(x["quantity"])), _right(price(x["unit_price"])),
             money_cell(x["discount"]), money_cell(x["tax"]), money_cell(x["amount"]), x["account"] or "")
            for x in d.lines])
        self._fill("#payments", [(p["method"], p["account"] or "", money_cell(p["amount"])) for p in d.payments])
        self._fill("#taxes", [(t["tax_code"] or "-", money_cell(t["taxable"]), money_cell(t["tax"])) for t in d.taxes])
        self._fill("#totals", [
            ("Subtotal", money_cell(d.subtotal)), ("Discount", money_cell(d.discount)),
            ("Service charge", money_cell(d.service_charge)),
            *([("Shipping", money_cell(d.shipping))] if d.shipping else []), ("Tax", money_cell(d.tax)),
            *([("Tips", money_cell(d.tips))] if d.tips else []),
            ("Rounding", money_cell(d.rounding)), (Text(f"Total ({d.currency})", style="bold"),
                                                    money_cell(r.total, bold=True))])
        self._fill("#history", [(iso_utc(h["at"])[:16].replace("T", " "), h["actor"] or "", h["event"],
                                 h["detail"] or "") for h in d.history])
        self._fill("#linked", [(x["relation"], x["number"], kind_label(x["kind"]), x["date"].isoformat(),
                                money_cell(x["total"])) for x in d.linked], keys=[x["number"] for x in d.linked])
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("lines-pane").label = f"Lines ({len(d.lines)})"
        tabs.get_tab("history-pane").label = f"History ({len(d.history)})"
        tabs.get_tab("linked-pane").label = f"Linked ({len(d.linked)})"
        self.query_one("#linked-hint", Static).update(
            "enter or o opens the highlighted document." if d.linked else "No linked documents.")
        self._describe_history()

    def _fill(self, selector: str, rows, keys: list[str] | None = None) -> None:
        table = self.query_one(selector, DataTable)
        table.clear()
        for i, row in enumerate(rows):
            table.add_row(*row, key=keys[i] if keys else None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "history":
            self._describe_history()

    def _describe_history(self) -> None:
        """The highlighted history entry in full (the table cuts long details off at 80 columns)."""
        table = self.query_one("#history", DataTable)
        text = ""
        if self.detail is not None and self.detail.history and table.cursor_row < len(self.detail.history):
            h = self.detail.history[table.cursor_row]
            text = f"{h['event']}: {h['detail']}" if h["detail"] else h["event"]
        self.query_one("#history-detail", Static).update(text)

    # -- tabs ------------------------------------------------------------------------------------
    def action_tab(self, name: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = f"{name}-pane"
        focus = {"lines": "#lines", "totals": "#totals-scroll", "history": "#history", "linked": "#linked"}[name]
        self.query_one(focus).focus()

    def action_next_tab(self, step: int) -> None:
        current = self.query_one(TabbedContent).active.removesuffix("-pane")
        self.action_tab(TABS[(TABS.index(current) + step) % len(TABS)])

    # -- actions ---------------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "linked":
            event.stop()
            self._open(event.row_key.value)

    def action_open_linked(self) -> None:
        if self.detail is None:
            return
        linked = self.detail.linked
        if not linked:
            self.notify("This document has no linked documents.", severity="warning")
            return
        table = self.query_one("#linked", DataTable)
        if len(linked) == 1 or self.query_one(TabbedContent).active == "linked-pane":
            self._open(linked[min(table.cursor_row, len(linked) - 1)]["number"])
            return
        self.action_tab("linked")
        self.notify(f"{len(linked)} linked documents: choose one and press enter.")

    def _open(self, number: str | None) -> None:
        if number:
            self.app.push_screen(self.flowapp.make_screen("invoice", number=number))

    def action_source(self) -> None:
        """The digest this document was posted from (the digests screen shows its orders and versions)."""
        if self.detail is not None:
            self.app.push_screen(self.flowapp.make_screen("digest", digest_id=self.detail.row.digest_id))

    def action_print(self) -> None:
        """Print to PDF (``pdfs/`` beside the database) in a worker; say where the file went."""
        number = self.number
        self.notify(f"Printing {number} to PDF...")
        self.run_engine(lambda: self.flow.invoice_pdf(number), self._printed, name="print")

    def _printed(self, path) -> None:
        if path:
            self.notify(f"{self.number} printed to {path}", timeout=10)
            self.action_refresh()  # the print is now in the history

    def action_back(self) -> None:
        self.app.pop_screen()
