"""The prospect pages and shortlists through the app, with canary firm data planted."""

from __future__ import annotations

from sqlalchemy import Engine, text

from tests.prospect.zone import CANARIES, Api
from tests.support.pdf import pdf_text


def _clean(body: str) -> None:
    for c in CANARIES:
        assert c not in body, c


def _near(api: Api, **kw: str) -> dict[str, str]:
    z = api.zone
    return {"near_lon": f"{z.lon:.6f}", "near_lat": f"{z.lat:.6f}", "max_distance_m": "1500", **kw}


def test_find_anonymous_public_results(papi: Api) -> None:
    r = papi.client.get("/find", params=_near(papi, kind="any", clear_height_m="5", lang="en"))
    assert r.status_code == 200, r.text
    body = r.text
    _clean(body)
    assert f'data-site="space:{papi.zone.spaces[0]}"' in body
    assert f'data-site="space:{papi.zone.occupied}"' not in body
    assert "Not signed in" in body
    assert 'class="btn hold"' not in body
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_find_in_mu_lists_land(papi: Api) -> None:
    r = papi.client.get("/find", params=_near(papi, kind="parcel", area_min="20", area_unit="mu"))
    assert r.status_code == 200
    assert f'data-site="parcel:{papi.zone.land[0]}"' in r.text
    assert f"/sites/parcel/{papi.zone.land[0]}" in r.text


def test_find_bad_input_is_a_4xx_page(papi: Api) -> None:
    r = papi.client.get("/find", params={"clear_height_m": "high"})
    assert r.status_code == 422
    assert "clear_height_m" in r.text
    r = papi.client.get("/find", params={"enterprise_id": str(papi.zone.canary), "crane_t": "5"})
    assert r.status_code == 403
    _clean(r.text)


def test_find_prefill_from_a_firm_for_staff(papi: Api) -> None:
    r = papi.client.get(
        "/find", params={"enterprise_id": str(papi.zone.canary)}, headers=papi.auth("investment")
    )
    assert r.status_code == 200, r.text
    assert 'id="prefilled"' in r.text
    assert 'value="new_energy_vehicles" selected' in r.text
    assert 'class="btn hold"' in r.text
    _clean(r.text)


def test_sheets_html_and_pdf(papi: Api) -> None:
    z = papi.zone
    r = papi.client.get(f"/sites/parcel/{z.land[0]}", params={"lang": "zh"})
    assert r.status_code == 200
    assert "标准地" in r.text and "300 万元/亩" in r.text
    _clean(r.text)
    assert papi.client.get(f"/sites/space/{z.occupied}").status_code == 404
    assert papi.client.get(f"/sites/parcel/{z.granted}").status_code == 404
    for role in (None, "investment"):
        r = papi.client.get(
            f"/sites/space/{z.spaces[0]}",
            params={"f": "pdf", "lang": "en"},
            headers=papi.auth(role),
        )
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/pdf"
        txt = pdf_text(r.content)
        assert f"PR-{z.tag}-S0" in txt and "Clear height" in txt
        _clean(txt)


def test_compare_page(papi: Api) -> None:
    z = papi.zone
    r = papi.client.get("/compare", params={"sites": f"parcel:{z.land[0]},parcel:{z.land[1]}"})
    assert r.status_code == 200
    assert 'class="diff"' in r.text
    _clean(r.text)
    assert papi.client.get("/compare", params={"sites": f"parcel:{z.land[0]}"}).status_code == 422
    bad = papi.client.get("/compare", params={"sites": f"space:{z.occupied},parcel:{z.land[0]}"})
    assert bad.status_code == 404


def test_shortlist_roles(papi: Api) -> None:
    body = {"sites": [f"parcel:{papi.zone.land[0]}"], "prospect": "Shenzhen Co."}
    assert papi.client.post("/api/v1/shortlists", json=body).status_code == 401
    r = papi.client.post("/api/v1/shortlists", json=body, headers=papi.auth("planner"))
    assert r.status_code == 403
    occupied = {**body, "sites": [f"space:{papi.zone.occupied}"]}
    r = papi.client.post("/api/v1/shortlists", json=occupied, headers=papi.auth("officer"))
    assert r.status_code == 422 and r.json()["field"] == "sites"


