"""PageTable and SteadyFooter: the Digests screen's shortcuts draw exactly what Textual's own widgets draw.

Both lean on Textual internals (DataTable's cell drawing and measuring, Footer's
rebuild on a bindings change), so these tests pin the behaviour down against the
stock widgets: a Textual upgrade that changes those internals fails here.
"""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Label

from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import LiteralTable
from flowtui.screens.common.page_table import PageTable

COLUMNS = [("mark", "✓", 1), ("day", "Date", 10), ("where", "Where", 12), ("amount", "Amount", 10), ("note", "Note", 8)]


def page(start: int, count: int, marked: set[int] = frozenset()) -> list[tuple[str, list]]:
    """Rows with repeats (the same place or note on many rows) and unique amounts, some longer than their column."""
    places = ["KL Sentral", "Penang", "Unmapped store 42"]
    return [(str(n), ["✓" if n in marked else "", f"2026-10-{n % 28 + 1:02d}",
                      Text(places[n % 3], style="yellow" if n % 3 == 2 else ""),
                      Text(f"{n * 37.5:,.2f}", justify="right"), "ready" if n % 4 else "needs attention"])
            for n in range(start, start + count)]


class Tables(App):
    def __init__(self, table_class: type[DataTable], **options) -> None:
        super().__init__()
        self.table_class, self.options = table_class, {"cursor_type": "row", "zebra_stripes": True, **options}
        self.highlighted: list[tuple[int, str]] = []

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.highlighted.append((event.cursor_row, event.row_key.value))

    def compose(self) -> ComposeResult:
        table = self.table_class(**self.options)
        for key, label, width in COLUMNS:
            table.add_column(label, width=width, key=key)
        yield table


def fill(table: DataTable, rows) -> None:
    """PageTable.fill, or what it stands for."""
    if isinstance(table, PageTable):
        table.fill(rows)
        return
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)


async def drawings(table_class: type[DataTable], fixed_rows: int = 0, **options) -> list:
    """What the table draws (text, style with its mouse tags) and holds through pages, cursor moves and scrolls."""
    shots = []
    async with Tables(table_class, **options).run_test(size=(60, 12)) as pilot:
        table = pilot.app.query_one(table_class)

        async def shot() -> None:
            await pilot.pause()
            shots.append([[(s.text, s.style, s.control) for s in table.render_line(y)] for y in range(table.size.height)])
            shots.append((table.row_count, [table.get_row_at(i) for i in range(table.row_count)], table.cursor_coordinate,
                          table.virtual_size, list(pilot.app.highlighted)))

        fill(table, page(0, 40))
        table.fixed_rows = fixed_rows  # (only once there are rows: Textual's DataTable fails to draw fewer)
        await shot()
        await pilot.press("down", "down", "down")
        await shot()
        fill(table, page(40, 40, marked={41, 44}))  # a new page: the same places and notes, new amounts
        await shot()
        table.move_cursor(row=30)  # scrolled
        await shot()
        table.update_cell("44", "mark", "")
        await shot()
        await pilot.hover(table_class, offset=(20, 5))  # the mouse over a row
        await shot()
        fill(table, page(3, 5))  # fewer rows than fit (but more than are fixed)
        await shot()
        if not fixed_rows:
            fill(table, [])
            await shot()
        fill(table, page(9, 3))
        await shot()
        table.focus(False)
        table.blur()
        await shot()
    return shots


@pytest.mark.parametrize("options", [{}, {"fixed_rows": 2, "fixed_columns": 1}, {"cursor_type": "cell", "zebra_stripes": False}],
                         ids=["digests", "fixed", "cell-cursor"])
async def test_a_page_table_draws_what_a_data_table_draws(options):
    """And holds what a LiteralTable holds: its str cells as plain Text (the stock table keeps str, read as markup)."""
    ours = await drawings(PageTable, **options)
    assert ours == await drawings(LiteralTable, **options)
    assert ours[::2] == (await drawings(DataTable, **options))[::2]  # the drawings, not the cells held


