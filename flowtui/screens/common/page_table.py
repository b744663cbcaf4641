"""A DataTable for pages of one-line rows in fixed-width columns, cheap to fill again and again.

The stock DataTable measures every cell of every new row (to fit auto-width
columns), re-checks its cursor for every row added, and draws each visible
cell through Rich afresh after any change. A listing that swaps 200 rows per
page paid ~57 ms for that on each page; this table draws the same in ~15:

* with every column of a fixed width, new rows cannot change the layout, so
  their cells are not measured;
* ``fill`` replaces all the rows with one round of bookkeeping, not one per row;
* a cell's drawing depends on its text, the row's style and the cursor, not on
  which row it is in (but for the row/column tag Textual puts on it for the
  mouse), so drawings are kept by content, untagged, across pages and tagged
  for the cell they are drawn in;
* a row's line is put together with the even/odd row styles worked out once,
  not twice per line.

Like :class:`~flowtui.screens.common.literal.LiteralTable`, its ``str`` cells are plain text, never markup.

These lean on DataTable internals (Textual 8); tests/tui/test_page_table.py
checks that the table draws and holds exactly what a DataTable does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import zip_longest

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.renderables.styled import Styled
from textual.strip import Strip
from textual.widgets._data_table import _EMPTY_TEXT, RowCacheKey, default_cell_formatter
from textual.widgets.data_table import DuplicateKey, Row, RowKey

from flowtui.screens.common.literal import LiteralTable, cell

CACHED_CELLS = 4096


def content_key(value: object) -> object:
    """What a cell's drawing depends on, hashable; None for a cell that is not plain text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Text):
        return (value.plain, value.style, value.justify, value.overflow, value.no_wrap, value.end,
                value.tab_size, tuple(value.spans))
    return None


class PageTable(LiteralTable):
    """``DataTable`` with fixed-width columns (``add_column(..., width=N)``) and one-line rows."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: LRUCache[tuple, list[list[Segment]]] = LRUCache(CACHED_CELLS)
        self._after_paint: list[Callable[[], object]] = []
        self._row_styles: dict[tuple, Style] = {}

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
        """Replace every row with ``rows``, each ``(key, cells)``: ``clear()`` and ``add_row`` for each, in one go.

        ``str`` cells are plain text, as ``add_row``'s are.

        ``add_row`` re-checks the cursor and asks for an idle pass for every row (~20 us each);
        this does the same bookkeeping once for the lot.
        """
        self.clear()
        keys = [column.key for column in self.ordered_columns]
        for key, cells in rows:
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(keys):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = len(self.rows)
            self._data[row_key] = dict(zip_longest(keys, map(cell, cells)))
            self.rows[row_key] = Row(row_key, 1)
            self._new_rows.add(row_key)
        if not self.rows:
            return
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if self.show_cursor and self.cursor_type != "none" and self.columns:
            self._highlight_cursor()  # a cursor appears: add_row announces it with the first row
        self._update_count += 1
        self.check_idle()

    # -- drawing (DataTable internals, checked by tests/tui/test_page_table.py) ------------------
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        fixed = not any(column.auto_width for column in self.columns.values())
        plain = all(row.label is None and not row.auto_height for key in new_rows if (row := self.rows.get(key)))
        super()._update_dimensions(() if fixed and plain else new_rows)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()
        self._row_styles.clear()

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        if row_index < self.fixed_rows or not self.zebra_stripes:  # (also the header, -1)
            return super()._get_row_style(row_index, base_style)
        key = (row_index % 2, self._pseudo_class_state)  # the even or odd rows' CSS, worked out once
        style = self._row_styles.get(key)
        if style is None:
            style = self._row_styles[key] = super()._get_row_style(row_index, base_style)
        return style

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style, cursor_location: Coordinate,
                            hover_location: Coordinate) -> tuple[list, list]:
        """DataTable's, for a data row under a row cursor with no fixed columns or row labels, less its repeats."""
        row_index = self._row_locations.get(row_key)
        if (row_index is None or self.cursor_type != "row" or self.fixed_columns
                or (self._labelled_row_exists and self.show_row_labels)):
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        show_cursor, show_hover = self.show_cursor, self._show_hover_cursor
        cache_key: RowCacheKey = (row_key, line_no, base_style, cursor_location, hover_location, "row", show_cursor, show_hover,
                     self._update_count, self._pseudo_class_state)
        if (drawn := self._row_render_cache.get(cache_key)) is not None:
            return drawn
        cursor, hover = row_index == cursor_location.row, row_index == hover_location.row
        row_style = self._get_row_style(row_index, base_style)
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        cells = [self._render_cell(row_index, column_index, row_style, width, cursor=cursor, hover=hover)[line_no]
                 for column_index, width in enumerate(widths)]
        extend, _ = self._get_styles_to_render_cell(False, False, False, hover, cursor, show_cursor, show_hover,
                                                    False, False)
        extend = row_style + extend + Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        cells.append([Segment(" " * max(0, self.size.width - sum(widths)), extend)])
        drawn = self._row_render_cache[cache_key] = ([], cells)
        return drawn

    def _draw(self, value: object, base_style: Style, width: int, cursor: bool, hover: bool,
              fixed: bool) -> list[list[Segment]]:
        """A one-line data cell as DataTable._render_cell draws it, without the row/column tag."""
        renderable = default_cell_formatter(value, wrap=False, height=1) or _EMPTY_TEXT
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, fixed, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        options = self.app.console_options.update_dimensions(width, 1).update(no_wrap=True)
        return self.app.console.render_lines(
            Styled(Padding(renderable, (0, self.cell_padding)), pre_style=base_style + component_style,
                   post_style=post_style), options)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:  # the header and row labels (index -1): as ever
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row = self.rows[row_key]
        value = self._data[row_key][column_key]
        content = content_key(value)
        if content is None or row.height != 1 or row.auto_height:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        key = (content, base_style, width, cursor, hover, fixed, self.show_cursor, self._show_hover_cursor,
               self._pseudo_class_state, self.cell_padding, self.cursor_foreground_priority,
               self.cursor_background_priority)
        drawn = self._drawn.get(key)
        if drawn is None:
            drawn = self._draw(value, base_style, width, cursor, hover, fixed)
            if any(style is not None and style.link for line in drawn for _, style, _ in line):
                return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)  # (rare)
            self._drawn[key] = drawn
        # Tag each piece with this cell's row and column, as DataTable does, for the mouse.
        tag = Style.from_meta({"row": row_index, "column": column_index})
        return [[Segment(text, style + tag if style else tag, control) for text, style, control in line]
                for line in drawn]
