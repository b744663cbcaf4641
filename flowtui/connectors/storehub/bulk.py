"""StoreHub /transactions replies -> canonical orders, read in bulk by DuckDB.

A reply (one JSON array of transactions) goes to an in-memory DuckDB as it
came off the wire: DuckDB splits it into transactions, keeps each one's JSON
(the raw payload, for audit and change detection) and maps every *everyday*
transaction straight to the canonical order's typed columns (the structure
landing would otherwise parse from canonical JSON). Python never builds an
object per transaction.

The everyday transaction is exactly what :func:`storehub_map._fast` takes:
every amount a JSON number in whole sen, integer quantities, line totals that
agree with quantity x price - discount, every id present. Anything else (a
string for a number, a missing field, an object that is not a transaction...)
is handed to :func:`storehub_map.to_canonical`, one transaction at a time,
which reads it exactly or says why it cannot. Both paths land the same
orders; ``tests/unit/test_storehub_sql.py`` holds them to it.

The connection lives for one sync (one :class:`ReplyReader`), in memory,
never touching the books file.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from flowtui.connectors.storehub.mapping import canonical_json, to_order, transaction_time
from flowtui.engine.core.orders import Order, structure_type

# The shape read from a transaction: amounts as DOUBLE (what a JSON parser
# makes of them, as ``_fast`` sees them), quantities as BIGINT, texts as
# VARCHAR. DuckDB would also cast a string or a boolean into those types where
# ``_fast`` would not take them, so :data:`_UNUSUAL` first sends every
# transaction with a value of the wrong JSON type in one of those fields to the
# exact path.
_TX = {
    "refId": "VARCHAR", "invoiceNumber": "VARCHAR", "storeId": "VARCHAR", "transactionType": "VARCHAR",
    "transactionTime": "VARCHAR", "isCancelled": "JSON", "saleInvoiceNumber": "VARCHAR", "channel": "VARCHAR",
    "serviceCharge": "DOUBLE", "tax": "DOUBLE", "roundedAmount": "DOUBLE", "total": "DOUBLE",
    "items": [{"productId": "VARCHAR", "name": "VARCHAR", "quantity": "BIGINT", "unitPrice": "DOUBLE",
               "discount": "DOUBLE", "tax": "DOUBLE", "total": "DOUBLE", "taxCode": "VARCHAR"}],
    "payments": [{"paymentMethod": "VARCHAR", "amount": "DOUBLE"}],
}
_AMOUNTS = "serviceCharge|tax|roundedAmount|total|unitPrice|discount|amount"
_TEXTS = "refId|invoiceNumber|storeId|transactionType|transactionTime|productId|paymentMethod"
# An amount that is not a JSON number (a string, true, null, a list...), a quantity that is not a JSON
# integer, an id that is not a JSON string: one scan of the transaction's text.
_UNUSUAL = (rf'"({_AMOUNTS})"\s*:\s*[^-0-9\s]|"quantity"\s*:\s*([^-0-9\s]|-?[0-9]+[.eE])'
            rf'|"({_TEXTS})"\s*:\s*[^"\s]')


def _sen(_x: str, default: bool = False) -> str:
    """Integer sen of an amount that is a whole number of sen; NULL for anything else.

    The same test as ``storehub_map._sen``: the double times 100, rounded,
    divided back, must give the same double. ``default``: missing is 0.
    """
    _d = f"coalesce({_x}, 0)" if default else _x
    return f"(CASE WHEN abs({_d}) < 1e13 AND round({_d} * 100) / 100 = {_d} THEN round({_d} * 100)::BIGINT END)"


def _money(_cents: str) -> str:
    return f"(({_cents}) * 0.01)"


READ_BATCH = 20_000  # transactions read together: reading has a fixed cost of a few ms however few there are

_TX_JSON = orjson.dumps(_TX).decode()
_PARSED_TYPE = structure_type()

# Every staged transaction read, and its amounts in sen (NULL where not whole sen).
_READ_SQL = f"""
WITH typed AS (
    SELECT reply, pos, raw, asked,
           CASE WHEN starts_with(raw, '{{') THEN json_transform(raw, '{_TX_JSON}') END AS j
    FROM staged
)
SELECT reply, pos, raw, j.refId AS id, j.invoiceNumber AS number,
       j.storeId AS store_id, j.transactionType AS kind, j.transactionTime AS t,
       j.isCancelled = 'true' AS cancelled, j.isCancelled IS NULL OR j.isCancelled::VARCHAR IN ('true', 'false')
           AS cancel_known, j.saleInvoiceNumber AS original_number, j.channel, asked,
       {_sen("j.serviceCharge", True)} AS service, {_sen("j.tax", True)} AS tax,
       {_sen("j.roundedAmount", True)} AS rounding, {_sen("j.total")} AS total,
       list_transform(j.items, lambda it: CASE WHEN it IS NOT NULL THEN {{
           'product_id': it.productId, 'name': it.name, 'q': it.quantity,
           'price': {_sen("it.unitPrice")}, 'discount': {_sen("it.discount", True)},
           'tax': {_sen("it.tax", True)}, 'total': {_sen("it.total")}, 'tax_code': it.taxCode}} END) AS items,
       list_transform(j.payments, lambda p: CASE WHEN p IS NOT NULL THEN {{
           'method': p.paymentMethod, 'amount': {_sen("p.amount")}}} END) AS payments,
       j IS NOT NULL AND NOT regexp_matches(raw, '{_UNUSUAL}') AS readable
