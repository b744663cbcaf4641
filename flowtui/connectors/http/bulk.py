"""Bulk GraphQL exports (Shopify's bulk operations): run a query, poll until it is done, read its JSONL.

    bulk = BulkExport(gql, download=open_download)
    for order in reassemble(bulk.run(ORDERS_BULK), {"LineItem": "lineItems"}):
        ...

* :meth:`BulkExport.run` starts the query (``bulkOperationRunQuery``), polls the operation
  (``node(id:)``) with a growing pause — ``first_poll`` seconds, then doubling up to ``max_poll`` —
  until it is ``COMPLETED`` (or fails: :class:`BulkFailed` with the service's status and error code, or
  runs past ``deadline``), downloads the result file and yields each line's JSON object, in file order.
* The file is on another host (a signed storage URL): it is fetched by ``download(url)``, which must not
  send the service's credentials there.
* :func:`reassemble` turns the flat lines back into a tree: a line with ``__parentId`` is a node of one of
  its parent's connections, which connection being told by its id's type (``gid://shopify/LineItem/1`` ->
  ``lineItems``); it is appended to ``parent[field]["nodes"]``, the shape a paged query written with
  ``nodes`` has, so one mapping reads both. A parent is yielded once the file has moved past its children
  (children always follow their parent in the file).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson

from flowtui.connectors.http.errors import HttpError
from flowtui.connectors.http.graphql import GraphQLClient, GraphQLError

RUN = """
mutation RunBulk($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

#: ``node(id:)`` works in every API version (``bulkOperation(id:)`` came in 2026-01, ``currentBulkOperation`` is
#: deprecated from 2026-04 and only knows the latest operation)
POLL = """
query PollBulk($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } }
}
"""

#: for a server without ``node(id:)``: the latest bulk query operation (one runs at a time before 2026-01)
POLL_CURRENT = """
query PollCurrentBulk {
  currentBulkOperation(type: QUERY) { id status errorCode objectCount url partialDataUrl }
}
"""
UNDEFINED = frozenset({"undefinedField", "GRAPHQL_VALIDATION_FAILED", "fieldNotDefined"})

DONE = "COMPLETED"
FAILED = frozenset({"FAILED", "CANCELED", "CANCELING", "EXPIRED"})


class BulkFailed(HttpError):
    """The bulk operation ended without its file (failed, cancelled, expired), or did not end in time."""


class BulkExport:
    """Bulk queries through ``gql``; ``download(url)`` fetches a result file's bytes."""

    def __init__(self, gql: GraphQLClient, download: Callable[[str], bytes], *, first_poll: float = 1.0,
                 max_poll: float = 30.0, deadline: float = 3600.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.gql, self.download = gql, download
        self.first_poll, self.max_poll, self.deadline = first_poll, max_poll, deadline
        self.polls = 0
        self._current = False  # polling currentBulkOperation (the server has no node(id:))
        self._clock, self._sleep = clock, sleep

    def run(self, query: str) -> Iterator[dict]:
        """Every line of the query's result file as a JSON object (started, polled, downloaded)."""
        url = self.wait(self.start(query))
        if url is None:  # a query that matched nothing has no file
            return
        yield from jsonl(self.download(url), self.gql.service)

    def start(self, query: str) -> str:
        """Start the bulk query; its operation id."""
        data = self.gql.query(RUN, {"query": query})
        payload = data.get("bulkOperationRunQuery") or {}
        errors = [e.get("message") or "" for e in payload.get("userErrors") or [] if isinstance(e, dict)]
        if errors:
            raise GraphQLError(self.gql.service, [f"the bulk query was refused: {e}" for e in errors])
        operation = payload.get("bulkOperation") or {}
        if not isinstance(operation.get("id"), str):
            raise GraphQLError(self.gql.service, ["the bulk query started without an operation id"])
        return operation["id"]

    def wait(self, operation: str) -> str | None:
        """Poll until the operation is done; its file's URL (``None``: no file, nothing matched)."""
        ends = self._clock() + self.deadline
        pause = self.first_poll
        while True:
            self.polls += 1
            found = self._poll(operation)
            status = found.get("status")
            if status == DONE:
                url = found.get("url")
                return url if isinstance(url, str) and url else None
            if status in FAILED:
                code = found.get("errorCode")
                raise BulkFailed(f"{self.gql.service}'s bulk export ended {status}"
                                 + (f" ({code})" if code else "") + "; the next sync asks again.")
            if self._clock() + pause > ends:
                raise BulkFailed(f"{self.gql.service}'s bulk export did not finish within {self.deadline:g} s "
                                 f"(last {status or 'unknown'}); the next sync asks again.")
            self.gql.http.stats.wait(pause)
            self._sleep(pause)
            pause = min(self.max_poll, pause * 2)


    def _poll(self, operation: str) -> dict:
        if not self._current:
            try:
                return self.gql.query(POLL, {"id": operation}).get("node") or {}
            except GraphQLError as exc:
                if not UNDEFINED.intersection(exc.codes):
                    raise
                self._current = True
        found = self.gql.query(POLL_CURRENT).get("currentBulkOperation") or {}
        if found.get("id") not in (None, operation):
            raise BulkFailed(f"{self.gql.service} is running another bulk export ({found.get('id')}); "
                             "the next sync asks again.")
        return found


def jsonl(content: bytes, service: str = "the service") -> Iterator[dict]:
    """The JSON object of each non-blank line; a line that is not one fails the export (the file is the service's
    own, a bad line means a broken download)."""
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise BulkFailed(f"{service}'s bulk export file has a line that is not JSON (line {number}); "
                             "the next sync asks again.") from None
        if not isinstance(value, dict):
            raise BulkFailed(f"{service}'s bulk export file has a line that is not an object (line {number}).")
        yield value


def gid_type(gid: Any) -> str | None:
    """``gid://shopify/LineItem/1`` -> ``LineItem``."""
    if not isinstance(gid, str) or not gid.startswith("gid://"):
        return None
    parts = gid[6:].split("/")
    return parts[1] if len(parts) >= 3 else None


def _index(value: Any, index: dict[str, dict]) -> None:
    """Every object with an id inside ``value`` (a parent may be nested in a list of its line, e.g. a refund)."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            index[value["id"]] = value
        for item in value.values():
            if isinstance(item, (dict, list)):
                _index(item, index)
    elif isinstance(value, list):
        for item in value:
            _index(item, index)


def reassemble(lines: Iterable[dict], fields: Mapping[str, str]) -> Iterator[dict]:
    """Top-level objects with their children put back under them (see the module's notes).

    ``fields`` maps a child's type to its parent's connection field (``{"LineItem": "lineItems"}``); a child of
    a type not named goes under ``"children"``. A child whose parent is not in the file (or already passed) is
    yielded alone with ``__orphan`` set, so the caller can say so rather than lose it.
    """
    index: dict[str, dict] = {}
    root: dict | None = None
    for line in lines:
        parent_id = line.get("__parentId")
        if parent_id is None:
            if root is not None:
                yield root
            root, index = line, {}
            _index(line, index)
            continue
        parent = index.get(parent_id) if isinstance(parent_id, str) else None
        if parent is None:
            yield {**line, "__orphan": True}
            continue
        child = {k: v for k, v in line.items() if k != "__parentId"}
        field = fields.get(gid_type(child.get("id")) or "", "children")
        holder = parent.get(field)
        if not isinstance(holder, dict) or not isinstance(holder.get("nodes"), list):
            holder = parent[field] = {"nodes": []}
        holder["nodes"].append(child)
        if isinstance(child.get("id"), str):
            index[child["id"]] = child
    if root is not None:
        yield root
