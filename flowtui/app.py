"""The Flow console: a keyboard-driven Textual app over :mod:`flowtui.engine.services.flow`.

Screens only call the engine through workers; no business rule lives here.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from flowtui.config import load_keymap
from flowtui.connectors.base import SourceError
from flowtui.engine.core.errors import FlowError
from flowtui.engine.services.flow import Flow
from flowtui.screens import registry
from flowtui.screens.common.base import ModeEntered
from flowtui.screens.common.help import HelpScreen
from flowtui.screens.common.modals import ErrorModal

GC_THRESHOLD = (10_000, 20, 20)  # Python's are (700, 10, 10)
KEY_PATIENCE = 1.0  # seconds a key may take to be handled before the next one goes ahead anyway


class KeyHandled(Message):
    """Sent right behind a key to the widget it went to: it comes up to the app once the key has been handled.

    Each widget handles its messages in order and passes on the ones it does not stop, in order, to its parent;
    so this reaches the app after the key has been handled, wherever along the way that was.
    """

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


class FlowApp(App):
    """flowtui's console. ``FlowApp(Flow(Database.at(path))).run()``.

    F1-F4 switch between four modes (streams, digests, invoices, ledger), each with its own stack of screens.
    """

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
    MODES: ClassVar[dict[str, str | Callable[[], Screen]]] = {
        name: registry.SCREENS[name] for name in ("streams", "digests", "invoices", "ledger")}
    DEFAULT_MODE = "streams"

    def __init__(self, flow: Flow, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.flow = flow
        self._keymap = keymap if keymap is not None else load_keymap()
        self._key_in_flight: events.Key | None = None  # the key being handled, or the next to be
        self._key_started: events.Key | None = None  # the last key that was handed on
        self._keys_waiting: deque[events.Key] = deque()
        self._key_since = 0.0  # when the key in flight got its turn
        self._modes_entered = {self.DEFAULT_MODE}
        # work that quitting would cut short (a running sync) asks first: each guard returns True when it took
        # ctrl+q over (asked, or is stopping in order to quit), False to let the console quit
        self.quit_guards: list[Callable[[], bool]] = []

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.sub_title = str(self.flow.db.path)
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
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if event is self._key_started:
            return  # a key let go twice (its turn came while the safety timer also let it go)
        if self._key_in_flight is not None and event is not self._key_in_flight:
            self._keys_waiting.append(event)
            return
        self._key_in_flight = self._key_started = event
        self._start_clock()
        await super().on_event(event)  # a priority binding takes it, or it goes to the focused widget
        if not (event.is_forwarded and (self.focused or self.screen).post_message(KeyHandled(event))):
            self._key_done(event)  # a priority binding took it (or the widget it went to is closing)

    def on_key_handled(self, message: KeyHandled) -> None:
        self._key_done(message.key)

    @property
    def keys_pending(self) -> int:
        """Keys the console has been given and not yet handled (the one being handled included)."""
        return len(self._keys_waiting) + (self._key_in_flight is not None)

    def _start_clock(self) -> None:
        self._key_since = time.monotonic()

    def _check_key_patience(self) -> None:
        """However a key fares (a widget that swallows it, a screen closing under it), the next goes ahead."""
        if self._key_in_flight is not None and time.monotonic() - self._key_since > KEY_PATIENCE:
            self._key_done(self._key_in_flight, timed_out=True)

    def _key_done(self, event: events.Key, timed_out: bool = False) -> None:
        if event is not self._key_in_flight:
            return
        if timed_out and event is not self._key_started:
            self.post_message(event)  # its turn came but it never arrived: let it go now
            self._start_clock()
            return
        self._key_in_flight = None
        if self.return_code is not None:  # quitting: the keys after ctrl+q go nowhere
            self._keys_waiting.clear()
        if self._keys_waiting:
            following = self._keys_waiting.popleft()
            self._key_in_flight = following  # reserved: keys arriving meanwhile queue behind it
            self._start_clock()
            # after whatever the screen now on top has queued (a dialog just opened mounts and takes the focus)
            if not self.screen.call_later(self.post_message, following):
                self.post_message(following)

    # -- navigation ----------------------------------------------------------------------------
    def action_switch(self, mode: str) -> None:
        """F1-F4: the mode's screens as they were left (the first time, its home screen); its own key does nothing."""
        if mode == self.current_mode:
            return
        again = mode in self._modes_entered
        self._modes_entered.add(mode)
        self.switch_mode(mode)
        if again:
            self.screen.post_message(ModeEntered())

    def go_back(self) -> None:
        """Close the screen on top; from a mode's home screen, back to the streams."""
        if len(self.screen_stack) > 1:
            self.pop_screen()
        else:
            self.action_switch(self.DEFAULT_MODE)

    def make_screen(self, name: str, **kwargs) -> Screen:
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

    async def action_quit(self) -> None:
        """ctrl+q: quit, unless work under way asks first (see ``quit_guards``)."""
        if any(guard() for guard in list(self.quit_guards)):
            return
        self.exit()

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
