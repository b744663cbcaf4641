"""Digest arithmetic: orders in, one summary per (stream, store, business date) out.

Pure functions over Polars DataFrames — no I/O — so every rule here can be
tested (and property-tested) on its own. Definitions, all exact to the sen:

* ``gross_sales`` — completed sales' totals as charged (tax, service charge
  and rounding included); ``returns`` — completed returns' totals;
  ``net_total = gross_sales - returns`` is the digest's amount.
* ``discount``, ``service_charge``, ``tax``, ``rounding`` — sales minus returns.
* payments by method — sales payments minus refunds; they sum to ``net_total``
  whenever every order's payments sum to its total (landing enforces that).
* items by SKU (or the source product id when a line has no SKU) — quantity
  and amount (excluding tax) sold minus returned; ``unit_price`` is
  ``amount / quantity`` rounded to the sen.
* voided orders count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

KEYS = ["stream_id", "pos_store_id", "business_date"]
SUMMARY_MONEY = ["gross_sales", "returns", "discount", "service_charge", "tax", "rounding", "net_total"]
MONEY = pl.Decimal(18, 2)
QTY = pl.Decimal(18, 3)


@dataclass(frozen=True)
class DigestFrames:
    """Everything a digest holds, one frame per table, keyed by :data:`KEYS`."""

    summary: pl.DataFrame
    payments: pl.DataFrame
    items: pl.DataFrame
    taxes: pl.DataFrame


def _sign() -> pl.Expr:
    return pl.when(pl.col("type") == "return").then(-1).otherwise(1)


def _completed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("status") == "completed")


def _signed_sum(column: str) -> pl.Expr:
    return (pl.col(column) * _sign()).sum().cast(MONEY).alias(column)


def summarize(orders: pl.DataFrame, lines: pl.DataFrame, payments: pl.DataFrame) -> DigestFrames:
    """Roll orders up into digests.

    ``orders``: KEYS + ``type, status, discount, service_charge, tax, rounding, total``.
    ``lines``: KEYS + ``type, status, sku, product_id, name, quantity, discount, tax, tax_code, amount``.
    ``payments``: KEYS + ``type, status, method, amount``.
    """
    done = _completed(orders)
    is_sale = pl.col("type") == "sale"
    summary = (
        done.group_by(KEYS)
        .agg(
            is_sale.sum().cast(pl.Int32).alias("order_count"),
            (~is_sale).sum().cast(pl.Int32).alias("return_count"),
            pl.col("total").filter(is_sale).sum().cast(MONEY).alias("gross_sales"),
            pl.col("total").filter(~is_sale).sum().cast(MONEY).alias("returns"),
            _signed_sum("discount"),
            _signed_sum("service_charge"),
            _signed_sum("tax"),
            _signed_sum("rounding"),
        )
        .with_columns((pl.col("gross_sales") - pl.col("returns")).cast(MONEY).alias("net_total"))
        .sort(KEYS)
    )

    paid = (
        _completed(payments)
        .group_by([*KEYS, "method"])
        .agg(_signed_sum("amount"))
        .sort([*KEYS, "method"])
    )

    done_lines = _completed(lines).with_columns(
        pl.coalesce(pl.col("sku"), pl.col("product_id")).alias("item_key")
    )
    items = (
        done_lines.group_by([*KEYS, "item_key"])
        .agg(
            pl.col("name").drop_nulls().max().alias("name"),
            (pl.col("quantity") * _sign()).sum().cast(QTY).alias("quantity"),
            _signed_sum("discount"),
            _signed_sum("tax"),
            _signed_sum("amount"),
        )
        .rename({"item_key": "sku"})
        .with_columns(unit_price(pl.col("amount"), pl.col("quantity")).alias("unit_price"))
        .sort([*KEYS, "sku"])
    )

    taxes = (
        done_lines.with_columns(pl.col("tax_code").fill_null(""))
        .group_by([*KEYS, "tax_code"])
        .agg(_signed_sum("amount").alias("taxable"), _signed_sum("tax"))
        .sort([*KEYS, "tax_code"])
    )
    return DigestFrames(summary=summary, payments=paid, items=items, taxes=taxes)


def unit_price(amount: pl.Expr, quantity: pl.Expr) -> pl.Expr:
    """``amount / quantity`` to the sen (0 when nothing is left after returns)."""
    exact = amount.cast(pl.Decimal(38, 6)) / quantity.cast(pl.Decimal(38, 6))
    return pl.when(quantity == 0).then(pl.lit(0).cast(MONEY)).otherwise(exact.round(2).cast(MONEY))
