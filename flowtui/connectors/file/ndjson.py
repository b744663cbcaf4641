"""NDJSON order files cut into batches of whole lines, untouched; a line too large is read past and named."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from flowtui.connectors.base import (
    BATCH_BYTES,
    MAX_ORDER_BYTES,
    Lines,
    OrderBatch,
)

BYTE_ORDER_MARK = b"\xef\xbb\xbf"


def read_ndjson(file: Path, sizes: Iterator[int], budget: int = BATCH_BYTES,
                 limit: int = MAX_ORDER_BYTES) -> Iterator[tuple[OrderBatch, int]]:
    """The file's lines, in batches of the next of ``sizes`` lines each (and at most ``budget`` bytes), with the
    bytes read so far.

    A batch is read in one go (its size guessed from the lines so far, never more than ``budget``) and cut at
    its last line: one buffer of whole lines (:class:`Lines`), never a Python object per line. A line longer
    than ``limit`` is not read whole: the batch ends with an entry standing for it (:func:`_too_large`), and
    the next starts after it. The batch that reaches the end of the file says so (``finished``).
    """
    budget = max(budget, limit + 65536)  # room for a whole line of the limit
    with file.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        start, first_line, average = 0, 1, 1024  # bytes per line: learnt as the file is read
        for want in sizes:
            handle.seek(start)
            data = handle.read(min(want * average + 65536, budget))
            first = 3 if start == 0 and data.startswith(BYTE_ORDER_MARK) else 0
            offsets, position, too_long = [first], first, False
            while True:
                find = data.find
                while len(offsets) <= want:
                    end = find(b"\n", position, position + limit + 1)  # a line's newline is within its limit
                    if end == -1:
                        break
                    position = end + 1
                    offsets.append(position)
                if len(offsets) > want:
                    break
                if len(data) - position > limit:  # no newline within the limit: a line too long to read whole
                    too_long = True
                    break
                if len(data) >= budget:  # full: the line begun goes to the next batch
                    break
                more = handle.read(min(max(65536, (want + 1 - len(offsets)) * average), budget - len(data)))
                if not more:
                    if position < len(data):  # the file's last line: same bytes as when more lines follow
                        data += b"\n"
                        offsets.append(len(data))
                    break
                data += more
            count = len(offsets) - 1
            errors = None
            if too_long:
                entry, reason, after = _too_large(handle, data, position, start, limit)
                data = data[:position] + entry
                offsets.append(len(data))
                errors = [None] * count + [reason]
                next_start = after
            elif count == 0:
                return
            else:
                next_start = start + offsets[-1]
            batch = OrderBatch(orders=Lines(data, offsets), source=file.name, first_line=first_line, errors=errors)
            if next_start >= size:
                batch.finished.append(file.name)
            yield batch, next_start
            if count:
                average = max(1, (offsets[count] - offsets[0]) // count)
            first_line += len(offsets) - 1
            start = next_start


PIECE = 1 << 20  # a line too long to read whole is read past this much at a time


def _too_large(handle, data: bytes, position: int, start: int, limit: int) -> tuple[bytes, str, int]:
    """The line that starts at ``data[position]`` and is longer than ``limit``: an entry standing for it, the
    reason it is rejected, and where the next line starts in the file.

    The line is read past in pieces of :data:`PIECE` (hashing it on the way), never held whole. The entry
    names its size and SHA-256 (so a changed line is a new rejection) and whatever could be read of its
    ``id``, ``store_id`` and ``time`` from its first bytes (so the rejection is the order's, on its day).
    """
    digest = hashlib.sha256()
    head = data[position:position + 65536]
    end = data.find(b"\n", position + limit + 1)
    if end != -1:
        digest.update(memoryview(data)[position:end])
        length, after = end - position, start + end + 1
    else:
        digest.update(memoryview(data)[position:])
        length = len(data) - position
        handle.seek(start + len(data))
        while True:
            piece = handle.read(PIECE)
            newline = piece.find(b"\n")
            chunk = piece if newline == -1 else piece[:newline]
            digest.update(chunk)
            length += len(chunk)
            if newline != -1 or not piece:
                after = handle.tell() - len(piece) + (newline + 1 if newline != -1 else 0)
                break
    stand_in = {**_head_fields(head, ("id", "store_id", "time")),
                "too_large": {"bytes": length, "sha256": digest.hexdigest()}}
    reason = (f"order is {length:,} bytes, more than the {megabytes(limit)} limit (docs/orders.md): "
              "shorten it or split it, and sync again")
    return json.dumps(stand_in, ensure_ascii=False).encode() + b"\n", reason, after


def megabytes(limit: int) -> str:
    return f"{limit / (1 << 20):g} MB"


# A JSON text's tokens: strings, punctuation, and anything else up to the next of those (numbers, literals).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _head_fields(head: bytes, wanted: tuple[str, ...]) -> dict:
    """The ``wanted`` top-level string fields that the first bytes of a JSON object show (those it shows)."""
    found: dict = {}
    depth, key, last = 0, None, None
    for match in _TOKEN.finditer(head.decode("utf-8", errors="ignore")):
        token = match.group()
        if token in ("{", "["):
            depth, key = depth + 1, None
        elif token in ("}", "]"):
            depth -= 1
        elif token == ":":
            key = last if depth == 1 else None
        elif token == ",":
            key = last = None
        elif depth == 1 and token.startswith('"'):
            try:
                text = json.loads(token)
            except ValueError:
                text = None
            if key is None:
                last = text
            else:
                if key in wanted and key not in found and isinstance(text, str):
                    found[key] = text
                key = None
        else:
            key = None
        if len(found) == len(wanted):
            break
    return found
