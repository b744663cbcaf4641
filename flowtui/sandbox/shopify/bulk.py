"""Bulk query operations: ``bulkOperationRunQuery``, then ``currentBulkOperation`` / ``node(id)`` until COMPLETED,
then a JSONL file at ``url``.

As Shopify: the query is checked when it is submitted (one top-level connection, not ``node``/``nodes``, at most five
connections nested at most two deep, the parent of a nested connection selects ``id``, no connection inside a list
field), and a failing check is a ``userErrors`` entry, not a GraphQL error. One bulk query runs at a time before API
version 2026-01 (``OPERATION_IN_PROGRESS``), five from 2026-01. The result is flat: each object of a connection
is one line, the objects of a nested connection follow with ``__parentId`` (their parent's ``id``); other fields stay
inline. Page sizes (``first``) are ignored: everything is returned. The data is read when the operation is created.
"""

from __future__ import annotations

import json
import threading

from graphql import (
    GraphQLList,
    GraphQLObjectType,
    OperationDefinitionNode,
    execute_sync,
    get_named_type,
    get_nullable_type,
    parse,
    validate,
)
from graphql.language import FragmentDefinitionNode

from flowtui.engine.core.clock import iso_utc, now
from flowtui.sandbox.shopify.cost import Walk, is_connection


