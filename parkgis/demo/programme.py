"""A believable year of programme activities for the demo zone, made at load time.

The demo files hold firms, officers, assignments, visits and requests; the activities of
the "五个一" checklist (briefings, volunteer service, ledger reviews: see
:mod:`parkgis.programme`) are derived from them when the demo is loaded, on the load
day's calendar, so each month's activities stay in their month whatever day the demo is
loaded (visits are re-based by month for the same reason, :mod:`parkgis.demo.shift`).

Most officers hold their briefing and volunteer activity and review the ledger almost
every month; about one in five is less diligent and misses items now and then. In the
current month only the days so far count, so early in a month many items are still open.
Everything is a function of the loaded rows and the load day: loading twice on one day
gives the same rows. Each row's ``client_key`` is ``demo-<id>``, which is how a later
load tells the demo's activities from people's (:data:`DEMO_OWN`).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from parkgis.io.bulk import copy_rows, reset_sequences

SEED = 17_2026
MONTHS = 13
"""The current month and the twelve before it, as for visits."""

DEMO_KEY = r"'^demo-[0-9]{6,}$'"
DEMO_OWN: dict[str, str] = {
    "activities": f"client_key ~ {DEMO_KEY} AND id = CAST(substr(client_key, 6) AS int)",
    "activity_firms": (
        "activity_id IN (SELECT id FROM activities WHERE client_key ~ "
        f"{DEMO_KEY} AND id = CAST(substr(client_key, 6) AS int))"
    ),
}
"""Tables the load fills itself → SQL condition true for the rows a demo load made."""

BRIEFINGS = (
    "宣讲《关于促进民营经济发展壮大的意见》，解答企业融资问题",
    "解读稳岗补贴与社保降费政策，现场指导申报",
    "宣讲高新技术企业认定和研发费用加计扣除政策",
    "解读省制造业当家有关扶持政策及申报流程",
    "宣讲安全生产法和企业安全生产主体责任",
    "解读知识产权质押融资和专利导航政策",
    "宣讲“专精特新”企业梯度培育政策",
    "解读技改补助和设备更新贷款贴息政策",
    "宣讲出口退税提速和外贸稳增长措施",
    "解读人才引进与住房补贴政策",
)
VOLUNTEERING = (
    "组织志愿者到企业开展消防安全义务检查",
    "园区道路和绿化带清洁志愿服务",
    "为企业一线员工开展义诊志愿服务",
    "助力企业春季招聘，现场志愿服务",
    "走访慰问困难职工，送上生活物资",
    "组织园区无偿献血志愿服务",
    "为外来务工人员子女开展暑期托管志愿服务",
    "开展反诈宣传进企业志愿服务",
)
_DEG_PER_M = 1 / 111_320
"""Degrees of latitude per metre (for small offsets around a firm)."""


@dataclass(frozen=True)
class _Officer:
    id: int
    diligence: float
    ledger_members: int


def _month(today: date, back: int) -> tuple[date, date]:
    m = today.year * 12 + today.month - 1 - back
    first = date(m // 12, m % 12 + 1, 1)
    last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    return first, min(last, today)


def _officers(conn: Connection) -> list[_Officer]:
    out = []
    for oid in conn.execute(text("SELECT id FROM officers WHERE active ORDER BY id")).scalars():
        rng = np.random.default_rng([SEED, oid])
        lax = rng.random() < 0.2
        diligence = rng.uniform(0.55, 0.8) if lax else rng.uniform(0.88, 0.99)
        out.append(_Officer(oid, float(diligence), int(rng.integers(2, 30))))
    return out


def _firms(conn: Connection, first: date, last: date) -> dict[int, list[tuple[int, float, float]]]:
    rows = conn.execute(
        text(
            "SELECT a.officer_id, e.id, ST_X(e.geom), ST_Y(e.geom) FROM assignments a "
            "JOIN enterprises e ON e.id = a.enterprise_id "
            "WHERE a.since <= :last AND (a.until IS NULL OR a.until >= :first) "
            "ORDER BY a.officer_id, e.id"
        ),
        {"first": first, "last": last},
    )
    out: dict[int, list[tuple[int, float, float]]] = {}
    for oid, fid, x, y in rows:
        out.setdefault(oid, []).append((fid, float(x), float(y)))
    return out


def _point(rng: np.random.Generator, lon: float, lat: float) -> str:
    dx, dy = (float(v) * _DEG_PER_M for v in rng.uniform(-40, 40, 2))
    return f"SRID=4326;POINT({lon + dx / math.cos(math.radians(lat)):.7f} {lat + dy:.7f})"


def _day(rng: np.random.Generator, first: date, span: int) -> date:
    return first + timedelta(days=int(rng.integers(0, span + 1)))


def _pick(
    rng: np.random.Generator, firms: list[tuple[int, float, float]], lo: int, hi: int
) -> list[tuple[int, float, float]]:
    if not firms:
        return []
    k = min(len(firms), int(rng.integers(lo, hi + 1)))
    return [firms[i] for i in sorted(rng.permutation(len(firms))[:k].tolist())]


def plan(conn: Connection, today: date) -> list[dict[str, Any]]:
    """The demo's activities for the loaded zone as of ``today`` (zone date), unsorted ids.

    Returns
    -------
    list of dict
        ``officer_id, kind, held_on, attendance, member_count, summary, geom`` (hex-free
        EWKT in EPSG:4326 or None) and ``firms`` (enterprise ids).
    """
    officers = _officers(conn)
    out: list[dict[str, Any]] = []
    for back in range(MONTHS):
        first, last = _month(today, back)
        span = (last - first).days
        # In the current month only the days so far count: items are still to come.
        elapsed = min(1.0, (span + 1) / (0.8 * calendar.monthrange(first.year, first.month)[1]))
        firms_by = _firms(conn, first, last)
        for o in officers:
            rng = np.random.default_rng([SEED, o.id, first.year, first.month])
            firms = firms_by.get(o.id, [])

            if rng.random() < o.diligence * elapsed:
                drift = int(rng.integers(-1, 2)) if rng.random() < 0.3 else 0
                out.append(
                    {
                        "officer_id": o.id,
                        "kind": "ledger_review",
                        "held_on": _day(rng, first, span),
                        "attendance": None,
                        "member_count": max(0, o.ledger_members + drift),
                        "summary": None,
                        "geom": None,
                        "firms": [],
                    }
                )
            for kind, texts, p, size, people in (
                ("briefing", BRIEFINGS, 0.95, (2, 6), (8, 60)),
                ("volunteer", VOLUNTEERING, 0.9, (0, 2), (5, 30)),
            ):
                times = 1 + int(rng.random() < 0.15)
                for _ in range(times if rng.random() < o.diligence * p * elapsed else 0):
                    chosen = _pick(rng, firms, *size)
                    geom = None
                    if chosen and rng.random() < 0.7:
                        geom = _point(rng, chosen[0][1], chosen[0][2])
                    out.append(
                        {
                            "officer_id": o.id,
                            "kind": kind,
                            "held_on": _day(rng, first, span),
                            "attendance": int(rng.integers(*people)),
                            "member_count": None,
                            "summary": texts[int(rng.integers(len(texts)))],
                            "geom": geom,
                            "firms": [f[0] for f in chosen],
                        }
                    )
    return out


def load_activities(conn: Connection, today: date, stamp: str) -> int:
    """Write the demo's activities (tables emptied by the load beforehand); returns the count.

    Parameters
    ----------
    today : date
        The load day (zone date); nothing is dated after it.
    stamp : str
        ``created_at``/``updated_at`` of every row (the load day's midnight, ISO 8601).
    """
    rows = sorted(plan(conn, today), key=lambda r: (r["held_on"], r["officer_id"], r["kind"]))
    cols = [
        "id",
        "officer_id",
        "kind",
        "held_on",
        "attendance",
        "member_count",
        "summary",
        "geom",
        "client_key",
        "created_at",
        "updated_at",
    ]
    values = [
        (
            n,
            r["officer_id"],
            r["kind"],
            r["held_on"],
            r["attendance"],
            r["member_count"],
            r["summary"],
            r["geom"],
            f"demo-{n:06d}",
            stamp,
            stamp,
        )
        for n, r in enumerate(rows, 1)
    ]
    copy_rows(conn, "activities", cols, values)
    links = [(n, f) for n, r in enumerate(rows, 1) for f in r["firms"]]
    copy_rows(conn, "activity_firms", ["activity_id", "enterprise_id"], links)
    reset_sequences(conn, ["activities"])
    return len(rows)
