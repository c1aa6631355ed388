"""The summary's totals against an independent recomputation (pyproj geodesic areas)."""

from __future__ import annotations

import pytest
from pyproj import Geod
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidInput, Unauthorized
from parkgis.geo import M2_PER_MU
from parkgis.landuse import Scope, landuse_summary
from parkgis.landuse.scope import polygon_from_geojson
from tests.landuse.zone import BUILDINGS, PLAN, LuZone

GEOD = Geod(ellps="WGS84")
PLANNER = Principal(user_id=1, name="p", role="planner")
INVESTMENT = Principal(user_id=2, name="i", role="investment")
INDUSTRIAL = {"1001", "100101", "100102", "100103", "1002"}
SUPPLIED = {"granted", "under_construction", "built", "idle"}


def area(geom) -> float:  # noqa: ANN001
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def close(a: float | None, b: float, rel: float = 1e-3) -> bool:
    return a is not None and abs(a - b) <= rel * abs(b)


def test_mu_is_ten_thousand_fifteenths_of_a_square_metre() -> None:
    assert abs(M2_PER_MU - 10000 / 15) < 1e-12
    assert abs(15 * M2_PER_MU - 10000) < 1e-9


def test_totals_match_an_independent_recomputation(lu_session: Session, lu_zone: LuZone) -> None:
    got = landuse_summary(lu_session, PLANNER, by="class", scope=Scope(bbox=lu_zone.bbox))
    zone = got["zone"]
    areas = {k: area(g) for k, g in lu_zone.parcel_geoms.items()}
    total = sum(areas.values())
    assert zone["parcels"] == len(PLAN)
    assert close(zone["area_m2"], total)
    assert close(zone["area_ha"], total / 10_000)
    assert close(zone["area_mu"], total * 15 / 10_000)
    by_class: dict[str, float] = {}
    for key, (use, *_rest) in PLAN.items():
        by_class[use] = by_class.get(use, 0.0) + areas[key]
    got_classes = {c["code"]: c for c in zone["classes"]}
    assert set(got_classes) == set(by_class)
    for code, m2 in by_class.items():
        assert close(got_classes[code]["area_m2"], m2)
        assert close(got_classes[code]["area_mu"], m2 / (10000 / 15))
        assert close(got_classes[code]["share"], m2 / total, 2e-3)
    assert got_classes["100102"]["name_zh"] == "二类工业用地"
    assert got_classes["100102"]["name_en"] == "Industrial class 2"
    # rates
    ind = sum(a for k, a in areas.items() if PLAN[k][0] in INDUSTRIAL)
    supplied = sum(a for k, a in areas.items() if PLAN[k][1] in SUPPLIED)
    built = sum(a for k, a in areas.items() if PLAN[k][1] == "built")
    idle = sum(a for k, a in areas.items() if PLAN[k][1] == "idle")
    rates = zone["rates"]
    assert close(rates["industrial_share"], ind / total, 2e-3)
    assert close(rates["supplied_share"], supplied / total, 2e-3)
    assert close(rates["built_share"], built / total, 2e-3)
    assert close(rates["idle_share"], idle / total, 2e-3)
    # intensity: storeys over 8 m count twice; footprint + yards over the parcels with buildings
    counted = covered = land = 0.0
    for key, (pk, *_r, floors, heights, height) in BUILDINGS.items():
        if PLAN[pk][0] not in INDUSTRIAL:
            continue
        fp = area(lu_zone.building_geoms[key])
        gfa = fp * floors
        storeys = heights or [height] * floors
        factor = (
            sum(2 if h > 8 else 1 for h in storeys) / len(storeys)
            if heights or floors == 1
            else 1.0
        )
        counted += gfa * factor
        covered += fp
    for pk in {b[0] for b in BUILDINGS.values()}:
        if PLAN[pk][0] in INDUSTRIAL:
            land += areas[pk]
            covered += PLAN[pk][3].get("structures_yard_m2", 0.0)
    assert close(zone["intensity"]["industrial_plot_ratio"], counted / land, 2e-3)
    assert close(zone["intensity"]["industrial_building_coefficient"], covered / land, 2e-3)
    # groups by class add up to the zone
    assert close(sum(g["area_m2"] for g in got["groups"]), total)
    assert {g["key"] for g in got["groups"]} == set(by_class)


