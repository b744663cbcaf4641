"""The digest listing's dialogs (filter, what posting did) and the small display rules it shares with them
and with the digest detail: how a status and a location are shown, how a typed date is read."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static

from flowtui.engine.core.records import DigestRow
from flowtui.engine.digests.store import DIGEST_STATUSES, DigestFilter


def shown_status(status: str) -> str:
    return status.replace("_", " ")


#: What marks an unmapped store, payment method or category besides its colour, first in its cell (so a narrow
#: column keeps it): 16-colour and monochrome terminals read the same.
UNMAPPED_MARK = "✗ "


def where(row: DigestRow) -> str:
    return row.location or f"{row.pos_store_id} (unmapped)"


def where_marked(row: DigestRow) -> str:
    """:func:`where`, marked :data:`UNMAPPED_MARK` when the store has no location."""
    return where(row) if row.location else UNMAPPED_MARK + where(row)


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class IsoDate(Validator):
    """A calendar date written YYYY-MM-DD (blank allowed when ``optional``)."""

    def __init__(self, optional: bool = False) -> None:
        super().__init__(failure_description="Write the date as YYYY-MM-DD, e.g. 2026-10-01.")
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        if (self.optional and not value.strip()) or parse_day(value):
            return self.success()
        return self.failure()


def outcome_summary(outcomes) -> tuple[str, str]:
    """The title and text of what posting did: documents created, refusals with their reasons."""
    created = [o for o in outcomes if o.documents]
    refused = [o for o in outcomes if o.status == "refused"]
    settled = [o for o in outcomes if not o.documents and o.status != "refused"]
    documents = sum(len(o.documents) for o in created)
    title = f"Posted {len(created)} of {len(outcomes)}: {documents} document(s), {len(refused)} refused"
    lines = []
    if created:
        lines.append("Documents created:")
        lines += [f"  {o.label}: " + ", ".join(f"{kind.replace('_', ' ')} {number}" for kind, number in o.documents)
                  for o in created]
    if refused:
        lines.append("Refused:")
        for o in refused:
            lines.append(f"  {o.label}:")
            lines += [f"    - {reason}" for reason in o.reasons]
    if settled:
        lines.append("Nothing to post:")
        lines += [f"  {o.label}: {o.status.replace('_', ' ')}" for o in settled]
    return title, "\n".join(lines) or "Nothing was posted."


class PostOutcomeModal(ModalScreen[None]):
    """What posting did; escape or enter closes it."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="post_outcome.close")]

    def __init__(self, outcomes) -> None:
        super().__init__(classes="modal")
        self.title_text, self.message = outcome_summary(outcomes)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            with VerticalScroll(id="dialog-body"):
                yield Static(self.message, markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Close (esc)", id="close", variant="primary")

    def on_button_pressed(self, _: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class DigestFilterModal(ModalScreen[DigestFilter | None]):
    """Stream, location, status and dates; enter applies, escape leaves the filter as it was."""

    DEFAULT_CSS = """
    DigestFilterModal .filter-row { height: 1; margin-bottom: 1; }
    DigestFilterModal .filter-row Label { width: 10; }
    DigestFilterModal .filter-row Input, DigestFilterModal .filter-row Select { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="digests.filter_cancel"),
        Binding("ctrl+r", "clear", "Clear all", id="digests.filter_clear"),
    ]

    def __init__(self, flt: DigestFilter, streams: list[str]) -> None:
        super().__init__(classes="modal")
        self.flt, self.streams = flt, streams

    def compose(self) -> ComposeResult:
        flt = self.flt
        with Vertical(id="dialog"):
            yield Label("Filter digests (enter applies, ctrl+r clears, esc cancels)", id="dialog-title", markup=False)
            with Horizontal(classes="filter-row"):
                yield Label("Stream", markup=False)
                yield Input(flt.stream or "", placeholder="any (type to complete)", id="stream", compact=True,
                            suggester=SuggestFromList(self.streams, case_sensitive=False))
            with Horizontal(classes="filter-row"):
                yield Label("Location", markup=False)
                yield Input(flt.location or "", placeholder="any (location or POS store)", id="location", compact=True)
            with Horizontal(classes="filter-row"):
                yield Label("Status", markup=False)
                yield Select([(shown_status(s), s) for s in DIGEST_STATUSES], prompt="any", id="status",
                             value=flt.status or Select.NULL, compact=True)
            with Horizontal(classes="filter-row"):
                yield Label("From", markup=False)
                yield Input(str(flt.start or ""), placeholder="YYYY-MM-DD", id="start", compact=True,
                            validators=[IsoDate(optional=True)])
            with Horizontal(classes="filter-row"):
                yield Label("To", markup=False)
                yield Input(str(flt.end or ""), placeholder="YYYY-MM-DD", id="end", compact=True,
                            validators=[IsoDate(optional=True)])
            yield Static("", id="dialog-error", markup=False)

    def on_input_submitted(self, _: Input.Submitted) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        text = {name: self.query_one(f"#{name}", Input).value.strip() for name in ("stream", "location", "start", "end")}
        start, end = parse_day(text["start"]), parse_day(text["end"])
        error = self.query_one("#dialog-error", Static)
        if (text["start"] and start is None) or (text["end"] and end is None):
            error.update("Write dates as YYYY-MM-DD, e.g. 2026-10-01.")
            return
        if start and end and start > end:
            error.update(f"From {start} is after to {end}.")
            return
        status = self.query_one("#status", Select).value
        self.dismiss(DigestFilter(stream=text["stream"] or None, location=text["location"] or None,
                                  status=status if isinstance(status, str) else None, start=start, end=end))

    def action_clear(self) -> None:
        for name in ("stream", "location", "start", "end"):
            self.query_one(f"#{name}", Input).value = ""
        self.query_one("#status", Select).clear()

    def action_cancel(self) -> None:
        self.dismiss(None)
