"""``flowtui demo``: books, outlets, two streams, synced.

* a **file stream** with a month of orders for two café outlets (NDJSON and CSV);
* a **StoreHub stream** synced over real HTTP, through the rate-limited
  connector, from a local StoreHub sandbox started for the occasion (two
  weeks of four stores). The sandbox stops with the demo, so that stream's
  auto sync is off; ``flowtui sandbox storehub`` brings it back.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from flowtui.engine.core import clock
from flowtui.engine.core.errors import FlowError
from flowtui.engine.pipeline.sync import Progress, SyncOutcome
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.demo import STORES, write_demo_files
from flowtui.engine.setup.streams import StreamSettings

DEMO_STREAM = "Demo POS"
DEMO_COMPANY = "Kopi & Co Sdn Bhd"
DEMO_LOCATIONS = {"KLS-01": ("KL Sentral", "KLS-{yyyy}{mm}-{seq:04}"), "PNG-02": ("Gurney Plaza", "PNG-{yyyy}{mm}-{seq:04}")}
DEMO_PAYMENTS = {"Visa/Mastercard": "1020", "Touch 'n Go": "1030", "GrabPay": "1030"}


DEMO_STOREHUB = "Demo StoreHub"
SANDBOX_PORT = 8765


@dataclass(frozen=True)
class DemoResult:
    db_path: Path
    folder: Path
    files: list[Path]
    outcome: SyncOutcome
    storehub: SyncOutcome | None = None
    sandbox_url: str | None = None


def demo_folder(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + "-demo-orders")


def run_demo(flow: Flow, progress: Progress | None = None) -> DemoResult:
    """Build (or refresh) the demo: idempotent, safe to run again."""
    flow.init(DEMO_COMPANY, "MYR", "Asia/Kuala_Lumpur")
    existing_locations = {loc.name for loc in flow.locations()}
    for name, _ in DEMO_LOCATIONS.values():
        if name not in existing_locations:
            flow.add_location(name, "Asia/Kuala_Lumpur")
    folder = demo_folder(flow.db.path)
    now = clock.now()
    files = write_demo_files(folder, clock.today_in("Asia/Kuala_Lumpur"), now)
    if DEMO_STREAM not in {s.stream.name for s in flow.streams()}:
        flow.add_stream(DEMO_STREAM, "file", {"path": str(folder)},
                        StreamSettings(store_name="Kopi & Co", grouping="sku", auto_invoice=True))
    for store_id, (location, number_format) in DEMO_LOCATIONS.items():
        flow.map_location(DEMO_STREAM, store_id, location, number_format=number_format)
    for method, account in DEMO_PAYMENTS.items():
        flow.map_payment(DEMO_STREAM, method, account)
    flow.map_tax(DEMO_STREAM, "service_charge", "SV6")  # the café's files carry no code for it (F&B: 6 %)
    outcomes = flow.sync([DEMO_STREAM], progress=progress)
    if outcomes[0].failed:
        raise FlowError(f"The demo sync failed: {outcomes[0].error}")
    assert set(STORES) == set(DEMO_LOCATIONS)
    storehub, url = _storehub_demo(flow, progress)
    return DemoResult(flow.db.path, folder, files, outcomes[0], storehub, url)


def _free_port(preferred: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            return 0


def _storehub_demo(flow: Flow, progress: Progress | None) -> tuple[SyncOutcome, str]:
    """Start a StoreHub sandbox, connect a stream to it, sync over HTTP, stop it."""
    from flowtui.sandbox.storehub import StoreHubSandbox

    box = StoreHubSandbox(seed=7, days=14, busy_per_day=250)
    url = box.start(port=_free_port(SANDBOX_PORT))
    try:
        options = {"account": box.account, "api_key": box.api_key, "base_url": url}
        if DEMO_STOREHUB in {s.stream.name for s in flow.streams()}:
            flow.update_stream(DEMO_STOREHUB, StreamSettings(), options)
        else:
            flow.add_stream(DEMO_STOREHUB, "storehub", options,
                            StreamSettings(store_name="Kopi Kita", start_date=box.start_date, auto_sync=False))
        existing = {loc.name for loc in flow.locations()}
        for number, store in enumerate(box.stores(), start=1):
            if store["name"] not in existing:
                flow.add_location(store["name"], "Asia/Kuala_Lumpur")
            flow.map_location(DEMO_STOREHUB, store["id"], store["name"], number_format=f"SH{number}-{{yyyy}}{{mm}}-{{seq:04}}")
        for method in ("DuitNow QR", "Touch 'n Go eWallet", "Boost", "GrabPay", "ShopeePay"):
            flow.map_payment(DEMO_STOREHUB, method, "1030")
        for method in ("CreditCard", "DebitCard"):
            flow.map_payment(DEMO_STOREHUB, method, "1020")
        [outcome] = flow.sync([DEMO_STOREHUB], start=box.start_date, end=box.end_date, progress=progress)
    finally:
        box.stop()
    if outcome.failed:
        raise FlowError(f"The demo StoreHub sync failed: {outcome.error}")
    return outcome, url
