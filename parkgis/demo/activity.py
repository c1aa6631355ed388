"""Projects and their events, a year of visits, and service requests (诉求)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import shapely

from parkgis.demo import names
from parkgis.demo.ctx import Firm, Tile
from parkgis.demo.layout import noded_polygons
from parkgis.demo.plan import Plan
from parkgis.demo.texts import (
    CANCEL_REASONS,
    PRODUCTS,
    RECEPTION_NOTES,
    REQUEST_WEIGHTS,
    REQUESTS,
    STALL_REASONS,
    VISIT_NOTES,
)
from parkgis.models.base import PROJECT_STAGES

HOURS = (9, 10, 11, 14, 15, 16)


def _fmt(rng: np.random.Generator, template: str) -> str:
    return template.format(
        m2=int(rng.integers(2, 30)) * 500,
        mu=int(rng.integers(10, 120)),
        kva=int(rng.choice([630, 800, 1250, 1600, 2000, 2500])),
    )


def project_since(plan: Plan) -> dict[int, date]:
    """When the firms created for a project began to be served: the day they signed."""
    out: dict[int, date] = {}
    for p in plan.parcels:
        s = p.schedule
        if s is not None and p.new_firm and p.holder is not None:
            out[p.holder] = s.day("signed") or s.planned[1]
    return out


def projects(tile: Tile, plan: Plan) -> None:
    """One project per project site, with its events, officer, firm and investment."""
    rng = tile.rng("projects")
    by_id = {f.id: f for f in tile.firms}
    pool = [f for f in tile.firms if f.chain and f.role in ("owner", "tenant")] or tile.firms
    for p in plan.parcels:
        s = p.schedule
        if s is None:
            continue
        firm: Firm = by_id[p.holder] if p.holder else pool[int(rng.integers(len(pool)))]
        chain = firm.chain or "food_beverage"  # logistics firms build cold-chain sites
        phase = "（二期）" if not p.new_firm and rng.random() < 0.5 else ""
        reason = None
        if s.stage == "stalled":
            reason = names.pick(rng, STALL_REASONS)
        elif s.stage == "cancelled":
            reason = names.pick(rng, CANCEL_REASONS)
        x0, y0, x1, y1 = p.rect
        u, v = rng.uniform(0.3, 0.7, 2)
        invest = float(np.clip(rng.lognormal(np.log(3e8), 1.0), 1e7, 5e9))
        pid = tile.add(
            "projects",
            shapely.Point(x0 + (x1 - x0) * float(u), y0 + (y1 - y0) * float(v)),
            name=f"{firm.short[:2]}{names.pick(rng, PRODUCTS[firm.chain])}项目{phase}",
            enterprise_id=firm.id,
            parcel_id=p.id,
            officer_id=firm.officer,
            investment_cny=round(invest, -6),
            industry_chain=chain,
            stage=s.stage,
            stage_reason=reason,
            milestones=json.dumps(s.milestones(), ensure_ascii=False),
        )
        actor = tile.officer_names.get(firm.officer or 0)
        prev = None
        for k, stage in enumerate(PROJECT_STAGES[: s.reached + 1]):
            day = s.actual[k]
            assert day is not None
            tile.add(
                "project_events",
                project_id=pid,
                at=tile.at(day, int(names.pick(rng, HOURS)), int(rng.integers(0, 12)) * 5),
                kind="created" if k == 0 else "transition",
                from_stage=prev,
                to_stage=stage,
                actor=actor,
            )
            prev = stage
        if s.held_on is not None:
            tile.add(
                "project_events",
                project_id=pid,
                at=tile.at(s.held_on, int(names.pick(rng, HOURS)), 0),
                kind="transition",
                from_stage=prev,
                to_stage=s.stage,
                actor=actor,
                reason=reason,
            )


def _month_start(today: date, back: int) -> date:
    m = today.year * 12 + today.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def visits(tile: Tile) -> None:
    """Twelve months of visits (and receptions) ending today, by each firm's officer.

    About nine in ten firms have a visit in the current month; a few neglected firms are
    rarely visited at all.
    """
    rng = tile.rng("visits")
    rows = []
    for firm in sorted(tile.firms, key=lambda f: f.id):
        assert firm.since is not None and firm.officer is not None
        neglected = rng.random() < 0.03
        for back in range(13):
            first = _month_start(tile.today, back)
            last = tile.today if back == 0 else _month_start(tile.today, back - 1) - timedelta(1)
            start = max(first, firm.since + timedelta(days=35))
            if start > last:
                continue
            p_any = 0.35 if neglected else (0.89 if back == 0 else 0.95)
            if rng.random() >= p_any:
                continue
            extra = rng.random() < (0.08 if back == 0 else 0.2)
            for _ in range(1 + int(extra)):
                day = start + timedelta(days=int(rng.integers(0, (last - start).days + 1)))
                when = tile.at(day, int(names.pick(rng, HOURS)), int(rng.integers(0, 12)) * 5)
                if rng.random() < 0.15:
                    rows.append(
                        (
                            when,
                            firm.id,
                            firm.officer,
                            "reception",
                            None,
                            names.pick(rng, RECEPTION_NOTES),
                        )
                    )
                    continue
                dx, dy = rng.uniform(-6, 6, 2)
                pt = shapely.Point(firm.x + float(dx), firm.y + float(dy))
                note = _fmt(rng, names.pick(rng, VISIT_NOTES))
                rows.append((when, firm.id, firm.officer, "visit", pt, note))
    rows.sort(key=lambda r: (r[0], r[1]))
    for when, fid, oid, kind, pt, note in rows:
        tile.add(
            "visits",
            pt,
            officer_id=oid,
            enterprise_id=fid,
            visited_at=when,
            kind=kind,
            summary=note,
        )


STATUS_BY_AGE = (
    (14, (0.5, 0.4, 0.1, 0.0)),
    (60, (0.1, 0.35, 0.3, 0.25)),
    (10**6, (0.03, 0.07, 0.2, 0.7)),
)


def requests(tile: Tile) -> None:
    """A year of service requests in every category and status, followed to closure."""
    rng = tile.rng("requests")
    cats = list(REQUEST_WEIGHTS)
    w = np.asarray([REQUEST_WEIGHTS[c] for c in cats], dtype=float)
    rows = []
    for firm in sorted(tile.firms, key=lambda f: f.id):
        assert firm.since is not None
        start = max(tile.days(-365), firm.since)
        span = (tile.today - start).days
        for _ in range(int(rng.poisson(1.4)) if span >= 0 else 0):
            opened = start + timedelta(days=int(rng.integers(0, span + 1)))
            age = (tile.today - opened).days
            probs = next(p for limit, p in STATUS_BY_AGE if age < limit)
            status = ("open", "in_progress", "resolved", "closed")[int(rng.choice(4, p=probs))]
            started = resolved = closed = None
            if status != "open":
                started = min(tile.today, opened + timedelta(days=int(rng.integers(0, 6))))
            if status in ("resolved", "closed"):
                assert started is not None
                resolved = min(tile.today, started + timedelta(days=int(rng.integers(2, 60))))
            if status == "closed":
                assert resolved is not None
                closed = min(tile.today, resolved + timedelta(days=int(rng.integers(0, 15))))
            cat = cats[int(rng.choice(len(cats), p=w / w.sum()))]
            dept, titles = REQUESTS[cat]
            title = _fmt(rng, names.pick(rng, titles))
            rows.append(
                (opened, firm.id, firm.officer, cat, title, dept, status, started, resolved, closed)
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    for opened, fid, oid, cat, title, dept, status, started, resolved, closed in rows:
        tile.add(
            "service_requests",
            enterprise_id=fid,
            officer_id=oid,
            category=cat,
            title=title,
            detail=f"企业反映：{title}，请{dept}协调办理。",
            department=dept,
            status=status,
            opened_on=opened,
            in_progress_on=started,
            resolved_on=resolved,
            closed_on=closed,
        )


def grid_areas(tile: Tile, plan: Plan) -> None:
    """The tile's park grid areas (网格); officers are not tied to them."""
    outlines = noded_polygons([rect for rect, _ in plan.grid_rects])
    for n, ((_, code), outline) in enumerate(zip(plan.grid_rects, outlines, strict=True), 1):
        tile.add("grid_areas", outline, code=code, name=f"第{n}网格", officer_id=None)
