"""Posting from the Digests screen tells the truth, before and after.

The ``shop`` café (see conftest) has 1 Oct (ready once mapped) and 2 Oct (a sale and a return: an invoice and a
credit note) on "Shop files", store KL; here 1 Oct is posted already and today, 10 Oct, has a sale: its day is
not over. Selecting all three and posting creates 2 documents (2 Oct's), skips 1 Oct, refuses today.
"""

from __future__ import annotations

from textual.widgets import Static

from flowtui.screens.common.modals import ConfirmModal
from flowtui.screens.digest_dialogs import PostOutcomeModal
from tests.factories import order, write_ndjson
from tests.tui.test_digest_screens import SHOP_ORDERS, many_days, map_everything, open_listing, text_of
from tests.tui.waiting import settle


def three_kinds(flow, orders_dir) -> None:
    """1 Oct posted, 2 Oct ready, 10 Oct (today) open."""
    map_everything(flow)
    flow.post([flow.digests()[0].id])
    write_ndjson(orders_dir / "orders.ndjson", [
        *SHOP_ORDERS, order("S9", "KL", "2026-10-10T01:00:00Z", [("KOPI", 1, "3.50")])])
    flow.sync(["Shop files"])
    assert [d.status for d in flow.digests()] == ["posted", "ready", "open"]


async def test_the_confirmation_says_beforehand_how_many_post_and_the_outcome_counts_created_documents_only(
        app, shop, orders_dir):
    three_kinds(shop, orders_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        await pilot.press("a", "p")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.title_text == "Post 1 of 3 digest(s)"
        body = text_of(app.screen.query_one("#dialog-body", Static))
        assert body.startswith("Post 1 of 3 digest(s), total MYR -0.70?")  # the one that posts, not the three
        assert "1 digest to post" in body
        assert "1 digest already posted: skipped, nothing to do" in body
        assert "1 digest not ready, the day is not over yet: refused" in body

        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PostOutcomeModal)
        # (it read "Posted 2 of 3: 4 document(s)": 1 Oct's invoice, posted days ago, counted as made now)
        assert app.screen.title_text == "Posted 1 of 3: 2 document(s) created, 1 already posted, 1 not ready"
        message = app.screen.message
        created, rest = message.split("Already posted")
        assert "INV-202610-00002, credit note CN-202610-00001" in created and "INV-202610-00001" not in created
        already, not_ready = rest.split("Not ready")
        assert "Shop files / KL Sentral / 2026-10-01: invoice INV-202610-00001" in already
        assert "1 digest: the business day is not over yet — it can post once the day is over" in not_ready
        assert "Shop files / KL Sentral / 2026-10-10" in not_ready
        await pilot.press("escape")
        await settle(pilot)
        assert list(screen.selected) == [shop.digests()[2].id]  # the refused one stays selected


async def test_nothing_that_can_post_is_said_before_posting(app, shop, orders_dir):
    three_kinds(shop, orders_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_listing(pilot)
        await pilot.press("space", "down", "space")  # 1 Oct (posted) and 10 Oct (open)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.title_text == "Nothing here can post"
        body = text_of(app.screen.query_one("#dialog-body", Static))
        assert body.startswith("None of the 2 digests selected can post now")
        assert "to post" not in body.split("\n\n")[0]


async def test_many_refusals_for_one_cause_are_told_once_with_the_consoles_own_fix(app, shop):
    many_days(shop, days=20, stores=3)  # stores P0, P1, P2: mapped to no location, 20 days each
    async with app.run_test(size=(80, 24)) as pilot:
        await open_listing(pilot)
        await pilot.press("a", "p")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PostOutcomeModal)
        assert app.screen.title_text == "Posted 0 of 62: 0 document(s) created, 62 not ready"
        lines = app.screen.message.splitlines()
        assert lines[0] == "Not ready, not posted (62 digests):"
        headings = [line.strip() for line in lines if line.startswith("  ") and not line.startswith("      ")]
        assert headings == [
            "20 digests: store P0 has no location — open mappings (m)",
            "20 digests: store P1 has no location — open mappings (m)",
            "20 digests: store P2 has no location — open mappings (m)",
            "2 digests: store KL has no location — open mappings (m)",
            "1 digest: payment method GrabPay has no account — open mappings (m)",
        ]
        assert len(lines) < 30 and "flowtui map" not in app.screen.message
        await pilot.press("m")  # the fix, from where it is told
        await settle(pilot)
        assert type(app.screen).__name__ == "MappingsScreen" and app.screen.stream == "Shop files"


async def test_m_on_the_digests_list_opens_the_mappings_of_the_digest_under_the_cursor(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_listing(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert type(app.screen).__name__ == "MappingsScreen" and app.screen.stream == "Shop files"
