"""The import report (what ``--dry-run``/``--json`` print and ``POST /api/v1/imports`` returns).

Built from what reading and checking found (:class:`parkgis.io.batches.Checked`), the same
whichever way the rows were then written. Bounding boxes and locations are lon/lat
(EPSG:4326); areas in m².
"""

from __future__ import annotations

import json
from typing import Any

import shapely

from parkgis.io.batches import Checked
from parkgis.io.crs import CrsChoice, bounds_to_wgs84
from parkgis.io.fields import Mapping, Problem

MAX_LISTED = 50
"""Problems listed in the report (all are counted)."""


def build(
    src: Any,
    reader: Any,
    *,
    kind: str,
    mode: str,
    key: str | None,
    choice: CrsChoice,
    mapping: Mapping,
    found: Checked,
    counts: dict[str, int],
    preview: bool,
) -> dict[str, Any]:
    """The report of one file; ``would_load``, ``loaded`` and ``import_id`` are the caller's."""
    problems = found.problems
    stats = found.stats
    errors = sum(p.severity == "error" for p in problems)
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
    bbox = None
    if stats.bounds is not None:
        bbox = [round(v, 7) for v in stats.bounds]
    elif reader.bounds is not None and choice.used != "gcj02":
        bbox = [round(v, 7) for v in bounds_to_wgs84(reader.bounds, choice.used)]
    dropped = found.dropped
    report: dict[str, Any] = {
        "file": {
            "name": src.file_name,
            "size_bytes": src.size_bytes,
            "sha256": src.sha256,
            "member": src.archive_member,
        },
        "kind": kind,
        "mode": mode,
        "key": key,
        "driver": reader.driver,
        "layers": reader.layers,
        "layer": reader.layer,
        "features": found.read,
        "encoding": reader.encoding.as_dict(),
        "crs": choice.as_dict(),
        "bbox_4326": bbox,
        "geometry": stats.as_dict(),
        "fields": mapping.as_dict(),
        "problems": {
            "count": len(problems) + sum(dropped.values()),
            "errors": errors + dropped["error"],
            "warnings": len(problems) - errors + dropped["warning"],
            "rows_with_errors": len({p.row for p in problems if p.severity == "error"}),
            "first": [p.as_dict() for p in ordered[:MAX_LISTED]],
        },
        "counts": counts,
    }
    file_errors = [p for p in problems if p.severity == "error" and p.row is None]
    if file_errors or mapping.missing_required:
        report["problems"]["file"] = [p.as_dict() for p in file_errors]
    if preview:
        report["preview"] = _preview(found.shown, problems)
    return report


def _preview(shown: list[tuple[int, Any]], problems: list[Problem]) -> dict[str, Any]:
    worst: dict[int, str] = {}
    for p in problems:
        if p.row is not None and worst.get(p.row) != "error":
            worst[p.row] = p.severity
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"row": r, "status": worst.get(r, "ok")},
                "geometry": json.loads(shapely.to_geojson(g, indent=None)),
            }
            for r, g in shown
        ],
    }