FROM typed
"""

# The everyday transaction, exactly as ``storehub_map._fast`` takes it.
_EVERYDAY = """
readable AND cancel_known AND len(items) > 0 AND payments IS NOT NULL
AND id IS NOT NULL AND number IS NOT NULL AND store_id IS NOT NULL AND kind IS NOT NULL AND t IS NOT NULL
AND service IS NOT NULL AND tax IS NOT NULL AND rounding IS NOT NULL AND total IS NOT NULL
AND list_bool_and(list_transform(items, lambda it: coalesce(
    it.product_id IS NOT NULL AND abs(it.q) < 1000000000
    AND it.total - it.tax = it.q::HUGEINT * it.price - it.discount, false)))
AND list_bool_and(list_transform(payments, lambda p: coalesce(p.method IS NOT NULL AND p.amount IS NOT NULL, false)))
"""

# StoreHub's transactionTime is UTC: a time without an offset gets its Z (as ``storehub_map.transaction_time``)
_TIME = ("CASE WHEN length(t) >= 16 AND right(t, 1) NOT IN ('Z', 'z') AND NOT contains(substr(t, 11), '+') "
         "AND NOT contains(substr(t, 11), '-') THEN t || 'Z' ELSE t END")


def _query() -> str:
    """The staged transactions: per transaction its ``pos`` in its reply, ``raw`` JSON text and, for an everyday
    one, ``ref`` and ``parsed`` (the canonical order's typed columns); ``parsed`` is NULL for the exact path."""
    return f"""
WITH tx AS ({_READ_SQL}),
flagged AS (
    SELECT *, coalesce({_EVERYDAY}, false) AS everyday,
           list_sum(list_transform(items, lambda it: it.total - it.tax)) AS sub
    FROM tx
)
SELECT pos, raw || chr(10) AS raw,
       CASE WHEN NOT everyday THEN {{'id': id, 'number': number, 'store_id': coalesce(nullif(store_id, ''), asked),
                                     'time': t}}
       END AS known,
       CASE WHEN everyday THEN 'storehub:' || coalesce(nullif(store_id, ''), '?') || ':'
           || coalesce(nullif(number, ''), nullif(id, ''), '#' || pos) END AS ref,
       CASE WHEN everyday THEN CAST(struct_pack(
           id := id, number := number, store_id := store_id, store_name := NULL::VARCHAR, time := {_TIME},
           type := CASE kind WHEN 'Sale' THEN 'sale' WHEN 'Return' THEN 'return' ELSE kind END,
           status := CASE WHEN cancelled THEN 'voided' ELSE 'completed' END,
           original_id := NULL::VARCHAR, original_number := original_number, channel := channel,
           subtotal := {_money("sub")}, discount := {_money("sub + service + tax + rounding - total")},
           service_charge := {_money("service")}, shipping := NULL::DECIMAL(18,6), tax := {_money("tax")},
           tip := NULL::DECIMAL(18,6), rounding := {_money("rounding")},
           total := {_money("total")},
           lines := list_transform(items, lambda it: struct_pack(
               sku := coalesce(getvariable('storehub_skus')[it.product_id], it.product_id),
               product_id := it.product_id,
               name := coalesce(getvariable('storehub_names')[it.product_id], it.name),
               quantity := it.q, unit_price := {_money("it.price")}, discount := {_money("it.discount")},
               tax := {_money("it.tax")}, tax_code := it.tax_code, amount := {_money("it.total - it.tax")})),
           payments := list_transform(payments, lambda p: struct_pack(method := p.method, amount := {_money("p.amount")}))
       ) AS {_PARSED_TYPE}) END AS parsed
FROM flagged

"""


class NotJSON(ValueError):
    """The reply was not JSON (a proxy's error page, a cut-off body): worth asking again."""


class NotAList(ValueError):
    """The reply was JSON but not a list of transactions."""


class ReplyReader:
    """Reads /transactions replies for one sync, in an in-memory DuckDB (one thread of it).

    :meth:`stage` splits a reply into its transactions and counts them (what
    the 5,000-cap check needs, cheaply); :meth:`take` reads everything staged
    in one go. Reading has a fixed cost of a few milliseconds however few
    transactions there are, so many small replies are best read together.
    """

    def __init__(self, products: dict) -> None:
        self.products = products
        self._dir = Path(tempfile.mkdtemp(prefix="flowtui-storehub-"))
        self._file = self._dir / "reply.json"
        self._con = duckdb.connect(config={"threads": 1})
        ids = [str(k) for k in products]
        skus = [_text_or_none(p.get("sku")) for p in products.values()]
        names = [_text_or_none(p.get("name")) for p in products.values()]
        self._con.execute("SET VARIABLE storehub_skus = map($ids, $skus)", {"ids": ids, "skus": skus})
        self._con.execute("SET VARIABLE storehub_names = map($ids, $names)", {"ids": ids, "names": names})
        self._con.execute("CREATE TEMP TABLE staged (reply INTEGER, pos INTEGER, raw VARCHAR, asked VARCHAR)")
        self._replies = 0
        self._takes = 0
        self.staged = 0  # transactions staged and not yet taken

    def close(self) -> None:
        self._con.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> ReplyReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def stage(self, content: bytes, store_id: str | None = None) -> int:
        """Split a reply into its transactions, to be read by :meth:`take`; how many there are.

        ``store_id`` is the store the reply was asked for: a transaction that cannot be read, and does not say
        its store, is held against that one. Raises :class:`NotJSON` (worth asking again) or :class:`NotAList`.
        """
        if content.lstrip()[:1] != b"[":
            try:
                orjson.loads(content)
            except orjson.JSONDecodeError as exc:
                raise NotJSON("not JSON") from exc
            raise NotAList("not a list")
        if content.rstrip()[-1:] != b"]":  # DuckDB would forgive a body cut off between two transactions
            raise NotJSON("cut off")
        self._file.write_bytes(content)  # DuckDB splits a JSON array fastest from a file, keeping each object's text
        self._replies += 1
        _path = str(self._file).replace("'", "''")
        try:
            count = self._con.execute(
                "INSERT INTO staged SELECT ?, row_number() OVER (), json, ? "
                f"FROM read_json_objects('{_path}', format = 'array')", [self._replies, store_id]).fetchall()[0][0]
        except duckdb.Error as exc:
            raise NotJSON(str(exc).splitlines()[0]) from exc
        finally:
            self._file.unlink(missing_ok=True)
        self.staged += count
        return count

    def unstage(self) -> None:
        """Forget the last reply staged (a capped window that is asked again in halves)."""
        count = self._con.execute("DELETE FROM staged WHERE reply = ?", [self._replies]).fetchall()[0][0]
        self.staged -= count

    @property
    def full(self) -> bool:
        """Enough staged to be worth reading: :data:`READ_BATCH` transactions, half that the first time
        (so that landing can start sooner)."""
        return self.staged >= (READ_BATCH if self._takes else READ_BATCH // 2)

    def take(self) -> pa.Table:
        """Everything staged, read, in reply order: ``ref, payload, raw, pre_error, parsed`` per transaction."""
        table = self._con.sql(_query()).to_arrow_table()
        self._con.execute("DELETE FROM staged")
        self.staged = 0
        self._takes += 1
        return _complete(table, self.products)

    def read(self, content: bytes) -> pa.Table:
        """One reply, read."""
        self.stage(content)
        return self.take()


def _complete(table: pa.Table, products: dict) -> pa.Table:
    """The columns landing reads, the unusual transactions read by the exact path."""
    parsed = table.column("parsed")
    count = table.num_rows
    refs = table.column("ref").to_pylist() if parsed.null_count else table.column("ref")
    payloads: list[str | None] = [None] * count
    errors: list[str | None] = [None] * count
    if parsed.null_count:
        raws, positions, known = table.column("raw"), table.column("pos"), table.column("known")
        for index in pc.indices_nonzero(parsed.is_null()).to_pylist():
            refs[index], payloads[index], errors[index] = _exact(raws[index].as_py(), positions[index].as_py(),
                                                                 products, known[index].as_py())
    return pa.table({
        "ref": pa.array(refs, pa.string()) if isinstance(refs, list) else refs.cast(pa.string()),
        "payload": pa.array(payloads, pa.string()),
        "raw": table.column("raw").cast(pa.string()),
        "pre_error": pa.array(errors, pa.string()),
        "parsed": parsed,
    })


def _exact(raw: str, position: int, products: dict, known: dict | None = None) -> tuple[str, str, str | None]:
    """An unusual transaction, read by the exact path: its ref, canonical JSON and what is wrong.

    ``known`` is what DuckDB could read of it (ids, store, time; the store asked for when it names none):
    a transaction that cannot be used is still held against its store and day whenever those can be read.
    """
    try:
        order, error = to_order(orjson.loads(raw), products)
    except Exception as exc:  # a shape nobody foresaw: reject this one, keep the rest
        order, error = Order(), f"could not read the transaction ({type(exc).__name__})"
    if known and not order.store_id and known.get("store_id"):
        error = error or "storeId is missing"
    if error is not None and known:
        # the fields DuckDB read that the exact path did not: names known only at run time, so typed loosely
        filled: dict[str, Any] = {key: transaction_time(value) if key == "time" else value
                                  for key, value in known.items() if value and not getattr(order, key)}
        order = replace(order, **filled)
    label = order.number or order.id or f"#{position}"
    return f"storehub:{order.store_id or '?'}:{label}", canonical_json(order).decode(), error


def _text_or_none(value) -> str | None:
    """A product's SKU or name as the exact path reads it (falsy: none, so the fallback applies)."""
    if not value:
        return None
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, float) else str(value)
