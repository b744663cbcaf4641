"""The engine's words for people: an instant where it happened, labelled; a digest's summary as a sum."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from flowtui.engine.core.clock import local_stamp, zone_label
from flowtui.engine.core.records import summary_sum

AT = datetime(2026, 10, 1, 2, 3, tzinfo=UTC)


def test_an_instant_is_written_where_it_happened_with_its_zone():
    assert local_stamp(AT, "Asia/Kuala_Lumpur") == "2026-10-01 10:03 UTC+8"  # tzdata has no word for it: "+08"
    assert local_stamp(AT, "Asia/Jakarta", day=False) == "09:03 WIB"
    assert local_stamp(AT, "America/New_York") == "2026-09-30 22:03 EDT"  # the day it was there
    assert local_stamp(None, "Asia/Kuala_Lumpur") == ""
    assert [zone_label(z, AT) for z in ("UTC", "Asia/Kathmandu", "America/Noronha")] == ["UTC", "UTC+5:45", "UTC-2"]


sen = st.integers(-10**9, 10**9).map(lambda n: D(n).scaleb(-2))


@given(gross=sen, returns=sen, parts=st.lists(sen, min_size=6, max_size=6),
       returned=st.lists(sen, min_size=6, max_size=6))
def test_the_summary_lines_add_up_to_the_net_whatever_the_day(gross, returns, parts, returned):
    names = ("discount", "service_charge", "shipping", "tax", "tips", "rounding")
    summary = {"gross_sales": gross, "returns": returns, "net_total": gross - returns, **dict(zip(names, parts))}
    lines = summary_sum(summary, dict(zip(names, returned)))
    sold = {name: part + back for name, part, back in zip(names, parts, returned)}
    expected = ["Gross sales", "Discounts", "Service charge", "Shipping", "Tax", "Tips", "Rounding", "Returns",
                "Net total"]
    shown = [label for label in expected if label not in ("Shipping", "Tips") or sold[label.lower()]]
    assert [label for label, _ in lines] == shown  # shipping and tips only on days that have some
    *above, (_, net) = lines
    assert sum(amount for _, amount in above) == net == gross - returns
    # the lines down to rounding are the sales as charged: the invoice's total
    assert sum(amount for _, amount in above[:-1]) == gross
