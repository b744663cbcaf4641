"""The Bukku sandbox over real HTTP: auth headers, reference lists, sales invoices and credit notes as Bukku takes
and shows them, Laravel's 422 bodies, exact totals, linking, its ledger, and its faults (429, 503, lost answers)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest

from flowtui.sandbox.bukku import BukkuSandbox


@pytest.fixture()
def bukku():
    with BukkuSandbox(rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture()
def api(bukku):
    with httpx.Client(base_url=bukku.base_url, headers=bukku.headers(), timeout=30) as client:
        yield client


def cash_sale(**changes) -> dict:
    """Three Kopi O at RM 2.80, SST 6% included, paid in cash at KLCC."""
    body = {"payment_mode": "cash", "contact_id": 1, "number": "INV-0001", "date": "2026-11-30",
            "currency_code": "MYR", "exchange_rate": 1, "tax_mode": "inclusive", "status": "ready",
            "form_items": [{"account_id": 9, "description": "Kopi O", "unit_price": "2.80", "quantity": 3,
                            "tax_code_id": 1, "product_id": 1, "location_id": 2}],
            "deposit_items": [{"account_id": 1, "amount": "8.40", "payment_method_id": 1}]}
    body.update(changes)
    return body


def credit_sale(number: str = "INV-0100", amount: str = "100.00", contact: int = 2) -> dict:
    return {"payment_mode": "credit", "contact_id": contact, "number": number, "date": "2026-11-30",
            "currency_code": "MYR", "exchange_rate": 1, "tax_mode": "exclusive", "status": "ready",
            "form_items": [{"account_id": 9, "description": "Catering", "unit_price": amount, "quantity": 1}],
            "term_items": [{"date": "2026-12-30", "payment_due": "100%"}]}


def credit_note(target: int, apply: str, number: str = "CN-0001", amount: str = "30.00", contact: int = 2) -> dict:
    return {"contact_id": contact, "number": number, "date": "2026-12-01", "currency_code": "MYR",
            "exchange_rate": 1, "tax_mode": "exclusive", "status": "ready",
            "form_items": [{"account_id": 14, "description": "Returned", "unit_price": amount, "quantity": 1}],
            "link_items": [{"target_transaction_id": target, "apply_amount": apply}]}


def errors_of(reply: httpx.Response) -> dict:
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["message"] == next(iter(body["errors"].values()))[0] or "(and " in body["message"]
    return body["errors"]


# -- auth ------------------------------------------------------------------------------------------------------
def test_a_missing_or_wrong_token_is_401_and_another_company_is_403(bukku):
    url = f"{bukku.base_url}/accounts"
    assert httpx.get(url).status_code == 401
    wrong = httpx.get(url, headers={**bukku.headers(), "Authorization": "Bearer nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"message": "Unauthenticated."})
    other = httpx.get(url, headers={**bukku.headers(), "Company-Subdomain": "someone-else"})
    assert other.status_code == 403 and other.json()["message"]
    no_company = {k: v for k, v in bukku.headers().items() if k != "Company-Subdomain"}
    assert httpx.get(url, headers=no_company).status_code == 403
    assert httpx.get(url, headers={**bukku.headers(), "Company-Subdomain": "KEDAI-KOPI"}).status_code == 200


# -- reference data ----------------------------------------------------------------------------------------------
def test_accounts_locations_contacts_products_and_the_lists_endpoint(api):
    accounts = api.get("/accounts").json()["accounts"]
    assert {a["code"]: a["name"] for a in accounts}["3100"] == "SST Payable"
    assert all(not a["is_archived"] for a in accounts)
    assert any(a["is_archived"] for a in api.get("/accounts", params={"is_archived": "true"}).json()["accounts"])
    lists = api.post("/v2/lists", json={"lists": ["tax_codes", "payment_methods"], "params": []}).json()
    codes = {t["code"]: t for t in lists["tax_codes"]["items"]}
    assert codes["SV-6"]["rate"] == 6 and codes["SR-10"]["rate"] == 10 and codes["SE"]["is_exempted"]
    assert {p["name"] for p in lists["payment_methods"]["items"]} >= {"Cash", "Credit Card", "GrabPay"}
    assert errors_of(api.post("/v2/lists", json={"lists": ["tax_codez"]})) == {
        "lists.0": ["The selected lists.0 is invalid."]}
    locations = api.get("/locations").json()
    assert [x["code"] for x in locations["locations"]] == ["HQ", "KLCC", "PJ"]
    contacts = api.get("/contacts").json()
    assert contacts["contacts"][0]["legal_name"] == "Cash Sales" and contacts["paging"]["total"] >= 3
    found = api.get("/products", params={"search": "kopi-o"}).json()["products"]
    assert [(p["id"], p["sku"]) for p in found] == [(1, "KOPI-O")]
    assert api.get("/products/1").json()["product"]["units"][0]["label"] == "unit"


def test_a_contact_is_created_with_a_unique_code(api):
    body = {"legal_name": "Grab Food Customers", "contact_code": "C-GRAB", "entity_type": "MALAYSIAN_INDIVIDUAL",
            "types": ["customer"]}
    made = api.post("/contacts", json=body).json()["contact"]
    assert made["id"] > 3 and api.get(f"/contacts/{made['id']}").json()["contact"]["legal_name"] == "Grab Food Customers"
    assert errors_of(api.post("/contacts", json=body)) == {"contact_code": ["The contact code has already been taken."]}
    assert set(errors_of(api.post("/contacts", json={}))) == {"legal_name", "contact_code", "entity_type", "types"}


# -- invoices: totals -----------------------------------------------------------------------------------------------
def test_an_inclusive_cash_sale_takes_the_tax_out_of_its_lines(api):
    made = api.post("/sales/invoices", json=cash_sale())
    assert made.status_code == 200, made.text
    invoice = made.json()["transaction"]
    line = invoice["form_items"][0]
    assert (line["amount"], line["tax_amount"], line["net_amount"]) == (8.4, 0.48, 7.92)  # 8.40 × 6/106
    assert (line["product_sku"], line["location_code"], line["tax_code"]) == ("KOPI-O", "KLCC", "SV-6")
    assert (invoice["amount"], invoice["balance"], invoice["type"]) == (8.4, 0, "sale_invoice")
    assert api.get(f"/sales/invoices/{invoice['id']}").json()["transaction"]["number"] == "INV-0001"


def test_an_exclusive_sale_adds_tax_per_line_after_discounts(api):
    body = cash_sale(tax_mode="exclusive", form_items=[
        {"account_id": 9, "description": "Nasi Lemak", "unit_price": "6.90", "quantity": "3", "discount": "10%",
         "tax_code_id": 1},  # 20.70 - 2.07 = 18.63, tax 1.1178 -> 1.12
        {"account_id": 9, "description": "Beans", "unit_price": "32.00", "quantity": "0.5", "discount": "1.00",
         "tax_code_id": 3},  # 16.00 - 1.00 = 15.00, tax 1.50
        {"type": "subtitle", "description": "Takeaway"},
        {"account_id": 11, "description": "Service charge", "unit_price": "1.8630", "quantity": 1}],  # 1.86
        deposit_items=[{"account_id": 5, "amount": "30.00", "payment_method_id": 3},
                       {"account_id": 1, "amount": "8.11"}])
    invoice = api.post("/sales/invoices", json=body).json()["transaction"]
    assert [x.get("tax_amount") for x in invoice["form_items"]] == [1.12, 1.5, None, 0]
    assert Decimal(str(invoice["amount"])) == Decimal("18.63") + Decimal("1.12") + Decimal("15.00") + \
        Decimal("1.50") + Decimal("1.86")
    assert invoice["balance"] == 0


def test_the_deposits_of_a_cash_sale_must_equal_its_total(api):
    errors = errors_of(api.post("/sales/invoices", json=cash_sale(deposit_items=[{"account_id": 1, "amount": "8.00"}])))
    assert errors == {"deposit_items": ["The total deposit amount (8.00) must be equal to the transaction amount (8.40)."]}
    assert errors_of(api.post("/sales/invoices", json=cash_sale(deposit_items=None))) == {
        "deposit_items": ["The deposit items field is required."]}


# -- invoices: validation -----------------------------------------------------------------------------------------
def test_every_required_field_is_named(api):
    errors = errors_of(api.post("/sales/invoices", json={}))
    assert set(errors) == {"payment_mode", "contact_id", "date", "currency_code", "exchange_rate", "tax_mode",
                           "form_items", "status"}
    assert errors["contact_id"] == ["The contact id field is required."]
    reply = api.post("/sales/invoices", content=b"{not json", headers={"Content-Type": "application/json"})
    assert reply.status_code == 422 and reply.json()["message"].endswith("(and 7 more errors)")


@pytest.mark.parametrize("item, field, message", [
    ({"account_id": 999}, "form_items.0.account_id", "The selected form items.0.account id is invalid."),
    ({"account_id": 15}, "form_items.0.account_id", "The selected form items.0.account id is invalid."),  # archived
    ({"tax_code_id": 6}, "form_items.0.tax_code_id", "The selected form items.0.tax code id is invalid."),  # purchase
    ({"tax_code_id": 99}, "form_items.0.tax_code_id", "The selected form items.0.tax code id is invalid."),
    ({"location_id": 4}, "form_items.0.location_id", "The selected form items.0.location id is invalid."),  # archived
    ({"product_id": 42}, "form_items.0.product_id", "The selected form items.0.product id is invalid."),
    ({"product_unit_id": 2}, "form_items.0.product_unit_id", "The selected form items.0.product unit id is invalid."),
    ({"quantity": "1.23456"}, "form_items.0.quantity", "The form items.0.quantity field must have 0-4 decimal places."),
    ({"unit_price": "abc"}, "form_items.0.unit_price", "The form items.0.unit price must be a number."),
    ({"description": ""}, "form_items.0.description", "The form items.0.description field is required."),
    ({"discount": "ten"}, "form_items.0.discount", "The form items.0.discount format is invalid."),
])
def test_a_bad_line_is_refused_with_its_field(api, item, field, message):
    body = cash_sale()
    body["form_items"][0].update(item)
    errors = errors_of(api.post("/sales/invoices", json=body))
    assert errors == {field: [message]}


@pytest.mark.parametrize("change, field", [
    ({"contact_id": 404}, "contact_id"), ({"currency_code": "USD"}, "currency_code"),
    ({"date": "30/11/2026"}, "date"), ({"date": "2026-02-30"}, "date"), ({"tax_mode": "gross"}, "tax_mode"),
    ({"status": "posted"}, "status"), ({"payment_mode": "cheque"}, "payment_mode"),
    ({"exchange_rate": 0}, "exchange_rate"), ({"number": "N" * 51}, "number"),
])
def test_a_bad_header_field_is_refused(api, change, field):
    assert field in errors_of(api.post("/sales/invoices", json=cash_sale(**change)))


def test_a_taken_number_is_refused_and_counted_and_a_missing_one_is_given(api, bukku):
    assert api.post("/sales/invoices", json=cash_sale()).status_code == 200
    assert errors_of(api.post("/sales/invoices", json=cash_sale())) == {
        "number": ["The number has already been taken."]}
    given = api.post("/sales/invoices", json=cash_sale(number=None)).json()["transaction"]
    assert given["number"] == "IV-00001"
    summary = api.get("/_sandbox/summary").json()
    assert summary["invoices"]["rejected_duplicates"] == ["INV-0001"] and summary["invoices"]["count"] == 2


def test_with_unique_numbers_off_duplicates_show_in_the_summary():
    with BukkuSandbox(rate_limit=None, unique_numbers=False) as sandbox:
        for _ in range(2):
            assert httpx.post(f"{sandbox.base_url}/sales/invoices", json=cash_sale(),
                              headers=sandbox.headers()).status_code == 200
        assert sandbox.summary()["invoices"]["duplicates"] == ["INV-0001"]


def test_a_credit_sale_needs_its_terms(api):
    body = credit_sale()
    del body["term_items"]
    assert errors_of(api.post("/sales/invoices", json=body)) == {"term_items": ["The term items field is required."]}


# -- lists ---------------------------------------------------------------------------------------------------------
def test_invoices_are_found_by_number_date_and_page(api):
    for day, n in (("2026-11-01", 1), ("2026-11-02", 2), ("2026-11-02", 3), ("2026-11-03", 13)):
        assert api.post("/sales/invoices", json=cash_sale(number=f"INV-{n:04d}", date=day)).status_code == 200
    found = api.get("/sales/invoices", params={"search": "inv-0001"}).json()
    assert [t["number"] for t in found["transactions"]] == ["INV-0001"]  # a keyword search: INV-0013 differs
    assert {t["number"] for t in api.get("/sales/invoices", params={"search": "INV-000"}).json()["transactions"]} == {
        "INV-0001", "INV-0002", "INV-0003"}
    days = api.get("/sales/invoices", params={"date_from": "2026-11-02", "date_to": "2026-11-02"}).json()
    assert sorted(t["number"] for t in days["transactions"]) == ["INV-0002", "INV-0003"]
    first = api.get("/sales/invoices", params={"page_size": 3, "sort_by": "number", "sort_dir": "asc"}).json()
    second = api.get("/sales/invoices", params={"page_size": 3, "page": 2, "sort_by": "number", "sort_dir": "asc"}).json()
    assert first["paging"] == {"current_page": 1, "per_page": 3, "total": 4}
    assert [t["number"] for t in first["transactions"] + second["transactions"]] == [
        "INV-0001", "INV-0002", "INV-0003", "INV-0013"]
    assert "form_items" not in first["transactions"][0]


def test_a_voided_invoice_leaves_the_default_list_and_the_totals(api):
    invoice = api.post("/sales/invoices", json=cash_sale()).json()["transaction"]
    voided = api.patch(f"/sales/invoices/{invoice['id']}", json={"status": "void"}).json()["transaction"]
    assert voided["status"] == "void"
    assert api.get("/sales/invoices").json()["paging"]["total"] == 0
    assert [t["status"] for t in api.get("/sales/invoices", params={"status": "all"}).json()["transactions"]] == ["void"]
    assert errors_of(api.patch(f"/sales/invoices/{invoice['id']}", json={"status": "ready"})) == {
        "status": ["The status cannot be changed from void to ready."]}
    summary = api.get("/_sandbox/summary").json()
    assert summary["invoices"]["count"] == 0 and summary["invoices"]["statuses"] == {"void": 1}
    assert api.get("/sales/invoices/999999").status_code == 404


# -- credit notes ------------------------------------------------------------------------------------------------
def test_a_credit_note_applies_to_its_invoice_up_to_the_balance(api):
    invoice = api.post("/sales/invoices", json=credit_sale()).json()["transaction"]
    note = api.post("/sales/credit_notes", json=credit_note(invoice["id"], "30.00"))
    assert note.status_code == 200, note.text
    note = note.json()["transaction"]
    assert (note["type"], note["amount"], note["balance"]) == ("sale_credit_note", 30, 0)
    assert note["link_items"][0]["number"] == "INV-0100"
    after = api.get(f"/sales/invoices/{invoice['id']}").json()["transaction"]
    assert after["balance"] == 70 and after["linked_items"][0]["number"] == "CN-0001"
    too_much = credit_note(invoice["id"], "80.00", number="CN-0002", amount="80.00")
    assert errors_of(api.post("/sales/credit_notes", json=too_much)) == {
        "link_items.0.apply_amount": ["The apply amount may not be greater than the balance of INV-0100 (70.00)."]}
    more_than_note = credit_note(invoice["id"], "40.00", number="CN-0003", amount="30.00")
    assert "link_items" in errors_of(api.post("/sales/credit_notes", json=more_than_note))
    summary = api.get("/_sandbox/summary").json()["credit_notes"]
    assert summary["links"] == [{"from": "CN-0001", "type": "sale_credit_note", "to": "INV-0100", "apply_amount": "30.00"}]
    assert errors_of(api.patch(f"/sales/invoices/{invoice['id']}", json={"status": "void"}))["status"]
    api.patch(f"/sales/credit_notes/{note['id']}", json={"status": "void"})
    assert api.get(f"/sales/invoices/{invoice['id']}").json()["transaction"]["balance"] == 100


def test_a_credit_note_links_only_to_a_ready_invoice_of_its_contact_with_a_balance(api):
    other = api.post("/sales/invoices", json=credit_sale(contact=3)).json()["transaction"]
    assert errors_of(api.post("/sales/credit_notes", json=credit_note(other["id"], "10.00"))) == {
        "link_items.0.target_transaction_id": ["The selected link items.0.target transaction id is invalid."]}
    assert "link_items.0.target_transaction_id" in errors_of(api.post("/sales/credit_notes", json=credit_note(9999, "1")))
    paid = api.post("/sales/invoices", json=cash_sale(contact_id=2)).json()["transaction"]  # a cash sale: balance 0
    assert errors_of(api.post("/sales/credit_notes", json=credit_note(paid["id"], "1.00", amount="1.00"))) == {
        "link_items.0.apply_amount": ["The apply amount may not be greater than the balance of INV-0001 (0.00)."]}
    unlinked = {k: v for k, v in credit_note(paid["id"], "1.00").items() if k != "link_items"}
    assert api.post("/sales/credit_notes", json=unlinked).status_code == 200
    assert api.get("/_sandbox/summary").json()["credit_notes"]["unlinked"] == ["CN-0001"]


def test_a_refund_pays_a_credit_note_out(api):
    note = {k: v for k, v in credit_note(0, "0").items() if k != "link_items"}
    note = api.post("/sales/credit_notes", json=note).json()["transaction"]
    refund = {"contact_id": 2, "date": "2026-12-01", "currency_code": "MYR", "exchange_rate": 1, "status": "ready",
              "deposit_items": [{"account_id": 1, "amount": "30.00"}],
              "link_items": [{"target_transaction_id": note["id"], "apply_amount": "30.00"}]}
    made = api.post("/sales/refunds", json=refund)
    assert made.status_code == 200, made.text
    assert api.get(f"/sales/credit_notes/{note['id']}").json()["transaction"]["balance"] == 0
    summary = api.get("/_sandbox/summary").json()
    assert summary["refunds"]["links"][0]["to"] == "CN-0001" and summary["credit_notes"]["unlinked"] == []
    assert summary["accounts"]["1000-00"]["credit"] == "30.00"


# -- journal entries ------------------------------------------------------------------------------------------------
def test_a_journal_entry_must_balance(api):
    body = {"date": "2026-11-30", "currency_code": "MYR", "exchange_rate": 1, "status": "ready",
            "journal_items": [{"line": 1, "account_id": 6, "debit_amount": "10.00"},
                              {"line": 2, "account_id": 13, "debit_amount": "0.50"},
                              {"line": 3, "account_id": 2, "credit_amount": "10.50"}]}
    assert api.post("/journal_entries", json=body).status_code == 200
    body["journal_items"][2]["credit_amount"] = "10.00"
    assert errors_of(api.post("/journal_entries", json=body)) == {
        "journal_items": ["The total debit (10.50) must be equal to the total credit (10.00)."]}


# -- the ledger ----------------------------------------------------------------------------------------------------
def test_the_summary_balances_and_counts_per_type(api):
    api.post("/sales/invoices", json=cash_sale())
    invoice = api.post("/sales/invoices", json=credit_sale()).json()["transaction"]
    api.post("/sales/credit_notes", json=credit_note(invoice["id"], "30.00"))
    summary = api.get("/_sandbox/summary").json()
    assert (summary["invoices"]["count"], summary["invoices"]["amount"], summary["invoices"]["tax"]) == (2, "108.40", "0.48")
    assert summary["invoices"]["deposits"] == "8.40" and summary["invoices"]["by_date"] == {"2026-11-30": "108.40"}
    assert (summary["credit_notes"]["count"], summary["credit_notes"]["amount"]) == (1, "30.00")
    accounts = summary["accounts"]
    assert sum(Decimal(a["debit"]) for a in accounts.values()) == sum(Decimal(a["credit"]) for a in accounts.values())
    assert accounts["1001"]["balance"] == "70.00" and accounts["5000"]["credit"] == "107.92"
    assert summary["requests"]["by_status"]["200"] >= 3


# -- faults --------------------------------------------------------------------------------------------------------
def test_more_than_the_rate_limit_in_a_second_is_429_with_retry_after(bukku, api):
    bukku.rate_limit = 10
    now = [100.0]
    bukku.clock = lambda: now[0]
    assert [api.get("/locations").status_code for _ in range(10)] == [200] * 10
    limited = api.get("/locations")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert limited.json() == {"message": "Too Many Attempts."}
    now[0] += 1.0
    ok = api.get("/locations")
    assert ok.status_code == 200 and ok.headers["X-RateLimit-Remaining"] == "9"


def test_every_nth_request_fails_with_503(bukku, api):
    bukku.fail_every = 3
    assert [api.get("/accounts").status_code for _ in range(6)] == [200, 200, 503, 200, 200, 503]


def test_a_lost_answer_still_leaves_the_invoice_in_the_books(bukku, api):
    bukku.drop_responses = 1
    with pytest.raises(httpx.TransportError):
        api.post("/sales/invoices", json=cash_sale())
    found = api.get("/sales/invoices", params={"search": "INV-0001"}).json()["transactions"]
    assert [t["number"] for t in found] == ["INV-0001"]
    assert errors_of(api.post("/sales/invoices", json=cash_sale()))["number"]


def test_the_command_serves_until_ctrl_c():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "flowtui", "sandbox", "bukku", "--port", "0", "--token", "tok",
                                "--subdomain", "my-shop"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[0].split()[3]
        assert url.startswith("http://127.0.0.1:") and "Bearer tok" in lines[1] and "my-shop" in lines[1]
        reply = httpx.get(f"{url}/accounts", headers={"Authorization": "Bearer tok", "Company-Subdomain": "my-shop"})
        assert reply.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_one_location_is_shown_at_the_singular_path_and_bad_paging_is_422(api):
    assert api.get("/location/2").json()["location"]["code"] == "KLCC"
    assert api.get("/locations/2").status_code == 404
    assert api.get("/contacts", params={"page": "two"}).status_code == 422
    assert api.get("/sales/invoices", params={"page_size": "x"}).status_code == 422
    assert api.get("/sales/invoices", params={"status": "paid"}).status_code == 422
    assert api.delete("/sales/invoices").status_code == 405


def test_nothing_is_accepted_in_a_locked_period(bukku, api):
    bukku.books.lock_date = "2026-11-30"
    assert errors_of(api.post("/sales/invoices", json=cash_sale())) == {
        "date": ["The date must be a date after 2026-11-30: the period up to it is locked."]}
    assert api.post("/sales/invoices", json=cash_sale(date="2026-12-01")).status_code == 200


def test_a_month_of_sales_adds_up_in_the_ledger(api):
    import random

    rng = random.Random(7)
    expected = {"amount": Decimal(0), "tax": Decimal(0), "net": Decimal(0)}
    for day in range(1, 31):
        for n in range(3):
            lines = [{"account_id": 9, "description": f"Item {k}", "quantity": rng.choice(["1", "2", "0.5", "3"]),
                      "unit_price": f"{rng.randint(100, 5000) / 100:.2f}", "tax_code_id": rng.choice([1, 2, 3, 5]),
                      "location_id": rng.choice([1, 2, 3])} for k in range(rng.randint(1, 4))]
            mode = rng.choice(["inclusive", "exclusive"])
            quote = api.post("/sales/invoices", json=cash_sale(number=f"D{day:02d}-{n}", date=f"2026-11-{day:02d}",
                                                               tax_mode=mode, form_items=lines,
                                                               deposit_items=[{"account_id": 1, "amount": "0.01"}]))
            total = errors_of(quote)["deposit_items"][0].split("(")[2].split(")")[0]  # what it comes to
            made = api.post("/sales/invoices", json=cash_sale(number=f"D{day:02d}-{n}", date=f"2026-11-{day:02d}",
                                                              tax_mode=mode, form_items=lines, deposit_items=[
                                                                  {"account_id": 5, "amount": total}]))
            invoice = made.json()["transaction"]
            expected["amount"] += Decimal(total)
            expected["tax"] += sum(Decimal(str(x["tax_amount"])) for x in invoice["form_items"])
            expected["net"] += sum(Decimal(str(x["net_amount"])) for x in invoice["form_items"])
    summary = api.get("/_sandbox/summary").json()
    assert summary["invoices"]["count"] == 90 and Decimal(summary["invoices"]["amount"]) == expected["amount"]
    assert expected["net"] + expected["tax"] == expected["amount"]
    accounts = summary["accounts"]
    assert Decimal(accounts["5000"]["credit"]) == expected["net"] and Decimal(accounts["3100"]["credit"]) == expected["tax"]
    assert Decimal(accounts["1010"]["debit"]) == expected["amount"] and accounts["1001"]["balance"] == "0.00"
    assert len(summary["invoices"]["by_date"]) == 30


def test_company_settings_cash_rounding_and_myinvois(bukku, api):
    bukku.books.cash_rounding = True
    body = cash_sale(form_items=[{"account_id": 9, "description": "Teh", "unit_price": "3.52", "quantity": 1}],
                     deposit_items=[{"account_id": 1, "amount": "3.50"}])
    invoice = api.post("/sales/invoices", json=body).json()["transaction"]
    assert (invoice["amount"], invoice["rounding_amount"], invoice["rounding_on"]) == (3.5, -0.02, True)
    assert api.get("/_sandbox/summary").json()["accounts"]["5003"]["debit"] == "0.02"
    bukku.books.myinvois = True
    assert errors_of(api.post("/sales/invoices", json=cash_sale(number="INV-0002"))) == {
        "myinvois_action": ["The myinvois action field is required."]}
    assert api.post("/sales/invoices", json=cash_sale(number="INV-0002", myinvois_action="NORMAL")).status_code == 200
    assert api.post("/sales/invoices", json=cash_sale(number="INV-0003", status="draft")).status_code == 200


def test_a_card_deposit_with_a_fee_lands_less_the_fee(api):
    body = cash_sale(deposit_items=[{"account_id": 6, "amount": "8.40", "payment_method_id": 2, "fee_text": "2%",
                                     "fee_account_id": 13}])
    assert api.post("/sales/invoices", json=body).status_code == 200
    accounts = api.get("/_sandbox/summary").json()["accounts"]
    assert (accounts["1011"]["debit"], accounts["6100"]["debit"]) == ("8.23", "0.17")
    del body["deposit_items"][0]["fee_account_id"]
    assert errors_of(api.post("/sales/invoices", json={**body, "number": "INV-0002"})) == {
        "deposit_items.0.fee_account_id": ["The deposit items.0.fee account id field is required."]}


def test_a_draft_credit_note_applies_only_once_ready(api):
    invoice = api.post("/sales/invoices", json=credit_sale()).json()["transaction"]
    draft = api.post("/sales/credit_notes", json={**credit_note(invoice["id"], "30.00"), "status": "draft"}).json()
    assert api.get(f"/sales/invoices/{invoice['id']}").json()["transaction"]["balance"] == 100
    other = api.post("/sales/credit_notes", json=credit_note(invoice["id"], "80.00", number="CN-0002", amount="80.00"))
    assert other.status_code == 200
    assert errors_of(api.patch(f"/sales/credit_notes/{draft['transaction']['id']}", json={"status": "ready"})) == {
        "link_items.0.apply_amount": ["The apply amount may not be greater than the balance of INV-0100 (20.00)."]}
    api.patch(f"/sales/credit_notes/{other.json()['transaction']['id']}", json={"status": "void"})
    ready = api.patch(f"/sales/credit_notes/{draft['transaction']['id']}", json={"status": "ready"})
    assert ready.json()["transaction"]["status"] == "ready"
    assert api.get(f"/sales/invoices/{invoice['id']}").json()["transaction"]["balance"] == 70


def test_the_knobs_are_reachable_over_http_for_a_sandbox_run_as_a_command(bukku, api):
    knobs = httpx.post(f"{bukku.base_url}/_sandbox/knobs", json={"drop_responses": 1, "lock_date": "2026-01-31"})
    assert knobs.json()["drop_responses"] == 1 and bukku.books.lock_date == "2026-01-31"
    assert api.post("/v2/lists", json={"lists": ["tax_codes"]}).status_code == 200  # a read: answered
    with pytest.raises(httpx.TransportError):
        api.post("/sales/invoices", json=cash_sale())
    assert httpx.get(f"{bukku.base_url}/_sandbox/knobs").json()["drop_responses"] == 0
    assert httpx.post(f"{bukku.base_url}/_sandbox/knobs", json={"colour": "blue"}).status_code == 422
    httpx.post(f"{bukku.base_url}/_sandbox/knobs", json={"fail_every": 2, "rate_limit": 0})
    assert (bukku.fail_every, bukku.rate_limit) == (2, None)


def test_a_slow_write_is_in_the_books_before_it_is_answered(bukku, api):
    import threading

    bukku.write_delay = 2.0
    answered: list[int] = []
    post = threading.Thread(target=lambda: answered.append(
        httpx.post(f"{bukku.base_url}/sales/invoices", json=cash_sale(), headers=bukku.headers()).status_code))
    post.start()
    try:
        while not api.get("/sales/invoices").json()["transactions"]:
            assert post.is_alive()
        assert answered == []  # seen in the books, its answer still on the way
    finally:
        post.join()
    assert answered == [200]


def test_the_summary_shows_which_invoice_a_credit_note_names(api):
    api.post("/sales/invoices", json=cash_sale())
    for number, ref in (("CN-0001", "INV-0001"), ("CN-0002", "INV-9999")):
        note = {k: v for k, v in credit_note(0, "0", number=number).items() if k != "link_items"}
        assert api.post("/sales/credit_notes", json={**note, "number2": ref}).status_code == 200
    assert api.get("/_sandbox/summary").json()["credit_notes"]["references"] == [
        {"from": "CN-0001", "number2": "INV-0001", "invoice": True},
        {"from": "CN-0002", "number2": "INV-9999", "invoice": False}]
