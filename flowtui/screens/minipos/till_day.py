"""A MiniPOS day: its orders, the takings by payment method, the cash expected in the drawer, and the close.

``c`` closes the day through :meth:`flowtui.engine.services.till.Till.close`, which records the float and the
count, then builds the day's digest (and posts it when the stream's auto invoice is on).
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Static

from flowtui.engine.minipos.sales import Day
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import LiteralTable
from flowtui.screens.minipos.till_modals import CloseDayModal, CloseRequest, InfoModal, money, right


def close_report(closed) -> str:
    """What a close did, in words: the cash, then the digest and any invoice posted."""
    d, outcome = closed.day, closed.outcome
    lines = [f"{d.stream} at {d.location}, {d.business_date:%a %d %b %Y}: {len(d.orders)} order(s), "
             f"sales {money(d.sales)}, refunds {money(d.refunds)}.",
             f"Expected cash {money(d.expected_cash)} (float {money(d.opening_float)} + cash {money(d.net_cash)})."]
    if d.over_short is not None:
        lines.append(f"Counted {money(d.counted_cash)}: " + ("exact." if not d.over_short else
                     f"{'over' if d.over_short > 0 else 'short'} by {money(abs(d.over_short))}."))
    posted_cash = closed.closes[-1]["posted"] if closed.closes else 0
    if posted_cash:
        lines.append(f"Cash {'over' if posted_cash > 0 else 'short'} {money(abs(posted_cash))} posted to cash over/short"
                     + (" (the change since the last close)." if len(closed.closes) > 1 else "."))
    if outcome.failed:
        lines.append(f"The day is closed but its digest was not built: {outcome.error}")
        return "\n".join(lines)
    posted = closed.documents
    before = [number for p in closed.postings if p.status not in ("posted", "adjusted", "refused")
              for _kind, number in p.documents]
    refused = [reason for p in closed.postings if p.status == "refused" for reason in p.reasons]
    touched = outcome.digests.touched
    lines.append(f"Digest built ({touched} day(s) updated)." if touched else "The day's digest is up to date.")
    if posted:
        lines.append(f"Posted {', '.join(posted)}.")
    if before:
        lines.append(f"Already posted: {', '.join(before)}.")
    if refused:
        lines.append("Not posted: " + "; ".join(refused[:3]))
    if not closed.postings:
        lines.append("Nothing was posted (auto invoice is off, or nothing was ready): see Digests.")
    lines.extend(f"warning: {w}" for w in outcome.warnings[:3])
    return "\n".join(lines)


class TillDayScreen(FlowScreen):
    TITLE = "Till day"
    FOOTER_KEYS = ("till.day.close", "till.day.previous", "till.day.next")  # shown however narrow
    BINDINGS = [
        Binding("c", "close_day", "Close day", id="till.day.close"),
        Binding("left_square_bracket,p", "shift(-1)", "Prev day", id="till.day.previous"),
        Binding("right_square_bracket,n", "shift(1)", "Next day", id="till.day.next"),
        Binding("r", "refresh", "Refresh", id="till.day.refresh", show=False),
        Binding("escape,q", "back", "Back", id="till.day.back"),
    ]

    def __init__(self, stream: str, business_date: date | None = None) -> None:
        super().__init__()
        self.stream_name, self.business_date = stream, business_date
        self.day: Day | None = None
        self.timezone = "UTC"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="day-summary", classes="status-line", markup=False)
        with Horizontal(id="day-columns"):
            yield LiteralTable(id="day-orders", cursor_type="row", zebra_stripes=True)
            with Vertical(id="day-takings"):
                yield LiteralTable(id="day-methods", cursor_type="none", zebra_stripes=True)
                yield Static("", id="day-cash", markup=False)
        yield Static("", id="day-order", classes="status-line", markup=False)
        yield SteadyFooter()

    def on_mount(self) -> None:
        orders = self.query_one("#day-orders", DataTable)
        orders.add_column("No.", key="number")
        orders.add_column("Time", key="time")
        orders.add_column("Type", key="type")
        orders.add_column("Status", key="status")
        orders.add_column(right("Total"), key="total")
        methods = self.query_one("#day-methods", DataTable)
        methods.add_column("Method", key="method", width=12)
        methods.add_column(right("Net"), key="net", width=10)
        methods.can_focus = False
        orders.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        wanted = self.business_date

        def load():
            till = self.flow.till(self.stream_name)
            day = till.day(wanted)
            zone = next((place.timezone for place in self.flow.locations() if place.name == day.location), "UTC")
            return day, zone

        self.run_engine(load, self._show, name="till-day")

    def _show(self, loaded) -> None:
        d, self.timezone = loaded
        self.day = d
        self.business_date = d.business_date
        self.sub_title = f"{d.stream} at {d.location}"
        state = f"closed {d.closed_at.astimezone(ZoneInfo(self.timezone)):%H:%M}" if d.closed_at else "open"
        self.query_one("#day-summary", Static).update(
            f"{d.business_date:%a %d %b %Y} · {state} · {len(d.orders)} order(s) · sales {money(d.sales)} · "
            f"refunds {money(d.refunds)}")
        orders = self.query_one("#day-orders", DataTable)
        orders.clear()
        for o in d.orders:
            kind = o.kind + (f" of {o.original}" if o.original else "")
            orders.add_row(o.number, f"{o.at.astimezone(ZoneInfo(self.timezone)):%H:%M}", kind, o.status,
                           right(money(o.total)), key=o.number)
        methods = self.query_one("#day-methods", DataTable)
        methods.clear()
        for method, amount in d.by_method.items():
            methods.add_row(method, right(money(amount)))
        cash = [f"Expected cash {money(d.expected_cash)}", f"  float {money(d.opening_float)}",
                f"  + cash {money(d.net_cash)}"]
        if d.over_short is not None:
            cash.append(f"Counted {money(d.counted_cash)}")
            cash.append("  exact" if not d.over_short else
                        f"  {'over' if d.over_short > 0 else 'short'} {money(abs(d.over_short))}")
        self.query_one("#day-cash", Static).update("\n".join(cash))
        self._describe()

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._describe()

    def _describe(self) -> None:
        detail = self.query_one("#day-order", Static)
        table = self.query_one("#day-orders", DataTable)
        if self.day is None or not self.day.orders:
            detail.update("No orders on this day." if self.day is not None else "")
            return
        o = self.day.orders[min(table.cursor_row, len(self.day.orders) - 1)]
        items = ", ".join(f"{line['quantity'].normalize():f} {line['sku']}" for line in o.lines)
        paid = ", ".join(f"{m} {money(a)}" for m, a in o.payments)
        detail.update(f"{o.number}: {items} · {paid}")

    def action_shift(self, days: int) -> None:
        if self.business_date is not None:
            self.business_date += timedelta(days=days)
            self.action_refresh()

    def action_close_day(self) -> None:
        d = self.day
        if d is None:
            return
        title = f"Close {d.business_date:%a %d %b %Y}" + (" again" if d.closed_at else "")
        self.app.push_screen(CloseDayModal(title, d.net_cash, d.opening_float, d.counted_cash), self._close_with)

    def _close_with(self, request: CloseRequest | None) -> None:
        if request is None:
            return
        when = self.business_date
        self.notify("Closing the day...")

        def close():
            return self.flow.till(self.stream_name).close(when, request.opening_float, request.counted)

        self.run_engine(close, self._after_close, name="till-close")

    def _after_close(self, closed) -> None:
        self.action_refresh()
        self.app.push_screen(InfoModal(f"Day closed: {closed.day.business_date}", close_report(closed)))

    def action_back(self) -> None:
        self.app.pop_screen()
