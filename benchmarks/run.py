"""``make bench``: landing, re-landing, digests and peak memory, against DuckDB's own read_json.

Each phase runs in a fresh child process so its peak RSS is its own. Figures
are printed with the targets from the engine foundation issue.

    python benchmarks/run.py [--orders N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / ".bench"

from benchmarks.generate import generate  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _land(db_path: str, source: str) -> dict:
    """Land the file through the file connector exactly as `flowtui sync` does, without the digest step."""
    from flowtui.connectors.base import Window
    from flowtui.connectors.file.reader import FileConnector
    from flowtui.engine.pipeline.landing import LandingResult
    from flowtui.engine.pipeline.sync import land, landing_units
    from flowtui.engine.services.flow import Flow
    from flowtui.engine.setup.streams import StreamSettings
    from flowtui.engine.storage.database import Database

    db = Database.at(db_path)
    flow = Flow(db)
    if "bench" not in {s.stream.name for s in flow.streams()}:
        flow.add_stream("bench", "file", {"path": source}, StreamSettings())
    stream_id = 1
    total = LandingResult()
    started = time.perf_counter()
    for batch in landing_units(FileConnector(Path(source)).fetch(Window())):
        total.merge(land(db, stream_id, batch, Window(), "Asia/Kuala_Lumpur", None))
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "orders": total.total, "new": total.new, "unchanged": total.unchanged,
            "rejected": total.rejected, "rss_mb": _peak_mb()}


def _digest_all(db_path: str) -> dict:
    from flowtui.engine.core import clock
    from flowtui.engine.digests.store import rebuild_dirty
    from flowtui.engine.storage.database import Database

    db = Database.at(db_path)
    with db.write() as con:  # make every day dirty: a full rebuild
        con.execute("DELETE FROM dirty_days")
        con.execute("INSERT INTO dirty_days SELECT DISTINCT stream_id, pos_store_id, business_date FROM orders")
    started = time.perf_counter()
    with db.write() as con:
        result = rebuild_dirty(con, clock.now())
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "days": result.days, "rss_mb": _peak_mb()}


def _digest_one(db_path: str) -> dict:
    """Rebuild one store-day: the rebuild itself, and the whole unit of work (open, rebuild, commit, close)."""
    from flowtui.engine.core import clock
    from flowtui.engine.digests.store import rebuild_dirty
    from flowtui.engine.storage.database import Database

    db = Database.at(db_path)
    inner, whole = [], []
    for offset in range(0, 1200, 240):
        with db.write() as con:
            con.execute("INSERT INTO dirty_days SELECT stream_id, pos_store_id, business_date FROM digests "
                        "ORDER BY business_date, pos_store_id LIMIT 1 OFFSET ?", [offset])
        started = time.perf_counter()
        with db.write() as con:
            began = time.perf_counter()
            rebuild_dirty(con, clock.now())
            inner.append(time.perf_counter() - began)
        whole.append(time.perf_counter() - started)
    return {"seconds": sorted(inner)[len(inner) // 2], "unit_seconds": sorted(whole)[len(whole) // 2],
            "rss_mb": _peak_mb()}


def _reference(db_path: str, source: str) -> dict:
    """DuckDB's own read_json of the same file into the same tables: the limit we compare with."""
    from flowtui.engine.storage.database import Database

    db = Database.at(db_path)
    money = "DECIMAL(18,2)"
    columns = {
        "id": "VARCHAR", "number": "VARCHAR", "store_id": "VARCHAR", "time": "TIMESTAMPTZ", "type": "VARCHAR",
        "status": "VARCHAR", "subtotal": money, "tax": money, "total": money,
        "lines": f"STRUCT(sku VARCHAR, name VARCHAR, quantity DECIMAL(18,3), unit_price DECIMAL(18,4), "
                 f"tax {money}, tax_code VARCHAR, amount {money})[]",
        "payments": f"STRUCT(method VARCHAR, amount {money})[]",
    }
    started = time.perf_counter()
    with db.write() as con:
        con.execute(f"CREATE TEMP TABLE src AS SELECT * FROM read_json(?, format='newline_delimited', columns={columns!r})",
                    [source])
        con.execute("""
            INSERT INTO orders SELECT 1, id, number, store_id, time, (time AT TIME ZONE 'Asia/Kuala_Lumpur')::DATE,
                type, status, NULL, NULL, NULL, subtotal, 0, 0, tax, 0, total, 1, 0, NULL, now(), now(),
                0, 0 FROM src""")  # (shipping and tip come last: migration 14 added them)
        con.execute("""
            INSERT INTO order_lines SELECT 1, id, i, store_id, (time AT TIME ZONE 'Asia/Kuala_Lumpur')::DATE, type,
                status, l.sku, NULL, l.name, l.quantity, l.unit_price, 0, l.tax, l.tax_code, l.amount
            FROM (SELECT *, unnest(lines) AS l, generate_subscripts(lines, 1) AS i FROM src)""")
        con.execute("""
            INSERT INTO order_payments SELECT 1, id, i, store_id, (time AT TIME ZONE 'Asia/Kuala_Lumpur')::DATE, type,
                status, p.method, p.amount
            FROM (SELECT *, unnest(payments) AS p, generate_subscripts(payments, 1) AS i FROM src)""")
        orders = con.execute("SELECT count(*) FROM orders").fetchall()[0][0]
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "orders": orders, "rss_mb": _peak_mb()}


