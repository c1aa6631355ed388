"""The write API end to end: create/replace/patch/delete, CRS handling, derived geometry,
the documents returned, and database refusals that name the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support.firms import uscc
from tests.support.geometry import ring, square
from tests.writes.world import ADMIN, LAT0, LON0, D, World, feature, make_parcel, polygon, post, row

# --- create -------------------------------------------------------------------------


def test_create_parcel_returns_201_location_etag_and_true_area(
    client: TestClient, world: World
) -> None:
    code = world.code("p")
    r = post(
        client,
        world,
        "parcels",
        feature(polygon(ring(square(deg=D))), code=code, land_use="100101"),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["ETag"] == '"1"'
    assert r.headers["Location"] == f"/api/v1/parcels/{body['id']}"
    assert r.headers["content-type"].startswith("application/geo+json")
    assert body["type"] == "Feature" and body["geometry"]["type"] == "MultiPolygon"
    props = body["properties"]
    assert props["code"] == code and props["status"] == "planned" and body["version"] == 1
    # 0.001° x 0.001° at 23.33°N: about 111.3 m x 102.2 m, on the ellipsoid.
    assert props["area_m2"] == pytest.approx(11_330, rel=0.01)
    assert props["area_mu"] == pytest.approx(props["area_m2"] / (10000 / 15))
    db = row(
        world, "SELECT ST_SRID(geom) AS srid, area_m2 FROM parcels WHERE id = :i", i=body["id"]
    )
    assert db["srid"] == 4326 and db["area_m2"] == pytest.approx(props["area_m2"])


@pytest.mark.parametrize("where", ["query", "body", "named"])
def test_create_with_declared_crs_is_reprojected(
    client: TestClient, world: World, where: str
) -> None:
    from shapely.geometry import Polygon

    from parkgis.geo import to_crs

    merc = to_crs(Polygon(ring(square(deg=D))), "EPSG:4326", "EPSG:3857")
    merc_ring = [list(p) for p in merc.exterior.coords]
    f = feature(polygon(merc_ring), code=world.code("m"), land_use="100101")
    params = {}
    if where == "query":
        params["crs"] = "EPSG:3857"
    elif where == "body":
        f["crs"] = "http://www.opengis.net/def/crs/EPSG/0/3857"
    else:
        f["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    r = post(client, world, "parcels", f, params=params)
    assert r.status_code == 201, r.text
    stored = r.json()["geometry"]["coordinates"][0][0]
    assert stored[0] == pytest.approx([LON0, LAT0], abs=1e-7)
    # Areas come from the geometry on the ellipsoid, not from Web Mercator (which would
    # be about 18 % larger at this latitude).
    assert r.json()["properties"]["area_m2"] == pytest.approx(11_330, rel=0.01)


def test_crs_query_and_body_must_agree(client: TestClient, world: World) -> None:
    f = feature(polygon(ring(square(deg=D))), code=world.code(), land_use="100101")
    f["crs"] = "EPSG:4326"
    r = post(client, world, "parcels", f, params={"crs": "EPSG:3857"})
    assert r.status_code == 422
    assert r.json()["field"] == "crs"


def test_building_accepts_a_one_part_multipolygon(client: TestClient, world: World) -> None:
    geom = {"type": "MultiPolygon", "coordinates": [[ring(square(deg=0.0003))]]}
    r = post(client, world, "buildings", feature(geom, name=world.code("b"), floors=4))
    assert r.status_code == 201, r.text
    assert r.json()["geometry"]["type"] == "Polygon"
    assert r.json()["properties"]["footprint_m2"] > 0


def test_space_without_geometry_takes_its_buildings_footprint(
    client: TestClient, world: World
) -> None:
    r = post(
        client,
        world,
        "spaces",
        feature(None, building_id=world.building, floor=1, code=world.code()),
    )
    assert r.status_code == 201, r.text
    same = row(
        world,
        "SELECT ST_Equals(s.geom, b.geom) AS eq FROM spaces s JOIN buildings b "
        "ON b.id = s.building_id WHERE s.id = :i",
        i=r.json()["id"],
    )
    assert same["eq"] is True


def test_enterprise_and_project_without_geometry_sit_inside_their_place(
    client: TestClient, world: World
) -> None:
    r = post(
        client,
        world,
        "enterprises",
        feature(None, name=world.code("e"), uscc=uscc(), building_id=world.building),
    )
    assert r.status_code == 201, r.text
    firm = r.json()
    inside = row(
        world,
        "SELECT ST_Within(e.geom, b.geom) AS ok FROM enterprises e, buildings b "
        "WHERE e.id = :e AND b.id = :b",
        e=firm["id"],
        b=world.building,
    )
    assert inside["ok"] is True
    r = post(
        client, world, "projects", feature(None, name=world.code("pr"), parcel_id=world.parcel)
    )
    assert r.status_code == 201, r.text
    assert r.json()["geometry"]["type"] == "Point"
    r = post(client, world, "projects", feature(None, name=world.code("pr")))
    assert r.status_code == 422
    assert r.json()["field"] == "geometry"
    assert "parcel_id" in r.json()["description"]


def test_create_non_spatial_entities(client: TestClient, world: World) -> None:
    for entity in ("officers", "assignments", "visits", "service_requests"):
        r = post(client, world, entity, world.bodies(entity))
        assert r.status_code == 201, (entity, r.text)
        assert r.headers["Location"].endswith(f"/api/v1/{entity}/{r.json()['id']}")
        assert r.json()["version"] == 1
    r = post(
        client,
        world,
        "visits",
        world.bodies("visits") | {"geometry": {"type": "Point", "coordinates": [LON0, LAT0]}},
    )
    assert r.status_code == 201
    assert r.json()["geometry"] == {"type": "Point", "coordinates": [LON0, LAT0]}


def test_project_stage_and_plan_change_only_through_the_lifecycle_endpoints(
    client: TestClient, world: World
) -> None:
    body = world.bodies("projects")
    body["properties"]["milestones"] = {"signed": {"planned": "2025-06-30"}}
    r = post(client, world, "projects", body)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    url = f"/api/v1/projects/{pid}"
    r = client.patch(
        url,
        json={"properties": {"stage": "signed"}},
        headers=world.headers(ADMIN, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 422
    assert r.json()["field"] == "properties.stage"
    assert f"/api/v1/projects/{pid}/transition" in r.json()["description"]
    r = client.patch(
        url,
        json={"properties": {"milestones": {"signed": {"planned": "2025-09-30"}}}},
        headers=world.headers(ADMIN, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 422 and "/replan" in r.json()["description"]
    # The same plan spelled out in full is no change; a PUT without them keeps them.
    same = {"signed": {"planned": "2025-06-30", "actual": None}}
    body["properties"] |= {"milestones": same, "stage": "negotiating", "investment_cny": 1e8}
    r = client.put(url, json=body, headers=world.headers(ADMIN, **{"If-Match": '"1"'}))
    assert r.status_code == 200, r.text
    del body["properties"]["milestones"], body["properties"]["stage"]
    r = client.put(url, json=body, headers=world.headers(ADMIN, **{"If-Match": '"2"'}))
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["milestones"]["signed"]["planned"] == "2025-06-30"
    with world.engine.connect() as conn:
        events = conn.execute(
            text("SELECT kind, to_stage FROM project_events WHERE project_id = :p ORDER BY id"),
            {"p": pid},
        ).all()
    assert [tuple(e) for e in events] == [("created", "negotiating")]


def test_officer_writes_only_their_own_projects(client: TestClient, world: World) -> None:
    mine = world.make("projects", world.bodies("projects"))
    theirs = world.bodies("projects")
    theirs["properties"]["officer_id"] = world.officer_b
    other = world.make("projects", theirs)
    for p, status in ((mine, 200), (other, 403)):
        r = client.patch(
            f"/api/v1/projects/{p['id']}",
            json={"properties": {"investment_cny": 2e8}},
            headers=world.headers("officer_own", **{"If-Match": '"1"'}),
        )
        assert r.status_code == status, r.text
    r = client.patch(
        f"/api/v1/projects/{mine['id']}",
        json={"properties": {"officer_id": world.officer_b}},
        headers=world.headers("officer_own", **{"If-Match": '"2"'}),
    )
    assert r.status_code == 403 and r.json()["field"] == "properties.officer_id"


# --- replace and patch --------------------------------------------------------------


def test_patch_changes_only_what_is_sent(client: TestClient, world: World) -> None:
    p = make_parcel(world, price_cny_m2=600, address="No. 1 Road")
    r = client.patch(
        f"/api/v1/parcels/{p['id']}",
        json={"type": "Feature", "properties": {"price_cny_m2": 750}},
        headers=world.headers(ADMIN, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"2"'
    props = r.json()["properties"]
    assert props["price_cny_m2"] == 750 and props["address"] == "No. 1 Road"
    assert r.json()["version"] == 2
    assert r.json()["geometry"] == p["geometry"]


def test_standard_land_terms_are_written_read_and_public_on_offer(
    client: TestClient, world: World
) -> None:
    """The 标准地 terms (min plot ratio, committed investment and tax per mu) go through the
    write API, come back from a read, and an anonymous caller sees them on a parcel on offer;
    a minimum above the maximum is the database's 4xx naming the rule, and nothing changes."""
    p = make_parcel(world, status="available", max_far=2.0)
    terms = {"min_far": 1.2, "investment_wan_cny_mu": 350.0, "tax_wan_cny_mu": 25.5}
    r = client.patch(
        f"/api/v1/parcels/{p['id']}",
        json={"properties": terms},
        headers=world.headers(ADMIN, **{"If-Match": '"1"'}),
    )
    assert r.status_code == 200, r.text
    public = client.get(f"/api/v1/parcels/{p['id']}").json()["properties"]
    assert {k: public[k] for k in terms} == terms
    r = client.patch(
        f"/api/v1/parcels/{p['id']}",
        json={"properties": {"min_far": 2.5}},
        headers=world.headers(ADMIN, **{"If-Match": '"2"'}),
    )
    assert r.status_code in (409, 422), r.text
    assert "min_far" in r.text
    assert row(world, "SELECT min_far FROM parcels WHERE id = :i", i=p["id"])["min_far"] == 1.2


