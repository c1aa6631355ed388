"""Site sheets, comparisons and the finder in the library (rolled-back transactions)."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from parkgis.access import ANONYMOUS, Principal
from parkgis.errors import InvalidInput, NotFound
from parkgis.prospect import compare, parse_form, parse_sites, sheet, sheet_html
from parkgis.prospect.find import find
from parkgis.settings import Settings
from tests.prospect.zone import CANARIES, ProspectZone, make_zone

INVESTMENT = Principal(user_id=None, name="inv", role="investment")


@pytest.fixture
def zone(conn: Connection) -> ProspectZone:
    return make_zone(conn)


def test_parcel_sheet_has_terms_areas_and_counts(
    session: Session, zone: ProspectZone, settings: Settings
) -> None:
    s = sheet(session, "parcel", zone.land[0], ANONYMOUS, settings, lang="zh", base_url="http://x/")
    rows = dict(s.rows)
    assert "亩" in rows["面积"] and "m²" in rows["面积"]
    terms = dict(s.terms)
    assert terms["投资强度"] == "300 万元/亩"
    assert terms["容积率"] == "1.2 – 2.5"
    chains = {c[0]: c[3] for c in s.facts.chains}
    assert chains["new_energy_vehicles"] >= 6
    assert s.url == f"http://x/sites/parcel/{zone.land[0]}?lang=zh"
    assert len(s.facts.distances) >= 1
    html = sheet_html(s, "zh")
    assert 'class="locmap"' in html and 'class="site"' in html
    assert f'data-qr="http://x/sites/parcel/{zone.land[0]}?lang=zh"' in html
    for c in CANARIES:
        assert c not in html


def test_space_sheet_english(session: Session, zone: ProspectZone, settings: Settings) -> None:
    s = sheet(session, "space", zone.spaces[0], ANONYMOUS, settings, lang="en", base_url="http://x")
    rows = dict(s.rows)
    assert rows["Clear height"] == "9.0 m"
    assert rows["Rent"] == "22.0 CNY/m²/month"
    assert s.terms == []
    assert "Zone Investment Promotion Bureau" in s.contact


def test_anonymous_cannot_see_occupied_or_granted(
    session: Session, zone: ProspectZone, settings: Settings
) -> None:
    with pytest.raises(NotFound):
        sheet(session, "space", zone.occupied, ANONYMOUS, settings, lang="zh", base_url="x")
    with pytest.raises(NotFound):
        sheet(session, "parcel", zone.granted, ANONYMOUS, settings, lang="zh", base_url="x")
    s = sheet(session, "parcel", zone.granted, INVESTMENT, settings, lang="zh", base_url="x")
    assert s.facts.code.endswith("-G")


def test_compare_highlights_differences(
    session: Session, zone: ProspectZone, settings: Settings
) -> None:
    pairs = parse_sites(f"parcel:{zone.land[0]},parcel:{zone.land[1]},space:{zone.spaces[0]}")
    sheets, rows = compare(session, pairs, ANONYMOUS, settings, lang="en", base_url="x")
    by = {label: (values, differ) for label, values, differ in rows}
    assert by["Area"][1] is True
    assert by["Plot ratio"] == (["1.2 – 2.5", "1.2 – 2.5", "—"], True)
    assert [v.split()[0] for v in by["Land use"][0]] == ["100101", "100101", "100102"]
    assert by["Land use"][1] is True and "industrial" in by["Land use"][0][0].lower()
    assert by["Type"][0][:2] == ["Land", "Land"]
    with pytest.raises(InvalidInput):
        compare(session, pairs[:1], ANONYMOUS, settings, lang="en", base_url="x")


def test_parse_sites_refuses_bad_items() -> None:
    assert parse_sites("space:3,parcel:4") == [("space", 3), ("parcel", 4)]
    for bad in ("space:x", "firm:3", "space:3,space:3", "space:0"):
        with pytest.raises(InvalidInput):
            parse_sites(bad)


def test_form_in_mu_and_public_results(
    session: Session, zone: ProspectZone, settings: Settings
) -> None:
    form = parse_form(
        {
            "kind": "parcel",
            "area_min": "40",
            "area_unit": "mu",
            "near_lon": str(zone.lon),
            "near_lat": str(zone.lat),
            "max_distance_m": "2000",
        }
    )
    assert form.request["land_area_m2"]["min"] == pytest.approx(40 * 10000 / 15)
    result = find(session, form, ANONYMOUS, settings)
    ids = [f["properties"]["id"] for f in result["features"]]
    assert ids == [zone.land[0]]  # 180 m square ≈ 48.6 mu; the 80 m one is too small
    props = result["features"][0]["properties"]
    assert set(props) <= {
        "rank",
        "score",
        "kind",
        "id",
        "distance_m",
        "checks",
        "failed",
        "code",
        "land_use",
        "status",
        "area_m2",
        "area_mu",
        "max_far",
        "price_cny_m2",
        "address",
    }


def test_anonymous_may_not_search_near_a_firm(
    session: Session, zone: ProspectZone, settings: Settings
) -> None:
    from parkgis.errors import Forbidden

    form = parse_form({"enterprise_id": str(zone.canary), "clear_height_m": "5"})
    with pytest.raises(Forbidden):
        find(session, form, ANONYMOUS, settings)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"area_min": "abc"}, "area_min"),
        ({"kind": "castle"}, "kind"),
        ({"area_unit": "acre", "area_min": "3"}, "area_unit"),
        ({"available_by": "tomorrow"}, "available_by"),
        ({"near_lon": "200", "near_lat": "1"}, "near_lon"),
        ({"area_min": "5", "area_max": "2"}, "area_min"),
    ],
)
def test_form_errors_name_the_field(params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_form(params)
    assert exc.value.field == field
