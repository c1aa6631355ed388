"""Territories, gaps, overlaps and workload on hand-made layouts (metres in EPSG:4547)."""

from __future__ import annotations

import math
from datetime import date

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.coverage.territories import coverage_for, territories
from parkgis.errors import Forbidden, NotFound, Unauthorized
from parkgis.geo import geodesic_area_m2
from parkgis.settings import Settings
from parkgis.zonetime import Month
from tests.coverage.layout import Layout
from tests.support.geometry import metres, square

BUF = 100.0
DISC = math.pi * BUF**2
TODAY = date(2026, 11, 20)


def one(session: Session, s: Settings, oid: int):
    cov = territories(session, s, officer_ids=[oid], today=TODAY)
    assert len(cov.officers) == 1
    return cov.officers[0]


def test_one_firm_gives_a_disc(layout: Layout, session: Session, cov_settings: Settings) -> None:
    o = layout.officer()
    layout.assign(o, layout.firm(0, 0))
    t = one(session, cov_settings, o)
    assert t.source == "hull"
    assert t.geometry is not None and t.geometry["type"] == "Polygon"
    assert t.area_m2 == pytest.approx(DISC, rel=0.01)
    assert t.spread_km == 0


def test_two_firms_give_a_stadium(layout: Layout, session: Session, cov_settings: Settings) -> None:
    o = layout.officer()
    layout.assign(o, layout.firm(0, 0), layout.firm(1000, 0))
    t = one(session, cov_settings, o)
    assert t.area_m2 == pytest.approx(2 * BUF * 1000 + DISC, rel=0.01)
    assert t.spread_km == pytest.approx(1.0, rel=0.001)


def test_firms_in_a_line_and_on_one_spot(
    layout: Layout, session: Session, cov_settings: Settings
) -> None:
    line, spot = layout.officer(), layout.officer()
    layout.assign(line, *(layout.firm(x, 0) for x in (0, 500, 1200, 2000)))
    layout.assign(spot, layout.firm(3000, 3000), layout.firm(3000, 3000))
    cov = territories(session, cov_settings, officer_ids=[line, spot], today=TODAY)
    by = cov.by_officer()
    assert by[line].area_m2 == pytest.approx(2 * BUF * 2000 + DISC, rel=0.01)
    assert by[spot].area_m2 == pytest.approx(DISC, rel=0.01)
    for t in cov.officers:
        g = shape(t.geometry)
        assert g.is_valid and g.geom_type == "Polygon"
        # The GeoJSON is lon/lat and its geodesic area agrees with the reported one.
        assert geodesic_area_m2(g) == pytest.approx(t.area_m2, rel=0.001)


def test_hull_covers_every_firm_with_the_buffer(
    layout: Layout, session: Session, cov_settings: Settings
) -> None:
    o = layout.officer()
    pts = [(0, 0), (2000, 0), (2000, 2000), (0, 2000), (1000, 1000), (300, 1700)]
    layout.assign(o, *(layout.firm(x, y) for x, y in pts))
    t = one(session, cov_settings, o)
    x0, y0 = metres()
    mp = shapely.MultiPoint([(x0 + x, y0 + y) for x, y in pts])
    proj = t.projected_geometry
    # Concave: never more than the buffered convex hull, and every firm well inside.
    assert proj.area <= mp.convex_hull.buffer(BUF).area * 1.001
    for p in mp.geoms:
        assert proj.contains(p.buffer(BUF * 0.95))


def test_officer_without_firms_has_no_territory(
    layout: Layout, session: Session, cov_settings: Settings
) -> None:
    o = layout.officer()
    t = one(session, cov_settings, o)
    assert (t.source, t.geometry, t.area_m2, t.firms) == ("none", None, 0.0, 0)


def test_grid_areas_replace_the_hull(
    layout: Layout, session: Session, cov_settings: Settings
) -> None:
    o = layout.officer()
    layout.assign(o, layout.firm(0, 0), layout.firm(5000, 0))
    layout.grid(o, square(east_m=-100, north_m=-100, side_m=400))
    layout.grid(
        o, square(east_m=300, north_m=-100, side_m=400)
    )  # touches the first: one 800 x 400 block
    t = one(session, cov_settings, o)
    assert t.source == "grid"
    assert t.area_m2 == pytest.approx(800 * 400, rel=0.002)
    assert shape(t.geometry).geom_type == "Polygon"


def test_overlaps_and_shared_firms(
    layout: Layout, session: Session, cov_settings: Settings
) -> None:
    a, b, c, d = (layout.officer(n) for n in "ABCD")
    layout.assign(a, layout.firm(0, 0), layout.firm(400, 0))
    layout.assign(b, layout.firm(300, 0), layout.firm(700, 0))
    layout.assign(c, layout.firm(5000, 0))
    shared = layout.firm(9000, 0)
    layout.assign(d, shared)
    layout.assign(c, shared)
    # Grid areas that only touch are not an overlap.
    layout.grid(d, square(east_m=20000, north_m=0, side_m=500))
    e = layout.officer("E")
    layout.grid(e, square(east_m=20500, north_m=0, side_m=500))
    cov = territories(session, cov_settings, officer_ids=[a, b, c, d, e], today=TODAY)
    pairs = {ov.officer_ids: ov for ov in cov.overlaps}
    assert set(pairs) == {(a, b), (c, d)}
    # Two stadiums 400 m long overlapping for 100 m, 200 m wide: more than the core strip.
    assert pairs[(a, b)].area_m2 > 100 * 2 * BUF
    assert pairs[(a, b)].shared_enterprise_ids == []
    assert pairs[(c, d)].shared_enterprise_ids == [shared]


