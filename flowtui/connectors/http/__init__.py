"""The HTTP toolkit every source (and later every destination) shares.

* :mod:`.client` — :class:`HttpClient`: one request at a time, limited, retried, bounded, counted;
* :mod:`.limits` — :class:`RequestRate`, :class:`CostBucket`, :func:`shared_limiter` (one per credential);
* :mod:`.retry` — :class:`RetryPolicy` (tenacity underneath), ``Retry-After`` read as seconds or a date;
* :mod:`.paginators` — :class:`Cursor`, :class:`PageNumber`, :class:`LinkHeader`;
* :mod:`.graphql` — :class:`GraphQLClient`: queries priced against a :class:`CostBucket` fed by each reply's
  ``throttleStatus``, THROTTLED waited out (never a failure), :class:`GraphQLCursor` paging;
* :mod:`.bulk` — :class:`BulkExport` (run, poll, download a bulk query's JSONL) and :func:`reassemble`;
* :mod:`.deadlines` — a deadline for a whole reply, body included;
* :mod:`.stats` — :class:`RequestStats`; :mod:`.errors` — what it raises.
"""

from flowtui.connectors.http.bulk import BulkExport, BulkFailed, reassemble
from flowtui.connectors.http.client import Answer, Deadlines, HttpClient, json_reply, open_http
from flowtui.connectors.http.errors import (
    CredentialsRefused,
    GaveUp,
    HttpError,
    RetryLater,
    UnexpectedListing,
    UnexpectedStatus,
)
from flowtui.connectors.http.graphql import GraphQLAccessDenied, GraphQLClient, GraphQLCursor, GraphQLError, ThrottleStatus
from flowtui.connectors.http.limits import CostBucket, Limiter, RequestRate, Unlimited, shared_limiter
from flowtui.connectors.http.paginators import Cursor, LinkHeader, PageNumber, Paginator
from flowtui.connectors.http.retry import RetryPolicy, retry_after
from flowtui.connectors.http.stats import RequestStats

__all__ = [
    "Answer", "BulkExport", "BulkFailed", "CostBucket", "CredentialsRefused", "Cursor", "Deadlines", "GaveUp",
    "GraphQLAccessDenied", "GraphQLClient", "GraphQLCursor", "GraphQLError", "HttpClient", "HttpError", "Limiter",
    "LinkHeader", "PageNumber", "Paginator", "RequestRate", "RequestStats", "RetryLater", "RetryPolicy",
    "ThrottleStatus", "UnexpectedListing", "UnexpectedStatus", "Unlimited", "json_reply", "open_http", "reassemble",
    "retry_after", "shared_limiter",
]
