"""Streams (home): every connected channel with its last sync; connect, configure, sync."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from flowtui.connectors.registry import has_till, providers
from flowtui.engine.core.clock import local_column
from flowtui.engine.setup.streams import StreamStatus
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.columns import Column, FittedTable
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.stream_settings import on_off
from flowtui.screens.sync_progress import SyncModal

# At 80 columns the creation date, then the provider give way (c shows them); name, status and last sync never do.
COLUMNS = [Column("name", "Name", 20, least=10), Column("provider", "Provider", 9, rank=2),
           Column("created", "Created", 10, rank=3), Column("status", "Status", 10, least=6),
           Column("last_sync", "Last sync", 17), Column("sync", "Sync", 4),
           Column("invoice", "Invoice", 7), Column("group", "Group", 8, rank=1)]


class StreamsScreen(FlowScreen):
    TITLE = "Streams"
    FOOTER_KEYS = ("streams.digests", "streams.sync", "streams.quit", "table.columns")  # shown however narrow
    BINDINGS = [
        Binding("n", "connect", "Connect", id="streams.connect"),
        Binding("e", "settings", "Settings", id="streams.settings"),
        Binding("m", "mappings", "Mappings", id="streams.mappings"),
        Binding("enter,d", "digests", "Digests", id="streams.digests"),  # (the table takes enter: see row_selected)
        Binding("s", "sync", "Sync now", id="streams.sync"),
        Binding("t", "test", "Test", id="streams.test"),
        Binding("p", "till", "Till", id="streams.till"),
        Binding("r", "refresh", "Refresh", id="streams.refresh", show=False),
        Binding("i", "app.switch('invoices')", "Invoices", id="streams.invoices"),
        Binding("l", "app.switch('ledger')", "Ledger", id="streams.ledger"),
        Binding("q", "app.quit", "Quit", id="streams.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[StreamStatus] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield FittedTable(COLUMNS, id="streams", cursor_type="row", zebra_stripes=True)
        yield Static("", id="stream-detail", classes="status-line", markup=False)
        yield Static("No streams yet: press n to connect one.", id="empty-hint", classes="hint", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.run_engine(self.flow.streams, self._show, name="streams")

    def _show(self, statuses) -> None:
        self.statuses = statuses
        table = self.query_one(FittedTable)
        selected = self.selected_name()
        table.clear()
        zone, syncs = local_column([s.last_sync_at for s in statuses], statuses[0].timezone if statuses else "UTC")
        table.set_label("last_sync", f"Last sync ({zone})")
        for s, synced in zip(statuses, syncs):
            table.add_row(s.stream.name, s.stream.provider, s.stream.created_at.date().isoformat(), s.status,
                          synced or "never",
                          on_off(s.stream.auto_sync), on_off(s.stream.auto_invoice),
                          s.stream.grouping, key=s.stream.name)
        self.query_one("#empty-hint").display = not statuses
        if selected is not None and selected in {s.stream.name for s in statuses}:
            table.move_cursor(row=table.get_row_index(selected))
        self._describe()

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._describe()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:  # enter (or a click) on a stream
        event.stop()
        self.action_digests()

    def _describe(self) -> None:
        status = next((s for s in self.statuses if s.stream.name == self.selected_name()), None)
        detail = self.query_one("#stream-detail", Static)
        if status is None:
            detail.update("")
            return
        parts = [f"{status.stream.name}: {status.status}"]
        if status.last_error:
            parts.append(status.last_error)
        parts.extend(f"warning: {w}" for w in status.warnings[:2])
        detail.update(" | ".join(parts))

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _need_stream(self) -> str | None:
        name = self.selected_name()
        if name is None:
            self.notify("Connect a stream first (n).", severity="warning")
        return name

    def action_connect(self) -> None:
        self.flowapp.open_screen("connect")

    def action_settings(self) -> None:
        if name := self._need_stream():
            self.flowapp.open_screen("settings", stream=name)

    def action_mappings(self) -> None:
        if name := self._need_stream():
            self.flowapp.open_screen("mappings", stream=name)

    def action_digests(self) -> None:
        if name := self._need_stream():
            self.flowapp.open_screen("digests", stream=name)

    def action_sync(self) -> None:
        if name := self._need_stream():
            self.app.push_screen(SyncModal(name), lambda _: self.action_refresh())

    def action_till(self) -> None:
        """Open the checkout of a MiniPOS stream (other streams sell elsewhere)."""
        if (name := self._need_stream()) is None:
            return
        status = next((s for s in self.statuses if s.stream.name == name), None)
        if status is not None and not has_till(status.stream.provider):
            tills = " or ".join(declared.label for declared in providers().values() if declared.till)
            self.notify(f"{name} is a {status.stream.provider} stream: its sales come from its POS. The till is for "
                        f"streams of provider {tills} (n creates one).", severity="warning", timeout=8)
            return
        self.flowapp.open_screen("till", stream=name)

    def action_test(self) -> None:
        if name := self._need_stream():
            self.notify(f"Testing {name}...")
            self.run_engine(lambda: self.flow.test_stream(name), lambda text: self.notify(text, timeout=8), name="test")
