"""Visit compliance in zone time, month and ISO-week arithmetic across month and year ends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from parkgis.coverage.territories import territories
from parkgis.errors import InvalidInput
from parkgis.settings import Settings
from parkgis.zonetime import IsoWeek, Month, month_bounds, parse_month, weeks_of_month, zone_date
from tests.coverage.layout import Layout

SH = "Asia/Shanghai"


def test_month_arithmetic_across_years() -> None:
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).prev() == Month(2026, 12)
    assert Month(2028, 2).last_day == date(2028, 2, 29)
    assert Month(2026, 2).last_day == date(2026, 2, 28)
    assert len(Month(2026, 12).days()) == 31
    assert str(parse_month("2026-01", SH)) == "2026-01"
    for bad in ("2026-13", "2026-00", "26-01", "2026/01", ""):
        with pytest.raises(InvalidInput) as err:
            parse_month(bad, SH)
        assert err.value.field == "month"


def test_month_bounds_are_zone_midnights() -> None:
    start, end = month_bounds(Month(2026, 1), SH)
    assert start == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 1, 31, 16, tzinfo=UTC)
    start, end = month_bounds(Month(2026, 12), "UTC")
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert zone_date(datetime(2026, 1, 31, 16, 10, tzinfo=UTC), SH) == date(2026, 2, 1)


def test_iso_weeks_across_year_ends() -> None:
    # 29 Dec 2025 (Monday) starts 2026-W01; 1 Jan 2027 (Friday) is in 2026-W53.
    jan26 = weeks_of_month(Month(2026, 1))
    assert str(jan26[0]) == "2026-W01" and jan26[0].monday == date(2025, 12, 29)
    assert str(jan26[-1]) == "2026-W05" and len(jan26) == 5
    jan27 = weeks_of_month(Month(2027, 1))
    assert str(jan27[0]) == "2026-W53" and jan27[0].sunday == date(2027, 1, 3)
    dec24 = weeks_of_month(Month(2024, 12))
    assert str(dec24[-1]) == "2025-W01"
    assert IsoWeek.of(date(2024, 12, 31)) == IsoWeek(2025, 1)
    # Every day of a month lies in exactly one of its weeks.
    for m in (Month(2026, 2), Month(2026, 12), Month(2027, 1)):
        weeks = weeks_of_month(m)
        for d in m.days():
            assert sum(w.monday <= d <= w.sunday for w in weeks) == 1


@pytest.fixture
def month_end(layout: Layout) -> dict[str, int]:
    """Officer A with six firms; visits around the 2025/26 year end and January's end.

    Hand count, Asia/Shanghai (UTC+8):

    ======  ==========================  =========  ========  ========
    firm    contact (local time)        Dec 2025   Jan 2026  Feb 2026
    ======  ==========================  =========  ========  ========
    f1      31 Jan 23:30 visit                     yes
    f2      1 Feb 00:10 visit (31 Jan              no        yes
            16:10 UTC)
    f3      31 Dec 23:59 visit          yes        no
    f4      1 Jan 00:00 visit (31 Dec              yes
            16:00 UTC)
    f5      15 Jan, by officer B only              no
    f6      20 Jan reception                       yes
    ======  ==========================  =========  ========  ========
    """
    a, b = layout.officer("A"), layout.officer("B")
    f = {f"f{i}": layout.firm(i * 200, 0) for i in range(1, 7)}
    layout.assign(a, *f.values())
    layout.visit(a, f["f1"], "2026-01-31T23:30:00+08:00")
    layout.visit(a, f["f2"], "2026-02-01T00:10:00+08:00")
    layout.visit(a, f["f3"], "2025-12-31T23:59:59+08:00")
    layout.visit(a, f["f4"], "2026-01-01T00:00:00+08:00")
    layout.visit(b, f["f5"], "2026-01-15T10:00:00+08:00")
    layout.visit(a, f["f6"], "2026-01-20T10:00:00+08:00", kind="reception")
    return {"a": a, **f}


def _missed(session: Session, s: Settings, a: int, month: Month) -> set[int]:
    cov = territories(session, s, officer_ids=[a], month=month, today=date(2026, 3, 1))
    return set(cov.officers[0].not_visited_ids)


def test_compliance_hand_count(
    month_end: dict[str, int], session: Session, cov_settings: Settings
) -> None:
    f, a = month_end, month_end["a"]
    jan = territories(session, cov_settings, officer_ids=[a], month=Month(2026, 1))
    t = jan.officers[0]
    assert set(t.not_visited_ids) == {f["f2"], f["f3"], f["f5"]}
    assert t.not_visited_this_month == 3
    assert (t.visits_this_month, t.receptions_this_month) == (2, 1)
    all6 = {f[f"f{i}"] for i in range(1, 7)}
    assert _missed(session, cov_settings, a, Month(2026, 2)) == all6 - {f["f2"]}
    assert _missed(session, cov_settings, a, Month(2025, 12)) == all6 - {f["f3"]}


def test_compliance_depends_on_the_zone_clock(
    month_end: dict[str, int], session: Session, cov_settings: Settings
) -> None:
    f, a = month_end, month_end["a"]
    utc = cov_settings.model_copy(deep=True)
    utc.zone.timezone = "UTC"
    # On a UTC clock f2's visit is on 31 January and f4's on 31 December.
    assert _missed(session, utc, a, Month(2026, 1)) == {f["f3"], f["f4"], f["f5"]}
