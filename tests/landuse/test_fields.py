"""The land-use fields through the ordinary write and read paths, and their privacy."""

from __future__ import annotations

import json

import pytest
import shapely
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidInput
from parkgis.features import get_feature
from parkgis.writes import create
from tests.landuse.zone import Local, LuZone

ADMIN = Principal(user_id=None, name="lu-fields", role="admin")
INVESTMENT = Principal(user_id=None, name="lu-fields", role="investment")


def _feature(geom: object, **props: object) -> dict:
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geom)),
        "properties": props,
    }


def test_storey_heights_and_yards_are_written_and_read(
    lu_session: Session, lu_zone: LuZone
) -> None:
    local = Local(*lu_zone.parcel_geoms["green"].exterior.coords[0])
    b = create(
        lu_session,
        "buildings",
        ADMIN,
        _feature(
            local.rect(10, 10, 30, 30),
            name="高层厂房",
            parcel_id=lu_zone.parcels["green"],
            floors=3,
            storey_heights_m=[9.5, 6.0, 4.5],
        ),
    )
    got = get_feature(lu_session, "buildings", ADMIN, b.id)
    assert got["properties"]["storey_heights_m"] == [9.5, 6.0, 4.5]
    with pytest.raises(InvalidInput) as e:
        create(
            lu_session,
            "buildings",
            ADMIN,
            _feature(local.rect(50, 10, 20, 20), name="x", floors=1, storey_heights_m=[-1.0]),
        )
    assert "storey_heights_m" in str(e.value.field)


def test_energy_and_rnd_are_sensitive(lu_session: Session, lu_zone: LuZone) -> None:
    firm = lu_zone.firms["tenant_a"]
    seen = get_feature(lu_session, "enterprises", ADMIN, firm)["properties"]
    assert seen["energy_tce"] == 900.0 and seen["rnd_cny"] == 2e7
    hidden = get_feature(lu_session, "enterprises", INVESTMENT, firm)["properties"]
    for key in ("energy_tce", "rnd_cny", "tax_cny", "output_cny"):
        assert key not in hidden
