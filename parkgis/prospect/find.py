"""The site finder (``/find``): a form over the matching engine, safe for anonymous callers.

:func:`parse_form` turns the form's query parameters (areas in m² or mu, space or land,
height, load, power, crane, ground floor, rent or price, available by, chain, near a
clicked place or a firm) into a match request. :func:`find` runs it without saving it:
with :func:`parkgis.matching.match` for those who may match, and with
:func:`parkgis.matching.rank_public` for everyone else (anonymous callers and planners get
the public stock with the public fields of :data:`parkgis.access.PUBLIC_FIELDS`, and may
not search near a firm, whose site is not public). Places are EPSG:4326 degrees,
distances metres, areas m².
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidInput
from parkgis.features import get_feature
from parkgis.geo import M2_PER_MU
from parkgis.matching import MATCH_ROLES, match, rank_public
from parkgis.schemas.matching import PARCEL_ONLY, SPACE_ONLY
from parkgis.settings import Settings

FORM_FIELDS: tuple[str, ...] = (
    "kind",
    "area_min",
    "area_max",
    "area_unit",
    "clear_height_m",
    "floor_load_t_m2",
    "power_kva",
    "crane_t",
    "ground_floor",
    "max_rent_cny_m2_month",
    "max_price_cny_m2",
    "available_by",
    "industry_chain",
    "near_lon",
    "near_lat",
    "max_distance_m",
    "enterprise_id",
)
"""Query parameters of ``/find`` (besides ``lang``)."""

_NUMBERS = ("clear_height_m", "floor_load_t_m2", "power_kva", "crane_t")
_BUDGETS = ("max_rent_cny_m2_month", "max_price_cny_m2")


@dataclass
class FindForm:
    """A parsed ``/find`` form: the match request and the values to show back."""

    request: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the form asks no hard criterion (the page then shows the form only)."""
        hard = set(SPACE_ONLY) | set(PARCEL_ONLY) | {"pollution_class"}
        near = self.request.get("near") or {}
        return not (hard & set(self.request)) and near.get("max_distance_m") is None


def _number(values: dict[str, str], name: str, *, positive: bool = True) -> float | None:
    raw = values.get(name, "").strip()
    if raw == "":
        return None
    try:
        v = float(raw.replace(",", ""))
    except ValueError:
        raise InvalidInput(f"{raw[:30]!r} is not a number", field=name) from None
    if v != v or v in (float("inf"), float("-inf")) or v < 0 or (positive and v == 0):
        raise InvalidInput("must be a positive number", field=name)
    return v


