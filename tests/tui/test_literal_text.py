"""Names from the books are shown as they are written, never read as markup.

Everything below comes from a source or a person: a file stream named ``MUG[red]`` (a style tag: its text
vanished), selling at POS store ``[b]bold[/b]`` mapped to the location ``Kopi [/] Susu`` (a closing tag with
nothing to close: the console raised MarkupError and died) for the contact ``[b]bold[/b]``; order
``[@click=app.quit]x`` (an action: clicking the number quit the console), 1 ``Kopi [/] Susu`` named
``MUG[red]`` at 3.50 and 2 ``MUG[red]`` named ``[b]bold[/b]`` at 4.00 = 11.50, paid by
``[@click=app.quit]pay`` into the account 1099 ``[@click=app.quit]x``. The day is posted, then a late order
paid by ``:coffee: [i]`` (an emoji code, and a tag) changes it. A MiniPOS stream ``[@click=app.quit]till``
sells the product ``[b]bold[/b]``.

Each screen that shows them must show them literally, draw no action anywhere, and leave the console running.
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, OptionList, Select, TabbedContent
from textual.widgets._toast import Toast

import flowtui
from flowtui.app import FlowApp
from flowtui.engine.minipos.checkout import Tender
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.digest_detail import DigestDetailScreen
from flowtui.screens.digests import DigestsScreen
from flowtui.screens.invoice_detail import InvoiceDetailScreen
from flowtui.screens.invoices import InvoicesScreen
from flowtui.screens.ledger import LedgerScreen
from flowtui.screens.mapping_modals import AccountModal
from flowtui.screens.mappings import MappingsScreen
from flowtui.screens.minipos.checkout import CheckoutScreen
from flowtui.screens.minipos.till_day import TillDayScreen
from flowtui.screens.order_detail import OrderModal
from tests.factories import order, write_ndjson
from tests.tui.waiting import settle

KOPI = "Kopi [/] Susu"
MUG = "MUG[red]"
CLICK = "[@click=app.quit]x"
BOLD = "[b]bold[/b]"
PAY = "[@click=app.quit]pay"
LATE_PAY = ":coffee: [i]"
TILL = "[@click=app.quit]till"
NOW = "2026-10-10T04:00:00Z"
SIZE = (160, 48)


def sale(**changes) -> dict:
    o = order(CLICK, BOLD, "2026-10-01T02:00:00Z", [(KOPI, 1, "3.50"), (MUG, 2, "4.00")], pay=[(PAY, None)],
              store_name=MUG)
    o["lines"][0]["name"], o["lines"][1]["name"] = MUG, BOLD
    o.update(changes)
    return o


@pytest.fixture
def hostile(flow, orders_dir, monkeypatch):
    """The books of the module docstring, posted and then changed by a late order."""
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    flow.init(name="Kopi & Co")
    flow.add_location(KOPI)
    flow.add_contact(BOLD)
    flow.add_account("1099", CLICK, "asset")
    flow.add_stream(MUG, "file", {"path": str(orders_dir)}, StreamSettings())
    write_ndjson(orders_dir / "a.ndjson", [sale()])
    flow.sync([MUG])
    flow.map_location(MUG, BOLD, KOPI, contact=BOLD)
    flow.map_payment(MUG, PAY, "1099")
    [outcome] = flow.post(everything=True)
    assert outcome.status == "posted"
    write_ndjson(orders_dir / "b.ndjson", [order("LATE", BOLD, "2026-10-01T05:00:00Z", [(KOPI, 1, "3.50")],
                                                 pay=[(LATE_PAY, None)])])
    flow.sync([MUG])
    flow.add_product(BOLD, BOLD, "4.00", "1.00")
    flow.add_stream(TILL, "minipos", {"location": KOPI}, StreamSettings())
    flow.map_payment(TILL, PAY, "1099")
    till = flow.till(TILL)
    till.ring_up(till.cart([(BOLD, "1")]), [Tender(PAY)])
    return flow


@pytest.fixture
def app(hostile):
    app = FlowApp(hostile, keymap={})
    app.animation_level = "none"
    return app


def screen_text(app) -> str:
    """What the terminal shows (every screen in the stack that shows through), as plain text; and no segment on
    it may carry an action (markup's ``@click`` turns into one)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    actions = [segment.text for segment in console._record_buffer
               if segment.style is not None and segment.style.meta and "@click" in segment.style.meta]
    assert not actions, f"text drawn as an action: {actions}"
    return console.export_text()