def test_patch_with_version_in_body_instead_of_if_match(client: TestClient, world: World) -> None:
    p = make_parcel(world)
    r = client.patch(
        f"/api/v1/parcels/{p['id']}",
        json={"properties": {"version": 1, "max_far": 2.5}},
        headers=world.headers(ADMIN),
    )
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["max_far"] == 2.5


def test_patch_null_clears_nullable_and_refuses_required(client: TestClient, world: World) -> None:
    p = make_parcel(world, address="somewhere")
    url = f"/api/v1/parcels/{p['id']}"
    r = client.patch(
        url,
        json={"properties": {"address": None}},
        headers=world.headers(ADMIN, **{"If-Match": "*"}),
    )
    assert r.status_code == 200 and r.json()["properties"]["address"] is None
    r = client.patch(
        url, json={"properties": {"code": None}}, headers=world.headers(ADMIN, **{"If-Match": "*"})
    )
    assert r.status_code == 422 and r.json()["field"] == "properties.code"
    r = client.patch(
        url, json={"geometry": None}, headers=world.headers(ADMIN, **{"If-Match": "*"})
    )
    assert r.status_code == 422 and r.json()["field"] == "geometry"


def test_put_replaces_the_whole_row(client: TestClient, world: World) -> None:
    p = make_parcel(world, address="old address", price_cny_m2=500)
    new = world.bodies("parcels")
    new["geometry"] = polygon(ring(square(LON0 + 0.01, deg=D)))
    new["properties"]["version"] = 1
    r = client.put(f"/api/v1/parcels/{p['id']}", json=new, headers=world.headers(ADMIN))
    assert r.status_code == 200, r.text
    props = r.json()["properties"]
    assert props["address"] is None and props["price_cny_m2"] is None
    assert props["code"] == new["properties"]["code"]
    assert r.json()["geometry"]["coordinates"][0][0][0][0] == pytest.approx(LON0 + 0.01)


