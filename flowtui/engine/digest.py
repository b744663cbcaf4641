"""Digest arithmetic: orders in, one summary per (stream, store, business date) out.

Pure functions over Polars DataFrames — no I/O — so every rule here can be
tested (and property-tested) on its own. Money is carried as integer **sen**
and quantities as integer **thousandths** (``Int64``): exact, and fast to sum.
Definitions, all exact to the sen:

* ``gross_sales`` — completed sales' totals as charged (tax, service charge
  and rounding included); ``returns`` — completed returns' totals;
  ``net_total = gross_sales - returns`` is the digest's amount.
* ``discount``, ``service_charge``, ``tax``, ``rounding`` — sales minus returns.
* payments by method — sales payments minus refunds; they sum to ``net_total``
  whenever every order's payments sum to its total (landing enforces that).
* items by SKU (or the source product id when a line has no SKU) — quantity
  and amount (excluding tax) sold minus returned; ``unit_price`` is
  ``amount / quantity`` rounded half away from zero to the sen.
* voided orders count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

KEYS = ["stream_id", "pos_store_id", "business_date"]
SUMMARY_MONEY = ["gross_sales", "returns", "discount", "service_charge", "tax", "rounding", "net_total"]


@dataclass(frozen=True)
class DigestFrames:
    """Everything a digest holds, one frame per table, keyed by :data:`KEYS`.

    Money columns are integer sen; ``quantity`` is integer thousandths.
    """

    summary: pl.DataFrame
    payments: pl.DataFrame
    items: pl.DataFrame
    taxes: pl.DataFrame


def _sign() -> pl.Expr:
    return pl.when(pl.col("type") == "return").then(-1).otherwise(1)


def _completed(frame: pl.DataFrame) -> pl.LazyFrame:
    return frame.lazy().filter(pl.col("status") == "completed")


def _signed_sum(column: str) -> pl.Expr:
    return (pl.col(column) * _sign()).sum().alias(column)


def summarize(orders: pl.DataFrame, lines: pl.DataFrame, payments: pl.DataFrame) -> DigestFrames:
    """Roll orders up into digests.

    ``orders``: KEYS + ``type, status, discount, service_charge, tax, rounding, total``.
    ``lines``: KEYS + ``type, status, sku, product_id, name, quantity, discount, tax, tax_code, amount``.
    ``payments``: KEYS + ``type, status, method, amount``.
    """
    is_sale = pl.col("type") == "sale"
    summary = (
        _completed(orders)
        .group_by(KEYS)
        .agg(
            is_sale.sum().cast(pl.Int32).alias("order_count"),
            (~is_sale).sum().cast(pl.Int32).alias("return_count"),
            pl.col("total").filter(is_sale).sum().alias("gross_sales"),
            pl.col("total").filter(~is_sale).sum().alias("returns"),
            _signed_sum("discount"),
            _signed_sum("service_charge"),
            _signed_sum("tax"),
            _signed_sum("rounding"),
        )
        .with_columns((pl.col("gross_sales") - pl.col("returns")).alias("net_total"))
        .sort(KEYS)
    )
    paid = _completed(payments).group_by([*KEYS, "method"]).agg(_signed_sum("amount")).sort([*KEYS, "method"])
    done_lines = _completed(lines).with_columns(pl.coalesce(pl.col("sku"), pl.col("product_id")).alias("sku"))
    items = (
        done_lines.group_by([*KEYS, "sku"])
        .agg(
            pl.col("name").drop_nulls().max().alias("name"),
            _signed_sum("quantity"),
            _signed_sum("discount"),
            _signed_sum("tax"),
            _signed_sum("amount"),
        )
        .with_columns(unit_price_sen(pl.col("amount"), pl.col("quantity")).alias("unit_price"))
    )  # items are many (SKUs x days) and left unsorted; the database orders them when read
    taxes = (
        done_lines.with_columns(pl.col("tax_code").fill_null(""))
        .group_by([*KEYS, "tax_code"])
        .agg(_signed_sum("amount").alias("taxable"), _signed_sum("tax"))
        .sort([*KEYS, "tax_code"])
    )
    summary, paid, items, taxes = pl.collect_all([summary, paid, items, taxes])
    return DigestFrames(summary=summary, payments=paid, items=items, taxes=taxes)


def unit_price_sen(amount_sen: pl.Expr, quantity_milli: pl.Expr) -> pl.Expr:
    """``amount / quantity`` in sen, rounded half away from zero; 0 when nothing is left.

    With amount in sen and quantity in thousandths: price = amount * 1000 / quantity.
    """
    numerator = amount_sen * 1000
    sign = numerator.sign() * quantity_milli.sign()
    rounded = (2 * numerator.abs() + quantity_milli.abs()) // (2 * quantity_milli.abs())
    return pl.when(quantity_milli == 0).then(0).otherwise(sign * rounded)
