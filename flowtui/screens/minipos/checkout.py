"""The MiniPOS checkout: scan or search, a cart, pay, and the receipt on screen (keyboard only, 80x24).

Type a SKU, a barcode or part of a name: matches show at once; enter adds the exact SKU or barcode
(what a scanner sends), or the highlighted match. ``3*KOPI`` adds three. Tab moves to the cart, where
+ / - / q / d / x change the highlighted line (+ and - also work from an empty search). The cart is
priced by :func:`flowtui.engine.minipos.checkout.bill`; paying, returns, voids and the day go through the
:class:`~flowtui.engine.services.till.Till`, each in a worker.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.input import Selection
from textual.widgets.option_list import Option

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.core.formats import plain
from flowtui.engine.minipos.checkout import Cart, Item, bill, cash_round, find, search
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import literal
from flowtui.screens.common.modals import ConfirmModal, PromptModal
from flowtui.screens.minipos.cart_widgets import CartTable, SearchInput, split_quantity
from flowtui.screens.minipos.till_actions import TillActions
from flowtui.screens.minipos.till_modals import (
    money,
    right,
)


class CheckoutScreen(TillActions, FlowScreen):
    TITLE = "Till"
    FOOTER_KEYS = ("till.pay", "till.void", "till.day")  # shown however narrow
    BINDINGS = [
        Binding("f5", "pay", "Pay", id="till.pay"),
        Binding("f6", "order_discount", "Order disc", id="till.order_discount"),
        Binding("f7", "return_order", "Return", id="till.return"),
        Binding("f8", "void_last", "Void", id="till.void"),
        Binding("f9", "day", "Day", id="till.day"),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("escape", "back", "Back", id="till.back"),
    ]

    def __init__(self, stream: str) -> None:
        super().__init__()
        self.stream_name = stream
        self.till = None
        self.catalog: list[Item] = []
        self.methods: list[str] = []
        self.cart = Cart()
        self.matches: list[Item] = []
        self._picked = False  # the highlight in the matches was moved by hand
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchInput(placeholder="Scan or type a SKU, barcode or name (3*SKU adds three)", id="search")
        yield OptionList(id="matches")
        yield CartTable(id="cart", cursor_type="row", zebra_stripes=True)
        yield Static("", id="totals", markup=False)
        yield Static("", id="till-status", classes="status-line", markup=False)
        yield SteadyFooter(compact=True, show_command_palette=False)  # every key fits at 80 columns; ctrl+p still works

    def on_mount(self) -> None:
        matches = self.query_one("#matches", OptionList)
        matches.can_focus = False
        matches.display = False
        table = self.query_one(CartTable)
        table.add_column("SKU", key="sku", width=10)
        table.add_column("Name", key="name", width=22)
        for key, label, width in (("qty", "Qty", 6), ("price", "Price", 8), ("disc", "Disc.", 6), ("amount", "Amount", 9)):
            table.add_column(right(label), key=key, width=width)
        self.query_one("#search", Input).focus()
        self._show_cart()
        self._say("Opening the till...")
        self.run_engine(self._open, self._opened, name="till-open")

    def _open(self):
        till = self.flow.till(self.stream_name)
        return till, till.catalog(), till.payment_methods(), till.today()

    def _opened(self, loaded) -> None:
        self.till, self.catalog, self.methods, today = loaded
        self.sub_title = f"{self.till.name} at {self.till.location} · {today:%a %d %b %Y}"
        self._say(f"{len(self.catalog)} products · scan or type to add · tab: the cart (+ - q d x) · f5 pays"
                  if self.catalog else "No products yet: add some with `flowtui product add` or `products import`.")

    # -- search ------------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search":
            return
        _, code = split_quantity(event.value)
        matches = self.query_one("#matches", OptionList)
        self.matches = search(self.catalog, code, limit=20) if code else []
        self._picked = False
        matches.clear_options()
        matches.add_options([Option(Text.assemble((f"{i.sku:<10} ", "bold"), f"{i.name[:40]:<40} ",
                                                  f"{money(i.unit_price):>9}"))
                             for i in self.matches])
        matches.display = bool(code)
        if self.matches:
            matches.highlighted = 0
        elif code:
            matches.add_option(Option(literal(f"No product matches {code!r}"), disabled=True))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        text = event.value.strip()
        if not text:
            if not self.cart.empty:
                self.action_pay()
            return
        quantity, code = split_quantity(text)
        item = None
        highlighted = self.query_one("#matches", OptionList).highlighted
        if self._picked and highlighted is not None and highlighted < len(self.matches):
            item = self.matches[highlighted]
        else:
            try:
                item = find(self.catalog, code)
            except InvalidInput as exc:
                if not self.matches:
                    self._say(str(exc), bad=True)
                    self._retype(event.input, text)
                    return
                item = self.matches[highlighted or 0]
        self._add(item, quantity, text)

    @staticmethod
    def _retype(field: Input, text: str) -> None:
        """Put back what did not match, selected, so typing (or the next scan) replaces it."""
        if not field.value:
            field.value = text
            field.selection = Selection(0, len(text))

    def _add(self, item: Item, quantity: Decimal, typed: str) -> None:
        try:
            self.cart = self.cart.add(item, quantity)
        except InvalidInput as exc:
            self._say(str(exc), bad=True)
            self._retype(self.query_one("#search", Input), typed)
            return
        self._show_cart(select=item.sku)
        self._say(f"Added {plain(quantity)} x {item.name} ({item.sku})")

    def _clear_search(self) -> None:
        self.query_one("#search", Input).value = ""
        self.matches = []
        self.query_one("#matches", OptionList).display = False

    def back_to_search(self, character: str = "") -> None:
        search_input = self.query_one("#search", Input)
        search_input.focus()
        if character:
            search_input.insert_text_at_cursor(character)

    def action_move(self, step: int) -> None:
        matches = self.query_one("#matches", OptionList)
        if matches.display and self.matches:
            matches.action_cursor_down() if step > 0 else matches.action_cursor_up()
            self._picked = True
            return
        table = self.query_one(CartTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    # -- the cart -----------------------------------------------------------------------------------
    def _show_cart(self, select: str | None = None) -> None:
        table = self.query_one(CartTable)
        row = table.cursor_row
        table.clear()
        for line in self.cart.lines:
            table.add_row(line.item.sku, line.item.name[:22], right(plain(line.quantity)),
                          right(money(line.item.unit_price)), right(money(line.discount) if line.discount else ""),
                          right(money(line.amount)), key=line.item.sku)
        if select is not None:
            row = next(i for i, line in enumerate(self.cart.lines) if line.item.sku == select)
        if table.row_count:
            table.move_cursor(row=max(0, min(row, table.row_count - 1)))
        self._show_totals()

    def _show_totals(self) -> None:
        b = bill(self.cart)
        count = sum((line.quantity for line in self.cart.lines), Decimal(0))
        first = f"{plain(count)} item(s) · subtotal {money(b.subtotal)}"
        if b.discount:
            first += f" · order discount -{money(b.discount)}"
        first += f" · tax {money(b.tax)}"
        cash = cash_round(b.total)
        second = Text.assemble(("TOTAL ", "bold"), (money(b.total), "bold"),
                               f"   in cash {money(cash)}" if cash != b.total else "")
        self.query_one("#totals", Static).update(Text.assemble(first, "\n", second))

    def _line_index(self) -> int | None:
        table = self.query_one(CartTable)
        if self.cart.empty:
            self._say("The cart is empty.", bad=True)
            return None
        return max(0, min(table.cursor_row, len(self.cart.lines) - 1))

    def _change(self, change, message: str) -> None:
        try:
            self.cart = change()
        except InvalidInput as exc:
            self._say(str(exc), bad=True)
            return
        self._show_cart()
        self._say(message)

    def action_step(self, step: int) -> None:
        if (i := self._line_index()) is None:
            return
        line = self.cart.lines[i]
        quantity = line.quantity + step
        if quantity <= 0:
            self._change(lambda: self.cart.remove(i), f"Removed {line.item.name}")
        else:
            self._change(lambda: self.cart.set_quantity(i, quantity), f"{line.item.name}: {plain(quantity)}")

    def action_set_quantity(self) -> None:
        if (i := self._line_index()) is None:
            return
        line = self.cart.lines[i]

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                quantity = Decimal(text.strip())
            except InvalidOperation:
                self._say(f"{text!r} is not a quantity.", bad=True)
                return
            self._change(lambda: self.cart.set_quantity(i, quantity), f"{line.item.name}: {plain(quantity)}")

        self.app.push_screen(PromptModal(f"Quantity of {line.item.name}", value=plain(line.quantity)), done)

    def action_line_discount(self) -> None:
        if (i := self._line_index()) is None:
            return
        line = self.cart.lines[i]

        def done(text: str | None) -> None:
            if text is not None:
                self._change(lambda: self.cart.set_line_discount(i, text or "0"),
                             f"{line.item.name}: discount {text or '0'}")

        self.app.push_screen(PromptModal(f"Discount on {line.item.name} ({money(line.gross)}): 1.50 or 10%",
                                         placeholder="1.50 or 10%", value=str(line.discount) if line.discount else ""),
                             done)

    def action_order_discount(self) -> None:
        if self.cart.empty:
            self._say("The cart is empty.", bad=True)
            return

        def done(text: str | None) -> None:
            if text is not None:
                self._change(lambda: self.cart.set_discount(text or "0"), f"Order discount {text or '0'}")

        self.app.push_screen(PromptModal("Order discount: an amount like 2.00 or a percentage like 10% (0 removes it)",
                                         placeholder="2.00 or 10%",
                                         value=str(self.cart.discount) if self.cart.discount else ""), done)

    def action_remove(self) -> None:
        if (i := self._line_index()) is None:
            return
        name = self.cart.lines[i].item.name
        self._change(lambda: self.cart.remove(i), f"Removed {name}")

    # -- the day, leaving ----------------------------------------------------------------------------
    def action_day(self) -> None:
        self.app.push_screen(self.flowapp.make_screen("till-day", stream=self.stream_name))

    def action_back(self) -> None:
        if self.query_one("#search", Input).value:
            self._clear_search()
            return
        if self.focused is not self.query_one("#search", Input):
            self.back_to_search()
            return
        if self.cart.empty:
            self.app.pop_screen()
            return

        def leave(yes: bool | None) -> None:
            if yes:
                self.app.pop_screen()

        self.app.push_screen(ConfirmModal("Leave the till?", "The open cart is dropped (nothing was sold).",
                                          yes="Leave"), leave)

    def _say(self, text: str, bad: bool = False) -> None:
        status = self.query_one("#till-status", Static)
        status.update(text)
        status.set_class(bad, "-bad")
