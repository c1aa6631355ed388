"""Offline front-end assets: Folium's CDN links swapped for npm files served by the app.

The files come from the npm registry (``package.json`` + ``package-lock.json``, installed
into ``node_modules`` by ``make setup``). The app serves only the paths in
:data:`ALLOWED` under ``/assets/`` (never the whole ``node_modules``), and
:func:`inline_assets` folds them into one self-contained HTML file for ``?download=1``.

Adding a Folium plugin: put its npm package in ``package.json`` (ask the maps owner or
edit it and run ``npm install``), add its CDN URL(s) → local path to :data:`CDN_TO_LOCAL`
and, if new, the folder to :data:`ALLOWED`. An unknown CDN URL makes :func:`localize`
raise :class:`~parkgis.errors.ConfigError`, so a map can never quietly load from the web.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from branca.element import Element

from parkgis.errors import ConfigError, NotFound

ASSET_PREFIX = "/assets/"
"""URL path under which the app serves :data:`ALLOWED` files."""

CDN_TO_LOCAL: dict[str, str | None] = {
    # folium.Map
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/dist/leaflet.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
        "bootstrap/dist/js/bootstrap.bundle.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": (  # noqa: E501
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.js"
    ),
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
        "bootstrap/dist/css/bootstrap.min.css"
    ),
    # Bootstrap 3 glyphicons: not on npm as a standalone file; use prefix="fa" icons.
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": (  # noqa: E501
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.css"
    ),
    # Only rotates icons by Icon(angle=...); Font Awesome covers 90/180/270 itself.
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": None,  # noqa: E501
    # folium.plugins.MarkerCluster
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (  # noqa: E501
        "leaflet.markercluster/dist/leaflet.markercluster.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "leaflet.markercluster/dist/MarkerCluster.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (  # noqa: E501
        "leaflet.markercluster/dist/MarkerCluster.Default.css"
    ),
    # folium.plugins.TimestampedGeoJson (month slider)
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": (
        "jquery/dist/jquery.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/jqueryui/1.10.2/jquery-ui.min.js": (
        "jquery-ui/dist/jquery-ui.min.js"
    ),
    "https://cdn.jsdelivr.net/npm/iso8601-js-period@0.2.1/iso8601.min.js": (
        "iso8601-js-period/iso8601.js"
    ),
    "https://cdn.jsdelivr.net/npm/leaflet-timedimension@1.1.1/dist/leaflet.timedimension.min.js": (  # noqa: E501
        "leaflet-timedimension/dist/leaflet.timedimension.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js": (
        "moment/min/moment.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/highlight.js/8.4/styles/default.min.css": None,
    "https://cdn.jsdelivr.net/npm/leaflet-timedimension@1.1.1/dist/leaflet.timedimension.control.css": (  # noqa: E501
        "leaflet-timedimension/dist/leaflet.timedimension.control.css"
    ),
    # folium.plugins.Timeline / TimelineSlider
    "https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js": (
        "leaflet.timeline/dist/leaflet.timeline.js"
    ),
    # parkgis.maps.tiles_layer (vector tiles)
    "https://unpkg.com/leaflet.vectorgrid@1.3.0/dist/Leaflet.VectorGrid.bundled.min.js": (
        "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js"
    ),
}
"""Folium's CDN URL → file under ``node_modules`` (``None``: dropped, not needed)."""

ALLOWED: tuple[str, ...] = (
    "leaflet/dist/",
    "jquery/dist/jquery.min.js",
    "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js",
    "leaflet.awesome-markers/dist/",
    "@fortawesome/fontawesome-free/css/",
    "@fortawesome/fontawesome-free/webfonts/",
    "leaflet.markercluster/dist/",
    "jquery-ui/dist/jquery-ui.min.js",
    "iso8601-js-period/iso8601.js",
    "leaflet-timedimension/dist/",
    "moment/min/moment.min.js",
    "leaflet.timeline/dist/leaflet.timeline.js",
    "leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js",
    "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-dist/favicon-32x32.png",
)
"""Files (or folders, ending in ``/``) under ``node_modules`` that may be served."""

