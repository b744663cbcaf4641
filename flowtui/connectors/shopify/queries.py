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
      taxLines {{ rate title priceSet {{ {MONEY} }} }}"""

_SHIPPING = f"""id title isRemoved
      discountedPriceSet {{ {MONEY} }}
      taxLines {{ rate title priceSet {{ {MONEY} }} }}"""

_TRANSACTION = f"id kind status gateway processedAt amountSet {{ {MONEY} }}"

_REFUND_LINE = f"""id quantity
          subtotalSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
          lineItem {{ id sku name }}"""

_REFUND_SHIPPING = f"id subtotalAmountSet {{ {MONEY} }} taxAmountSet {{ {MONEY} }}"

#: nested page sizes of the paged query: its requested cost (about 95 points an order) stays under Shopify's
#: 1,000-point ceiling for a page of 8 orders; an order with more is read again alone (:data:`ORDER`)
ORDERS_PER_PAGE = 8


def _order(lines: int, shipping: int, transactions: int, refunds: int, refund_lines: int) -> str:
    return f"""id name test processedAt createdAt updatedAt cancelledAt displayFinancialStatus taxesIncluded
  currencyCode sourceName
  retailLocation {{ id name }}
  totalTipReceivedSet {{ {MONEY} }}
  lineItems(first: {lines}) {{ pageInfo {{ hasNextPage }} nodes {{ {_LINE} }} }}
  shippingLines(first: {shipping}) {{ pageInfo {{ hasNextPage }} nodes {{ {_SHIPPING} }} }}
  transactions(first: {transactions}) {{ {_TRANSACTION} }}
  refunds(first: {refunds}) {{
    id createdAt
    refundLineItems(first: {refund_lines}) {{ pageInfo {{ hasNextPage }} nodes {{ {_REFUND_LINE} }} }}
    refundShippingLines(first: 5) {{ nodes {{ {_REFUND_SHIPPING} }} }}
    transactions(first: 10) {{ nodes {{ {_TRANSACTION} }} }}
  }}"""


ORDERS = f"""
query Orders($q: String!, $after: String, $first: Int!) {{
  orders(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {_order(20, 3, 10, 3, 20)} }}
  }}
}}
"""

#: one order whose lines did not fit the page: read alone with room for all of them
ORDER = f"""
query Order($id: ID!) {{
  order(id: $id) {{ {_order(250, 20, 100, 50, 100)} }}
}}
"""

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
      id name test processedAt createdAt updatedAt cancelledAt displayFinancialStatus taxesIncluded
      currencyCode sourceName
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

#: refunds read by id, a few at a time: a bulk query cannot hold a connection inside a list field (``refunds``
#: is a list), so a bulk export carries each refund's id and date only and its lines and money come from here
REFUNDS_PER_QUERY = 10
REFUNDS = f"""
query Refunds($ids: [ID!]!) {{
  nodes(ids: $ids) {{
    ... on Refund {{
      id createdAt
      refundLineItems(first: 100) {{ pageInfo {{ hasNextPage }} nodes {{ {_REFUND_LINE} }} }}
      refundShippingLines(first: 5) {{ nodes {{ {_REFUND_SHIPPING} }} }}
      transactions(first: 10) {{ nodes {{ {_TRANSACTION} }} }}
    }}
  }}
}}
"""
