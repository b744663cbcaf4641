"""The till's writes from the checkout: paying, returns and voids, each through the
:class:`~flowtui.engine.services.till.Till` in a worker, one at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from flowtui.engine.core.statuses import OrderStatus
from flowtui.engine.minipos.checkout import Cart, bill
from flowtui.screens.common.modals import ConfirmModal, PromptModal
from flowtui.screens.minipos.till_modals import (
    PaymentModal,
    ReceiptModal,
    ReturnModal,
    ReturnRequest,
    money,
)

if TYPE_CHECKING:
    from flowtui.engine.services.till import Till
    from flowtui.screens.common.base import FlowScreen as _Screen
else:
    _Screen = object  # mixed in before FlowScreen: at run time the screen's own methods are found through it


class TillActions(_Screen):
    """Paying, returns and voids for :class:`~flowtui.screens.minipos.checkout.CheckoutScreen` (mixed in)."""

    till: Till | None
    cart: Cart
    methods: list[str]
    _busy: bool

    if TYPE_CHECKING:  # the checkout screen's own, called from here
        def _say(self, text: str, bad: bool = False) -> None: ...
        def back_to_search(self, character: str = "") -> None: ...
        def _show_cart(self, select: str | None = None) -> None: ...

    @property
    def open_till(self) -> Till:
        """The till, once opened: every action asks :meth:`_till_ready` before it gets here."""
        assert self.till is not None, "the till is opened before any of its actions"
        return self.till

    # -- paying -------------------------------------------------------------------------------------
    def _till_ready(self) -> bool:
        if self.till is None or self._busy:
            self._say("One moment: the till is busy.", bad=True)
            return False
        return True

    def action_pay(self) -> None:
        if not self._till_ready():
            return
        if self.cart.empty:
            self._say("The cart is empty: scan or type a product first.", bad=True)
            return
        cart = self.cart

        def paid(tenders) -> None:
            if tenders is None:
                self.back_to_search()
                return
            self._busy = True
            self._say("Saving the sale...")
            till = self.open_till
            self.run_engine(lambda: self._receipt(till.ring_up(cart, tenders, follow=False)), self._rung,
                            name="till-write")

        self.app.push_screen(PaymentModal(bill(cart), self.methods), paid)

    def _receipt(self, rung):
        return rung, self.open_till.receipt(rung)

    def _rung(self, result) -> None:
        rung, lines = result
        self._busy = False
        # saved: the day's digest catches up once the receipt is drawn (a write after it waits its turn)
        till = self.open_till
        self.call_after_refresh(lambda: self.run_engine(till.catch_up, name="till-digest", exclusive=False))
        s = rung.settlement
        if rung.kind == "sale":
            self.cart = Cart()
            self._show_cart()
            heading = f"Sale {rung.number} saved"
            note = f"CHANGE {money(s.change)}" if s.change else f"Paid {money(s.total)}"
        else:
            heading = f"Refund {rung.number} saved (returns {rung.original})"
            note = "Give back " + ", ".join(f"{m} {money(a)}" for m, a in s.payments)
        self._say(f"{heading} · {note}")
        self.app.push_screen(ReceiptModal(heading, lines, note), lambda _: self.back_to_search())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed write unlocks the till again (FlowScreen shows the error itself)."""
        if event.worker.group == "till-write" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._busy = False
            self._say("Not saved (see the message).", bad=True)

    # -- returns and voids ---------------------------------------------------------------------------
    def action_return_order(self) -> None:
        if not self._till_ready():
            return

        def number_given(number: str | None) -> None:
            if number and number.strip():
                till = self.open_till
                self.run_engine(lambda: till.returnable(number), self._choose_return, name="till-read")

        self.app.push_screen(PromptModal("Return against which order number?", placeholder="e.g. 12 or 000012"),
                             number_given)

    def _choose_return(self, found) -> None:
        sale, sold = found
        if not any(line.returnable > 0 for line in sold):
            self._say(f"Everything on order {sale.number} has already been returned.", bad=True)
            return
        when = f"{sale.business_date}, {money(sale.total)}"
        self.app.push_screen(ReturnModal(sale.number, when, sold, self.methods), self._refund)

    def _refund(self, request: ReturnRequest | None) -> None:
        if request is None:
            self.back_to_search()
            return
        self._busy = True
        self._say("Saving the return...")
        till = self.open_till
        self.run_engine(lambda: self._receipt(till.refund(request.number, request.wanted, request.method, follow=False)),
                        self._rung, name="till-write")

    def action_void_last(self) -> None:
        if not self._till_ready():
            return
        till = self.open_till
        self.run_engine(lambda: till.day().orders, self._confirm_void, name="till-read")

    def _confirm_void(self, orders) -> None:
        last = max(orders, key=lambda o: o.number, default=None)
        if last is not None and last.status == OrderStatus.VOIDED:  # (only the last order can be voided)
            self._say(f"Order {last.number} is already voided: there is nothing to void.", bad=True)
            self.back_to_search()
            return
        if last is not None and last.status == "completed":
            paid = ", ".join(f"{m} {money(a)}" for m, a in last.payments) or "nothing paid"
            message = (f"Void order {last.number}, a {last.kind} of {money(last.total)} ({paid})? It stays on record "
                       "as voided and leaves the day's takings.")
        else:
            message = "Void the last order rung up at this till? It stays on record as voided."

        def answer(yes: bool | None) -> None:
            if yes:
                till = self.open_till
                self.run_engine(till.void_last, self._voided, name="till-write")
            else:
                self.back_to_search()

        self.app.push_screen(ConfirmModal("Void the last order", message, yes="Void"), answer)

    def _voided(self, order) -> None:
        self._say(f"Voided order {order.number} ({order.kind}, {money(order.total)}).")
        self.notify(f"Voided order {order.number}.")
