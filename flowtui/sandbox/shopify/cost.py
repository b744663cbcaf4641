"""Shopify's calculated query cost, checked before a query runs, and the leaky bucket that spends it.

Shopify's rules (GraphQL Admin API rate limits): a scalar or enum costs 0, an object 1, a connection 2 plus the
objects it asks for (``first`` or ``last``) times what each of them costs (``pageInfo`` and cursors are free), an
interface (``node``) its dearest fragment, a mutation 10; the cost of a query is known before it runs
(``requestedQueryCost``) and again from what it returned (``actualQueryCost``). A query over 1000 points is refused
(``MAX_COST_EXCEEDED``). A list of objects (``refunds``, ``transactions``, ``nodes(ids:)``) costs its ``first`` objects
(or one for each id), or one when it has neither (Shopify does not publish this case). The same walk refuses what
Shopify refuses before running anything: a connection without ``first`` or ``last`` and a page of more than 250.

The bucket: Standard plan figures by default (restores 100 points a second, holds 2000; a query needs its requested
cost in the bucket, then pays its actual cost).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values

MAX_PAGE = 250
MAX_COST = 1000
MUTATION_COST = 10


class Walk:
    """One operation's fields, with its fragments and variables resolved."""

    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode,
                 fragments: dict[str, FragmentDefinitionNode], variables: VariableValues | None, bulk: bool = False) -> None:
        self.schema, self.operation, self.fragments, self.variables, self.bulk = schema, operation, fragments, variables, bulk

    def fields(self, parent: GraphQLObjectType | None, selection_set: SelectionSetNode | None) -> Iterator[tuple]:
        """(response key, field node, field definition) of a selection set, fragments flattened."""
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                fields = getattr(parent, "fields", {}) if parent is not None else {}
                definition = fields.get(name)
                if definition is not None:
                    yield (selection.alias or selection.name).value, selection, definition
            elif isinstance(selection, InlineFragmentNode):
                kind = self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                yield from self.fields(kind if isinstance(kind, GraphQLObjectType) else parent, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    kind = self.schema.get_type(fragment.type_condition.name.value)
                    yield from self.fields(kind if isinstance(kind, GraphQLObjectType) else parent, fragment.selection_set)

    def args(self, definition, node: FieldNode) -> dict:
        return get_argument_values(definition, node, self.variables)

    # -- requested cost ------------------------------------------------------------------------------
    def requested(self) -> int:
        root = self.schema.mutation_type if self.operation.operation.value == "mutation" else self.schema.query_type
        if self.operation.operation.value == "mutation":
            return MUTATION_COST * sum(1 for _ in self.fields(root, self.operation.selection_set))
        return self.object_cost(root, self.operation.selection_set, [])

    def object_cost(self, parent, selection_set, path: list) -> int:
        total = 0
        for key, node, definition in self.fields(parent, selection_set):
            total += self.field_cost(definition, node, [*path, key])
        return total

    def field_cost(self, definition, node: FieldNode, path: list) -> int:
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        args = self.args(definition, node)
        if is_connection(named):
            size = self.page_size(args, node, path)
            return 2 + size * (1 + self.node_cost(named, node.selection_set, path))
        if isinstance(named, GraphQLObjectType) or getattr(named, "fields", None):
            kind = named if isinstance(named, GraphQLObjectType) else None
            each = 1 + (self.object_cost(kind, node.selection_set, path) if kind else self.interface_cost(node, path))
            if isinstance(get_nullable_type(definition.type), GraphQLList):  # its first, or each id asked for
                return each * max(1, args.get("first") or len(args.get("ids") or ()) or 1)
            return each
        return 1

    def interface_cost(self, node: FieldNode, path: list) -> int:
        """An interface (``node``): the dearest of what its fragments select."""
        best = 0
        for selection in node.selection_set.selections if node.selection_set else []:
            kind = None
            if isinstance(selection, InlineFragmentNode) and selection.type_condition:
                kind = self.schema.get_type(selection.type_condition.name.value)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in self.fragments:
                kind = self.schema.get_type(self.fragments[selection.name.value].type_condition.name.value)
            if isinstance(kind, GraphQLObjectType):
                best = max(best, self.object_cost(kind, SelectionSetNode(selections=(selection,)), path))
        return best

    def node_cost(self, connection, selection_set, path: list) -> int:
        """What one object of a connection costs beyond itself (its ``edges { node }`` or ``nodes``)."""
        node_type = get_named_type(connection.fields["nodes"].type)
        total = 0
        for _key, node, definition in self.fields(connection, selection_set):
            if node.name.value == "nodes":
                total += self.object_cost(node_type, node.selection_set, path)
            elif node.name.value == "edges":
                edge_type = get_named_type(definition.type)
                for _k, inner, _d in self.fields(edge_type, node.selection_set):
                    if inner.name.value == "node":
                        total += self.object_cost(node_type, inner.selection_set, path)
        return total

    def page_size(self, args: dict, node: FieldNode, path: list) -> int:
        first, last = args.get("first"), args.get("last")
        if self.bulk:
            return 0
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last", node, path=path)
        for name, value in (("first", first), ("last", last)):
            if value is not None and value > MAX_PAGE:
                raise GraphQLError(
                    f"{name} cannot exceed {MAX_PAGE}. To query larger amounts of data with fewer limits, bulk operations "
                    "should be used instead.\nSee https://shopify.dev/api/usage/bulk-operations/queries for usage "
                    "details.\n", node, path=path)
            if value is not None and value < 0:
                raise GraphQLError(f"{name} must be a non-negative integer", node, path=path)
        return max(first or 0, last or 0)

    # -- actual cost --------------------------------------------------------------------------------
    def actual(self, data: dict | None) -> int:
        if self.operation.operation.value == "mutation":
            return self.requested()
        return self.data_cost(self.schema.query_type, self.operation.selection_set, data)

    def data_cost(self, parent, selection_set, data) -> int:
        if not isinstance(data, dict):
            return 0
        total = 0
        for key, node, definition in self.fields(parent, selection_set):
            value = data.get(key)
            named = get_named_type(definition.type)
            if value is None or is_leaf_type(named):
                continue
            if is_connection(named):
                total += 2 + self.connection_data_cost(named, node.selection_set, value)
            elif isinstance(value, list):
                kind = named if isinstance(named, GraphQLObjectType) else None
                total += sum(1 + self.data_cost(kind, node.selection_set, item) for item in value)
            else:
                found = named if isinstance(named, GraphQLObjectType) else self.schema.get_type(value.get("__typename", ""))
                total += 1 + self.data_cost(found if isinstance(found, GraphQLObjectType) else named, node.selection_set, value)
        return total

    def connection_data_cost(self, connection, selection_set, value: dict) -> int:
        node_type = get_named_type(connection.fields["nodes"].type)
        count = 0
        costs = 0
        for key, node, definition in self.fields(connection, selection_set):
            if node.name.value == "nodes":
                count = max(count, len(value.get(key) or []))
                costs = max(costs, sum(self.data_cost(node_type, node.selection_set, item) for item in value.get(key) or []))
            elif node.name.value == "edges":
                edges = value.get(key) or []
                count = max(count, len(edges))
                edge_type = get_named_type(definition.type)
                for k, inner, _d in self.fields(edge_type, node.selection_set):
                    if inner.name.value == "node":
                        costs = max(costs, sum(self.data_cost(node_type, inner.selection_set, e.get(k)) for e in edges))
        return count + costs


def is_connection(named) -> bool:
    return getattr(named, "name", "").endswith("Connection") and "nodes" in getattr(named, "fields", {})


class Bucket:
    """A leaky bucket of cost points: ``restore_rate`` points a second back, up to ``maximum``."""

    def __init__(self, maximum: float = 2000.0, restore_rate: float = 100.0, clock: Callable[[], float] | None = None) -> None:
        import time

        self.maximum, self.restore_rate = maximum, restore_rate
        self.clock = clock or time.monotonic
        self._available = maximum
        self._at = self.clock()
        self._lock = threading.Lock()

    def available(self) -> float:
        with self._lock:
            return self._refill()

    def _refill(self) -> float:
        now = self.clock()
        self._available = min(self.maximum, self._available + max(0.0, now - self._at) * self.restore_rate)
        self._at = now
        return self._available

    def take(self, requested: int) -> bool:
        """Room for ``requested`` points? Takes them if so (``settle`` then pays back what was not used)."""
        with self._lock:
            if self._refill() < requested:
                return False
            self._available -= requested
            return True

    def settle(self, requested: int, actual: int) -> None:
        with self._lock:
            self._available = min(self.maximum, self._available + max(0, requested - actual))

    def drain(self, to: float = 0.0) -> None:
        """Empty the bucket (to ``to`` points), as a burst of other requests would."""
        with self._lock:
            self._refill()
            self._available = to

    def status(self) -> dict:
        available = self.available()
        return {"maximumAvailable": float(self.maximum), "currentlyAvailable": int(available),
                "restoreRate": float(self.restore_rate)}
