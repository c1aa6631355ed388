"""Open an input file safely: size, emptiness, format, zip archives and shapefile siblings.

A ``.zip`` is checked member by member before anything is extracted: no absolute paths or
``..`` parts (path traversal), no more than :data:`MAX_ZIP_RATIO` : 1 between the sizes
uncompressed and compressed (zip bombs), and no more than the size limit once unpacked.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from parkgis.errors import InvalidInput, PayloadTooLarge

FORMATS = {
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".fgb": "FlatGeobuf",
    ".kml": "KML",
    ".dxf": "DXF",
    ".csv": "CSV",
    ".xlsx": "XLSX",
}
"""File suffix → driver name (``.zip`` holds one of these)."""

MAX_ZIP_RATIO = 100.0
"""Refuse a zip whose members expand more than this many times (zip bomb)."""


@dataclass
class Source:
    """An input ready to read: the path of the data file and what we know of the upload."""

    path: Path
    file_name: str
    driver: str
    size_bytes: int
    sha256: str
    archive_member: str | None = None


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _suffix(path: Path | PurePosixPath) -> str:
    return path.suffix.lower()


def _check_shapefile(shp: Path, name: str) -> None:
    siblings = {p.suffix.lower(): p for p in shp.parent.glob(shp.stem + ".*")}
    for need in (".dbf", ".shx"):
        if need not in siblings:
            raise InvalidInput(
                f"{name}: a shapefile needs its {need} beside the .shp (send all parts, or a .zip)",
                field="file",
            )


def _extract_zip(path: Path, name: str, into: Path, max_bytes: int) -> Path:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"{name}: not a readable zip archive ({exc})", field="file") from exc
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        total = compressed = 0
        for m in members:
            p = PurePosixPath(m.filename.replace("\\", "/"))
            if p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]):
                raise InvalidInput(
                    f"{name}: member {m.filename!r} would be written outside the archive's "
                    "folder (path traversal); refused",
                    field="file",
                )
            total += m.file_size
            compressed += m.compress_size
        if total > max(compressed, 1) * MAX_ZIP_RATIO:
            raise InvalidInput(
                f"{name}: expands {total / max(compressed, 1):.0f} times ({total:,} bytes); "
                f"archives expanding more than {MAX_ZIP_RATIO:.0f}:1 are refused (zip bomb?)",
                field="file",
            )
        if total > max_bytes:
            raise PayloadTooLarge(
                f"{name}: unpacks to {total:,} bytes, over the limit of {max_bytes:,}",
                field="file",
            )
        data = [m for m in members if _suffix(PurePosixPath(m.filename)) in FORMATS]
        primary = [m for m in data if _suffix(PurePosixPath(m.filename)) not in (".json",)]
        if not primary:
            primary = data
        if not primary:
            raise InvalidInput(
                f"{name}: the archive holds no data file ({', '.join(sorted(FORMATS))})",
                field="file",
            )
        shp = [m for m in primary if _suffix(PurePosixPath(m.filename)) == ".shp"]
        chosen = shp[0] if shp else primary[0]
        if len(shp if shp else primary) > 1:
            names = ", ".join(m.filename for m in (shp or primary))
            raise InvalidInput(
                f"{name}: the archive holds several data files ({names})", field="file"
            )
        written = 0
        for m in members:
            # Flatten: every member lands in ``into`` under its base name.
            out = into / PurePosixPath(m.filename.replace("\\", "/")).name
            with zf.open(m) as src, out.open("wb") as dst:
                while block := src.read(1 << 20):
                    written += len(block)
                    if written > min(max_bytes, total):  # headers lied about sizes
                        raise InvalidInput(
                            f"{name}: unpacks to more than its header says; refused", field="file"
                        )
                    dst.write(block)
        return into / PurePosixPath(chosen.filename).name


@contextmanager
def open_source(path: Path, *, max_bytes: int, file_name: str | None = None) -> Iterator[Source]:
    """Check ``path`` and yield a :class:`Source` (zip archives are unpacked to a temp dir).

    Parameters
    ----------
    path : Path
        The uploaded or named file.
    max_bytes : int
        Largest accepted file (and unpacked archive) in bytes.
    file_name : str, optional
        The name the user gave the file (uploads are saved under a temporary name).

    Raises
    ------
    InvalidInput
        Missing, empty, unknown format, shapefile without siblings, unsafe zip.
    PayloadTooLarge
        Over ``max_bytes``.
    """
    name = file_name or path.name
    if not path.is_file():
        raise InvalidInput(f"{name}: no such file", field="file")
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"{name}: the file is empty (0 bytes)", field="file")
    if size > max_bytes:
        raise PayloadTooLarge(
            f"{name}: {size:,} bytes is over the import limit of {max_bytes:,} bytes",
            field="file",
        )
    suffix = _suffix(Path(name))
    if suffix != ".zip" and suffix not in FORMATS:
        known = ", ".join(sorted([*FORMATS, ".zip"]))
        raise InvalidInput(
            f"{name}: unknown format {suffix or '(no suffix)'!r}; parkgis reads {known}",
            field="file",
        )
    sha = file_sha256(path)
    if suffix != ".zip":
        if suffix == ".shp":
            _check_shapefile(path, name)
        yield Source(path, name, FORMATS[suffix], size, sha)
        return
    with tempfile.TemporaryDirectory(prefix="parkgis-import-") as tmp:
        inner = _extract_zip(path, name, Path(tmp), max_bytes)
        if _suffix(inner) == ".shp":
            _check_shapefile(inner, name)
        yield Source(inner, name, FORMATS[_suffix(inner)], size, sha, archive_member=inner.name)
