"""The Shopify stream: orders of a Shopify shop (online store and Shopify POS) over the GraphQL Admin API."""
