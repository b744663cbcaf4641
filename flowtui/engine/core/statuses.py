"""Every status the books store, as enums whose values are the stored text.

They are :class:`enum.StrEnum`: a member *is* its text (``OrderStatus.VOIDED == "voided"``), so the database,
the JSON the CLI prints and the canonical orders read exactly as before, and code compares against a name
that a typo cannot silently miss.
"""

from __future__ import annotations

from enum import StrEnum


class OrderType(StrEnum):
    """A canonical order's ``type``."""

    SALE = "sale"
    RETURN = "return"


class OrderStatus(StrEnum):
    """A canonical order's ``status``."""

    COMPLETED = "completed"
    VOIDED = "voided"