_EXTENSIONS = {".js", ".css", ".png", ".svg", ".gif", ".woff2", ".woff", ".ttf"}
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".svg": "image/svg+xml",
}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]*)\1\s*\)")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_ASSET_TAG = re.compile(
    r"(<script\b[^>]*\bsrc\s*=\s*([\"'])(.*?)\2[^>]*>\s*</script>)"
    r"|<link\b[^>]*\bhref\s*=\s*([\"'])(.*?)\4[^>]*/?>",
    re.I | re.S,
)
_SOURCE_MAP = re.compile(r"^\s*(?://|/\*)# sourceMappingURL=\S+(?:\s*\*/)?[ \t]*$", re.M)
_FONT_SRC = re.compile(r"src\s*:\s*([^;}]*)")
_LEAFLET_JS = "leaflet/dist/leaflet.js"


def assets_root(assets_dir: Path) -> Path:
    """The ``node_modules`` folder, checked; relative paths also try the project root.

    Raises
    ------
    ConfigError
        When the npm packages are not installed (``make setup`` runs ``npm ci``).
    """
    candidates = [assets_dir]
    if not assets_dir.is_absolute():
        candidates.append(Path(__file__).resolve().parents[2] / assets_dir)
    for c in candidates:
        if (c / "leaflet" / "dist" / "leaflet.js").is_file():
            return c.resolve()
    raise ConfigError(
        f"front-end assets not found in {assets_dir} (PARKGIS_ASSETS_DIR); "
        "run `make setup` (npm ci) in the project folder"
    )


def is_allowed(relpath: str) -> bool:
    """Whether ``relpath`` (relative to ``node_modules``) is on the serving allow-list."""
    p = PurePosixPath(relpath)
    if p.is_absolute() or ".." in p.parts or relpath != p.as_posix() or "\\" in relpath:
        return False
    if p.suffix.lower() not in _EXTENSIONS:
        return False
    return any(relpath == a or (a.endswith("/") and relpath.startswith(a)) for a in ALLOWED)


def resolve_asset(root: Path, relpath: str) -> Path:
    """The file for ``/assets/<relpath>``.

    Raises
    ------
    NotFound
        When the path is not on :data:`ALLOWED`, leaves ``root`` or does not exist.
    """
    if not is_allowed(relpath):
        raise NotFound(f"no asset {relpath!r}", field="path")
    path = (root / relpath).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"no asset {relpath!r}", field="path")
    return path


def media_type(path: Path) -> str:
    """Content type of an asset file."""
    return _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "text/plain"


def read_asset(root: Path, relpath: str) -> tuple[bytes, str]:
    """Bytes and content type of an asset; CSS loses any reference to a remote host."""
    path = resolve_asset(root, relpath)
    data = path.read_bytes()
    if path.suffix == ".css":
        data = _strip_remote_urls(data.decode("utf-8")).encode("utf-8")
    return data, media_type(path)


def _strip_remote_urls(css: str) -> str:
    return _CSS_URL.sub(lambda m: 'url("data:,")' if _REMOTE.match(m.group(2)) else m.group(0), css)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)
    for attr in ("header", "html", "script"):
        sub = getattr(element, attr, None)
        if isinstance(sub, Element) and sub is not element:
            yield from _walk(sub)


