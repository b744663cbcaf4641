"""Guard rails (issue #14, item 7): what flowtui refuses, and what it lets you take back, as worked examples.

The clock is frozen at 2026-10-10T04:00:00Z (12:00 on 10 October in Kuala Lumpur), so the days
below are over. The orders of the file stream "Shop" (KL is UTC+8, Bangkok UTC+7):

    K-1  store KL  2026-10-01T03:00:00Z  KOPI 2 x 3.50 = 7.00, Cash   -> KL day 1 Oct
    K-2  store KL  2026-10-01T16:30:00Z  TEH  1 x 2.80 = 2.80, GrabPay -> KL day 2 Oct (00:30 local)
    P-1  store PJ  2026-10-01T05:00:00Z  ROTI 1 x 4.20 = 4.20, Card    -> PJ day 1 Oct
"""

from __future__ import annotations

import re

import pytest

from flowtui.connectors.registry import SourceKey
from flowtui.engine.core import names
from flowtui.engine.core.errors import DatabaseMissing, InvalidInput, NotFound
from flowtui.engine.ledger import books
from flowtui.engine.services.flow import Flow
from flowtui.engine.storage.database import Database
from flowtui.engine.storage.digest_listing import DIGESTS_SQL
from tests.cli_helpers import Cli, assert_clean_error, invoke
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"
KL, PJ = "Kuala Lumpur", "Petaling Jaya"


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


@pytest.fixture
def shop(cli, orders_dir) -> Cli:
    """Books, two locations, file stream 'Shop' with KL and PJ mapped, GrabPay mapped to 1030, synced."""
    cli.ok("init")
    cli.ok("location", "add", KL)
    cli.ok("location", "add", PJ)
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("map", "location", "Shop", "KL", "--location", KL)
    cli.ok("map", "location", "Shop", "PJ", "--location", PJ)
    cli.ok("map", "payment", "Shop", "GrabPay", "--account", "1030")
    write_ndjson(orders_dir / "sales.ndjson", [
        order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),
        order("K-2", "KL", "2026-10-01T16:30:00Z", [("TEH", 1, "2.80")], pay=[("GrabPay", None)]),
        order("P-1", "PJ", "2026-10-01T05:00:00Z", [("ROTI", 1, "4.20")], pay=[("Card", None)]),
    ])
    cli.ok("sync", "Shop")
    return cli


def digest_of(cli: Cli, store: str, day: str) -> dict:
    [row] = [r for r in cli.json("digests") if (r["pos_store_id"], r["date"]) == (store, day)]
    return row


# -- stream remove ---------------------------------------------------------------------------------------------


def test_removing_a_stream_archives_it_and_keeps_its_books(shop):
    [posted] = shop.json("post", digest_of(shop, "KL", "2026-10-01")["id"])
    [invoice] = [d["number"] for d in posted["documents"]]
    balance = shop.json("ledger", "trial-balance")
    journal = shop.json("ledger", "journal")

    removed = shop.json("stream", "remove", "Shop")
    assert (removed["name"], removed["archived_at"]) == ("Shop", NOW)

    # it is gone from the list, but `--all` shows it, as archived
    assert shop.json("stream", "list") == []
    [row] = shop.json("stream", "list", "--all")
    assert (row["name"], row["archived_at"]) == ("Shop", NOW)
    assert "archived 2026-10-10" in shop.ok("stream", "list", "--all").out
    # the books are untouched and every digest and document can still be read
    assert shop.json("ledger", "trial-balance") == balance
    assert shop.json("ledger", "journal") == journal
    assert shop.json("invoice", "show", invoice)["total"] == "7.00"
    assert [(r["pos_store_id"], r["date"], r["status"]) for r in shop.json("digests", "--stream", "Shop")] == [
        ("KL", "2026-10-01", "posted"), ("PJ", "2026-10-01", "ready"), ("KL", "2026-10-02", "ready")]
    assert shop.json("digest", "show", digest_of(shop, "PJ", "2026-10-01")["id"])["summary"]["net_total"] == "4.20"

    # it no longer syncs: not by name, not with the nightly (auto sync) run
    assert_clean_error(shop("sync", "Shop"), says="was removed on 2026-10-10")
    assert "No streams to sync" in shop.ok("sync").out
    # its ready days are not posted, by id or with --all, and the reason says why
    pj = digest_of(shop, "PJ", "2026-10-01")["id"]
    refused = shop("post", pj, "--json")
    assert refused.code == 3
    assert refused.json()[0]["status"] == "refused"
    assert refused.json()[0]["reasons"][0].startswith("stream archived")
    refused = shop("post", "--all", "--json")
    assert refused.code == 3
    assert {r["digest_id"] for r in refused.json() if r["status"] == "refused"} == {
        pj, digest_of(shop, "KL", "2026-10-02")["id"]}
    assert shop.json("invoices") == [r for r in shop.json("invoices") if r["number"] == invoice]
    # nor can it be changed
    assert_clean_error(shop("map", "payment", "Shop", "Card", "--account", "1020"), says="was removed")
    assert_clean_error(shop("stream", "set", "Shop", "--grouping", "all"), says="was removed")


