"""Stream settings: store name; sync (auto sync, start date, lookback); invoice (auto invoice, grouping).

Also the small form helpers the set-up screens share: a labelled row with its own error line, and the
validators for dates, URLs and day counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import Integer, ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Header, Input, Label, Select, Static, Switch

from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.setup.streams import Stream, StreamSettings
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.modals import UnsavedModal

GROUPINGS = [("By SKU", "sku"), ("All sales", "all")]

#: shared by the set-up screens (connect, settings): label left, field right, its error below
FORM_CSS = """
    .row { height: auto; }
    .row > Label { width: 15; height: 3; content-align: left middle; }
    .row > Input, .row > Select { width: 1fr; }
    .field-error { padding: 0 0 0 15; }
    .field-error.-empty { display: none; }
    .section { height: auto; border: round $primary 50%; padding: 0 1; }
    .section:focus-within { border: round $primary; }
    .switch-state { width: auto; height: 3; content-align: left middle; padding: 0 1; }
"""


class IsoDate(Validator):
    """A calendar date written YYYY-MM-DD (blank is left to ``valid_empty``)."""

    def __init__(self) -> None:
        super().__init__(failure_description="Use a date like 2026-10-01 (YYYY-MM-DD).")

    def validate(self, value: str) -> ValidationResult:
        return self.success() if parse_date(value) is not None else self.failure()


class HttpUrl(Validator):
    """An address starting with http:// or https:// and naming a host."""

    def __init__(self) -> None:
        super().__init__(failure_description="Give an address starting with https:// (or http://).")

    def validate(self, value: str) -> ValidationResult:
        ok = re.fullmatch(r"https?://[^\s/?#]+(/\S*)?", value.strip()) is not None
        return self.success() if ok else self.failure()


def lookback_validator() -> Integer:
    return Integer(0, 60, failure_description="Lookback is a whole number of days from 0 to 60.")


def parse_date(value: str) -> date | None:
    value = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def form_row(label: str, field: Widget) -> list[Widget]:
    """``label  [field]`` with an (initially hidden) error line ``#<field id>-error`` below it."""
    return [Horizontal(Label(label, markup=False), field, classes="row"),
            Static("", id=f"{field.id}-error", classes="field-error -empty", markup=False)]


def switch_row(label: str, switch: Switch) -> list[Widget]:
    """``label  [switch] On`` (or ``Off``): the switch's value in words too, for terminals without colour;
    :func:`show_switch_state` keeps the word in step with the switch."""
    return [Horizontal(Label(label, markup=False), switch,
                       Static(on_off(switch.value), id=f"{switch.id}-state", classes="switch-state", markup=False),
                       classes="row")]


def on_off(value: bool) -> str:
    return "On" if value else "Off"


def show_switch_state(screen: Widget, event: Switch.Changed) -> None:
    """The word beside a :func:`switch_row`'s switch follows its value."""
    for state in screen.query(f"#{event.switch.id}-state"):
        if isinstance(state, Static):
            state.update(on_off(event.value))


class FormErrors:
    """Shows and clears the error line of each field of a screen built with :func:`form_row`."""

    def __init__(self, screen: FlowScreen) -> None:
        self.screen = screen
        self._until_fixed: Callable[[str], object] | None = None

    def show(self, field_id: str, message: str | None) -> None:
        line = self.screen.query_one(f"#{field_id}-error", Static)
        line.update(message or "")
        line.set_class(not message, "-empty")
        if not message and self._until_fixed is not None and self.none_shown():
            say, self._until_fixed = self._until_fixed, None
            say("")  # the marked fields are fixed: "fix the marked fields" is no longer true

    def none_shown(self) -> bool:
        return all(line.has_class("-empty") for line in self.screen.query(".field-error"))

    def say_until_fixed(self, say: Callable[[str], object], text: str) -> None:
        """``say(text)`` (a status line: "Nothing saved: fix the marked fields."), cleared once no error is shown."""
        say(text)
        self._until_fixed = say

    def check(self, field: Input) -> bool:
        """Validate ``field`` now and show the outcome; True when it is fine."""
        result = field.validate(field.value)
        message = None if result is None or result.is_valid else " ".join(result.failure_descriptions)
        self.show(field.id or "", message)
        return message is None

    def clear_when_valid(self, event: Input.Changed) -> None:
        """While typing, clear an error as soon as the value is right (errors show on leaving the field)."""
        if event.validation_result is None or event.validation_result.is_valid:
            self.show(event.input.id or "", None)


