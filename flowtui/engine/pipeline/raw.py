"""Raw payloads: every version of every order exactly as the source sent it.

They are kept for audit and re-processing, but read rarely, so they are
stored compactly: the payloads of a landed batch are cut into chunks of
:data:`CHUNK` orders, each chunk zstd-compressed (newline-separated payloads)
into one ``raw_chunks`` row. ``raw_orders`` says, per order version, which
batch and position holds it. Compression happens while the batch is
prepared — before the database is opened — so it costs the lock nothing.
"""

from __future__ import annotations

import zstandard

from flowtui.engine.pipeline import sql
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one

CHUNK = 1000
_LEVEL = 1


def compress_chunks(data: bytes, offsets: list[int]) -> list[bytes]:
    """Payloads laid end to end in ``data`` -> compressed chunks of :data:`CHUNK` payloads.

    Each payload in a chunk ends with a newline (NDJSON lines bring theirs; the
    reader makes sure the last line has one too); text payloads without one get it.
    """
    compressor = zstandard.ZstdCompressor(level=_LEVEL)
    view = memoryview(data)
    chunks = []
    for start in range(0, len(offsets) - 1, CHUNK):
        end = min(start + CHUNK, len(offsets) - 1)
        lo, hi = offsets[start], offsets[end]
        if hi > lo and data.count(b"\n", lo, hi) == end - start and data[hi - 1:hi] == b"\n":
            chunks.append(compressor.compress(view[lo:hi]))  # one line per payload already
        else:
            parts = [bytes(view[offsets[i]:offsets[i + 1]]).rstrip(b"\r\n") + b"\n" for i in range(start, end)]
            chunks.append(compressor.compress(b"".join(parts)))
    return chunks


def payload(con: Connection, stream_id: int, order_id: str, version: int | None = None) -> str | None:
    """The source payload of an order (its latest version unless ``version`` is given)."""
    row = one(con, sql.RAW_PAYLOAD, [stream_id, order_id, version, version])
    if row is None:
        return None
    position, data, size = row["position"], row["data"], row["chunk_size"]
    lines = zstandard.ZstdDecompressor().decompress(data).split(b"\n")
    return lines[position % size].rstrip(b"\r").decode("utf-8", errors="replace")


def ref(con: Connection, stream_id: int, order_id: str, version: int | None = None) -> str | None:
    """Where an order version came from (``sales.ndjson:17``)."""
    row = one(con, sql.RAW_REF, [stream_id, order_id, version, version])
    return row["ref"] if row else None