def parse_form(params: dict[str, str], *, limit: int = 10) -> FindForm:
    """Turn ``/find`` query parameters into a match request (DESIGN.md, "The match request").

    Areas are given in ``area_unit`` (``m2`` or ``mu``; 1 mu = 666.67 m²) and apply to floor
    area for spaces and land area for parcels (both for ``kind=any``). Empty fields are
    ignored. ``near_lon``/``near_lat`` are EPSG:4326 degrees.

    Raises
    ------
    InvalidInput
        A value is not a number, a date or a known choice (the field is named).
    """
    values = {k: str(params.get(k, "") or "").strip() for k in FORM_FIELDS}
    req: dict[str, Any] = {"limit": limit}
    kind = values["kind"] or "any"
    if kind not in ("any", "space", "parcel"):
        raise InvalidInput("choose any, space or parcel", field="kind")
    values["kind"] = kind
    req["kind"] = kind
    unit = values["area_unit"] or "m2"
    if unit not in ("m2", "mu"):
        raise InvalidInput("choose m2 or mu", field="area_unit")
    values["area_unit"] = unit
    factor = M2_PER_MU if unit == "mu" else 1.0
    area: dict[str, float] = {}
    for bound in ("min", "max"):
        v = _number(values, f"area_{bound}")
        if v is not None:
            area[bound] = v * factor
    if "min" in area and "max" in area and area["min"] > area["max"]:
        raise InvalidInput("the minimum area exceeds the maximum", field="area_min")
    if area:
        if kind in ("space", "any"):
            req["floor_area_m2"] = dict(area)
        if kind in ("parcel", "any"):
            req["land_area_m2"] = dict(area)
    for name in _NUMBERS:
        v = _number(values, name)
        if v is not None:
            req[name] = v
    for name in _BUDGETS:
        v = _number(values, name, positive=False)
        if v is not None:
            req[name] = v
    if values["ground_floor"] in ("1", "on", "true"):
        req["ground_floor"] = True
        values["ground_floor"] = "1"
    else:
        values["ground_floor"] = ""
    if values["available_by"]:
        try:
            req["available_by"] = date.fromisoformat(values["available_by"])
        except ValueError:
            raise InvalidInput("give a date as YYYY-MM-DD", field="available_by") from None
    if values["industry_chain"]:
        req["industry_chain"] = values["industry_chain"][:40]
    near: dict[str, float] = {}
    lon, lat = _lonlat(values)
    if lon is not None and lat is not None:
        near.update(lon=lon, lat=lat)
    dist = _number(values, "max_distance_m", positive=False)
    if dist is not None:
        near["max_distance_m"] = dist
    if values["enterprise_id"]:
        if not values["enterprise_id"].isdigit() or not 1 <= int(values["enterprise_id"]) < 2**31:
            raise InvalidInput("must be a firm id (a whole number)", field="enterprise_id")
        req["enterprise_id"] = int(values["enterprise_id"])
    if near:
        if "lon" not in near and "enterprise_id" not in req:
            raise InvalidInput("click the map to set a place for the distance", field="near_lon")
        req["near"] = near
    return FindForm(req, values)


def _lonlat(values: dict[str, str]) -> tuple[float | None, float | None]:
    lon_s, lat_s = values["near_lon"], values["near_lat"]
    if not lon_s and not lat_s:
        return None, None
    try:
        lon, lat = float(lon_s), float(lat_s)
    except ValueError:
        raise InvalidInput(
            "give both longitude and latitude (EPSG:4326)", field="near_lon"
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("outside EPSG:4326 degrees", field="near_lon")
    return lon, lat


def may_match(principal: Principal) -> bool:
    """Whether the caller runs the engine in their own name (and may hold units)."""
    return principal.role in MATCH_ROLES


def find(
    session: Session, form: FindForm, principal: Principal, settings: Settings
) -> dict[str, Any]:
    """Run a ``/find`` form on the matching engine, without saving it.

    Parameters
    ----------
    form : FindForm
        From :func:`parse_form`.
    principal : Principal
        Officers, investment staff and admins match in their own name and see every
        field the engine returns; anyone else gets public fields only.

    Returns
    -------
    dict
        The engine's FeatureCollection (EPSG:4326), best first, with ``near_misses``,
        ``considered`` and ``matched``.

    Raises
    ------
    Forbidden
        An anonymous caller or planner asked to search near a firm.
    BadRequest, InvalidInput
        As :func:`parkgis.matching.match`.
    """
    if may_match(principal):
        return match(session, form.request, principal, settings, save=False)
    return rank_public(session, form.request, settings)


def prefill(session: Session, enterprise_id: int, principal: Principal) -> dict[str, str]:
    """Form values from a firm: its site (EPSG:4326) and industry chain.

    Raises
    ------
    Unauthorized, Forbidden
        The caller may not read firms (anonymous).
    NotFound
        No such firm.
    """
    firm = get_feature(session, "enterprises", principal, enterprise_id)
    coords = (firm.get("geometry") or {}).get("coordinates") or [None, None]
    props = firm.get("properties") or {}
    out = {"enterprise_id": str(enterprise_id)}
    if coords[0] is not None:
        out["near_lon"] = f"{coords[0]:.6f}"
        out["near_lat"] = f"{coords[1]:.6f}"
    if props.get("industry_chain"):
        out["industry_chain"] = str(props["industry_chain"])
    return out
