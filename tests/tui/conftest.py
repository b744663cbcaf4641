from __future__ import annotations

import pytest

from flowtui.app import FlowApp
from flowtui.engine.setup.streams import StreamSettings
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch):
    """No blink: an input focused as its screen mounts blinks its cursor every 0.5 s, so a snapshot taken later on a
    busy machine could catch it hidden; here it stays shown, as the instant the screen came up."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def shop(flow, orders_dir, monkeypatch):
    """A café with a file stream, two days synced (one unmapped payment method), ready for the console."""
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    flow.init(name="Kopi & Co")
    flow.add_location("KL Sentral")
    flow.add_stream("Shop files", "file", {"path": str(orders_dir)}, StreamSettings())
    write_ndjson(orders_dir / "orders.ndjson", [
        order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50"), ("ROTI", 1, "5.00")], tax_rate="0.06"),
        order("S2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], pay=[("Card", None)]),
        order("S3", "KL", "2026-10-02T03:00:00Z", [("TEH", 1, "2.80")], pay=[("GrabPay", None)]),
        order("R1", "KL", "2026-10-02T05:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="S1"),
    ])
    flow.sync(["Shop files"])
    return flow


@pytest.fixture
def app(shop):
    return FlowApp(shop, keymap={})


@pytest.fixture
def posted(shop):
    """The café with its store and GrabPay mapped and both days posted (KL-202610-0001 and -0002)."""
    shop.map_location("Shop files", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")
    shop.map_payment("Shop files", "GrabPay", "1030")
    outcomes = shop.post(everything=True)
    assert [o.status for o in outcomes] == ["posted", "posted"]
    return shop


@pytest.fixture
def posted_app(posted):
    """The console on the posted books, without animations (tab underlines) to wait for."""
    app = FlowApp(posted, keymap={})
    app.animation_level = "none"
    return app


def burst(app, *keys: str) -> None:
    """Keys arriving in one burst (tmux send-keys, a paste, a fast typist over SSH): all handed to the app at once,
    none waiting for the one before to be handled (as ``pilot.press`` does)."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def keys_handled(pilot, tries: int = 600) -> None:
    """Wait until every key handed to the app has been handled (generous: a busy machine may take seconds)."""
    for _ in range(tries):
        if not pilot.app.keys_pending:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{pilot.app.keys_pending} keys still not handled")
