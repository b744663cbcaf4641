"""Field validation of the sandbox's write endpoints, as Bukku (a Laravel application) words it.

Each check adds ``{field: [message, ...]}`` to an :class:`Errors`, fields named the way Laravel names them
(``form_items.0.account_id``) and messages worded as Laravel's validator words them ("The contact id field is
required.", "The selected form items.0.tax code id is invalid."). A request with errors is answered 422 with
``{"message": <first message> [+ " (and N more errors)"], "errors": {...}}``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flowtui.sandbox.bukku.amounts import number, places, valid_discount

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def label(field: str) -> str:
    return field.replace("_", " ")


class Errors:
    """Validation errors in the order found, Laravel's ``errors`` bag."""

    def __init__(self) -> None:
        self.bag: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.bag.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.bag)

    def body(self) -> dict:
        messages = [m for ms in self.bag.values() for m in ms]
        more = len(messages) - 1
        suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        return {"message": messages[0] + suffix, "errors": self.bag}

    # -- the rules, each returning the value when it passed -----------------------------------------------
    def required(self, body: dict, field: str, name: str | None = None) -> Any:
        value = body.get(field)
        if value is None or value == "" or value == []:
            self.add(name or field, f"The {label(name or field)} field is required.")
            return None
        return value

    def one_of(self, body: dict, field: str, choices: tuple[str, ...], name: str | None = None,
               required: bool = True) -> str | None:
        value = self.required(body, field, name) if required else body.get(field)
        if value is None:
            return None
        if value not in choices:
            self.add(name or field, f"The selected {label(name or field)} is invalid.")
            return None
        return str(value)

    def integer(self, body: dict, field: str, name: str | None = None, required: bool = True) -> int | None:
        value = self.required(body, field, name) if required else body.get(field)
        if value is None:
            return None
        parsed = number(value)
        if parsed is None or parsed != parsed.to_integral_value():
            self.add(name or field, f"The {label(name or field)} must be an integer.")
            return None
        return int(parsed)

    def exists(self, body: dict, field: str, table: dict[int, dict], name: str | None = None,
               required: bool = True, usable=lambda record: not record.get("is_archived")) -> dict | None:
        """An id that must name a usable record of ``table`` ("The selected ... is invalid." otherwise)."""
        ident = self.integer(body, field, name, required)
        if ident is None:
            return None
        record = table.get(ident)
        if record is None or not usable(record):
            self.add(name or field, f"The selected {label(name or field)} is invalid.")
            return None
        return record

    def decimal(self, body: dict, field: str, name: str | None = None, required: bool = True, most: int = 4,
                positive: bool = False, minimum: Decimal | None = None) -> Decimal | None:
        value = self.required(body, field, name) if required else body.get(field)
        if value is None:
            return None
        key = name or field
        parsed = number(value)
        if parsed is None:
            self.add(key, f"The {label(key)} must be a number.")
            return None
        if places(parsed) > most:
            self.add(key, f"The {label(key)} field must have 0-{most} decimal places.")
            return None
        if positive and parsed <= 0:
            self.add(key, f"The {label(key)} must be greater than 0.")
            return None
        if minimum is not None and parsed < minimum:
            self.add(key, f"The {label(key)} must be at least {minimum}.")
            return None
        return parsed

    def day(self, body: dict, field: str, name: str | None = None) -> date | None:
        value = self.required(body, field, name)
        if value is None:
            return None
        key = name or field
        if not isinstance(value, str) or not _DATE.match(value):
            self.add(key, f"The {label(key)} does not match the format Y-m-d.")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.add(key, f"The {label(key)} is not a valid date.")
            return None

    def text(self, body: dict, field: str, most: int, name: str | None = None, required: bool = False) -> str | None:
        value = self.required(body, field, name) if required else body.get(field)
        if value is None:
            return None
        key = name or field
        if not isinstance(value, str):
            self.add(key, f"The {label(key)} must be a string.")
            return None
        if len(value) > most:
            self.add(key, f"The {label(key)} must not be greater than {most} characters.")
            return None
        return value

    def items(self, body: dict, field: str, required: bool = True) -> list[dict] | None:
        value = self.required(body, field) if required else body.get(field)
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(field, f"The {label(field)} must be an array.")
            return None
        good = []
        for n, item in enumerate(value):
            if not isinstance(item, dict):
                self.add(f"{field}.{n}", f"The {label(field)}.{n} must be an array.")
            else:
                good.append(item)
        return good if len(good) == len(value) else None

    def discount(self, item: dict, name: str) -> str | None:
        value = item.get("discount")
        if value is None or value == "":
            return None
        text = str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not valid_discount(text):
            self.add(name, f"The {label(name)} format is invalid.")
            return None
        return text
