"""Connect a stream: pick a provider, give its details, test them, pick the POS stores, create.

The API key is typed into a masked input and goes straight to ``Flow.add_stream`` (which keeps it in
the secrets file); it is never shown, notified or put in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Select, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from flowtui.connectors.base import SourceError, SourceStore
from flowtui.connectors.registry import PROVIDERS
from flowtui.connectors.storehub.client import BASE_URL
from flowtui.engine.core.errors import FlowError
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.literal import choices, literal
from flowtui.screens.stream_settings import FORM_CSS, FormErrors, HttpUrl, IsoDate, form_row, parse_date

if TYPE_CHECKING:
    from flowtui.engine.services.flow import Flow

#: the fields each provider asks for (ids of the inputs shown for it)
PROVIDER_FIELDS = {"storehub": ("account", "api-key", "base-url", "start-date"), "file": ("path",),
                   "minipos": ("location",)}
#: providers with nothing to test: the stream is created as soon as the form is filled in
NO_TEST = {"minipos"}
#: what the status line says when a worker of that group fails (the error itself is in the modal)
INVITE = "Fill in the details, then ctrl+t to test them. Nothing is saved until ctrl+s creates the stream."
FAILURES = {"probe": "Not connected: the test failed (see the message).", "create": "Not created (see the message)."}


@dataclass(frozen=True)
class Connected:
    """What creating a stream did: its name, each picked store with its location, and a note if any."""

    stream: str
    mapped: list[tuple[str, str]] = field(default_factory=list)
    note: str | None = None


def connect_stream(flow: Flow, name: str, provider: str, options: dict, settings: StreamSettings,
                   stores: list[SourceStore]) -> Connected:
    """Create the stream, then map each picked store to the location named after it (created if new)."""
    stream = flow.add_stream(name, provider, options, settings)
    known = {location.name for location in flow.locations()}
    mapped = []
    for store in stores:
        location = (store.name or store.id).strip()
        if location not in known:
            flow.add_location(location)
            known.add(location)
        flow.map_location(stream.name, store.id, location)
        mapped.append((store.id, location))
    note = None
    if stores:
        try:
            flow.stream_stores(stream.name)  # remembers the stores' names for the mappings screen
        except (SourceError, FlowError) as exc:
            note = f"store names not fetched: {exc}"
    return Connected(stream.name, mapped, note)


class ConnectScreen(FlowScreen):
    """A new stream, keyboard only: tab between fields, ctrl+t tests, space picks stores, ctrl+s creates."""

    TITLE = "Connect a stream"
    BINDINGS = [
        Binding("ctrl+t", "test", "Test", id="connect.test"),
        Binding("ctrl+s", "create", "Create", id="connect.create"),
        Binding("escape", "back", "Back", id="connect.back"),
    ]
    DEFAULT_CSS = FORM_CSS + """
    ConnectScreen #columns { height: 1fr; }
    ConnectScreen #details { width: 1fr; height: 1fr; }
    ConnectScreen #result { width: 40%; height: 1fr; }
    ConnectScreen .provider-fields { height: auto; }
    ConnectScreen #probe { height: auto; max-height: 6; overflow-y: auto; }
    ConnectScreen #stores { height: 1fr; min-height: 3; }
    ConnectScreen #status { height: auto; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.errors = FormErrors(self)
        self.offered: dict[str, SourceStore] = {}
        self._tested: tuple | None = None  # (provider, options) the last successful test was run with
        self._busy = False

    def compose(self) -> ComposeResult:
        default = "storehub" if "storehub" in PROVIDERS else next(iter(PROVIDERS))
        yield Header()
        with Horizontal(id="columns"):
            with VerticalScroll(id="details", classes="section") as details:
                details.border_title = "Details"
                yield from form_row("Provider", Select([(p.label, p.name) for p in PROVIDERS.values()],
                                                       value=default, allow_blank=False, id="provider"))
                yield from form_row("Stream name", Input(placeholder="e.g. Kopi Kita", id="name"))
                with Vertical(id="fields-storehub", classes="provider-fields"):
                    yield from form_row("Account", Input(placeholder="StoreHub account name", id="account"))
                    yield from form_row("API key", Input(password=True, placeholder="hidden as you type", id="api-key"))
                    yield from form_row("Base URL", Input(BASE_URL, id="base-url", validators=[HttpUrl()]))
                    yield from form_row("Start date", Input(placeholder="YYYY-MM-DD", id="start-date",
                                                            validators=[IsoDate()], valid_empty=True))
                    yield Static("Blank start date: sync from yesterday.", classes="hint", markup=False)
                with Vertical(id="fields-file", classes="provider-fields"):
                    yield from form_row("Path", Input(placeholder="folder or file of orders", id="path"))
                    yield Static("NDJSON or CSV order files, or a folder of them.", classes="hint", markup=False)
                with Vertical(id="fields-minipos", classes="provider-fields"):
                    yield from form_row("Location", Select([], prompt="Pick a location", id="location"))
                    yield Static("The built-in till: no credentials. Its sales are rung up in flowtui (p on "
                                 "Streams opens it).", id="minipos-hint", classes="hint", markup=False)
            with Vertical(id="result", classes="section") as result:
                result.border_title = "Test and stores"
                yield Static(INVITE, id="probe", markup=False)
                yield SelectionList[str](id="stores")
                yield Static("space picks or drops a store; each picked store is mapped to a location of its name.",
                             id="stores-hint", classes="hint", markup=False)
        yield Static("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_provider_fields()
        self._show_stores([])
        self._status("")
        self.query_one("#name", Input).focus()
        self.run_engine(self.flow.locations, self._show_locations, name="locations")

    def _show_locations(self, locations) -> None:
        self.query_one("#location", Select).set_options(choices(place.name for place in locations))
        if not locations:
            self.query_one("#minipos-hint", Static).update(
                "No locations yet: add one first with `flowtui location add NAME`.")

    @property
    def provider(self) -> str:
        return str(self.query_one("#provider", Select).value)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "provider":
            self._show_provider_fields()
            self._tested = None
            self._show_stores([])
            self.query_one("#probe", Static).update(
                "Nothing to test: give the name, pick the location, then ctrl+s creates the stream."
                if self.provider in NO_TEST else INVITE)
        elif event.select.id == "location" and isinstance(event.value, str):
            self.errors.show("location", None)

    def _show_provider_fields(self) -> None:
        for name in PROVIDER_FIELDS:
            self.query_one(f"#fields-{name}").display = name == self.provider

    def _show_stores(self, stores: list[SourceStore]) -> None:
        self.offered = {store.id: store for store in stores}
        picker = self.query_one("#stores", SelectionList)
        picker.clear_options()
        picker.add_options([Selection(literal(store.name or store.id), store.id, True) for store in stores])
        picker.display = bool(stores)
        self.query_one("#stores-hint").display = bool(stores)

    # -- the form ---------------------------------------------------------------------------------------
    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def _require(self, field_id: str, message: str) -> bool:
        ok = bool(self._value(field_id))
        self.errors.show(field_id, None if ok else message)
        return ok

    def source(self) -> tuple[dict, StreamSettings] | None:
        """The provider options and first settings on screen, or None after marking what is wrong."""
        provider = self.provider
        if provider == "storehub":
            checks = [self._require("account", "Give the StoreHub account name."),
                      self._require("api-key", "Give the StoreHub API key."),
                      self.errors.check(self.query_one("#base-url", Input)),
                      self.errors.check(self.query_one("#start-date", Input))]
            if not all(checks):
                return None
            options = {"account": self._value("account"), "api_key": self._value("api-key"),
                       "base_url": self._value("base-url")}
            return options, StreamSettings(start_date=parse_date(self._value("start-date")))
        if provider == "file":
            if not self._require("path", "Give the folder or file holding the orders."):
                return None
            return {"path": self._value("path")}, StreamSettings()
        if provider == "minipos":
            place = self.query_one("#location", Select).value
            picked = isinstance(place, str)
            self.errors.show("location", None if picked else "Pick the location whose till it is.")
            return ({"location": place}, StreamSettings()) if picked else None
        self._status(f"{PROVIDERS[provider].label} streams cannot be connected from the console yet.")
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        self.errors.clear_when_valid(event)
        if event.value.strip() and event.input.id in ("name", "account", "api-key", "path"):
            self.errors.show(event.input.id, None)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if event.input.validators:
            self.errors.check(event.input)

    def _status(self, text: str) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.display = bool(text)

    # -- actions ------------------------------------------------------------------------------------
    def action_test(self) -> None:
        if self._busy:
            return
        source = self.source()
        if source is None:
            self._status("Not tested: fix the marked fields.")
            return
        self._probe(source[0])

    def _probe(self, options: dict, *, then: str = "") -> None:
        provider = self.provider
        self._busy = True
        self._status(f"Testing the {PROVIDERS[provider].label} details...")

        def done(result: tuple[str, list[SourceStore]]) -> None:
            description, stores = result
            self._busy = False
            self._tested = (provider, tuple(sorted(options.items())))
            self.query_one("#probe", Static).update(f"OK: {description}")
            stores = [] if provider in NO_TEST else stores
            self._show_stores(stores)
            if stores:
                picker = self.query_one("#stores", SelectionList)
                picker.highlighted = 0
                picker.focus()
                then_text = then or "Pick the stores to map (space), then ctrl+s to create the stream."
            else:
                then_text = then or ("This source lists no stores; they appear under Mappings after the first sync. "
                                     "ctrl+s creates the stream.")
            self._status(then_text)

        self.run_engine(lambda: self.flow.probe(provider, options), done, name="probe")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed test or create brings up the error modal (FlowScreen); here the form is unlocked again."""
        if event.worker.group in FAILURES and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._busy = False
            self._status(FAILURES[event.worker.group])

    def action_create(self) -> None:
        if self._busy:
            return
        name = self._value("name")
        named = self._require("name", "Give the stream a name, e.g. the shop's name.")
        source = self.source()
        if source is None or not named:
            self._status("Nothing created: fix the marked fields.")
            return
        options, settings = source
        provider = self.provider
        if provider not in NO_TEST and self._tested != (provider, tuple(sorted(options.items()))):
            self._probe(options, then="Tested: check the stores picked, then ctrl+s again to create the stream.")
            return
        picker = self.query_one("#stores", SelectionList)
        stores = [] if provider in NO_TEST else [self.offered[store_id] for store_id in picker.selected]
        self._busy = True
        self._status(f"Creating {name}...")
        self.run_engine(lambda: connect_stream(self.flow, name, provider, options, settings, stores),
                        self._created, name="create")

    def _created(self, connected: Connected) -> None:
        self._busy = False
        text = f"Connected {connected.stream}"
        if connected.mapped:
            text += f": {len(connected.mapped)} store(s) mapped to locations"
        if connected.note:
            text += f" ({connected.note})"
        if self.provider == "minipos":
            text += "; p on Streams opens its till"
        self.notify(text + ".")
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
