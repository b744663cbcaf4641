"""A stand-in Shopify GraphQL Admin API: generated orders, Shopify's limits and failures (see :mod:`.server`)."""

from __future__ import annotations

from flowtui.sandbox.shopify.run import main, serve
from flowtui.sandbox.shopify.server import ShopifySandbox

__all__ = ["ShopifySandbox", "main", "serve"]
