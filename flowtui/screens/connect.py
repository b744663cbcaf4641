"""Connect a stream: pick a provider, give its details, test them, pick the POS stores, create.

Each provider's fields come from the options it declares (:mod:`flowtui.screens.source_fields`); nothing
here knows a source by name. A secret (the API key) is typed into a masked input and goes straight to
``Flow.add_stream`` (which keeps it in the secrets file); it is never shown, notified or put in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Input, Select, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from flowtui.connectors.base import SourceError, SourceStore
from flowtui.connectors.registry import Provider, providers, skipped
from flowtui.engine.core.errors import FlowError
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import choices, literal
from flowtui.screens.source_fields import NO_LOCATIONS, field_ids, missing, nothing_to_test, source_fields
from flowtui.screens.stream_settings import FORM_CSS, FormErrors, IsoDate, form_row, parse_date

if TYPE_CHECKING:
    from flowtui.engine.services.flow import Flow

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
    FOOTER_KEYS = ("connect.test", "connect.create")  # shown however narrow
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
        self.providers = providers()
        self.field_ids = field_ids(self.providers.values())

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="columns"):
            with VerticalScroll(id="details", classes="section") as details:
                details.border_title = "Details"
                yield from form_row("Provider", Select([(p.label, p.name) for p in self.providers.values()],
                                                       value=next(iter(self.providers)), allow_blank=False,
                                                       id="provider"))
                yield from form_row("Stream name", Input(placeholder="e.g. Kopi Kita", id="name"))
                for declared in self.providers.values():
                    yield source_fields(declared, self.field_ids)
                with Vertical(id="fields-start-date", classes="provider-fields"):
                    yield from form_row("Start date", Input(placeholder="YYYY-MM-DD", id="start-date",
                                                            validators=[IsoDate()], valid_empty=True))
                    yield Static("Blank start date: sync from yesterday.", classes="hint", markup=False)
            with Vertical(id="result", classes="section") as result:
                result.border_title = "Test and stores"
                yield Static(INVITE, id="probe", markup=False)
                yield SelectionList[str](id="stores")
                yield Static("space picks or drops a store; each picked store is mapped to a location of its name.",
                             id="stores-hint", classes="hint", markup=False)
        yield Static("", id="status", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._show_provider_fields()
        self._show_stores([])
        self._status("")
        self.query_one("#name", Input).focus()
        for line in skipped():  # a source plug-in that could not be loaded: said, and the others work
            self.notify(line, severity="warning", timeout=10)
        if self._located():
            self.run_engine(self.flow.locations, self._show_locations, name="locations")

    def _located(self) -> list[tuple[Provider, str]]:
        """Each location field: (its provider, its id)."""
        return [(declared, self.field_ids[(declared.name, option.name)]) for declared in self.providers.values()
                for option in declared.options if option.kind == "location"]

    def _show_locations(self, locations) -> None:
        for declared, field_id in self._located():
            self.query_one(f"#{field_id}", Select).set_options(choices(place.name for place in locations))
            if not locations:
                self.query_one(f"#hint-{declared.name}", Static).update(NO_LOCATIONS)

    @property
    def provider(self) -> str:
        return str(self.query_one("#provider", Select).value)

    @property
    def declared(self) -> Provider:
        return self.providers[self.provider]

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "provider":
            self._show_provider_fields()
            self._tested = None
            self._show_stores([])
            self.query_one("#probe", Static).update(INVITE if self.declared.probe else nothing_to_test(self.declared))
        elif event.select.id is not None and event.select.id in self.field_ids.values() and isinstance(event.value, str):
            self.errors.show(event.select.id, None)

    def _show_provider_fields(self) -> None:
        for name in self.providers:
            self.query_one(f"#fields-{name}").display = name == self.provider
        self.query_one("#fields-start-date").display = self.declared.asks_start_date

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
        declared = self.declared
        options: dict[str, str] = {}
        checks = []
        for option in declared.options:
            field_id = self.field_ids[(declared.name, option.name)]
            field = self.query_one(f"#{field_id}")
            if isinstance(field, Select):
                value = field.value if isinstance(field.value, str) else ""
                ok = bool(value) or not option.required
                self.errors.show(field_id, None if ok else missing(option))
            else:
                assert isinstance(field, Input)
                value = field.value.strip()
                ok = self._require(field_id, missing(option)) if option.required else True
                if ok and field.validators:
                    ok = self.errors.check(field)
            checks.append(ok)
            if value:
                options[option.name] = value
        if declared.asks_start_date:
            checks.append(self.errors.check(self.query_one("#start-date", Input)))
        if not all(checks):
            return None
        start = parse_date(self._value("start-date")) if declared.asks_start_date else None
        return options, StreamSettings(start_date=start)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.errors.clear_when_valid(event)
        required = {self.field_ids[(d.name, o.name)] for d in self.providers.values() for o in d.options if o.required}
        if event.value.strip() and (event.input.id == "name" or event.input.id in required):
            self.errors.show(event.input.id or "", None)

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
        self._status(f"Testing the {self.providers[provider].label} details...")

        def done(result: tuple[str, list[SourceStore]]) -> None:
            description, stores = result
            self._busy = False
            self._tested = (provider, tuple(sorted(options.items())))
            self.query_one("#probe", Static).update(f"OK: {description}")
            stores = stores if self.providers[provider].probe else []
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
        if self.declared.probe and self._tested != (provider, tuple(sorted(options.items()))):
            self._probe(options, then="Tested: check the stores picked, then ctrl+s again to create the stream.")
            return
        picker = self.query_one("#stores", SelectionList)
        stores = [self.offered[store_id] for store_id in picker.selected] if self.declared.probe else []
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
        if self.declared.till:
            text += "; p on Streams opens its till"
        self.notify(text + ".")
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