class StreamSettingsScreen(FlowScreen):
    """Change a stream's settings; ctrl+s saves through ``Flow.update_stream``."""

    TITLE = "Stream settings"
    FOOTER_KEYS = ("settings.save",)  # shown however narrow
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "back", "Back", id="settings.back"),
    ]
    DEFAULT_CSS = FORM_CSS + """
    StreamSettingsScreen #columns { height: auto; }
    StreamSettingsScreen #columns > .section { width: 1fr; }
    StreamSettingsScreen #status { height: auto; padding: 0 1; }
    """

    def __init__(self, stream: str) -> None:
        super().__init__()
        self.stream_name = stream
        self.stream: Stream | None = None
        self.errors = FormErrors(self)
        self.saved_form: tuple | None = None  # the form as loaded or last saved: anything else is unsaved
        self._said = ""  # what the status line says

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form"):
            yield Static("", id="about", classes="hint", markup=False)
            yield from form_row("Store name", Input(placeholder="as printed on invoices", id="store-name"))
            with Horizontal(id="columns"):
                with Vertical(classes="section", id="sync") as sync:
                    sync.border_title = "Sync"
                    yield from switch_row("Auto sync", Switch(id="auto-sync"))
                    yield from form_row("Start date", Input(placeholder="YYYY-MM-DD", id="start-date",
                                                            validators=[IsoDate()], valid_empty=True))
                    yield from form_row("Lookback days", Input(id="lookback", type="integer",
                                                               validators=[lookback_validator()]))
                with Vertical(classes="section", id="invoice") as invoice:
                    invoice.border_title = "Invoice"
                    yield from switch_row("Auto invoice", Switch(id="auto-invoice"))
                    yield from form_row("Grouping", Select(GROUPINGS, allow_blank=False, id="grouping"))
                    yield Static("Invoice lines: one per product (SKU), or one for all sales of the day.",
                                 classes="hint", markup=False)
            yield Static("", id="status", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = self.stream_name
        self.run_engine(self._find, self._load, name="load-settings")

    def _find(self) -> Stream:
        for status in self.flow.streams():
            if status.stream.name == self.stream_name:
                return status.stream
        raise NotFound(f"No stream named {self.stream_name!r}.")

    def _load(self, stream: Stream) -> None:
        self.stream = stream
        self.query_one("#about", Static).update(f"{stream.name} ({stream.provider})")
        self.query_one("#store-name", Input).value = stream.store_name or ""
        self.query_one("#auto-sync", Switch).value = stream.auto_sync
        self.query_one("#start-date", Input).value = stream.start_date.isoformat() if stream.start_date else ""
        self.query_one("#lookback", Input).value = str(stream.lookback_days)
        self.query_one("#auto-invoice", Switch).value = stream.auto_invoice
        self.query_one("#grouping", Select).value = stream.grouping
        self.query_one("#store-name", Input).focus()
        self.saved_form = self.form()

    def form(self) -> tuple:
        """What the form shows, as typed."""
        return (self.query_one("#store-name", Input).value, self.query_one("#auto-sync", Switch).value,
                self.query_one("#start-date", Input).value, self.query_one("#lookback", Input).value,
                self.query_one("#auto-invoice", Switch).value, self.query_one("#grouping", Select).value)

    # -- validation ---------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        self.errors.clear_when_valid(event)
        self._edited()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        show_switch_state(self, event)
        self._edited()

    def on_select_changed(self, _: Select.Changed) -> None:
        self._edited()

    def _edited(self) -> None:
        """The status "Saved the settings" is no longer true once the form is changed again."""
        if self.saved_form is not None and self.form() != self.saved_form and self._said.startswith("Saved"):
            self._status("")

    def on_input_blurred(self, event: Input.Blurred) -> None:
        self.errors.check(event.input)

    def settings(self) -> StreamSettings | None:
        """The settings on screen, or None after marking what is wrong."""
        ok = all([self.errors.check(self.query_one(f"#{f}", Input)) for f in ("start-date", "lookback")])
        name = self.query_one("#store-name", Input).value.strip()
        start = parse_date(self.query_one("#start-date", Input).value)
        if self.stream is not None:
            if self.stream.store_name and not name:
                self.errors.show("store-name", "The store name cannot be cleared; give a name.")
                ok = False
            else:
                self.errors.show("store-name", None)
            if ok and self.stream.start_date and start is None:
                self.errors.show("start-date", "The start date cannot be cleared; give a date.")
                ok = False
        if not ok:
            return None
        settings = StreamSettings(
            store_name=name or None,
            auto_sync=self.query_one("#auto-sync", Switch).value,
            auto_invoice=self.query_one("#auto-invoice", Switch).value,
            grouping=str(self.query_one("#grouping", Select).value),
            start_date=start,
            lookback_days=int(self.query_one("#lookback", Input).value),
        )
        try:
            return settings.validated()
        except InvalidInput as exc:
            self.query_one("#status", Static).update(str(exc))
            return None

    # -- actions ----------------------------------------------------------------------------------
    def action_save(self, then: Callable[[], object] | None = None) -> None:
        if self.stream is None:
            return
        settings = self.settings()
        if settings is None:
            self.errors.say_until_fixed(self._status, "Nothing saved: fix the marked fields.")
            return
        self._status("Saving...")
        name = self.stream.name
        self.run_engine(lambda: self.flow.update_stream(name, settings), lambda stream: self._saved(stream, then),
                        name="save-settings")

    def _saved(self, stream: Stream, then: Callable[[], object] | None = None) -> None:
        self.stream = stream
        self.saved_form = self.form()
        self._status(f"Saved the settings of {stream.name}.")
        self.notify(f"Saved the settings of {stream.name}.")
        if then is not None:
            then()

    def _status(self, text: str) -> None:
        self._said = text
        self.query_one("#status", Static).update(text)

    def unsaved(self) -> bool:
        return self.stream is not None and self.saved_form is not None and self.form() != self.saved_form

    def action_back(self) -> None:
        """Escape; with unsaved changes, asks: save them and leave, drop them and leave, or stay."""
        if not self.unsaved():
            self.app.pop_screen()
            return
        self._ask_unsaved("leaving", self.app.pop_screen)

    def confirm_quit(self, quit: Callable[[], object]) -> bool:
        """ctrl+q (the app asks every screen): with unsaved changes, the same question as escape."""
        if not self.unsaved():
            return False
        self._ask_unsaved("quitting", quit)
        return True

    def _ask_unsaved(self, doing: str, leave: Callable[[], object]) -> None:
        def answer(choice: str | None) -> None:
            if choice == "discard":
                leave()
            elif choice == "save":
                self.action_save(then=leave)

        name = self.stream.name if self.stream else self.stream_name
        self.app.push_screen(UnsavedModal(f"Unsaved settings of {name}",
                                          f"Save the changes before {doing}, or discard them?"), answer)
