"""``parkgis.maps`` loads folium only when a map is built, not when the CLI starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

import parkgis.maps


def test_every_exported_name_has_a_home_and_resolves() -> None:
    assert set(parkgis.maps.__all__) == set(parkgis.maps._HOME)
    for name in parkgis.maps.__all__:
        assert getattr(parkgis.maps, name).__name__ == name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing_here"):
        parkgis.maps.nothing_here  # noqa: B018


def test_the_cli_starts_without_folium_or_pandas() -> None:
    code = (
        "import sys; import parkgis.cli; "
        "print(sorted(m for m in ('folium', 'pandas', 'branca') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