def _local_list(pairs: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    out = []
    for name, url in pairs:
        if url.startswith(prefix):
            out.append((name, url))
            continue
        if url not in CDN_TO_LOCAL:
            raise ConfigError(
                f"map asset {name!r} would load from {url}; add its npm file to "
                "CDN_TO_LOCAL in parkgis/maps/assets.py"
            )
        local = CDN_TO_LOCAL[url]
        if local is not None:
            out.append((name, prefix + local))
    return out


def localize(root_element: Element, prefix: str = ASSET_PREFIX) -> None:
    """Point every Folium JS/CSS link in the figure of ``root_element`` at ``prefix``.

    Sets ``default_js``/``default_css`` on each element instance (class lists are left
    untouched). Raises ConfigError for a CDN file with no local copy.
    """
    figure = root_element.get_root()
    for el in _walk(figure):
        for attr in ("default_js", "default_css"):
            pairs = getattr(el, attr, None)
            if pairs:
                setattr(el, attr, _local_list(list(pairs), prefix))


def linked_files(html: str) -> list[str]:
    """Every ``<script src>`` and ``<link href>`` URL in ``html``, in page order."""
    return [m.group(3) if m.group(1) is not None else m.group(5) for m in _ASSET_TAG.finditer(html)]


def check_local(html: str, prefix: str = ASSET_PREFIX) -> None:
    """Raise ConfigError if a ``<script src>`` or ``<link href>`` points off the app."""
    for url in linked_files(html):
        if not url.startswith(prefix):
            raise ConfigError(f"map HTML would load {url}; only {prefix} is allowed")


def _data_uri(path: Path) -> str:
    return f"data:{media_type(path)};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _only_woff2(css: str) -> str:
    def keep(m: re.Match[str]) -> str:
        parts = re.split(r",(?=\s*url\()", m.group(1))
        woff2 = [p for p in parts if ".woff2" in p]
        return "src:" + ",".join(woff2 or parts)

    return _FONT_SRC.sub(keep, css)


def _inline_css(root: Path, relpath: str, fonts_seen: set[Path]) -> str:
    path = resolve_asset(root, relpath)
    css = _only_woff2(_SOURCE_MAP.sub("", path.read_text("utf-8")))
    base = PurePosixPath(relpath).parent

    def sub(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if not ref or ref.startswith(("data:", "#")):
            return m.group(0)
        if _REMOTE.match(ref):
            return 'url("data:,")'
        target = (base / ref.split("#")[0].split("?")[0]).as_posix()
        parts: list[str] = []
        for part in target.split("/"):
            if part == "..":
                if parts:
                    parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        try:
            path = resolve_asset(root, "/".join(parts))
        except NotFound:
            return 'url("data:,")'
        if path.suffix in (".woff2", ".woff", ".ttf"):
            if path in fonts_seen:  # alias families (Font Awesome 4/5 names) share files
                return 'url("data:,")'
            fonts_seen.add(path)
        return f'url("{_data_uri(path)}")'

    return _CSS_URL.sub(sub, css).replace("</style", "<\\/style")


def _default_icon_script(root: Path) -> str:
    imgs = {
        "iconUrl": "marker-icon.png",
        "iconRetinaUrl": "marker-icon-2x.png",
        "shadowUrl": "marker-shadow.png",
    }
    opts = ",".join(
        f'{k}:"{_data_uri(resolve_asset(root, "leaflet/dist/images/" + v))}"'
        for k, v in imgs.items()
    )
    return (
        "<script>(function(){if(!window.L||!L.Icon||!L.Icon.Default)return;"
        "L.Icon.Default.prototype._getIconUrl=function(n){"
        "return L.Icon.prototype._getIconUrl.call(this,n);};"
        f"L.Icon.Default.mergeOptions({{{opts}}});}})();</script>"
    )


def inline_assets(html: str, root: Path, prefix: str = ASSET_PREFIX) -> str:
    """Fold every ``prefix`` script and stylesheet into ``html`` (one offline file).

    Images and fonts referenced by the CSS become ``data:`` URIs (fonts as WOFF2 only,
    each file once: Font Awesome's v4/v5 alias families are left without a font, so use
    Font Awesome 6 icon names). Leaflet's default marker images become ``data:`` URIs too.
    """
    fonts_seen: set[Path] = set()

    def one(m: re.Match[str]) -> str:
        is_script = m.group(1) is not None
        tag, url = m.group(0), m.group(3) if is_script else m.group(5)
        if not url.startswith(prefix):
            raise ConfigError(f"cannot inline {url}: not a local asset")
        rel = url[len(prefix) :]
        if is_script:
            js = resolve_asset(root, rel).read_text("utf-8")
            js = _SOURCE_MAP.sub("", js).replace("</script", "<\\/script")
            extra = _default_icon_script(root) if rel == _LEAFLET_JS else ""
            return f"<script>{js}\n</script>{extra}"
        if "stylesheet" not in tag.lower():
            return ""
        return f"<style>{_inline_css(root, rel, fonts_seen)}</style>"

    return _ASSET_TAG.sub(one, html)
