"""The sandbox's GraphQL schema (``schema.graphql``, Shopify's names) and what answers each field.

Objects are plain dicts in the API's shape (see :mod:`.data`); a connection field pages the list kept under its own
name with Shopify's cursor rules (an opaque cursor of the sort value and id, ``after`` / ``before``, ``reverse``); the
root ``orders`` also filters on Shopify's search syntax (``updated_at:>='2026-10-01T00:00:00Z' test:false``).
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from datetime import datetime, time
from decimal import Decimal
from importlib import resources
from zoneinfo import ZoneInfo

from graphql import GraphQLError, GraphQLSchema, build_schema, get_named_type

from flowtui.sandbox.shopify.cost import is_connection
from flowtui.sandbox.shopify.data import MYT

_SORT = {"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt", "PROCESSED_AT": "processedAt"}
_DATES = {"updated_at": "updatedAt", "created_at": "createdAt", "processed_at": "processedAt"}
_TERM = re.compile(r"^(-?)([a-z_]+):(>=|<=|>|<|=)?(.*)$")


def load_schema() -> GraphQLSchema:
    sdl = resources.files("flowtui.sandbox.shopify").joinpath("schema.graphql").read_text("utf-8")
    schema = build_schema(sdl)
    for type_ in schema.type_map.values():
        for name, definition in getattr(type_, "fields", {}).items() if not type_.name.startswith("__") else ():
            named = get_named_type(definition.type)
            if is_connection(named) and type_.name not in ("QueryRoot",):
                definition.resolve = _nested_connection(name)
            elif "first" in definition.args and type_.name != "QueryRoot":
                definition.resolve = _first_of(name)
    query, mutation = schema.query_type, schema.mutation_type
    assert query is not None and mutation is not None
    for name, resolver in (("shop", _shop), ("location", _location), ("locations", _locations), ("order", _order),
                           ("orders", _orders), ("node", _node), ("nodes", _nodes),
                           ("currentBulkOperation", _current_bulk)):
        query.fields[name].resolve = resolver
    mutation.fields["bulkOperationRunQuery"].resolve = _run_bulk
    node = schema.get_type("Node")
    node.resolve_type = lambda value, _info, _type: value["id"].split("/")[3]  # type: ignore[union-attr]
    return schema


# -- paging -----------------------------------------------------------------------------------------

def _id_number(item: dict) -> int:
    return int(str(item.get("id") or "0").rsplit("/", 1)[-1])


def encode_cursor(key: list) -> str:
    return base64.b64encode(json.dumps({"last_id": key[-1], "last_value": key[0]}).encode()).decode()


def _decode_cursor(cursor: str, info) -> list:
    try:
        data = json.loads(base64.b64decode(cursor, validate=True))
        return [data["last_value"], data["last_id"]]
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}", info.field_nodes) from None


def page(items: list[dict], info, key=None, *, first=None, last=None, after=None, before=None, reverse=False, **_) -> dict:
    """A connection of ``items`` (already filtered) sorted by ``key`` (default: the numeric id)."""
    if key is None:
        def key(item):
            return [_id_number(item), _id_number(item)]
    keyed = sorted(((key(item), item) for item in items), key=lambda pair: pair[0], reverse=bool(reverse))
    if after:
        mark = _decode_cursor(after, info)
        keyed = [p for p in keyed if (p[0] < mark if reverse else p[0] > mark)]
    if before:
        mark = _decode_cursor(before, info)
        keyed = [p for p in keyed if (p[0] > mark if reverse else p[0] < mark)]
    has_next = has_previous = False
    if not info.context.get("bulk"):
        if first is not None:
            has_next, keyed = len(keyed) > first, keyed[:first]
        if last is not None:
            has_previous, keyed = len(keyed) > last, keyed[-last:] if last else []
    edges = [{"cursor": encode_cursor(k), "node": item} for k, item in keyed]
    return {"edges": edges, "nodes": [e["node"] for e in edges], "pageInfo": {
        "hasNextPage": has_next or bool(before), "hasPreviousPage": has_previous or bool(after),
        "startCursor": edges[0]["cursor"] if edges else None, "endCursor": edges[-1]["cursor"] if edges else None}}


def _nested_connection(name: str):
    def resolve(source: dict, info, **args):
        items = source.get(name) or []
        if name == "shippingLines" and not args.get("includeRemovals"):
            items = [s for s in items if not s.get("isRemoved")]
        return page(items, info, **args)
    return resolve


def _first_of(name: str):
    def resolve(source: dict, info, first=None, **_):
        items = source.get(name) or []
        return items if first is None or info.context.get("bulk") else items[:first]
    return resolve


# -- the root ---------------------------------------------------------------------------------------

def _shop(_root, info):
    return info.context["sandbox"].shop()


def _location(_root, info, id=None):
    locations = info.context["sandbox"].locations()
    return next((loc for loc in locations if loc["id"] == id), None) if id else (locations[0] if locations else None)


def _locations(_root, info, sortKey="NAME", query=None, includeLegacy=False, includeInactive=False, **args):
    def key(loc):
        return [loc["name"] if sortKey == "NAME" else _id_number(loc), _id_number(loc)]
    return page(info.context["sandbox"].locations(), info, key, **args)


def _order(_root, info, id):
    return info.context["sandbox"].find(id) if "/Order/" in id else None


def _orders(_root, info, sortKey="PROCESSED_AT", query=None, savedSearchId=None, **args):
    orders = info.context["sandbox"].readable_orders()
    if query:
        orders = search(orders, query, info)
    field = _SORT.get(sortKey)

    def key(order):
        if field:
            return [order[field], _id_number(order)]
        if sortKey in ("TOTAL_PRICE", "CURRENT_TOTAL_PRICE"):
            money = order["totalPriceSet" if sortKey == "TOTAL_PRICE" else "currentTotalPriceSet"]["shopMoney"]["amount"]
            return [int(Decimal(money) * 100), _id_number(order)]
        if sortKey == "ORDER_NUMBER":
            return [int(order["name"].lstrip("#")), _id_number(order)]
        return [_id_number(order), _id_number(order)]
    return page(orders, info, key, **args)


def _node(_root, info, id):
    return info.context["sandbox"].find(id)


def _nodes(_root, info, ids):
    if len(ids) > 250:
        raise GraphQLError("The input array size of 251 is greater than the maximum allowed of 250.", info.field_nodes)
    return [info.context["sandbox"].find(i) for i in ids]


def _current_bulk(_root, info, type="QUERY"):
    return info.context["sandbox"].bulk.current() if type == "QUERY" else None


def _run_bulk(_root, info, query, groupObjects=True):  # grouped or not, children follow their parent
    return info.context["sandbox"].bulk.run(query)


# -- Shopify's search syntax (the orders filter) ------------------------------------------------------

def search(orders: list[dict], text: str, info) -> list[dict]:
    """Orders matching every ``field:value`` term of ``text`` (or of one of its ``OR`` groups); unknown fields are
    warned about and ignored, as Shopify does."""
    try:
        terms = [t for t in shlex.split(text) if t != "AND"]
    except ValueError:
        terms = text.split()
    groups: list[list[str]] = [[]]
    for term in terms:
        if term == "OR":
            groups.append([])
        else:
            groups[-1].append(term)
    if len(groups) == 1:
        return _all_of(orders, groups[0], info)
    matched = {o["id"] for group in groups for o in _all_of(orders, group, info)}
    return [o for o in orders if o["id"] in matched]


def _all_of(orders: list[dict], terms: list[str], info) -> list[dict]:
    for term in terms:
        match = _TERM.match(term)
        if not match:
            orders = [o for o in orders if term.lower() in o["name"].lower()]
            continue
        negate, name, op, value = match.group(1) == "-", match.group(2), match.group(3) or "=", match.group(4).strip("'\"")
        test = _predicate(name, op, value)
        if test is None:
            info.context.setdefault("warnings", []).append({"field": name, "message": "Invalid search field for this query."})
            continue
        orders = [o for o in orders if test(o) != negate]
    return orders


def _predicate(name: str, op: str, value: str):
    if name in _DATES:
        field, bound = _DATES[name], _instant(value)

        def on_date(order):
            at = datetime.fromisoformat(order[field].replace("Z", "+00:00"))
            return {"=": at == bound, ">": at > bound, ">=": at >= bound, "<": at < bound, "<=": at <= bound}[op]
        return on_date
    if name == "id":
        return lambda o: _compare(_id_number(o), op, int(value.rsplit("/", 1)[-1]))
    if name == "test":
        return lambda o: o["test"] == (value.lower() == "true")
    if name == "financial_status":
        return lambda o: (o["displayFinancialStatus"] or "").lower() == value.lower()
    if name == "location_id":
        return lambda o: o["retailLocation"] is not None and o["retailLocation"]["id"].endswith(f"/{value.rsplit('/', 1)[-1]}")
    if name == "status":
        return {"any": lambda o: True, "open": lambda o: o["closedAt"] is None and o["cancelledAt"] is None,
                "closed": lambda o: o["closedAt"] is not None,
                "cancelled": lambda o: o["cancelledAt"] is not None}.get(value.lower(), lambda o: False)
    if name == "name":
        return lambda o: o["name"].lstrip("#") == value.lstrip("#")
    return None


def _compare(left, op: str, right) -> bool:
    return {"=": left == right, ">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def _instant(value: str) -> datetime:
    """A search date: an ISO instant, or a bare date (midnight in the shop's time zone)."""
    try:
        if len(value) == 10:
            return datetime.combine(datetime.fromisoformat(value).date(), time(0), ZoneInfo(MYT))
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return at if at.tzinfo else at.replace(tzinfo=ZoneInfo(MYT))
    except ValueError:
        raise GraphQLError(f"Invalid date in search query: {value}") from None