def test_put_feature_id_must_match_the_url(client: TestClient, world: World) -> None:
    p = make_parcel(world)
    body = world.bodies("parcels") | {"id": p["id"] + 1}
    r = client.put(
        f"/api/v1/parcels/{p['id']}", json=body, headers=world.headers(ADMIN, **{"If-Match": '"1"'})
    )
    assert r.status_code == 422 and r.json()["field"] == "id"


def test_write_response_is_what_a_get_returns(client: TestClient, world: World) -> None:
    r = post(client, world, "parcels", world.bodies("parcels"))
    got = client.get(r.headers["Location"], headers=world.headers(ADMIN))
    assert got.status_code == 200
    assert got.json() == r.json() and got.headers["ETag"] == r.headers["ETag"]
    r = post(client, world, "visits", world.bodies("visits"))
    got = client.get(r.headers["Location"], headers=world.headers(ADMIN))
    assert got.json() == r.json()


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"properties": {"id": 1}}, "properties.id", "assigned by the server"),
        ({"version": 1}, "version", "assigned by the server"),
    ],
)
def test_ids_and_versions_are_not_sent_on_create(
    client: TestClient, world: World, body: dict[str, Any], field: str, reason: str
) -> None:
    f = world.bodies("parcels")
    f["properties"] |= body.get("properties", {})
    f |= {k: v for k, v in body.items() if k != "properties"}
    r = post(client, world, "parcels", f)
    assert r.status_code == 422 and r.json()["field"] == field
    assert reason in r.json()["description"]


