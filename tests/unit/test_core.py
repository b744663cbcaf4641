"""The core every part shares: money and rounding, the error root, the canonical order, statuses, categories."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flowtui.engine.core import accounts, money, statuses
from flowtui.engine.core.errors import FlowError, InvalidInput, NotFound, SourceError
from flowtui.engine.core.orders import (
    LINE_FIELDS,
    ORDER_FIELDS,
    ORDER_STRUCTURE,
    PAYMENT_FIELDS,
    Order,
    OrderLine,
    Payment,
)
from flowtui.engine.core.records import COUNTED_SUMMARY, SUMMARY_FIELDS, SUMMARY_LABELS
from flowtui.engine.core.statuses import OrderStatus, OrderType
from flowtui.engine.setup.demo import write_demo_files


def D(value) -> Decimal:
    return Decimal(str(value))


# -- money: 5-sen cash rounding --------------------------------------------------------------------


@pytest.mark.parametrize("amount, rounded", [
    ("10.00", "10.00"), ("10.01", "10.00"), ("10.02", "10.00"), ("10.03", "10.05"), ("10.04", "10.05"),
    ("10.05", "10.05"), ("10.06", "10.05"), ("10.07", "10.05"), ("10.08", "10.10"), ("10.09", "10.10"),
    ("0.01", "0.00"), ("0.03", "0.05"), ("0.99", "1.00"),
    ("-10.01", "-10.00"), ("-10.02", "-10.00"), ("-10.03", "-10.05"), ("-10.04", "-10.05"),
    ("-10.06", "-10.05"), ("-10.07", "-10.05"), ("-10.08", "-10.10"), ("-10.09", "-10.10"),
    ("10.024", "10.00"), ("10.025", "10.05"),  # to the sen first, half up
])
def test_cash_rounds_to_five_sen_like_bank_negara_says(amount, rounded):
    got = money.cash_round(D(amount))
    assert got == D(rounded) and got.as_tuple().exponent == -2  # to the sen, as the books keep it


def test_cash_rounding_in_sen_and_in_ringgit_agree():
    for sen in range(-1000, 1001):
        assert money.cash_round(Decimal(sen).scaleb(-2)) == Decimal(money.cash_round_sen(sen)).scaleb(-2)
        assert money.cash_round_sen(sen) % 5 == 0 and abs(money.cash_round_sen(sen) - sen) <= 2


@pytest.mark.parametrize("value, sen", [("1.005", "1.01"), ("1.004", "1.00"), ("-1.005", "-1.01"), ("2", "2.00")])
def test_to_sen_rounds_half_up(value, sen):
    assert str(money.to_sen(D(value))) == sen


def test_as_sen_is_exact_or_refuses():
    assert [money.as_sen(D(v)) for v in ("12.05", "-0.50", "7")] == [1205, -50, 700]
    with pytest.raises(InvalidInput, match="more than 2 decimals"):
        money.as_sen(D("1.001"))


# -- money: text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    ("1234.5", "1,234.50"), ("0", "0.00"), ("-0.00", "0.00"), ("-0.001", "0.00"), ("-12.30", "-12.30"),
    ("1234567.891", "1,234,567.89"), (None, ""),
])
def test_money_for_people(value, text):
    assert money.money(None if value is None else D(value)) == text


def test_signed_money_for_people():
    assert [money.money(D(v), signed=True) for v in ("0.05", "-0.02", "-0.00", "1234")] == [
        "+0.05", "-0.02", "+0.00", "+1,234.00"]


@pytest.mark.parametrize("value, text", [("3.5", "3.50"), ("3.3333", "3.3333"), ("1234.125", "1,234.125"),
                                         (None, "")])
def test_price_for_people(value, text):
    assert money.price(None if value is None else D(value)) == text


@pytest.mark.parametrize("value, text", [("1234.5", "1234.50"), ("-0.5", "-0.50"), ("7", "7.00"), (None, None)])
def test_amount_text_for_machines(value, text):
    assert money.amount_text(None if value is None else D(value)) == text


@pytest.mark.parametrize("value, text", [("3.5000", "3.50"), ("0.8125", "0.8125"), ("12", "12.00"), (None, None)])
def test_price_text_for_machines(value, text):
    assert money.price_text(None if value is None else D(value)) == text


def test_exact_text_never_rounds_nor_uses_an_exponent():
    assert [money.exact_text(D(v)) for v in ("7.00", "3.5000", "0.005")] == ["7.00", "3.5000", "0.005"]
    assert money.exact_text(Decimal("1E+1")) == "10"


def test_every_money_helper_is_the_one_rule():
    from flowtui.cli import output
    from flowtui.engine.core import formats
    from flowtui.engine.ledger import journal
    from flowtui.engine.minipos import checkout

    assert formats.money is money.money and formats.price is money.price
    assert output.show_money is money.money and output.money is money.amount_text
    assert output.price is money.price_text
    assert checkout.cash_round is money.cash_round and checkout.sen is money.to_sen
    assert journal.sen is money.as_sen


# -- one error root ----------------------------------------------------------------------------------


def test_every_error_for_people_derives_from_one_root():
    from flowtui.connectors import base
    from flowtui.connectors.file.reader import FileSourceError
    from flowtui.connectors.storehub.client import StoreHubError

    assert base.SourceError is SourceError  # re-exported where sources always found it
    for error in (SourceError, FileSourceError, StoreHubError, InvalidInput, NotFound):
        assert issubclass(error, FlowError)
    assert SourceError("folder gone").exit_code == 1


# -- the canonical order -----------------------------------------------------------------------------


def _docs_example(n: int) -> str:
    """The ``n``-th NDJSON line of docs/orders.md's example."""
    text = (Path(__file__).parents[2] / "docs" / "orders.md").read_text(encoding="utf-8")
    block = text[text.index("```json\n") + len("```json\n"):]
    return block[:block.index("```")].splitlines()[n]


