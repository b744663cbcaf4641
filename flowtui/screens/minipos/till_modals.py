"""The till's dialogs: pay, the receipt, a return, closing the day, and what a close did.

Each returns a typed value (the tenders, a :class:`ReturnRequest`, a :class:`CloseRequest`); the screen
that opened it asks the :class:`~flowtui.engine.services.till.Till` to do the work. The live previews (change
due, refund, over or short) come from the engine's pure checkout functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static
from textual.widgets.input import Selection

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.core.formats import money, plain
from flowtui.engine.minipos.checkout import Bill, SoldLine, Tender, cash_round, is_cash, return_bill, settle
from flowtui.screens.common.keys import NoQuestionMarkInput
from flowtui.screens.common.literal import LiteralTable
from flowtui.screens.common.modals import MessageModal, PromptModal

AMOUNT = r"[0-9]*\.?[0-9]{0,2}"


def right(text: str) -> Text:
    return Text(text, justify="right")


def amount_of(text: str, what: str) -> Decimal | None:
    """A typed amount, ``None`` when blank; a clear error when it is not a number."""
    text = text.strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what}: {text!r} is not an amount.") from None


# -- paying --------------------------------------------------------------------------------------------


class PaymentModal(ModalScreen[list[Tender] | None]):
    """One amount per payment method; enter on an empty one pays what is left, enter again confirms."""

    BINDINGS = [
        Binding("f5,ctrl+s", "confirm", "Confirm", id="till.pay.confirm"),
        Binding("up", "app.focus_previous", "Previous", show=False),
        Binding("down", "app.focus_next", "Next", show=False),
        Binding("escape", "cancel", "Cancel", id="till.pay.cancel"),
    ]

    def __init__(self, the_bill: Bill, methods: list[str]) -> None:
        super().__init__(classes="modal till-pay")
        self.bill, self.methods = the_bill, methods or ["Cash"]
        self.ok: list[Tender] | None = None

    def compose(self) -> ComposeResult:
        due, cash = self.bill.total, cash_round(self.bill.total)
        with Vertical(id="dialog"):
            yield Label(f"Pay {money(due)}", id="dialog-title", markup=False)
            yield Static(f"Total {money(due)}" + (f" · all in cash {money(cash)}" if cash != due else ""),
                         id="pay-due", markup=False)
            with Vertical(id="tenders"):
                for i, method in enumerate(self.methods):
                    with Horizontal(classes="tender-row"):
                        yield Label(method, markup=False)
                        yield NoQuestionMarkInput(placeholder="0.00", restrict=AMOUNT, compact=True, id=f"pay-{i}")
            yield Static("", id="pay-summary", markup=False)
            yield Static("enter on an empty amount pays the rest; enter (or f5) confirms · ↑↓ methods · "
                         "esc cancels", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#pay-0", Input).focus()
        self._refresh()

    def _inputs(self) -> list[tuple[str, Input]]:
        return [(method, self.query_one(f"#pay-{i}", Input)) for i, method in enumerate(self.methods)]

    def tenders(self, leave_out: Input | None = None) -> list[Tender]:
        out = []
        for method, field in self._inputs():
            if field is not leave_out and (amount := amount_of(field.value, method)) is not None:
                out.append(Tender(method, amount))
        return out

    def _refresh(self) -> None:
        summary = self.query_one("#pay-summary", Static)
        self.ok = None
        try:
            tenders = self.tenders()
            if not tenders and self.bill.total:
                raise InvalidInput(f"{money(self.bill.total)} to pay: type an amount, or enter pays it all.")
            s = settle(self.bill.total, tenders)
        except InvalidInput as exc:
            summary.update(str(exc))
            summary.set_class(True, "-bad")
            return
        self.ok = tenders
        parts = [", ".join(f"{m} {money(a)}" for m, a in s.payments) or "nothing to pay"]
        if s.rounding:
            parts.append(f"rounding {money(s.rounding, signed=True)}")
        if s.cash_tendered:
            parts.append(f"cash given {money(s.cash_tendered)}")
        change = f"CHANGE {money(s.change)}" if s.change else "No change due"
        summary.update(Text.assemble(" · ".join(parts), "\n", (change, "bold")))
        summary.set_class(False, "-bad")

    def on_input_changed(self, _: Input.Changed) -> None:
        self._refresh()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self._pay_rest(event.input)
        else:
            self.action_confirm()

    def _pay_rest(self, field: Input) -> None:
        method = next(m for m, f in self._inputs() if f is field)
        try:
            s = settle(self.bill.total, [*self.tenders(leave_out=field), Tender(method)])
        except InvalidInput as exc:
            self.query_one("#pay-summary", Static).update(str(exc))
            return
        rest = s.cash_tendered if is_cash(method) else dict(s.payments).get(method.strip(), Decimal(0))
        if rest:
            field.value = str(rest)
            field.selection = Selection(0, len(field.value))  # typing the cash handed over replaces it
        else:
            self.action_confirm()

    def action_confirm(self) -> None:
        self._refresh()
        if self.ok is not None:
            self.dismiss(self.ok)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReceiptModal(ModalScreen[None]):
    """The receipt of what was just rung up (nothing is printed); enter or escape starts the next sale."""

    BINDINGS = [Binding("escape,enter,space", "close", "Next sale", id="till.receipt.close")]

    def __init__(self, heading: str, lines: list[str], note: str = "") -> None:
        super().__init__(classes="modal till-receipt")
        self.heading, self.lines, self.note = heading, lines, note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.heading, id="dialog-title", markup=False)
            with VerticalScroll(id="receipt-scroll"):
                yield Static("\n".join(self.lines), id="receipt", markup=False)
            if self.note:
                yield Static(self.note, id="receipt-note", markup=False)
            yield Static("enter: next sale", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#receipt-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)


class InfoModal(MessageModal[None]):
    """A plain report of something done (a close, a void); any of escape/enter closes it."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="till.info.close")]

    def buttons(self) -> Iterable[Widget]:
        yield Static("enter closes", classes="hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


# -- returns -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRequest:
    number: str
    wanted: dict[str, Decimal]
    method: str


class ReturnModal(ModalScreen[ReturnRequest | None]):
    """Lines of an earlier sale: + / - / q choose how many come back, m picks the refund method."""

    BINDINGS = [
        Binding("plus,equals_sign", "step(1)", "+1", id="till.return.more"),
        Binding("minus", "step(-1)", "-1", id="till.return.less"),
        Binding("q", "set_quantity", "Qty", id="till.return.quantity"),
        Binding("a", "everything", "All", id="till.return.all"),
        Binding("m", "next_method", "Method", id="till.return.method"),
        Binding("enter,f5", "confirm", "Refund", id="till.return.confirm", priority=True),
        Binding("escape", "cancel", "Cancel", id="till.return.cancel"),
    ]

    def __init__(self, number: str, sold_at: str, sold: list[SoldLine], methods: list[str]) -> None:
        super().__init__(classes="modal till-return")
        self.number, self.sold_at = number, sold_at
        self.sold = [line for line in sold if line.returnable > 0]
        self.methods = methods or ["Cash"]
        self.method = next((m for m in self.methods if is_cash(m)), self.methods[0])
        self.wanted: dict[str, Decimal] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Return against order {self.number} ({self.sold_at})", id="dialog-title", markup=False)
            table = LiteralTable(id="return-lines", cursor_type="row", zebra_stripes=True)
            table.add_column("SKU", key="sku")
            table.add_column("Name", key="name")
            for key, label in (("sold", "Sold"), ("left", "Left"), ("back", "Return")):
                table.add_column(right(label), key=key)
            yield table
            yield Static("", id="return-summary", markup=False)
            yield Static("+ / - / q how many · a all · m method · enter refunds · esc cancels", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for line in self.sold:
            table.add_row(line.sku, line.name[:24], right(plain(line.quantity)), right(plain(line.returnable)),
                          right("0"), key=line.sku)
        table.focus()
        self._refresh()

    def _current(self) -> SoldLine | None:
        table = self.query_one(DataTable)
        return self.sold[table.cursor_row] if self.sold and 0 <= table.cursor_row < len(self.sold) else None

    def _choose(self, line: SoldLine, quantity: Decimal) -> None:
        quantity = max(Decimal(0), min(quantity, line.returnable))
        if quantity:
            self.wanted[line.sku] = quantity
        else:
            self.wanted.pop(line.sku, None)
        self.query_one(DataTable).update_cell(line.sku, "back", right(plain(quantity)))
        self._refresh()

    def action_step(self, step: int) -> None:
        if line := self._current():
            self._choose(line, self.wanted.get(line.sku, Decimal(0)) + step)

    def action_set_quantity(self) -> None:
        line = self._current()
        if line is None:
            return

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                quantity = Decimal(text.strip() or "0")
            except InvalidOperation:
                self.notify(f"{text!r} is not a quantity.", severity="warning")
                return
            self._choose(line, quantity)

        self.app.push_screen(PromptModal(f"How many {line.name} come back (up to {plain(line.returnable)})?",
                                         value=plain(self.wanted.get(line.sku, line.returnable))), done)

    def action_everything(self) -> None:
        for line in self.sold:
            self._choose(line, line.returnable)

    def action_next_method(self) -> None:
        self.method = self.methods[(self.methods.index(self.method) + 1) % len(self.methods)]
        self._refresh()

    def _refresh(self) -> None:
        summary = self.query_one("#return-summary", Static)
        if not self.wanted:
            summary.update(f"Nothing chosen yet · refund by {self.method}")
            return
        try:
            s = settle(return_bill(self.sold, self.wanted).total, [Tender(self.method)])
        except InvalidInput as exc:
            summary.update(f"{exc} · refund by {self.method}")
            return
        text = f"Refund {money(s.total)} by {self.method}"
        if s.rounding:
            text += f" (rounded {money(s.rounding, signed=True)})"
        summary.update(text)

    def action_confirm(self) -> None:
        if not self.wanted:
            self.notify("Choose what comes back first (+ or a).", severity="warning")
            return
        self.dismiss(ReturnRequest(self.number, dict(self.wanted), self.method))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- closing the day -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseRequest:
    opening_float: str
    counted: str


class CloseDayModal(ModalScreen[CloseRequest | None]):
    """The float the day began with and the cash counted now; shows the expected cash and over or short."""

    BINDINGS = [
        Binding("ctrl+s,f5", "confirm", "Close day", id="till.close.confirm"),
        Binding("up", "app.focus_previous", "Previous", show=False),
        Binding("down", "app.focus_next", "Next", show=False),
        Binding("escape", "cancel", "Cancel", id="till.close.cancel"),
    ]

    def __init__(self, title: str, net_cash: Decimal, opening_float: Decimal, counted: Decimal | None) -> None:
        super().__init__(classes="modal till-close")
        self.title_text, self.net_cash = title, net_cash
        self.opening_float, self.counted = opening_float, counted

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            with Horizontal(classes="tender-row"):
                yield Label("Opening float", markup=False)
                yield NoQuestionMarkInput(str(self.opening_float) if self.opening_float else "", placeholder="0.00",
                                          restrict=AMOUNT, compact=True, id="float")
            with Horizontal(classes="tender-row"):
                yield Label("Counted cash", markup=False)
                yield NoQuestionMarkInput("" if self.counted is None else str(self.counted),
                                          placeholder="count the drawer", restrict=AMOUNT, compact=True, id="counted")
            yield Static("", id="close-summary", markup=False)
            yield Static("enter on counted cash (or ctrl+s) closes the day · esc cancels", classes="hint",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one("#counted" if self.opening_float else "#float", Input).focus()
        self._refresh()

    def _refresh(self) -> None:
        summary = self.query_one("#close-summary", Static)
        try:
            opening = amount_of(self.query_one("#float", Input).value, "Opening float") or Decimal(0)
            counted = amount_of(self.query_one("#counted", Input).value, "Counted cash")
        except InvalidInput as exc:
            summary.update(str(exc))
            return
        expected = opening + self.net_cash
        lines = [f"Expected cash in the drawer {money(expected)} (float {money(opening)} + cash {money(self.net_cash)})"]
        if counted is not None:
            diff = counted - expected
            lines.append(f"Counted {money(counted)}: " + ("exact." if not diff else
                                                          f"{'over' if diff > 0 else 'short'} by {money(abs(diff))}."))
        summary.update("\n".join(lines))

    def on_input_changed(self, _: Input.Changed) -> None:
        self._refresh()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "float":
            self.query_one("#counted", Input).focus()
        else:
            self.action_confirm()

    def action_confirm(self) -> None:
        self.dismiss(CloseRequest(self.query_one("#float", Input).value.strip(),
                                  self.query_one("#counted", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)