async def test_a_page_table_does_not_measure_its_rows_but_scrolls_over_all_of_them():
    async with Tables(PageTable).run_test(size=(60, 12)) as pilot:
        table = pilot.app.query_one(PageTable)
        fill(table, page(0, 200))
        await pilot.pause()
        assert table.virtual_size.height == 201  # header + rows
        assert table.virtual_size.width == sum(width + 2 for _, _, width in COLUMNS)
        assert [c.content_width for c in table.ordered_columns] == [1, 4, 5, 6, 4]  # the labels': rows not measured


async def test_a_page_table_with_a_column_to_fit_measures_as_ever():
    class Fitted(App):
        def compose(self) -> ComposeResult:
            table = PageTable()
            table.add_column("Name", key="name")
            table.add_column("Day", width=10, key="day")
            yield table

    async with Fitted().run_test(size=(60, 12)) as pilot:
        table = pilot.app.query_one(PageTable)
        table.fill([("1", ["a rather long name", "2026-10-01"])])
        table.add_row("short", "2026-10-02", label="two")
        await pilot.pause()
        assert table.ordered_columns[0].content_width == len("a rather long name")
        assert table.virtual_size.width == len("a rather long name") + 2 + 12 + len("two") + 2


async def test_call_after_paint_waits_for_the_rows_to_be_drawn():
    log = []

    class Logged(PageTable):
        def render_lines(self, crop):
            log.append("draw")
            return super().render_lines(crop)

    async with Tables(Logged).run_test(size=(60, 12)) as pilot:
        table = pilot.app.query_one(Logged)
        await pilot.pause()
        log.clear()
        fill(table, page(0, 40))
        table.call_after_paint(lambda: log.append("after"))
        assert log == []
        await pilot.pause()
        await pilot.pause()
        assert log[0] == "draw" and log.count("after") == 1


# -- the footer ----------------------------------------------------------------------------------
class Banana(Widget, can_focus=True):
    DEFAULT_CSS = "Banana { height: 3; }"
    BINDINGS = [Binding("b", "app.bell", "Banana")]


class Cherry(Widget, can_focus=True):
    DEFAULT_CSS = "Cherry { height: 3; }"
    BINDINGS = [Binding("c", "app.bell", "Cherry")]


class Dialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        yield Label("a dialog")


class Keys(App):
    BINDINGS = [Binding("a", "bell", "Apple")]

    def __init__(self, footer_class: type[Footer]) -> None:
        super().__init__()
        self.footer_class = footer_class

    def compose(self) -> ComposeResult:
        yield Banana(id="banana")
        yield Cherry(id="cherry")
        yield self.footer_class()


def shown(footer: Footer) -> list[str]:
    return [str(key.description) for key in footer.query("FooterKey")]


async def footer_through_a_dialog(footer_class: type[Footer]) -> tuple[bool, list[str], list[str]]:
    """Whether the footer kept its keys through a dialog, and what it showed before and after a focus change."""
    async with Keys(footer_class).run_test(size=(80, 10)) as pilot:
        app = pilot.app
        app.query_one("#banana").focus()
        await pilot.pause()
        footer = app.query_one(footer_class)
        before = list(footer.children)
        with_banana = shown(footer)
        app.push_screen(Dialog())
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        kept = list(footer.children) == before and all(a is b for a, b in zip(footer.children, before))
        app.query_one("#cherry").focus()
        await pilot.pause()
        await pilot.pause()
        return kept, with_banana, shown(footer)


async def test_the_steady_footer_keeps_its_keys_through_a_dialog_and_follows_a_change():
    kept, before, after = await footer_through_a_dialog(SteadyFooter)
    assert kept
    assert "Banana" in before and "Apple" in before and "Cherry" not in before
    assert "Cherry" in after and "Banana" not in after
    stock_kept, stock_before, stock_after = await footer_through_a_dialog(Footer)
    assert not stock_kept  # what the steady footer saves: Textual's rebuilds its keys on the way back
    assert (stock_before, stock_after) == (before, after)
