"""Digest arithmetic: orders in, one summary per (stream, store, business date) out.

Pure functions over Polars DataFrames — no I/O — so every rule here can be
tested (and property-tested) on its own. Money is carried as integer **sen**
and quantities as integer **thousandths** (``Int64``): exact, and fast to sum.
Definitions, all exact to the sen:

* ``gross_sales`` — completed sales' totals as charged (tax, service charge
  and rounding included); ``returns`` — completed returns' totals;
  ``net_total = gross_sales - returns`` is the digest's amount.
* ``discount``, ``service_charge``, ``shipping``, ``tax``, ``tips`` (the orders' ``tip``), ``rounding`` —
  sales minus returns.
* payments by method — sales payments minus refunds; they sum to ``net_total``
  whenever every order's payments sum to its total (landing enforces that).
* items by SKU (or the source product id when a line has no SKU) — quantity
  and amount (excluding tax) sold minus returned; ``unit_price`` is
  ``amount / quantity`` rounded half away from zero to the sen.
* taxes by code — each line's amount (taxable) and tax under its tax code,
  less its share of its order's discount; the service charge (taxable) and
  the order tax that no line carries (its tax: the service charge's and the
  shipping's) under the service charge's tax code (:func:`service_charge_tax`), so a day's taxes always add up to its
  ``tax``.
* voided orders count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from flowtui.engine.core.records import SUMMARY_FIELDS

KEYS = ["stream_id", "pos_store_id", "business_date"]
SUMMARY_MONEY = list(SUMMARY_FIELDS)


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


def summarize(orders: pl.DataFrame, lines: pl.DataFrame, payments: pl.DataFrame,
              service_codes: pl.DataFrame | None = None, order_discounts: pl.DataFrame | None = None) -> DigestFrames:
    """Roll orders up into digests.

    ``orders``: KEYS + ``type, status, discount, service_charge, shipping, tax, tip, rounding, total``.
    ``lines``: KEYS + ``type, status, sku, product_id, name, quantity, discount, tax, tax_code, amount``.
    ``payments``: KEYS + ``type, status, method, amount``.
    ``service_codes``: ``stream_id, pos_store_id, tax_code`` — the tax code of each store's service
    charge, where one is known.
    ``order_discounts``: KEYS + ``type, tax_code, discount`` — completed orders' order discounts shared
    over their lines' tax codes (:data:`flowtui.engine.ledger.sql.ORDER_DISCOUNTS_SQL`).
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
            _signed_sum("shipping"),
            _signed_sum("tax"),
            _signed_sum("tip").alias("tips"),
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
    line_taxes = (
        done_lines.with_columns(pl.col("tax_code").fill_null(""))
        .group_by([*KEYS, "tax_code"])
        .agg(_signed_sum("amount").alias("taxable"), _signed_sum("tax"))
    )
    parts = [line_taxes, service_charge_tax(summary, line_taxes, service_codes)]
    if order_discounts is not None and not order_discounts.is_empty():
        parts.append(order_discounts.lazy().select(
            *KEYS, "tax_code", (-pl.col("discount") * _sign()).alias("taxable"), pl.lit(0, pl.Int64).alias("tax")))
    taxes = (
        pl.concat(parts, how="vertical_relaxed")
        .group_by([*KEYS, "tax_code"])
        .agg(pl.col("taxable").sum(), pl.col("tax").sum())
        .sort([*KEYS, "tax_code"])
    )
    summary_df, paid_df, items_df, taxes_df = pl.collect_all([summary, paid, items, taxes])
    return DigestFrames(summary=summary_df, payments=paid_df, items=items_df, taxes=taxes_df)


def service_charge_tax(summary: pl.LazyFrame, line_taxes: pl.LazyFrame,
                       service_codes: pl.DataFrame | None) -> pl.LazyFrame:
    """Per day: the service charge (taxable) and the tax no line carries (tax), under the service charge's code.

    ``summary`` has a day's signed ``service_charge`` and ``tax``; ``line_taxes`` its lines' tax by code.
    A day whose service charge has no known tax code keeps that tax under no code (``""``), so the tax
    summary still adds up; a day with tax outside its lines but no service charge keeps it under no code
    too. A service charge with a code but no tax appears (taxable, 0); without a code and without tax, not.
    """
    line_tax = line_taxes.group_by(KEYS).agg(pl.col("tax").sum().alias("line_tax"))
    codes = (service_codes if service_codes is not None
             else pl.DataFrame(schema={"stream_id": pl.Int64, "pos_store_id": pl.String, "tax_code": pl.String}))
    return (
        summary.select(*KEYS, "service_charge", "tax")
        .join(line_tax, on=KEYS, how="left")
        .join(codes.lazy().select(pl.col("stream_id").cast(summary.collect_schema()["stream_id"]), "pos_store_id",
                                  pl.col("tax_code").alias("sc_code")),
              on=["stream_id", "pos_store_id"], how="left")
        .with_columns((pl.col("tax") - pl.col("line_tax").fill_null(0)).alias("tax"))
        .with_columns(
            pl.when(pl.col("service_charge") != 0).then(pl.col("sc_code").fill_null("")).otherwise(pl.lit(""))
            .alias("tax_code"))
        .filter((pl.col("tax") != 0) | ((pl.col("service_charge") != 0) & (pl.col("tax_code") != "")))
        .select(*KEYS, "tax_code", pl.col("service_charge").alias("taxable"), "tax")
    )


def unit_price_sen(amount_sen: pl.Expr, quantity_milli: pl.Expr) -> pl.Expr:
    """``amount / quantity`` in sen, rounded half away from zero; 0 when nothing is left.

    With amount in sen and quantity in thousandths: price = amount * 1000 / quantity.
    """
    numerator = amount_sen * 1000
    sign = numerator.sign() * quantity_milli.sign()
    rounded = (2 * numerator.abs() + quantity_milli.abs()) // (2 * quantity_milli.abs())
    return pl.when(quantity_milli == 0).then(0).otherwise(sign * rounded)
