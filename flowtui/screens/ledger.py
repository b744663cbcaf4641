"""The ledger: a trial balance (as of a date) and the journal (by account and dates), read-only."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static, TabbedContent, TabPane
from textual.widgets.select import InvalidSelectValueError

from flowtui.engine.core.formats import money
from flowtui.engine.ledger.reading import BalanceRow, JournalRow
from flowtui.screens.common.base import FlowScreen, ModeEntered
from flowtui.screens.common.columns import Column, FittedTable
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import choices, literal
from flowtui.screens.invoices import DayInput, leave_filter, money_cell

TOTAL = "__total__"
BALANCE_COLUMNS = [Column("code", "Code", 6), Column("name", "Name", 30, least=10), Column("type", "Type", 10, rank=1),
                   Column("debit", "Debit", 12, right=True), Column("credit", "Credit", 12, right=True),
                   Column("balance", "Balance", 12, right=True)]
# Amounts before the document and memo; at 80 columns the memo, the entry number and then the account's name give
# way (c shows them, the status line shows the highlighted line in full); the document never does.
JOURNAL_COLUMNS = [Column("entry", "Entry", 6, right=True, rank=3), Column("date", "Date", 10),
                   Column("account", "Account", 7), Column("name", "Name", 18, least=6, rank=1),
                   Column("debit", "Debit", 12, right=True), Column("credit", "Credit", 12, right=True),
                   Column("document", "Document", 18), Column("memo", "Memo", 30, least=10, rank=4)]


def _right(label: str) -> Text:
    return Text(label, justify="right")


class LedgerScreen(FlowScreen):
    """Trial balance and journal browser; ``o``/enter on a journal line opens its document."""

    TITLE = "Ledger"
    DEFAULT_CSS = """
    LedgerScreen TabbedContent { height: 1fr; }
    LedgerScreen TabPane { padding: 0; }
    LedgerScreen ContentSwitcher { height: 1fr; }
    LedgerScreen #as-of-hint { width: 1fr; height: 3; content-align: left middle; color: $text-muted; padding: 0 1; }
    """
    AUTO_FOCUS = "#balance"
    FOOTER_KEYS = ("ledger.open", "ledger.filter", "ledger.journal", "table.columns")  # shown however narrow
    BINDINGS = [
        Binding("escape", "back", "Back", id="ledger.back"),
        Binding("t", "tab('balance')", "Balances", id="ledger.trial_balance"),
        Binding("j", "tab('journal')", "Journal", id="ledger.journal"),
        Binding("o", "open", "Open", id="ledger.open"),
        Binding("f", "filter", "Filter", id="ledger.filter"),
        Binding("x", "clear", "Clear", id="ledger.clear"),
        Binding("r", "refresh", "Refresh", id="ledger.refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.balances: list[BalanceRow] = []
        self.lines: list[JournalRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="balance-pane"):
            with TabPane("Trial balance", id="balance-pane"):
                with Horizontal(classes="filters"):
                    yield DayInput("As of", id="as-of")
                    yield Static("Balances up to and including this day; empty for all.", id="as-of-hint",
                                 markup=False)
                yield FittedTable(BALANCE_COLUMNS, id="balance", cursor_type="row", zebra_stripes=True)
                yield Static("", id="balance-status", classes="status-line", markup=False)
            with TabPane("Journal", id="journal-pane"):
                with Horizontal(classes="filters", id="journal-filters"):
                    yield Select([], prompt="All accounts", id="account")
                    yield DayInput("From", id="journal-from")
                    yield DayInput("To", id="journal-to")
                yield FittedTable(JOURNAL_COLUMNS, id="journal", cursor_type="row", zebra_stripes=True)
                yield Static("", id="journal-status", classes="status-line", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#as-of").styles.width = 24  # app.tcss makes filter inputs 1fr
        self.run_engine(self.flow.accounts, self._show_accounts, name="accounts")
        self.load_balance()
        self.load_journal()

    def action_refresh(self) -> None:
        self.load_balance()
        self.load_journal()

    def on_mode_entered(self, _: ModeEntered) -> None:  # back with F1-F4: posting, printing may have happened
        self.action_refresh()

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active.removesuffix("-pane")

    # -- trial balance ---------------------------------------------------------------------------
    def load_balance(self) -> None:
        as_of = self.query_one("#as-of", DayInput).day
        self.run_engine(lambda: self.flow.trial_balance(as_of), self._show_balance, name="balance")

    def _show_balance(self, rows) -> None:
        self.balances = rows
        table = self.query_one("#balance", DataTable)
        table.clear()
        for r in rows:
            table.add_row(r.code, r.name, r.type, money_cell(r.debit), money_cell(r.credit), money_cell(r.balance),
                          key=r.code)
        debit = sum((r.debit for r in rows), Decimal(0))
        credit = sum((r.credit for r in rows), Decimal(0))
        table.add_row(Text("Total", style="bold"), "", "", money_cell(debit, bold=True), money_cell(credit, bold=True),
                      money_cell(debit - credit, bold=True), key=TOTAL)
        as_of = self.query_one("#as-of", DayInput).day
        when = f" as of {as_of.isoformat()}" if as_of else ""
        status = self.query_one("#balance-status", Static)
        if not rows:
            status.update(f"Nothing posted{when} yet.")
        elif debit == credit:
            status.update(f"Balanced{when}: debits {money(debit)} = credits {money(credit)} · {len(rows)} accounts "
                          "· enter: its journal")
        else:
            status.update(f"OUT OF BALANCE{when} by {money(debit - credit)}: debits {money(debit)}, "
                          f"credits {money(credit)}.")
        status.set_class(bool(rows) and debit != credit, "warning-line")

    # -- journal ---------------------------------------------------------------------------------
    def _show_accounts(self, accounts) -> None:
        select = self.query_one("#account", Select)
        with self.prevent(Select.Changed):
            select.set_options([(literal(f"{a.code} {a.name}"), a.code) for a in accounts])

    def journal_filters(self):
        account = self.query_one("#account", Select).value
        return (self.query_one("#journal-from", DayInput).day, self.query_one("#journal-to", DayInput).day,
                None if account is Select.NULL else str(account))

    def load_journal(self) -> None:
        start, end, account = self.journal_filters()
        self.run_engine(lambda: self.flow.journal(start, end, account), self._show_journal, name="journal")

    def _show_journal(self, rows) -> None:
        self.lines = rows
        table = self.query_one("#journal", DataTable)
        table.clear()
        for i, r in enumerate(rows):
            table.add_row(_right(str(r.entry_id)), r.date.isoformat(), r.account, r.account_name, money_cell(r.debit),
                          money_cell(r.credit), r.document or "", r.memo or "", key=str(i))
        self._describe_line()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "journal":
            self._describe_line()

    def _describe_line(self) -> None:
        """The filtered journal's totals, and the highlighted line in full (its memo is off-screen at 80 columns)."""
        rows = self.lines
        debit = sum((r.debit for r in rows), Decimal(0))
        credit = sum((r.credit for r in rows), Decimal(0))
        text = f"{len(rows)} line(s) · debits {money(debit)} · credits {money(credit)}"
        line = self.selected_line()
        if line is not None:
            text += (f"\nEntry {line.entry_id} ({line.kind}) · {line.account} {line.account_name} · "
                     f"{line.memo or line.document or 'no document'}")
        self.query_one("#journal-status", Static).update(text)

    def selected_line(self):
        table = self.query_one("#journal", DataTable)
        if not table.row_count or table.cursor_row >= len(self.lines):
            return None
        return self.lines[table.cursor_row]

    # -- filters ---------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.notify(" ".join(event.validation_result.failure_descriptions), severity="warning")
            return
        if event.input.id == "as-of":
            self.query_one("#balance").focus()
            self.load_balance()
        else:
            self.query_one("#journal").focus()
            self.load_journal()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.load_journal()

    def action_filter(self) -> None:
        self.query_one("#as-of" if self.tab == "balance" else "#account").focus()

    def action_clear(self) -> None:
        if self.tab == "balance":
            self.query_one("#as-of", Input).value = ""
            self.query_one("#balance").focus()
            self.load_balance()
            return
        for selector in ("#journal-from", "#journal-to"):
            self.query_one(selector, Input).value = ""
        with self.prevent(Select.Changed):
            self.query_one("#account", Select).clear()
        self.query_one("#journal").focus()
        self.load_journal()

    # -- going places ----------------------------------------------------------------------------
    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"{name}-pane"
        self.query_one(f"#{name}").focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id in ("balance", "journal"):
            event.stop()
            self.action_open()

    def action_open(self) -> None:
        if self.tab == "balance":
            self._account_journal()
            return
        line = self.selected_line()
        if line is None:
            return
        if not line.document:
            self.notify(f"Entry {line.entry_id} has no document.", severity="warning")
            return
        self.app.push_screen(self.flowapp.make_screen("invoice", number=line.document))

    def _account_journal(self) -> None:
        """From a trial-balance row to that account's journal, within the same as-of date."""
        table = self.query_one("#balance", DataTable)
        if not table.row_count:
            return
        code = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if code is None or code == TOTAL:  # every row is keyed by its account code; the total's key is TOTAL
            return
        as_of = self.query_one("#as-of", DayInput)
        self.query_one("#journal-from", Input).value = ""
        self.query_one("#journal-to", Input).value = as_of.value.strip() if as_of.day else ""
        select = self.query_one("#account", Select)
        with self.prevent(Select.Changed):
            try:
                select.value = code
            except InvalidSelectValueError:  # the account list is still loading
                select.set_options(choices([code]))
                select.value = code
        self.action_tab("journal")
        self.load_journal()

    def action_back(self) -> None:
        target = self.query_one("#balance" if self.tab == "balance" else "#journal")
        if not leave_filter(self, target):
            self.flowapp.go_back()
