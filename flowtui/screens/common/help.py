"""``?``: every key that works where you are, and where to change them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from flowtui.config import keymap_path
from flowtui.screens.common.literal import LiteralTable


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]], screen_name: str) -> None:
        super().__init__(classes="modal help")
        self.rows, self.screen_name = rows, screen_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Keys on {self.screen_name}", id="dialog-title", markup=False)
            table = LiteralTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action", "Id")
            for key, description, binding_id in self.rows:
                table.add_row(key, description, binding_id)
            yield table
            yield Static(f"ctrl+p opens the command palette. Change keys in {keymap_path()}, e.g. "
                         '[keys] "streams.sync" = "f5". Escape closes this.', id="help-note", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
