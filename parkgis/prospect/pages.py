"""The ``/find`` page: the form, its results and the data its map script reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.db.seed import read_csv
from parkgis.errors import BadRequest, Forbidden, InvalidInput, NotFound, Unauthorized
from parkgis.maps.basemaps import display_geojson, display_lonlat, resolve_basemap, tile_sources
from parkgis.maps.i18n import Lang, t
from parkgis.pages.frame import Frame
from parkgis.prospect.context import zone_extent
from parkgis.prospect.find import find, may_match, parse_form, prefill
from parkgis.prospect.render import render_page
from parkgis.settings import Settings

PREFILL_DISTANCE_M = 5000
"""Distance (metres) a form prefilled from a firm searches within."""
HOLD_DAYS = 14
"""Days a hold placed from ``/find`` lasts (at most ``PARKGIS_MATCH_MAX_HOLD_DAYS``)."""


_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (BadRequest, 400),
    (InvalidInput, 422),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
)
"""Status of the page for each error shown on it (as ``api/errors.py`` maps them)."""


@dataclass
class Page:
    """A rendered page and its HTTP status."""

    html: str
    status: int = 200


def _chains() -> list[tuple[str, str, str]]:
    return [(r["code"], r["name_zh"], r["name_en"]) for r in read_csv("industry_chains.csv")]


def find_page(
    session: Session,
    params: dict[str, str],
    principal: Principal,
    settings: Settings,
    *,
    lang: Lang,
    csrf: str = "",
    basemap: str | None = None,
    other_lang_href: str | None = None,
    frame: Frame | None = None,
) -> Page:
    """The ``/find`` page for ``params`` (the query string), as ``principal`` may see it.

    Bad input is shown on the page with a 4xx status (400, 403 or 422), never a 500. With
    only ``enterprise_id`` given (the workbench's link), the form is prefilled from the
    firm's site and chain and run.
    """
    values = dict(params)
    prefilled = None
    error: dict[str, Any] | None = None
    status = 200
    result = None
    form = None
    try:
        firm = (params.get("enterprise_id") or "").strip()
        only_firm = firm and not any(
            (params.get(k) or "").strip() for k in params if k not in ("enterprise_id", "lang")
        )
        if only_firm and firm.isdigit() and may_match(principal):
            values.update(prefill(session, int(firm), principal))
            values["max_distance_m"] = str(PREFILL_DISTANCE_M)
            prefilled = firm
        form = parse_form(values)
        if not form.empty:
            result = find(session, form, principal, settings)
    except (InvalidInput, BadRequest, Forbidden, Unauthorized, NotFound) as exc:
        session.rollback()
        error = {"message": exc.message, "field": exc.field}
        status = next(code for cls, code in _STATUS if isinstance(exc, cls))
    if form is None:
        form = parse_form({}) if error else parse_form(values)
        form.values.update({k: str(v) for k, v in values.items() if k in form.values})
    bm = resolve_basemap(basemap, settings.maps)
    tiles = next(iter(tile_sources(bm, settings.maps, lang)), None)
    ext = zone_extent(session)
    data: dict[str, Any] = {
        "lang": lang,
        "hold_days": min(HOLD_DAYS, settings.match.max_hold_days),
        "labels": {
            "held": t("pr.find.held", lang),
            "compare_hint": "2–4",
        },
        "view": list(ext) if ext else None,
        "features": None,
        "near_misses": None,
    }
    if ext:
        cx, cy = (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2
        dx, dy = display_lonlat(cx, cy, bm)
        data["shift"] = [dx - cx, dy - cy]
    if result is not None:
        for key in ("features", "near_misses"):
            fc = {"type": "FeatureCollection", "features": result[key]}
            data[key] = display_geojson(fc, bm)
    html = render_page(
        "find.html",
        lang,
        title=t("pr.find.title", lang),
        v=form.values,
        result=result,
        error=error,
        chains=_chains(),
        anonymous=principal.anonymous,
        can_hold=may_match(principal),
        prefilled=prefilled,
        tiles=tiles,
        data=data,
        csrf=csrf,
        frame=frame,
        basemap=basemap,
        user=None if principal.anonymous else f"{principal.name} ({principal.role})",
        other_lang_href=other_lang_href,
    )
    return Page(html, status)
