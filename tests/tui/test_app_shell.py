"""The console's shell: F1-F4 switch between modes, each keeping its own screens; keys handled one at a time."""

from __future__ import annotations

from flowtui.screens.digest_detail import DigestDetailScreen
from flowtui.screens.digests import DigestsScreen
from flowtui.screens.invoices import InvoicesScreen
from flowtui.screens.ledger import LedgerScreen
from flowtui.screens.streams import StreamsScreen
from tests.tui.conftest import burst, keys_handled

MODES = {"f1": ("streams", StreamsScreen), "f2": ("digests", DigestsScreen),
         "f3": ("invoices", InvoicesScreen), "f4": ("ledger", LedgerScreen)}


async def settle(pilot) -> None:
    """Let every key be handled and every worker finish, and the workers their callbacks start."""
    await keys_handled(pilot)
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def stacks(pilot) -> dict[str, list]:
    """Each mode's screens, bottom first (visiting each mode, then back to where the console was)."""
    app, here = pilot.app, pilot.app.current_mode
    found = {}
    for mode, _ in MODES.values():
        await app.switch_mode(mode)
        found[mode] = list(app.screen_stack)
    await app.switch_mode(here)
    await pilot.pause()
    return found


async def test_function_keys_switch_modes_and_never_pile_up_screens(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = {}
        for _ in range(3):
            for key, (mode, kind) in MODES.items():
                await pilot.press(key)
                await settle(pilot)
                assert app.current_mode == mode and isinstance(app.screen, kind) and len(app.screen_stack) == 1
                assert first.setdefault(mode, app.screen) is app.screen  # the same screen each time
        burst(app, "f2", "f3", "f4", "f1", "f3", "f2", "f4", "f1")
        await settle(pilot)
        assert app.current_mode == "streams"
        assert await stacks(pilot) == {mode: [first[mode]] for mode, _ in MODES.values()}


async def test_each_mode_keeps_its_screens_and_escape_from_a_modes_home_goes_to_the_streams(posted_app):
    app = posted_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, DigestsScreen)
        await pilot.press("enter")  # the first day's digest, opened in the digests mode
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DigestDetailScreen)

        await pilot.press("f1", "f4")
        await settle(pilot)
        assert isinstance(app.screen, LedgerScreen)
        await pilot.press("f2")  # the digest is where it was left, over its listing
        await settle(pilot)
        assert app.screen is detail and list(app.screen_stack) == [listing, detail]
        assert [type(screen) for screen in (await stacks(pilot))["streams"]] == [StreamsScreen]
        assert app.screen is detail

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is listing and app.current_mode == "digests"
        await pilot.press("escape")  # the home of the digests mode: back to the streams
        await settle(pilot)
        assert app.current_mode == "streams" and isinstance(app.screen, StreamsScreen)
        assert len(app.screen_stack) == 1

        await pilot.press("f3", "escape")
        await settle(pilot)
        assert app.current_mode == "streams" and isinstance(app.screen, StreamsScreen)
        assert (await stacks(pilot))["digests"] == [listing]  # left at its listing


async def test_each_key_in_a_burst_is_seen_handled_without_waiting_for_the_safety_timer(app, monkeypatch):
    """Typed into a dialog the burst opened (the field stops each key), tab, enter: every key says it is done."""
    import flowtui.app

    monkeypatch.setattr(flowtui.app, "KEY_PATIENCE", 3600.0)  # were a key's end missed, the rest would wait an hour
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, "f2", "f", "tab", "tab", "tab", *"2026-10-02", "enter")
        await settle(pilot)  # (waits for the keys a generous while, and an hour is far longer)
        screen = app.screen
        assert isinstance(screen, DigestsScreen) and str(screen.filter.start) == "2026-10-02"
        assert app.keys_pending == 0


def rows(table) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_coming_back_to_a_mode_shows_what_changed_meanwhile(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        invoices = app.screen
        assert isinstance(invoices, InvoicesScreen) and rows(invoices.query_one("#invoices")) == []
        await pilot.press("f4")
        await settle(pilot)
        ledger = app.screen
        assert isinstance(ledger, LedgerScreen) and rows(ledger.query_one("#balance"))[-1][3:5] == ["0.00", "0.00"]

        # posted meanwhile (from the digests mode, or by another flowtui on the same books)
        shop.map_location("Shop files", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")
        shop.map_payment("Shop files", "GrabPay", "1030")
        assert [o.status for o in shop.post(everything=True)] == ["posted", "posted"]

        await pilot.press("f1", "f4")
        await settle(pilot)
        assert app.screen is ledger and rows(ledger.query_one("#balance"))[-1][3:5] == ["22.52", "22.52"]
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen is invoices
        assert [row[0] for row in rows(invoices.query_one("#invoices"))] == [
            "KL-202610-0001", "KL-202610-0002", "CN-KL-202610-0001"]
