"""Enterprises (landholders and tenants), the service officers, and who serves whom."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import shapely

from parkgis.demo import names
from parkgis.demo.ctx import Firm, Tile
from parkgis.demo.plan import Built, ParcelPlan, Plan, Rect
from parkgis.demo.texts import OFFICER_TITLES, OFFICER_UNITS

CHAIN_BY_USE: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "100101": (
        ("electronics", "biomedicine", "food_beverage", "new_energy_vehicles"),
        (3, 3, 2, 2),
    ),
    "100102": (
        ("new_energy_vehicles", "furniture", "food_beverage", "metal_processing", "electronics"),
        (3, 2.5, 1.5, 1.5, 1.5),
    ),
    "100103": (
        ("metal_processing", "batteries", "furniture", "new_energy_vehicles"),
        (4, 3.5, 1, 1.5),
    ),
    "1101": (("", "food_beverage"), (8, 2)),
    "hall": (
        ("metal_processing", "new_energy_vehicles", "furniture", "batteries"),
        (3.5, 3, 2, 1.5),
    ),
    "warehouse": (("", "food_beverage"), (7, 3)),
    "std": (
        (
            "electronics",
            "new_energy_vehicles",
            "biomedicine",
            "food_beverage",
            "furniture",
            "batteries",
        ),
        (3, 2, 2, 1, 1, 1),
    ),
}
SIZES = {
    "owner": (130.0, 0.8, 15, 3000),
    "tenant": (30.0, 0.7, 5, 400),
    "new": (12.0, 0.5, 3, 40),
    "idle": (4.0, 0.4, 1, 12),
}


def _chain(rng: np.random.Generator, key: str) -> str:
    options, weights = CHAIN_BY_USE[key]
    w = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=w / w.sum()))]


def _inside(rng: np.random.Generator, rect: Rect) -> tuple[float, float]:
    x0, y0, x1, y1 = rect
    u, v = rng.uniform(0.25, 0.75, 2)
    return x0 + (x1 - x0) * float(u), y0 + (y1 - y0) * float(v)


def new_firm(
    tile: Tile,
    rng: np.random.Generator,
    chain: str,
    role: str,
    where: Rect,
    p: ParcelPlan,
    building: int | None,
    place: str = "",
) -> Firm:
    """Write one enterprise row (point inside ``where``) and return its generator record."""
    for _ in range(30):
        fn = names.firm_name(rng, chain)
        if fn.zh not in tile.ids.names:
            break
    tile.ids.names.add(fn.zh)
    median, sigma, lo, hi = SIZES[role]
    employees = int(np.clip(rng.lognormal(np.log(median), sigma), lo, hi))
    output = 0.0
    if role in ("owner", "tenant"):
        output = round(employees * float(rng.uniform(0.2, 0.9)) * 1e6, -4)
    elif role == "new" and rng.random() < 0.3:
        output = round(employees * float(rng.uniform(0.05, 0.3)) * 1e6, -4)
    tax = round(output * float(rng.uniform(0.02, 0.06)), -2)
    contact, handle = names.person(rng)
    x, y = _inside(rng, where)
    industry = names.pick(rng, names.INDUSTRY_CODES[chain])
    fid = tile.add(
        "enterprises",
        shapely.Point(x, y),
        name=fn.zh,
        name_en=fn.en,
        uscc=names.uscc(rng, fn.region, tile.ids.usccs),
        industry_chain=chain or None,
        industry_code=industry,
        above_scale=output >= 2e7,
        employees=employees,
        output_cny=output,
        tax_cny=tax,
        contact_name=contact,
        contact_phone=names.mobile(rng),
        contact_email=f"{handle}@{fn.domain}",
        address="肇庆高新区" + p.address + place,
        parcel_id=p.id,
        building_id=building,
    )
    block = p.block
    firm = Firm(fid, chain, role, x, y, fn.short)
    if block is not None:
        firm.grid = block.grid
        serp = block.col if block.row % 2 == 0 else 1000 - block.col
        firm.order = block.row * 1e7 + serp * 1e4 + x / 1e3
    tile.firms.append(firm)
    return firm


def _name_buildings(tile: Tile, firm_name: str, short: str, made: list[Built]) -> None:
    for b in made:
        if b.kind == "office":
            tile.set("buildings", b.id, name=f"{short}综合楼", owner=firm_name)
        elif b.kind == "plant":
            label = tile.get("buildings", b.id, "name")
            tile.set("buildings", b.id, name=f"{short}{label}", owner=firm_name)


def holders(tile: Tile, plan: Plan) -> None:
    """Create a firm for every held parcel (sharing some neighbours) and name its buildings."""
    rng = tile.rng("holders")
    prev: tuple[ParcelPlan, Firm] | None = None
    owners: list[Firm] = []
    for p in plan.parcels:
        held = p.status in ("granted", "under_construction", "built", "idle")
        if not held or p.role not in ("owner", "project", "holder"):
            continue
        made: list[Built] = p.buildings
        stage = p.schedule.stage if p.schedule else None
        main = made[0] if made else None
        where = main.rect if main else p.rect
        if (
            p.role == "owner"
            and prev is not None
            and prev[0].block is p.block
            and rng.random() < 0.5
        ):
            firm = prev[1]
        elif p.role == "project" and owners and rng.random() < 0.3:
            firm = owners[int(rng.integers(len(owners)))]
        else:
            role = "owner"
            if p.status in ("granted", "under_construction") or stage == "completed":
                role = "new"
            elif p.status == "idle":
                role = "idle"
            chain = _chain(rng, p.land_use)
            firm = new_firm(tile, rng, chain, role, where, p, main.id if main else None)
            p.new_firm = True
            if role == "owner":
                owners.append(firm)
        tile.set("parcels", p.id, holder_enterprise_id=firm.id)
        p.holder = firm.id
        _name_buildings(tile, str(tile.get("enterprises", firm.id, "name")), firm.short, made)
        if p.role == "owner":
            prev = (p, firm)


def tenants(tile: Tile, buildings: list[Built]) -> None:
    """Fill occupied units with tenant firms; some take a neighbour or the unit above."""
    rng = tile.rng("tenants")
    theme_of: dict[int, str] = {}
    for b in buildings:
        if not b.units:
            continue
        key = b.kind
        pid = int(b.parcel.id)
        if key == "std" and pid not in theme_of:
            theme_of[pid] = _chain(rng, "std")
        slot = {(u.floor, u.column): u for u in b.units}
        taken: set[int] = set()
        for u in sorted(b.units, key=lambda u: (u.floor, u.column)):
            if u.status != "occupied" or u.id in taken:
                continue
            chain = theme_of[pid] if key == "std" and rng.random() < 0.6 else _chain(rng, key)
            name = tile.get("buildings", b.id, "name")
            firm = new_firm(tile, rng, chain, "tenant", u.rect, b.parcel, b.id, f" {name}")
            want = int(rng.choice([1, 2, 3, 4, 6], p=[0.4, 0.3, 0.12, 0.1, 0.08]))
            group = [u]
            for step in ((0, 1), (1, 0), (1, 1), (2, 0), (2, 1), (0, 2), (1, 2), (2, 2)):
                if len(group) >= want:
                    break
                g = slot.get((u.floor + step[0], u.column + step[1]))
                if g is not None and g.status == "occupied" and g.id not in taken:
                    group.append(g)
            for g in group:
                taken.add(g.id)
                tile.set("spaces", g.id, occupant_enterprise_id=firm.id)


def officers(tile: Tile, buildings: list[Built]) -> None:
    """The zone's service officers, each with an assistant and an office in an admin building."""
    rng = tile.rng("officers")
    n = max(2, round(132 * min(tile.scale, 1.0)))
    admin = [b.rect for b in buildings if b.kind == "0801"] or [(-30.0, -30.0, 30.0, 30.0)]
    titles = [t for t, _ in OFFICER_TITLES]
    weights = np.asarray([w for _, w in OFFICER_TITLES], dtype=float)
    for i in range(n):
        name, _ = names.person(rng)
        assistant, _ = names.person(rng)
        x, y = _inside(rng, admin[i % len(admin)])
        oid = tile.add(
            "officers",
            shapely.Point(x, y),
            name=name,
            title=titles[int(rng.choice(len(titles), p=weights / weights.sum()))],
            unit=names.pick(rng, OFFICER_UNITS),
            assistant_name=assistant,
            phone=names.mobile(rng),
            active=True,
        )
        tile.officers.append(oid)
        tile.officer_names[oid] = name


