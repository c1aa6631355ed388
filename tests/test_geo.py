"""Pure geometry: true areas, mu, CRS checks and validation (no database)."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Point, Polygon, box

from parkgis.errors import InvalidGeometry
from parkgis.geo import (
    M2_PER_MU,
    check_in_area_of_use,
    geodesic_area_m2,
    guess_crs,
    m2_to_mu,
    to_crs,
    validate_geometry,
)
from tests.support.geometry import square


def test_100m_square_in_projected_crs_is_one_hectare_and_15_mu() -> None:
    # A 100 m x 100 m square built in the zone's Gauss-Kruger CRS, measured on the ellipsoid.
    x, y = to_crs(Point(112.70, 23.33), "EPSG:4326", "EPSG:4547").coords[0]
    sq = to_crs(box(x, y, x + 100, y + 100), "EPSG:4547", "EPSG:4326")
    area = geodesic_area_m2(sq)
    assert area == pytest.approx(10_000, rel=1e-3)
    assert m2_to_mu(area) == pytest.approx(15, rel=1e-3)


def test_square_helper_matches() -> None:
    # Gauss-Kruger scale distortion near the CM is tiny; 0.1% is the tolerance.
    assert geodesic_area_m2(square(side_m=100)) == pytest.approx(10_000, rel=1e-3)


def test_mu_constant() -> None:
    assert pytest.approx(666.6667, abs=1e-4) == M2_PER_MU


def test_web_mercator_area_would_be_wrong() -> None:
    sq = square(side_m=100)
    merc = to_crs(sq, "EPSG:4326", "EPSG:3857").area
    # Web Mercator inflates areas by 1/cos²(lat): ~18% at 23°N; ours does not.
    assert merc / geodesic_area_m2(sq) == pytest.approx(
        1 / math.cos(math.radians(23.33)) ** 2, rel=0.01
    )


def test_metres_as_degrees_hint_3857() -> None:
    g = box(12545000, 2670000, 12545100, 2670100)
    with pytest.raises(InvalidGeometry, match="EPSG:3857"):
        validate_geometry(g)


def test_latitude_95_refused() -> None:
    with pytest.raises(InvalidGeometry, match="outside"):
        validate_geometry(box(112.7, 94.9, 112.71, 95))


def test_nan_refused() -> None:
    with pytest.raises(InvalidGeometry, match="NaN"):
        check_in_area_of_use(Polygon([(0, 0), (1, math.nan), (1, 1), (0, 0)]), "EPSG:4326")


def test_self_intersection_explained_or_repaired() -> None:
    bowtie = Polygon([(112.7, 23.3), (112.71, 23.31), (112.71, 23.3), (112.7, 23.31)])
    with pytest.raises(InvalidGeometry, match="Self-intersection"):
        validate_geometry(bowtie)
    fixed = validate_geometry(bowtie, repair=True, allowed=("MultiPolygon",))
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"


def test_declared_crs_is_reprojected() -> None:
    g = to_crs(square(), "EPSG:4326", "EPSG:3857")
    back = validate_geometry(g, crs="EPSG:3857")
    assert back.equals_exact(square(), tolerance=1e-7)


def test_guess_gauss_kruger() -> None:
    assert "Gauss-Kruger" in guess_crs((38_500_000, 2_580_000, 38_500_100, 2_580_100))
