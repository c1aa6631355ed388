"""The map core: escaping, offline assets, basemaps and GCJ-02, legend, render/download."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from folium.plugins import Fullscreen, MarkerCluster, TimestampedGeoJson

from parkgis.errors import ConfigError, InvalidQuery, NotFound
from parkgis.geo import wgs84_to_gcj02
from parkgis.maps import (
    LegendItem,
    LegendSection,
    add_geojson,
    base_map,
    finish,
    js_literal,
    popup_html,
    render,
    safe_text,
)
from parkgis.maps import assets as A
from parkgis.maps.basemaps import display_geojson, resolve_basemap
from parkgis.maps.i18n import resolve_lang
from parkgis.settings import MapSettings, Settings
from tests.support.hostile import HOSTILE, XSS_IMG, XSS_SCRIPT

ROOT = Path(__file__).resolve().parents[2]
TILE_HOSTS = {"tile.openstreetmap.org", "webrd0{s}.is.autonavi.com", "t{s}.tianditu.gov.cn"}
URL = re.compile(r"https?://([^/\"'\s)\\]+)")

# Published WGS84 -> GCJ-02 vectors (eviltransform's test suite): (wgs lat, lon, gcj lat, lon).
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def fc(*features: tuple[dict, dict]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": p.get("id"), "properties": p, "geometry": g}
            for g, p in features
        ],
    }


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def square(lon: float, lat: float, d: float = 0.001) -> dict:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def settings_with(**maps: object) -> Settings:
    return Settings(maps=MapSettings(**maps))  # type: ignore[arg-type]


def hosts(html: str) -> set[str]:
    return set(URL.findall(html))


def sample_map(basemap: str = "osm", lang: str = "en", names: tuple[str, ...] = HOSTILE):
    m = base_map(settings_with(), basemap=basemap, lang=lang, title="T <b>")
    data = fc(
        *[(point(112.70 + i * 0.001, 23.35), {"id": i, "name": n}) for i, n in enumerate(names)]
    )
    add_geojson(
        m,
        data,
        kind="firms",
        name="Firms <i>",
        popup=lambda p: popup_html(p["name"], [("Name", p["name"])]),
        tooltip=lambda p: p["name"],
        marker=folium.Marker(icon=folium.Icon(icon="industry", prefix="fa")),
    )
    add_geojson(
        m,
        fc((square(112.70, 23.34), {"id": 9, "status": "idle"})),
        kind="parcels",
        name="Parcels",
        style=lambda p: {"fillColor": "#e03131", "color": "red;}</style><script>", "weight": 1},
    )
    legend = [
        LegendSection(
            "Status",
            [LegendItem("b", "#000000", "B"), LegendItem("a", "#111111", XSS_SCRIPT)],
        )
    ]
    return finish(m, legend=legend)


# --- safe text -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", HOSTILE)
def test_safe_text_leaves_no_markup_or_js_metacharacters(raw: str) -> None:
    out = safe_text(raw)
    for ch in ("<", ">", '"', "'", "`", "$", "\\", "{{", "{%", "{#"):
        assert ch not in out
    assert "&lt;" in out or "&#36;" in out or "&#123;" in out


def test_safe_text_formats_values() -> None:
    assert safe_text(None) == ""
    assert safe_text(1234567) == "1,234,567"
    assert safe_text(1234.5) == "1,234.5"
    assert safe_text(2.0) == "2"
    assert safe_text(True) == "✓"


def test_js_literal_cannot_close_a_script_block() -> None:
    out = js_literal({"a": XSS_SCRIPT + "\u2028"})
    assert "</script" not in out and "<" not in out and "\u2028" not in out
    assert json.loads(out) == {"a": XSS_SCRIPT + "\u2028"}


def test_popup_html_escapes_labels_and_values_and_skips_empty() -> None:
    html = popup_html(XSS_IMG, [("<th>", XSS_SCRIPT), ("empty", None), ("blank", "")])
    assert "<img" not in html and "<script" not in html and "<th><th>" not in html
    assert "<th>&lt;th&gt;</th>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "empty" not in html and "blank" not in html


# --- GCJ-02 and basemaps -------------------------------------------------------------------


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_published_vectors(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-5)
    assert lat == pytest.approx(glat, abs=1e-5)


@pytest.mark.parametrize(("lon", "lat"), [(-104.9903, 39.7392), (153.0251, -27.4698)])
def test_gcj02_leaves_points_outside_china(lon: float, lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)


def test_display_geojson_shifts_only_for_amap_and_keeps_input() -> None:
    data = fc((square(113.912316, 22.543847), {"id": 1}), (point(113.912316, 22.543847), {"id": 2}))
    before = json.dumps(data)
    shifted = display_geojson(data, "amap")
    assert json.dumps(data) == before
    glon, glat = wgs84_to_gcj02(113.912316, 22.543847)
    assert shifted["features"][1]["geometry"]["coordinates"] == pytest.approx([glon, glat])
    assert shifted["features"][0]["geometry"]["coordinates"][0][0] == pytest.approx([glon, glat])
    assert (
        display_geojson(data, "osm")["features"][1]["geometry"] == data["features"][1]["geometry"]
    )


def test_amap_map_draws_data_in_gcj02() -> None:
    data = fc((point(113.912316, 22.543847), {"id": 1, "name": "x"}))
    htmls = {}
    for bm in ("amap", "osm"):
        m = base_map(settings_with(), basemap=bm, lang="zh")
        add_geojson(m, data, kind="firms", name="F", tooltip=lambda p: p["name"])
        htmls[bm] = render(finish(m))
    coords = {
        bm: json.loads(re.search(r'"coordinates": (\[[^\]]*\])', h).group(1))  # type: ignore[union-attr]
        for bm, h in htmls.items()
    }
    assert coords["osm"] == pytest.approx([113.912316, 22.543847])
    assert coords["amap"] == pytest.approx([113.9171764808363, 22.540796131694766], abs=1e-5)
    assert "autonavi.com" in htmls["amap"] and "autonavi.com" not in htmls["osm"]


def test_resolve_basemap_rules() -> None:
    assert resolve_basemap(None, MapSettings(basemap="none")) == "none"
    assert resolve_basemap("AMAP", MapSettings()) == "amap"
    with pytest.raises(InvalidQuery) as e:
        resolve_basemap("google", MapSettings())
    assert e.value.field == "basemap"
    with pytest.raises(InvalidQuery, match="PARKGIS_TIANDITU_KEY"):
        resolve_basemap("tianditu", MapSettings())
    with pytest.raises(ConfigError, match="PARKGIS_TIANDITU_KEY"):
        resolve_basemap(None, MapSettings(basemap="tianditu"))
    assert resolve_basemap("tianditu", MapSettings(tianditu_key="k123")) == "tianditu"


def test_tianditu_tiles_carry_the_key_and_language() -> None:
    s = settings_with(tianditu_key="abc123")
    zh = render(finish(base_map(s, basemap="tianditu", lang="zh")))
    en = render(finish(base_map(s, basemap="tianditu", lang="en")))
    assert "tk=abc123" in zh and "cva_w" in zh and "eva_w" in en
    assert hosts(zh) == {"t{s}.tianditu.gov.cn"}


def test_basemap_none_has_no_tiles_and_no_remote_host() -> None:
    html = render(sample_map(basemap="none"))
    assert "L.tileLayer" not in html
    assert hosts(html) == set()


def test_language_resolution() -> None:
    assert resolve_lang(None, "zh") == "zh"
    assert resolve_lang("EN", "zh") == "en"
    with pytest.raises(InvalidQuery):
        resolve_lang("fr", "zh")
    zh = render(finish(base_map(settings_with(), basemap="none", lang="zh", title="x")))
    en = render(finish(base_map(settings_with(), basemap="none", lang="en", title="x")))
    assert '<html lang="zh-CN">' in zh and "当前范围内没有数据" in zh
    assert '<html lang="en">' in en and "No data in this area" in en


# --- rendered map --------------------------------------------------------------------------


def test_render_uses_only_local_assets_and_tile_hosts() -> None:
    html = render(sample_map())
    assert hosts(html) <= TILE_HOSTS
    srcs = A.linked_files(html)
    assert srcs and all(s.startswith("/assets/") for s in srcs)
    assert "/assets/leaflet/dist/leaflet.js" in srcs
    assert "/assets/@fortawesome/fontawesome-free/css/all.min.css" in srcs
    for url in srcs:
        A.resolve_asset(A.assets_root(ROOT / "node_modules"), url[len("/assets/") :])


def test_render_escapes_every_hostile_name() -> None:
    html = render(sample_map())
    for raw in HOSTILE:
        assert raw not in html
    assert "<img src=x" not in html
    assert "<script>alert(1)" not in html
    assert "${x}" not in html and "${window" not in html
    assert html.count("</script>") == html.count("<script")
    assert "&amp;lt;img src=x onerror=alert(1)&amp;gt;" not in html  # not double-escaped
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html
    assert "</style><script>" not in html  # a bad colour never reaches the page


def test_legend_is_ordered_and_escaped() -> None:
    html = render(sample_map())
    legend = html[html.index('id="parkgis-legend"') :]
    legend = legend[: legend.index("</ol>")]
    assert re.findall(r'data-key="([^"]+)"', legend) == ["b", "a"]
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in legend
    assert "<h5>T &lt;b&gt;</h5>" in html
    assert "<title>T &lt;b&gt;</title>" in html


def test_layer_control_lists_escaped_layer_names() -> None:
    html = render(sample_map())
    assert "L.control.layers(" in html
    assert '"Firms \\u0026lt;i\\u0026gt;"' in html
    assert "Firms <i>" not in html


def test_one_feature_per_input_and_only_chosen_properties() -> None:
    html = render(sample_map())
    assert html.count('"__layer": "firms"') == len(HOSTILE)
    assert html.count('"__layer": "parcels"') == 1
    assert '"name":' not in html  # raw properties are not embedded, only built popups


def test_render_does_not_touch_folium_class_defaults() -> None:
    render(sample_map())
    assert folium.Map.default_js[0][1].startswith("https://")


def test_plugins_with_known_assets_render_locally() -> None:
    m = base_map(settings_with(), basemap="none", lang="en")
    MarkerCluster().add_to(m)
    TimestampedGeoJson({"type": "FeatureCollection", "features": []}, period="P1M").add_to(m)
    html = render(finish(m))
    srcs = A.linked_files(html)
    assert "/assets/leaflet.markercluster/dist/leaflet.markercluster.js" in srcs
    assert "/assets/leaflet-timedimension/dist/leaflet.timedimension.min.js" in srcs
    assert hosts(html) == set()


def test_unknown_cdn_asset_is_refused() -> None:
    m = base_map(settings_with(), basemap="none", lang="en")
    Fullscreen().add_to(m)
    with pytest.raises(ConfigError, match="CDN_TO_LOCAL"):
        render(finish(m))


# --- download ------------------------------------------------------------------------------


def test_download_inlines_everything() -> None:
    html = render(sample_map(basemap="none"), download=True)
    assert A.linked_files(html) == []
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)\s*=", html, re.I)
    assert "/assets/" not in html
    assert "data:font/woff2;base64," in html  # Font Awesome
    assert "data:image/png;base64," in html  # Leaflet and awesome-markers images
    assert 'http-equiv="Content-Security-Policy"' in html
    assert "Leaflet 1.9.4" in html and "jQuery v3.7.1" in html
    assert "sourceMappingURL" not in html
    assert len(html) < 3_000_000
    for raw in HOSTILE:
        assert raw not in html


def test_download_without_assets_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="npm ci"):
        render(sample_map(), download=True, assets_dir=tmp_path)


# --- asset allow-list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "leaflet/dist/leaflet.js",
        "leaflet/dist/images/marker-icon.png",
        "@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2",
        "leaflet.markercluster/dist/leaflet.markercluster.js",
    ],
)
def test_allowed_assets(path: str) -> None:
    root = A.assets_root(ROOT / "node_modules")
    assert A.resolve_asset(root, path).is_file()


@pytest.mark.parametrize(
    "path",
    [
        "leaflet/package.json",
        "../package.json",
        "leaflet/dist/../../jquery/package.json",
        "/etc/passwd",
        "leaflet/dist/leaflet.js.map",
        "jquery/src/core.js",
        ".package-lock.json",
        "leaflet/dist/nope.js",
    ],
)
def test_refused_assets(path: str) -> None:
    root = A.assets_root(ROOT / "node_modules")
    with pytest.raises(NotFound):
        A.resolve_asset(root, path)


def test_served_css_loses_remote_urls() -> None:
    root = A.assets_root(ROOT / "node_modules")
    raw = (root / "leaflet-timedimension/dist/leaflet.timedimension.control.css").read_text()
    assert "netdna.bootstrapcdn.com" in raw
    data, media = A.read_asset(root, "leaflet-timedimension/dist/leaflet.timedimension.control.css")
    assert media == "text/css"
    assert b"bootstrapcdn" not in data and b'url("data:,")' in data


def test_every_cdn_replacement_exists_and_is_allowed() -> None:
    root = A.assets_root(ROOT / "node_modules")
    for url, local in A.CDN_TO_LOCAL.items():
        assert url.startswith("https://")
        if local is not None:
            assert A.resolve_asset(root, local).is_file(), local


def test_safe_popup_and_tooltip_bind_json_strings() -> None:
    from parkgis.maps import SafePopup, SafeTooltip

    m = base_map(settings_with(), basemap="none", lang="en")
    marker = folium.Marker([23.35, 112.7])
    marker.add_child(SafePopup(popup_html(XSS_IMG, [("k", XSS_SCRIPT)])))
    marker.add_child(SafeTooltip(XSS_IMG))
    marker.add_to(m)
    html = render(finish(m))
    assert '.bindPopup("\\u003cdiv class=\\"parkgis-popup\\"' in html
    assert '.bindTooltip("\\u0026lt;img src=x' in html
    for raw in (XSS_IMG, XSS_SCRIPT, "${x}"):
        assert raw not in html


def test_scale_bar_is_metric_only() -> None:
    html = render(sample_map())
    assert "imperial: false" in html
    assert "L.control.scale()" not in html  # Folium's default shows feet too


def test_clustered_points_stay_one_layer_with_every_feature() -> None:
    from parkgis.maps import add_geojson

    m = sample_map(basemap="none")
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [112.7 + i * 1e-4, 23.33]},
                "properties": {"id": i, "name": f"firm {i}"},
            }
            for i in range(150)
        ],
    }
    add_geojson(m, fc, kind="clustered", name="Clustered firms", cluster=True)
    html = render(m)
    assert "L.markerClusterGroup" in html
    assert html.count('"__layer": "clustered"') == 150
