"""One digest: summary, items, orders, what blocks posting, and every version with what posted it."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from flowtui.engine.core.clock import iso_utc
from flowtui.engine.core.errors import FlowError
from flowtui.engine.core.formats import money, quantity
from flowtui.engine.core.money import from_sen
from flowtui.engine.core.records import SUMMARY_LABELS, DigestDetail, shown_summary
from flowtui.engine.core.statuses import DigestStatus
from flowtui.screens.common.base import FlowScreen
from flowtui.screens.common.footer import SteadyFooter
from flowtui.screens.common.literal import LiteralTable, literal
from flowtui.screens.common.modals import ConfirmModal
from flowtui.screens.digest_dialogs import PostOutcomeModal, console_reason, shown_status, where
from flowtui.screens.order_detail import OrderModal, right

TABS = ("summary", "items", "orders", "attention", "versions")


def _stamp(value) -> str:
    return iso_utc(value)[:16].replace("T", " ") if value else ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _sen(value: int) -> str:
    return money(from_sen(value))


def _thousandths(value: int) -> str:
    return quantity(Decimal(value).scaleb(-3))


def changes_view(detail: DigestDetail) -> Group | str:
    """What changed since the day was posted: orders, then payments and items before and after."""
    changes = detail.changes
    if not changes:
        return "Nothing changed since it was posted." if detail.row.status == DigestStatus.POSTED else ""
    before, after = changes["total_before"], int(detail.row.amount * 100)
    parts: list = [Text(f"Changed since posted: the ledger holds {_sen(before)}, the day is now "
                        f"{money(detail.row.amount)} ({'+' if after >= before else ''}{_sen(after - before)}).",
                        style="bold")]
    orders = changes["orders"]
    parts.append(Text("Orders " + " · ".join(f"{label}: {', '.join(orders[key]) or '-'}" for key, label in
                                             (("added", "added"), ("voided", "voided or gone"), ("changed", "changed")))))
    if changes["payments"]:
        table = Table("Payment", "Before", "After", box=None, padding=(0, 2, 0, 0), title_justify="left")
        for p in changes["payments"]:
            table.add_row(literal(p["method"]), right(_sen(p["before"])), right(_sen(p["after"])))
        parts.append(table)
    if changes["items"]:
        table = Table("Item", "Qty before", "Qty after", "Before", "After", box=None, padding=(0, 2, 0, 0))
        for i in changes["items"]:
            table.add_row(literal(i["sku"] or "(all sales)"), right(_thousandths(i["before_quantity"])),
                          right(_thousandths(i["after_quantity"])), right(_sen(i["before_amount"])),
                          right(_sen(i["after_amount"])))
        parts.append(table)
    return Group(*parts)


class DigestDetailScreen(FlowScreen):
    """``DigestDetailScreen(digest_id=7)``: the tabs of one digest; p posts it."""

    TITLE = "Digest"
    DEFAULT_CSS = """
    DigestDetailScreen #tabs, DigestDetailScreen ContentSwitcher, DigestDetailScreen TabPane { height: 1fr; }
    DigestDetailScreen #summary-tables DataTable { width: 1fr; }
    DigestDetailScreen #summary-tables Vertical { width: 1fr; height: auto; }
    DigestDetailScreen #summary-tables { height: auto; }
    DigestDetailScreen #taxes { margin-top: 1; }
    DigestDetailScreen #version-table { max-height: 8; }
    DigestDetailScreen #changes { height: auto; padding: 1 1 0 1; }
    DigestDetailScreen #attention-text { padding: 0 1; }
    DigestDetailScreen TabPane { padding: 0; }
    """
    FOOTER_KEYS = ("digest.post", "digest.invoice")  # shown however narrow
    BINDINGS = [
        Binding("enter", "order", "Open order", id="digest.order", priority=True),  # on the Orders tab only
        Binding("p", "post", "Post", id="digest.post"),
        Binding("i", "invoice", "Invoice", id="digest.invoice"),
        Binding("m", "mappings", "Mappings", id="digest.mappings"),
        Binding("1", "tab('summary')", "Summary", id="digest.summary", show=False),
        Binding("2", "tab('items')", "Items", id="digest.items", show=False),
        Binding("3", "tab('orders')", "Orders", id="digest.orders", show=False),
        Binding("4", "tab('attention')", "Attention", id="digest.attention", show=False),
        Binding("5", "tab('versions')", "Versions", id="digest.versions", show=False),
        Binding("f5", "refresh", "Refresh", id="digest.refresh", show=False),
        Binding("escape", "back", "Back", id="digest.back"),
    ]

    def __init__(self, digest_id: int) -> None:
        super().__init__()
        self.digest_id = digest_id
        self.detail: DigestDetail | None = None
        self._failed = False  # the last load failed (its error modal is up)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="digest-title", classes="status-line", markup=False)
        with TabbedContent(id="tabs"):
            with TabPane("1 Summary", id="summary"):
                with Horizontal(id="summary-tables"):
                    yield self._table("totals", [("Figure", False), ("Amount", True)], fit=True)
                    with Vertical():
                        yield self._table("payments", [("Payment", False), ("Amount", True)], fit=True)
                        yield self._table("taxes", [("Tax code", False), ("Taxable", True), ("Tax", True)], fit=True)
            with TabPane("2 Items", id="items"):
                yield self._table("item-table", [("SKU", False), ("Name", False), ("Qty", True), ("Unit price", True),
                                                 ("Amount", True), ("Discount", True), ("Tax", True)])
            with TabPane("3 Orders", id="orders"):
                yield self._table("order-table", [("Number", False), ("Time (UTC)", False), ("Type", False),
                                                  ("Status", False), ("Total", True)])
            with TabPane("4 Attention", id="attention"):
                with VerticalScroll():
                    yield Static("", id="attention-text", markup=False)
            with TabPane("5 Versions", id="versions"):
                with VerticalScroll():
                    yield self._table("version-table", [("Ver.", True), ("Amount", True), ("Orders", True),
                                                        ("Ret.", True), ("Documents", False), ("Posted (UTC)", False),
                                                        ("Created (UTC)", False)], fit=True)
                    yield Static("", id="changes", markup=False)
        yield SteadyFooter()

    @staticmethod
    def _table(table_id: str, columns: list[tuple[str, bool]], fit: bool = False) -> DataTable:
        table = LiteralTable(id=table_id, cursor_type="row", zebra_stripes=True)
        if fit:  # as tall as its rows (app.tcss gives tables 1fr, which beats DEFAULT_CSS)
            table.styles.height = "auto"
        for label, on_right in columns:
            table.add_column(Text(label, justify="right" if on_right else "left"))
        return table

    def on_screen_resume(self) -> None:
        if not self._failed:
            self.action_refresh()
        elif self.detail is None:  # it never loaded, and its error was just closed: back to the listing
            self.app.pop_screen()
        else:  # not again on its own (f5 retries)
            self._failed = False

    def action_refresh(self) -> None:
        def load() -> DigestDetail:
            try:
                return self.flow.digest(self.digest_id)
            except Exception:
                self._failed = True
                raise

        self.run_engine(load, self._show, name="digest")

    def _show(self, d: DigestDetail) -> None:
        self.detail = d
        r = d.row
        facts = [r.stream, where(r), r.date.isoformat(), shown_status(r.status), f"version {d.version}",
                 _count(r.order_count, "order"), _count(r.return_count, "return"), f"net {money(r.amount)}"]
        if r.invoice_number:
            facts.append(r.invoice_number)
        self.query_one("#digest-title", Static).update(" · ".join(facts))
        self._fill("totals", [(SUMMARY_LABELS[key], right(money(value))) for key, value in shown_summary(d.summary)])
        self._fill("payments", [(m, right(money(a))) for m, a in d.payments]
                   + [("Total", right(money(sum((a for _, a in d.payments), Decimal(0)))))])
        self._fill("taxes", [(code or "(none)", right(money(taxable)), right(money(tax)))
                             for code, taxable, tax in d.taxes])
        self._fill("item-table", [(i.sku, i.name or "", right(quantity(i.quantity)), right(money(i.unit_price)),
                                   right(money(i.amount)), right(money(i.discount)), right(money(i.tax)))
                                  for i in d.items])
        self._fill("order-table", [(o.number, _stamp(o.time), o.type, o.status, right(money(o.total)))
                                   for o in d.orders], keys=[o.id for o in d.orders])
        self._fill("version-table", [(right(str(v["version"])), right(money(v["amount"])), right(str(v["order_count"])),
                                      right(str(v["return_count"])), ", ".join(v["documents"]),
                                      _stamp(v["posted_at"]) or "not posted", _stamp(v["created_at"]))
                                     for v in d.versions])
        self.query_one("#attention-text", Static).update(self._attention(d))
        self.query_one("#changes", Static).update(changes_view(d))
        self.refresh_bindings()  # Invoice once there is one

    def _fill(self, table_id: str, rows: list[tuple], keys: list[str] | None = None) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        cursor = table.cursor_row
        table.clear()
        for i, row in enumerate(rows):
            table.add_row(*row, key=keys[i] if keys else None)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1), animate=False)

    @staticmethod
    def _attention(d: DigestDetail) -> str:
        status = d.row.status
        if d.attention:
            lines = ["Posting is blocked until these are fixed:"] + [f"  - {console_reason(r)}" for r in d.attention]
            lines.append(f"\nPress m to open the mappings of {d.row.stream}.")
            return "\n".join(lines)
        if status == DigestStatus.OPEN:
            return "The business day is not over yet in the location's time zone; it can be posted once it is."
        if status == DigestStatus.POSTED:
            return f"Nothing: it is posted ({d.row.invoice_number})."
        if status == DigestStatus.CHANGED:
            return "Nothing blocks it: the change since it was posted can be posted (p); see Versions (5)."
        return "Nothing blocks posting: press p to post it."

    # -- keys ----------------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self._focus_tab(tab)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def _focus_tab(self, tab: str) -> None:
        pane = self.query_one(f"#{tab}", TabPane)
        focusable = [w for w in pane.query("DataTable, VerticalScroll") if w.focusable]
        if focusable:
            focusable[0].focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        if action == "order":
            return self.query_one(TabbedContent).active == "orders"
        if action == "invoice":
            return None if self.detail is None or not self.detail.row.invoice_number else True
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "order-table":
            event.stop()
            self.action_order()

    def action_order(self) -> None:
        table = self.query_one("#order-table", DataTable)
        if self.detail is None or not table.row_count:
            return
        order_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if order_id is None:
            return
        self.run_engine(lambda: self.flow.order(self.digest_id, order_id),
                        lambda order: self.app.push_screen(OrderModal(order)), name="order")

    def action_post(self) -> None:
        d = self.detail
        if d is None:
            return
        r = d.row
        message = (f"Post {r.stream} / {where(r)} / {r.date}, net {money(r.amount)} "
                   f"({shown_status(r.status)}, version {d.version})?")
        self.app.push_screen(ConfirmModal("Post this digest", message, yes="Post"),
                             lambda yes: self._post() if yes else None)

    def _post(self) -> None:
        self.run_engine(lambda: self.flow.post([self.digest_id]),
                        lambda outcomes: self.app.push_screen(
                            PostOutcomeModal(outcomes), lambda stream: self.action_mappings() if stream else None),
                        name="post")

    def action_invoice(self) -> None:
        if self.detail and self.detail.row.invoice_number:
            self._open("invoice", "invoice", number=self.detail.row.invoice_number)
        else:
            self.notify("Not posted yet: there is no invoice.", severity="warning")

    def action_mappings(self) -> None:
        if self.detail:
            self._open("mappings", "mappings", stream=self.detail.row.stream)

    def _open(self, name: str, what: str, **kwargs) -> None:
        """Another console screen, if this version of the console has it."""
        try:
            screen = self.flowapp.make_screen(name, **kwargs)
        except (ImportError, AttributeError, FlowError):
            self.notify(f"The {what} screen is not available in this console yet.", severity="warning")
            return
        except Exception as exc:  # a screen that fails to open says so; the console carries on
            self.flowapp.show_error(exc)
            return
        self.app.push_screen(screen)

    def action_back(self) -> None:
        self.app.pop_screen()
