"""The investment team's site finder, site sheets, comparisons and shortlists (issue 12).

- :mod:`.find`: the ``/find`` form over :func:`parkgis.matching.match`, public-safe.
- :mod:`.sites`: the public facts of one site; :mod:`.context`: landmarks and roads.
- :mod:`.sheets`: site sheets (HTML, PDF), :mod:`.svg`: their server-drawn location map.
- :mod:`.compare`: 2–4 sites side by side.
- :mod:`.shortlists`: confidential links ``/p/{token}``; :mod:`.pack`: their page, offline
  pack and PDF brochure.
- :mod:`.pages`: the ``/find`` page; :mod:`.render`: templates, QR codes, PDFs.

Nothing here shows a firm's tax, output or contacts: sites carry public fields only, and
firms appear only as counts per industry chain.
"""

from parkgis.prospect import labels as labels  # registers the zh/en labels
from parkgis.prospect.compare import compare, compare_html
from parkgis.prospect.find import FindForm, find, parse_form, prefill
from parkgis.prospect.pack import build_pack, pack_html, pack_pdf
from parkgis.prospect.pages import find_page
from parkgis.prospect.sheets import Sheet, sheet, sheet_html, sheet_pdf
from parkgis.prospect.shortlists import (
    SHORTLIST_ROLES,
    create_shortlist,
    get_shortlist,
    open_shortlist,
    revoke_shortlist,
    shortlist_json,
)
from parkgis.prospect.sites import parse_sites, site_facts

__all__ = [
    "SHORTLIST_ROLES",
    "FindForm",
    "Sheet",
    "build_pack",
    "compare",
    "compare_html",
    "create_shortlist",
    "find",
    "find_page",
    "get_shortlist",
    "open_shortlist",
    "pack_html",
    "pack_pdf",
    "parse_form",
    "parse_sites",
    "prefill",
    "revoke_shortlist",
    "sheet",
    "sheet_html",
    "sheet_pdf",
    "shortlist_json",
    "site_facts",
]
