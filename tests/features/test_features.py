"""The read side: parkgis.features (SQL, role rules, filters) and the REST reads /api/v1."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import MultiPolygon, box
from sqlalchemy.orm import Session

from api.app import create_app
from parkgis.access import ANONYMOUS, PUBLIC_FIELDS, Principal
from parkgis.errors import Forbidden, InvalidQuery, NotFound, Unauthorized
from parkgis.features import COLLECTIONS, feature_collection, feature_collection_json, get_feature
from parkgis.features.params import parse_bbox, parse_limit
from parkgis.settings import APISettings, Settings
from tests.features.zone import Zone
from tests.support.rows import insert

ADMIN = Principal(user_id=None, name="t-admin", role="admin")
ROLES: list[str | None] = [None, "investment", "officer", "planner", "admin"]


def get(client: TestClient, zone: Zone, role: str | None, url: str, **params: Any) -> Any:
    return client.get(url, params=params, headers=zone.headers(role))


# --- library: parsing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, reason",
    [
        ("1,2,3", "4 numbers"),
        ("1,2,3,4,5", "4 numbers"),
        ("a,2,3,4", "not a number"),
        ("1,nan,3,4", "finite"),
        ("10,10,5,5", "greater than"),
        ("-200,0,0,10", "outside longitude"),
        ("0,-91,1,1", "outside longitude"),
    ],
)
def test_bad_bbox_is_refused_naming_bbox(text: str, reason: str) -> None:
    with pytest.raises(InvalidQuery) as err:
        parse_bbox(text)
    assert err.value.field == "bbox"
    assert reason in err.value.message


def test_bbox_tuples_are_checked_too(session: Session) -> None:
    with pytest.raises(InvalidQuery) as err:
        feature_collection(session, "parcels", ADMIN, bbox=(10.0, 10.0, 5.0, 5.0))
    assert err.value.field == "bbox"
    with pytest.raises(InvalidQuery, match="outside longitude"):
        feature_collection(session, "parcels", ADMIN, bbox=(3e5, 2e6, 4e5, 3e6))


def test_bbox_with_heights_keeps_the_plane() -> None:
    assert parse_bbox("1,2,-5,3,4,100") == (1.0, 2.0, 3.0, 4.0)


def test_limit_is_clamped_not_refused() -> None:
    assert parse_limit("50000", 100, 10000) == 10000
    assert parse_limit(None, 100, 10000) == 100
    with pytest.raises(InvalidQuery, match="at least 1"):
        parse_limit("0", 100, 10000)


def test_every_collection_with_sensitive_fields_has_a_row_rule() -> None:
    assert COLLECTIONS["enterprises"].own_sql and COLLECTIONS["officers"].own_sql


# --- library: SQL ---------------------------------------------------------------------


@pytest.fixture
def parcels(session: Session) -> tuple[str, list[int]]:
    """Five available parcels in a fresh square; returns (bbox, ids)."""
    conn = session.connection()
    lon, lat = 95.5, 5.5
    ids = [
        insert(
            conn,
            "parcels",
            code=f"LIB-{i}",
            land_use="100101",
            status="available",
            price_cny_m2=100.0 * i,
            geom=MultiPolygon([box(lon + i * 0.01, lat, lon + i * 0.01 + 0.005, lat + 0.005)]),
        )
        for i in range(5)
    ]
    return f"{lon},{lat},{lon + 0.1},{lat + 0.1}", ids


def test_feature_collection_is_geojson_with_counts(session: Session, parcels: Any) -> None:
    bbox, ids = parcels
    fc = feature_collection(session, "parcels", ADMIN, bbox=bbox, limit=2)
    assert fc["type"] == "FeatureCollection"
    assert (fc["numberMatched"], fc["numberReturned"]) == (5, 2)
    f = fc["features"][0]
    assert f["id"] == ids[0] == f["properties"]["id"]
    assert f["geometry"]["type"] == "MultiPolygon"
    assert f["properties"]["area_m2"] > 0
    assert f["properties"]["area_mu"] == pytest.approx(f["properties"]["area_m2"] / (10000 / 15))


def test_counts_past_the_last_page_and_on_a_short_page(session: Session, parcels: Any) -> None:
    bbox, _ = parcels
    past = feature_collection(session, "parcels", ADMIN, bbox=bbox, limit=2, offset=10)
    assert (past["numberMatched"], past["numberReturned"], past["features"]) == (5, 0, [])
    short = feature_collection(session, "parcels", ADMIN, bbox=bbox, limit=4, offset=3)
    assert (short["numberMatched"], short["numberReturned"]) == (5, 2)


def test_bbox_uses_true_intersection(session: Session, parcels: Any) -> None:
    _, ids = parcels
    # Touches only the second parcel's box; the first ends 0.005° east of its start.
    fc = feature_collection(session, "parcels", ADMIN, bbox=(95.512, 5.501, 95.513, 5.502))
    assert [f["id"] for f in fc["features"]] == [ids[1]]


def test_filters_are_typed_and_ranged(session: Session, parcels: Any) -> None:
    bbox, ids = parcels
    fc = feature_collection(
        session,
        "parcels",
        ADMIN,
        bbox=bbox,
        filters={"min_price_cny_m2": "150", "max_price_cny_m2": 300},
    )
    assert [f["id"] for f in fc["features"]] == ids[2:4]
    fc = feature_collection(session, "parcels", ADMIN, bbox=bbox, filters={"code": "LIB-4"})
    assert [f["id"] for f in fc["features"]] == [ids[4]]
    with pytest.raises(InvalidQuery) as err:
        feature_collection(session, "parcels", ADMIN, filters={"colour": "red"})
    assert err.value.field == "colour"
    with pytest.raises(InvalidQuery) as err:
        feature_collection(session, "parcels", ADMIN, filters={"min_price_cny_m2": "cheap"})
    assert err.value.field == "min_price_cny_m2"


def test_json_bytes_equal_the_dict(session: Session, parcels: Any) -> None:
    import orjson

    bbox, _ = parcels
    raw = feature_collection_json(session, "parcels", ANONYMOUS, bbox=bbox)
    assert orjson.loads(raw) == feature_collection(session, "parcels", ANONYMOUS, bbox=bbox)


def test_get_feature_has_version_and_hides_non_public_rows(session: Session, parcels: Any) -> None:
    _, ids = parcels
    f = get_feature(session, "parcels", ANONYMOUS, ids[0])
    assert f["version"] == 1 and f["id"] == ids[0]
    assert set(f["properties"]) == set(PUBLIC_FIELDS["parcels"])
    session.connection().exec_driver_sql(
        "UPDATE parcels SET status = 'planned' WHERE id = %(i)s", {"i": ids[0]}
    )
    with pytest.raises(NotFound):
        get_feature(session, "parcels", ANONYMOUS, ids[0])
    assert get_feature(session, "parcels", ADMIN, ids[0])["properties"]["status"] == "planned"
    with pytest.raises(NotFound):
        get_feature(session, "parcels", ADMIN, 2**40)


def test_unreadable_collections_raise_from_access(session: Session) -> None:
    with pytest.raises(Unauthorized):
        feature_collection(session, "enterprises", ANONYMOUS)
    with pytest.raises(Forbidden):
        feature_collection(session, "visits", Principal(user_id=1, role="investment"))
    with pytest.raises(NotFound):
        feature_collection(session, "nonsense", ADMIN)


# --- REST: role visibility -----------------------------------------------------------------

EXPECTED_STATUS = {
    # collection: status for (anonymous, investment, officer, planner, admin)
    "parcels": (200, 200, 200, 200, 200),
    "spaces": (200, 200, 200, 200, 200),
    "buildings": (401, 200, 200, 200, 200),
    "enterprises": (401, 200, 200, 200, 200),
    "projects": (401, 200, 200, 200, 200),
    "grid_areas": (401, 200, 200, 200, 200),
    "officers": (401, 200, 200, 200, 200),
    "assignments": (401, 403, 200, 200, 200),
    "visits": (401, 403, 200, 200, 200),
    "service_requests": (401, 403, 200, 200, 200),
}


@pytest.mark.parametrize("collection", list(EXPECTED_STATUS))
def test_who_may_list_what(client: TestClient, zone: Zone, collection: str) -> None:
    for role, want in zip(ROLES, EXPECTED_STATUS[collection], strict=True):
        r = get(client, zone, role, f"/api/v1/{collection}", limit=1)
        assert r.status_code == want, (collection, role, r.text)
        if want == 200:
            spatial = COLLECTIONS[collection].spatial
            assert r.headers["content-type"].startswith(
                "application/geo+json" if spatial else "application/json"
            )
            body = r.json()
            assert ("features" in body) is spatial and ("items" in body) is not spatial
        else:
            assert r.json()["code"] == ("Unauthorized" if want == 401 else "Forbidden")


@pytest.mark.parametrize(
    "role, matched", [(None, 3), ("investment", 4), ("officer", 4), ("planner", 4)]
)
def test_anonymous_sees_available_parcels_with_public_fields(
    client: TestClient, zone: Zone, role: str | None, matched: int
) -> None:
    body = get(client, zone, role, "/api/v1/parcels", bbox=zone.bbox).json()
    assert body["numberMatched"] == matched
    keys = set(body["features"][0]["properties"])
    if role is None:
        assert keys == set(PUBLIC_FIELDS["parcels"])
        assert {f["properties"]["status"] for f in body["features"]} == {"available"}
    else:
        assert {"holder_enterprise_id", "granted_on"} <= keys


def test_anonymous_sees_vacant_spaces_only(client: TestClient, zone: Zone) -> None:
    body = get(client, zone, None, "/api/v1/spaces", bbox=zone.bbox).json()
    assert [f["id"] for f in body["features"]] == [zone.ids["space_vacant"]]
    assert set(body["features"][0]["properties"]) == set(PUBLIC_FIELDS["spaces"])
    r = get(client, zone, None, f"/api/v1/spaces/{zone.ids['space_occupied']}")
    assert r.status_code == 404


# role: tax of (own firm, other firm); None = the key is absent
TAX = {
    "investment": None,
    "officer": (1_000_000.0, None),
    "planner": (1_000_000.0, 2_000_000.0),
    "admin": (1_000_000.0, 2_000_000.0),
}


@pytest.mark.parametrize("role", list(TAX))
def test_sensitive_firm_fields_per_role_and_row(client: TestClient, zone: Zone, role: str) -> None:
    body = get(client, zone, role, "/api/v1/enterprises", bbox=zone.bbox).json()
    by_id = {f["id"]: f["properties"] for f in body["features"]}
    own, other = by_id[zone.ids["firm_own"]], by_id[zone.ids["firm_other"]]
    if TAX[role] is None:
        for props in (own, other):
            assert not {"tax_cny", "output_cny", "contact_phone"} & set(props)
    else:
        assert (own["tax_cny"], other["tax_cny"]) == TAX[role]
        assert (own["contact_phone"] is None) is False
        assert (other["contact_phone"] is None) is (role == "officer")
    assert own["employees"] == 50  # not sensitive


@pytest.mark.parametrize("role, matched", [("officer", 1), ("planner", 2)])
def test_sensitive_filters_count_only_what_the_caller_sees(
    client: TestClient, zone: Zone, role: str, matched: int
) -> None:
    body = get(client, zone, role, "/api/v1/enterprises", bbox=zone.bbox, min_tax_cny=0).json()
    assert body["numberMatched"] == matched == body["numberReturned"]


def test_hidden_field_filters_are_refused(client: TestClient, zone: Zone) -> None:
    r = get(client, zone, "investment", "/api/v1/enterprises", min_tax_cny=0)
    assert (r.status_code, r.json()["field"]) == (403, "min_tax_cny")
    r = get(client, zone, None, "/api/v1/parcels", holder_enterprise_id=1)
    assert (r.status_code, r.json()["field"]) == (401, "holder_enterprise_id")


@pytest.mark.parametrize(
    "role, phones",
    [
        ("investment", None),
        ("officer", ("13800000001", None)),
        ("admin", ("13800000001", "13800000002")),
    ],
)
def test_officer_phone(client: TestClient, zone: Zone, role: str, phones: Any) -> None:
    ids = f"{zone.ids['officer_own']}"
    own = get(client, zone, role, "/api/v1/officers", id=ids).json()["items"][0]
    other = get(client, zone, role, f"/api/v1/officers/{zone.ids['officer_other']}").json()
    if phones is None:
        assert "phone" not in own and "phone" not in other
    else:
        assert (own["phone"], other["phone"]) == phones
    assert own["geometry"]["type"] == "Point" and other["geometry"] is None


# --- REST: parameters ------------------------------------------------------------------


@pytest.mark.parametrize("bbox", ["1,2,3", "x,1,2,3", "5,5,1,1", "0,0,200,1"])
def test_bad_bbox_is_400_naming_bbox(client: TestClient, zone: Zone, bbox: str) -> None:
    r = get(client, zone, None, "/api/v1/parcels", bbox=bbox)
    assert r.status_code == 400
    assert r.json()["field"] == "bbox" and r.json()["code"] == "InvalidQuery"


def test_bbox_on_a_collection_without_geometry_is_400(client: TestClient, zone: Zone) -> None:
    r = get(client, zone, "admin", "/api/v1/service_requests", bbox=zone.bbox)
    assert (r.status_code, r.json()["field"]) == (400, "bbox")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"colour": "red"}, "colour"),
        ({"limit": "lots"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"min_price_cny_m2": "cheap"}, "min_price_cny_m2"),
        ({"min_granted_on": "2024-13-01"}, "min_granted_on"),
        ({"crs": "EPSG:9999999"}, "crs"),
    ],
)
def test_bad_or_unknown_parameters_are_400(
    client: TestClient, zone: Zone, params: dict[str, str], field: str
) -> None:
    r = client.get("/api/v1/parcels", params=params, headers=zone.headers("planner"))
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field


def test_repeated_parameter_is_400(client: TestClient, zone: Zone) -> None:
    r = client.get(f"/api/v1/parcels?bbox={zone.bbox}&bbox={zone.bbox}")
    assert (r.status_code, r.json()["field"]) == (400, "bbox")


def test_item_endpoint_refuses_unknown_parameters(client: TestClient, zone: Zone) -> None:
    r = get(client, zone, None, f"/api/v1/parcels/{zone.ids['parcel_0']}", limit=3)
    assert (r.status_code, r.json()["field"]) == (400, "limit")


def test_filters_and_comma_lists(client: TestClient, zone: Zone) -> None:
    def ids(**params: Any) -> list[int]:
        body = get(client, zone, "planner", "/api/v1/parcels", bbox=zone.bbox, **params).json()
        return [f["id"] for f in body["features"]]

    p = [zone.ids[f"parcel_{i}"] for i in range(4)]
    assert ids(status="granted") == [p[3]]
    assert ids(status="granted,available") == p
    assert ids(min_price_cny_m2=400) == p[1:3]
    assert ids(min_granted_on="2024-05-01", max_granted_on="2024-05-01") == [p[3]]
    assert ids(max_granted_on="2024-04-30") == []


def test_visits_by_zone_day(client: TestClient, zone: Zone) -> None:
    def n(**params: Any) -> int:
        body = get(
            client, zone, "admin", "/api/v1/visits", officer_id=zone.ids["officer_own"], **params
        ).json()
        return int(body["numberMatched"])

    assert n(min_visited_at="2026-03-15", max_visited_at="2026-03-15") == 1
    assert n(min_visited_at="2026-03-16") == 0
    assert n(max_visited_at="2026-03-15T09:59:59+08:00") == 0


def test_items_shape_of_non_spatial_collections(client: TestClient, zone: Zone) -> None:
    body = get(
        client, zone, "officer", "/api/v1/assignments", officer_id=zone.ids["officer_own"]
    ).json()
    assert body["numberMatched"] == 1
    item = body["items"][0]
    assert item["enterprise_id"] == zone.ids["firm_own"] and item["current"] is True
    assert "geometry" not in item
    assert {link["rel"] for link in body["links"]} == {"self"}


def test_paging_links_walk_every_row(client: TestClient, zone: Zone) -> None:
    url = f"/api/v1/parcels?bbox={zone.bbox}&limit=1"
    seen: list[int] = []
    rels: list[set[str]] = []
    while url:
        body = client.get(url).json()
        seen += [f["id"] for f in body["features"]]
        links = {link["rel"]: link["href"] for link in body["links"]}
        rels.append(set(links))
        url = links.get("next", "")
        if url:
            assert "bbox=" in url and "limit=1" in url
    assert seen == [zone.ids[f"parcel_{i}"] for i in range(3)]
    assert rels == [{"self", "next"}, {"self", "next", "prev"}, {"self", "prev"}]


def test_limit_above_the_maximum_is_clamped(settings: Settings, zone: Zone) -> None:
    small = settings.model_copy(update={"api": APISettings(default_limit=1, max_limit=2)})
    with TestClient(create_app(small)) as c:
        body = c.get("/api/v1/parcels", params={"bbox": zone.bbox, "limit": 50}).json()
        assert (body["numberMatched"], body["numberReturned"]) == (3, 2)
        body = c.get("/api/v1/parcels", params={"bbox": zone.bbox}).json()
        assert body["numberReturned"] == 1


def test_output_crs(client: TestClient, zone: Zone) -> None:
    pid = zone.ids["parcel_0"]
    wgs = client.get(f"/api/v1/parcels/{pid}").json()["geometry"]["coordinates"][0][0][0]
    latlon = client.get(
        f"/api/v1/parcels/{pid}", params={"crs": "http://www.opengis.net/def/crs/EPSG/0/4326"}
    ).json()["geometry"]["coordinates"][0][0][0]
    assert latlon == [wgs[1], wgs[0]]
    merc = client.get(f"/api/v1/parcels/{pid}", params={"crs": "EPSG:3857"}).json()
    assert merc["geometry"]["coordinates"][0][0][0][0] > 1e7


# --- REST: one item --------------------------------------------------------------------


def test_item_has_etag_and_honours_if_none_match(client: TestClient, zone: Zone) -> None:
    url = f"/api/v1/projects/{zone.ids['project']}"
    r = client.get(url, headers=zone.headers("investment"))
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    feature = r.json()
    assert feature["type"] == "Feature" and feature["version"] == 1
    assert feature["properties"]["stage"] == "signed"
    again = client.get(url, headers={**zone.headers("investment"), "If-None-Match": '"1"'})
    assert again.status_code == 304 and again.headers["etag"] == '"1"'


ITEM_KEYS = {
    "parcels": "parcel_0",
    "buildings": "building",
    "spaces": "space_vacant",
    "enterprises": "firm_own",
    "projects": "project",
    "grid_areas": "grid",
    "officers": "officer_own",
    "assignments": "assignment_own",
    "visits": "visit",
    "service_requests": "request",
}


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_every_item_route(client: TestClient, zone: Zone, collection: str) -> None:
    fid = zone.ids[ITEM_KEYS[collection]]
    r = get(client, zone, "admin", f"/api/v1/{collection}/{fid}")
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    body = r.json()
    if COLLECTIONS[collection].spatial:
        assert body["type"] == "Feature" and body["id"] == fid == body["properties"]["id"]
        assert body["geometry"]["type"] == COLLECTIONS[collection].geometry_type
    else:
        assert body["id"] == fid and "type" not in body
    listed = get(client, zone, "admin", f"/api/v1/{collection}", id=fid).json()
    assert listed["numberMatched"] == 1


def test_item_404s(client: TestClient, zone: Zone) -> None:
    r = get(client, zone, "admin", "/api/v1/buildings/2000000000")
    assert r.status_code == 404 and r.json()["code"] == "NotFound"
    # A non-numeric id never reaches the read route (405 if a write route takes the path).
    assert get(client, zone, "admin", "/api/v1/buildings/abc").status_code in (404, 405)
    r = get(client, zone, None, f"/api/v1/parcels/{zone.ids['parcel_3']}")
    assert r.status_code == 404  # granted: not public, and its existence is not revealed


def test_non_spatial_item(client: TestClient, zone: Zone) -> None:
    r = get(client, zone, "officer", f"/api/v1/service_requests/{zone.ids['request']}")
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    assert r.json()["category"] == "land" and r.json()["opened_on"] == "2026-03-01"


# --- OpenAPI ---------------------------------------------------------------------------


def test_openapi_lists_each_collection_with_its_filters(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for name, coll in COLLECTIONS.items():
        params = {p["name"] for p in doc["paths"][f"/api/v1/{name}"]["get"]["parameters"]}
        assert {"limit", "offset", "bbox"} <= params
        assert set(coll.filter_names()) <= params
        assert f"/api/v1/{name}/{{fid}}" in doc["paths"]
    text = client.get("/openapi.json").text
    assert '"$ref":"http' not in text.replace(" ", "")


@pytest.mark.parametrize("bbox", ["0,0,10,10", "38400000,2500000,38500000,2600000"])
def test_projected_bbox_outside_its_crs_is_400(client: TestClient, zone: Zone, bbox: str) -> None:
    # PostGIS cannot transform these ("Point outside of projection domain"): a 4xx, not 500.
    r = get(client, zone, None, "/api/v1/parcels", bbox=bbox, **{"bbox-crs": "EPSG:4547"})
    assert r.status_code == 400
    assert r.json()["field"] == "bbox" and "EPSG:4547" in r.json()["description"]
