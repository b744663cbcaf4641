"""Document number formats such as ``POS-KL-{yyyy}{mm}-{seq:04}``.

Tokens: ``{yyyy} {yy} {mm} {dd}`` (the document date) and ``{seq}`` or
``{seq:0N}`` (the running number, zero-padded to N digits). Everything else is
literal text.
"""

from __future__ import annotations

import re
from datetime import date

from flowtui.engine.core.errors import InvalidInput

DEFAULT_INVOICE_FORMAT = "INV-{yyyy}{mm}-{seq:05}"
_TOKEN = re.compile(r"\{([^{}]*)\}")
_SEQ = re.compile(r"seq(?::0?(\d{1,2}))?")


def validate_format(fmt: str) -> str:
    """Return ``fmt`` if usable, else raise :class:`InvalidInput` saying why."""
    fmt = fmt.strip()
    if not fmt:
        raise InvalidInput("A number format cannot be empty.")
    seqs = 0
    for token in _TOKEN.findall(fmt):
        if token in ("yyyy", "yy", "mm", "dd"):
            continue
        if _SEQ.fullmatch(token):
            seqs += 1
            continue
        raise InvalidInput(
            f"Unknown token {{{token}}} in number format {fmt!r}; use {{yyyy}} {{yy}} {{mm}} {{dd}} {{seq}} or {{seq:04}}."
        )
    if seqs != 1:
        raise InvalidInput(f"Number format {fmt!r} needs exactly one {{seq}} (e.g. {{seq:04}}).")
    if "{" in _TOKEN.sub("", fmt) or "}" in _TOKEN.sub("", fmt):
        raise InvalidInput(f"Number format {fmt!r} has an unmatched brace.")
    return fmt


def _date_token(token: str, day: date) -> str:
    return {
        "yyyy": f"{day.year:04d}",
        "yy": f"{day.year % 100:02d}",
        "mm": f"{day.month:02d}",
        "dd": f"{day.day:02d}",
    }[token]


def render_number(fmt: str, day: date, seq: int) -> str:
    """The number for sequence ``seq`` on ``day``: ``render_number("A-{yy}-{seq:03}", d, 7) == "A-26-007"``."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        seq_match = _SEQ.fullmatch(token)
        if seq_match is None:
            return _date_token(token, day)
        width = seq_match.group(1)
        return f"{seq:0{int(width)}d}" if width else str(seq)

    return _TOKEN.sub(replace, fmt)


def sequence_scope(fmt: str, day: date) -> str:
    """The key a format's sequence runs under: the format with its date tokens filled in.

    ``INV-{yyyy}{mm}-{seq}`` restarts every month; ``INV-{seq}`` never restarts.
    """
    return _TOKEN.sub(lambda m: "{seq}" if _SEQ.fullmatch(m.group(1)) else _date_token(m.group(1), day), fmt)
