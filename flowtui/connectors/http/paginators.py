"""Paginators: how a listing says where its next page is (dlt's ``rest_client/paginators.py``, smaller).

A paginator is told the page just read — where it was asked, with which query, the reply and what the
reader made of it — and answers with the next ``(path or URL, query)`` to ask, or ``None`` at the end.
:meth:`HttpClient.pages <flowtui.connectors.http.client.HttpClient.pages>` follows it, refusing a next
page on another host and a page asked twice.

* :class:`Cursor` — the reply carries a cursor for the next page (Loyverse ``cursor``; Shopify
  GraphQL's ``pageInfo.endCursor`` with ``hasNextPage``);
* :class:`PageNumber` — ``?page=1, 2, ...`` until a page comes back empty or short, or the total pages
  header says so (WooCommerce ``X-WP-TotalPages``);
* :class:`LinkHeader` — the reply's ``Link: <...>; rel="next"`` (WooCommerce, Shopify REST).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flowtui.connectors.http.deadlines import Reply

Ask = tuple[str, dict | None]


class Paginator(Protocol):
    def next(self, where: str, query: dict | None, reply: Reply, data: Any) -> Ask | None:
        """The next page to ask for, or ``None`` when this one was the last."""
        ...


def _dig(data: Any, path: str) -> Any:
    """``data["a"]["b"]`` for ``"a.b"``; ``None`` where any step is missing."""
    for step in path.split(".") if path else []:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def _items(data: Any, items: str) -> Sequence[Any] | None:
    found = _dig(data, items) if items else data
    return found if isinstance(found, list) else None


@dataclass(frozen=True)
class Cursor:
    """The next page is asked with ``param`` = the reply's ``cursor`` (a dotted path into the JSON).

    It ends when the cursor is missing or empty, or when ``has_more`` (a dotted path) is present and false.
    """

    cursor: str = "cursor"
    param: str = "cursor"
    has_more: str | None = None

    def next(self, where: str, query: dict | None, reply: Reply, data: Any) -> Ask | None:
        if self.has_more is not None and not _dig(data, self.has_more):
            return None
        value = _dig(data, self.cursor)
        if value in (None, ""):
            return None
        return where, {**(query or {}), self.param: value}


@dataclass(frozen=True)
class PageNumber:
    """``param`` = 1, 2, ... (from ``first``): ends at an empty page, a page shorter than ``size`` (when
    given), or the last page the ``total_pages`` header names. ``items`` is where the page's list is
    (a dotted path; empty: the reply is the list)."""

    param: str = "page"
    first: int = 1
    size: int | None = None
    items: str = ""
    total_pages: str | None = None  # a header, e.g. "X-WP-TotalPages"

    def next(self, where: str, query: dict | None, reply: Reply, data: Any) -> Ask | None:
        query = dict(query or {})
        page = int(query.get(self.param, self.first))
        found = _items(data, self.items)
        if not found or (self.size is not None and len(found) < self.size):
            return None
        if self.total_pages is not None:
            total = reply.headers.get(self.total_pages, "")
            if total.strip().isdigit() and page >= int(total):
                return None
        return where, {**query, self.param: page + 1}


@dataclass(frozen=True)
class LinkHeader:
    """The ``Link`` header's ``rel="next"`` URL (its query included); the end when there is none."""

    rel: str = "next"

    def next(self, where: str, query: dict | None, reply: Reply, data: Any) -> Ask | None:
        for link in _links(reply.headers.get("Link", "")):
            if self.rel in link[1]:
                return link[0], None
        return None


def _links(header: str) -> list[tuple[str, set[str]]]:
    """``<url>; rel="next", <url>; rel="prev last"`` as (url, rels) pairs (RFC 8288, the part services use)."""
    out = []
    for match in _LINK.finditer(header):
        rels: set[str] = set()
        for param in match.group(2).strip().rstrip(",").split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "rel":
                rels.update(value.strip().strip('"').lower().split())
        out.append((match.group(1).strip(), rels))
    return out


_LINK = re.compile(r"<([^>]*)>([^<]*)")