def drawn(widget) -> str:
    """What one widget draws, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def toasts(app) -> str:
    """The notifications on screen, as they read."""
    return "\n".join(str(toast.render()) for toast in app.screen.query(Toast))


async def show(pilot, screen) -> str:
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen, f"{screen!r} did not come up; the screen is {pilot.app.screen!r}"
    return screen_text(pilot.app)


def shows(text: str, *values: str) -> None:
    missing = [value for value in values if value not in text]
    assert not missing, f"not on screen as written: {missing}\n{text}"


async def test_the_home_screen_and_the_digests_show_stream_store_and_location_names_as_written(app):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen_text(app)
        shows(drawn(app.screen.query_one("#streams")), MUG, TILL)
        await pilot.press("t")  # "Testing MUG[red]..." as a notification
        await settle(pilot)
        shows(toasts(app), f"Testing {MUG}...")
        screen = DigestsScreen()
        await show(pilot, screen)
        shows(drawn(screen.query_one("#digests")), MUG, KOPI)
        shows(await show(pilot, DigestsScreen(stream=MUG)), f"filter: stream {MUG}")
        assert app.is_running


async def test_a_digest_shows_its_items_orders_payments_attention_and_changes_as_written(app, hostile):
    [row] = [r for r in hostile.digest_page(limit=10).rows if r.stream == MUG]
    async with app.run_test(size=SIZE) as pilot:
        screen = DigestDetailScreen(digest_id=row.id)
        shows(await show(pilot, screen), f"{MUG} · {KOPI} · 2026-10-01")
        shows(drawn(screen.query_one("#payments")), PAY, LATE_PAY)
        for tab, widget, values in (("items", "#item-table", [KOPI, MUG, BOLD]), ("orders", "#order-table", [CLICK]),
                                    ("attention", "#attention-text", [LATE_PAY]),
                                    ("versions", "#changes", [LATE_PAY, KOPI, "Orders added: LATE"])):
            screen.action_tab(tab)
            await settle(pilot)
            assert screen.query_one(TabbedContent).active == tab
            screen_text(app)
            shows(drawn(screen.query_one(widget)), *values)
        screen.action_tab("orders")
        await settle(pilot)
        screen.action_order()
        await settle(pilot)
        assert isinstance(app.screen, OrderModal)
        shows(screen_text(app), f"Order {CLICK}", f"store {BOLD}")
        shows(drawn(app.screen.query_one("#order-lines")), KOPI, MUG, BOLD)
        shows(drawn(app.screen.query_one("#order-payments")), PAY)
        assert app.is_running


async def test_invoices_and_an_invoice_show_contact_location_lines_and_payments_as_written(app, hostile):
    [invoice] = hostile.invoices()
    async with app.run_test(size=SIZE) as pilot:
        screen = InvoicesScreen()
        await show(pilot, screen)
        shows(drawn(screen.query_one("#invoices")), KOPI, BOLD)
        screen.query_one("#location", Select).value = KOPI  # the location filter offers the name as written
        await settle(pilot)
        shows(drawn(screen.query_one("#location #label")), KOPI)
        shows(drawn(screen.query_one("#invoices")), KOPI)
        detail = InvoiceDetailScreen(invoice.number)
        shows(await show(pilot, detail), f"To {BOLD} · {KOPI} · source: {MUG} digest")
        shows(drawn(detail.query_one("#lines")), KOPI, MUG, BOLD)
        detail.action_tab("totals")
        await settle(pilot)
        screen_text(app)
        shows(drawn(detail.query_one("#payments")), PAY)
        assert app.is_running


async def test_the_ledger_shows_account_names_as_written_in_its_rows_and_its_account_filter(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = LedgerScreen()
        await show(pilot, screen)
        shows(drawn(screen.query_one("#balance")), CLICK)
        screen.action_tab("journal")
        await settle(pilot)
        shows(drawn(screen.query_one("#journal")), CLICK)
        screen.query_one("#account", Select).value = "1099"
        await settle(pilot)
        screen_text(app)
        shows(drawn(screen.query_one("#account #label")), f"1099 {CLICK}")
        assert app.is_running


async def test_mappings_show_store_location_contact_and_payment_names_as_written(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = MappingsScreen(MUG)
        await show(pilot, screen)
        shows(drawn(screen.query_one("#locations-table")), MUG, KOPI, BOLD)
        screen.action_show_tab("payments")
        await settle(pilot)
        shows(drawn(screen.query_one("#payments-table")), PAY, CLICK, LATE_PAY)
        await pilot.press("enter")  # the account picker lists the account by its name
        await settle(pilot)
        assert isinstance(app.screen, AccountModal)
        options = app.screen.query_one(OptionList)
        lines = drawn(options).splitlines()
        [y] = [y for y, line in enumerate(lines) if f"1099  {CLICK}" in line]
        x = lines[y].index("1099") + len("1099  ") + 1  # on the "[" (as markup, the "x" of a link that quits)
        await pilot.click(options, offset=(x, y))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, MappingsScreen)  # the click picked the account


async def test_the_till_finds_sells_and_lists_a_product_whose_name_is_markup(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = CheckoutScreen(TILL)
        shows(await show(pilot, screen), f"{TILL} at {KOPI}")  # the header
        search = screen.query_one("#search", Input)
        search.value = "[b]"
        await settle(pilot)
        assert screen.query_one("#matches", OptionList).option_count == 1
        shows(drawn(screen.query_one("#matches")), BOLD)
        search.value = "[zz"
        await settle(pilot)
        shows(drawn(screen.query_one("#matches")), "No product matches '[zz'")
        search.value = ""
        screen.on_input_submitted(Input.Submitted(search, BOLD))
        await settle(pilot)
        shows(drawn(screen.query_one("#cart")), f"{BOLD}  ")
        shows(drawn(screen.query_one("#till-status")), f"Added 1 x {BOLD} ({BOLD})")
        day = TillDayScreen(TILL)
        await show(pilot, day)
        shows(drawn(day.query_one("#day-methods")), PAY[:12])  # (a column 12 wide)
        shows(drawn(day.query_one("#day-order")), f"1 {BOLD} · {PAY} 4.00")
        assert app.is_running


def test_every_text_widget_of_the_console_is_built_to_show_its_text_as_written():
    """The rule behind the tests above, for every widget the console builds (a new one cannot forget it):
    ``Static`` and ``Label`` get ``markup=False``; tables are ``LiteralTable`` (no ``DataTable`` is built or
    subclassed elsewhere); list options and selections are given Text (``literal(...)``), not a ``str``."""
    package = Path(flowtui.__file__).parent
    broken = []
    for path in [*sorted((package / "screens").glob("*.py")), package / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.ClassDef) and path.name != "literal.py":
                broken += [f"{where} subclasses DataTable" for base in node.bases
                           if isinstance(base, ast.Name) and base.id == "DataTable"]
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            if name in ("Static", "Label") and not any(
                    k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
                    for k in node.keywords):
                broken.append(f"{where} {name} without markup=False")
            if name == "DataTable":
                broken.append(f"{where} builds a DataTable")
            prompt = node.args[0] if node.args else None
            if name in ("Option", "Selection") and (isinstance(prompt, ast.JoinedStr) or (
                    isinstance(prompt, ast.Constant) and isinstance(prompt.value, str))):
                broken.append(f"{where} {name} of a str")
    assert not broken, broken
