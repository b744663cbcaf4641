"""Text from the books, shown as it is: never read as markup.

Names of items, stores, payment methods, locations and contacts, order and document
numbers, memos, and the messages that quote them come from POS sources and from
people, and may hold anything. Textual reads a ``str`` handed to most widgets as
content markup: ``[b]`` bolds, ``[/]`` with nothing open raises (and takes the
console down), ``[@click=app.quit]`` turns the text into an action, ``:coffee:`` in
a table cell becomes an emoji. So the console never hands a value over as a ``str``
to be parsed:

* table cells go in as :class:`rich.text.Text` — :class:`LiteralTable` (and
  :class:`~flowtui.screens.common.page_table.PageTable`) turns every ``str`` cell into one;
* ``Static`` and ``Label`` are built with ``markup=False``;
* notifications are literal (:meth:`flowtui.app.FlowApp.notify`);
* the options of lists and selects are built with :func:`literal` / :func:`choices`.

``tests/tui/test_literal_text.py`` holds the console to this.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey


def literal(value: object, style: str = "", justify: Any = None) -> Text:
    """``value`` as plain text: ``literal("MUG[red]")`` shows ``MUG[red]``; None is empty; Text stays as it is."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value), style=style, justify=justify)


def cell(value: object, one_line: bool = True) -> object:
    """A table cell: a ``str`` becomes the Text a DataTable would draw from it, less the markup; others stay."""
    if isinstance(value, str):
        return Text(value, no_wrap=one_line, end="")
    return value


def choices(names: Iterable[str]) -> list[tuple[Text, str]]:
    """Options of a ``Select`` (or rows of a ``SelectionList``) labelled with the names as they are."""
    return [(literal(name), name) for name in names]


def relabel(table: DataTable, column: str | int, label: str) -> None:
    """Give a table's column (by key, or by position) a new header, as wide as it needs: a column is as wide as
    its widest cell and its header (a header set after the column was made is not measured again)."""
    found = table.ordered_columns[column] if isinstance(column, int) else table.columns[ColumnKey(column)]
    found.label = literal(label)
    found.content_width = max(found.content_width, found.label.cell_len)
    table.refresh()


class LiteralTable(DataTable):
    """``DataTable`` whose ``str`` cells and labels are plain text (a stock DataTable parses them as markup)."""

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None,
                   default: Any = None) -> ColumnKey:
        return super().add_column(literal(label), width=width, key=key,
                                  default=None if default is None else cell(default))

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> RowKey:
        return super().add_row(*(cell(value, one_line=height == 1) for value in cells), height=height, key=key,
                               label=None if label is None else literal(label))

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any, *,
                    update_width: bool = False) -> None:
        row = self.rows.get(row_key if isinstance(row_key, RowKey) else RowKey(row_key))
        one_line = row is None or row.height == 1
        super().update_cell(row_key, column_key, cell(value, one_line), update_width=update_width)
