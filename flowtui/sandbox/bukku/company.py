"""The company the Bukku sandbox keeps books for: its chart of accounts, tax codes, payment methods, locations,
contacts and products, seeded the same every time (ids are stable, so tests and docs can name them).

The shapes are Bukku's list items (farhan-syah/bukku-client ``src/accounting/accounts/type.ts``,
``src/lists/type.ts``, ``src/control-panel/locations/type.ts``, ``src/contacts/contacts/type.ts``,
``src/products/products/type.ts``). Contact 1 is "Cash Sales", as Bukku seeds it in a new company.
"""

from __future__ import annotations

from decimal import Decimal

SUBDOMAIN = "kedai-kopi"
LEGAL_NAME = "Kedai Kopi Kita Sdn Bhd"
CURRENCY = {"code": "MYR", "symbol": "RM", "name": "Malaysian Ringgit"}
SEEDED_AT = "2026-01-01 09:00:00"

# (id, code, name, type, system_type, archived)
_ACCOUNTS = [
    (1, "1000-00", "Cash on Hand", "current_assets", "bank_cash", False),
    (2, "1000-01", "Bank Account", "current_assets", "bank_cash", False),
    (3, "1001", "Accounts Receivable", "current_assets", "accounts_receivable", False),
    (4, "1003", "Undeposited Funds", "current_assets", None, False),
    (5, "1010", "E-Wallet Clearing", "current_assets", None, False),
    (6, "1011", "Card Clearing", "current_assets", None, False),
    (7, "3001", "Accounts Payable", "current_liabilities", "accounts_payable", False),
    (8, "3100", "SST Payable", "current_liabilities", None, False),
    (9, "5000", "Sales Income", "income", None, False),
    (10, "5001", "Discount Given", "income", None, False),
    (11, "5002", "Service Charge Income", "income", None, False),
    (12, "5003", "Rounding", "income", None, False),
    (13, "6100", "Payment Gateway Fees", "expenses", None, False),
    (14, "6200", "Sales Returns", "income", None, False),
    (15, "5999", "Old Sales (archived)", "income", None, True),
]
RECEIVABLE_ACCOUNT_ID = 3
TAX_ACCOUNT_ID = 8
ROUNDING_ACCOUNT_ID = 12

# (id, code, rate, type, exempted, archived)
_TAX_CODES = [
    (1, "SV-6", "6", "sale", False, False),
    (2, "SV-8", "8", "sale", False, False),
    (3, "SR-10", "10", "sale", False, False),
    (4, "SR-5", "5", "sale", False, False),
    (5, "SE", "0", "sale", True, False),
    (6, "TX-8", "8", "purchase", False, False),
    (7, "SV-6-OLD", "6", "sale", False, True),
]

# (id, name, slug, account_id)
_PAYMENT_METHODS = [
    (1, "Cash", "cash", 1),
    (2, "Credit Card", "credit-card", 6),
    (3, "Touch 'n Go eWallet", "tng-ewallet", 5),
    (4, "GrabPay", "grabpay", 5),
    (5, "DuitNow QR", "duitnow-qr", 5),
    (6, "Bank Transfer", "bank-transfer", 2),
]

# (id, code, name, archived)
_LOCATIONS = [
    (1, "HQ", "Headquarters", False),
    (2, "KLCC", "Kedai Kopi KLCC", False),
    (3, "PJ", "Kedai Kopi Petaling Jaya", False),
    (4, "OLD", "Closed Outlet", True),
]

# (id, contact_code, legal_name, entity_type, types)
_CONTACTS = [
    (1, "C-C0001", "Cash Sales", "MALAYSIAN_INDIVIDUAL", ["customer"]),
    (2, "C-G0001", "General Public", "MALAYSIAN_INDIVIDUAL", ["customer"]),
    (3, "C-W0001", "Walk-in Customer", "MALAYSIAN_INDIVIDUAL", ["customer"]),
    (4, "C-S0001", "Syarikat Kopi Borong Sdn Bhd", "MALAYSIAN_COMPANY", ["supplier"]),
]

