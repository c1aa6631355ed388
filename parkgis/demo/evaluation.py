"""A believable year of monthly draws with their scores, and of investment calls, at load time.

Like the programme's activities (:mod:`parkgis.demo.programme`), these are made from the
loaded rows on the load day's calendar, so they stay in their months whatever day the
demo is loaded, and loading twice on one day gives the same rows.

- **Draws**: the twelve months before the current one each had their meeting (between the
  6th and the 12th, 09:30 zone time); two officers were drawn, four at each quarter's
  end, with :func:`parkgis.coverage.draws.pick` on the seed ``demo-YYYY-MM``, so every
  draw verifies. The current month is left undrawn for the admin's own button.
- **Scores**: every drawn officer was scored on 100 with a reviewer's comment; officers
  the programme's demo makes less diligent score lower, as their checklists show.
- **Investment calls** (登门招商): the investment promotion and economic development
  officers call on prospects in the Pearl River Delta and beyond one to three times a
  month; the others now and then, on working days before the load day.

:data:`DEMO_OWN` tells a later load which rows are the demo's (for
:func:`parkgis.demo.load.at_stake`): draws with a ``demo-YYYY-MM`` seed made by ``demo``,
their scores, and calls whose ``client_key`` is ``demo-call-<n>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, text

from parkgis.coverage.draws import pick
from parkgis.demo import programme
from parkgis.io.bulk import copy_rows, reset_sequences
from parkgis.zonetime import Month

SEED = 17_2027
MONTHS = 12
"""Past months with a draw (the current month is left undrawn)."""
AUTHOR = "demo"
"""``draws.created_by`` and ``draw_scores.scored_by`` of the demo's rows."""

_DEMO_DRAW = f"seed ~ '^demo-[0-9]{{4}}-[0-9]{{2}}$' AND created_by = '{AUTHOR}'"
DEMO_OWN: dict[str, str] = {
    "draws": _DEMO_DRAW,
    "draw_scores": (
        f"scored_by = '{AUTHOR}' AND draw_id IN (SELECT id FROM draws WHERE {_DEMO_DRAW})"
    ),
}
"""Tables the load empties and fills itself → SQL condition true for the demo's rows."""
DEMO_OWN_IN_LAYERS: dict[str, str] = {
    "visits": "kind = 'investment_call' AND client_key ~ '^demo-call-[0-9]{6}$'",
}
"""Demo layer tables the load adds rows to → SQL condition true for those rows."""

INVESTMENT_UNITS = ("投资促进局", "经济发展和科技局")
CITIES = tuple(
    ["深圳", "广州", "佛山", "东莞", "中山", "珠海", "香港", "上海", "苏州", "杭州", "长沙", "成都"]
)
BRANDS = tuple(
    ["华创", "联芯", "拓邦", "鼎泰", "瑞能", "恒越", "中科", "新宙", "博远", "星驰", "德润", "凯盛"]
)
TRADES = (
    "新能源科技",
    "精密制造",
    "半导体材料",
    "智能装备",
    "生物医药",
    "新材料",
    "电子科技",
    "汽车零部件",
    "储能技术",
    "光电科技",
)
CALL_NOTES = (
    "登门拜访，介绍园区标准厂房和用地条件，对方有扩产意向",
    "洽谈新建生产基地选址，对方计划下月来园区实地考察",
    "了解企业产能转移计划，送达园区招商政策汇编",
    "与企业高管座谈，沟通供电、环评和人才配套需求",
    "回访上月来访客商，跟进项目投资额和用地规模",
    "对接产业链上下游配套，推荐园区同链企业",
)
COMMENTS = (
    (90, "汇报重点突出，包联企业服务成效明显，诉求办结及时，值得推广。"),
    (85, "工作扎实，走访覆盖完整，建议加强项目节点跟踪。"),
    (78, "基本完成任务，个别诉求办理偏慢，需加强部门协调。"),
    (0, "走访覆盖不足，部分诉求超期，要求下月整改并书面报告。"),
)
"""Reviewer's comment by the lowest score it goes with."""


@dataclass
class Made:
    """Rows the load made: draws, scores and investment calls."""

    draws: list[tuple[object, ...]] = field(default_factory=list)
    scores: list[tuple[object, ...]] = field(default_factory=list)
    calls: list[tuple[object, ...]] = field(default_factory=list)


def _lax(officer_id: int) -> bool:
    """The programme demo's less diligent officers (the same first draw of its stream)."""
    return bool(np.random.default_rng([programme.SEED, officer_id]).random() < 0.2)


def _comment(score: float) -> str:
    return next(text_ for floor, text_ in COMMENTS if score >= floor)