def test_a_removed_stream_keeps_its_name_and_cannot_be_removed_twice(shop, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shop.ok("stream", "remove", "Shop")
    assert_clean_error(shop("stream", "remove", "Shop"), says="already removed")
    assert_clean_error(shop("stream", "remove", "Nope"), says="No stream named 'Nope'")
    assert_clean_error(shop("stream", "add", "Shop", "--provider", "file", "--path", other),
                       says="belongs to a stream removed on 2026-10-10")
    shop.ok("stream", "add", "Shop 2", "--provider", "file", "--path", other)


def test_a_removed_till_rings_up_nothing_but_its_orders_stay_readable(cli):
    cli.ok("init")
    cli.ok("location", "add", KL)
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.00")
    cli.ok("stream", "add", "Till", "--provider", "minipos", "--location", KL)
    cli.ok("minipos", "sell", "Till", "--item", "KOPI", "--pay", "Cash")
    cli.ok("stream", "remove", "Till")
    assert_clean_error(cli("minipos", "sell", "Till", "--item", "KOPI", "--pay", "Cash"), says="was removed")
    assert_clean_error(cli("minipos", "close", "Till"), says="was removed")
    assert [o["number"] for o in cli.json("minipos", "orders", "Till")] == ["000001"]


def test_the_console_lists_only_streams_in_use(flow, orders_dir):
    flow.add_stream("Shop", "file", {"path": str(orders_dir)}, _settings())
    flow.add_stream("Old", "file", {"path": str(orders_dir)}, _settings(), force=True)
    flow.remove_stream("Old")
    assert [s.stream.name for s in flow.streams()] == ["Shop"]
    assert [(s.stream.name, s.stream.archived_at is not None) for s in flow.streams(include_archived=True)] == [
        ("Old", True), ("Shop", False)]
    with flow.db.read() as con:
        assert con.execute("SELECT stream FROM v_streams WHERE archived_at IS NOT NULL").fetchall() == [("Old",)]


def _settings():
    from flowtui.engine.setup.streams import StreamSettings

    return StreamSettings()


# -- unmap ---------------------------------------------------------------------------------------------------------


def test_unmapping_a_location_puts_its_days_back_to_needing_attention(shop):
    assert digest_of(shop, "PJ", "2026-10-01")["status"] == "ready"
    assert "no longer mapped (it was Petaling Jaya)" in shop.ok("unmap", "location", "Shop", "PJ").out
    pj = digest_of(shop, "PJ", "2026-10-01")
    assert (pj["status"], pj["location"]) == ("needs_attention", None)
    assert 'POS store "PJ" is not mapped to a location (flowtui map location "Shop" "PJ" --location NAME)' in \
        shop.json("digest", "show", pj["id"])["attention"]
    assert {r["pos_store_id"]: r["mapped"] for r in shop.json("mappings", "Shop")["locations"]} == {
        "KL": True, "PJ": False}
    assert_clean_error(shop("unmap", "location", "Shop", "PJ"), says="no mapping for POS store 'PJ'")
    assert_clean_error(shop("unmap", "location", "Shop", "XX"), says="no mapping for POS store 'XX'")
    shop.ok("map", "location", "Shop", "PJ", "--location", PJ)
    assert digest_of(shop, "PJ", "2026-10-01")["status"] == "ready"


def test_unmapping_a_location_in_another_time_zone_redates_its_orders_back(shop):
    # K-2 at 16:30 UTC on 1 Oct is 23:30 on 1 Oct in Bangkok, 00:30 on 2 Oct in Kuala Lumpur
    shop.ok("location", "add", "Bangkok", "--timezone", "Asia/Bangkok")
    shop.ok("map", "location", "Shop", "KL", "--location", "Bangkok")
    assert [(r["date"], r["amount"]) for r in shop.json("digests", "--location", "KL")] == [("2026-10-01", "9.80")]
    shop.ok("unmap", "location", "Shop", "KL")  # back to the books' time zone, Asia/Kuala_Lumpur
    assert [(r["date"], r["amount"], r["status"]) for r in shop.json("digests", "--location", "KL")] == [
        ("2026-10-01", "7.00", "needs_attention"), ("2026-10-02", "2.80", "needs_attention")]


def test_a_store_with_posted_documents_or_a_till_s_own_store_cannot_be_unmapped(shop):
    shop.ok("post", digest_of(shop, "KL", "2026-10-01")["id"])
    assert_clean_error(shop("unmap", "location", "Shop", "KL"), says="has posted documents at Kuala Lumpur")
    assert digest_of(shop, "KL", "2026-10-02")["location"] == KL
    shop.ok("stream", "add", "Till", "--provider", "minipos", "--location", KL)
    assert_clean_error(shop("unmap", "location", "Till", "MINIPOS"), says="is a till")


def test_unmapping_a_payment_method_falls_back_to_the_books_or_needs_attention(shop):
    assert digest_of(shop, "KL", "2026-10-02")["status"] == "ready"
    out = shop.ok("unmap", "payment", "Shop", "grabpay").out  # any case
    assert "'GrabPay' is no longer mapped; days paid by it need attention" in out
    kl2 = digest_of(shop, "KL", "2026-10-02")
    assert kl2["status"] == "needs_attention"
    assert any('"GrabPay" is not mapped' in a for a in shop.json("digest", "show", kl2["id"])["attention"])
    assert_clean_error(shop("unmap", "payment", "Shop", "GrabPay"), says="no mapping for payment method")

    # a method the books know by name goes back to the books' account
    shop.ok("map", "payment", "Shop", "Card", "--account", "1010")
    assert "books' payment method of that name (account 1020)" in shop.ok("unmap", "payment", "Shop", "Card").out
    card = {r["pos_method"]: r for r in shop.json("mappings", "Shop")["payments"]}["Card"]
    assert (card["account"], card["source"]) == ("1020", "default")


def test_unmapping_an_account_category_goes_back_to_the_default(shop):
    shop.ok("account", "add", "4110", "Delivery Fees", "--type", "income")
    shop.ok("map", "account", "Shop", "service_charge", "--account", "4110")
    assert "default account 4100" in shop.ok("unmap", "account", "Shop", "service_charge").out
    row = {r["category"]: r for r in shop.json("mappings", "Shop")["accounts"]}["service_charge"]
    assert (row["account"], row["source"]) == ("4100", "default")
    assert_clean_error(shop("unmap", "account", "Shop", "service_charge"), says="no mapping of its own")
    assert_clean_error(shop("unmap", "account", "Shop", "gratuity"), says="Unknown account category 'gratuity'")
    assert_clean_error(shop("unmap", "account", "Nope", "sales"), says="No stream named 'Nope'")


# -- mappings are checked by account type ---------------------------------------------------------------------


def test_a_payment_method_goes_to_an_asset_account_unless_forced(shop):
    refused = shop("map", "payment", "Shop", "Touch n Go", "--account", "4000")
    assert_clean_error(refused, says="Account 4000 (Sales) is an income account")
    assert "needs an asset account" in refused.err and "--force" in refused.err
    assert "Touch n Go" not in {r["pos_method"] for r in shop.json("mappings", "Shop")["payments"]}
    shop.ok("map", "payment", "Shop", "Touch n Go", "--account", "4000", "--force")
    assert {r["pos_method"]: r["account"] for r in shop.json("mappings", "Shop")["payments"]}["Touch n Go"] == "4000"


@pytest.mark.parametrize("category, account, says", [
    ("tax", "4000", "Account 4000 (Sales) is an income account, but tax needs a liability account"),
    ("sales", "2100", "Account 2100 (SST Payable) is a liability account, but sales needs an income account"),
    ("inventory", "5000", "is an expense account, but inventory needs an asset account"),
    ("cost_of_goods", "1200", "is an asset account, but cost of goods needs an expense account"),
    ("opening_balance", "1000", "but opening balance needs an equity account"),
])
def test_a_category_goes_to_an_account_of_its_type_unless_forced(shop, category, account, says):
    refused = shop("map", "account", "Shop", category, "--account", account)
    assert_clean_error(refused, says=says)
    assert "--force" in refused.err
    shop.ok("map", "account", "Shop", category, "--account", account, "--force")
    assert {r["category"]: r["account"] for r in shop.json("mappings", "Shop")["accounts"]}[category] == account


def test_categories_with_two_allowed_types_take_either(shop):
    shop.ok("account", "add", "6150", "Till Differences", "--type", "expense")
    shop.ok("map", "account", "Shop", "rounding", "--account", "6000")  # an expense account
    shop.ok("map", "account", "Shop", "cash_over_short", "--account", "6150")
    shop.ok("map", "account", "Shop", "cash-over-short", "--account", "4900")  # or income
    accounts = {r["category"]: r["account"] for r in shop.json("mappings", "Shop")["accounts"]}
    assert (accounts["rounding"], accounts["cash_over_short"]) == ("6000", "4900")


def test_one_list_of_categories():
    # every category a stream can map is listed with its allowed types; the default chart passes its own checks
    assert set(books.DEFAULT_CATEGORIES) <= set(books.CATEGORY_TYPES)
    chart = {code: kind for code, _name, kind in books.DEFAULT_CHART}
    for category, code in books.DEFAULT_CATEGORIES.items():
        assert chart[code] in books.CATEGORY_TYPES[category], (category, code)
    for _method, code in books.DEFAULT_PAYMENT_METHODS:
        assert chart[code] in books.PAYMENT_ACCOUNT_TYPES
    # the digest listing's SQL asks for exactly the posting categories
    missing = re.search(r"CROSS JOIN \(VALUES (.*?)\) c\(category\)", DIGESTS_SQL).group(1)
    assert tuple(re.findall(r"'(\w+)'", missing)) == books.POSTING_CATEGORIES
    assert set(books.POSTING_CATEGORIES) <= set(books.CATEGORY_TYPES)


def test_mappings_list_every_category_in_the_one_list_s_order(shop):
    assert [r["category"] for r in shop.json("mappings", "Shop")["accounts"]] == list(books.CATEGORY_TYPES)


# -- one source, one stream -----------------------------------------------------------------------------------


def test_a_second_stream_on_the_same_folder_or_a_file_in_it_is_refused(cli, orders_dir, tmp_path, monkeypatch):
    cli.ok("init")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    inside = write_ndjson(orders_dir / "day.ndjson", [])
    for path in (orders_dir, inside, tmp_path):  # the folder, a file in it, a folder holding it
        refused = cli("stream", "add", "Copy", "--provider", "file", "--path", path)
        assert_clean_error(refused, says=f"Stream 'Shop' already reads {orders_dir.resolve()}")
        assert "post them twice" in refused.err and "--force" in refused.err
    monkeypatch.chdir(orders_dir.parent)  # a relative path is the same folder
    assert_clean_error(cli("stream", "add", "Copy", "--provider", "file", "--path", "orders"), says="post them twice")
    sibling = tmp_path / "elsewhere"
    sibling.mkdir()
    cli.ok("stream", "add", "Elsewhere", "--provider", "file", "--path", sibling)
    # moving a stream onto another's folder is refused too, and allowed with --force
    assert_clean_error(cli("stream", "set", "Elsewhere", "--path", orders_dir), says="Stream 'Shop' already reads")
    cli.ok("stream", "set", "Elsewhere", "--path", sibling)  # its own folder again: fine
    cli.ok("stream", "set", "Elsewhere", "--path", orders_dir, "--force")
    cli.ok("stream", "add", "Copy", "--provider", "file", "--path", orders_dir, "--force")
    assert [r["name"] for r in cli.json("stream", "list")] == ["Copy", "Elsewhere", "Shop"]


def test_a_second_stream_on_the_same_storehub_account_is_refused(cli, monkeypatch):
    cli.ok("init")
    key = ("--api-key-env", "STOREHUB_KEY")
    cli.ok("stream", "add", "Shop", "--provider", "storehub", "--account", "kedai", *key)
    refused = cli("stream", "add", "Shop 2", "--provider", "storehub", "--account", "Kedai", *key)
    assert_clean_error(refused, says="Stream 'Shop' already reads StoreHub account kedai at https://api.storehubhq.com")
    assert "twice" in refused.err
    # another account, or the same name on another server (a sandbox), is another source
    cli.ok("stream", "add", "Other", "--provider", "storehub", "--account", "other", *key)
    cli.ok("stream", "add", "Sandbox", "--provider", "storehub", "--account", "kedai", "--base-url",
           "http://127.0.0.1:8765", *key)
    assert_clean_error(cli("stream", "set", "Other", "--account", "KEDAI"), says="already reads StoreHub account")
    cli.ok("stream", "add", "Shop 2", "--provider", "storehub", "--account", "kedai", "--force", *key)


def test_a_removed_stream_s_source_still_counts(shop, orders_dir):
    shop.ok("stream", "remove", "Shop")
    refused = shop("stream", "add", "New", "--provider", "file", "--path", orders_dir)
    assert_clean_error(refused, says="Stream 'Shop' (removed on 2026-10-10, its days already in the books)")


def test_sources_overlap_when_one_holds_the_other():
    folder = SourceKey(("file", "/", "shop"), "/shop")
    assert folder.overlaps(SourceKey(("file", "/", "shop", "a.ndjson"), "/shop/a.ndjson"))
    assert not folder.overlaps(SourceKey(("file", "/", "shop2"), "/shop2"))
    assert not folder.overlaps(SourceKey(("storehub", "/", "shop"), "x"))


# -- the currency -------------------------------------------------------------------------------------------------


def test_the_currency_cannot_change_once_documents_exist(shop):
    shop.ok("init", "--currency", "sgd")  # before any document: it can change
    shop.ok("init", "--currency", "MYR")
    shop.ok("post", "--all")
    refused = shop("init", "--currency", "SGD")
    assert_clean_error(refused, says="The books are kept in MYR and already hold 3 document(s)")  # one invoice a day
    assert "init --currency SGD" in refused.err
    shop.ok("init", "--currency", "myr", "--company", "Kedai Kopi")  # the same currency again is fine
    assert "Kedai Kopi (MYR," in shop.ok("init").out


# -- decimals are refused, not rounded ----------------------------------------------------------------------------


def test_prices_costs_rates_and_cash_with_too_many_decimals_are_refused(cli, tmp_path):
    cli.ok("init")
    cli.ok("location", "add", KL)
    for args, says in [
        (("--price", "3.12345", "--cost", "1"), "Price can have at most 4 decimals, not '3.12345'"),
        (("--price", "3.50", "--cost", "0.81255"), "Cost can have at most 4 decimals"),
        (("--price", "3.50", "--cost", "1", "--tax-rate", "6.125%"), "Tax rate in % can have at most 2 decimals"),
        (("--price", "3.50", "--cost", "1", "--tax-rate", "0.06125"), "Tax rate can have at most 4 decimals"),
    ]:
        assert_clean_error(cli("product", "add", "KOPI", "Kopi O", *args), says=says)
    assert cli.json("products") == []
    rows = tmp_path / "products.csv"
    rows.write_text("sku,name,price,cost,tax_rate\nKOPI,Kopi O,3.50,1.00,6.125%\n", encoding="utf-8")
    assert_clean_error(cli("products", "import", rows), says="products.csv:2: tax_rate in % can have at most 2")
    assert cli.json("products") == []

    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "0.8125", "--tax-rate", "6.25%")
    cli.ok("stream", "add", "Till", "--provider", "minipos", "--location", KL)
    for args, says in [
        (("--item", "KOPI", "--pay", "Card:3.725"), "Card: 3.725 has more than 2 decimals"),
        (("--item", "KOPI:1:0.125", "--pay", "Cash"), "Line discount can have at most 2 decimals"),
        (("--item", "KOPI", "--discount", "0.125", "--pay", "Cash"), "Order discount can have at most 2 decimals"),
    ]:
        assert_clean_error(cli("minipos", "sell", "Till", *args), says=says)
    assert cli.json("minipos", "orders", "Till") == []
    assert_clean_error(cli("minipos", "close", "Till", "--float", "50.005"), says="at most 2 decimals")
    assert_clean_error(cli("minipos", "close", "Till", "--counted", "12.3456"), says="at most 2 decimals")