def test_status_grouping_and_polygon_scope(lu_session: Session, lu_zone: LuZone) -> None:
    by_status = landuse_summary(lu_session, PLANNER, by="status", scope=Scope(bbox=lu_zone.bbox))
    counts = {g["key"]: g["parcels"] for g in by_status["groups"]}
    expected: dict[str, int] = {}
    for _use, status, *_ in PLAN.values():
        expected[status] = expected.get(status, 0) + 1
    assert counts == expected
    w, s, e, n = lu_zone.bbox
    poly = polygon_from_geojson(
        {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}
    )
    inside = landuse_summary(lu_session, PLANNER, scope=Scope(polygon=poly))
    assert inside["zone"]["area_m2"] == pytest.approx(by_status["zone"]["area_m2"])
    # half the box holds only the western parcels
    half = polygon_from_geojson(
        {
            "type": "Polygon",
            "coordinates": [[[w, s], [(w + e) / 2, s], [(w + e) / 2, n], [w, n], [w, s]]],
        }
    )
    part = landuse_summary(lu_session, PLANNER, scope=Scope(polygon=half))
    assert 0 < part["zone"]["parcels"] < len(PLAN)


def test_tax_and_output_per_mu_for_planners_only(lu_session: Session, lu_zone: LuZone) -> None:
    scope = Scope(bbox=lu_zone.bbox)
    planner = landuse_summary(lu_session, PLANNER, scope=scope)["zone"]["intensity"]
    other = landuse_summary(lu_session, INVESTMENT, scope=scope)["zone"]["intensity"]
    assert planner["tax_cny_per_mu"] is not None and planner["tax_cny_per_mu"] > 0
    assert "tax_cny_per_mu" not in other and "output_cny_per_mu" not in other
    assert other["industrial_plot_ratio"] == planner["industrial_plot_ratio"]


def test_reference_rows_cite_their_source(lu_session: Session, lu_zone: LuZone) -> None:
    got = landuse_summary(lu_session, PLANNER, scope=Scope(bbox=lu_zone.bbox))
    refs = {r["key"]: r for r in got["reference"]}
    assert refs["industrial_plot_ratio"]["value"] == 1.12
    assert refs["industrial_building_coefficient"]["value"] == pytest.approx(0.5646)
    assert all(r["source"] for r in got["reference"])
    cmp = {c["key"]: c for c in got["comparison"]}
    assert (
        cmp["industrial_plot_ratio"]["zone_value"]
        == got["zone"]["intensity"]["industrial_plot_ratio"]
    )


def test_refusals(lu_session: Session) -> None:
    with pytest.raises(Unauthorized):
        landuse_summary(lu_session, Principal())
    with pytest.raises(InvalidInput) as e:
        landuse_summary(lu_session, PLANNER, by="parish")
    assert e.value.field == "by"


def test_grid_grouping_by_point_on_surface(lu_session: Session, lu_zone: LuZone) -> None:
    from shapely.geometry import box

    from tests.support.rows import insert

    w, s, e, n = lu_zone.bbox
    west = box(w, s, (w + e) / 2, n)
    code = f"G-{lu_zone.tag}"
    insert(lu_session.connection(), "grid_areas", code=code, name="西片", geom=west)
    got = landuse_summary(lu_session, PLANNER, by="grid", scope=Scope(bbox=lu_zone.bbox))
    groups = {g["key"]: g for g in got["groups"]}
    inside = [k for k, g in lu_zone.parcel_geoms.items() if west.contains(g.representative_point())]
    assert groups[code]["parcels"] == len(inside) > 0
    assert groups[None]["parcels"] == len(PLAN) - len(inside)
    assert close(groups[code]["area_m2"], sum(area(lu_zone.parcel_geoms[k]) for k in inside))
