"""The Flow console: a keyboard-driven Textual app over :mod:`flowtui.engine.services.flow`.

Screens only call the engine through workers; no business rule lives here.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from flowtui.config import load_keymap
from flowtui.connectors.base import SourceError
from flowtui.engine.core.errors import FlowError
from flowtui.engine.services.flow import Flow
from flowtui.screens.common.help import HelpScreen
from flowtui.screens.common.modals import ErrorModal

GC_THRESHOLD = (10_000, 20, 20)  # Python's are (700, 10, 10)
KEY_PATIENCE = 1.0  # seconds a key may take to be handled before the next one goes ahead anyway


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
        self._key_in_flight: events.Key | None = None
        self._keys_waiting: deque[events.Key] = deque()
        self._key_since = 0.0  # when the key in flight got its turn

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.sub_title = str(self.flow.db.path)
        from flowtui.screens.streams import StreamsScreen

        self.push_screen(StreamsScreen())
        self.set_interval(KEY_PATIENCE / 4, self._check_key_patience)
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

    # -- keys, one at a time ----------------------------------------------------------------------
    # Textual hands each key to the focused widget's queue as soon as it arrives, so keys that come in
    # one burst (tmux send-keys, a paste, a fast typist over SSH) are all handed to the widget focused
    # when the first arrived, even when that key opens a dialog or moves the focus. Here a key waits
    # until the one before it has been handled (and any screen it opened is ready).
    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
            return
        if event.is_forwarded:  # a key coming back up from the focused widget: bindings, then it is done
            try:
                await super().on_event(event)
            finally:
                self._key_done(event)
            return
        if self._key_in_flight is not None and event is not self._key_in_flight:
            self._keys_waiting.append(event)
            return
        if getattr(event, "_flowtui_started", False):
            return  # a key let go twice (its turn came while the safety timer also let it go)
        event._flowtui_started = True  # type: ignore[attr-defined]  # a mark of our own on Textual's event
        self._key_in_flight = event
        self._start_clock()
        original_stop = event.stop

        def stop(stop: bool = True):  # a widget handled it: it will not come back up
            result = original_stop(stop)
            if stop:
                self.call_later(self._key_done, event)
            return result

        event.stop = stop  # type: ignore[method-assign]  # to hear when a widget handles the key
        await super().on_event(event)
        if not event.is_forwarded:  # a priority binding took it
            self._key_done(event)

    def _start_clock(self) -> None:
        self._key_since = time.monotonic()

    def _check_key_patience(self) -> None:
        """However a key fares (a widget that swallows it, a screen closing under it), the next goes ahead."""
        if self._key_in_flight is not None and time.monotonic() - self._key_since > KEY_PATIENCE:
            self._key_done(self._key_in_flight, timed_out=True)

    def _key_done(self, event: events.Key, timed_out: bool = False) -> None:
        if event is not self._key_in_flight:
            return
        if timed_out and not getattr(event, "_flowtui_started", False):
            self.post_message(event)  # its turn came but it never arrived: let it go now
            self._start_clock()
            return
        self._key_in_flight = None
        if self._keys_waiting:
            following = self._keys_waiting.popleft()
            self._key_in_flight = following  # reserved: keys arriving meanwhile queue behind it
            self._start_clock()
            # after whatever the screen now on top has queued (a dialog just opened mounts and takes the focus)
            if not self.screen.call_later(self.post_message, following):
                self.post_message(following)

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
        for active in self.active_bindings.values():
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

    # -- messages and errors -----------------------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """A notification shown as it is written, never read as markup: flowtui's messages quote names from the
        books (``Voided order [/]7``). Screens' ``notify`` asks for markup by default; it is not honoured here."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """ctrl+c, pressed by reflex, says how to quit (Textual's own words for it are markup)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

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
