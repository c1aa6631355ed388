"""Arrow batches into a table with one streaming ``COPY … (FORMAT csv)``, geometry as hex EWKB.

The import's hot path. Per-row Python is what made it slow, so here every step works on
whole Arrow arrays:

- :func:`hex_ewkb` turns a batch's WKB (what GDAL's Arrow stream gives) into hex EWKB with
  the SRID, by rewriting the 5-byte header of little-endian 2-D WKB in numpy and Arrow;
  other WKB (big-endian, Z/M, extended) is left to shapely by the caller.
- :class:`CsvCopy` keeps one ``COPY`` open for the whole file and writes each batch as CSV
  (Arrow's C++ writer). A thread sends the bytes, so the server parses batch *k* while
  Python reads and checks batch *k + 1*.

Everything runs on the caller's connection and transaction (see :mod:`parkgis.io.bulk`).
"""

from __future__ import annotations

import io
import queue
import threading
from types import TracebackType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql
from sqlalchemy import Connection

from parkgis.io.bulk import driver_connection

_HEX = np.frombuffer(b"".join(f"{i:02X}".encode() for i in range(256)), dtype=np.uint16)
"""Two ASCII hex digits for each byte value, as one uint16 (so a lookup hexes a buffer)."""
_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed")
"""Strings quoted, nulls left empty: PostgreSQL's CSV reads ``""`` as '' and ``,,`` as NULL."""
AHEAD = 2
"""Batches encoded and waiting to be sent: enough to keep the server busy, and memory flat
when the server is slower than reading (as it is for parcels)."""


def _binary_parts(wkb: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets rebased to 0, the value bytes) of a binary array, without copying."""
    if pa.types.is_large_binary(wkb.type):
        wkb = wkb.cast(pa.binary())
    _, off_buf, data_buf = wkb.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int32)[wkb.offset : wkb.offset + len(wkb) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf else np.empty(0, np.uint8)
    return offsets - offsets[0], data[offsets[0] : offsets[-1]]


def hex_ewkb(wkb: pa.Array, srid: int = 4326) -> tuple[pa.Array, np.ndarray]:
    """Hex EWKB (with ``srid``) of each WKB value, and which rows this could convert.

    Parameters
    ----------
    wkb : pyarrow binary array
        ISO WKB as GDAL writes it; nulls allowed.
    srid : int
        The SRID to embed (4326 for parkgis columns).

    Returns
    -------
    (pyarrow string array, ndarray of bool)
        The hex strings, and a mask of the rows that were little-endian 2-D WKB of type
        1-7 and so converted here. Other rows (and nulls) hold no usable value: the caller
        fills them (e.g. with ``shapely.to_wkb(..., hex=True, include_srid=True)``).
    """
    n = len(wkb)
    if n == 0:
        return pa.array([], pa.string()), np.zeros(0, dtype=bool)
    offsets, data = _binary_parts(wkb)
    lengths = np.diff(offsets)
    ok = lengths >= 5
    if wkb.null_count:
        ok &= ~np.asarray(wkb.is_null())
    starts = offsets[:-1][ok]
    head = np.zeros((n, 5), dtype=np.uint8)
    head[ok] = data[starts[:, None] + np.arange(5)]
    kind = head[:, 1:5].copy().view("<u4")[:, 0]
    ok &= (head[:, 0] == 1) & (kind >= 1) & (kind <= 7)
    # EWKB = byte order, type with the SRID flag (0x20 in its high byte), SRID, the rest.
    body = data.copy()
    body[offsets[:-1][ok] + 4] |= 0x20
    srid_bytes = np.frombuffer(int(srid).to_bytes(4, "little"), dtype=np.uint8)
    at = offsets[:-1] + np.minimum(lengths, 5)  # inside each row, however short
    body = np.insert(body, np.repeat(at, 4), np.tile(srid_bytes, n))
    new_offsets = (offsets + 4 * np.arange(n + 1)) * 2
    if new_offsets[-1] > np.iinfo(np.int32).max:
        raise ValueError("batch too large for one Arrow string array")
    out = pa.StringArray.from_buffers(
        n, pa.py_buffer(new_offsets.astype(np.int32)), pa.py_buffer(_HEX[body])
    )
    return out, ok


class CsvCopy:
    """One ``COPY table (columns) FROM STDIN (FORMAT csv)`` fed with Arrow tables.

    Use as a context manager; :meth:`write` takes a ``pyarrow.Table`` whose columns are
    ``columns`` in order (strings, numbers, booleans, dates; geometry as hex EWKB text),
    encodes it as CSV and hands it to a sending thread, so Python goes on with the next
    batch while the bytes go out and the server works; at most :data:`AHEAD` batches wait.
    Leaving the block ends the COPY and waits for the server; an exception aborts it
    (the transaction is then in error and must be rolled back).
    """

    def __init__(self, conn: Connection, table: str, columns: list[str]) -> None:
        self._raw = driver_connection(conn)
        target = sql.SQL(".").join(sql.Identifier(p) for p in table.split("."))
        self._stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            target, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        self._queue: queue.Queue[memoryview | None] = queue.Queue(maxsize=AHEAD)
        self._error: BaseException | None = None
        self._cur: Any = None
        self._cm: Any = None
        self._copy: Any = None
        self._thread: threading.Thread | None = None
        self.rows = 0

    def __enter__(self) -> CsvCopy:
        self._cur = self._raw.cursor()
        self._cm = self._cur.copy(self._stmt)
        self._copy = self._cm.__enter__()
        self._thread = threading.Thread(target=self._send, name="csv-copy", daemon=True)
        self._thread.start()
        return self

    def _send(self) -> None:
        """The sending thread: write each queued buffer (psycopg waits on the socket)."""
        while (buf := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._copy.write(buf)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self._error = exc

    def write(self, table: pa.Table) -> None:
        """Queue one batch, CSV-encoded (in Arrow's C++ writer)."""
        if self._error is not None:
            raise self._error
        if table.num_rows == 0:
            return
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, _CSV)
        self._queue.put(buf.getbuffer())
        self.rows += table.num_rows

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._queue.put(None)
            if self._thread is not None:
                self._thread.join()
            if exc is None and self._error is not None:
                kind, exc, tb = type(self._error), self._error, self._error.__traceback__
                self._cm.__exit__(kind, exc, tb)
                raise self._error
            self._cm.__exit__(kind, exc, tb)
        finally:
            self._cur.close()
