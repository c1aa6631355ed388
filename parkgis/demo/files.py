"""Reading and writing the demo files: one GeoPackage, CSVs, and ``meta.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from parkgis.demo.schema import GPKG_NAME, LAYERS, META_NAME, Layer
from parkgis.errors import InvalidInput

CSV_OPTIONS = {"strings_can_be_null": True, "quoted_strings_can_be_null": False}


def csv_path(directory: Path, layer: Layer) -> Path:
    """Where a non-spatial layer's CSV lives."""
    return directory / f"{layer.name}.csv"


def output_files(directory: Path) -> list[Path]:
    """Every file the generator writes into ``directory``."""
    out = [directory / GPKG_NAME, directory / META_NAME]
    out += [csv_path(directory, layer) for layer in LAYERS if not layer.spatial]
    return out


def to_arrow(layer: Layer, columns: dict[str, list[Any]]) -> pa.Table:
    """An Arrow table of one layer from its column lists (geometry already as WKB)."""
    schema = layer.arrow_schema()
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_layer(directory: Path, layer: Layer, table: pa.Table, append: bool) -> None:
    """Write (or append) one layer: GeoPackage layer for spatial ones, CSV otherwise."""
    if layer.spatial:
        import pyogrio

        pyogrio.write_arrow(
            table,
            directory / GPKG_NAME,
            layer=layer.name,
            driver="GPKG",
            geometry_name="geom",
            geometry_type=layer.geometry_type,
            crs="EPSG:4326",
            append=append,
            layer_options={"FID": "id"},
        )
        return
    path = csv_path(directory, layer)
    opts = pacsv.WriteOptions(include_header=not append)
    if append:
        with path.open("ab") as fh:
            pacsv.write_csv(table, fh, write_options=opts)
    else:
        pacsv.write_csv(table, path, write_options=opts)


def read_layer(directory: Path, layer: Layer) -> pa.Table:
    """Read one layer back as an Arrow table with the schema of :mod:`parkgis.demo.schema`.

    Spatial layers come from the GeoPackage through pyogrio's Arrow reader, with the
    geometry as WKB in column ``geom`` (EPSG:4326).

    Raises
    ------
    InvalidInput
        The file or layer is missing or does not have the expected columns.
    """
    schema = layer.arrow_schema()
    try:
        if layer.spatial:
            import pyogrio

            _, table = pyogrio.read_arrow(directory / GPKG_NAME, layer=layer.name, return_fids=True)
            if table.num_rows == 0:
                table = schema.empty_table()
        else:
            opts = pacsv.ConvertOptions(column_types=schema, **CSV_OPTIONS)
            table = pacsv.read_csv(csv_path(directory, layer), convert_options=opts)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InvalidInput(f"cannot read demo layer {layer.name!r} in {directory}: {exc}") from exc
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise InvalidInput(f"demo layer {layer.name!r} lacks columns {', '.join(missing)}")
    return table.select(schema.names).cast(schema)


def write_meta(directory: Path, meta: dict[str, Any]) -> None:
    """Write ``meta.json`` (sorted keys, UTF-8, trailing newline)."""
    text = json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (directory / META_NAME).write_text(text, encoding="utf-8")


def read_meta(directory: Path) -> dict[str, Any]:
    """Read ``meta.json`` of a demo directory.

    Raises
    ------
    InvalidInput
        There is no readable ``meta.json`` (not a demo directory).
    """
    path = directory / META_NAME
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"{path} is missing or unreadable ({exc.__class__.__name__}); generate the demo with "
            "`parkgis demo generate --out DIR` first"
        ) from exc
    return meta
