"""A match request resolved against the database, and the explained candidates it yields.

Used by :mod:`parkgis.matching.service` (single units) and :mod:`parkgis.matching.groups` (combined
units). Places are EPSG:4326 degrees; distances metres; areas m².
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from parkgis.errors import BadRequest, InvalidInput
from parkgis.matching.rules import (
    Criterion,
    Kind,
    Scorer,
    checks,
    criteria_for,
    failures,
    is_near_miss,
)
from parkgis.matching.sql import Place, QueryBuilder
from parkgis.models import Enterprise, IndustryChain
from parkgis.schemas.matching import MatchRequest
from parkgis.settings import Settings

KIND_ORDER = {"space": 0, "space_group": 0, "parcel": 1}
SPACE_PROPS = (
    "code",
    "building_id",
    "building_name",
    "floor",
    "area_m2",
    "clear_height_m",
    "floor_load_t_m2",
    "power_kva",
    "crane_t",
    "rent_cny_m2_month",
    "available_from",
    "land_use",
)
PARCEL_PROPS = ("code", "area_m2", "price_cny_m2", "land_use", "max_far", "address")


@dataclass
class Candidate:
    """One ranked candidate (a feature of the answer before numbering)."""

    kind: str
    id: Any
    score: float
    key: tuple[Any, ...]
    properties: dict[str, Any]
    geometry: dict[str, Any] | None

    def feature(self, rank: int) -> dict[str, Any]:
        """The GeoJSON Feature, numbered ``rank``."""
        props = {"rank": rank, "score": round(self.score, 4), "kind": self.kind, "id": self.id}
        props.update(self.properties)
        return {
            "type": "Feature",
            "id": f"{self.kind}:{self.id}",
            "geometry": self.geometry,
            "properties": props,
        }


@dataclass
class Context:
    """A request resolved against the database: kinds, place, chain and today."""

    req: MatchRequest
    kinds: tuple[Kind, ...]
    kind: str
    place: Place | None
    chain: str | None
    firm: int | None
    today: date
    settings: Settings

    def scorer(self, kind: Kind) -> Scorer:
        """The scorer of ``kind`` under this request."""
        return Scorer.build(
            kind,
            self.req,
            self.settings.match,
            today=self.today,
            has_point=self.place is not None,
            has_chain=self.chain is not None and self.settings.match.weight_affinity > 0,
        )

    def criteria(self, kind: Kind, *, group: bool = False) -> list[Criterion]:
        """The criteria asked of ``kind`` (``group``: the per-unit criteria of a group)."""
        return criteria_for(
            kind,
            self.req,
            today=self.today,
            tolerance=self.settings.match.near_miss_tolerance,
            group=group,
        )

    def builder(self, kind: Kind, *, group: bool = False) -> QueryBuilder:
        """A fresh query builder of ``kind``."""
        return QueryBuilder(
            kind,
            self.criteria(kind, group=group),
            self.scorer(kind),
            place=self.place,
            today=self.today,
            affinity_radius_m=self.settings.match.affinity_radius_m,
        )


def resolve(session: Session, req: MatchRequest, settings: Settings, today: date) -> Context:
    """Check the request as a whole and look up its firm, place and chain.

    Raises
    ------
    BadRequest
        No criterion, or none that applies to the kind asked (400).
    InvalidInput
        Unknown firm or industry chain, or ``near`` without a place (422).
    """
    asked = req.asked()
    if not asked:
        raise BadRequest(
            "name at least one criterion (floor_area_m2, land_area_m2, clear_height_m, "
            "floor_load_t_m2, power_kva, crane_t, ground_floor, pollution_class, "
            "max_rent_cny_m2_month, max_price_cny_m2, available_by, near.max_distance_m)"
        )
    kind = req.resolved_kind()
    kinds: tuple[Kind, ...] = ("space", "parcel") if kind == "any" else (kind,)
    tol = settings.match.near_miss_tolerance
    if kind != "any" and not criteria_for(kind, req, today=today, tolerance=tol):
        raise BadRequest(
            f"none of the criteria asked ({', '.join(asked)}) applies to a {kind}", field="kind"
        )
    firm: Enterprise | None = None
    if req.enterprise_id is not None:
        firm = session.get(Enterprise, req.enterprise_id)
        if firm is None:
            raise InvalidInput(
                f"enterprise {req.enterprise_id} does not exist", field="enterprise_id"
            )
    place: Place | None = None
    if req.near is not None and req.near.lon is not None and req.near.lat is not None:
        place = Place(req.near.lon, req.near.lat)
    elif firm is not None:
        lon, lat = session.execute(
            text("SELECT ST_X(geom), ST_Y(geom) FROM enterprises WHERE id = :i"), {"i": firm.id}
        ).one()
        place = Place(float(lon), float(lat))
    elif req.near is not None:
        raise InvalidInput(
            "give near.lon and near.lat (EPSG:4326), or an enterprise_id whose site is used",
            field="near",
        )
    chain = req.industry_chain or (firm.industry_chain if firm else None)
    if req.industry_chain is not None and session.get(IndustryChain, req.industry_chain) is None:
        known = session.scalars(select(IndustryChain.code).order_by(IndustryChain.code)).all()
        raise InvalidInput(
            f"unknown industry chain {req.industry_chain!r}; known: {', '.join(known)}",
            field="industry_chain",
        )
    return Context(req, kinds, kind, place, chain, firm.id if firm else None, today, settings)


def fetch_dicts(session: Session, sql: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of a query as plain dicts (cheaper than ORM row mappings for thousands)."""
    result = session.execute(sql, params)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.fetchall()]


