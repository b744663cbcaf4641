"""Tables that choose their columns by the width they have: what matters stays, names are cut with an ellipsis.

A listing declares its columns once, each with the width it would like, how far it may
be cut (names: with an ellipsis, ``Nasi Lemak Ay…``) and a rank saying which go first
when there is no room (0: never). :func:`fit` lays them out for a width;
:class:`FittedTable` does it again whenever the table is resized, and ``c`` (Columns)
switches to every column at its full width (left and right scroll) and back::

    LINES = [Column("description", "Description", 30, least=12),
             Column("amount", "Amount", 12, right=True),
             Column("account", "Account", 24, least=8, rank=2)]
    table = FittedTable(LINES, id="lines", cursor_type="row")
    table.add_row("Nasi Lemak Ayam", "12.90", "4000 Sales")   # every column's cell, hidden or not

Rows are given with a cell for every column; the table keeps them all and shows those
that fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets.data_table import ColumnKey, RowKey

from flowtui.screens.common.literal import cell
from flowtui.screens.common.page_table import PageTable


@dataclass(frozen=True)
class Column:
    """One column: ``key``, header ``label``, the ``width`` it likes, the ``least`` it may be cut to (None: never
    cut), its ``rank`` (higher ranks hide first when there is no room; 0 never hides); numbers go ``right``."""

    key: str
    label: str
    width: int
    least: int | None = None
    rank: int = 0
    right: bool = False

    @property
    def narrowest(self) -> int:
        return self.width if self.least is None else min(self.least, self.width)


def fit(columns: Sequence[Column], room: int, padding: int = 1) -> list[tuple[Column, int]]:
    """The columns that fit in ``room`` cells, each with its width, in their order.

    Columns of the highest rank go first (of equal ranks, the rightmost) until the rest fit at their narrowest;
    then the room left widens the cut columns back towards their width, and what is still left goes to the
    columns that may be cut (names), so a long name shows whole when there is room for it.
    """
    shown = list(columns)
    while sum(c.narrowest + 2 * padding for c in shown) > room:
        droppable = [c for c in shown if c.rank > 0]
        if not droppable:
            break
        top = max(c.rank for c in droppable)
        shown.remove([c for c in droppable if c.rank == top][-1])
    widths = {c.key: c.narrowest for c in shown}
    spare = room - sum(w + 2 * padding for w in widths.values())
    growing = [c for c in shown if widths[c.key] < c.width]
    while spare > 0 and growing:  # a cell at a time, in turn, so each cut column gets its share
        for c in list(growing):
            if spare <= 0:
                break
            widths[c.key] += 1
            spare -= 1
            if widths[c.key] >= c.width:
                growing.remove(c)
    stretchy = [c for c in shown if c.least is not None]
    for i, c in enumerate(stretchy):
        share = spare // (len(stretchy) - i) if spare > 0 else 0
        widths[c.key] += share
        spare -= share
    return [(c, widths[c.key]) for c in shown]


def cut(value: object) -> object:
    """A table cell that shows ``…`` where its column cuts it (a cell that says how it is cut keeps its way)."""
    value = cell(value)
    if isinstance(value, Text) and value.overflow is None:
        value.overflow = "ellipsis"
    return value


class FittedTable(PageTable):
    """A :class:`PageTable` whose columns (:class:`Column`) are laid out for its width, again on every resize."""

    BINDINGS = [Binding("c", "toggle_columns", "Columns", id="table.columns")]

    def __init__(self, columns: Sequence[Column], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.spec = list(columns)
        self.wide = False  # every column at its full width (the table scrolls sideways)
        self._labels: dict[str, Any] = {}
        self._cells: dict[RowKey, dict[str, object]] = {}
        self._layout: list[tuple[Column, int]] = []
        self._serial = 0

    # -- the layout --------------------------------------------------------------------------------
    @property
    def room(self) -> int:
        """The cells a row may take: the table's width less its vertical scrollbar (kept, so rows never jump)."""
        width = self.size.width or self.app.size.width
        return max(0, width - self.styles.scrollbar_size_vertical)

    def layout_for(self, room: int) -> list[tuple[Column, int]]:
        if self.wide:
            return [(c, max(c.width, c.narrowest)) for c in self.spec]
        return fit(self.spec, room, self.cell_padding)

    @property
    def hidden(self) -> list[Column]:
        """The columns left out at this width (``c`` shows them)."""
        shown = {c.key for c, _ in self._layout}
        return [c for c in self.spec if c.key not in shown]

    @property
    def shown(self) -> list[str]:
        return [c.key for c, _ in self._layout]

    def on_mount(self) -> None:
        self._refit()

    def on_resize(self, _: events.Resize) -> None:
        self._refit()

    def action_toggle_columns(self) -> None:
        self.wide = not self.wide
        self._refit()
        hidden = ", ".join(c.label for c in self.hidden)
        self.notify("Every column, at full width: left and right scroll; c again fits them to the screen."
                    if self.wide else f"Columns fitted to the screen{f' (hidden: {hidden})' if hidden else ''}; "
                    "c shows every column.", timeout=4)

    def _refit(self) -> None:
        layout = self.layout_for(self.room)
        if [(c.key, w) for c, w in layout] == [(c.key, w) for c, w in self._layout]:
            return
        self._layout = layout
        row, column = self.cursor_row, self.cursor_column
        scroll = self.scroll_y
        rows = list(self._cells.items())
        super().clear(columns=True)
        for c, width in layout:
            label = self._labels.get(c.key, c.label)
            if isinstance(label, str):
                label = Text(label, justify="right" if c.right else "left")
            super().add_column(label, width=width, key=c.key)
        if rows:
            PageTable.fill(self, ((str(key.value), self._shown_cells(cells)) for key, cells in rows))
            self._cells = dict(rows)
            self.move_cursor(row=min(row, len(rows) - 1), column=min(column, len(layout) - 1), animate=False)
            self.scroll_y = scroll

    def _shown_cells(self, cells: dict[str, object]) -> list:
        return [cells.get(c.key) for c, _ in self._layout]

    def full_row_at(self, row_index: int) -> list:
        """Every column's cell of a row, shown or not (``get_row_at`` gives those shown)."""
        key = self._row_locations.get_key(row_index)
        if key is None:
            raise IndexError(f"No row {row_index}")
        cells = self._cells[key]
        return [cells.get(c.key) for c in self.spec]

    def set_label(self, key: str, label: Any) -> None:
        """Change a column's header (a sort arrow, say), whether it is shown now or not."""
        self._labels[key] = label
        if ColumnKey(key) in self.columns:
            self.columns[ColumnKey(key)].label = label
            self.refresh()

    # -- rows: each with every column's cell; the table shows those that fit --------------------
    def _keep(self, cells: Iterable[object]) -> dict[str, object]:
        given = list(cells)
        if len(given) > len(self.spec):
            raise ValueError("More values provided than there are columns.")
        return {c.key: cut(value) for c, value in zip(self.spec, given, strict=False)}

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> RowKey:
        if not self._layout:
            self._refit()
        kept = self._keep(cells)
        if key is None:  # a key of its own, so the row is the same row when the columns are laid out again
            self._serial += 1
            key = f"~{self._serial}"
        row_key = super().add_row(*self._shown_cells(kept), height=height, key=key, label=label)
        self._cells[row_key] = kept
        return row_key

    def fill(self, rows: Iterable[tuple[str, list]]) -> None:
        if not self._layout:
            self._refit()
        kept = [(key, self._keep(cells)) for key, cells in rows]
        super().fill((key, self._shown_cells(cells)) for key, cells in kept)
        self._cells = {RowKey(key): cells for key, cells in kept}

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any, *,
                    update_width: bool = False) -> None:
        row = row_key if isinstance(row_key, RowKey) else RowKey(row_key)
        name = column_key.value if isinstance(column_key, ColumnKey) else column_key
        value = cut(value)
        if row in self._cells:
            self._cells[row][str(name)] = value
        if ColumnKey(str(name)) in self.columns:
            super().update_cell(row, str(name), value, update_width=update_width)

    def clear(self, columns: bool = False):
        self._cells = {}
        return super().clear(columns=False)
