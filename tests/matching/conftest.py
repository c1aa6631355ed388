"""Fixtures of the matching tests.

Zones, holds and constants are in :mod:`tests.matching.zone`; the brute-force oracles
in :mod:`tests.matching.oracle`.
"""

from __future__ import annotations

import pytest

from parkgis.settings import MatchSettings, Settings


@pytest.fixture
def nogroups(settings: Settings) -> Settings:
    """The test settings with combined units switched off (singles only)."""
    return settings.model_copy(update={"match": MatchSettings(max_group_units=0)})