def _in_child(func, *args) -> dict:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(func, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["landing", "posting", "storehub", "shopify", "tui", "pdf"], help="Run one part only.")
    args = parser.parse_args()
    if args.only in (None, "landing"):
        landing_benchmark(args.orders)
    if args.only in (None, "posting"):
        posting_benchmark()
    if args.only in (None, "storehub"):
        storehub_benchmark()
    if args.only in (None, "shopify"):
        shopify_benchmark()
    if args.only in (None, "tui"):
        from benchmarks import tui

        tui.report()
    if args.only in (None, "pdf"):
        from benchmarks import pdf

        pdf.pdf_benchmark()  # in this process: its printing pool cannot start inside run.py's daemonic child


def storehub_benchmark() -> None:
    from benchmarks import storehub

    work = BENCH_DIR / "work"
    work.mkdir(parents=True, exist_ok=True)
    made = _in_child(storehub.generation)
    print(f"\nStoreHub sandbox: {made['transactions']:,} transactions generated in {made['seconds']:.2f} s  "
          + _verdict(made["seconds"] < 10, "target < 10 s"))
    r = _in_child(storehub.measure, work)
    print(f"\nflowtui StoreHub sync benchmark: {r['transactions']:,} transactions from the sandbox in another "
          f"process, rate limit lifted ({r['requests']} requests, {r['rejected']} rejected, status {r['status']})")
    print(f"  whole sync over HTTP   {r['seconds']:.2f} s  {r['transactions'] / r['seconds']:,.0f} transactions/s")
    print(f"    time in HTTP {r['http']:.2f} s, parsing {r['parse']:.2f} s (fetching and parsing run in a thread "
          f"beside landing), landing {r['landing']:.2f} s")
    rate = r["pipeline_transactions"] / r["pipeline_seconds"]
    print(f"  parsing + landing      {r['pipeline_seconds']:.2f} s  {rate:,.0f} transactions/s  "
          + _verdict(rate >= 50_000, "target >= 50,000/s") + "  (the two overlapping on 2 cores)")
    for step in ("parsing", "landing"):
        seconds = r[f"{step}_alone"]
        print(f"    {step} alone        {seconds:.2f} s  {r['pipeline_transactions'] / seconds:,.0f} transactions/s")
    print(f"  at 3 requests/s: {storehub.arithmetic()}")


def shopify_benchmark() -> None:
    from benchmarks import shopify

    work = BENCH_DIR / "work"
    work.mkdir(parents=True, exist_ok=True)
    r = _in_child(shopify.pipeline, work)
    rate = r["orders"] / r["seconds"]
    print(f"\nflowtui Shopify benchmark: {r['orders']:,} Shopify orders ({r['entries']:,} canonical sales and returns, "
          f"{r['bytes'] / 1e6:,.0f} MB of replies) from the sandbox, {shopify.COPIES} copies of its {shopify.DAYS} days")
    print(f"  decoding + mapping + landing  {r['seconds']:.2f} s  {rate:,.0f} orders/s  "
          + _verdict(rate >= 50_000, "StoreHub's path: >= 50,000/s") + f"  (decoding + mapping {r['mapping']:.2f} s of it)")
    b = _in_child(shopify.backfill)
    print(f"  a {shopify.DAYS}-day backfill ({b['orders']:,} orders, {b['refunds']:,} refunds):")
    for kind in ("bulk", "paged"):
        k = b[kind]
        print(f"    {kind:5}  {k['requests']:4} requests (fewest possible {k['least']}), {k['points']:,.0f} query points"
              f" -> {k['points'] / 100:,.0f} s of Shopify's Standard-plan budget (100 points/s)")