def _at(day: date, hour: float, tz: str) -> str:
    h, m = divmod(int(hour * 60) // 5 * 5, 60)
    return datetime.combine(day, time(h, m), tzinfo=ZoneInfo(tz)).isoformat()


def _draws(officers: list[int], today: date, tz: str, made: Made) -> None:
    previous: list[int] = []
    this = Month.of(today)
    months = [this]
    for _ in range(MONTHS):
        months.append(months[-1].prev())
    for n, month in enumerate(reversed(months[1:]), 1):
        rng = np.random.default_rng([SEED, month.year, month.month])
        count = 4 if month.month % 3 == 0 else 2
        seed = f"demo-{month}"
        chosen = pick(seed, officers, previous, count)
        meeting = month.first_day + timedelta(days=int(rng.integers(5, 12)))
        at = _at(meeting, 9.5, tz)
        made.draws.append((n, str(month), count, seed, chosen, officers, previous, at, AUTHOR))
        for oid in chosen:
            mean = 78.0 if _lax(oid) else 87.5
            score = float(np.clip(round(rng.normal(mean, 5.0) * 2) / 2, 60, 99))
            made.scores.append(
                (len(made.scores) + 1, n, oid, score, 100, _comment(score), AUTHOR, at, at)
            )
        previous = chosen


def _calls(conn: Connection, today: date, tz: str, made: Made, first_id: int) -> None:
    rows = conn.execute(text("SELECT id, unit, title FROM officers WHERE active ORDER BY id")).all()
    this = Month.of(today)
    months = [this]
    for _ in range(MONTHS):
        months.append(months[-1].prev())
    for month in reversed(months):
        last = min(month.last_day, today)
        workdays = [d for d in month.days() if d <= last and d < today and d.weekday() < 5]
        for oid, unit, title in rows:
            rng = np.random.default_rng([SEED, oid, month.year, month.month])
            if unit in INVESTMENT_UNITS:
                n = int(rng.integers(1, 4))
            elif title == "管委会副主任":
                n = int(rng.random() < 0.35)
            else:
                n = int(rng.random() < 0.06)
            for _ in range(n if workdays else 0):
                day = workdays[int(rng.integers(len(workdays)))]
                city = CITIES[int(rng.integers(len(CITIES)))]
                name = (
                    f"{city}{BRANDS[int(rng.integers(len(BRANDS)))]}"
                    f"{TRADES[int(rng.integers(len(TRADES)))]}有限公司"
                )
                at = _at(day, float(rng.uniform(9, 16.5)), tz)
                note = CALL_NOTES[int(rng.integers(len(CALL_NOTES)))]
                made.calls.append((oid, at, name, city, note))
    made.calls.sort(key=lambda c: (c[1], c[0]))
    made.calls[:] = [
        (first_id + i, oid, at, "investment_call", name, city, note, f"demo-call-{i + 1:06d}")
        for i, (oid, at, name, city, note) in enumerate(made.calls)
    ]


def load_evaluation(conn: Connection, today: date, tz: str, stamp: str) -> dict[str, int]:
    """Write the demo's draws, scores and investment calls; returns the count of each.

    The draws and their scores were emptied by the load (:data:`DEMO_OWN`); the calls are
    added to the visits just loaded, with ids after theirs.

    Parameters
    ----------
    today : date
        The load day (zone date); nothing is dated after it.
    tz : str
        The zone's time zone (meetings and calls are placed on its clock).
    stamp : str
        ``created_at``/``updated_at`` of the calls (the load day's midnight, ISO 8601).
    """
    officers = list(
        conn.execute(text("SELECT id FROM officers WHERE active ORDER BY id")).scalars()
    )
    made = Made()
    if officers:
        _draws(officers, today, tz, made)
    first_id = int(conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM visits")).scalar_one())
    _calls(conn, today, tz, made, first_id)
    copy_rows(
        conn,
        "draws",
        [
            "id",
            "month",
            "count",
            "seed",
            "officer_ids",
            "eligible_ids",
            "previous_ids",
            "created_at",
            "created_by",
        ],
        made.draws,
    )
    copy_rows(
        conn,
        "draw_scores",
        [
            "id",
            "draw_id",
            "officer_id",
            "score",
            "scale",
            "comment",
            "scored_by",
            "created_at",
            "updated_at",
        ],
        made.scores,
    )
    copy_rows(
        conn,
        "visits",
        [
            "id",
            "officer_id",
            "visited_at",
            "kind",
            "prospect_name",
            "prospect_city",
            "summary",
            "client_key",
            "created_at",
            "updated_at",
        ],
        [(*c, stamp, stamp) for c in made.calls],
    )
    reset_sequences(conn, ["draws", "draw_scores", "visits"])
    return {"draws": len(made.draws), "draw_scores": len(made.scores), "calls": len(made.calls)}