# --- delete -------------------------------------------------------------------------


def test_delete_is_204_and_audited(client: TestClient, world: World) -> None:
    p = make_parcel(world)
    r = client.delete(
        f"/api/v1/parcels/{p['id']}", headers=world.headers(ADMIN, **{"If-Match": '"1"'})
    )
    assert r.status_code == 204 and r.content == b""
    assert world.count("SELECT count(*) FROM parcels WHERE id = :i", i=p["id"]) == 0
    entry = row(
        world,
        "SELECT action, before, after FROM audit_log WHERE entity = 'parcels' AND "
        "entity_id = :i ORDER BY id DESC LIMIT 1",
        i=p["id"],
    )
    assert entry["action"] == "delete" and entry["after"] is None
    assert entry["before"]["code"] == p["properties"]["code"]
    assert entry["before"]["geom"]["type"] == "MultiPolygon"


def test_delete_missing_row_is_404(client: TestClient, world: World) -> None:
    r = client.delete(
        "/api/v1/parcels/2147483000", headers=world.headers(ADMIN, **{"If-Match": "*"})
    )
    assert r.status_code == 404 and r.json()["field"] == "id"


def test_delete_referenced_parcel_is_409_naming_the_table(client: TestClient, world: World) -> None:
    r = client.delete(
        f"/api/v1/parcels/{world.parcel}", headers=world.headers(ADMIN, **{"If-Match": "*"})
    )
    assert r.status_code == 409, r.text
    assert "buildings" in r.json()["description"]
    assert world.count("SELECT count(*) FROM parcels WHERE id = :i", i=world.parcel) == 1


# --- database refusals name the field ------------------------------------------------


def test_duplicate_code_is_409_naming_the_value(client: TestClient, world: World) -> None:
    p = make_parcel(world)
    code = p["properties"]["code"]
    r = post(
        client,
        world,
        "parcels",
        feature(polygon(ring(square(deg=D))), code=code, land_use="100101"),
    )
    assert r.status_code == 409
    assert r.json()["field"] == "code" and code in r.json()["description"]
    assert "already exists" in r.json()["description"]