def test_an_order_writes_the_canonical_json_of_the_docs():
    sale = Order(
        id="KL-1001", number="1001", store_id="KL", time="2026-10-01T03:15:00Z", subtotal=D("20.00"),
        service_charge=D("2.00"), tax=D("1.32"), rounding=D("-0.02"), total=D("23.30"),
        lines=(OrderLine(sku="KOPI", name="Kopi O", quantity=2, unit_price=D("10.00"), tax=D("1.20"), tax_code="SV6",
                         amount=D("20.00")),),
        payments=(Payment(method="Cash", amount=D("23.30")),),
    )
    ret = Order(
        id="KL-1002", store_id="KL", time=datetime(2026, 10, 1, 12, 0, tzinfo=ZoneInfo("Asia/Kuala_Lumpur")),
        type=OrderType.RETURN, original_id="KL-1001", total=D("10.60"), tax=D("0.60"),
        lines=(OrderLine(sku="KOPI", quantity=1, unit_price=D("10.00"), tax=D("0.60"), tax_code="SV6",
                         amount=D("10.00")),),
        payments=(Payment(method="Cash", amount=D("10.60")),),
    )
    assert json.dumps(sale.as_dict(), separators=(",", ":")) == _docs_example(0)
    assert ret.as_dict() == json.loads(_docs_example(1))  # (the docs write its total before its tax)


def test_an_order_leaves_out_what_is_not_given_and_passes_a_sources_values_on():
    assert Order().as_dict() == {} and Order(lines=(), payments=()).as_dict() == {"lines": [], "payments": []}
    line = OrderLine(sku="A", quantity=D("1.500"), unit_price=2.5, discount="0", amount=D("3.75"))
    assert line.as_dict() == {"sku": "A", "quantity": "1.500", "unit_price": 2.5, "discount": "0", "amount": "3.75"}
    order = Order(id="X", status=OrderStatus.VOIDED, total=D("1E+1"), extra={"note": "kept"})
    assert order.to_json() == '{"id": "X", "status": "voided", "total": "10", "note": "kept"}'
    assert Order(time=datetime(2026, 10, 1, 3, 15, 9, 999)).as_dict() == {"time": "2026-10-01T03:15:09Z"}


def test_an_order_carries_shipping_and_a_tip_when_given():
    order = Order(id="S-1", service_charge=D("1.00"), shipping=D("8.00"), tax=D("0.48"), tip=D("5.00"),
                  total=D("14.48"))
    assert order.to_json() == ('{"id": "S-1", "service_charge": "1.00", "shipping": "8.00", "tax": "0.48", '
                               '"tip": "5.00", "total": "14.48"}')
    assert "shipping" not in Order(id="S-2").as_dict() and "tip" not in Order(id="S-2").as_dict()
    web = Order(id="WEB-2001", store_id="online", time="2026-10-01T05:00:00Z", subtotal=D("20.00"), shipping=D("8.00"),
                tax=D("1.68"), tip=D("5.00"), total=D("34.68"),
                lines=(OrderLine(sku="KOPI", quantity=2, unit_price=D("10.00"), tax=D("1.20"), tax_code="SV6",
                                 amount=D("20.00")),),
                payments=(Payment(method="shopify_payments", amount=D("34.68")),))
    assert json.dumps(web.as_dict(), separators=(",", ":")) == _docs_example(2)
    assert ORDER_STRUCTURE["shipping"] == ORDER_STRUCTURE["tip"] == "DECIMAL(18,6)"


def test_landing_parses_the_fields_the_model_declares():
    assert tuple(ORDER_STRUCTURE) == (*ORDER_FIELDS, "lines", "payments")
    assert tuple(ORDER_STRUCTURE["lines"][0]) == LINE_FIELDS == tuple(f.name for f in fields(OrderLine))
    assert tuple(ORDER_STRUCTURE["payments"][0]) == PAYMENT_FIELDS == ("method", "amount")
    assert ORDER_STRUCTURE["total"] == "DECIMAL(18,6)" and ORDER_STRUCTURE["time"] == "VARCHAR"