def test_products_show_price_and_cost_with_every_decimal_they_have(cli):
    cli.ok("init")
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.125", "--cost", "0.8125")
    cli.ok("product", "add", "TEH", "Teh", "--price", "2.8", "--cost", "1")
    rows = {r["sku"]: (r["price"], r["cost"]) for r in cli.json("products")}
    assert rows == {"KOPI": ("3.125", "0.8125"), "TEH": ("2.80", "1.00")}
    table = cli.ok("products").out
    assert "3.125" in table and "0.8125" in table


# -- a read-only command never creates the books ------------------------------------------------------------------


READ_ONLY = [
    ["digests"], ["digest", "show", "1"], ["invoices"], ["invoice", "show", "INV-1"], ["ledger", "trial-balance"],
    ["ledger", "journal"], ["reconcile"], ["stream", "list"], ["products"], ["stock"], ["mappings", "Shop"],
    ["accounts"], ["locations"], ["contacts"], ["company", "show"], ["minipos", "orders", "Till"],
    ["digest", "pdf", "1"], ["invoice", "pdf", "INV-1"], ["stream", "stores", "Shop"],
]


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a))
def test_a_read_only_command_on_a_missing_database_says_so(tmp_path, args):
    missing = tmp_path / "nowhere" / "books.duckdb"
    result = invoke(args + (["--json"] if args[0] in ("digests", "accounts") else []), missing)
    assert_clean_error(result, says=f"There is no flowtui database at {missing}")
    assert "flowtui --db" in result.err and "init" in result.err
    assert not missing.exists() and not missing.parent.exists()