def test_duplicate_uscc_is_409(client: TestClient, world: World) -> None:
    code = uscc()
    first = feature({"type": "Point", "coordinates": [LON0, LAT0]}, name=world.code(), uscc=code)
    assert post(client, world, "enterprises", first).status_code == 201
    again = feature({"type": "Point", "coordinates": [LON0, LAT0]}, name=world.code(), uscc=code)
    r = post(client, world, "enterprises", again)
    assert r.status_code == 409 and r.json()["field"] == "uscc" and code in r.text


def test_second_current_assignment_is_409(client: TestClient, world: World) -> None:
    body = {"officer_id": world.officer_a, "enterprise_id": world.firm_a, "since": "2025-01-01"}
    r = post(client, world, "assignments", body)
    assert r.status_code == 409, r.text
    assert r.json()["field"] == "enterprise_id"


@pytest.mark.parametrize(
    ("entity", "field"),
    [
        ("parcels", "holder_enterprise_id"),
        ("buildings", "parcel_id"),
        ("spaces", "building_id"),
        ("spaces", "occupant_enterprise_id"),
        ("grid_areas", "officer_id"),
        ("enterprises", "parcel_id"),
        ("projects", "enterprise_id"),
        ("assignments", "officer_id"),
        ("visits", "enterprise_id"),
        ("service_requests", "enterprise_id"),
    ],
)
def test_missing_reference_is_422_naming_the_field(
    client: TestClient, world: World, entity: str, field: str
) -> None:
    body = world.bodies(entity)
    props = body.get("properties", body)
    props[field] = 2_000_000_000
    before = world.audit_rows()
    r = post(client, world, entity, body)
    assert r.status_code == 422, r.text
    prefix = "properties." if "properties" in body else ""
    assert r.json()["field"] == prefix + field
    assert "2000000000" in r.json()["description"]
    assert world.audit_rows() == before


def test_integrity_errors_from_other_code_paths_name_the_field(world: World) -> None:
    """The generic handlers in api/errors.py translate what reaches them unchecked."""
    from sqlalchemy.exc import IntegrityError

    from parkgis.writes.integrity import translate

    with world.engine.connect() as conn:
        with pytest.raises(IntegrityError) as fk:
            conn.execute(
                text(
                    "INSERT INTO buildings (name, parcel_id, geom) VALUES "
                    "('x', 2000000000, 'SRID=4326;POLYGON((0 0,1 0,1 1,0 0))')"
                )
            )
        conn.rollback()
        with pytest.raises(IntegrityError) as ck:
            conn.execute(text("UPDATE parcels SET max_far = 99 WHERE id = :i"), {"i": world.parcel})
        conn.rollback()
    err = translate(fk.value)
    assert err.field == "parcel_id" and "2000000000" in err.message
    err = translate(ck.value)
    assert err.field == "max_far" and "far_range" in err.message


def test_postgis_transform_failures_are_bad_input(world: World) -> None:
    from sqlalchemy.exc import InternalError

    from parkgis.writes.integrity import translate_internal

    with world.engine.connect() as conn, pytest.raises(InternalError) as exc:
        conn.execute(text("SELECT ST_Transform(ST_MakeEnvelope(-16204336, 0, 0, 0, 4547), 4326)"))
    err = translate_internal(exc.value)
    assert err is not None and "outside what their CRS can represent" in err.message


def test_a_write_failing_after_its_insert_leaves_nothing(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction per request: the row is inserted and flushed, then the audit step
    fails; the response is a 4xx and neither the row nor an audit row remains."""
    import parkgis.writes.core as core
    from parkgis.errors import InvalidInput

    def fail(*args: Any, **kw: Any) -> None:
        raise InvalidInput("audit refused (test)", field="audit")

    code = world.code("atomic")
    before = world.audit_rows()
    monkeypatch.setattr(core, "record", fail)
    r = post(
        client,
        world,
        "parcels",
        feature(polygon(ring(square(deg=D))), code=code, land_use="100101"),
    )
    assert r.status_code == 422 and r.json()["field"] == "audit"
    assert world.count("SELECT count(*) FROM parcels WHERE code = :c", c=code) == 0
    assert world.audit_rows() == before