# (id, name, sku, price, tax_code_id)
_PRODUCTS = [
    (1, "Kopi O", "KOPI-O", "2.80", 1),
    (2, "Teh Tarik", "TEH-TARIK", "3.50", 1),
    (3, "Nasi Lemak", "NASI-LEMAK", "6.90", 1),
    (4, "Roti Canai", "ROTI-CANAI", "1.80", 1),
    (5, "Kopi Beans 250g", "BEANS-250", "32.00", 3),
    (6, "Gift Card", "GIFT-CARD", "50.00", 5),
]


def accounts() -> list[dict]:
    return [{"id": i, "code": code, "name": name, "description": None, "currency_code": "MYR",
             "currency": dict(CURRENCY), "balance": 0, "type": kind, "system_type": system, "parent_id": None,
             "classification": "OPERATING" if kind.startswith("current") else None, "is_locked": system is not None,
             "is_archived": archived, "created_at": SEEDED_AT, "updated_at": SEEDED_AT}
            for i, code, name, kind, system, archived in _ACCOUNTS]


def tax_codes() -> list[dict]:
    return [{"id": i, "code": code, "rate": Decimal(rate), "tax_system": "MYSST", "type": kind,
             "is_archived": archived, "is_exempted": exempted}
            for i, code, rate, kind, exempted, archived in _TAX_CODES]


def payment_methods() -> list[dict]:
    return [{"id": i, "name": name, "slug": slug, "is_archived": False, "account_id": account}
            for i, name, slug, account in _PAYMENT_METHODS]


def locations() -> list[dict]:
    return [{"id": i, "code": code, "name": name, "is_archived": archived, "created_at": SEEDED_AT,
             "updated_at": SEEDED_AT} for i, code, name, archived in _LOCATIONS]


def contacts() -> list[dict]:
    return [contact(i, code, name, entity, types) for i, code, name, entity, types in _CONTACTS]


def contact(i: int, code: str, name: str, entity: str, types: list[str], **more) -> dict:
    """A contact as ``GET /contacts/{id}`` shows it."""
    record = {"id": i, "contact_code": code, "entity_type": entity, "legal_name": name, "other_name": None,
              "reg_no_type": None, "reg_no": None, "tax_id_no": None, "sst_reg_no": None, "email": None,
              "phone_no": None, "types": list(types), "tag_ids": [], "group_ids": [], "default_currency_code": "MYR",
              "remarks": None, "billing_party": name, "shipping_party": None, "is_archived": False,
              "is_myinvois_ready": False, "created_at": SEEDED_AT, "updated_at": SEEDED_AT}
    record.update(more)
    return record


def products() -> list[dict]:
    out = []
    for i, name, sku, price, tax in _PRODUCTS:
        unit = {"id": i, "label": "unit", "rate": 1, "sale_price": Decimal(price), "purchase_price": None,
                "is_base": True, "is_sale_default": True, "is_purchase_default": True, "created_at": SEEDED_AT,
                "updated_at": SEEDED_AT}
        out.append({"id": i, "name": name, "sku": sku, "classification_code": None, "type": "product",
                    "is_selling": True, "sale_description": name, "sale_account_id": 9, "sale_tax_code_id": tax,
                    "is_buying": False, "purchase_description": None, "purchase_account_id": None,
                    "purchase_tax_code_id": None, "track_inventory": False, "inventory_account_id": None,
                    "quantity_low_alert": None, "quantity": None, "bin_location": None, "remarks": None,
                    "units": [unit], "group_ids": [], "sale_prices": [], "purchase_prices": [],
                    "sale_price": Decimal(price), "purchase_price": None, "is_archived": False,
                    "created_at": SEEDED_AT, "updated_at": SEEDED_AT})
    return out
