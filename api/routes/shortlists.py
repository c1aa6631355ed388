"""Shortlists shared with one prospect.

- ``POST /api/v1/shortlists`` (officer, investment, admin) ``{sites, prospect, lang?,
  days?}``: 201 with ``token`` and ``url`` (``/p/{token}``), shown only this once.
- ``GET /api/v1/shortlists/{id}``: the shortlist and how often its link was opened.
- ``DELETE /api/v1/shortlists/{id}``: revoke the link (its maker or an admin).
- ``GET /p/{token}``: the prospect's page, no sign-in; ``?download=1`` one offline HTML
  file, ``?f=pdf`` a PDF brochure. Unknown, revoked or expired links: 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import HTMLResponse, Response

from api.deps import SessionDep, SettingsDep, require
from api.responses import JSONResponse
from api.routes.prospect import html_page, pdf_response
from parkgis.access import Principal
from parkgis.prospect import (
    SHORTLIST_ROLES,
    build_pack,
    create_shortlist,
    get_shortlist,
    open_shortlist,
    pack_html,
    pack_pdf,
    revoke_shortlist,
    shortlist_json,
)
from parkgis.schemas.prospect import ShortlistRequest

router = APIRouter(tags=["shortlists"])

Sharer = Annotated[Principal, Depends(require(*SHORTLIST_ROLES))]
ShortlistId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/api/v1/shortlists", status_code=201)
def post_shortlist(
    body: ShortlistRequest, session: SessionDep, settings: SettingsDep, principal: Sharer
) -> JSONResponse:
    """Make a confidential link for one prospect; the token is in this answer only."""
    new = create_shortlist(
        session,
        principal,
        settings,
        sites=list(body.sites),
        prospect=body.prospect,
        lang=body.lang,
        days=body.days,
    )
    session.commit()
    out = shortlist_json(session, new.row, token=new.token)
    return JSONResponse(
        out, status_code=201, headers={"Location": f"/api/v1/shortlists/{new.row.id}"}
    )


@router.get("/api/v1/shortlists/{shortlist_id}")
def read_shortlist(
    shortlist_id: ShortlistId, session: SessionDep, principal: Sharer
) -> dict[str, Any]:
    """A shortlist, with how many times and when its link was last opened."""
    return shortlist_json(session, get_shortlist(session, shortlist_id, principal))


@router.delete("/api/v1/shortlists/{shortlist_id}")
def delete_shortlist(
    shortlist_id: ShortlistId, session: SessionDep, principal: Sharer
) -> dict[str, Any]:
    """Revoke a shortlist: its link answers 404 from now on."""
    row = revoke_shortlist(session, shortlist_id, principal)
    session.commit()
    return shortlist_json(session, row)


@router.get("/p/{token}", response_class=HTMLResponse, include_in_schema=False)
def shortlist_page(
    token: Annotated[str, Path(max_length=100)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    download: Annotated[Literal["0", "1", "true", "false"] | None, Query()] = None,
    f: Annotated[Literal["html", "pdf"], Query()] = "html",
) -> Response:
    """The prospect's page: only the shortlist's sites, their sheets and a map."""
    offline = download in ("1", "true")
    what = "pdf" if f == "pdf" else "download" if offline else "page"
    row = open_shortlist(session, token, what=what, user_agent=request.headers.get("user-agent"))
    session.commit()
    pack = build_pack(session, row, settings, base_url=str(request.base_url), token=token)
    headers = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
    if f == "pdf":
        resp: Response = pdf_response(pack_pdf(pack, token=token), "parkgis-shortlist.pdf")
    else:
        resp = html_page(pack_html(pack, token=token, download=offline))
        if offline:
            headers["Content-Disposition"] = 'attachment; filename="parkgis-shortlist.html"'
    resp.headers.update(headers)
    return resp
