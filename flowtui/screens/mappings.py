"""Mappings of a stream: POS stores -> locations, payment methods -> accounts, categories -> accounts.

Values seen in the orders but not mapped yet are highlighted; enter on a row edits it in a small dialog.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from flowtui.engine.setup.mapping import Mappings
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.columns import Column, FittedTable
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import LiteralTable
from flowtui.screens.mapping_modals import AccountModal, LocationChoice, LocationModal

TABS = {"locations": "Locations", "payments": "Payment methods", "accounts": "Accounts"}
UNMAPPED = "bold yellow"  # readable in 16 colours too
NOT_MAPPED = "not mapped"

# At 80 columns the POS store id, then the number format give way (c shows them, and the dialog edits them).
LOCATION_COLUMNS = [Column("store", "Store", 20, least=10), Column("location", "Location", 20, least=10),
                    Column("contact", "Contact", 16, least=8, rank=1),
                    Column("format", "Number format", 22, least=14, rank=2), Column("next", "Next number", 16),
                    Column("store_id", "POS store id", 12, rank=3)]


@dataclass(frozen=True)
class MappingsView:
    """What the screen shows: the stream's mappings and the names to pick from."""

    mappings: Mappings
    accounts: dict[str, str]  # code -> name
    locations: list[str]
    contacts: list[str]
    next_numbers: dict[str, str]  # number format -> the next number it gives


def _cell(value: object, unmapped: bool = False) -> Text:
    text = "" if value is None else str(value)
    return Text(text, style=UNMAPPED if unmapped else "")