def test_the_demo_builds_orders_whose_files_are_unchanged_to_the_byte(tmp_path):
    """Running the demo again writes the very same files, so re-reading them lands nothing new."""
    files = write_demo_files(tmp_path, date(2026, 10, 31), datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    assert [hashlib.sha256(f.read_bytes()).hexdigest()[:16] for f in files] == [
        "17064e665d43a11e", "8dcb22e2bd8d2f11"]


# -- account categories and the digest summary, defined once ----------------------------------------


def test_account_categories_are_one_table_the_books_and_the_listing_read():
    from flowtui.engine.ledger import books
    from flowtui.engine.storage.digest_listing import DIGESTS_SQL

    assert books.CATEGORY_TYPES is accounts.CATEGORY_TYPES and books.POSTING_CATEGORIES is accounts.POSTING_CATEGORIES
    assert books.ACCOUNT_TYPES == ("asset", "liability", "equity", "income", "expense")
    assert list(accounts.CATEGORY_TYPES) == list(accounts.Category)  # every category, in one order
    assert set(books.DEFAULT_CATEGORIES) == set(accounts.Category)
    assert accounts.POSTING_CATEGORIES == ("sales", "returns", "discount", "service_charge", "tax", "rounding",
                                           "shipping", "tips")
    assert ("(VALUES ('sales'), ('returns'), ('discount'), ('service_charge'), ('tax'), ('rounding'), ('shipping'), "
            "('tips'))") in DIGESTS_SQL
    assert (books.DEFAULT_CATEGORIES["shipping"], books.DEFAULT_CATEGORIES["tips"]) == ("4200", "2200")
    assert accounts.CATEGORY_TYPES["shipping"] == ("income",) and accounts.CATEGORY_TYPES["tips"] == ("liability",)


def test_the_digest_summary_fields_are_one_list():
    from flowtui.engine.digests.rollup import SUMMARY_MONEY
    from flowtui.engine.storage.views import V_DIGESTS

    assert SUMMARY_FIELDS == ("gross_sales", "returns", "discount", "service_charge", "shipping", "tax", "tips",
                              "rounding", "net_total")
    assert SUMMARY_MONEY == list(SUMMARY_FIELDS) and COUNTED_SUMMARY[2:] == SUMMARY_FIELDS
    assert SUMMARY_LABELS["net_total"] == "Net total"
    assert ", ".join(COUNTED_SUMMARY) in V_DIGESTS.sql


# -- statuses as enums whose values are the stored text ---------------------------------------------


@pytest.mark.parametrize("kind, stored", [
    (statuses.OrderType, ("sale", "return")),
    (statuses.OrderStatus, ("completed", "voided")),
    (statuses.DigestStatus, ("open", "ready", "needs_attention", "posted", "changed")),
    (statuses.DocumentStatus, ("posted", "reversed")),
    (statuses.DocumentRole, ("original", "adjustment", "reversal")),
    (statuses.SyncStatus, ("running", "ok", "warning", "failed", "cancelled", "interrupted")),
    (statuses.RejectionState, ("open", "corrected", "fixed", "superseded", "dismissed")),
    (statuses.PostStatus, ("posted", "adjusted", "unchanged", "already_posted", "refused")),
    (accounts.AccountType, ("asset", "liability", "equity", "income", "expense")),
])
def test_every_status_is_the_text_the_books_store(kind, stored):
    assert statuses.values(kind) == stored and all(type(v) is str for v in statuses.values(kind))
    for member, text in zip(kind, stored, strict=True):
        assert member == text and str(member) == text and f"{member}" == text
        assert json.dumps({"status": member}) == json.dumps({"status": text})


def test_lists_handed_to_click_are_plain_text():
    """``click.Choice`` shows an enum member by its name (``NEEDS_ATTENTION``): the lists it gets are texts."""
    from flowtui.engine.digests.store import DIGEST_STATUSES

    for listed in (DIGEST_STATUSES, accounts.ACCOUNT_TYPES, accounts.POSTING_CATEGORIES, tuple(accounts.CATEGORY_TYPES),
                   *accounts.CATEGORY_TYPES.values()):
        assert all(type(v) is str for v in listed), listed
    assert DIGEST_STATUSES == ("open", "ready", "needs_attention", "posted", "changed")


def test_names_sort_naturally_numbers_as_numbers_case_aside():
    from flowtui.engine.core.names import natural_key

    names = ["Outlet 10", "outlet 2", "Outlet 1", "Kiosk", None, "Outlet 2b", "Outlet 02a", "KL 3 Level 10", "KL 3 Level 9"]
    assert sorted(names, key=natural_key) == [
        "Kiosk", "KL 3 Level 9", "KL 3 Level 10", "Outlet 1", "outlet 2", "Outlet 02a", "Outlet 2b", "Outlet 10", None]
