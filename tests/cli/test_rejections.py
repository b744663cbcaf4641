"""Nothing dropped silently (DESIGN.md invariant 11), as worked examples from the command line.

Input a sync cannot land — a line that is not JSON, a CSV file missing a
column or not UTF-8, an order that breaks a rule — is a rejection: it holds the
days it may belong to (they need attention, posted or not), `flowtui sync`
exits 3 while it is open, and `flowtui reconcile` fails until it is corrected
at the source or dismissed on the record.

The clock is frozen at 2026-10-10T04:00:00Z (noon in Kuala Lumpur): days up to
9 October are over. The orders, all at store KL (Kuala Lumpur, UTC+8), paid in
cash:

    K-1  2026-10-01  KOPI 1 x 3.50 = 3.50
    K-2  2026-10-02  TEH  1 x 2.80 = 2.80
    K-3  2026-10-03  ROTI 1 x 4.20 = 4.20
    K-4  2026-10-02  TEH  1 x 2.80 = 2.80   (the line that is at first not JSON)
    K-5  2026-10-05  MILO 1 x 3.00 = 3.00   (another file)
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from flowtui.connectors.base import Window
from flowtui.connectors.file.reader import FileConnector
from tests.cli_helpers import assert_clean_error
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

K1 = order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
K2 = order("K-2", "KL", "2026-10-02T03:00:00Z", [("TEH", 1, "2.80")])
K3 = order("K-3", "KL", "2026-10-03T03:00:00Z", [("ROTI", 1, "4.20")])
K4 = order("K-4", "KL", "2026-10-02T05:00:00Z", [("TEH", 1, "2.80")])
K5 = order("K-5", "KL", "2026-10-05T03:00:00Z", [("MILO", 1, "3.00")])
BROKEN_K4 = '{"id": "K-4", "store_id": "KL", "time": "2026-10-02T05:00:00Z", "total": '
CSV_HEADER = "order_id,store_id,time,total,payments,sku,name,quantity,unit_price\n"


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


@pytest.fixture
def shop(cli, orders_dir):
    """Books, the Kuala Lumpur location and a file stream 'Shop' reading ``orders_dir`` (empty)."""
    cli.ok("init")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur")
    return orders_dir


def days(cli) -> dict[str, dict]:
    return {r["date"]: r for r in cli.json("digests")}


def statuses(cli) -> dict[str, tuple[str, str]]:
    return {d: (r["amount"], r["status"]) for d, r in days(cli).items()}


# -- a line that is not JSON ---------------------------------------------------------------------


def test_a_line_that_is_not_json_holds_every_day_of_its_file_until_the_file_is_fixed(cli, shop):
    write_ndjson(shop / "days.ndjson", [K1, K2, BROKEN_K4, K3])
    write_ndjson(shop / "other.ndjson", [K5])
    result = cli("sync", "Shop")
    assert result.code == 3, result.err
    assert "1 entry could not be read or was rejected and is still open; see `flowtui rejections`" in result.err
    assert "days.ndjson:3: entry rejected: not valid JSON" in result.err

    # nothing says which day line 3 was: every day of days.ndjson (1 to 3 October) waits; 5 October does not
    assert statuses(cli) == {"2026-10-01": ("3.50", "needs_attention"), "2026-10-02": ("2.80", "needs_attention"),
                             "2026-10-03": ("4.20", "needs_attention"), "2026-10-05": ("3.00", "ready")}
    waiting = cli.json("digests", "--status", "needs_attention")
    assert [r["date"] for r in waiting] == ["2026-10-01", "2026-10-02", "2026-10-03"]

    [rejection] = cli.json("rejections")
    rid = rejection["id"]
    assert ISO_UTC.match(rejection.pop("first_seen_at"))
    assert rejection == {
        "id": rid, "stream": "Shop", "ref": "days.ndjson:3", "file": "days.ndjson", "lines": "3", "order_id": None,
        "pos_store_id": None, "business_date": None, "scope_from": "2026-10-01", "scope_to": "2026-10-03",
        "days": "2026-10-01 to 2026-10-03", "errors": ["not valid JSON"], "status": "open", "resolved_at": None,
        "dismissed_by": None, "dismiss_reason": None,
        "fix": f"fix the line in days.ndjson and sync again, or dismiss it: flowtui rejections dismiss {rid} "
               "--reason TEXT",
    }
    attention = cli.json("digest", "show", days(cli)["2026-10-02"]["id"])["attention"]
    assert attention == [
        "1 entry that could not be read may belong to this day (first: days.ndjson:3); fix the file and sync again, "
        f'or dismiss on the record: flowtui rejections dismiss {rid} --reason TEXT (all: flowtui rejections '
        '--stream "Shop")']
    table = cli.ok("rejections").out
    assert "days.ndjson:3" in table and "2026-10-01 to 2026-10-03" in table and "1 open:" in table

    # the file is fixed in place: line 3 is K-4 now
    write_ndjson(shop / "days.ndjson", [K1, K2, K4, K3])
    assert cli("sync", "Shop").code == 0
    assert statuses(cli) == {"2026-10-01": ("3.50", "ready"), "2026-10-02": ("5.60", "ready"),
                             "2026-10-03": ("4.20", "ready"), "2026-10-05": ("3.00", "ready")}
    assert cli.json("rejections") == []
    [fixed] = cli.json("rejections", "--all")
    assert (fixed["id"], fixed["status"]) == (rid, "fixed")
    assert ISO_UTC.match(fixed["resolved_at"])
    assert cli.ok("rejections", "--all").out.count("fixed") == 1


def test_a_file_that_is_moved_away_does_not_fix_what_it_held(cli, shop):
    write_ndjson(shop / "days.ndjson", [K1, BROKEN_K4])
    assert cli("sync", "Shop").code == 3
    (shop / "days.ndjson").rename(shop.parent / "archived.ndjson")  # K-1 stays landed; line 2 was never read
    result = cli("sync", "Shop")
    assert result.code == 3  # this run read nothing bad, but what the file held is still open
    assert "1 entry could not be read or was rejected and is still open" in result.err
    assert [r["ref"] for r in cli.json("rejections")] == ["days.ndjson:2"]
    assert statuses(cli) == {"2026-10-01": ("3.50", "needs_attention")}


# -- CSV files ------------------------------------------------------------------------------------


def test_a_csv_file_missing_a_column_holds_the_days_of_the_whole_sync(cli, shop):
    write_ndjson(shop / "a.ndjson", [K1, K2])
    (shop / "b.csv").write_text(
        "order_id,store_id,time,payments,sku,quantity,unit_price\n"  # no total
        "K-3,KL,2026-10-03T03:00:00Z,Cash:4.20,ROTI,1,4.20\n", encoding="utf-8")
    result = cli("sync", "Shop", "--json")
    assert result.code == 3
    [outcome] = result.json()
    assert (outcome["orders_new"], outcome["orders_rejected"], outcome["open_rejections"]) == (2, 1, 1)
    assert outcome["rejections"] == [{"ref": "b.csv", "order_id": None, "errors": [
        "missing column(s) total: no order in it can be read (see docs/orders.md); fix the file and sync again"]}]
    # no order of b.csv can be read at all: it may hold any day this sync read
    assert statuses(cli) == {"2026-10-01": ("3.50", "needs_attention"), "2026-10-02": ("2.80", "needs_attention")}
    [rejection] = cli.json("rejections")
    assert (rejection["ref"], rejection["file"], rejection["lines"], rejection["days"]) == \
        ("b.csv", "b.csv", None, "2026-10-01 to 2026-10-02")
    assert rejection["fix"].startswith("fix the file in b.csv and sync again")

    (shop / "b.csv").write_text(CSV_HEADER + "K-3,KL,2026-10-03T03:00:00Z,4.20,Cash:4.20,ROTI,Roti,1,4.20\n",
                                encoding="utf-8")
    assert cli("sync", "Shop").code == 0
    assert statuses(cli) == {"2026-10-01": ("3.50", "ready"), "2026-10-02": ("2.80", "ready"),
                             "2026-10-03": ("4.20", "ready")}
    assert [r["status"] for r in cli.json("rejections", "--all")] == ["fixed"]


def test_a_csv_file_that_is_not_utf8_rejects_its_bad_rows_and_lands_the_rest(cli, shop):
    text = (CSV_HEADER
            + "K-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,Caf\u00e9,1,3.50\n"  # Latin-1: not UTF-8
            + "K-2,KL,2026-10-02T03:00:00Z,2.80,Cash:2.80,TEH,Teh,1,2.80\n")
    (shop / "latin.csv").write_bytes(text.encode("latin-1"))
    result = cli("sync", "Shop")
    assert result.code == 3
    assert "latin.csv:2: order K-1 rejected: row 2: name is not UTF-8 text: save the file as UTF-8" in result.err
    # K-1's day is known, so only it waits (with nothing in it); K-2 landed
    assert statuses(cli) == {"2026-10-01": ("0.00", "needs_attention"), "2026-10-02": ("2.80", "ready")}

    (shop / "latin.csv").write_bytes(text.encode("utf-8"))  # saved as UTF-8
    assert cli("sync", "Shop").code == 0
    assert statuses(cli) == {"2026-10-01": ("3.50", "ready"), "2026-10-02": ("2.80", "ready")}
    assert [r["status"] for r in cli.json("rejections", "--all")] == ["corrected"]


def test_a_bad_row_never_costs_another_order_of_its_file(cli, shop):
    (shop / "mixed.csv").write_text(
        CSV_HEADER
        + "K-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,Kopi,1,3.50\n"  # line 2
        + "K-9,KL,2026-10-01T04:00:00Z,6.30,Cash:6.30,KOPI,Kopi,1,3.50\n"  # line 3: K-9's first row
        + "K-2,KL,2026-10-02T03:00:00Z,2.80,Cash:2.80,TEH,Teh,1,2.80\n"  # line 4
        + "K-9,KL,2026-10-01T04:00:00Z,6.30,Cash:6.30,TEH,Teh,abc,2.80\n"  # line 5: K-9's bad row
        + ",KL,2026-10-01T05:00:00Z,1.00,Cash:1.00,X,X,1,1.00\n",  # line 6: no order id
        encoding="utf-8")
    write_ndjson(shop / "lines.ndjson", ["{not json", K3])
    result = cli("sync", "Shop", "--json")
    assert result.code == 3
    [outcome] = result.json()
    assert outcome["orders_new"] == 3  # K-1, K-2 and K-3 all land
    assert sorted((r["ref"], r["order_id"]) for r in outcome["rejections"]) == [
        ("lines.ndjson:1", None), ("mixed.csv:3-5", "K-9"), ("mixed.csv:6", None)]
    assert {d: a for d, (a, _) in statuses(cli).items()} == {"2026-10-01": "3.50", "2026-10-02": "2.80",
                                                             "2026-10-03": "4.20"}


def test_a_quote_left_open_cannot_swallow_the_rows_below_it(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(
        CSV_HEADER
        + 'K-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,"Kopi,1,3.50\n'  # line 2: the quote is never closed
        + "K-2,KL,2026-10-02T03:00:00Z,2.80,Cash:2.80,TEH,Teh,1,2.80\n"  # line 3: inside K-1's name now
        + "K-3,KL,2026-10-03T03:00:00Z,4.20,Cash:4.20,ROTI,Roti,1,4.20\n",  # line 4
        encoding="utf-8")
    [batch] = FileConnector(path).fetch(Window())
    # K-1 is rejected, and its ref covers every line it swallowed: nothing vanishes unseen
    assert batch.refs == ["quote.csv:2-4"]
    assert batch.errors[0].startswith("row at lines 2-4: name runs over several lines (is a quote left open?")


def test_a_row_the_csv_module_cannot_read_is_an_entry_of_its_own(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(
        CSV_HEADER
        + "K-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,Kopi,1,3.50\n"  # line 2
        + "K-2,KL,2026-10-02T03:00:00Z,2.80,Cash:2.80,TEH," + "T" * 2_000_000 + ",1,2.80\n"  # line 3: over 1 MB
        + "K-3,KL,2026-10-03T03:00:00Z,4.20,Cash:4.20,ROTI,Roti,1,4.20\n",  # line 4
        encoding="utf-8")
    [batch] = FileConnector(path).fetch(Window())
    errors = dict(zip(batch.refs, batch.errors))
    assert errors["huge.csv:3"] == "a value is more than the 1 MB limit for an order"
    assert (errors["huge.csv:2"], errors["huge.csv:4"]) == (None, None)


# -- a rejected order in a posted day -------------------------------------------------------------


def test_a_rejected_order_holds_its_posted_day_until_the_correction_posts(cli, shop):
    write_ndjson(shop / "days.ndjson", [K1, K2])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    assert cli("reconcile").code == 0
    oct1 = days(cli)["2026-10-01"]

    # a late upload for 1 October whose payments do not add up
    write_ndjson(shop / "late.ndjson", [order("K-6", "KL", "2026-10-01T09:00:00Z", [("KOPI", 2, "3.50")],
                                              pay=[("Cash", "1.00")])])
    assert cli("sync", "Shop").code == 3
    assert statuses(cli) == {"2026-10-01": ("3.50", "needs_attention"), "2026-10-02": ("2.80", "posted")}
    refused = cli("post", oct1["id"])
    assert refused.code == 3
    assert "1 order(s) of this day were rejected (first: late.ndjson:1)" in refused.out
    reconcile = cli("reconcile", "--json")
    assert reconcile.code == 1
    by_day = {c["date"]: c for c in reconcile.json()}
    assert (by_day["2026-10-01"]["rejections"], by_day["2026-10-01"]["agrees"]) == (1, False)
    assert "order K-6 at late.ndjson:1 was rejected" in by_day["2026-10-01"]["differences"][0]
    assert (by_day["2026-10-02"]["rejections"], by_day["2026-10-02"]["agrees"]) == (0, True)

    # corrected at the source: the day changed, and posting the difference ties the books again
    write_ndjson(shop / "late.ndjson", [order("K-6", "KL", "2026-10-01T09:00:00Z", [("KOPI", 2, "3.50")])])
    assert cli("sync", "Shop").code == 0
    assert statuses(cli)["2026-10-01"] == ("10.50", "changed")
    assert cli("reconcile").code == 1  # not posted yet
    cli.ok("post", "--all")
    assert statuses(cli)["2026-10-01"] == ("10.50", "posted")
    assert cli("reconcile").code == 0
    assert [r["status"] for r in cli.json("rejections", "--all")] == ["corrected"]


# -- reconcile and dismissing -----------------------------------------------------------------------


def test_reconcile_fails_exactly_while_a_rejection_is_open_and_dismissing_is_on_the_record(cli, shop):
    write_ndjson(shop / "days.ndjson", [K1, K2, K3])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    assert cli("reconcile").code == 0

    write_ndjson(shop / "days.ndjson", [K1, K2, K3, BROKEN_K4])  # a line added to a posted file
    assert cli("sync", "Shop").code == 3
    assert {s for _, s in statuses(cli).values()} == {"needs_attention"}  # posted days, held
    failing = cli("reconcile")
    assert failing.code == 1
    assert "days.ndjson:4 could not be read" in failing.out
    assert "0 of 3 day(s) agree" in failing.out
    [rejection] = cli.json("rejections")

    assert_clean_error(cli("rejections", "dismiss", rejection["id"] + 100, "--reason", "x"), code=1,
                       says=f"No rejection with id {rejection['id'] + 100}")
    assert_clean_error(cli("rejections", "dismiss", rejection["id"], "--reason", "  "), code=2, says="--reason")
    assert_clean_error(cli("rejections", "dismiss", rejection["id"]), code=2)  # no --reason at all
    assert cli("reconcile").code == 1  # nothing was dismissed by the refusals

    done = cli.ok("rejections", "dismiss", rejection["id"], "--reason", "test line typed by hand, no sale")
    assert f"Dismissed rejection {rejection['id']} (days.ndjson:4)" in done.out
    assert cli("reconcile").code == 0
    assert {s for _, s in statuses(cli).values()} == {"posted"}
    assert cli.json("rejections") == []
    [record] = cli.json("rejections", "--all")
    assert (record["status"], record["dismiss_reason"]) == ("dismissed", "test line typed by hand, no sale")
    assert record["dismissed_by"]  # who (the operating-system user)
    assert ISO_UTC.match(record["resolved_at"])
    assert_clean_error(cli("rejections", "dismiss", rejection["id"], "--reason", "again"), code=2,
                       says="was dismissed by")

    # the same bad line read again stays dismissed: no new rejection, and the sync is clean
    assert cli("sync", "Shop").code == 0
    assert len(cli.json("rejections", "--all")) == 1


def test_when_nothing_says_which_day_reconcile_lists_the_rejection_on_its_own(cli, shop):
    (shop / "only.csv").write_text("id;store;total\n1;KL;3.50\n", encoding="utf-8")  # not our columns at all
    result = cli("sync", "Shop")
    assert result.code == 3
    assert cli.json("digests") == []
    [rejection] = cli.json("rejections")
    assert (rejection["days"], rejection["scope_from"], rejection["scope_to"]) == ("any day", None, None)
    checks = cli("reconcile", "--json")
    assert checks.code == 1
    [alone] = checks.json()
    assert (alone["date"], alone["rejections"], alone["agrees"]) == (None, 1, False)
    assert alone["differences"][0].startswith(f"only.csv could not be read (rejection {rejection['id']})")
    assert "no day Shop -: only.csv could not be read" in cli("reconcile").out
    cli.ok("rejections", "dismiss", rejection["id"], "--reason", "a price list dropped in the wrong folder")
    assert cli("reconcile").code == 0


# -- syncing the same bad input again ---------------------------------------------------------------


def test_syncing_the_same_bad_files_again_adds_no_rejection(cli, shop, db_path):
    write_ndjson(shop / "a.ndjson", [K1, BROKEN_K4, order("K-7", "KL", "2026-10-01T06:00:00Z",
                                                          [("KOPI", 1, "3.50")], pay=[("Cash", "9.99")])])
    (shop / "b.csv").write_text("order_id,store_id\nK-8,KL\n", encoding="utf-8")
    for _ in range(3):
        result = cli("sync", "Shop", "--json")
        assert result.code == 3
        assert result.json()[0]["open_rejections"] == 3
    assert sorted(r["ref"] for r in cli.json("rejections", "--all")) == ["a.ndjson:2", "a.ndjson:3", "b.csv"]
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM order_rejections").fetchall() == [(3,)]
        assert con.execute("SELECT count(*) FROM v_rejections WHERE open").fetchall() == [(3,)]
    finally:
        con.close()


def test_a_failed_stream_outranks_open_rejections_in_the_exit_code(cli, shop, tmp_path):
    write_ndjson(shop / "a.ndjson", [K1, BROKEN_K4])
    missing = tmp_path / "elsewhere"
    missing.mkdir()
    cli.ok("stream", "add", "Gone", "--provider", "file", "--path", missing)
    missing.rmdir()
    result = cli("sync", "Shop", "Gone")
    assert result.code == 1
    assert "Gone: failed" in result.out and "Shop: warning" in result.out


def test_the_listing_filters_by_stream_and_refuses_an_unknown_one(cli, shop, tmp_path):
    write_ndjson(shop / "a.ndjson", [BROKEN_K4])
    other = tmp_path / "other"
    other.mkdir()
    write_ndjson(other / "b.ndjson", ["[1, 2]"])
    cli.ok("stream", "add", "Kiosk", "--provider", "file", "--path", other)
    assert cli("sync", "Shop", "Kiosk").code == 3
    assert [(r["stream"], r["ref"]) for r in cli.json("rejections")] == [("Shop", "a.ndjson:1"),
                                                                        ("Kiosk", "b.ndjson:1")]
    assert [r["errors"] for r in cli.json("rejections", "--stream", "Kiosk")] == [["not a JSON object (got array)"]]
    assert_clean_error(cli("rejections", "--stream", "Nope"), code=1, says="Nope")


def test_an_older_file_keeps_its_rejections_through_the_upgrade(cli, shop, db_path):
    write_ndjson(shop / "a.ndjson", [K1, BROKEN_K4])
    assert cli("sync", "Shop").code == 3
    con = duckdb.connect(str(db_path))  # as a file written before migration 9 left it
    try:
        for column in ("scope_from", "scope_to", "last_seen_run_id", "resolution", "dismissed_at", "dismissed_by",
                       "dismiss_reason"):
            con.execute(f"DROP VIEW IF EXISTS v_rejections; ALTER TABLE order_rejections DROP COLUMN {column}")
        con.execute("UPDATE order_rejections SET order_key = ref")
        con.execute("DELETE FROM schema_migrations WHERE version >= 9")  # 9 and what came after it
    finally:
        con.close()
    [rejection] = cli.json("rejections")  # upgraded on open
    assert (rejection["ref"], rejection["status"], rejection["days"]) == ("a.ndjson:2", "open", "any day")
    assert cli("sync", "Shop").code == 3  # the same line: known under its new key, scoped again
    [again] = cli.json("rejections", "--all")
    assert (again["id"], again["days"]) == (rejection["id"], "2026-10-01")


def test_sync_json_lists_every_rejection_of_the_run(cli, shop):
    write_ndjson(shop / "a.ndjson", [K1, BROKEN_K4])
    result = cli("sync", "Shop", "--json")
    [outcome] = json.loads(result.out)
    assert {"open_rejections", "orders_rejected", "rejections"} <= set(outcome)
    assert (outcome["orders_rejected"], outcome["open_rejections"]) == (1, 1)
