"""The console's two heavier keys on the 100,000-digest books of :mod:`benchmarks.tui`.

* ``digest_open_s``: enter on a digest in the Digests list until the digest screen shows it
  (its title, summary and tables filled);
* ``till_sale_s``: in the MiniPOS till, the enter that confirms a payment until the screen
  shows the sale saved (its receipt up).

The digests opened are given real children first (orders, their lines, items, a tax), as a
synced day has; the till's stream holds :data:`TILL_ORDERS_A_DAY` orders a day since the first
day of the books, today included. Each figure is the median of its samples, with the p95
beside it: the machine may be shared, so one slow sample says little. ``*_cpu_s`` is the CPU
time the process spent from key to screen (all its threads): it hardly moves with the load of
other processes, so it compares two versions better than the wall time on a busy machine.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from decimal import Decimal

TILL = "Counter"
TILL_ORDERS_A_DAY = 150
OPENED = 12  # digests opened (the first rows of the listing), each once


def prepare(flow, first_day: str = "2024-01-01") -> None:
    """Children for the first :data:`OPENED` digests of the listing, and a MiniPOS stream full of orders."""
    from flowtui.engine.core import clock
    from flowtui.engine.digests.store import rebuild_dirty
    from flowtui.engine.setup.streams import StreamSettings

    with flow.db.write() as con:
        opened = [r[0] for r in con.execute(
            "SELECT id FROM digests ORDER BY business_date, stream_id, pos_store_id LIMIT ?", [OPENED]).fetchall()]
        con.execute(
            """
            INSERT INTO orders
            SELECT d.stream_id, 'D' || d.id || '-' || o.i, lpad(o.i::VARCHAR, 6, '0'), d.pos_store_id,
                   d.business_date::TIMESTAMP + INTERVAL 1 HOUR + o.i * INTERVAL 5 MINUTE, d.business_date,
                   'sale', 'completed', NULL, NULL, NULL, 10, 0, 0, 0, 0, 10, 1, o.i, NULL, now(), now(), 0, 0
            FROM digests d, range(d.order_count) o(i) WHERE d.id IN (SELECT unnest(?))
            """, [opened])
        con.execute(
            """
            INSERT INTO order_lines
            SELECT o.stream_id, o.order_id, l.i, o.pos_store_id, o.business_date, 'sale', 'completed',
                   'SKU' || ((hash(o.order_id) + l.i) % 30), NULL, 'Item ' || ((hash(o.order_id) + l.i) % 30),
                   1, 5, 0, 0, NULL, 5
            FROM orders o, range(2) l(i) WHERE o.order_id LIKE 'D%'
            """)
        con.execute(
            """
            INSERT INTO digest_items
            SELECT d.id, 'SKU' || s.i, 'Item ' || s.i, 3, 5, 0, 0, 15 FROM digests d, range(30) s(i)
            WHERE d.id IN (SELECT unnest(?))
            """, [opened])
        con.execute("INSERT INTO digest_taxes SELECT id, 'SV6', net_total, 0 FROM digests WHERE id IN (SELECT unnest(?))",
                    [opened])
    flow.add_location("Pasar Seni")
    flow.add_product("KOPI", "Kopi O", "3.50", "1.20", barcode="9555001", tax_code="SV6", tax_rate="6%")
    flow.add_product("ROTI", "Roti Bakar", "4.20", "1.50", barcode="9555002", tax_code="SV6", tax_rate="6%")
    flow.add_stream(TILL, "minipos", {"location": "Pasar Seni"}, StreamSettings())
    today = clock.now().date()
    with flow.db.write() as con:
        stream_id = con.execute("SELECT id FROM streams WHERE name = ?", [TILL]).fetchall()[0][0]
        store = con.execute("SELECT pos_store_id FROM location_mappings WHERE stream_id = ?", [stream_id]).fetchall()[0][0]
        days = (today - date.fromisoformat(first_day)).days + 1
        params = {"s": stream_id, "store": store, "first": first_day, "days": days, "per": TILL_ORDERS_A_DAY}
        con.execute(
            """
            INSERT INTO orders
            SELECT $s, lpad((d.i * $per + o.i + 1)::VARCHAR, 6, '0'), lpad((d.i * $per + o.i + 1)::VARCHAR, 6, '0'),
                   $store, ($first::DATE + d.i::INTEGER)::TIMESTAMP + INTERVAL 1 HOUR + o.i * INTERVAL 1 MINUTE,
                   $first::DATE + d.i::INTEGER, 'sale', 'completed', NULL, NULL, 'minipos', 7, 0, 0, 0.42, 0, 7.42,
                   1, d.i * $per + o.i, NULL, now(), now(), 0, 0
            FROM range($days) d(i), range($per) o(i)
            """, params)
        con.execute(
            """
            INSERT INTO order_lines
            SELECT stream_id, order_id, 1, pos_store_id, business_date, 'sale', 'completed', 'KOPI', NULL, 'Kopi O',
                   2, 3.5, 0, 0.42, 'SV6', 7 FROM orders WHERE stream_id = $s
            """, {"s": stream_id})
        con.execute(
            """
            INSERT INTO order_payments
            SELECT stream_id, order_id, 1, pos_store_id, business_date, 'sale', 'completed', 'Cash', 7.42
            FROM orders WHERE stream_id = $s
            """, {"s": stream_id})
        con.execute("INSERT INTO number_sequences VALUES (?, ?)", [f"minipos:{stream_id}", days * TILL_ORDERS_A_DAY])
        con.execute("INSERT INTO dirty_days SELECT DISTINCT stream_id, pos_store_id, business_date FROM orders "
                    "WHERE stream_id = ?", [stream_id])
        rebuild_dirty(con, clock.now())


def _summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def digest_open(app, pilot, frames, idle, screen, send) -> dict:
    """Enter on each of the first rows of the Digests list until the digest screen is drawn with it."""
    from textual.widgets import DataTable

    from flowtui.screens.digest_detail import DigestDetailScreen

    table = screen.query_one(DataTable)
    table.move_cursor(row=0, animate=False)
    times, cpu = [], []
    for row in range(OPENED):
        await idle()
        table.move_cursor(row=row, animate=False)
        await idle()
        wanted = screen.page.rows[row].id
        frames.expect(lambda wanted=wanted: isinstance(app.screen, DigestDetailScreen) and app.screen.detail is not None
                      and app.screen.detail.row.id == wanted)
        started, used = time.perf_counter(), time.process_time()
        send("enter", "\r")
        times.append(await frames.seen() - started)
        cpu.append(time.process_time() - used)
        await idle()
        app.pop_screen()
    median, p95 = _summary(times)
    return {"digest_open_s": median, "digest_open_p95_s": p95, "digest_open_cpu_s": statistics.median(cpu)}


async def till_sale(app, pilot, frames, idle, send, samples: int) -> dict:
    """Ring up one Kopi O paid in cash, ``samples`` times: the confirming enter until the receipt is up."""
    from textual.widgets import Input

    from flowtui.engine.minipos.checkout import Cart
    from flowtui.screens.minipos.checkout import CheckoutScreen
    from flowtui.screens.minipos.till_modals import PaymentModal, ReceiptModal

    till = CheckoutScreen(TILL)
    app.push_screen(till)
    await idle()
    while till.till is None:
        await pilot.pause(0.01)
    times, cpu = [], []
    for _ in range(samples):
        await idle()
        till.cart = Cart().add(till.catalog[0], Decimal(1))
        till._show_cart()
        await idle()
        send("f5", None)
        while not isinstance(app.screen, PaymentModal):
            await pilot.pause(0.01)
        pay = app.screen
        await idle()
        send("enter", "\r")  # an empty cash amount: the rest, rounded
        while not pay.query_one("#pay-0", Input).value:
            await pilot.pause(0.01)
        await idle()
        frames.expect(lambda: isinstance(app.screen, ReceiptModal))
        started, used = time.perf_counter(), time.process_time()
        send("enter", "\r")  # confirm: the sale is saved
        times.append(await frames.seen() - started)
        cpu.append(time.process_time() - used)
        await idle()
        send("enter", "\r")  # close the receipt
        while app.screen is not till:
            await pilot.pause(0.01)
    app.pop_screen()
    median, p95 = _summary(times)
    return {"till_sale_s": median, "till_sale_p95_s": p95, "till_sale_cpu_s": statistics.median(cpu)}