def test_unassigned_firms(layout: Layout, session: Session, cov_settings: Settings) -> None:
    o = layout.officer()
    gone = layout.officer(active=False)
    kept, nobody, ended, orphan = (layout.firm(i * 100, 0) for i in range(4))
    layout.assign(o, kept)
    layout.assign(o, ended, since=date(2025, 1, 1), until=date(2025, 6, 30))
    layout.assign(gone, orphan)
    cov = territories(session, cov_settings, officer_ids=[o], today=TODAY)
    assert kept not in cov.unassigned_enterprises
    assert {nobody, ended, orphan} <= set(cov.unassigned_enterprises)
    assert cov.unassigned_enterprises == sorted(cov.unassigned_enterprises)


def test_workload(layout: Layout, session: Session, cov_settings: Settings) -> None:
    o, other = layout.officer(), layout.officer()
    f1 = layout.firm(0, 0, above_scale=True, output_cny=2e8)
    f2 = layout.firm(3000, 0, above_scale=True, output_cny=5e7)
    f3 = layout.firm(0, 4000, output_cny=None)
    layout.assign(o, f1, f2, f3)
    layout.assign(other, layout.firm(100, 100))
    for stage in ("negotiating", "signed", "stalled", "in_production", "cancelled"):
        layout.project(o, stage)
    layout.project(other, "signed")
    layout.request(f1, "utilities", date(2026, 11, 2))  # due 9 Nov: overdue
    layout.request(f2, "land", date(2026, 11, 16))  # due 14 Dec: open, on time
    layout.request(
        f3, "labour", date(2026, 10, 8), status="resolved", resolved_on=date(2026, 10, 9)
    )
    layout.request(f3, "other", date(2026, 11, 1), officer_id=other)  # the other's
    layout.visit(o, f1, "2026-11-03T10:00:00+08:00")
    layout.visit(o, f1, "2026-11-10T10:00:00+08:00")
    layout.visit(o, f2, "2026-11-12T10:00:00+08:00", kind="reception")
    layout.visit(o, f3, "2026-10-31T10:00:00+08:00")  # last month
    t = one(session, cov_settings, o)
    assert (t.firms, t.firms_above_scale, t.output_cny) == (3, 2, 2.5e8)
    assert t.projects_in_flight == 3
    assert (t.open_requests, t.overdue_requests) == (2, 1)
    assert t.spread_km == pytest.approx(5.0, rel=0.001)
    assert (t.visits_this_month, t.receptions_this_month) == (2, 1)
    assert t.not_visited_ids == [f3] and t.not_visited_this_month == 1
    assert t.enterprise_ids == sorted([f1, f2, f3])


def test_feature_collection_shape(layout: Layout, session: Session, cov_settings: Settings) -> None:
    o = layout.officer()
    layout.assign(o, layout.firm(0, 0))
    fc = territories(session, cov_settings, officer_ids=[o], today=TODAY).feature_collection()
    assert fc["type"] == "FeatureCollection" and fc["month"] == "2026-11"
    (feat,) = fc["features"]
    assert feat["properties"]["officer_id"] == o
    assert feat["properties"]["not_visited_this_month"] == 1
    assert "projected_geometry" not in feat["properties"]
    assert isinstance(fc["unassigned_enterprises"], list) and fc["overlaps"] == []


def test_roles(layout: Layout, session: Session, cov_settings: Settings) -> None:
    a, b = layout.officer(), layout.officer()
    layout.assign(a, layout.firm(0, 0))
    layout.assign(b, layout.firm(50, 0))
    me = Principal(user_id=None, name="a", role="officer", officer_id=a)
    cov = coverage_for(session, me, cov_settings, today=TODAY)
    assert [o.officer_id for o in cov.officers] == [a]
    assert [ov.officer_ids for ov in cov.overlaps] == [(a, b)]
    with pytest.raises(Forbidden):
        coverage_for(session, me, cov_settings, officer_id=b, today=TODAY)
    with pytest.raises(Forbidden):
        coverage_for(session, Principal(user_id=None, name="i", role="investment"), cov_settings)
    with pytest.raises(Unauthorized):
        coverage_for(session, Principal(), cov_settings)
    boss = Principal(user_id=None, name="p", role="planner")
    everyone = coverage_for(session, boss, cov_settings, month=Month(2026, 11), today=TODAY)
    assert {a, b} <= {o.officer_id for o in everyone.officers}
    with pytest.raises(NotFound):
        coverage_for(session, boss, cov_settings, officer_id=-1)
