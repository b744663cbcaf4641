"""Generate canonical orders as NDJSON, fast, for the landing benchmark.

20 stores, 60 days, 1-5 lines and 1-2 payments per order, SST 6%, 2% returns,
1% voided. Amounts are kept in integer sen so the arithmetic is exact.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

METHODS = ("Cash", "Card", "E-wallet", "GrabPay")


def _m(sen: int) -> str:
    return f"{sen // 100}.{sen % 100:02d}"


def generate(path: Path, count: int, stores: int = 20, days: int = 60, seed: int = 1, first_id: int = 0) -> None:
    rnd = random.Random(seed)
    start = datetime(2026, 8, 1, tzinfo=UTC) - timedelta(hours=8)  # local midnight in KL
    span = days * 86400
    with path.open("w", encoding="utf-8") as out:
        for i in range(first_id, first_id + count):
            when = (start + timedelta(seconds=rnd.randrange(span))).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines, subtotal, tax = [], 0, 0
            for _ in range(rnd.randint(1, 5)):
                qty, price, sku = rnd.randint(1, 3), rnd.randint(100, 5000), rnd.randrange(500)
                amount = qty * price
                line_tax = amount * 6 // 100
                subtotal += amount
                tax += line_tax
                lines.append(
                    '{"sku":"SKU%04d","name":"Product %d","quantity":%d,"unit_price":"%s","tax":"%s",'
                    '"tax_code":"SV6","amount":"%s"}' % (sku, sku, qty, _m(price), _m(line_tax), _m(amount))
                )
            total = subtotal + tax
            if rnd.random() < 0.25:
                first = total // 2
                pays = '{"method":"Cash","amount":"%s"},{"method":"%s","amount":"%s"}' % (
                    _m(first), rnd.choice(METHODS[1:]), _m(total - first))
            else:
                pays = '{"method":"%s","amount":"%s"}' % (rnd.choice(METHODS), _m(total))
            kind = "return" if rnd.random() < 0.02 else "sale"
            status = "voided" if rnd.random() < 0.01 else "completed"
            out.write(
                '{"id":"O%08d","number":"%08d","store_id":"S%02d","time":"%s","type":"%s","status":"%s",'
                '"subtotal":"%s","tax":"%s","total":"%s","lines":[%s],"payments":[%s]}\n'
                % (i, i, rnd.randrange(stores), when, kind, status, _m(subtotal), _m(tax), _m(total),
                   ",".join(lines), pays)
            )


if __name__ == "__main__":
    generate(Path(sys.argv[2]), int(sys.argv[1]))
