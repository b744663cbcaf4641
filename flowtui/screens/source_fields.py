"""The Connect screen's fields for each source, made from the options the source declares.

One field per declared option, in the declared order: a masked input for a secret, a pick list for a
``location`` (the books' locations) or an option with ``choices``, an input checked as an address for a
``url``, a plain input otherwise. A field's id is the option's name with dashes (``base-url``); when two
sources declare an option of the same name, the later one's field is ``<provider>-<name>``.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from flowtui.connectors.registry import Option, Provider
from flowtui.screens.common.literal import choices as literal_choices
from flowtui.screens.stream_settings import HttpUrl, form_row

#: ids the Connect screen uses itself: an option of that name gets its provider's prefix
SCREEN_IDS = frozenset({"name", "provider", "start-date", "status", "probe", "stores", "stores-hint", "details",
                        "result", "columns", "fields-start-date"})
NO_LOCATIONS = "No locations yet: add one first with `flowtui location add NAME`."


def field_ids(declared: Iterable[Provider]) -> dict[tuple[str, str], str]:
    """(provider, option) -> the id of its field."""
    ids: dict[tuple[str, str], str] = {}
    taken = set(SCREEN_IDS)
    for source in declared:
        for option in source.options:
            field_id = option.field_id
            if field_id in taken:
                field_id = f"{source.name}-{field_id}"
            taken.add(field_id)
            ids[(source.name, option.name)] = field_id
    return ids


def picks(option: Option) -> bool:
    """The option is picked from a list (locations, choices) rather than typed."""
    return option.kind == "location" or bool(option.choices)


def _widget(option: Option, field_id: str) -> Widget:
    if option.kind == "location":
        return Select([], prompt=f"Pick a {option.label.lower()}", id=field_id)
    if option.choices:
        return Select(literal_choices(option.choices), prompt=f"Pick the {option.label.lower()}", id=field_id,
                      value=option.default if option.default in option.choices else Select.BLANK)
    if option.secret:
        return Input(password=True, placeholder=option.placeholder or "hidden as you type", id=field_id)
    validators = [HttpUrl()] if option.kind == "url" else []
    return Input(option.default or "", placeholder=option.placeholder, id=field_id, validators=validators,
                 valid_empty=not option.required and option.default is None)


def source_fields(source: Provider, ids: dict[tuple[str, str], str]) -> Vertical:
    """The group of fields shown when ``source`` is picked (``#fields-<provider>``), its hint under them."""
    widgets: list[Widget] = []
    for option in source.options:
        widgets += form_row(option.label, _widget(option, ids[(source.name, option.name)]))
    if source.hint or any(option.kind == "location" for option in source.options):
        widgets.append(Static(source.hint, id=f"hint-{source.name}", classes="hint", markup=False))
    return Vertical(*widgets, id=f"fields-{source.name}", classes="provider-fields")


def nothing_to_test(source: Provider) -> str:
    """What the probe box says for a source with nothing to test: what to fill in, then create."""
    steps = ["give the name"] + [f"{'pick' if picks(option) else 'give'} the {option.label.lower()}"
                                 for option in source.options if option.required]
    return f"Nothing to test: {', '.join(steps)}, then ctrl+s creates the stream."


def missing(option: Option) -> str:
    """What a required field left empty says."""
    return option.missing or f"{'Pick' if picks(option) else 'Give'} the {option.label}."
