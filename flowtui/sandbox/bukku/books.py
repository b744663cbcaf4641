"""The sandbox company's books: its reference lists (:mod:`.company`), the documents posted to it, their numbers,
balances and statuses, and the list endpoints' filters and paging.

Transaction ids are one sequence across every type (as Bukku's are). A document's ``balance`` is what is still open:
an invoice's amount less its deposits and the credit notes applied to it; a credit note's amount less what it is
applied to and what refunds paid out of it. Only ``ready`` documents apply amounts or move balances.
"""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

from flowtui.sandbox.bukku import company, sales
from flowtui.sandbox.bukku.rules import Errors

PREFIX = {"sale_invoice": "IV-", "sale_credit_note": "CN-", "sale_refund": "RF-", "journal_entry": "JE-"}
TRANSITIONS = {("draft", "pending_approval"), ("draft", "ready"), ("pending_approval", "ready"), ("ready", "void")}
MAX_PAGE_SIZE = 100
SORTABLE = ("number", "date", "contact_name", "number2", "title", "description", "amount", "balance", "created_at")


class Books:
    def __init__(self, unique_numbers: bool = True, cash_rounding: bool = False, myinvois: bool = False) -> None:
        self.lock = threading.RLock()
        self.unique_numbers, self.cash_rounding, self.myinvois = unique_numbers, cash_rounding, myinvois
        self.lock_date: str | None = None  # Bukku's period lock: nothing dated on or before it is accepted
        self.currencies = {"MYR"}
        self.accounts = {a["id"]: a for a in company.accounts()}
        self.tax_codes = {t["id"]: t for t in company.tax_codes()}
        self.payment_methods = {p["id"]: p for p in company.payment_methods()}
        self.locations = {x["id"]: x for x in company.locations()}
        self.contacts = {c["id"]: c for c in company.contacts()}
        self.products = {p["id"]: p for p in company.products()}
        self.documents: dict[int, dict] = {}
        self.rejected: Counter[str] = Counter()  # field -> how many rejected writes named it
        self.rejected_numbers: list[tuple[str, str]] = []  # (type, number) refused as already taken
        self._next_id = 1000
        self._next_line = 1
        self._serial: Counter[str] = Counter()
        self._tick = 0

    # -- numbers and ids ---------------------------------------------------------------------------------
    def number_taken(self, kind: str, number: str) -> bool:
        return self.unique_numbers and any(d["type"] == kind and d["number"] == number
                                           for d in self.documents.values())

    def _number(self, kind: str) -> str:
        while True:
            self._serial[kind] += 1
            candidate = f"{PREFIX[kind]}{self._serial[kind]:05d}"
            if not any(d["type"] == kind and d["number"] == candidate for d in self.documents.values()):
                return candidate

    def _stamp(self) -> str:
        self._tick += 1
        return f"2026-12-01 {self._tick // 3600 % 24:02d}:{self._tick // 60 % 60:02d}:{self._tick % 60:02d}"

    # -- writes ------------------------------------------------------------------------------------------
    def create(self, kind: str, body: dict) -> tuple[Errors, dict | None]:
        """Check ``body`` and, when it passes, store it as a new document of ``kind``."""
        with self.lock:
            if kind in ("sale_invoice", "sale_credit_note"):
                errors, record = sales.document(self, body, kind)
            elif kind == "sale_refund":
                errors, record = sales.refund(self, body)
            else:
                errors, record = sales.journal_entry(self, body)
            if record is None:
                self._reject(kind, body, errors)
                return errors, None
            self._next_id += 1
            stamp = self._stamp()
            record = {"id": self._next_id, **record, "created_at": stamp, "updated_at": stamp}
            record["number"] = record["number"] or self._number(kind)
            for group in ("form_items", "deposit_items", "term_items", "link_items", "journal_items"):
                for item in record.get(group) or []:
                    item["id"], self._next_line = self._next_line, self._next_line + 1
            self.documents[record["id"]] = record
            if record["status"] == "ready":
                self._apply(record)
            return errors, record

    def _reject(self, kind: str, body: dict, errors: Errors) -> None:
        for field in errors.bag:
            self.rejected[field] += 1
        if "The number has already been taken." in errors.bag.get("number", []):
            self.rejected_numbers.append((kind, str(body.get("number"))))

    def _apply(self, record: dict) -> None:
        """A document becoming ready: its links lower the balances of what they point at."""
        for link in record.get("link_items") or []:
            target = self.documents[link["target_transaction_id"]]
            target["balance"] -= link["apply_amount"]
            link["balance"] = target["balance"]
            target["linked_items"].append({"id": link["id"], "origin_transaction_id": record["id"],
                                           "type": record["type"], "number": record["number"],
                                           "date": record["date"], "amount": record["amount"],
                                           "balance": record["balance"], "apply_amount": link["apply_amount"]})

    def _unapply(self, record: dict) -> None:
        for link in record.get("link_items") or []:
            target = self.documents[link["target_transaction_id"]]
            target["balance"] += link["apply_amount"]
            target["linked_items"] = [x for x in target["linked_items"] if x["origin_transaction_id"] != record["id"]]

    def set_status(self, record: dict, status: object) -> Errors:
        """``PATCH``: draft → pending_approval → ready → void; void is final."""
        errors = Errors()
        with self.lock:
            if status not in ("draft", "pending_approval", "ready", "void"):
                errors.add("status", "The selected status is invalid.")
            elif (record["status"], status) not in TRANSITIONS:
                errors.add("status", f"The status cannot be changed from {record['status']} to {status}.")
            elif status == "void" and record.get("linked_items"):
                using = ", ".join(x["number"] for x in record["linked_items"])
                errors.add("status", f"This transaction is applied by {using}: void those first.")
            elif status == "ready":
                for n, link in enumerate(record.get("link_items") or []):
                    target = self.documents[link["target_transaction_id"]]
                    if target["status"] != "ready" or link["apply_amount"] > target["balance"]:
                        errors.add(f"link_items.{n}.apply_amount", "The apply amount may not be greater than the "
                                                                   f"balance of {target['number']} ({target['balance']}).")
            if errors:
                return errors
            if status == "void" and record["status"] == "ready":
                self._unapply(record)
            record["status"] = status
            record["updated_at"] = self._stamp()
            if status == "ready":
                self._apply(record)
            return errors

    def add_contact(self, body: dict) -> tuple[Errors, dict | None]:
        """``POST /contacts``: legal_name, types, entity_type and a unique contact_code (required since July 2026)."""
        errors = Errors()
        with self.lock:
            name = errors.text(body, "legal_name", 100, required=True)
            code = errors.text(body, "contact_code", 15, required=True)
            if code is not None and not all(c.isupper() or c.isdigit() or c in "_-" for c in code):
                errors.add("contact_code", "The contact code format is invalid.")
            elif code is not None and any(c["contact_code"] == code for c in self.contacts.values()):
                errors.add("contact_code", "The contact code has already been taken.")
            errors.one_of(body, "entity_type", ("MALAYSIAN_COMPANY", "MALAYSIAN_INDIVIDUAL", "FOREIGN_COMPANY",
                                                "FOREIGN_INDIVIDUAL", "EXEMPTED_PERSON"))
            types = errors.required(body, "types")
            if types is not None and not isinstance(types, list):
                errors.add("types", "The types must be an array.")
            elif types is not None and not all(t in ("customer", "supplier", "employee") for t in types):
                errors.add("types", "The selected types is invalid.")
            errors.text(body, "email", 255)
            errors.text(body, "phone_no", 60)
            if errors or name is None or code is None:
                self.rejected.update(errors.bag.keys())
                return errors, None
            ident = max(self.contacts) + 1
            record = company.contact(ident, code, name, body["entity_type"], body["types"],
                                     email=body.get("email"), phone_no=body.get("phone_no"),
                                     other_name=body.get("other_name"), remarks=body.get("remarks"))
            self.contacts[ident] = record
            return errors, record

    # -- reads -------------------------------------------------------------------------------------------
    def find(self, kind: str, ident: int) -> dict | None:
        record = self.documents.get(ident)
        return record if record is not None and record["type"] == kind else None

    def listing(self, kind: str, query: dict[str, str]) -> tuple[Errors, dict]:
        """``GET /sales/invoices`` and friends: filters, sort and a page, as ``{paging, transactions}``."""
        errors = Errors()
        page = errors.integer(query, "page", required=False) or 1
        size = errors.integer(query, "page_size", required=False) or 30
        status = errors.one_of(query, "status", ("all", "draft", "pending_approval", "ready", "void"), required=False)
        sort_by = errors.one_of(query, "sort_by", SORTABLE, required=False) or "date"
        sort_dir = errors.one_of(query, "sort_dir", ("asc", "desc"), required=False) or "desc"
        search = errors.text(query, "search", 100)
        for field in ("date_from", "date_to"):
            if query.get(field):
                errors.day(query, field)
        contact = errors.integer(query, "contact_id", required=False)
        mode = errors.one_of(query, "payment_mode", ("cash", "credit"), required=False)
        paid = errors.one_of(query, "payment_status", ("PAID", "OUTSTANDING", "OVERDUE"), required=False)
        if page < 1:
            errors.add("page", "The page must be at least 1.")
        if errors:
            return errors, {}
        size = max(1, min(size, MAX_PAGE_SIZE))
        with self.lock:
            rows = [d for d in self.documents.values() if d["type"] == kind]
        if status is None:
            rows = [d for d in rows if d["status"] != "void"]  # Bukku: "default to All but Void"
        elif status != "all":
            rows = [d for d in rows if d["status"] == status]
        if query.get("date_from"):
            rows = [d for d in rows if d["date"] >= query["date_from"]]
        if query.get("date_to"):
            rows = [d for d in rows if d["date"] <= query["date_to"]]
        if contact is not None:
            rows = [d for d in rows if d["contact_id"] == contact]
        if mode is not None:
            rows = [d for d in rows if d.get("payment_mode") == mode]
        if paid == "PAID":
            rows = [d for d in rows if d["balance"] == 0]
        elif paid in ("OUTSTANDING", "OVERDUE"):
            rows = [d for d in rows if d["balance"] != 0]
        if search:
            needle = search.lower()
            fields = ("number", "number2", "title", "remarks", "description", "contact_name", "billing_party",
                      "shipping_party")
            rows = [d for d in rows if any(needle in str(d.get(f) or "").lower() for f in fields)]
        rows.sort(key=lambda d: (d.get(sort_by) if d.get(sort_by) is not None else "", d["id"]),
                  reverse=sort_dir == "desc")
        chunk = rows[(page - 1) * size: page * size]
        return errors, {"paging": {"current_page": page, "per_page": size, "total": len(rows)},
                        "transactions": [summary_row(d) for d in chunk]}


def summary_row(d: dict) -> dict:
    """A document as the list endpoints show it (no lines)."""
    keys = ("id", "number", "number2", "contact_id", "contact_name", "contact_code", "date", "billing_party",
            "title", "description", "currency_code", "currency_symbol", "exchange_rate", "amount", "balance",
            "status", "email_status", "payment_mode", "type", "myinvois_action", "created_at", "updated_at")
    row = {k: d.get(k) for k in keys if k in d or k in ("number2", "title", "description")}
    row["tag_names"], row["file_count"], row["created_by"] = [], 0, "API"
    return row


def as_number(value: object) -> object:
    """What ``json.dumps`` writes for a Decimal: a JSON number (Bukku answers amounts as numbers)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
