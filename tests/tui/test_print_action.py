"""The console's print key on one invoice: the same code as ``flowtui invoice pdf``, and it says where the file went.

The café of ``conftest.posted`` has posted its two days; KL-202610-0001 is 1 Oct's invoice for 16.22
(2 Kopi + 1 Roti with 6% SST, 12.72 cash; 1 Kopi, 3.50 card).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.widgets import DataTable, Static

from flowtui.screens.common.modals import ErrorModal
from flowtui.screens.invoice_detail import InvoiceDetailScreen
from tests.tui.test_book_screens import open_screen
from tests.tui.waiting import settle


@pytest.fixture
def app(posted_app):
    return posted_app


async def test_p_prints_the_invoice_and_says_where_the_file_went(posted, app, db_path):
    expected = db_path.parent / "pdfs" / "KL-202610-0001.pdf"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, InvoiceDetailScreen("KL-202610-0001"))
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)
        messages = [n.message for n in app._notifications]
        assert f"KL-202610-0001 printed to {expected}" in messages, messages
        # the screen reloads: the print is the newest entry of the document's history
        history = app.screen.query_one("#history", DataTable)
        last = [str(c) for c in history.get_row_at(history.row_count - 1)]
        assert last[2] == "printed" and last[3] == str(expected)
    text = " ".join((PdfReader(str(expected)).pages[0].extract_text() or "").split())
    assert "Invoice KL-202610-0001" in text and "Total MYR 16.22" in text
    assert [h["event"] for h in posted.invoice("KL-202610-0001").history][-1] == "printed"


async def test_a_print_that_fails_shows_the_reason_and_the_screen_stays(posted, app, db_path, tmp_path, monkeypatch):
    broken = tmp_path / "mine"
    broken.mkdir()
    (broken / "invoice.html").write_text('{% extends "layout.html" %}\n{% block body %}\n{% if %}\n{% endblock %}\n')
    monkeypatch.setenv("FLOWTUI_TEMPLATE_DIR", str(broken))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, InvoiceDetailScreen("KL-202610-0001"))
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        assert app.screen.title_text == "Cannot do that"
        body = str(app.screen.query_one("#dialog-body", Static).render())
        assert f"Template {broken.resolve() / 'invoice.html'}, line 3" in body
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InvoiceDetailScreen)
    assert not (Path(db_path).parent / "pdfs" / "KL-202610-0001.pdf").exists()
