"""The page behind a shortlist link, its offline pack (one HTML file) and its PDF brochure.

Sites are read as an anonymous caller would read them (public rows and fields only); a site
no longer on offer is listed as such and shows nothing else. Everything is inline: the
overview and location maps are server-drawn SVG, QR codes are SVG, styles are in the page,
and there is no script, so the pack opens from ``file://`` with no network.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session

from parkgis.access import ANONYMOUS
from parkgis.errors import NotFound
from parkgis.maps.i18n import Lang, t
from parkgis.models import Shortlist
from parkgis.prospect.context import landmarks
from parkgis.prospect.render import html_to_pdf, render_page
from parkgis.prospect.sheets import Sheet, sheet
from parkgis.prospect.shortlists import shortlist_lang, shortlist_sites
from parkgis.prospect.sites import zone_srid
from parkgis.prospect.svg import location_svg
from parkgis.settings import Settings


@dataclass
class Pack:
    """A shortlist's sheets, the sites no longer on offer, and the overview map."""

    row: Shortlist
    lang: Lang
    sheets: list[Sheet]
    gone: list[str]
    overview: Markup | None


def build_pack(
    session: Session, row: Shortlist, settings: Settings, *, base_url: str, token: str
) -> Pack:
    """Gather a shortlist's sheets (as an anonymous caller) and its overview map.

    Parameters
    ----------
    base_url : str
        Origin of the link printed in QR codes (``PARKGIS_PROSPECT_PUBLIC_URL`` wins).
    token : str
        The link's token: QR codes point back to ``/p/{token}``.
    """
    lang = shortlist_lang(row)
    srid = zone_srid(settings)
    marks = landmarks(session, srid)
    origin = (settings.prospect.public_url or base_url).rstrip("/")
    sheets: list[Sheet] = []
    gone: list[str] = []
    for kind, sid in shortlist_sites(row):
        try:
            s = sheet(
                session,
                kind,
                sid,
                ANONYMOUS,
                settings,
                lang=lang,
                base_url=base_url,
                contact_name=row.created_by,
                marks=marks,
                url=f"{origin}/p/{token}#{kind}-{sid}",
            )
        except NotFound:
            gone.append(f"{kind}:{sid}")
            continue
        sheets.append(s)
    overview = None
    if sheets:
        collection = {
            "type": "GeometryCollection",
            "geometries": [s.facts.geometry for s in sheets],
        }
        pins = [(s.facts.lon, s.facts.lat, str(i)) for i, s in enumerate(sheets, 1)]
        demo = any(m.demo for m in marks)
        svg = location_svg(
            session,
            collection,
            srid,
            marks=marks,
            lang=lang,
            context_lines=not demo,
            half_m=900.0,
            px=560,
            pins=pins,
        )
        overview = Markup(svg)  # noqa: S704 - built by location_svg, every text escaped there
    return Pack(row, lang, sheets, gone, overview)


def pack_html(p: Pack, *, token: str, download: bool = False, pdf: bool = False) -> str:
    """The shortlist page (``download``: the offline pack; ``pdf``: the brochure's HTML)."""
    return render_page(
        "shortlist.html",
        p.lang,
        pack=p,
        sheets=p.sheets,
        title=t("pr.short.title", p.lang),
        token=token,
        download=download,
        pdf=pdf,
        nav=False,
        approval_number=None,
    )


def pack_pdf(p: Pack, *, token: str) -> bytes:
    """The brochure: every sheet of the shortlist, one per A4 page."""
    return html_to_pdf(pack_html(p, token=token, pdf=True))
