"""The core every part shares: money and rounding, the error root, the canonical order, statuses, categories."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flowtui.engine.core import money
from flowtui.engine.core.errors import FlowError, InvalidInput, NotFound, SourceError


def D(value) -> Decimal:  # noqa: N802  (reads like the Decimal it makes)
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
    from flowtui.engine.minipos import checkout

    assert formats.money is money.money and formats.price is money.price
    assert output.show_money is money.money and output.money is money.amount_text
    assert output.price is money.price_text
    assert checkout.cash_round is money.cash_round and checkout.sen is money.to_sen


# -- one error root ----------------------------------------------------------------------------------


def test_every_error_for_people_derives_from_one_root():
    from flowtui.connectors import base
    from flowtui.connectors.file.reader import FileSourceError
    from flowtui.connectors.storehub.client import StoreHubError

    assert base.SourceError is SourceError  # re-exported where sources always found it
    for error in (SourceError, FileSourceError, StoreHubError, InvalidInput, NotFound):
        assert issubclass(error, FlowError)
    assert SourceError("folder gone").exit_code == 1
