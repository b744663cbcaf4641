"""The Flow console: a keyboard-driven Textual app over :mod:`flowtui.engine.service`.

Screens only call the engine through workers; no business rule lives here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from flowtui.config import load_keymap
from flowtui.connectors.base import SourceError
from flowtui.engine.errors import FlowError
from flowtui.engine.service import Flow
from flowtui.screens.help import HelpScreen
from flowtui.screens.modals import ErrorModal


GC_THRESHOLD = (10_000, 20, 20)  # Python's are (700, 10, 10)


class FlowApp(App):
    """flowtui's console. ``FlowApp(Flow(Database.at(path))).run()``."""

    TITLE = "flowtui"
    SUB_TITLE = "Flow console"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("f1", "switch('streams')", "Streams", id="app.streams", show=False),
        Binding("f2", "switch('digests')", "Digests", id="app.digests", show=False),
        Binding("f3", "switch('invoices')", "Invoices", id="app.invoices", show=False),
        Binding("f4", "switch('ledger')", "Ledger", id="app.ledger", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", show=False, priority=True),
    ]

    def __init__(self, flow: Flow, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.flow = flow
        self._keymap = keymap if keymap is not None else load_keymap()

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.sub_title = str(self.flow.db.path)
        from flowtui.screens.streams import StreamsScreen

        self.push_screen(StreamsScreen())
        # What is alive now (the libraries, the app) lives as long as the app: keep the garbage
        # collector from walking it again and again. A full collection of it took 40-75 ms, now
        # and then in the middle of a key press on the Digests screen. And collect less often:
        # drawing a page makes ~100,000 short-lived objects, which by default meant a collection
        # of the young every millisecond and of everything about once a page.
        self._gc_threshold = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)

    def on_unmount(self) -> None:
        gc.set_threshold(*self._gc_threshold)
        gc.unfreeze()

    # -- navigation ----------------------------------------------------------------------------
    def action_switch(self, name: str, **kwargs) -> None:
        self.push_screen(self.make_screen(name, **kwargs))

    def make_screen(self, name: str, **kwargs) -> Screen:
        from flowtui.screens import registry

        try:
            factory = registry.SCREENS[name]
        except KeyError:
            raise FlowError(f"No such screen: {name}") from None
        return factory(**kwargs)

    def action_help(self) -> None:
        seen, rows = set(), []
        for key, active in self.active_bindings.items():
            binding = active.binding
            if binding.action in seen or not binding.description:
                continue
            seen.add(binding.action)
            rows.append((binding.key_display or self.get_key_display(binding), binding.description, binding.id or ""))
        self.push_screen(HelpScreen(rows, self.screen.title or type(self.screen).__name__))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the screen you are on, in the command palette."""
        yield from super().get_system_commands(screen)
        seen = set()
        for active in self.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or binding.system:
                continue
            seen.add(binding.action)
            yield SystemCommand(binding.description, f"{binding.description} ({binding.key})",
                                lambda node=active.node, action=binding.action: self.run_action(action, node))

    # -- errors -----------------------------------------------------------------------------------
    def show_error(self, error: BaseException | None) -> None:
        if isinstance(error, (FlowError, SourceError)):
            title, message = "Cannot do that", str(error)
        else:
            title = "Unexpected problem"
            message = f"{type(error).__name__}: {error}\n\nNothing was changed by the part that failed. Please report it."
        self.push_screen(ErrorModal(title, message))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.show_error(event.worker.error)


def run_console(flow: Flow) -> None:
    FlowApp(flow).run()
