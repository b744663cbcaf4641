"""Invoices: every posted invoice and credit note, filtered by dates and location; open one or jump to a number.

Also the few display helpers the book screens share (money, dates, kinds).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import DataTable, Header, Input, Select, Static

from flowtui.engine.core.formats import money
from flowtui.engine.core.statuses import DocumentRole
from flowtui.engine.ledger.reading import DocumentRow
from flowtui.screens.common.base import FlowScreen, ModeEntered
from flowtui.screens.common.columns import Column, FittedTable
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import choices
from flowtui.screens.common.modals import PromptModal

# -- shared display helpers ---------------------------------------------------------------------------


def money_cell(value: Decimal | None, bold: bool = False) -> Text:
    return Text(money(value), justify="right", style="bold" if bold else "")


def kind_label(kind: str, role: str | None = None) -> str:
    """What a document is called in a (narrow) listing: ``invoice``, ``credit``, ``credit adj``."""
    label = {"invoice": "invoice", "credit_note": "credit"}.get(kind, kind.replace("_", " "))
    return f"{label} adj" if role == DocumentRole.ADJUSTMENT else label


def document_title(kind: str, role: str | None) -> str:
    """What a document is called on its own page (the same words as ``flowtui invoice show``)."""
    if role == DocumentRole.ADJUSTMENT:
        return "Supplementary invoice" if kind == "invoice" else "Credit note (adjustment)"
    return "Invoice" if kind == "invoice" else "Credit note"


def parse_day(text: str) -> date | None:
    """``""`` -> None; ``2026-10-01`` -> a date; anything else raises ValueError."""
    text = text.strip()
    return date.fromisoformat(text) if text else None


# At 80 columns the status, the kind and then the contact give way (c shows them); number and total never do.
COLUMNS = [Column("number", "Number", 18, least=14), Column("kind", "Kind", 7, rank=2), Column("date", "Date", 10),
           Column("location", "Location", 14, least=8), Column("contact", "Contact", 14, least=8, rank=1),
           Column("total", "Total", 12, right=True), Column("status", "Status", 8, rank=3)]


class IsoDay(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            parse_day(value)
        except ValueError:
            return self.failure("Dates are YYYY-MM-DD, e.g. 2026-10-01.")
        return self.success()


class DayInput(Input):
    """A date filter: empty for no limit, else ``YYYY-MM-DD``; its label is on its border."""

    def __init__(self, label: str, id: str) -> None:
        super().__init__(placeholder="YYYY-MM-DD", validators=[IsoDay()], validate_on=["submitted"], id=id,
                         max_length=10)
        self.border_title = label

    @property
    def day(self) -> date | None:
        try:
            return parse_day(self.value)
        except ValueError:
            return None


def leave_filter(screen, target: Widget) -> bool:
    """Escape in a filter goes back to ``target`` (and not off the screen); True when it did."""
    if isinstance(screen.focused, (Input, Select)):
        target.focus()
        return True
    return False


# -- the screen ---------------------------------------------------------------------------------------


class InvoicesScreen(FlowScreen):
    """Invoices and credit notes, newest last. ``InvoicesScreen(location="KL Sentral")`` starts filtered."""

    TITLE = "Invoices"
    AUTO_FOCUS = "#invoices"
    FOOTER_KEYS = ("invoices.open", "invoices.goto", "invoices.filter", "table.columns")  # shown however narrow
    BINDINGS = [
        Binding("escape", "back", "Back", id="invoices.back"),
        Binding("o", "open", "Open", id="invoices.open"),
        Binding("g", "goto", "Go to number", id="invoices.goto"),
        Binding("f", "filter", "Filter", id="invoices.filter"),
        Binding("x", "clear", "Clear filters", id="invoices.clear"),
        Binding("r", "refresh", "Refresh", id="invoices.refresh", show=False),
    ]

    def __init__(self, location: str | None = None) -> None:
        super().__init__()
        self.location = location
        self.rows: list[DocumentRow] = []
        self.details: dict[str, object] = {}  # number -> DocumentDetail, fetched as rows are highlighted
        self.away = False  # True while one of our documents is open on top

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filters"):
            yield DayInput("From", id="from")
            yield DayInput("To", id="to")
            yield Select([], prompt="All locations", id="location")
        yield FittedTable(COLUMNS, id="invoices", cursor_type="row", zebra_stripes=True)
        yield Static("", id="invoice-summary", classes="status-line", markup=False)
        yield Static("", id="empty-hint", classes="hint", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#empty-hint").display = False
        self.run_engine(self.flow.locations, self._show_locations, name="locations")
        self.action_refresh()

    def _show_locations(self, locations) -> None:
        select = self.query_one("#location", Select)
        names = [loc.name for loc in locations]
        if self.location and self.location not in names:
            names.append(self.location)  # the listing says it is unknown
        with self.prevent(Select.Changed):
            select.set_options(choices(names))
            if self.location:
                select.value = self.location

    def on_screen_resume(self) -> None:
        if self.away:  # back from a document (not from a dialog): it may have been linked since
            self.away = False
            self.action_refresh()

    def on_mode_entered(self, _: ModeEntered) -> None:  # back with F1-F4: posting, printing may have happened
        self.action_refresh()

    # -- loading ---------------------------------------------------------------------------------
    def filters(self) -> tuple[date | None, date | None, str | None]:
        return self.query_one("#from", DayInput).day, self.query_one("#to", DayInput).day, self.location

    def action_refresh(self) -> None:
        start, end, location = self.filters()
        self.details.clear()
        self.run_engine(lambda: self.flow.invoices(start, end, location), self._show, name="invoices")

    def _show(self, rows) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        selected = self.selected_number()
        table.clear()
        for r in rows:
            table.add_row(r.number, kind_label(r.kind), r.date.isoformat(), r.location, r.contact, money_cell(r.total),
                          r.status, key=r.number)
        hint = self.query_one("#empty-hint", Static)
        hint.display = not rows
        hint.update("Nothing matches these filters: f to change them, x to clear them." if any(self.filters())
                    else "No invoices yet: post digests first (F2).")
        if selected is not None and selected in {r.number for r in rows}:
            table.move_cursor(row=table.get_row_index(selected))
        self._describe()

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._describe()

    def _describe(self) -> None:
        """Say more about the highlighted document: what it is (adjustment or not), its payments and links."""
        number = self.selected_number()
        summary = self.query_one("#invoice-summary", Static)
        if number is None:
            summary.update(f"{len(self.rows)} document(s)" if self.rows else "")
            return
        if number in self.details:
            self._summarise(self.details[number])
        else:
            summary.update(number)
            self.run_engine(lambda: self.flow.invoice(number), self._detail_loaded, name="describe")

    def _detail_loaded(self, detail) -> None:
        self.details[detail.row.number] = detail
        table = self.query_one(DataTable)
        if detail.role == DocumentRole.ADJUSTMENT and detail.row.number in {r.number for r in self.rows}:
            table.update_cell(detail.row.number, "kind", kind_label(detail.row.kind, detail.role))
        if detail.row.number == self.selected_number():
            self._summarise(detail)

    def _summarise(self, detail) -> None:
        parts = [f"{document_title(detail.row.kind, detail.role)} {detail.row.number}",
                 f"{len(detail.lines)} line(s)",
                 "paid " + ", ".join(f"{p['method']} {money(p['amount'])}" for p in detail.payments)
                 if detail.payments else "no payments"]
        parts.extend(f"{x['relation']} {x['number']}" for x in detail.linked)
        self.query_one("#invoice-summary", Static).update(" · ".join(parts))

    def selected_number(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # -- filters ---------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.notify(" ".join(event.validation_result.failure_descriptions), severity="warning")
            return
        self.query_one(DataTable).focus()
        self.action_refresh()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.location = None if event.value is Select.NULL else str(event.value)
        self.action_refresh()

    def action_filter(self) -> None:
        self.query_one("#from", Input).focus()

    def action_clear(self) -> None:
        for day in self.query(DayInput):
            day.value = ""
        select = self.query_one("#location", Select)
        with self.prevent(Select.Changed):
            select.clear()
        self.location = None
        self.query_one(DataTable).focus()
        self.action_refresh()

    # -- going places ----------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        number = self.selected_number()
        if number is None:
            self.notify("No invoice here to open.", severity="warning")
            return
        self._open(number)

    def _open(self, number: str) -> None:
        self.away = True
        self.app.push_screen(self.flowapp.make_screen("invoice", number=number))

    def action_goto(self) -> None:
        self.app.push_screen(PromptModal("Go to invoice or credit note", placeholder="e.g. KL-202610-0001"),
                             self._goto)

    def _goto(self, number: str | None) -> None:
        number = (number or "").strip()
        if not number:
            return
        # ask first, so a wrong number is an error here rather than an empty page
        self.run_engine(lambda: self.flow.invoice(number), self._open_detail, name="goto")

    def _open_detail(self, detail) -> None:
        self.details[detail.row.number] = detail
        self._open(detail.row.number)

    def action_back(self) -> None:
        if not leave_filter(self, self.query_one(DataTable)):
            self.flowapp.go_back()