def row_candidate(
    ctx: Context, kind: Kind, row: dict[str, Any], scorer: Scorer, *, near: bool
) -> Candidate | None:
    """Explain one SQL row (feasible or near-miss); None if it breaks the Python rules."""
    crit = ctx.criteria(kind)
    ok = is_near_miss(crit, row) if near else not failures(crit, row)
    if not ok:  # SQL and Python disagree: never show a candidate that breaks the rules
        return None
    chain_firms = int(row["chain_firms"]) if scorer.affinity_full is not None else None
    score = scorer.score(float(row["base_num"]), chain_firms)
    parts = {k[2:]: round(float(v), 4) for k, v in row.items() if k.startswith("c_")}
    return make_candidate(ctx, kind, row["id"], row, score, scorer, crit, parts, chain_firms)


def make_candidate(
    ctx: Context,
    kind: str,
    cid: Any,
    row: dict[str, Any],
    score: float,
    scorer: Scorer,
    crit: list[Criterion],
    parts: dict[str, float],
    chain_firms: int | None,
) -> Candidate:
    """A candidate with its checks, score parts and sort key.

    ``row`` maps attribute names to the candidate's values (a group's aggregated values),
    plus ``geometry`` (GeoJSON text or dict) and, for groups, ``units``.
    """
    names = PARCEL_PROPS if kind == "parcel" else SPACE_PROPS
    props: dict[str, Any] = {}
    if ctx.place is not None:
        props["distance_m"] = row["distance_m"]
    props["checks"] = checks(crit, row)
    failed = [c["criterion"] for c in props["checks"] if not c["ok"]]
    if failed:
        props["failed"] = failed[0]
    if chain_firms is not None:
        parts["affinity"] = round(scorer.affinity_part(chain_firms), 4)
        props["chain_firms_nearby"] = chain_firms
    props["score_parts"] = parts
    for n in names:
        if n in row:
            v = row[n]
            props[n] = v.isoformat() if isinstance(v, date) else v
    if "units" in row:
        props["units"] = row["units"]
    geometry = row.get("geometry")
    if isinstance(geometry, str | bytes):
        geometry = orjson.loads(geometry)
    goodness = scorer.goodness(row, chain_firms)
    key = (-score, KIND_ORDER[kind], tuple(-g for g in goodness), str(cid))
    return Candidate(kind, cid, score, key, props, geometry)
