"""Basemaps: OpenStreetMap, AMap/Gaode (GCJ-02), Tianditu, the zone's own data, or none.

AMap tiles are drawn in GCJ-02 ("Mars coordinates"), about 300–600 m off WGS84 in
China. The tiles are left alone; the map's *data* is shifted WGS84 → GCJ-02 with
:func:`display_geojson` so both line up. Tianditu uses CGCS2000, which is within
centimetres of WGS84: no shift. Attributions are plain text, so a page links to no other
host than its tile servers.

``zone`` needs no tile server: a light vector basemap of the zone's streets, grid areas
and context layers (roads, rail, water, landmarks) drawn from the app's own vector tiles
(:mod:`parkgis.maps.tiles_layer`), so a map on an intranet shows roads instead of grey.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import folium

from parkgis.errors import ConfigError, InvalidQuery
from parkgis.geo import wgs84_to_gcj02
from parkgis.maps.i18n import Lang
from parkgis.settings import MapSettings

Basemap = Literal["osm", "amap", "tianditu", "zone", "none"]
BASEMAPS: tuple[Basemap, ...] = ("osm", "amap", "tianditu", "zone", "none")


@dataclass(frozen=True)
class TileSource:
    """One XYZ tile layer."""

    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 19
    overlay: bool = False


TILE_HOSTS: tuple[str, ...] = (
    "tile.openstreetmap.org",
    "webrd0{s}.is.autonavi.com",
    "t{s}.tianditu.gov.cn",
)
"""Hosts a map page may name (only inside tile URL templates)."""

_TILE_ORIGINS: dict[str, str] = {
    "osm": "https://tile.openstreetmap.org",
    "amap": "https://*.is.autonavi.com",
    "tianditu": "https://*.tianditu.gov.cn",
    "zone": "",
    "none": "",
}


def resolve_basemap(name: str | None, settings: MapSettings) -> Basemap:
    """The basemap to use: ``name`` if given, else ``PARKGIS_BASEMAP``.

    Raises
    ------
    InvalidQuery
        ``name`` is not a known basemap, or is ``tianditu`` with no key configured.
    ConfigError
        The *configured* default is ``tianditu`` and ``PARKGIS_TIANDITU_KEY`` is unset.
    """
    chosen = (name or settings.basemap).strip().lower()
    for b in BASEMAPS:
        if b == chosen:
            if b == "tianditu" and not settings.tianditu_key:
                msg = "the Tianditu basemap needs a key: set PARKGIS_TIANDITU_KEY"
                if name:
                    raise InvalidQuery(
                        msg + " or choose basemap=osm, amap, zone or none", field="basemap"
                    )
                raise ConfigError(msg + " or change PARKGIS_BASEMAP")
            return b
    raise InvalidQuery(
        f"unknown basemap {name!r}; use one of {', '.join(BASEMAPS)}", field="basemap"
    )


def tile_sources(basemap: Basemap, settings: MapSettings, lang: Lang) -> list[TileSource]:
    """The raster tile layers of ``basemap`` (empty for ``zone`` and ``none``)."""
    if basemap == "osm":
        return [
            TileSource(
                "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                "© OpenStreetMap contributors",
                subdomains="",
            )
        ]
    if basemap == "amap":
        amap_lang = "zh_cn" if lang == "zh" else "en"
        return [
            TileSource(
                "https://webrd0{s}.is.autonavi.com/appmaptile?"
                f"lang={amap_lang}&size=1&scale=1&style=8&x={{x}}&y={{y}}&z={{z}}",
                "© 高德地图 AutoNavi (GCJ-02)",
                subdomains="1234",
                max_zoom=18,
            )
        ]
    if basemap == "tianditu":
        key = settings.tianditu_key or ""
        label = "cva" if lang == "zh" else "eva"
        return [
            TileSource(_tianditu_url("vec", key), "© 天地图 Tianditu", "01234567", 18),
            TileSource(_tianditu_url(label, key), "© 天地图 Tianditu", "01234567", 18, True),
        ]
    return []


def _tianditu_url(layer: str, key: str) -> str:
    return (
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
    )


def content_security_policy(basemap: Basemap, *, offline: bool = False) -> str:
    """A Content-Security-Policy that lets a map page load only its own files and tiles.

    ``offline=True`` is for downloaded files (everything inline, nothing from ``'self'``).
    """
    own = [] if offline else ["'self'"]
    tiles = [_TILE_ORIGINS[basemap]] if _TILE_ORIGINS.get(basemap) else []
    parts = {
        "default-src": ["'none'"],
        "script-src": [*own, "'unsafe-inline'"],
        "style-src": [*own, "'unsafe-inline'"],
        "img-src": [*own, "data:", *tiles],
        "font-src": [*own, "data:"],
        "connect-src": own or ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in parts.items())


def add_basemap(m: folium.Map, basemap: Basemap, settings: MapSettings, lang: Lang) -> None:
    """Add the tile layers of ``basemap`` to ``m`` (none for ``none``).

    ``zone`` draws the zone basemap from the app's vector tiles.
    """
    if basemap == "zone":
        from parkgis.maps.tiles_layer import add_zone_basemap

        add_zone_basemap(m, lang)
        return
    for src in tile_sources(basemap, settings, lang):
        kwargs: dict[str, Any] = {"max_zoom": src.max_zoom}
        if src.subdomains:
            kwargs["subdomains"] = src.subdomains
        folium.TileLayer(
            tiles=src.url,
            attr=src.attribution,
            name=basemap,
            overlay=src.overlay,
            control=False,
            **kwargs,
        ).add_to(m)


def shifts_data(basemap: Basemap) -> bool:
    """Whether data must be moved WGS84 → GCJ-02 to match ``basemap``'s tiles."""
    return basemap == "amap"


