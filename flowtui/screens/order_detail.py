"""One order of a digest in full: its lines, its payments and its totals."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from flowtui.engine.core.clock import iso_utc
from flowtui.engine.core.formats import money, price, quantity
from flowtui.engine.digests.browse import OrderDetail
from flowtui.screens.common.literal import LiteralTable


def right(text: str) -> Text:
    return Text(text, justify="right")


class OrderModal(ModalScreen[None]):
    """``OrderModal(flow.order(digest_id, order_id))``; escape closes it."""

    DEFAULT_CSS = """
    OrderModal #order-lines { max-height: 9; }
    OrderModal #order-payments { max-height: 5; margin-top: 1; }
    OrderModal .order-info { height: auto; }
    """
    BINDINGS = [Binding("escape,q", "close", "Close", id="order.close")]

    def __init__(self, order: OrderDetail) -> None:
        super().__init__(classes="modal")
        self.order = order

    def compose(self) -> ComposeResult:
        o = self.order
        with Vertical(id="dialog"):
            yield Label(f"Order {o.number} · {o.type} · {o.status}", id="dialog-title", markup=False)
            facts = [f"{iso_utc(o.time)[:16].replace('T', ' ')} UTC", f"day {o.business_date}",
                     f"store {o.pos_store_id}", f"version {o.version}"]
            if o.channel:
                facts.append(f"channel {o.channel}")
            if o.original:
                facts.append(f"returns {o.original}")
            yield Static(" · ".join(facts), classes="order-info", markup=False)
            lines = LiteralTable(id="order-lines", cursor_type="row", zebra_stripes=True)
            lines.add_column("SKU", key="sku")
            lines.add_column("Name", key="name")
            for key, label in (("quantity", "Qty"), ("unit_price", "Price"), ("discount", "Disc."), ("tax", "Tax"),
                               ("amount", "Amount")):
                lines.add_column(right(label), key=key)
            for line in o.lines:
                lines.add_row(line["sku"] or "", line["name"] or "", right(quantity(line["quantity"])),
                              right(price(line["unit_price"])), right(money(line["discount"])),
                              right(money(line["tax"])), right(money(line["amount"])))
            lines.styles.height = "auto"  # as tall as its rows (app.tcss gives tables 1fr, which beats DEFAULT_CSS)
            yield lines
            payments = LiteralTable(id="order-payments", cursor_type="row", zebra_stripes=True)
            payments.add_column("Payment", key="method")
            payments.add_column(right("Amount"), key="amount")
            for payment in o.payments:
                payments.add_row(payment["method"], right(money(payment["amount"])))
            payments.styles.height = "auto"
            yield payments
            totals = [("Subtotal", o.subtotal), ("Discount", o.discount), ("Service", o.service_charge),
                      *([("Shipping", o.shipping)] if o.shipping else []), ("Tax", o.tax),
                      *([("Tip", o.tip)] if o.tip else []), ("Rounding", o.rounding), ("Total", o.total)]
            yield Static(" · ".join(f"{label} {money(value)}" for label, value in totals), classes="order-info",
                         id="order-totals", markup=False)
            yield Static("esc closes · ↑↓ move in the lines · tab to the payments", classes="hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
