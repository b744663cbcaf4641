"""The digest listing's dialogs (filter, what posting will do and did) and the small display rules it shares with them
and with the digest detail: how a status and a location are shown, how a typed date is read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static

from flowtui.engine.core.formats import money
from flowtui.engine.core.records import DigestRow
from flowtui.engine.digests.store import DIGEST_STATUSES, DigestFilter
from flowtui.engine.ledger.outcomes import (
    ELSEWHERE,
    MAPPINGS,
    SOURCE,
    WAIT,
    PostPreview,
    PostSummary,
    RefusalGroup,
    cause_of,
)


def shown_status(status: str) -> str:
    return status.replace("_", " ")


def where(row: DigestRow) -> str:
    return row.location or f"{row.pos_store_id} (unmapped)"


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


#: Where the console fixes each cause of a refusal (see ``digest_listing.FIXES``), in its own keys.
FIX_WORDS = {MAPPINGS: "open mappings (m)", SOURCE: "fix it at the source, then sync again (s on Streams)",
             WAIT: "it can post once the day is over", ELSEWHERE: ""}
SHOWN = 10  # digests listed by name under a heading; the rest are counted


def _digests(count: int) -> str:
    return f"{count:,} digest" + ("" if count == 1 else "s")


def _named(labels: list[str], indent: str = "  ", most: int = SHOWN) -> list[str]:
    shown = [f"{indent}{label}" for label in labels[:most]]
    if len(labels) > most:
        shown.append(f"{indent}… and {len(labels) - most:,} more")
    return shown


def refusal_lines(groups: list[RefusalGroup]) -> list[str]:
    """``190 digests: store S19 has no location — open mappings (m)``, the first few digests under it."""
    several = len({g.stream for g in groups}) > 1
    lines = []
    for group in groups:
        fix = FIX_WORDS.get(group.cause.fix, "")
        of = f" of {group.stream}" if several else ""
        lines.append(f"  {_digests(len(group.digests))}{of}: {group.cause.what}" + (f" — {fix}" if fix else ""))
        lines += _named(list(group.digests), "      ", most=3)
    return lines


def console_reason(reason: str) -> str:
    """One reason a digest cannot post, in the console's words where the console has the fix (its mappings, or
    waiting for the day to end): ``store KL has no location — open mappings (m)``; otherwise as the engine says
    it (a rejection is dismissed on the record from the command line only)."""
    cause = cause_of(reason)
    return f"{cause.what} — {FIX_WORDS[cause.fix]}" if cause.fix in (MAPPINGS, WAIT) else reason


def _documents(o) -> str:
    return ", ".join(f"{kind.replace('_', ' ')} {number}" for kind, number in o.documents)


def outcome_summary(outcomes) -> tuple[str, str]:
    """The title and text of what posting did: documents created (only those: a day posted before created none),
    what was already posted, and what was not ready, its refusals grouped by cause."""
    done = PostSummary.of(outcomes)
    title = f"Posted {len(done.created):,} of {done.selected:,}: {done.documents:,} document(s) created"
    for count, what in ((len(done.already_posted), "already posted"), (len(done.not_ready), "not ready"),
                        (len(done.unchanged), "unchanged")):
        if count:
            title += f", {count:,} {what}"
    lines = []
    if done.created:
        lines.append("Documents created:")
        lines += _named([f"{o.label}: {_documents(o)}" for o in done.created])
    if done.already_posted:
        lines.append(f"Already posted, nothing to do ({_digests(len(done.already_posted))}):")
        lines += _named([f"{o.label}: {_documents(o)}" if o.documents else o.label for o in done.already_posted])
    if done.not_ready:
        lines.append(f"Not ready, not posted ({_digests(len(done.not_ready))}):")
        lines += refusal_lines(done.groups)
    if done.unchanged:
        lines.append("Changed, but every line nets to zero: nothing to post")
        lines += _named([f"{o.label}: {'; '.join(o.reasons)}" for o in done.unchanged])
    return title, "\n".join(lines) or "Nothing was posted."


def preview_text(rows: list[DigestRow], preview: PostPreview, currency: str) -> tuple[str, str, str]:
    """The confirmation before posting: its title, its text (how many of the selection post, were posted already,
    are not ready) and the word on its yes button."""
    postable = set(preview.to_post)
    total = sum((r.amount for r in rows if r.id in postable), Decimal(0))
    cur = f"{currency} " if currency else ""
    count = len(postable)
    of = f"{count:,}" if count == len(rows) else f"{count:,} of {len(rows):,}"
    if count:
        lines = [f"Post {of} digest(s), total {cur}{money(total)}?"]
    else:
        lines = [f"None of the {_digests(len(rows))} selected can post now; posting them says why."]
    skipped = [(len(preview.already_posted), "already posted: skipped, nothing to do"),
               (len(preview.open), "not ready, the day is not over yet: refused"),
               (len(preview.blocked), "not ready, needs attention: refused, saying why")]
    if count and any(n for n, _ in skipped):
        lines.append(f"  {_digests(count)} to post")
    lines += [f"  {_digests(n)} {what}" for n, what in skipped if n]
    lines.append("")
    lines += [f"  {r.date}  {r.stream} / {where(r)}  {money(r.amount)}  ({shown_status(r.status)})"
              for r in rows[:SHOWN]]
    if len(rows) > SHOWN:
        lines.append(f"  … and {len(rows) - SHOWN:,} more")
    title = f"Post {of} digest(s)" if count else "Nothing here can post"
    return title, "\n".join(lines), "Post" if count else "See why"


class PostOutcomeModal(ModalScreen[str | None]):
    """What posting did; escape or enter closes it, m opens the mappings a refusal needs (returns that stream)."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="post_outcome.close"),
                Binding("m", "mappings", "Mappings", id="post_outcome.mappings")]

    def __init__(self, outcomes) -> None:
        super().__init__(classes="modal")
        self.title_text, self.message = outcome_summary(outcomes)
        self.mappings_of = next((g.stream for g in PostSummary.of(outcomes).groups if g.cause.fix == MAPPINGS), None)

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

    def action_mappings(self) -> None:
        if self.mappings_of is not None:
            self.dismiss(self.mappings_of)


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
