"""How the Shopify sandbox answers a request: one GraphQL request as Shopify would, and the HTTP around it.

:class:`Answering` is the request half of :class:`~flowtui.sandbox.shopify.server.ShopifySandbox` (which holds the
data, the bucket, the bulk operations and the knobs); :class:`Handler` hands every request to it. In order: the path
(``/admin/api/{version}/graphql.json``, or a bulk result), an injected 503, the access token (401), the body, then
parse and check (cached per query text), the requested cost (``MAX_COST_EXCEEDED``, page-size errors), the bucket
(``THROTTLED``), running it, the actual cost paid and reported in ``extensions.cost``.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, execute_sync, parse, validate
from graphql.execution.values import get_variable_values
from graphql.language import FragmentDefinitionNode

from flowtui.sandbox.serving import SandboxHandler
from flowtui.sandbox.shopify.cost import MAX_COST, Bucket, Walk

if TYPE_CHECKING:
    from flowtui.sandbox.shopify.bulk import BulkOperations

_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
_BULK_PATH = re.compile(r"^/bulk-operation-results/(\d+)\.jsonl$")
_UNAUTHORIZED = b'{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}'
_DOCS = "https://shopify.dev/api/usage/rate-limits"
_UNDEFINED = re.compile(r"^Cannot query field '(\w+)' on type '(\w+)'\.")


class Answering:
    """Requests answered over the state :class:`~flowtui.sandbox.shopify.server.ShopifySandbox` keeps."""

    schema: GraphQLSchema
    bucket: Bucket
    bulk: BulkOperations
    token: str
    fail_every: int | None
    requests: int
    request_log: list[tuple[str, int, dict | None]]
    _lock: threading.RLock
    _parsed: dict[str, tuple[DocumentNode | None, list]]

    # -- one GraphQL request ------------------------------------------------------------------------------
    def graphql(self, body: dict, version: str) -> dict:
        """Shopify's answer (always HTTP 200) to a GraphQL request body."""
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            return {"errors": [{"message": "No query string was present"}]}
        parsed = self._parsed.get(query)
        if parsed is None:  # a client sends the same few queries again and again: parse and check each once
            try:
                tree = parse(query)
                parsed = (tree, [_shopify_error(e.formatted) for e in validate(self.schema, tree)])
            except GraphQLError as err:
                parsed = (None, [err.formatted])
            if len(self._parsed) > 100:
                self._parsed.clear()
            self._parsed[query] = parsed
        if parsed[1] or parsed[0] is None:
            return {"errors": parsed[1]}
        document = parsed[0]
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        name = body.get("operationName")
        chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
        if len(chosen) != 1:
            return {"errors": [{"message": "An operation name is required" if name is None else
                                f'No operation named "{name}"'}]}
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return {"errors": [{"message": "Variables must be an object"}]}
        try:
            coerced = get_variable_values(self.schema, chosen[0].variable_definitions or [], variables)
            if isinstance(coerced, list):
                return {"errors": [e.formatted for e in coerced]}
            walk = Walk(self.schema, chosen[0], fragments, coerced)
            requested = walk.requested()
        except GraphQLError as err:
            return {"errors": [err.formatted]}
        if requested > MAX_COST:
            return {"errors": [{"message": (
                f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_COST}).\n\n"
                "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                "cost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations "
                "should be used instead.\nSee https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n"),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_COST, "documentation": _DOCS}}]}
        if not self.bucket.take(requested):
            return {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": _DOCS}}],
                    "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": None,
                                            "throttleStatus": self.bucket.status()}}}
        context: dict = {"sandbox": self, "api_version": version}
        result = execute_sync(self.schema, document, operation_name=name, variable_values=variables, context_value=context)
        actual = min(requested, walk.actual(result.data))
        self.bucket.settle(requested, actual)
        answer: dict = {}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
        answer["data"] = result.data
        answer["extensions"] = {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                                         "throttleStatus": self.bucket.status()}}
        if context.get("warnings"):
            answer["extensions"]["search"] = [{"path": ["orders"], "warnings": context["warnings"]}]
        return answer

    # -- HTTP ---------------------------------------------------------------------------------------
    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests += 1
            n = self.requests
        headers = {"X-Request-Id": str(uuid.UUID(int=n))}
        bulk = _BULK_PATH.match(path)
        if bulk and method == "GET":
            jsonl = self.bulk.file(bulk.group(1))
            return self._send(handler, path, 200 if jsonl else 404, jsonl or b"Not Found", "application/jsonl", headers)
        match = _PATH.match(path)
        if not match:
            return self._send(handler, path, 404, b'{"errors":"Not Found"}', "application/json", headers)
        if self.fail_every and n % self.fail_every == 0:
            return self._send(handler, path, 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                              "text/html; charset=utf-8", headers)
        if handler.headers.get("X-Shopify-Access-Token") != self.token:
            return self._send(handler, path, 401, _UNAUTHORIZED, "application/json; charset=utf-8", headers)
        if method != "POST":
            return self._send(handler, path, 405, b'{"errors":"Method Not Allowed"}', "application/json", headers)
        headers["X-Shopify-API-Version"] = match.group(1)
        try:
            kind = handler.headers.get("Content-Type", "application/json").split(";")[0].strip()
            body = {"query": raw.decode()} if kind == "application/graphql" else json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return self._send(handler, path, 400, b'{"errors":{"query":"Required parameter missing or invalid"}}',
                              "application/json; charset=utf-8", headers)
        reply = self.graphql(body, match.group(1))
        out = json.dumps(reply, separators=(",", ":")).encode()
        self._send(handler, path, 200, out, "application/json; charset=utf-8", headers,
                   (reply.get("extensions") or {}).get("cost"))

    def _send(self, handler, path: str, status: int, body: bytes, content_type: str, headers: dict,
              cost: dict | None = None) -> None:
        self.request_log.append((path, status, cost))
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            handler.close_connection = True


class Handler(SandboxHandler):
    server_version = "ShopifySandbox/1.0"

    def do_POST(self) -> None:
        self.server.sandbox.answer(self, "POST")  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self.server.sandbox.answer(self, "GET")  # type: ignore[attr-defined]



def _shopify_error(error: Mapping) -> dict:
    """A validation error worded as Shopify words it (graphql-ruby), where the two differ."""
    undefined = _UNDEFINED.match(error.get("message", ""))
    if undefined:
        field, type_name = undefined.groups()
        return {"message": f"Field '{field}' doesn't exist on type '{type_name}'", "locations": error.get("locations"),
                "extensions": {"code": "undefinedField", "typeName": type_name, "fieldName": field}}
    return dict(error)
