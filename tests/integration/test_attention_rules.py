"""The attention rules are stated once (:mod:`flowtui.engine.storage.digest_listing`): what the
listings call "needs attention", with which reasons, is exactly what posting refuses and why."""

from __future__ import annotations

from flowtui.engine.core import clock
from flowtui.engine.ledger.outcomes import MAPPINGS, SOURCE, WAIT, Cause, PostPreview, PostSummary, cause_of
from flowtui.engine.storage.digest_listing import OPEN_DAY, RULES
from flowtui.engine.storage.views import pin_now
from tests.factories import order, write_ndjson
from tests.integration.test_posting import books  # noqa: F401  (fixture)


def test_a_digest_the_listings_hold_is_refused_by_posting_with_the_very_same_reasons(books, orders_dir):  # noqa: F811
    write_ndjson(orders_dir / "orders.ndjson", [
        order("A1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50")], discount="0.50",
              pay=[("Voucher", "2.00"), ("Cash", None)]),  # a method nobody mapped, a category with no account
        order("B1", "KT", "2026-10-01T03:00:00Z", [("ROTI", 1, "5.00")]),  # a store mapped to no location
        order("A2", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")]),  # fine
        order("A3", "KL", "2026-10-10T02:00:00Z", [("KOPI", 1, "3.50")]),  # today in KL: not over yet
    ])
    books.sync(["pos"])
    books.map_location("pos", "KL", "KL Sentral")
    with books.db.write() as con:
        con.execute("DELETE FROM account_defaults WHERE category = 'discount'")

    listed = {(d.pos_store_id, str(d.date)): d for d in books.digests()}
    assert {k: d.status for k, d in listed.items()} == {
        ("KL", "2026-10-01"): "needs_attention", ("KT", "2026-10-01"): "needs_attention",
        ("KL", "2026-10-02"): "ready", ("KL", "2026-10-10"): "open"}
    console = {r.id: r.status for r in books.digest_page().rows}
    assert console == {d.id: d.status for d in listed.values()}
    shown = {d.id: books.digest(d.id).attention for d in listed.values()}
    with books.db.read() as con:
        pin_now(con, clock.now())
        viewed = dict(con.execute("SELECT digest_id, attention FROM v_digests").fetchall())
    assert viewed == shown

    kl, kt = listed["KL", "2026-10-01"].id, listed["KT", "2026-10-01"].id
    assert shown[kl] == [
        'payment method "Voucher" is not mapped to an account (flowtui map payment "pos" "Voucher" --account CODE)',
        'no account for "discount" (flowtui map account "pos" discount --account CODE)']
    assert shown[kt] == ['POS store "KT" is not mapped to a location (flowtui map location "pos" "KT" --location NAME)']

    outcomes = {o.digest_id: o for o in books.post([d.id for d in listed.values()])}
    assert (outcomes[kl].status, outcomes[kl].reasons) == ("refused", shown[kl])
    assert (outcomes[kt].status, outcomes[kt].reasons) == ("refused", shown[kt])
    assert outcomes[listed["KL", "2026-10-02"].id].status == "posted"
    today = outcomes[listed["KL", "2026-10-10"].id]
    assert (today.status, today.reasons) == ("refused", [OPEN_DAY])


def test_every_rule_is_either_a_row_rule_or_a_set_rule_with_a_reason():
    assert [r.name for r in RULES] == ["location", "payment", "account", "rejected orders", "unreadable entries",
                                       "short day"]
    for rule in RULES:
        assert bool(rule.when) != bool(rule.hits) and rule.reason and rule.reads and rule.says, rule.name


def test_a_refusals_cause_is_read_back_in_short_with_where_it_is_fixed(books, orders_dir):  # noqa: F811
    write_ndjson(orders_dir / "orders.ndjson", [
        order("A1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50")], discount="0.50",
              pay=[("Voucher", "2.00"), ("Cash", None)]),
        order("B1", "KT", "2026-10-01T03:00:00Z", [("ROTI", 1, "5.00")]),
        order("A3", "KL", "2026-10-10T02:00:00Z", [("KOPI", 1, "3.50")]),
    ])
    books.sync(["pos"])
    books.map_location("pos", "KL", "KL Sentral")
    with books.db.write() as con:
        con.execute("DELETE FROM account_defaults WHERE category = 'discount'")
    reasons = [reason for d in books.digests() for reason in books.digest(d.id).attention] + [OPEN_DAY]
    assert [cause_of(r) for r in reasons] == [
        Cause("payment method Voucher has no account", MAPPINGS), Cause("no account for discount", MAPPINGS),
        Cause("store KT has no location", MAPPINGS), Cause("the business day is not over yet", WAIT)]
    # the reasons of rejections, as the rules write them (tests/cli/test_rejections.py has them from real files)
    assert cause_of("2 order(s) of this day were rejected (first: bad.ndjson:2); fix them at the source and sync "
                    "again, or dismiss on the record: flowtui rejections dismiss 4 --reason TEXT") == Cause(
        "orders of the day were rejected", SOURCE)
    assert cause_of("1 entry that could not be read may belong to this day (first: days.ndjson:3); fix the file "
                    "and sync again") == Cause("entries that could not be read may belong to the day", SOURCE)
    assert cause_of("StoreHub returned 5,000 transactions. Check the day at the source; when it is complete, "
                    "dismiss on the record: flowtui rejections dismiss 3 --reason TEXT").fix == SOURCE


def test_the_preview_sorts_a_selection_as_posting_will(books, orders_dir):  # noqa: F811
    write_ndjson(orders_dir / "orders.ndjson", [
        order("A1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50")]),  # posted first
        order("A2", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")]),  # ready
        order("B1", "KT", "2026-10-01T03:00:00Z", [("ROTI", 1, "5.00")]),  # no location
        order("A3", "KL", "2026-10-10T02:00:00Z", [("KOPI", 1, "3.50")]),  # today: open
    ])
    books.sync(["pos"])
    books.map_location("pos", "KL", "KL Sentral")
    ids = {(d.pos_store_id, str(d.date)): d.id for d in books.digests()}
    books.post([ids["KL", "2026-10-01"]])
    selection = [ids["KL", "2026-10-01"], ids["KL", "2026-10-02"], ids["KT", "2026-10-01"], ids["KL", "2026-10-10"]]
    preview = books.preview_post(selection)
    assert preview == PostPreview(to_post=(ids["KL", "2026-10-02"],), already_posted=(ids["KL", "2026-10-01"],),
                                  open=(ids["KL", "2026-10-10"],), blocked=(ids["KT", "2026-10-01"],))
    done = PostSummary.of(books.post(selection))  # and posting does what it said
    assert [o.digest_id for o in done.created] == list(preview.to_post) and done.documents == 1
    assert [o.digest_id for o in done.already_posted] == list(preview.already_posted)
    assert sorted(o.digest_id for o in done.not_ready) == sorted(preview.not_ready)
    assert [(g.stream, g.cause.what, len(g.digests)) for g in done.groups] == [
        ("pos", "store KT has no location", 1), ("pos", "the business day is not over yet", 1)]
