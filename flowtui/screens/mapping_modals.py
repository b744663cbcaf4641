"""Small dialogs of the mappings screen: map a POS store to a location, pick an account.

Each returns a typed value (``LocationChoice`` or an account code); the mappings screen saves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.ledger.numbering import DEFAULT_INVOICE_FORMAT, validate_format
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import choices, literal
from flowtui.screens.common.modals import PromptModal
from flowtui.screens.stream_settings import FORM_CSS, form_row


@dataclass(frozen=True)
class LocationChoice:
    """A POS store's mapping as chosen: ``None`` leaves the contact / number format as they are."""

    location: str
    contact: str | None = None
    number_format: str | None = None


def number_preview(flow, fmt: str) -> tuple[bool, str]:
    """(True, the next number ``fmt`` would give) or (False, why the format is not usable)."""
    try:
        return True, flow.next_number(fmt)
    except InvalidInput as exc:
        return False, str(exc)


class LocationModal(ModalScreen[LocationChoice | None], FlowScreen):
    """Map one POS store: location and contact from a list (or new), number format with a live preview."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="mappings.location.save"),
        Binding("ctrl+n", "new_location", "New location", id="mappings.location.new_location"),
        Binding("ctrl+o", "new_contact", "New contact", id="mappings.location.new_contact"),
        Binding("escape", "cancel", "Cancel", id="mappings.location.cancel"),
    ]
    DEFAULT_CSS = FORM_CSS + """
    LocationModal #preview { padding: 0 0 0 15; height: auto; }
    LocationModal #preview.-bad { color: $error; }
    """

    def __init__(self, store_id: str, store_name: str | None, location: str | None, contact: str | None,
                 number_format: str | None, locations: list[str], contacts: list[str]) -> None:
        super().__init__(classes="modal")
        self.store_id, self.store_name = store_id, store_name
        self.location, self.contact, self.number_format = location, contact, number_format
        self.locations, self.contacts = list(locations), list(contacts)
        self._format_ok = True

    def compose(self) -> ComposeResult:
        store = f"{self.store_name} ({self.store_id})" if self.store_name else self.store_id
        with Vertical(id="dialog"):
            yield Label(f"Map POS store {store}", id="dialog-title", markup=False)
            yield from form_row("Location", Select(self._options(self.locations), prompt="Pick a location",
                                                   value=self.location if self.location in self.locations else Select.NULL,
                                                   id="location"))
            yield from form_row("Contact", Select(self._options(self.contacts), prompt="Default contact",
                                                  value=self.contact if self.contact in self.contacts else Select.NULL,
                                                  id="contact"))
            yield from form_row("Number format", Input(self.number_format or "", placeholder=DEFAULT_INVOICE_FORMAT,
                                                       id="number-format"))
            yield Static("", id="preview", markup=False)
            yield Static("Tokens: {yyyy} {yy} {mm} {dd} and one {seq} or {seq:04}.", classes="hint", markup=False)
            yield Static("", id="dialog-error", markup=False)
        yield SteadyFooter()

    @staticmethod
    def _options(names: list[str]) -> list[tuple[Text, str]]:
        return choices(names)

    def on_mount(self) -> None:
        self.query_one("#location", Select).focus()
        self._preview()

    # -- the live preview ----------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "number-format":
            self._preview()

    def _format_text(self) -> str:
        return self.query_one("#number-format", Input).value.strip() or DEFAULT_INVOICE_FORMAT

    def _preview(self) -> None:
        fmt = self._format_text()
        self.run_engine(lambda: number_preview(self.flow, fmt), lambda result: self._show_preview(fmt, result),
                        name="number-preview")

    def _show_preview(self, fmt: str, result: tuple[bool, str]) -> None:
        if fmt != self._format_text():
            return  # typed on since; a newer preview is on its way
        ok, text = result
        self._format_ok = ok
        preview = self.query_one("#preview", Static)
        preview.update(f"Next number: {text}" if ok else text)
        preview.set_class(not ok, "-bad")

    # -- creating a location or a contact from here -------------------------------------------------------
    def action_new_location(self) -> None:
        self.app.push_screen(PromptModal("New location", placeholder="e.g. KL Sentral"), self._add_location)

    def _add_location(self, name: str | None) -> None:
        if name and name.strip():
            self.run_engine(lambda: self.flow.add_location(name.strip()),
                            lambda location: self._added("location", self.locations, location.name), name="add-location")

    def action_new_contact(self) -> None:
        self.app.push_screen(PromptModal("New contact", placeholder="e.g. Walk-in customers"), self._add_contact)

    def _add_contact(self, name: str | None) -> None:
        if name and name.strip():
            self.run_engine(lambda: self.flow.add_contact(name.strip()),
                            lambda contact: self._added("contact", self.contacts, contact.name), name="add-contact")

    def _added(self, field_id: str, names: list[str], name: str) -> None:
        names.append(name)
        names.sort()
        select = self.query_one(f"#{field_id}", Select)
        select.set_options(self._options(names))
        select.value = name
        self.notify(f"Added {field_id} {name}.")

    # -- answer ------------------------------------------------------------------------------------
    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.action_save()

    def choice(self) -> LocationChoice | None:
        error = self.query_one("#dialog-error", Static)
        location = self.query_one("#location", Select).value
        if location is Select.NULL:
            error.update("Pick a location (ctrl+n adds a new one).")
            return None
        typed = self.query_one("#number-format", Input).value.strip()
        try:
            fmt = validate_format(typed) if typed else None
        except InvalidInput as exc:
            error.update(str(exc))
            return None
        if fmt == self.number_format:
            fmt = None  # unchanged
        elif fmt is None and self.number_format not in (None, DEFAULT_INVOICE_FORMAT):
            fmt = DEFAULT_INVOICE_FORMAT  # cleared: back to the default
        contact = self.query_one("#contact", Select).value
        return LocationChoice(str(location), None if contact is Select.NULL else str(contact), fmt)

    def action_save(self) -> None:
        choice = self.choice()
        if choice is not None:
            self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AccountModal(ModalScreen[str | None]):
    """Pick an account from the chart: up/down and enter; escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="mappings.account.cancel")]
    DEFAULT_CSS = """
    AccountModal #accounts { height: auto; max-height: 14; }
    """

    def __init__(self, title: str, current: str | None, accounts: list[tuple[str, str]]) -> None:
        super().__init__(classes="modal")
        self.title_text, self.current, self.accounts = title, current, accounts

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield OptionList(*[Option(literal(f"{code}  {name}"), id=code) for code, name in self.accounts], id="accounts")
            yield Static("enter picks the highlighted account; esc cancels.", classes="hint", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        codes = [code for code, _ in self.accounts]
        if self.current in codes:
            options.highlighted = codes.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
