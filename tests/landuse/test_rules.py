"""Control indicators, the tenant apportionment, grades and inefficient land, by hand."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pyproj import Geod
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import Forbidden, InvalidQuery
from parkgis.geo import M2_PER_MU
from parkgis.landuse import evaluate_firms, evaluate_rows, grade_scores, parcel_indicators
from parkgis.landuse.firms import firm_land_rows
from parkgis.landuse.indicators import classify, parcel_indicators_rows
from parkgis.landuse.inefficient import idle_clock, inefficient_rows
from parkgis.landuse.scope import Scope
from parkgis.settings import LanduseSettings
from tests.landuse.zone import TODAY, LuZone
from tests.support.rows import building, parcel

GEOD = Geod(ellps="WGS84")
PLANNER = Principal(user_id=1, name="p", role="planner")
SETTINGS = LanduseSettings()


def area(geom) -> float:  # noqa: ANN001
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def _by_code(rows: list[dict], zone: LuZone) -> dict[str, dict]:
    prefix = f"LU-{zone.tag}-"
    return {r["code"][len(prefix) :]: r for r in rows if r["code"].startswith(prefix)}


def test_plot_ratio_counts_tall_storeys_twice(lu_session: Session, lu_zone: LuZone) -> None:
    rows = _by_code(parcel_indicators_rows(lu_session, SETTINGS, Scope(bbox=lu_zone.bbox)), lu_zone)
    assert set(rows) == {
        "ok",
        "low",
        "park",
        "granted_idle",
        "idle_old",
        "available",
        "granted_new",
        "silent",
    }  # industrial only: no logistics, no green
    ok = rows["ok"]
    fp = area(lu_zone.building_geoms["ok_plant"])
    land = area(lu_zone.parcel_geoms["ok"])
    # two storeys of fp each: 9 m counts twice, 5 m once
    assert ok["plot_ratio"] == pytest.approx(3 * fp / land, rel=1e-3)
    assert ok["building_coefficient"] == pytest.approx((fp + 1500.0) / land, rel=1e-3)
    assert ok["min_plot_ratio"] == 0.7  # C2710 pharmaceuticals
    assert ok["check"] == "ok"
    low = rows["low"]  # one 7 m storey: once; food needs 1.0
    assert low["plot_ratio"] == pytest.approx(
        area(lu_zone.building_geoms["low_shed"]) / area(lu_zone.parcel_geoms["low"]), rel=1e-3
    )
    assert low["min_plot_ratio"] == 1.0
    assert low["check"] == "below_minimum"
    assert low["reasons"] == ["plot_ratio_below_minimum", "building_coefficient_below_floor"]
    silent = rows["silent"]  # one 10 m storey without storey heights: its height counts
    assert silent["plot_ratio"] == pytest.approx(
        2 * area(lu_zone.building_geoms["silent_plant"]) / area(lu_zone.parcel_geoms["silent"]),
        rel=1e-3,
    )
    park = rows["park"]  # no holder: the most lenient tenant minimum (C3360 0.7 < C3981 1.0)
    assert park["min_plot_ratio"] == 0.7 and park["min_plot_ratio_basis"] == "tenant_industries"
    assert rows["available"]["check"] == "no_data"
    assert rows["available"]["reasons"] == ["no_buildings"]


def test_coefficient_floor_is_a_setting(lu_session: Session, lu_zone: LuZone) -> None:
    strict = LanduseSettings(building_coefficient_floor=0.9)
    rows = _by_code(
        parcel_indicators(
            lu_session, PLANNER, strict, scope=Scope(bbox=lu_zone.bbox), check="below_minimum"
        ),
        lu_zone,
    )
    assert "ok" in rows and "building_coefficient_below_floor" in rows["ok"]["reasons"]
    with pytest.raises(InvalidQuery):
        parcel_indicators(lu_session, PLANNER, SETTINGS, check="bad")


def test_classify() -> None:
    assert classify(1.2, 0.5, 1.0, 0.3) == ("ok", [])
    assert classify(0.9, 0.5, 1.0, 0.3)[0] == "below_minimum"
    assert classify(1.2, 0.2, 1.0, 0.3) == ("below_minimum", ["building_coefficient_below_floor"])
    assert classify(None, None, 1.0, 0.3) == ("no_data", ["no_buildings"])
    assert classify(1.2, 0.5, None, 0.3) == ("no_data", ["no_minimum_for_industry"])
    assert classify(1.2, 0.1, None, 0.3)[0] == "below_minimum"


def test_tenant_land_is_apportioned_by_floor_area(lu_session: Session, lu_zone: LuZone) -> None:
    firms = {r["id"]: r for r in firm_land_rows(lu_session)}
    park = area(lu_zone.parcel_geoms["park"])
    unit = area(next(iter(lu_zone.space_geoms.values())))
    # The park's one building: 3 floors of two units; GFA = footprint x 3 = 6 units.
    gfa = 3 * area(lu_zone.building_geoms["park_a"])
    a = firms[lu_zone.firms["tenant_a"]]  # one unit
    b = firms[lu_zone.firms["tenant_b"]]  # two units
    assert a["land_m2"] == pytest.approx(unit / gfa * park, rel=1e-3)
    assert b["land_m2"] == pytest.approx(2 * unit / gfa * park, rel=1e-3)
    assert a["land_m2"] == pytest.approx(park / 6, rel=2e-3)  # by hand: 1 of 6 equal units
    assert a["land_mu"] == pytest.approx(a["land_m2"] * 15 / 10_000)
    assert a["tenancies"] == 1 and a["parcels_held"] == 0
    pharma = firms[lu_zone.firms["pharma"]]
    assert pharma["land_m2"] == pytest.approx(area(lu_zone.parcel_geoms["ok"]), rel=1e-3)
    waiting = firms[lu_zone.firms["waiting"]]  # three parcels, none built
    assert waiting["parcels_held"] == 3 and not waiting["in_use"]


def _firm(i: int, tax: float, output: float = 1e7, mu: float = 10.0) -> dict:
    return {
        "id": i,
        "name": f"f{i}",
        "land_m2": mu * M2_PER_MU,
        "land_mu": mu,
        "in_use": True,
        "employees": 100,
        "output_cny": output,
        "tax_cny": tax,
    }


def test_grade_cut_offs_on_twenty_firms_with_ties() -> None:
    scores = [float(s) for s in range(20, 0, -1)]  # 20 distinct scores
    assert grade_scores(scores) == ["A"] * 5 + ["B"] * 9 + ["C"] * 5 + ["D"]
    tied = [20, 19, 18, 17, 16, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 4, 3]
    grades = grade_scores([float(s) for s in tied])
    # Firms 5 and 6 tie at the A/B boundary: both get A (6 A's, one more than 25%)
    assert grades[:6] == ["A"] * 6 and grades[6] == "B"
    assert grades[16:] == ["C", "C", "C", "D"]  # 4, 4 tie inside C; the last is D
    assert grade_scores([5.0] * 20) == ["A"] * 20  # all equal: all share the best grade
    assert grade_scores([3.0, 2.0, 1.0, 0.0], (0.5, 0.75, 0.99)) == ["A", "A", "B", "C"]


def test_evaluation_on_twenty_firms() -> None:
    # tax per mu 1..20 x 10k, same output: the score order is the tax order
    rows = [_firm(i, tax=1e5 * i) for i in range(1, 21)]
    rows[0]["land_mu"] = 2.0  # below 3 mu: not graded
    rows[0]["land_m2"] = 2.0 * M2_PER_MU
    ev = evaluate_rows(rows, SETTINGS)
    graded = [f for f in ev["firms"] if f["graded"]]
    assert len(graded) == 19 and ev["counts"]["graded"] == 19
    assert [f["id"] for f in graded] == list(range(20, 1, -1))
    # 19 firms: position k/19 -> A while below 0.25 (k 0-4), B below 0.70 (k 5-13), C below
    # 0.95 (k 14-18: 18/19 = 0.947), so 19 firms have no D; 20 firms have one (above)
    assert [f["grade"] for f in graded] == ["A"] * 5 + ["B"] * 9 + ["C"] * 5
    small = next(f for f in ev["firms"] if f["id"] == 1)
    assert small["grade"] is None and small["reason"] == "below_min_mu"
    avg = ev["averages"]["tax_cny_per_mu"]
    assert avg == pytest.approx(sum(1e5 * i for i in range(2, 21)) / (19 * 10.0))
    top = graded[0]
    expected = 100 * (40 * (2e6 / 10 / avg) + 30 * 1 + 15 * 1) / 85  # no energy/R&D data
    assert top["score"] == pytest.approx(expected, abs=1e-3)  # rounded to 3 decimals


def test_weights_and_cap_are_settings() -> None:
    rows = [_firm(1, tax=1e5), _firm(2, tax=1e8, output=1e7)]
    capped = evaluate_rows(rows, LanduseSettings(score_cap=1.5))
    best = capped["firms"][0]
    assert best["id"] == 2
    tax_only = evaluate_rows(rows, LanduseSettings(weight_output=0, weight_labour=0))
    assert tax_only["firms"][0]["score"] == pytest.approx(
        100 * min(3.0, 1e8 / 10 / tax_only["averages"]["tax_cny_per_mu"])
    )


def test_only_planners_and_admins_see_grades(lu_session: Session) -> None:
    with pytest.raises(Forbidden):
        evaluate_firms(lu_session, Principal(user_id=3, role="investment"), SETTINGS)
    with pytest.raises(Forbidden):
        evaluate_firms(lu_session, Principal(user_id=4, role="officer"), SETTINGS)


def test_inefficient_types_and_idle_clock(lu_session: Session, lu_zone: LuZone) -> None:
    graded = {lu_zone.firms["pharma"]: "D"}
    rows = _by_code(
        inefficient_rows(
            lu_session, SETTINGS, today=TODAY, scope=Scope(bbox=lu_zone.bbox), grades=graded
        ),
        lu_zone,
    )
    assert {k: r["type"] for k, r in rows.items()} == {
        "available": "approved_not_supplied",
        "granted_idle": "supplied_not_used",
        "idle_old": "supplied_not_used",
        "granted_new": "supplied_not_used",
        "low": "used_not_fully",
        "park": "used_not_fully",
        "silent": "built_not_producing",
        "ok": "producing_below_standard",
    }
    one_year = rows["granted_idle"]["clock"]  # 400 days past the agreed start
    assert one_year["days_since_agreed_start"] == 400
    assert one_year["idle"] and not one_year["may_take_back"]
    land = area(lu_zone.parcel_geoms["granted_idle"])
    assert one_year["fee_cny"] == pytest.approx(0.2 * 500.0 * land, rel=1e-3)
    two_years = rows["idle_old"]["clock"]
    assert two_years["idle"] and two_years["may_take_back"]
    fresh = rows["granted_new"]["clock"]
    assert not fresh["idle"] and fresh["fee_cny"] is None


def test_idle_clock_boundaries() -> None:
    start = TODAY - timedelta(days=365)
    kw = {"granted_on": start, "price_cny_m2": 100.0, "area_m2": 1000.0, "today": TODAY}
    c = idle_clock(agreed_start_on=start, idle=False, **kw)
    assert c is not None and c["fee_cny"] is None and c["fee_from"] == TODAY.isoformat()
    c = idle_clock(agreed_start_on=start, idle=True, **kw)
    assert c is not None and c["fee_cny"] == 20000.0 and not c["may_take_back"]
    assert idle_clock(agreed_start_on=None, idle=False, **kw) is None


def test_producing_below_its_standard_land_commitment(lu_session: Session, lu_zone: LuZone) -> None:
    from sqlalchemy import text

    pharma = lu_zone.firms["pharma"]
    land_mu = area(lu_zone.parcel_geoms["ok"]) * 15 / 10_000
    paid_wan = 1.2e7 / land_mu / 1e4  # the holder's tax per 亩 in 万元
    scope = Scope(bbox=lu_zone.bbox)
    for committed, expected in (
        (paid_wan * 1.1, "producing_below_standard"),
        (paid_wan * 0.9, None),
    ):
        lu_session.execute(
            text("UPDATE parcels SET tax_wan_cny_mu = :t WHERE id = :p"),
            {"t": committed, "p": lu_zone.parcels["ok"]},
        )
        rows = _by_code(
            inefficient_rows(lu_session, SETTINGS, today=TODAY, scope=scope, grades={pharma: "A"}),
            lu_zone,
        )
        assert (rows["ok"]["type"] if "ok" in rows else None) == expected
        if expected:
            assert rows["ok"]["below_commitment"] and rows["ok"]["holder_grade"] == "A"


def test_plot_ratio_factor_is_kept_by_the_database(conn: Connection) -> None:
    """``buildings.plot_ratio_factor`` (generated) counts each storey over 8 m twice, takes a
    single storey's height without storey heights, ignores non-numbers, and follows edits."""
    pid = parcel(conn)
    cases: list[tuple[list[object] | None, int, float | None, float]] = [
        ([9.0, 4.0, 4.0], 3, None, 1 + 1 / 3),
        ([8.0, 12.5], 2, None, 1.5),  # exactly 8 m counts once
        (["x", 9.5], 2, None, 1.5),  # a non-number never counts
        ([], 1, 10.0, 2.0),  # no storeys listed: the single storey's height
        (None, 1, 10.0, 2.0),
        (None, 2, 20.0, 1.0),  # two storeys of unknown height: once
    ]

    def factor(bid: int) -> float:
        sql = text("SELECT plot_ratio_factor FROM buildings WHERE id = :i")
        return float(conn.execute(sql, {"i": bid}).scalar_one())

    for storeys, floors, height, want in cases:
        bid = building(conn, pid, floors=floors, height_m=height)
        if storeys is not None:
            conn.execute(
                text("UPDATE buildings SET storey_heights_m = CAST(:j AS jsonb) WHERE id = :i"),
                {"j": json.dumps(storeys), "i": bid},
            )
        assert factor(bid) == pytest.approx(want), (storeys, floors, height)
    conn.execute(text("UPDATE buildings SET floors = 1, height_m = 9.0 WHERE id = :i"), {"i": bid})
    assert factor(bid) == pytest.approx(2.0)  # an edit moves the factor with it
