"""Digests: each day's sales per stream and location; filter, sort, select and post them.

Paged (200 rows at a time) so it stays quick with 100,000 digests; the page
after the one shown is fetched ahead, so ``]`` does not wait for the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Header, Static

from flowtui.engine.core.clock import iso_utc
from flowtui.engine.core.formats import money
from flowtui.engine.core.records import DigestPage, DigestRow
from flowtui.engine.digests.store import SORTS, DigestFilter
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.columns import Column, FittedTable
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.modals import ConfirmModal, PromptModal
from flowtui.screens.digest_dialogs import (
    DigestFilterModal,
    IsoDate,
    PostOutcomeModal,
    parse_day,
    preview_text,
    shown_status,
    where,
)

PAGE = 200
CACHE_SECONDS = 30.0  # a page fetched ahead is used for this long
# Fixed widths keep the columns still while paging; keys match engine SORTS. At 80 columns the creation time, the
# order count and then the stream give way (c shows them); the invoice number and the amount never do.
COLUMNS = [Column("mark", "✓", 1), Column("date", "Date", 10), Column("stream", "Stream", 11, least=8, rank=2),
           Column("location", "Location", 13, least=10), Column("amount", "Amount", 12, right=True),
           Column("status", "Status", 15, least=11, rank=1), Column("orders", "Orders", 6, rank=3, right=True),
           Column("invoice", "Invoice", 16), Column("created", "Created (UTC)", 16, rank=4)]


def describe_filter(flt: DigestFilter) -> str:
    parts = [f"{label} {value}" for label, value in
             (("stream", flt.stream), ("location", flt.location), ("status", flt.status and shown_status(flt.status)),
              ("from", flt.start), ("to", flt.end)) if value]
    return ", ".join(parts) or "none"


class PageRead(Message):
    """A page of digests the engine has read (posted from the worker thread)."""

    def __init__(self, key: tuple, page: DigestPage, cursor: int | None) -> None:
        super().__init__()
        self.key, self.page, self.cursor = key, page, cursor


class DigestsScreen(FlowScreen):
    """Every digest, a page at a time: ``DigestsScreen(stream="Shop files", status="ready")``."""

    TITLE = "Digests"
    FOOTER_KEYS = ("digests.open", "digests.post", "digests.filter", "table.columns")  # shown however narrow
    BINDINGS = [
        Binding("enter", "open", "Open", id="digests.open", priority=True),  # ahead of the table's own enter
        Binding("space", "toggle_mark", "Select", id="digests.toggle"),
        Binding("a", "select_page", "All/none", id="digests.select_page"),
        Binding("p", "post", "Post", id="digests.post"),
        Binding("m", "mappings", "Mappings", id="digests.mappings", show=False),  # (what refusals point to)
        Binding("f", "filter", "Filter", id="digests.filter"),
        Binding("s", "sort", "Sort", id="digests.sort"),
        Binding("r", "reverse", "Reverse", id="digests.reverse"),
        Binding("g", "jump", "Go to date", id="digests.jump"),
        Binding("left_square_bracket", "page(-1)", "Prev page", id="digests.prev_page", key_display="["),
        Binding("right_square_bracket", "page(1)", "Next page", id="digests.next_page", key_display="]"),
        Binding("x", "clear_selection", "Clear sel.", id="digests.clear"),
        Binding("f5", "refresh", "Refresh", id="digests.refresh"),
        Binding("escape", "back", "Back", id="digests.back"),
    ]

    def __init__(self, stream: str | None = None, status: str | None = None) -> None:
        super().__init__()
        self.filter = DigestFilter(stream=stream, status=status)
        self.sort, self.descending, self.row_offset = "date", False, 0
        self.page: DigestPage | None = None
        self.page_filter: DigestFilter | None = None  # what the page shown was asked with
        self.selected: dict[int, DigestRow] = {}
        self.currency = ""
        self.stream_names: list[str] = []
        self._cache: dict[tuple, tuple[float, DigestPage]] = {}
        self._quiet_resume = self._loading = False
        self._wanted: tuple | None = None  # the page last asked for

    def compose(self) -> ComposeResult:
        yield Header()
        yield FittedTable(COLUMNS, id="digests", cursor_type="row", zebra_stripes=True)
        yield Static("", id="digests-view", classes="hint", markup=False)
        yield Static("loading…", id="digests-status", classes="status-line", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.run_engine(lambda: (self.flow.company().currency, [s.stream.name for s in self.flow.streams()]),
                        self._know_books, name="books")

    def _know_books(self, known) -> None:
        self.currency, self.stream_names = known
        self._describe()

    def on_screen_resume(self) -> None:
        if self._quiet_resume:  # back from one of this screen's own dialogs: nothing changed under us
            self._quiet_resume = False
            return
        if not self._loading:  # (still loading, or the load failed and its error was just closed: f5 retries)
            self.action_refresh()

    def _ask(self, modal: ModalScreen, then: Callable) -> None:
        self._quiet_resume = True
        self.app.push_screen(modal, then)

    # -- loading pages -----------------------------------------------------------------------
    def _key(self, offset: int) -> tuple:
        return self.filter, self.sort, self.descending, offset

    def _fetch(self, key: tuple, on_read: Callable[[DigestPage], object] | None = None) -> DigestPage:
        flt, sort, descending, offset = key
        return self.flow.digest_page(flt, sort=sort, descending=descending, offset=offset, limit=PAGE, on_read=on_read)

    def load(self, offset: int = 0, cursor: int | None = 0) -> None:
        """Show the page at ``offset``; ``cursor`` is the row to land on (None: stay where it was)."""
        key = self._key(max(0, offset))
        self._wanted = key
        cached = self._cache.get(key)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            self.workers.cancel_group(self, "page")
            self._show(key, cached[1], cursor)
            return
        self._loading = True
        # The worker posts the page as soon as it is read, not once the file is closed (~5 ms later).
        self.run_engine(lambda: self._fetch(key, lambda page: self.post_message(PageRead(key, page, cursor))),
                        name="page")

    def on_page_read(self, message: PageRead) -> None:
        if message.key == self._wanted:  # (not a page asked for before another, or before a cached one)
            self._show(message.key, message.page, message.cursor)

    def _show(self, key: tuple, page: DigestPage, cursor: int | None) -> None:
        if not page.rows and page.total and page.offset:  # past the end (fewer rows now): the last page
            self.load((page.total - 1) // PAGE * PAGE, cursor=-1)
            return
        self._loading = False
        self._cache[key] = (time.monotonic(), page)
        self.page, self.page_filter, self.row_offset = page, key[0], page.offset
        table = self.query_one(FittedTable)
        row_before = table.cursor_row
        for column in COLUMNS:
            arrow = (" ▼" if self.descending else " ▲") if column.key == self.sort else ""
            table.set_label(column.key, Text(column.label + arrow, justify="right" if column.right else "left"))
        table.fill((str(row.id), self._cells(row)) for row in page.rows)
        for row in page.rows:  # a selected digest may have changed (posted, say)
            if row.id in self.selected:
                self.selected[row.id] = row
        if page.rows:
            target = row_before if cursor is None else (len(page.rows) - 1 if cursor < 0 else cursor)
            table.move_cursor(row=min(max(target, 0), len(page.rows) - 1), animate=False)
        self._describe()
        table.call_after_paint(self._prefetch)  # once this page is on screen: fetching now would slow it

    def _cells(self, row: DigestRow) -> list:
        return ["✓" if row.id in self.selected else "", row.date.isoformat(), row.stream,
                Text(where(row), style="" if row.location else "yellow"),
                Text(money(row.amount), justify="right"), shown_status(row.status), Text(str(row.order_count),
                justify="right"), row.invoice_number or "", iso_utc(row.created_at)[:16].replace("T", " ")]

    def _prefetch(self) -> None:
        """Fetch the next page ahead, so ``]`` shows it at once."""
        page = self.page
        if page is None:
            return
        following = page.offset + PAGE
        if following >= page.total:
            return
        key = self._key(following)
        if key in self._cache and time.monotonic() - self._cache[key][0] < CACHE_SECONDS:
            return
        self.run_engine(lambda: (key, self._fetch(key)), self._keep, name="prefetch")

    def _keep(self, fetched) -> None:
        key, page = fetched
        self._cache[key] = (time.monotonic(), page)
        for stale in list(self._cache)[:-6]:
            self._cache.pop(stale, None)

    def _describe(self) -> None:
        page = self.page
        status = self.query_one("#digests-status", Static)
        view = self.query_one("#digests-view", Static)
        view.update(f"sort {self.sort} {'↓' if self.descending else '↑'} · filter: {describe_filter(self.filter)}"
                    " · ? keys")
        if page is None:
            return
        cur = f"{self.currency} " if self.currency else ""
        if page.total:
            text = (f"rows {page.offset + 1:,}-{page.offset + len(page.rows):,} of {page.total:,}"
                    f" · total {cur}{money(page.amount)}")
        else:
            text = "No digests match: press f to change the filter."
        if self.selected:
            chosen = sum((r.amount for r in self.selected.values()), Decimal(0))
            text += f" · {len(self.selected):,} selected ({cur}{money(chosen)})"
        status.update(text)

    def action_refresh(self) -> None:
        self._cache.clear()
        self.load(self.row_offset, cursor=None)

    def apply_filter(self, flt: DigestFilter | None) -> None:
        if flt is None or flt == self.filter:
            return
        self.filter = flt
        self.load(0)

    # -- the rows ------------------------------------------------------------------------------
    def current(self) -> DigestRow | None:
        table = self.query_one(DataTable)
        if self.page is None or not table.row_count:
            return None
        return self.page.rows[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        if row := self.current():
            self.app.push_screen(self.flowapp.make_screen("digest", digest_id=row.id))

    def _mark(self, row: DigestRow) -> None:
        self.query_one(DataTable).update_cell(str(row.id), "mark", "✓" if row.id in self.selected else "")

    def action_toggle_mark(self) -> None:
        row = self.current()
        if row is None:
            return
        if self.selected.pop(row.id, None) is None:
            self.selected[row.id] = row
        self._mark(row)
        self.query_one(DataTable).action_cursor_down()
        self._describe()

    def action_select_page(self) -> None:
        rows = self.page.rows if self.page else []
        everything = all(r.id in self.selected for r in rows)
        for row in rows:
            if everything:
                self.selected.pop(row.id, None)
            else:
                self.selected[row.id] = row
            self._mark(row)
        self._describe()

    def action_clear_selection(self) -> None:
        self.selected.clear()
        for row in self.page.rows if self.page else []:
            self._mark(row)
        self._describe()

    # -- keys ----------------------------------------------------------------------------------
    def action_page(self, step: int) -> None:
        if self.page is None:
            return
        target = self.row_offset + step * PAGE
        if 0 <= target < self.page.total:
            self.load(target)
        else:
            self.notify("That was the last page." if step > 0 else "This is the first page.", timeout=2)

    def action_sort(self) -> None:
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)] if self.sort in names else names[0]
        self.load(0)

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.load(0)

    def action_filter(self) -> None:
        self._ask(DigestFilterModal(self.filter, self.stream_names), self.apply_filter)

    def action_jump(self) -> None:
        self._ask(PromptModal("Go to date", "YYYY-MM-DD", validators=[IsoDate()]), self._jump_to)

    def _jump_to(self, text: str | None) -> None:
        day = parse_day(text or "")
        if day is None:
            return
        if self.sort != "date":
            self.sort = "date"
            self.notify("Sorted by date to go to a date.", timeout=3)
        flt, descending = self.filter, self.descending
        # rows before the date in this order: earlier days (ascending) or later days (descending)
        if descending:
            after = day + timedelta(days=1)
            before = replace(flt, start=max(after, flt.start) if flt.start else after)
        else:
            until = day - timedelta(days=1)
            before = replace(flt, end=min(until, flt.end) if flt.end else until)

        def job() -> tuple[int, tuple, DigestPage]:
            ahead = self.flow.digest_page(before, sort="date", descending=descending, limit=0).total
            offset = ahead // PAGE * PAGE
            key = (flt, "date", descending, offset)
            return ahead - offset, key, self._fetch(key)

        def land(found) -> None:
            row, key, page = found
            self._show(key, page, min(row, max(len(page.rows) - 1, 0)))

        self._loading, self._wanted = True, None
        self.run_engine(job, land, name="page")

    def action_post(self) -> None:
        """Ask first, saying how many of the selection will post, were posted already, or are not ready."""
        rows = list(self.selected.values()) or [r for r in [self.current()] if r]
        if not rows:
            self.notify("Nothing to post: select digests with space first.", severity="warning")
            return
        self.run_engine(lambda: self.flow.preview_post([r.id for r in rows]),
                        lambda preview: self._confirm_post(rows, preview), name="post")

    def _confirm_post(self, rows: list[DigestRow], preview) -> None:
        title, message, yes = preview_text(rows, preview, self.currency)
        ids = [r.id for r in rows]
        self._ask(ConfirmModal(title, message, yes=yes), lambda go: self._post(ids) if go else None)

    def _post(self, ids: list[int]) -> None:
        self.notify(f"Posting {len(ids):,} digest(s)…", timeout=3)
        self.run_engine(lambda: self.flow.post(ids), self._posted, name="post")

    def _posted(self, outcomes) -> None:
        for outcome in outcomes:
            if outcome.status != "refused":
                self.selected.pop(outcome.digest_id, None)
        self.action_refresh()
        self._ask(PostOutcomeModal(outcomes), lambda stream: self._open_mappings(stream) if stream else None)

    def action_mappings(self) -> None:
        """The mappings of the stream of the digest under the cursor (or of the stream filtered on)."""
        row = self.current()
        stream = row.stream if row else self.filter.stream
        if stream:
            self._open_mappings(stream)
        else:
            self.notify("No digest here: its stream's mappings open from a digest (or from Streams, m).",
                        severity="warning")

    def _open_mappings(self, stream: str) -> None:
        self._quiet_resume = False  # back from the mappings: what they fixed shows
        self.app.push_screen(self.flowapp.make_screen("mappings", stream=stream))

    def action_back(self) -> None:
        self.flowapp.go_back()
