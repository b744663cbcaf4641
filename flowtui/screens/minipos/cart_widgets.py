"""The checkout's own widgets: the scan/search line and the cart table, and how ``3*SKU`` is read."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from textual import events
from textual.binding import Binding

from flowtui.screens.common.keys import NoQuestionMarkInput
from flowtui.screens.common.literal import LiteralTable


def split_quantity(text: str) -> tuple[Decimal, str]:
    """``3*KOPI`` -> (3, "KOPI"); anything else is one of what was typed."""
    head, star, code = text.partition("*")
    if star and code.strip():
        try:
            return Decimal(head.strip()), code.strip()
        except InvalidOperation:
            pass
    return Decimal(1), text.strip()


class SearchInput(NoQuestionMarkInput):
    """The scan/search line; with nothing typed, + and - change the highlighted cart line.

    Enter is taken here, in order with the characters before it, and empties the line at once, so a
    scanner's burst of ``digits, enter, digits, enter`` submits each code whole.
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.value))
            self.value = ""  # the next code starts clean even if it arrives before the screen has looked
            return
        if not self.value and event.character in ("+", "-"):
            event.stop()
            event.prevent_default()
            self.screen.action_step(1 if event.character == "+" else -1)  # type: ignore[attr-defined]
            return
        await super()._on_key(event)


class CartTable(LiteralTable):
    """The cart; its keys change the highlighted line, and typing anything else goes back to the search."""

    BINDINGS = [
        Binding("plus,equals_sign", "screen.step(1)", "Qty", id="till.more", key_display="+/-"),
        Binding("minus", "screen.step(-1)", "Qty -1", id="till.less", show=False),
        Binding("q,asterisk", "screen.set_quantity", "Set qty", id="till.quantity", show=False),
        Binding("d", "screen.line_discount", "Disc", id="till.line_discount"),
        Binding("x,delete", "screen.remove", "Del", id="till.remove"),
    ]
    KEYS = {"plus", "equals_sign", "minus", "q", "asterisk", "d", "x"}

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.key not in self.KEYS and event.character:
            event.stop()
            event.prevent_default()
            self.screen.back_to_search(event.character)  # type: ignore[attr-defined]