def test_flowtui_db_is_checked_the_same_and_writing_commands_still_create_the_books(tmp_path, monkeypatch):
    missing = tmp_path / "env.duckdb"
    monkeypatch.setenv("FLOWTUI_DB", str(missing))
    assert_clean_error(invoke(["ledger", "trial-balance"]), says=f"There is no flowtui database at {missing}")
    assert not missing.exists()
    assert invoke(["location", "add", KL]).code == 0
    assert missing.exists()
    assert invoke(["locations", "--json"]).json()[0]["name"] == KL


def test_a_database_that_must_exist_is_never_created(tmp_path):
    db = Database.at(tmp_path / "x.duckdb", must_exist=True)
    for unit in (db.read, db.write, db.session):
        with pytest.raises(DatabaseMissing, match="There is no flowtui database"):
            with unit():
                pass
    assert not db.path.exists()
    Flow(Database.at(db.path)).init()
    assert Flow(db).company().currency == "MYR"


# -- names: any case, and the nearest one when it is wrong -------------------------------------------------------


def test_unknown_filters_suggest_the_nearest_name(shop):
    for args, says in [
        (("digests", "--stream", "Shopp"), "No stream named 'Shopp'. Did you mean 'Shop'?"),
        (("digests", "--location", "Kuala Lumpr"), "No location or POS store named 'Kuala Lumpr'. Did you mean "
                                                   "'Kuala Lumpur'?"),
        (("post", "--stream", "Shp"), "Did you mean 'Shop'?"),
        (("reconcile", "--stream", "Shpo"), "Did you mean 'Shop'?"),
        (("invoices", "--location", "Petaling"), "No location named 'Petaling'"),
        (("stock", "--location", "Petalin Jaya"), "Did you mean 'Petaling Jaya'?"),
        (("digest", "pdf", "--from", "2026-10-01", "--stream", "Shopp", "-o", "x"), "Did you mean 'Shop'?"),
        (("invoice", "pdf", "--from", "2026-10-01", "--location", "Kuala Lumpr", "-o", "x"),
         "Did you mean 'Kuala Lumpur'?"),
        (("sync", "Shopp"), "Did you mean 'Shop'?"),
        (("map", "location", "Shop", "KL", "--location", "Kuala"), "No location named 'Kuala'"),
    ]:
        assert_clean_error(shop(*args), says=says)
    assert_clean_error(shop("digests", "--stream", "Zzz"), says="No stream named 'Zzz'. See")


