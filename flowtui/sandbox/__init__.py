"""Local stand-ins for the services streams connect to (``flowtui sandbox ...``).

:class:`StoreHubSandbox` (in :mod:`flowtui.sandbox.storehub`) is a StoreHub-compatible
API server with generated data and injectable faults, for tests, demos and benchmarks (standard library only);
:class:`ShopifySandbox` (in :mod:`flowtui.sandbox.shopify`) a Shopify GraphQL Admin API on graphql-core.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name in ("StoreHubSandbox", "serve"):  # lazily, so ``python -m flowtui.sandbox.storehub`` stays clean
        from flowtui.sandbox import storehub

        return getattr(storehub, name)
    raise AttributeError(name)


__all__ = ["StoreHubSandbox", "serve"]
