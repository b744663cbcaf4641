"""Running numbers come from one allocator (:mod:`flowtui.engine.ledger.sequences`): the number a
format previews is the number posting then gives, and a till's numbers run in the same table."""

from __future__ import annotations

from datetime import date

from flowtui.engine.ledger import sequences
from tests.factories import order, write_ndjson
from tests.integration.test_posting import books  # noqa: F401  (fixture)

FORMAT = "KL-{yyyy}{mm}-{seq:04}"


def test_the_previewed_number_is_the_one_posting_gives_and_then_it_moves_on(books, orders_dir):  # noqa: F811
    write_ndjson(orders_dir / "orders.ndjson", [order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 1, "3.50")])])
    books.sync(["pos"])
    books.map_location("pos", "KL", "KL Sentral", number_format=FORMAT)
    day = date(2026, 10, 1)
    assert books.next_number(FORMAT, day) == "KL-202610-0001"
    [posted] = books.post(everything=True)
    assert posted.documents == [("invoice", "KL-202610-0001")]
    assert books.next_number(FORMAT, day) == "KL-202610-0002"
    assert books.next_number(FORMAT, date(2026, 11, 1)) == "KL-202611-0001"  # a monthly format restarts


def test_a_scope_taken_one_at_a_time_and_a_block_of_numbers_share_the_table(flow):
    flow.init(name="Numbers")
    with flow.db.write() as con:
        assert sequences.last(con, "minipos:1") == 0
        assert [sequences.take(con, "minipos:1") for _ in range(3)] == [1, 2, 3]
        block = sequences.Numbers(con)
        assert [block.next("T-{seq}", date(2026, 1, 1)) for _ in range(2)] == ["T-1", "T-2"]
        assert sequences.last(con, "T-{seq}") == 0  # taken in the unit of work, written with what they number
        block.save()
        assert sequences.last(con, "T-{seq}") == 2
        assert sequences.preview(con, "T-{seq}", date(2026, 1, 1)) == "T-3"
        assert sequences.last(con, "minipos:1") == 3
