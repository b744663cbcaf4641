"""A DataTable for pages of one-line rows in fixed-width columns, cheap to fill again and again.

The stock DataTable measures every cell of every new row (to fit auto-width
columns) and renders each visible cell through Rich afresh after any change.
A listing that swaps 200 rows per page pays ~50 ms for that on each page. This
table does the same drawing with two shortcuts, both exact:

* with every column of a fixed width, new rows cannot change the layout, so
  their cells are not measured;
* a cell's drawing depends on its text, the row's style and the cursor, not on
  which row it is in (but for the row/column tag Textual puts on it for the
  mouse), so drawings are kept by content, untagged, across pages and tagged
  for the cell they are drawn in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

CACHED_CELLS = 4096


def content_key(value: object) -> object:
    """What a cell's drawing depends on, hashable; None for a cell that is not plain text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Text):
        return (value.plain, value.style, value.justify, value.overflow, value.no_wrap, value.end,
                value.tab_size, tuple(value.spans))
    return None


class PageTable(DataTable):
    """``DataTable`` with fixed-width columns (``add_column(..., width=N)``) and one-line rows."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: LRUCache[tuple, list[list[Segment]]] = LRUCache(CACHED_CELLS)
        self._after_paint: list[Callable[[], object]] = []

    def call_after_paint(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the table has next been drawn (its rows are on screen).

        For work that would slow the drawing down if it ran first, like fetching ahead.
        """
        self._after_paint.append(callback)
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        if self._after_paint:
            callbacks, self._after_paint = self._after_paint, []
            for callback in callbacks:
                self.call_later(callback)  # after this frame is out
        return lines

    def fill(self, rows: Iterable[tuple[str, list]]) -> None:
        """Replace every row with ``rows``, each ``(key, cells)``."""
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)

    # -- the two shortcuts (Textual internals, checked by tests/tui/test_page_table.py) --------
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        fixed = not any(column.auto_width for column in self.columns.values())
        plain = all(row.label is None and not row.auto_height for key in new_rows if (row := self.rows.get(key)))
        super()._update_dimensions(() if fixed and plain else new_rows)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        if row_index < 0 or column_index < 0:  # the header and row labels: as ever
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key, column_key = self.coordinate_to_cell_key(Coordinate(row_index, column_index))
        row = self.rows[row_key]
        content = content_key(self.get_cell(row_key, column_key))
        if content is None or row.height != 1 or row.auto_height:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (content, base_style, width, cursor, hover, self.show_cursor, self._show_hover_cursor,
               self._pseudo_class_state, self.cell_padding, row_index < self.fixed_rows,
               column_index < self.fixed_columns, self.cursor_foreground_priority, self.cursor_background_priority)
        drawn = self._drawn.get(key)
        if drawn is None:
            drawn = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            if any(style is not None and style.link for line in drawn for _, style, _ in line):
                return drawn  # (a link is kept with the tag; not worth a shortcut)
            drawn = [[Segment(text, style.clear_meta_and_links() if style else None, control)
                      for text, style, control in line] for line in drawn]
            self._drawn[key] = drawn
        # Tag each piece with this cell's row and column, as DataTable does, for the mouse.
        tag = Style.from_meta({"row": row_index, "column": column_index})
        return [[Segment(text, style + tag if style else tag, control) for text, style, control in line]
                for line in drawn]
