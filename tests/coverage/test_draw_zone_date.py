"""A repeated draw is refused naming the day of the first one in zone time, not UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from parkgis.coverage.draws import run_draw
from parkgis.errors import Conflict
from parkgis.zonetime import Month
from tests.coverage.layout import Layout


def test_conflict_names_the_zone_date(layout: Layout, session: Session) -> None:
    for _ in range(3):
        layout.officer()
    month = Month(2304, 5)
    first = run_draw(session, month, 1, created_by="test")
    # 17:30 UTC on 30 April is already 1 May in Shanghai (UTC+8)
    first.created_at = datetime(2304, 4, 30, 17, 30, tzinfo=UTC)
    session.flush()
    with pytest.raises(Conflict) as err:
        run_draw(session, month, 1, tz="Asia/Shanghai")
    assert "drawn already on 2304-05-01" in err.value.message
    with pytest.raises(Conflict) as utc:
        run_draw(session, month, 1, tz="UTC")
    assert "drawn already on 2304-04-30" in utc.value.message