def test_names_match_whatever_their_case(shop):
    everything = shop.json("digests", "--stream", "Shop")
    assert shop.json("digests", "--stream", "SHOP") == everything
    assert shop.json("digests", "--location", "kuala lumpur") == shop.json("digests", "--location", KL)
    assert [r["pos_store_id"] for r in shop.json("digests", "--location", "pj")] == ["PJ"]  # a POS store id
    shop.ok("map", "location", "shop", "KL", "--location", "KUALA LUMPUR", "--contact", "cash sales")
    assert shop.ok("post", "--stream", "shop").code == 0
    assert len(shop.json("invoices", "--location", "petaling jaya")) == 1
    assert shop.ok("reconcile", "--stream", "sHoP").code == 0
    assert [r["location"] for r in shop.json("stock", "--location", "kuala lumpur")] == []
    shop.ok("stream", "set", "shop", "--grouping", "all")
    assert shop.json("stream", "list")[0]["grouping"] == "all"


def test_names_that_differ_only_by_case_cannot_both_exist(shop, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    assert_clean_error(shop("stream", "add", "SHOP", "--provider", "file", "--path", other),
                       says="A stream named 'SHOP' already exists (as 'Shop'")
    assert_clean_error(shop("location", "add", "kuala lumpur"), says="Location 'kuala lumpur' already exists (as")
    assert_clean_error(shop("contact", "add", "CASH SALES"), says="already exists (as 'Cash Sales'")


def test_resolving_a_typed_name():
    stored = ["KL Sentral", "Kota Bharu", "kl sentral "]
    assert names.resolve("Kota Bharu", stored, "location", "x") == "Kota Bharu"
    assert names.resolve("kota bharu", stored, "location", "x") == "Kota Bharu"
    with pytest.raises(NotFound, match="Did you mean 'Kota Bharu'"):
        names.resolve("Kota Baru", stored, "location", "x")
    with pytest.raises(InvalidInput, match="could be the location"):
        names.resolve("KL SENTRAL ", ["KL Sentral", "kl sentral"], "location", "x")


# -- the till takes only methods it can post ------------------------------------------------------------------


def test_the_till_accepts_only_payment_methods_offered_or_mapped(cli):
    cli.ok("init")
    cli.ok("location", "add", KL)
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.00")
    cli.ok("stream", "add", "Till", "--provider", "minipos", "--location", KL)
    refused = cli("minipos", "sell", "Till", "--item", "KOPI", "--pay", "Foo:3.50")
    assert_clean_error(refused, says="'Foo' is not a payment method of MiniPOS 'Till'; use one of Cash, Card, E-wallet")
    assert "flowtui map payment 'Till' 'Foo' --account CODE" in refused.err
    assert cli.json("minipos", "orders", "Till") == []

    sold = cli.json("minipos", "sell", "till", "--item", "KOPI", "--pay", "card")  # any case, booked as offered
    assert sold["payments"] == [{"method": "Card", "amount": "3.50"}]
    assert_clean_error(cli("minipos", "return", "Till", sold["number"], "--refund", "Foo"), says="'Foo' is not")

    cli.ok("map", "payment", "Till", "Foo", "--account", "1030")
    assert cli.json("minipos", "sell", "Till", "--item", "KOPI", "--pay", "foo")["payments"] == [
        {"method": "Foo", "amount": "3.50"}]
    closed = cli.json("minipos", "close", "Till", "--date", "2026-10-10")
    assert closed["sync"] == "ok" and len(closed["documents"]) == 1  # the close can post what it took