def _compact_groups(firms: list[Firm], k: int) -> list[list[Firm]]:
    """Split ``firms`` into ``k`` groups of near-equal size that lie close together.

    Recursive bisection along the longer side (local metres): each officer serves a
    neighbourhood, as in the programme, instead of a strip across the zone.
    """
    if k <= 1:
        return [firms]
    xs = [f.x for f in firms]
    ys = [f.y for f in firms]
    wide = max(xs) - min(xs) >= max(ys) - min(ys)
    ordered = sorted(firms, key=lambda f: (f.x, f.y, f.id) if wide else (f.y, f.x, f.id))
    k_left = k // 2
    cut = round(len(ordered) * k_left / k)
    return _compact_groups(ordered[:cut], k_left) + _compact_groups(ordered[cut:], k - k_left)


def assignments(tile: Tile, since_of: dict[int, date]) -> None:
    """Give every firm a current officer (neighbouring firms share one), plus some history.

    ``since_of`` maps firm ids to the day their current assignment began (when known,
    e.g. firms created by a recent project); the others began 460–1,800 days ago, before
    the first visit on file even after the loader re-bases visits by month.
    """
    rng = tile.rng("assignments")
    firms = sorted(tile.firms, key=lambda f: (f.grid, f.order))
    officers = list(tile.officers)
    rng.shuffle(officers)
    for officer, group in zip(officers, _compact_groups(firms, len(officers)), strict=True):
        for firm in group:
            firm.officer = officer
            firm.since = since_of.get(firm.id) or tile.days(-rng.integers(460, 1800))
    for firm in sorted(tile.firms, key=lambda f: f.id):
        assert firm.since is not None and firm.officer is not None
        if (tile.today - firm.since).days >= 460 and rng.random() < 0.12:
            before = officers[int(rng.integers(len(officers)))]
            if before != firm.officer:
                until = firm.since - timedelta(days=1)
                tile.add(
                    "assignments",
                    officer_id=before,
                    enterprise_id=firm.id,
                    since=until - timedelta(days=int(rng.integers(200, 900))),
                    until=until,
                    note="岗位调整，移交新服务官",
                )
        tile.add(
            "assignments",
            officer_id=firm.officer,
            enterprise_id=firm.id,
            since=firm.since,
            until=None,
            note=None,
        )
