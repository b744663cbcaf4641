"""At 80 columns the tables keep what an operator needs: the invoice number and amount of digests, the amount of
invoice lines, the document of journal lines; names are cut with an ellipsis; ``c`` shows every column.

The café of ``conftest.posted``: two days posted, KL-202610-0001 (16.22) and KL-202610-0002 (2.80).
"""

from __future__ import annotations

import pytest

from flowtui.engine.core.names import natural_key
from flowtui.screens.common.columns import Column, FittedTable, fit
from tests.factories import order, write_ndjson
from tests.tui.waiting import settle

SIZES = [(80, 24), (120, 30)]


def shown(table) -> list[str]:
    return [str(column.key.value) for column in table.ordered_columns]


def inside(table, key: str) -> bool:
    """Whether column ``key`` is drawn whole inside the table's width (not off its right edge)."""
    right = 0
    for column in table.ordered_columns:
        right += column.get_render_width(table)
        if column.key.value == key:
            return right <= table.size.width
    return False


def line(table, y: int) -> str:
    return table.render_line(y).text


async def open_table(pilot, name: str, kwargs: dict, selector: str, keys: tuple[str, ...] = ()):
    await settle(pilot)
    pilot.app.push_screen(pilot.app.make_screen(name, **kwargs))
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    await pilot.pause()
    return pilot.app.screen.query_one(selector)


# screen, its arguments, the table, keys that show it, the columns that must show however narrow
TABLES = [
    ("digests", {}, "#digests", (), ["date", "location", "amount", "invoice"]),
    ("invoice", {"number": "KL-202610-0001"}, "#lines", (), ["description", "quantity", "amount"]),
    ("ledger", {}, "#journal", ("j",), ["date", "account", "debit", "credit", "document"]),
    ("ledger", {}, "#balance", (), ["code", "name", "debit", "credit", "balance"]),
    ("invoices", {}, "#invoices", (), ["number", "date", "location", "total"]),
    ("mappings", {"stream": "Shop files"}, "#locations-table", (), ["store", "location", "next"]),
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("name", "kwargs", "selector", "keys", "needed"), TABLES, ids=[t[2] for t in TABLES])
async def test_what_an_operator_needs_stays_inside_the_width(posted_app, size, name, kwargs, selector, keys, needed):
    async with posted_app.run_test(size=size) as pilot:
        table = await open_table(pilot, name, kwargs, selector, keys)
        assert [key for key in needed if not inside(table, key)] == [], shown(table)
        assert all(inside(table, key) for key in shown(table))  # nothing half off the edge
        if size[0] >= 120 and selector != "#journal":
            assert isinstance(table, FittedTable) and table.hidden == []  # room for everything


async def test_digests_show_the_invoice_number_at_80_columns_and_c_shows_every_column(posted_app):
    async with posted_app.run_test(size=(80, 24)) as pilot:
        table = await open_table(pilot, "digests", {}, "#digests")
        assert "KL-202610-0001" in line(table, 1) and "16.22" in line(table, 1)
        assert "created" not in shown(table)
        await pilot.press("c")
        await settle(pilot)
        assert shown(table) == [c.key for c in table.spec]  # every column, the table scrolls sideways
        await pilot.press("c")
        await settle(pilot)
        assert "created" not in shown(table) and inside(table, "invoice")


async def test_columns_follow_the_terminal_as_it_is_resized(posted_app):
    async with posted_app.run_test(size=(120, 30)) as pilot:
        table = await open_table(pilot, "invoice", {"number": "KL-202610-0001"}, "#lines")
        assert "account" in shown(table)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.pause()
        assert "account" not in shown(table) and inside(table, "amount")
        assert table.row_count == 3 and "7.00" in "".join(line(table, y) for y in range(1, 4))
        assert [str(cell) for cell in table.full_row_at(0)][-1] == "4000"  # the hidden account is still there


async def test_a_long_name_is_cut_with_an_ellipsis(posted, posted_app):
    posted.add_location("Kuala Lumpur Sentral Station Food Court")
    posted.map_location("Shop files", "KL", "Kuala Lumpur Sentral Station Food Court")
    async with posted_app.run_test(size=(80, 24)) as pilot:
        table = await open_table(pilot, "digests", {}, "#digests")
        assert "Kuala Lumpur" in line(table, 1) and "…" in line(table, 1)
        assert "Food Court" not in line(table, 1)


def test_fit_hides_the_highest_ranks_first_and_gives_the_room_left_to_names():
    columns = [Column("name", "Name", 20, least=8), Column("memo", "Memo", 20, least=8, rank=2),
               Column("code", "Code", 6, rank=1), Column("amount", "Amount", 10, right=True)]
    assert [(c.key, w) for c, w in fit(columns, 100)] == [("name", 38), ("memo", 38), ("code", 6), ("amount", 10)]
    assert [(c.key, w) for c, w in fit(columns, 40)] == [("name", 8), ("memo", 8), ("code", 6), ("amount", 10)]
    assert [(c.key, w) for c, w in fit(columns, 36)] == [("name", 14), ("code", 6), ("amount", 10)]
    assert [(c.key, w) for c, w in fit(columns, 20)] == [("name", 8), ("amount", 10)]  # never hides rank 0


# -- stores in natural order --------------------------------------------------------------------------------------
async def test_stores_are_listed_in_natural_order(shop, orders_dir):
    write_ndjson(orders_dir / "outlets.ndjson", [
        order(f"O{n}", f"Outlet {n}", "2026-10-03T03:00:00Z", [("KOPI", 1, "3.50")]) for n in (10, 2, 1)])
    shop.sync(["Shop files"])
    natural = ["KL", "Outlet 1", "Outlet 2", "Outlet 10"]
    assert [s.pos_store_id for s in shop.stream_stores("Shop files")] == natural  # `flowtui stream stores`
    assert sorted(["Outlet 10", "Outlet 2", "KL", "Outlet 1"], key=natural_key) == natural
    from flowtui.app import FlowApp

    async with FlowApp(shop, keymap={}).run_test(size=(80, 24)) as pilot:
        table = await open_table(pilot, "mappings", {"stream": "Shop files"}, "#locations-table")
        assert [str(table.get_row_at(i)[0]).removeprefix("✗ ") for i in range(table.row_count)] == natural
