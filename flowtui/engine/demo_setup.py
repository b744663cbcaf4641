"""``flowtui demo``: books, two outlets, a file stream, a month of orders, synced."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flowtui.engine import clock
from flowtui.engine.demo import STORES, write_demo_files
from flowtui.engine.errors import FlowError
from flowtui.engine.service import Flow
from flowtui.engine.streams import StreamSettings
from flowtui.engine.sync import Progress, SyncOutcome

DEMO_STREAM = "Demo POS"
DEMO_COMPANY = "Kopi & Co Sdn Bhd"
DEMO_LOCATIONS = {"KLS-01": ("KL Sentral", "KLS-{yyyy}{mm}-{seq:04}"), "PNG-02": ("Gurney Plaza", "PNG-{yyyy}{mm}-{seq:04}")}
DEMO_PAYMENTS = {"Visa/Mastercard": "1020", "Touch 'n Go": "1030", "GrabPay": "1030"}


@dataclass(frozen=True)
class DemoResult:
    db_path: Path
    folder: Path
    files: list[Path]
    outcome: SyncOutcome


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
                        StreamSettings(store_name="Kopi & Co", grouping="sku"))
    for store_id, (location, number_format) in DEMO_LOCATIONS.items():
        flow.map_location(DEMO_STREAM, store_id, location, number_format=number_format)
    for method, account in DEMO_PAYMENTS.items():
        flow.map_payment(DEMO_STREAM, method, account)
    outcomes = flow.sync([DEMO_STREAM], progress=progress)
    if outcomes[0].failed:
        raise FlowError(f"The demo sync failed: {outcomes[0].error}")
    assert set(STORES) == set(DEMO_LOCATIONS)
    return DemoResult(flow.db.path, folder, files, outcomes[0])
