"""A file's features as Arrow tables ready for ``COPY``: geometry checked, fields cast.

:func:`tables` reads the file batch by batch (:mod:`parkgis.io.readers`), checks each
batch's geometry (:func:`parkgis.io.geometry.prepare`) and casts its fields
(:func:`parkgis.io.fields.cast_batch`), and yields one ``pyarrow.Table`` per batch with the
columns ``_row`` (1-based feature number), the staged field names, ``geom`` (hex EWKB,
EPSG:4326; null where refused) and ``_ok`` (no error in that row). What it finds on the
way (problems, geometry counts, preview features) accumulates in a :class:`Checked`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from parkgis.io import stage
from parkgis.io.arrowcopy import hex_ewkb
from parkgis.io.crs import CrsChoice, transform_to_wgs84
from parkgis.io.fields import Mapping, Problem, cast_batch, to_arrow
from parkgis.io.geometry import GeometryStats, prepare
from parkgis.io.readers import Batch, Reader
from parkgis.io.targets import Target

KEEP_PROBLEMS = 2000
"""Problems kept in memory (the rest are only counted)."""


@dataclass
class Checked:
    """What reading a file found so far."""

    problems: list[Problem] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    """Problems beyond :data:`KEEP_PROBLEMS`, only counted, by severity."""
    stats: GeometryStats = field(default_factory=GeometryStats)
    read: int = 0
    shown: list[tuple[int, Any]] = field(default_factory=list)
    """(row, EPSG:4326 geometry) of the first features, for the preview map."""

    @property
    def has_errors(self) -> bool:
        """Whether any feature so far has an error (kept or only counted)."""
        return bool(self.dropped["error"]) or any(p.severity == "error" for p in self.problems)


def tables(
    reader: Reader,
    tgt: Target,
    mapping: Mapping,
    names: list[str],
    choice: CrsChoice,
    found: Checked,
    *,
    repair: bool,
    batch_rows: int,
    preview: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[pa.Table]:
    """Yield each batch of the file as a table ``_row, *names, geom, _ok`` (see above).

    Parameters
    ----------
    names : list of str
        The staged columns: mapped or set fields, and ``id``, the props column and
        ``_area`` (m²) when the mapping has them (see :func:`parkgis.io.stage.kind_of`).
    found : Checked
        Receives the problems, geometry counts and preview features as batches go by.
    """
    kinds = {n: stage.kind_of(tgt, n) for n in names}
    columns = ["_row", *names, "geom", "_ok"]
    for batch in reader.batches(batch_rows):
        n = len(batch.geoms)
        rows = np.arange(batch.offset + 1, batch.offset + n + 1)
        problems = found.problems
        before = len(problems)
        geoms, same = prepare(
            batch.geoms, rows, tgt, choice, repair=repair, stats=found.stats, problems=problems
        )
        values = cast_batch(tgt, mapping, batch.attrs, rows, problems)
        bad = [p.row for p in problems[before:] if p.severity == "error" and p.row]
        if len(problems) > KEEP_PROBLEMS:  # memory stays flat however bad the file
            for p in problems[KEEP_PROBLEMS:]:
                found.dropped[p.severity] += 1
            del problems[KEEP_PROBLEMS:]
        arrays = [pa.array(rows, pa.int32())]
        for k in names:
            arrays.append(
                to_arrow(kinds[k], values[k])
                if k in values
                else pa.nulls(n, stage.ARROW_TYPES[kinds[k]])
            )
        arrays.append(_geometry_column(batch, geoms, same))
        arrays.append(pa.array(~np.isin(rows, bad)))
        if len(found.shown) < preview:
            found.shown += _display(batch.geoms[: preview - len(found.shown)], rows, choice)
        found.read += n
        if not reader.encoding.samples:
            reader.encoding.samples = _samples(batch.attrs)
        yield pa.Table.from_arrays(arrays, names=columns)
        if progress is not None:
            progress(found.read, reader.count)


def _geometry_column(batch: Batch, geoms: np.ndarray, same: np.ndarray) -> pa.Array:
    """Hex EWKB (EPSG:4326) of a batch's checked geometries; null where refused.

    Geometries that are still the file's own go out as the WKB that was read (header
    rewritten in bulk, :func:`parkgis.io.arrowcopy.hex_ewkb`); the others are written by
    shapely.
    """
    n = len(geoms)
    if batch.wkb is not None:
        hexed, fast = hex_ewkb(batch.wkb, 4326)
        use = same & fast
    else:
        hexed, use = pa.nulls(n, pa.string()), np.zeros(n, dtype=bool)
    if use.all():
        return hexed
    other = ~use
    values = np.full(int(other.sum()), None, dtype=object)
    present = ~shapely.is_missing(geoms[other])
    if present.any():
        values[present] = shapely.to_wkb(
            shapely.set_srid(geoms[other][present], 4326), hex=True, include_srid=True
        )
    return pc.replace_with_mask(hexed, pa.array(other), pa.array(values, pa.string()))


def _display(geoms: np.ndarray, rows: np.ndarray, choice: CrsChoice) -> list[tuple[int, Any]]:
    """The features as drawn on the preview map: 2-D, EPSG:4326, valid or not."""
    out: list[tuple[int, Any]] = []
    keep = ~(
        shapely.is_missing(geoms)
        | shapely.is_empty(np.where(shapely.is_missing(geoms), shapely.Point(), geoms))
    )
    if not keep.any():
        return out
    try:
        shown = transform_to_wgs84(shapely.force_2d(geoms[keep]), choice)
    except Exception:  # noqa: BLE001 - a preview never blocks the report
        return out
    for r, g in zip(rows[: len(geoms)][keep], shown, strict=True):
        out.append((int(r), g))
    return out


def _samples(attrs: Any) -> list[str]:
    texts = [
        str(v)
        for c in attrs.columns
        if attrs[c].dtype == object
        for v in attrs[c].dropna().head(50)
        if isinstance(v, str) and v.strip()
    ]
    ordered = [t for t in texts if not t.isascii()] + [t for t in texts if t.isascii()]
    return list(dict.fromkeys(ordered))[:3]
