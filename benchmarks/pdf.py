"""Printing benchmark: one 30-line invoice (cold and warm), and a batch of invoices, one by one and on every core.

Builds a café with ``--invoices`` posted days of one 30-line order each (so as many
30-line invoices), then, each phase in a fresh child process:

* ``cold``: the first invoice a fresh process prints (``printing.print_invoice``):
  importing WeasyPrint, compiling the templates, loading the fonts, rendering, writing,
  recording the print in the history;
* ``warm``: the median of the next five, the renderer already warm;
* ``loop``: every invoice one by one in one process (``print_invoices(workers=1)``: one
  warm renderer, the way a loop over ``print_invoice`` would go);
* ``batch``: the same invoices through ``print_invoices`` on every core (a process pool,
  templates compiled once per worker), pool start-up included.

Target (issue 7): the batch at least 1.8x faster than the loop, measured in the same run.

    .venv/bin/python benchmarks/pdf.py [--invoices 200] [--work DIR]

``benchmarks/run.py`` can call :func:`pdf_benchmark` (or :func:`main` with an argv list).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import shutil
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = "2026-10-10T04:00:00Z"
LINES = 30
TARGET_SPEEDUP = 1.8
CENT = Decimal("0.01")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _order(day: int, lines: int) -> dict:
    """One sale on day ``day`` (counted from 1 Jan 2026) with ``lines`` SKUs at 6% SST, paid by card and cash."""
    from datetime import date, timedelta

    when = date(2026, 1, 1) + timedelta(days=day)
    built, subtotal, tax = [], Decimal(0), Decimal(0)
    for i in range(lines):
        quantity, price = Decimal(1 + (day + i) % 4), Decimal(f"{3 + (i * 7 + day) % 120}.{(i * 13) % 100:02d}")
        amount = (quantity * price).quantize(CENT)
        line_tax = (amount * Decimal("0.06")).quantize(CENT, rounding=ROUND_HALF_UP)
        built.append({"sku": f"SKU{i:03d}", "name": f"Product {i:03d} {'large ' if i % 3 else ''}cup",
                      "quantity": str(quantity), "unit_price": str(price), "discount": "0.00",
                      "tax": str(line_tax), "amount": str(amount), "tax_code": "SST6"})
        subtotal += amount
        tax += line_tax
    total = subtotal + tax
    card = (total / 2).quantize(CENT)
    return {"id": f"B{day:04d}", "number": f"B{day:04d}", "store_id": "KL", "time": f"{when.isoformat()}T03:00:00Z",
            "type": "sale", "status": "completed", "subtotal": f"{subtotal:.2f}", "discount": "0.00",
            "service_charge": "0.00", "tax": f"{tax:.2f}", "rounding": "0.00", "total": f"{total:.2f}",
            "lines": built, "payments": [{"method": "Card", "amount": f"{card:.2f}"},
                                         {"method": "Cash", "amount": f"{total - card:.2f}"}]}


def prepare(work: Path, invoices: int) -> Path:
    """A database with ``invoices`` posted 30-line invoices and the company's details."""
    from flowtui.engine.core import clock
    from flowtui.engine.services.flow import Flow
    from flowtui.engine.setup import company as company_mod
    from flowtui.engine.setup.streams import StreamSettings
    from flowtui.engine.storage.database import Database

    os.environ["FLOWTUI_NOW"] = NOW
    orders_dir = work / "orders"
    orders_dir.mkdir(parents=True, exist_ok=True)
    (orders_dir / "orders.ndjson").write_text("".join(json.dumps(_order(d, LINES)) + "\n" for d in range(invoices)))
    flow = Flow(Database.at(work / "pdf.duckdb"))
    flow.init(name="Kopi & Co Sdn Bhd")
    flow.add_location("KL Sentral")
    flow.add_stream("pos", "file", {"path": str(orders_dir)}, StreamSettings())
    flow.sync(["pos"])
    flow.map_location("pos", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")
    outcomes = flow.post(everything=True)
    assert sum(o.status == "posted" for o in outcomes) == invoices, outcomes[:3]
    with flow.db.write() as con:
        company_mod.update(con, clock.now(), address=["12 Jalan Sultan", "50000 Kuala Lumpur"],
                           registration_no="202401012345 (1234567-X)", sst_no="W10-1808-32000123")
    return flow.db.path


def _flow(db_path: Path):
    from flowtui.engine.services.flow import Flow
    from flowtui.engine.storage.database import Database

    os.environ["FLOWTUI_NOW"] = NOW
    return Flow(Database.at(db_path))


def _numbers(flow) -> list[str]:
    with flow.db.read() as con:
        return [r[0] for r in con.execute("SELECT number FROM documents ORDER BY date, id").fetchall()]


def single(db_path: Path, out: Path) -> dict:
    """Cold (the first print of a fresh process, imports included) and warm (median of the next five)."""
    started = time.perf_counter()
    from flowtui.engine.printing import documents as printing

    flow = _flow(db_path)
    numbers = _numbers(flow)
    printing.print_invoice(flow, numbers[0], out / "cold.pdf")
    cold = time.perf_counter() - started
    warm = []
    for number in numbers[1:6]:
        began = time.perf_counter()
        printing.print_invoice(flow, number, out / "warm.pdf")
        warm.append(time.perf_counter() - began)
    return {"cold_s": cold, "warm_s": statistics.median(warm), "rss_mb": _peak_mb()}


def batch(db_path: Path, out: Path, workers: int | None) -> dict:
    """Every invoice into ``out``: one by one in this process (``workers=1``) or in a pool (``None``: every core)."""
    from flowtui.engine.printing import documents as printing
    from flowtui.engine.printing.render import default_workers

    flow = _flow(db_path)
    numbers = _numbers(flow)
    started = time.perf_counter()
    paths = printing.print_invoices(flow, numbers, target_dir=out, workers=workers)
    elapsed = time.perf_counter() - started
    assert len(paths) == len(numbers) and all(p.stat().st_size > 10_000 for p in paths)
    return {"seconds": elapsed, "documents": len(paths), "per_s": len(paths) / elapsed,
            "workers": workers or default_workers(), "rss_mb": _peak_mb()}


def _child(fn, *args):
    """Run ``fn(*args)`` in a fresh process (spawned: nothing warm is inherited) and return its result.

    A ProcessPoolExecutor's worker is not a daemon, so it may start the printing pool of its own.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def run(invoices: int = 200, work: Path | None = None) -> dict:
    work = Path(work or ROOT / ".bench" / "pdf")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db_path = _child(prepare, work, invoices)
    result = {"invoices": invoices, "lines": LINES, "cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    result["single"] = _child(single, db_path, work / "single")
    result["loop"] = _child(batch, db_path, work / "loop", 1)
    result["batch"] = _child(batch, db_path, work / "batch", None)
    result["speedup"] = result["loop"]["seconds"] / result["batch"]["seconds"]
    result["load_after"] = os.getloadavg()[0]
    return result


def report(r: dict) -> None:
    single, loop, pool = r["single"], r["loop"], r["batch"]
    print(f"\nflowtui PDF benchmark: {r['invoices']} invoices of {r['lines']} lines, {r['cores']} cores")
    print(f"  one invoice   cold {single['cold_s']:.2f} s (fresh process, imports included)   "
          f"warm {single['warm_s']:.2f} s   peak {single['rss_mb']:.0f} MB")
    print(f"  one by one    {loop['seconds']:.1f} s   {loop['per_s']:.2f} invoices/s")
    print(f"  batch         {pool['seconds']:.1f} s   {pool['per_s']:.2f} invoices/s on {pool['workers']} "
          f"processes (pool start-up included)")
    verdict = "ok" if r["speedup"] >= TARGET_SPEEDUP else "BELOW TARGET"
    print(f"  speed-up      {r['speedup']:.2f}x   (target >= {TARGET_SPEEDUP}x: {verdict})")
    busy = max(r["load_before"], r["load_after"])
    note = "  (other work competed for the cores: the speed-up is understated)" if busy > 0.5 else ""
    print(f"  load average  {r['load_before']:.1f} before, {r['load_after']:.1f} after{note}")


def pdf_benchmark(invoices: int = 200, work: Path | None = None) -> dict:
    """What ``benchmarks/run.py --only pdf`` calls: run, print the figures, return them."""
    result = run(invoices, work)
    report(result)
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=200, help="How many 30-line invoices (default 200).")
    parser.add_argument("--work", type=Path, help="Scratch folder (default .bench/pdf).")
    parser.add_argument("--json", action="store_true", help="Also print the figures as JSON.")
    args = parser.parse_args(argv)
    result = pdf_benchmark(max(args.invoices, 6), args.work)
    if args.json:
        print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
