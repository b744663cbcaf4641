"""Posting benchmark: 1,000 digests of about 300 orders each, by SKU, with tracked products."""

from __future__ import annotations

import time
from pathlib import Path


def prepare(work: Path, source: Path) -> Path:
    """A database with the orders landed, digested and every mapping in place."""
    from flowtui.connectors.base import Window
    from flowtui.connectors.file.reader import FileConnector
    from flowtui.engine.pipeline.sync import land, landing_units, rebuild_pending
    from flowtui.engine.services.flow import Flow
    from flowtui.engine.setup.streams import StreamSettings
    from flowtui.engine.storage.database import Database

    db = Database.at(work / "posting.duckdb")
    flow = Flow(db)
    flow.init()
    flow.add_stream("bench", "file", {"path": str(source)}, StreamSettings(grouping="sku"))
    for batch in landing_units(FileConnector(source).fetch(Window())):
        land(db, 1, batch, Window(), "Asia/Kuala_Lumpur", None)
    rebuild_pending(db)
    with db.write() as con:
        stores = [r[0] for r in con.execute("SELECT DISTINCT pos_store_id FROM digests ORDER BY 1").fetchall()]
        con.execute(
            "INSERT INTO products (sku, name, unit_price, cost, income_account, track_stock, created_at, updated_at) "
            "SELECT 'SKU' || lpad(i::VARCHAR, 4, '0'), 'Product ' || i, 10, 4, NULL, i % 2 = 0, now(), now() "
            "FROM range(500) t(i)")
    for store in stores:
        flow.add_location(store)
        flow.map_location("bench", store, store, number_format=f"{store}-{{yyyy}}{{mm}}-{{seq:05}}")
    flow.map_payment("bench", "GrabPay", "1030")
    return db.path


def measure(db_path: Path) -> dict:
    import os
    import resource

    from flowtui.engine.services.flow import Flow
    from flowtui.engine.storage.database import Database

    os.environ["FLOWTUI_NOW"] = "2027-01-01T00:00:00Z"
    flow = Flow(Database.at(db_path))
    started = time.perf_counter()
    outcomes = flow.post(everything=True)
    elapsed = time.perf_counter() - started
    with flow.db.read() as con:
        orders = con.execute("SELECT count(*) FROM orders WHERE status = 'completed'").fetchall()[0][0]
        unbalanced = con.execute("SELECT count(*) FROM (SELECT entry_id FROM journal_lines GROUP BY entry_id "
                                 "HAVING sum(debit) <> sum(credit))").fetchall()[0][0]
    return {"seconds": elapsed, "digests": sum(o.status == "posted" for o in outcomes),
            "refused": sum(o.status == "refused" for o in outcomes), "orders": orders, "unbalanced": unbalanced,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