def posting_benchmark() -> None:
    from benchmarks import posting

    source = BENCH_DIR / "posting-orders.ndjson"
    if not source.exists():
        print("generating 300,000 orders for 1,000 store-days ...", flush=True)
        generate(source, 300_000, stores=20, days=50, seed=2)
    work = BENCH_DIR / "work"
    work.mkdir(parents=True, exist_ok=True)
    for stale in work.glob("posting.duckdb*"):
        stale.unlink()
    db_path = _in_child(posting.prepare, work, source)
    result = _in_child(posting.measure, db_path)
    rate = result["digests"] / result["seconds"]
    print(f"\nflowtui posting benchmark: {result['digests']:,} digests, {result['orders']:,} orders "
          f"({result['refused']} refused, {result['unbalanced']} unbalanced entries)")
    print(f"  posting  {result['seconds']:.2f} s  {rate:,.0f} digests/s  {result['orders'] / result['seconds']:,.0f} orders/s  "
          f"peak {result['rss_mb']:,.0f} MB  "
          + _verdict(result["seconds"] * 1000 / max(result["digests"], 1) <= 20, "target: 1,000 digests <= 20 s"))


def landing_benchmark(count: int) -> None:
    BENCH_DIR.mkdir(exist_ok=True)
    source = BENCH_DIR / f"orders-{count}.ndjson"
    if not source.exists():
        print(f"generating {count:,} orders -> {source} ...", flush=True)
        started = time.perf_counter()
        generate(source, count)
        print(f"  {time.perf_counter() - started:.1f} s, {source.stat().st_size / 1e6:,.0f} MB", flush=True)
    work = BENCH_DIR / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    ours, ref = str(work / "ours.duckdb"), str(work / "reference.duckdb")

    reference = _in_child(_reference, ref, str(source))
    first = _in_child(_land, ours, str(source))
    again = _in_child(_land, ours, str(source))
    full = _in_child(_digest_all, ours)
    one = _in_child(_digest_one, ours)

    limit_rate = reference["orders"] / reference["seconds"]
    land_rate = first["orders"] / first["seconds"]
    reland_rate = again["orders"] / again["seconds"]
    peak = max(first["rss_mb"], again["rss_mb"], full["rss_mb"], one["rss_mb"])
    rows = [
        ("DuckDB read_json into the same tables (limit)", f"{limit_rate:,.0f} orders/s", f"{reference['seconds']:.2f} s", ""),
        ("landing through the file connector", f"{land_rate:,.0f} orders/s", f"{first['seconds']:.2f} s",
         _verdict(land_rate / limit_rate >= 0.5, f"{land_rate / limit_rate:.0%} of limit, target >= 50%")),
        ("re-landing the same file (idempotent)", f"{reland_rate:,.0f} orders/s", f"{again['seconds']:.2f} s",
         f"{reland_rate / limit_rate:.0%} of limit; {again['unchanged']:,} unchanged, {again['new']:,} new"),
        ("full digest rebuild", f"{full['days']:,} digests", f"{full['seconds']:.2f} s",
         _verdict(full["seconds"] <= 2.0, "target <= 2 s")),
        ("one store-day digest rebuild (median of 5)", "1 digest", f"{one['seconds'] * 1000:.0f} ms",
         _verdict(one["seconds"] <= 0.1, "target <= 100 ms")),
        ("  the same with opening and closing the file", "1 digest", f"{one['unit_seconds'] * 1000:.0f} ms", ""),
        ("peak RSS (worst phase)", f"{peak:,.0f} MB", "", _verdict(peak <= 2048, "target <= 2 GB")),
    ]
    print(f"\nflowtui landing benchmark: {first['orders']:,} orders ({first['rejected']} rejected)")
    width = max(len(r[0]) for r in rows)
    for name, rate, secs, verdict in rows:
        print(f"  {name:<{width}}  {rate:>18}  {secs:>9}  {verdict}")


def _verdict(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'FAIL'} ({text})"


if __name__ == "__main__":
    main()