class MappingsScreen(FlowScreen):
    """Three tabs of mappings; ``tab`` picks the one to open on (``locations``, ``payments``, ``accounts``)."""

    TITLE = "Mappings"
    FOOTER_KEYS = ("mappings.edit", "mappings.locations", "mappings.payments", "table.columns")  # shown however narrow
    BINDINGS = [
        Binding("enter,e", "edit", "Edit", id="mappings.edit"),
        Binding("l", "show_tab('locations')", "Locations", id="mappings.locations"),
        Binding("p", "show_tab('payments')", "Payments", id="mappings.payments"),
        Binding("a", "show_tab('accounts')", "Accounts", id="mappings.accounts"),
        Binding("r", "refresh", "Refresh", id="mappings.refresh", show=False),
        Binding("escape", "back", "Back", id="mappings.back"),
    ]
    DEFAULT_CSS = """
    MappingsScreen TabbedContent { height: 1fr; }
    MappingsScreen TabPane { padding: 0; }
    MappingsScreen #summary { height: auto; padding: 0 1; }
    """

    def __init__(self, stream: str, tab: str | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.initial_tab = tab if tab in TABS else "locations"
        self.view: MappingsView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial=self.initial_tab):
            for tab, title in TABS.items():
                with TabPane(title, id=tab):
                    if tab == "locations":
                        yield FittedTable(LOCATION_COLUMNS, id="locations-table", cursor_type="row", zebra_stripes=True)
                    else:
                        yield LiteralTable(id=f"{tab}-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="summary", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = self.stream
        self.table("payments").add_columns("POS method", "Account", "Account name", "From")
        self.table("accounts").add_columns("Category", "Account", "Account name", "From")
        self.table(self.initial_tab).focus()
        self.action_refresh()

    def table(self, tab: str) -> DataTable:
        return self.query_one(f"#{tab}-table", DataTable)

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active or self.initial_tab

    # -- loading ------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.run_engine(self._load, self._show, name="mappings")

    def _load(self) -> MappingsView:
        mappings = self.flow.mappings(self.stream)
        formats = {row["number_format"] for row in mappings.locations if row["number_format"]}
        return MappingsView(
            mappings,
            {account.code: account.name for account in self.flow.accounts()},
            [location.name for location in self.flow.locations()],
            [contact.name for contact in self.flow.contacts()],
            {fmt: self.flow.next_number(fmt) for fmt in sorted(formats)},
        )

    def _show(self, view: MappingsView) -> None:
        self.view = view
        m = view.mappings
        self._fill("locations", [
            (row["pos_store_id"], [
                _cell(row["store_name"] or row["pos_store_id"], not row["mapped"]),
                _cell(row["location"] or NOT_MAPPED, not row["mapped"]), _cell(row["contact"]),
                _cell(row["number_format"]), _cell(view.next_numbers.get(row["number_format"])),
                _cell(row["pos_store_id"]),
            ]) for row in m.locations])
        self._fill("payments", [
            (row["pos_method"], [
                _cell(row["pos_method"], not row["mapped"]), _cell(row["account"] or NOT_MAPPED, not row["mapped"]),
                _cell(view.accounts.get(row["account"])), _cell(row["source"] or "-"),
            ]) for row in m.payments])
        self._fill("accounts", [
            (row["category"], [
                _cell(row["category"], not row["mapped"]), _cell(row["account"] or NOT_MAPPED, not row["mapped"]),
                _cell(view.accounts.get(row["account"])), _cell(row["source"] or "-"),
            ]) for row in m.accounts])
        tabs = self.query_one(TabbedContent)
        for tab, rows in (("locations", m.locations), ("payments", m.payments), ("accounts", m.accounts)):
            missing = sum(not row["mapped"] for row in rows)
            tabs.get_tab(tab).label = f"{TABS[tab]} ({missing}!)" if missing else TABS[tab]
        self._summarise()

    def _fill(self, tab: str, rows: list[tuple[str, list[Text]]]) -> None:
        table = self.table(tab)
        cursor = table.cursor_row
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def _summarise(self) -> None:
        if self.view is None:
            return
        rows = getattr(self.view.mappings, self.active_tab)
        missing = sum(not row["mapped"] for row in rows)
        summary = self.query_one("#summary", Static)
        if missing:
            summary.update(f"{missing} not mapped yet (highlighted): enter maps the row under the cursor.")
        elif rows:
            summary.update("Everything here is mapped; enter changes the mapping under the cursor.")
        else:
            summary.update("Nothing to map yet: stores and payment methods appear here after a sync.")
        summary.set_class(bool(missing), "unmapped")

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id in TABS:
            self.table(event.pane.id).focus()
        self._summarise()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.table(tab).focus()

    # -- editing -----------------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _selected(self, tab: str) -> dict | None:
        table = self.table(tab)
        if self.view is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        field = {"locations": "pos_store_id", "payments": "pos_method", "accounts": "category"}[tab]
        return next((row for row in getattr(self.view.mappings, tab) if row[field] == key), None)

    def action_edit(self) -> None:
        tab = self.active_tab
        row = self._selected(tab)
        if row is None or self.view is None:
            self.notify("Nothing to edit here yet.", severity="warning")
            return
        accounts = sorted(self.view.accounts.items())
        if tab == "locations":
            modal = LocationModal(row["pos_store_id"], row["store_name"], row["location"], row["contact"],
                                  row["number_format"], self.view.locations, self.view.contacts)
            self.app.push_screen(modal, lambda choice: self._map_location(row["pos_store_id"], choice))
        elif tab == "payments":
            method = row["pos_method"]
            self.app.push_screen(AccountModal(f"Account for payment method {method}", row["account"], accounts),
                                 lambda code: self._save(code, lambda: self.flow.map_payment(self.stream, method, code),
                                                         f"{method} -> {code}"))
        else:
            category = row["category"]
            self.app.push_screen(AccountModal(f"Account for {category.replace('_', ' ')}", row["account"], accounts),
                                 lambda code: self._save(code, lambda: self.flow.map_account(self.stream, category, code),
                                                         f"{category} -> {code}"))

    def _map_location(self, store_id: str, choice: LocationChoice | None) -> None:
        if choice is None:
            return
        self._save(choice, lambda: self.flow.map_location(self.stream, store_id, choice.location, choice.contact,
                                                          choice.number_format), f"{store_id} -> {choice.location}")

    def _save(self, answer: object, job, what: str) -> None:
        if answer is None:
            return
        self.run_engine(job, lambda _: self._saved(what), name="map")

    def _saved(self, what: str) -> None:
        self.notify(f"Mapped {what}.")
        self.action_refresh()

    def action_back(self) -> None:
        self.app.pop_screen()
