"""The GraphQL the Shopify stream sends (Admin API, the version pinned in :mod:`.provider`).

The order's fields are written once and used by the paged query, where nested connections are read with
``nodes``, and by the bulk query, where they must be ``edges { node }`` without ``first`` (the bulk file then
lists their nodes as lines of their own, put back under the order by
:func:`~flowtui.connectors.http.bulk.reassemble` in the paged shape). Only the fields the mapping reads are
asked for: a smaller query costs less, and a Shopify-compatible server need not have the rest.
"""

from __future__ import annotations

MONEY = "shopMoney { amount }"

_LINE = f"""id sku name quantity
      originalUnitPriceSet {{ {MONEY} }}
      discountAllocations {{ allocatedAmountSet {{ {MONEY} }} }}
      taxLines {{ rate priceSet {{ {MONEY} }} }}"""

_SHIPPING = f"""id isRemoved
      discountedPriceSet {{ {MONEY} }}
      taxLines {{ rate priceSet {{ {MONEY} }} }}"""

_TRANSACTION = f"id kind status gateway amountSet {{ {MONEY} }} amountRoundingSet {{ {MONEY} }}"

_REFUND_LINE = f"""id quantity
          subtotalSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
          lineItem {{ id sku name }}"""

_REFUND_SHIPPING = f"id subtotalAmountSet {{ {MONEY} }} taxAmountSet {{ {MONEY} }}"

#: A page of orders carries each order's first :data:`LINES` line items, :data:`SHIPPING` shipping lines,
#: :data:`TRANSACTIONS` transactions and :data:`REFUND_IDS` refunds' ids and dates. Shopify prices a query
#: before it runs (an object 1 point, a connection 2 + its page x each node; a money amount is 2 objects) and
#: refuses one over 1,000 points: an order is ~150 points, so 6 a page. Whatever does not fit (a long order, its
#: refunds' lines and money) is read after, by id (:data:`REFUNDS`, :func:`order_part`).
ORDERS_PER_PAGE = 6
LINES, SHIPPING, TRANSACTIONS, REFUND_IDS = 10, 2, 6, 10


def _order(lines: int, shipping: int, transactions: int, refunds: int) -> str:
    return f"""id name test processedAt displayFinancialStatus taxesIncluded sourceName
  retailLocation {{ id name }}
  totalTipReceivedSet {{ {MONEY} }}
  lineItems(first: {lines}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {_LINE} }} }}
  shippingLines(first: {shipping}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {_SHIPPING} }} }}
  transactions(first: {transactions}) {{ {_TRANSACTION} }}
  refunds(first: {refunds}) {{ id createdAt }}"""


ORDERS = f"""
query Orders($q: String!, $after: String, $first: Int!) {{
  orders(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {_order(LINES, SHIPPING, TRANSACTIONS, REFUND_IDS)} }}
  }}
}}
"""

_PARTS = {
    "lineItems": f"lineItems(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {_LINE} }} }}",
    "shippingLines": f"shippingLines(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} "
                     f"nodes {{ {_SHIPPING} }} }}",
    "transactions": f"transactions(first: 250) {{ {_TRANSACTION} }}",
    "refunds": "refunds(first: 250) { id createdAt }",
}


def order_part(part: str) -> str:
    """One order's ``part`` (lineItems, shippingLines: paged by ``$after``; transactions, refunds: all), for an
    order whose page could not carry all of it."""
    after = ", $after: String" if part in ("lineItems", "shippingLines") else ""
    return f"query OrderPart($id: ID!{after}) {{ order(id: $id) {{ id {_PARTS[part]} }} }}"


SHOP = "{ shop { name currencyCode ianaTimezone myshopifyDomain } }"

LOCATIONS = """
query Locations($after: String) {
  locations(first: 250, after: $after, includeInactive: true) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive }
  }
}
"""


def bulk_orders(search: str) -> str:
    """The bulk export of every order matching ``search``: its connections as ``edges { node }``, no ``first``."""
    quoted = search.replace("\\", "\\\\").replace('"', '\\"')
    return f"""{{
  orders(query: "{quoted}", sortKey: UPDATED_AT) {{
    edges {{ node {{
      id name test processedAt displayFinancialStatus taxesIncluded sourceName
      retailLocation {{ id name }}
      totalTipReceivedSet {{ {MONEY} }}
      transactions {{ {_TRANSACTION} }}
      refunds {{ id createdAt }}
      lineItems {{ edges {{ node {{ {_LINE} }} }} }}
      shippingLines {{ edges {{ node {{ {_SHIPPING} }} }} }}
    }} }}
  }}
}}"""


#: a bulk file's child lines by type -> the order's connection they belong to
BULK_CHILDREN = {"LineItem": "lineItems", "ShippingLine": "shippingLines"}

#: refunds read by id, a few at a time (a page of orders carries only their ids, and a bulk query cannot hold a
#: connection inside a list field such as ``refunds``): ~150 points each. A refund with more lines is read alone.
REFUNDS_PER_QUERY = 6
REFUND_LINES = 20


def refunds(lines: int = REFUND_LINES) -> str:
    return f"""
query Refunds($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    ... on Refund {{
      id createdAt
      refundLineItems(first: {lines}) {{ pageInfo {{ hasNextPage }} nodes {{ {_REFUND_LINE} }} }}
      refundShippingLines(first: 2) {{ nodes {{ {_REFUND_SHIPPING} }} }}
      transactions(first: 5) {{ nodes {{ {_TRANSACTION} }} }}
    }}
  }}
}}
"""


REFUNDS = refunds()
#: one refund with up to 150 lines (its own query)
REFUND_WHOLE = refunds(150)

#: the same, through the order, for a server without ``nodes(ids:)`` (the real API has it; a compatible one may
#: not): one order's first 5 refunds a query (~760 points)
ORDER_REFUNDS = f"""
query OrderRefunds($id: ID!) {{
  order(id: $id) {{
    id
    refunds(first: 5) {{
      id createdAt
      refundLineItems(first: {REFUND_LINES}) {{ pageInfo {{ hasNextPage }} nodes {{ {_REFUND_LINE} }} }}
      refundShippingLines(first: 2) {{ nodes {{ {_REFUND_SHIPPING} }} }}
      transactions(first: 5) {{ nodes {{ {_TRANSACTION} }} }}
    }}
  }}
}}
"""