def test_shortlist_link_lifecycle(papi: Api, engine: Engine) -> None:
    z = papi.zone
    body = {
        "sites": [f"space:{z.spaces[0]}", f"parcel:{z.land[0]}"],
        "prospect": "<b>深圳</b> prospect",
        "lang": "en",
        "days": 7,
    }
    r = papi.client.post("/api/v1/shortlists", json=body, headers=papi.auth("investment"))
    assert r.status_code == 201, r.text
    _clean(r.text)
    made = r.json()
    token, url = made["token"], made["url"]
    with engine.connect() as c:
        stored = c.execute(
            text("SELECT token_hash FROM shortlists WHERE id = :i"), {"i": made["id"]}
        ).scalar_one()
    assert token not in stored and len(stored) == 64
    page = papi.client.get(url)
    assert page.status_code == 200
    assert "&lt;b&gt;深圳&lt;/b&gt;" in page.text
    assert f"PR-{z.tag}-S0" in page.text and f"PR-{z.tag}-L0" in page.text
    assert f"PR-{z.tag}-L1" not in page.text  # only the shortlist's sites
    assert "/find" not in page.text and "/maps/" not in page.text
    _clean(page.text)
    pack = papi.client.get(url, params={"download": "1"})
    assert pack.headers["content-disposition"].startswith("attachment")
    assert "<script" not in pack.text and "/assets/" not in pack.text
    _clean(pack.text)
    pdf = papi.client.get(url, params={"f": "pdf"})
    txt = pdf_text(pdf.content)
    assert f"PR-{z.tag}-S0" in txt and f"PR-{z.tag}-L0" in txt
    _clean(txt)
    seen = papi.client.get(f"/api/v1/shortlists/{made['id']}", headers=papi.auth("investment"))
    assert seen.json()["opens"] == 3
    other = papi.client.get(f"/api/v1/shortlists/{made['id']}", headers=papi.auth("officer"))
    assert other.status_code == 403
    gone = papi.client.delete(f"/api/v1/shortlists/{made['id']}", headers=papi.auth("investment"))
    assert gone.status_code == 200 and gone.json()["revoked_at"]
    dead = papi.client.get(url)
    assert dead.status_code == 404
    assert f"PR-{z.tag}" not in dead.text
    assert papi.client.get("/p/not-a-token").status_code == 404


def test_expired_link_is_404(papi: Api, engine: Engine) -> None:
    body = {"sites": [f"parcel:{papi.zone.land[1]}"], "prospect": "Expired Ltd"}
    made = papi.client.post("/api/v1/shortlists", json=body, headers=papi.auth("admin")).json()
    assert papi.client.get(made["url"]).status_code == 200
    with engine.begin() as c:
        c.execute(
            text(
                "UPDATE shortlists SET created_at = now() - interval '10 days', "
                "expires_at = now() - interval '1 second' WHERE id = :i"
            ),
            {"i": made["id"]},
        )
    r = papi.client.get(made["url"])
    assert r.status_code == 404 and "Expired Ltd" not in r.text


def test_prospect_map_is_public_safe(papi: Api) -> None:
    z = papi.zone
    for role in (None, "investment", "admin"):
        r = papi.client.get(
            "/maps/prospect", params={"bbox": z.bbox_param, "lang": "en"}, headers=papi.auth(role)
        )
        assert r.status_code == 200
        html = r.text
        _clean(html)
        assert "<img src=x onerror" not in html
        assert "\\u00b7 6 firms" in html  # the chain cluster of six, as a count (JSON)
        assert f"PR-{z.tag}-G" not in html  # granted land is not on offer
    dl = papi.client.get("/maps/prospect", params={"bbox": z.bbox_param, "download": "1"})
    assert dl.headers["content-disposition"].startswith("attachment")
    _clean(dl.text)
    assert len(dl.content) < 3_000_000


def test_find_page_carries_csrf_for_cookie_holds(papi: Api) -> None:
    import re

    from api.csrf import token_for

    tok = papi.tokens["officer"]
    papi.client.cookies.set("parkgis_token", tok)
    try:
        r = papi.client.get("/find", params=_near(papi, clear_height_m="5"))
        m = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', r.text)
        assert m is not None and m.group(1) == token_for(tok)
        body = {"space_id": papi.zone.spaces[1], "holder": "Shenzhen Co.", "days": 3}
        origin = {"Origin": str(papi.client.base_url).rstrip("/")}
        refused = papi.client.post("/api/v1/reservations", json=body, headers=origin)
        assert refused.status_code == 403
        held = papi.client.post(
            "/api/v1/reservations", json=body, headers={**origin, "X-CSRF-Token": m.group(1)}
        )
        assert held.status_code == 201, held.text
    finally:
        papi.client.cookies.clear()
