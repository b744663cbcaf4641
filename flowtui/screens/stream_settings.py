"""Stream settings: store name; sync (auto sync, start date, lookback); invoice (auto invoice, grouping).

Also the small form helpers the set-up screens share: a labelled row with its own error line, and the
validators for dates, URLs and day counts.
"""

from __future__ import annotations

import re
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


class FormErrors:
    """Shows and clears the error line of each field of a screen built with :func:`form_row`."""

    def __init__(self, screen: FlowScreen) -> None:
        self.screen = screen

    def show(self, field_id: str, message: str | None) -> None:
        line = self.screen.query_one(f"#{field_id}-error", Static)
        line.update(message or "")
        line.set_class(not message, "-empty")

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

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form"):
            yield Static("", id="about", classes="hint", markup=False)
            yield from form_row("Store name", Input(placeholder="as printed on invoices", id="store-name"))
            with Horizontal(id="columns"):
                with Vertical(classes="section", id="sync") as sync:
                    sync.border_title = "Sync"
                    yield from form_row("Auto sync", Switch(id="auto-sync"))
                    yield from form_row("Start date", Input(placeholder="YYYY-MM-DD", id="start-date",
                                                            validators=[IsoDate()], valid_empty=True))
                    yield from form_row("Lookback days", Input(id="lookback", type="integer",
                                                               validators=[lookback_validator()]))
                with Vertical(classes="section", id="invoice") as invoice:
                    invoice.border_title = "Invoice"
                    yield from form_row("Auto invoice", Switch(id="auto-invoice"))
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

    # -- validation ---------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        self.errors.clear_when_valid(event)

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
    def action_save(self) -> None:
        if self.stream is None:
            return
        settings = self.settings()
        if settings is None:
            self._status("Nothing saved: fix the marked fields.")
            return
        self._status("Saving...")
        name = self.stream.name
        self.run_engine(lambda: self.flow.update_stream(name, settings), self._saved, name="save-settings")

    def _saved(self, stream: Stream) -> None:
        self.stream = stream
        self._status(f"Saved the settings of {stream.name}.")
        self.notify(f"Saved the settings of {stream.name}.")

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