class BulkOperations:
    """The shop's bulk query operations, run against ``sandbox`` (a :class:`ShopifySandbox`)."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.seconds = 1.0  # from CREATED to COMPLETED (for operations created from then on)
        self.fail_next = False  # the next operation ends FAILED (INTERNAL_SERVER_ERROR)
        self._ops: list[dict] = []
        self._files: dict[str, bytes] = {}
        self._lock = threading.RLock()

    # -- the API -------------------------------------------------------------------------------------
    def run(self, query: str) -> dict:
        with self._lock:
            limit = 5 if self.sandbox.api_version >= "2026-01" and self.sandbox.api_version != "unstable" else 1
            running = [op for op in self._ops if self._status(op) in ("CREATED", "RUNNING")]
            if len(running) >= limit:
                message = (f"A bulk query operation for this app and shop is already in progress: {running[-1]['id']}."
                           if limit == 1 else "The maximum number of concurrent bulk query operations has been reached.")
                return _user_error(message, "OPERATION_IN_PROGRESS" if limit == 1 else "LIMIT_REACHED")
            try:
                lines, roots = self._lines(query)
            except BulkQueryError as err:
                return _user_error(str(err), "INVALID")
            number = 1_000_000 + len(self._ops) + 1
            op = {"id": f"gid://shopify/BulkOperation/{number}", "type": "QUERY", "query": query,
                  "_number": number, "_due": self.sandbox.clock() + self.seconds, "_failed": self.fail_next,
                  "createdAt": _now(), "_lines": lines, "_roots": roots,
                  "_body": b"".join(json.dumps(line, separators=(",", ":")).encode() + b"\n" for line in lines)}
            self.fail_next = False
            self._ops.append(op)
            return {"bulkOperation": self.view(op, created=True), "userErrors": []}

    def current(self) -> dict | None:
        with self._lock:
            return self.view(self._ops[-1]) if self._ops else None

    def find(self, gid: str) -> dict | None:
        with self._lock:
            op = next((op for op in self._ops if op["id"] == gid), None)
            return self.view(op) if op else None

    def file(self, number: str) -> bytes | None:
        return self._files.get(number)

    def view(self, op: dict, created: bool = False) -> dict:
        status = "CREATED" if created else self._status(op)
        done = status in ("COMPLETED", "FAILED")
        body, url = op["_body"], None
        if status == "COMPLETED" and op["_lines"]:
            self._files[str(op["_number"])] = body
            url = f"{self.sandbox.base_url}/bulk-operation-results/{op['_number']}.jsonl"
        return {"id": op["id"], "type": "QUERY", "query": op["query"], "status": status, "createdAt": op["createdAt"],
                "errorCode": "INTERNAL_SERVER_ERROR" if status == "FAILED" else None,
                "completedAt": op.setdefault("_completed", _now()) if done else None,
                "objectCount": str(len(op["_lines"]) if status == "COMPLETED" else 0),
                "rootObjectCount": str(op["_roots"] if status == "COMPLETED" else 0),
                "fileSize": str(len(body)) if url else None, "url": url, "partialDataUrl": None}

    def finish(self) -> None:
        """Complete (or fail) every running operation now."""
        with self._lock:
            for op in self._ops:
                op["_due"] = min(op["_due"], self.sandbox.clock())

    def _status(self, op: dict) -> str:
        if self.sandbox.clock() < op["_due"]:
            return "RUNNING"
        return "FAILED" if op["_failed"] else "COMPLETED"

    # -- checking and running a query ----------------------------------------------------------------------
    def _lines(self, query: str) -> tuple[list[dict], int]:
        schema = self.sandbox.schema
        try:
            document = parse(query)
        except Exception as err:  # a GraphQLSyntaxError
            raise BulkQueryError(f"Invalid bulk query: {err.message}") from None  # type: ignore[attr-defined]
        errors = validate(schema, document)
        if errors:
            raise BulkQueryError(f"Invalid bulk query: {errors[0].message}")
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != 1 or operations[0].operation.value != "query":
            raise BulkQueryError("Invalid bulk query: a bulk query must contain exactly one query operation.")
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        walk = Walk(schema, operations[0], fragments, None, bulk=True)
        roots = list(walk.fields(schema.query_type, operations[0].selection_set))
        if len(roots) != 1:
            raise BulkQueryError("Bulk queries must contain exactly one top-level field.")
        key, node, definition = roots[0]
        if node.name.value in ("node", "nodes"):
            raise BulkQueryError("Bulk queries cannot contain top level `node` or `nodes` fields.")
        named = get_named_type(definition.type)
        if not is_connection(named):
            raise BulkQueryError("Bulk queries must contain at least one connection.")
        self._check(walk, named, node, depth=1, counter=[1], in_list=False)
        result = execute_sync(schema, document, context_value={"sandbox": self.sandbox, "bulk": True})
        if result.errors:
            raise BulkQueryError(f"Invalid bulk query: {result.errors[0].message}")
        out: list[dict] = []
        items = _connection_items(walk, named, node, (result.data or {}).get(key) or {})
        for item_node, item in items:
            self._flatten(walk, get_named_type(named.fields["nodes"].type), item_node, item, None, out)
        return out, len(items)

    def _check(self, walk: Walk, connection, node, depth: int, counter: list[int], in_list: bool) -> None:
        node_type = get_named_type(connection.fields["nodes"].type)
        for inner in _node_selections(walk, connection, node):
            selected = list(walk.fields(node_type, inner.selection_set))
            for _key, child, definition in selected:
                self._check_field(walk, definition, child, node_type, selected, depth, counter, in_list)

    def _check_field(self, walk, definition, child, parent_type, siblings, depth, counter, in_list) -> None:
        named = get_named_type(definition.type)
        if is_connection(named):
            if in_list:
                raise BulkQueryError("Queries that contain a connection field within a list field are not currently supported.")
            counter[0] += 1
            if counter[0] > 5:
                raise BulkQueryError("Bulk queries cannot contain more than 5 connections.")
            if depth + 1 > 2:
                raise BulkQueryError("Bulk queries cannot contain connections with a nesting depth greater than 2.")
            if not any(k == "id" and n.name.value == "id" for k, n, _d in siblings):
                raise BulkQueryError(
                    "The parent 'node' field for a nested connection must select the 'id' field without an alias and "
                    f"must be of 'ID' return type. Connection fields without 'id': {child.name.value}.")
            self._check(walk, named, child, depth + 1, counter, in_list)
        elif isinstance(named, GraphQLObjectType):
            listed = in_list or isinstance(get_nullable_type(definition.type), GraphQLList)
            inner = list(walk.fields(named, child.selection_set))
            for _k, grandchild, d in inner:
                self._check_field(walk, d, grandchild, named, inner, depth, counter, listed)

    def _flatten(self, walk: Walk, node_type, node, item: dict, parent: str | None, out: list[dict]) -> None:
        line: dict = {}
        out.append(line)
        children: list[tuple] = []
        for key, child, definition in walk.fields(node_type, node.selection_set):
            named = get_named_type(definition.type)
            if is_connection(named):
                children.append((named, child, item.get(key) or {}))
            else:
                line[key] = item.get(key)
        if parent is not None:
            line["__parentId"] = parent
        for named, child, value in children:
            for child_node, child_item in _connection_items(walk, named, child, value):
                self._flatten(walk, get_named_type(named.fields["nodes"].type), child_node, child_item, item.get("id"), out)


class BulkQueryError(ValueError):
    """What ``userErrors`` says about a bulk query that Shopify would not run."""


def _node_selections(walk: Walk, connection, node) -> list:
    """The field nodes that select a connection's objects: its ``nodes`` and its ``edges { node }``."""
    out = []
    for _key, child, definition in walk.fields(connection, node.selection_set):
        if child.name.value == "nodes":
            out.append(child)
        elif child.name.value == "edges":
            for _k, inner, _d in walk.fields(get_named_type(definition.type), child.selection_set):
                if inner.name.value == "node":
                    out.append(inner)
    return out


def _connection_items(walk: Walk, connection, node, value: dict) -> list[tuple]:
    """(selecting field node, object) for each object of a connection's result, from ``nodes`` or ``edges``."""
    for _key, child, definition in walk.fields(connection, node.selection_set):
        key = (child.alias or child.name).value
        if child.name.value == "nodes":
            return [(child, item) for item in value.get(key) or []]
        if child.name.value == "edges":
            for k, inner, _d in walk.fields(get_named_type(definition.type), child.selection_set):
                if inner.name.value == "node":
                    return [(inner, edge.get(k)) for edge in value.get(key) or []]
    return []


def _user_error(message: str, code: str) -> dict:
    return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": message, "code": code}]}


def _now() -> str:
    return iso_utc(now())
