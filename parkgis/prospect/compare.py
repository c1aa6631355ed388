"""Side-by-side comparison of 2–4 sites (``/compare?sites=space:12,parcel:40``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.errors import InvalidInput
from parkgis.maps.i18n import Lang, t
from parkgis.prospect.context import landmarks
from parkgis.prospect.render import render_page
from parkgis.prospect.sheets import Sheet, sheet
from parkgis.prospect.sites import MAX_COMPARE, SiteKind, zone_srid
from parkgis.settings import Settings

CompareRow = tuple[str, list[str], bool]


def compare_rows(sheets: list[Sheet], lang: Lang) -> list[CompareRow]:
    """Rows (label, one value per site, whether the values differ), in first-seen order.

    A fact a site does not have (e.g. clear height of land) shows as ``—``.
    """
    order: list[str] = []
    per_site: list[dict[str, str]] = []
    for s in sheets:
        d: dict[str, str] = {}
        rows = [*s.rows, *s.terms]
        nearest = s.facts.distances[0] if s.facts.distances else None
        if nearest is not None:
            m, dist = nearest
            value = f"{m.label(lang)} · {dist / 1000:,.1f} km"
            rows.append((t("pr.sheet.landmarks", lang), value))
        firms = sum(n for *_, n in s.facts.chains)
        rows.append((t("pr.sheet.chains", lang), f"{firms} {t('pr.u.firms', lang)}"))
        for label, value in rows:
            if label not in order:
                order.append(label)
            d[label] = value
        per_site.append(d)
    out: list[CompareRow] = []
    for label in order:
        values = [d.get(label, "—") for d in per_site]
        out.append((label, values, len(set(values)) > 1))
    return out


def compare(
    session: Session,
    sites: list[tuple[SiteKind, int]],
    principal: Principal,
    settings: Settings,
    *,
    lang: Lang,
    base_url: str,
) -> tuple[list[Sheet], list[CompareRow]]:
    """The sheets of 2–4 sites and their comparison rows.

    Raises
    ------
    InvalidInput
        Fewer than 2 or more than 4 sites (field ``sites``).
    NotFound
        A site does not exist or the caller may not see it.
    """
    if not 2 <= len(sites) <= MAX_COMPARE:
        raise InvalidInput(f"compare 2 to {MAX_COMPARE} sites, not {len(sites)}", field="sites")
    marks = landmarks(session, zone_srid(settings))
    sheets = [
        sheet(session, k, i, principal, settings, lang=lang, base_url=base_url, marks=marks)
        for k, i in sites
    ]
    return sheets, compare_rows(sheets, lang)


def compare_html(sheets: list[Sheet], rows: list[CompareRow], lang: Lang, **ctx: object) -> str:
    """The comparison page (printable; differing rows highlighted)."""
    return render_page(
        "compare.html", lang, sheets=sheets, rows=rows, title=t("pr.compare.title", lang), **ctx
    )