def display_lonlat(lon: float, lat: float, basemap: Basemap) -> tuple[float, float]:
    """An EPSG:4326 lon/lat as drawn on ``basemap`` (GCJ-02 for AMap)."""
    return wgs84_to_gcj02(lon, lat) if shifts_data(basemap) else (lon, lat)


def _shift(coords: Any) -> Any:
    if coords and isinstance(coords[0], int | float):
        x, y = wgs84_to_gcj02(float(coords[0]), float(coords[1]))
        return [x, y, *coords[2:]]
    return [_shift(c) for c in coords]


def _shift_geometry(geom: dict[str, Any] | None) -> dict[str, Any] | None:
    if geom is None:
        return None
    out = dict(geom)
    if geom.get("type") == "GeometryCollection":
        out["geometries"] = [_shift_geometry(g) for g in geom.get("geometries", [])]
    elif "coordinates" in geom:
        out["coordinates"] = _shift(geom["coordinates"])
    out.pop("bbox", None)
    return out


def display_geojson(fc: dict[str, Any], basemap: Basemap) -> dict[str, Any]:
    """A copy of an EPSG:4326 GeoJSON FeatureCollection in the coordinates of ``basemap``.

    For ``amap`` every vertex is shifted WGS84 → GCJ-02; otherwise coordinates are kept.
    Properties are copied, never shared with ``fc``.
    """
    out = {k: v for k, v in fc.items() if k not in ("features", "bbox")}
    feats = []
    for f in fc.get("features", []):
        g = copy.deepcopy(f)
        if shifts_data(basemap):
            g["geometry"] = _shift_geometry(f.get("geometry"))
        g.pop("bbox", None)
        feats.append(g)
    out["features"] = feats
    return out


def geojson_bounds(fc: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of a FeatureCollection, None when empty."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Sequence[Any]) -> None:
        if c and isinstance(c[0], int | float):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        else:
            for p in c:
                walk(p)

    def geom(g: dict[str, Any] | None) -> None:
        if not g:
            return
        if g.get("type") == "GeometryCollection":
            for sub in g.get("geometries", []):
                geom(sub)
        elif g.get("coordinates"):
            walk(g["coordinates"])

    for f in fc.get("features", []):
        geom(f.get("geometry"))
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)
