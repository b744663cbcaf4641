"""The source conformance suite (flowtui.connectors.conformance), run for StoreHub and for the file source."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flowtui.connectors import conformance
from flowtui.connectors.storehub import client as storehub
from flowtui.sandbox.storehub import StoreHubSandbox
from flowtui.testing import FlowBooks

KL = ZoneInfo("Asia/Kuala_Lumpur")
END = date(2026, 10, 14)  # the sandbox's last day; "now" is the morning after


def _local_day(instant: str) -> date:
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(KL).date()


class StoreHubSource:
    """StoreHub, as flowtui's sandbox serves it over HTTP on loopback."""

    provider = "storehub"

    def __init__(self, box: StoreHubSandbox) -> None:
        self.box = box

    def options(self) -> dict:
        return {"account": self.box.account, "api_key": self.box.api_key, "base_url": self.box.base_url}

    def wrong_options(self) -> dict:
        return {**self.options(), "api_key": "sk_wrong_key"}

    def window(self) -> tuple[date, date]:
        return END - timedelta(days=2), END - timedelta(days=1)

    def _in(self, first: date, last: date) -> list[dict]:
        return [t for t in self.box.transactions(include_online=True)
                if first <= _local_day(t["transactionTime"]) <= last]

    def _sale(self, first: date, last: date, skip: int = 0) -> dict:
        sales = [t for t in self._in(first, last) if t["transactionType"] == "Sale" and not t["isCancelled"]]
        return sales[skip]

    def expected(self, first: date, last: date) -> set[str]:
        return {t["refId"] for t in self._in(first, last)}

    def void(self, first: date, last: date) -> str:
        return self.box.void(self._sale(first, last)["refId"])["refId"]

    def refund(self, first: date, last: date) -> tuple[str, str]:
        sale = self._sale(first, last, skip=1)
        self.box.add_transaction({**sale, "refId": "conformance-return", "invoiceNumber": "RET-CONF-1",
                                  "transactionType": "Return", "saleInvoiceNumber": sale["invoiceNumber"]})
        return "conformance-return", sale["invoiceNumber"]

    def plant_hostile(self, first: date, last: date) -> list[str]:
        sale = self._sale(first, last, skip=2)
        item = sale["items"][0]
        broken = {
            "hostile-total": {**sale, "total": sale["total"] + 1},  # the arithmetic does not hold
            "hostile-quantity": {**sale, "items": [{**item, "quantity": -2}, *sale["items"][1:]]},
            "hostile-payments": {**sale, "payments": [{"paymentMethod": "Cash", "amount": 0.01}]},
        }
        for number, (ref_id, data) in enumerate(broken.items(), start=1):
            self.box.add_transaction({**data, "refId": ref_id, "invoiceNumber": f"HOSTILE-{number}"})
        return list(broken)


class FileSource:
    """A folder of NDJSON files, as a till or an export would drop them."""

    provider = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.orders: dict[str, dict] = {}
        for offset in range(-3, 3):
            day = END - timedelta(days=2) + timedelta(days=offset)
            for n in range(3):
                self._add(f"KL-{day:%m%d}-{n}", f"{day}T0{3 + n}:15:00Z")
            # 16:30 UTC is half past midnight in Kuala Lumpur: the next business day
            self._add(f"KL-{day:%m%d}-late", f"{day}T16:30:00Z")
        self._write()

    def _add(self, order_id: str, time: str, **fields) -> None:
        self.orders[order_id] = {
            "id": order_id, "store_id": "KL", "time": time, "subtotal": "20.00", "tax": "1.20", "total": "21.20",
            "lines": [{"sku": "KOPI", "quantity": 2, "unit_price": "10.00", "tax": "1.20", "tax_code": "SV6",
                       "amount": "20.00"}],
            "payments": [{"method": "Cash", "amount": "21.20"}], **fields}

    def _write(self) -> None:
        lines = [json.dumps(o) for o in self.orders.values()]
        (self.folder / "orders.ndjson").write_text("\n".join(lines) + "\n")

    def options(self) -> dict:
        return {"path": str(self.folder)}

    def wrong_options(self) -> None:
        return None  # files take no credentials

    def window(self) -> tuple[date, date]:
        return END - timedelta(days=2), END - timedelta(days=1)

    def expected(self, first: date, last: date) -> set[str]:
        return {k for k, o in self.orders.items() if first <= _local_day(o["time"]) <= last}

    def void(self, first: date, last: date) -> str:
        order_id = sorted(self.expected(first, last))[0]
        self.orders[order_id]["status"] = "voided"
        self._write()
        return order_id

    def refund(self, first: date, last: date) -> tuple[str, str]:
        sale = sorted(self.expected(first, last))[1]
        self._add("KL-RET-1", self.orders[sale]["time"], type="return", original_id=sale)
        self._write()
        return "KL-RET-1", sale

    def plant_hostile(self, first: date, last: date) -> list[str]:
        time = f"{first}T04:00:00Z"
        good = json.dumps({**self.orders[sorted(self.expected(first, last))[0]], "id": "placeholder"})
        lines = [
            "this is not JSON",
            '"<script>alert(1)</script>"',
            good.replace('"placeholder"', '"KL-BAD-TOTAL"').replace('"total": "21.20"', '"total": "lots"'),
            good.replace('"placeholder"', '"KL-BAD-QTY"').replace('"quantity": 2', '"quantity": -2'),
            json.dumps({"id": "KL-BAD-TIME", "store_id": "KL", "time": time.removesuffix("Z"), "total": "1.00",
                        "lines": [{"sku": "X", "quantity": 1, "unit_price": "1.00"}],
                        "payments": [{"method": "Cash", "amount": "1.00"}]}),
        ]
        (self.folder / "hostile.ndjson").write_text("\n".join(lines) + "\n")
        return ["hostile.ndjson:1", "hostile.ndjson:2", "KL-BAD-TOTAL", "KL-BAD-QTY", "KL-BAD-TIME"]


@pytest.fixture
def storehub_source(monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")
    monkeypatch.setattr(storehub.PROCESS_LIMITER, "rate", None)
    monkeypatch.setattr(storehub, "BACKOFF_BASE", 0.01)
    with StoreHubSandbox(seed=7, days=4, end_date=END, rate_limit=None, busy_per_day=40) as box:
        box.start()
        yield StoreHubSource(box)


@pytest.fixture
def file_source(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")
    folder = tmp_path / "drop"
    folder.mkdir()
    return FileSource(folder)


@pytest.mark.parametrize("check", conformance.CHECKS, ids=conformance.name)
def test_storehub_conforms(check, flow, storehub_source):
    check(FlowBooks(flow), storehub_source)


@pytest.mark.parametrize("check", conformance.CHECKS, ids=conformance.name)
def test_the_file_source_conforms(check, flow, file_source):
    check(FlowBooks(flow), file_source)


def test_a_source_that_breaks_a_rule_fails_its_check(flow, file_source):
    """The suite can fail: a source whose void never reaches the books is caught."""
    file_source.void = lambda first, last: sorted(file_source.expected(first, last))[0]  # says voided, is not
    with pytest.raises(conformance.ConformanceFailure, match="landed as"):
        conformance.voids_land_voided(FlowBooks(flow), file_source)
