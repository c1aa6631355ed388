"""Site sheets (``/sites/{space|parcel}/{id}``): one printable page per site, zh or en.

:func:`sheet` gathers what a sheet shows (:class:`Sheet`): key facts in m² and mu, the
server-drawn SVG location map, distances to landmarks, same-chain firm counts, for land the
标准地 terms, the contact (the investment desk, or an officer's name; never a phone), a QR
code of the live page and "data as of" dates. :func:`sheet_rows` gives the fact rows that
sheets and comparisons share. Only public values are used (see :mod:`parkgis.prospect.sites`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from parkgis.access import Principal
from parkgis.db.seed import read_csv
from parkgis.maps.i18n import Lang, status_label, t
from parkgis.pages.frame import Frame
from parkgis.prospect.context import Landmark, landmarks
from parkgis.prospect.render import html_to_pdf, qr_svg, render_page
from parkgis.prospect.sites import SiteFacts, SiteKind, site_facts, zone_srid
from parkgis.prospect.svg import location_svg
from parkgis.settings import Settings


@dataclass
class Sheet:
    """One site sheet, ready for a template."""

    facts: SiteFacts
    title: str
    rows: list[tuple[str, str]]
    terms: list[tuple[str, str]]
    svg: Markup
    qr: Markup
    url: str
    contact: str
    contact_line: str | None
    as_of: date | None
    approval_number: str | None


def _v(v: Any, unit: str = "", digits: int = 0) -> str:
    if v is None or v == "":
        return "—"
    s = f"{v:,.{digits}f}" if isinstance(v, int | float) else str(v)
    return f"{s} {unit}".strip()


@lru_cache(maxsize=1)
def _land_uses() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["name_zh"], r["name_en"]) for r in read_csv("land_use.csv")}


def land_use_label(code: Any, lang: Lang) -> str:
    """``100101 一类工业用地`` (the code and its name in ``lang``), or ``—``."""
    if not code:
        return "—"
    names = _land_uses().get(str(code))
    return f"{code} {names[0] if lang == 'zh' else names[1]}" if names else str(code)


def sheet_rows(f: SiteFacts, lang: Lang) -> list[tuple[str, str]]:
    """The key facts of a site as (label, value with unit) rows, in ``lang``."""
    v = f.values
    area = "—"
    if f.area_m2 is not None:
        area = f"{f.area_m2:,.0f} {t('unit.m2', lang)} / {f.area_mu or 0:,.2f} {t('unit.mu', lang)}"
    rows = [
        (t("pr.f.kind", lang), t(f"pr.kind.{f.kind}", lang)),
        (t("pr.f.code", lang), f.code),
        (t("pr.f.area", lang), area),
        (t("pr.f.address", lang), _v(v.get("address"))),
        (t("pr.f.land_use", lang), land_use_label(v.get("land_use"), lang)),
    ]
    if f.kind == "space":
        avail = v.get("available_from")
        rows += [
            (t("pr.f.floor", lang), _v(v.get("floor"))),
            (t("pr.f.clear_height_m", lang), _v(v.get("clear_height_m"), "m", 1)),
            (t("pr.f.floor_load_t_m2", lang), _v(v.get("floor_load_t_m2"), "t/m²", 1)),
            (t("pr.f.power_kva", lang), _v(v.get("power_kva"), "kVA")),
            (t("pr.f.crane_t", lang), _v(v.get("crane_t"), "t", 0)),
            (t("pr.f.rent", lang), _v(v.get("rent_cny_m2_month"), t("pr.u.rent", lang), 1)),
            (
                t("pr.f.available_from", lang),
                avail.isoformat() if isinstance(avail, date) else t("pr.now", lang),
            ),
        ]
    else:
        rows += [
            (t("pr.f.price", lang), _v(v.get("price_cny_m2"), t("pr.u.price", lang))),
            (t("pr.f.status", lang), status_label(str(v.get("status")), lang)),
        ]
    return rows


def terms_rows(f: SiteFacts, lang: Lang) -> list[tuple[str, str]]:
    """The 标准地 terms of a parcel (empty for spaces)."""
    if f.kind != "parcel":
        return []
    v = f.values
    lo, hi = v.get("min_far"), v.get("max_far")
    far = "—" if lo is None and hi is None else f"{_v(lo, digits=1)} – {_v(hi, digits=1)}"
    return [
        (
            t("pr.sheet.investment", lang),
            _v(v.get("investment_wan_cny_mu"), t("pr.u.wan_mu", lang)),
        ),
        (t("pr.sheet.tax", lang), _v(v.get("tax_wan_cny_mu"), t("pr.u.wan_mu", lang), 1)),
        (t("pr.sheet.far", lang), far),
    ]


def site_path(kind: SiteKind, site_id: int) -> str:
    """The live page of a site, e.g. ``/sites/space/12``."""
    return f"/sites/{kind}/{site_id}"


def sheet(
    session: Session,
    kind: SiteKind,
    site_id: int,
    principal: Principal,
    settings: Settings,
    *,
    lang: Lang,
    base_url: str,
    contact_name: str | None = None,
    marks: list[Landmark] | None = None,
    url: str | None = None,
) -> Sheet:
    """Everything a site sheet shows, if ``principal`` may read the site.

    Parameters
    ----------
    base_url : str
        Origin printed in the QR code (``PARKGIS_PROSPECT_PUBLIC_URL`` wins when set).
    contact_name : str, optional
        An officer's name to show as the contact (default: the investment desk setting).
    url : str, optional
        The live page the QR code points to (default: the site's own sheet).

    Raises
    ------
    NotFound
        No such site, or one the caller may not see.
    """
    ps = settings.prospect
    srid = zone_srid(settings)
    if marks is None:
        marks = landmarks(session, srid)
    f = site_facts(session, kind, site_id, principal, settings, marks=marks)
    demo = any(m.demo for m in marks)
    svg = location_svg(session, f.geometry, srid, marks=marks, lang=lang, context_lines=not demo)
    origin = (ps.public_url or base_url).rstrip("/")
    live = url or f"{origin}{site_path(kind, site_id)}?lang={lang}"
    desk = ps.desk_name_en if lang == "en" else ps.desk_name
    return Sheet(
        facts=f,
        title=f"{t(f'pr.sheet.title_{kind}', lang)} · {f.code}",
        rows=sheet_rows(f, lang),
        terms=terms_rows(f, lang),
        svg=Markup(svg),  # noqa: S704 - built by location_svg, every text escaped there
        qr=qr_svg(live),
        url=live,
        contact=f"{contact_name} · {desk}" if contact_name else desk,
        contact_line=ps.desk_contact,
        as_of=f.as_of,
        approval_number=ps.approval_number,
    )


def sheet_html(
    s: Sheet,
    lang: Lang,
    *,
    pdf: bool = False,
    links: bool = True,
    other_lang_href: str | None = None,
    frame: Frame | None = None,
) -> str:
    """The sheet as one HTML page (``pdf``: without the page's buttons; ``frame``: in the
    shared page frame, for the signed-in app rather than a prospect's link)."""
    return render_page(
        "sheet.html",
        lang,
        sheets=[s],
        title=s.title,
        pdf=pdf,
        links=links and not pdf,
        other_lang_href=other_lang_href,
        frame=frame,
    )


def sheet_pdf(s: Sheet, lang: Lang) -> bytes:
    """The sheet as a one-page A4 PDF."""
    return html_to_pdf(sheet_html(s, lang, pdf=True))
