"""Each query-string dependency of ``api/params.py``, alone on a throwaway app.

(No ``from __future__ import annotations``: FastAPI must see each handler's real
``Depends`` object, which is local to the helper that builds the app.)

As titiler's ``tests/test_dependencies.py`` does: mount one dependency on a bare FastAPI
app with the project's error map, call it, and read back what the handler received. No
database is needed, since the dependencies only parse.
"""

from dataclasses import asdict, dataclass
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from api import params as qp
from api.errors import add_exception_handlers
from api.params import (
    GeometryParams,
    NoParams,
    ProjectQuery,
    from_query,
    openapi_for,
    param,
    project_query,
    read_query,
)
from parkgis.params import parse_bbox, parse_flag, parse_ids, parse_int
from parkgis.settings import Settings
from parkgis.zonetime import Month


@dataclass(frozen=True)
class Sample:
    """Every kind of parser once."""

    officer_id: int | None = param(qp.int_in(1, 99))
    officer_ids: tuple[int, ...] | None = param(qp.ids)
    download: bool = param(qp.flag, default=False)
    month: Month | None = param(qp.month)
    lang: str | None = param(qp.lang)
    format: str = param(qp.one_of("json", "xlsx"), default="json")
    bbox: tuple[float, float, float, float] | None = param(qp.bbox)
    back: bool = param(qp.flag, default=True, alias="return")


def _client(dep: Any) -> TestClient:
    app = FastAPI()
    app.state.settings = Settings()
    add_exception_handlers(app)

    @app.get("/t")
    def handler(value: Annotated[Any, Depends(dep)]) -> Any:
        if isinstance(value, ProjectQuery):
            return {"own": asdict(value.own), "filters": asdict(value.filters)}
        return asdict(value) if hasattr(value, "__dataclass_fields__") else value

    return TestClient(app)


def test_from_query_gives_typed_values_and_defaults() -> None:
    c = _client(from_query(Sample))
    got = c.get(
        "/t",
        params={
            "officer_id": "7",
            "officer_ids": "3, 5",
            "download": "on",
            "month": "2026-11",
            "lang": "EN",
            "format": "XLSX",
            "bbox": "112.6,23.3,112.8,23.4",
            "return": "0",
        },
    ).json()
    assert got == {
        "officer_id": 7,
        "officer_ids": [3, 5],
        "download": True,
        "month": {"year": 2026, "month": 11},
        "lang": "en",
        "format": "xlsx",
        "bbox": [112.6, 23.3, 112.8, 23.4],
        "back": False,
    }
    assert c.get("/t").json() == {
        "officer_id": None,
        "officer_ids": None,
        "download": False,
        "month": None,
        "lang": None,
        "format": "json",
        "bbox": None,
        "back": True,
    }


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"officer_id": "x"}, "officer_id", "not a whole number"),
        ({"officer_id": "100"}, "officer_id", "at most 99"),
        ({"officer_ids": "3,a"}, "officer_ids", "not a whole number"),
        ({"download": "maybe"}, "download", "yes/no"),
        ({"month": "2026-13"}, "month", "month"),
        ({"lang": "fr"}, "lang", "zh, en"),
        ({"format": "pdf"}, "format", "json, xlsx"),
        ({"bbox": "1,2,3"}, "bbox", "4 numbers"),
        ({"bbox": "113,23,112,24"}, "bbox", "greater than"),
        ({"colour": "red"}, "colour", "unknown query parameter"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(
    query: dict[str, str], field: str, words: str
) -> None:
    r = _client(from_query(Sample)).get("/t", params=query)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["field"] == field and words in body["description"]


def test_a_repeated_parameter_is_400() -> None:
    r = _client(from_query(Sample)).get("/t?officer_id=1&officer_id=2")
    assert r.status_code == 400 and "more than once" in r.json()["description"]


def test_no_params_refuses_any_parameter() -> None:
    c = _client(from_query(NoParams))
    assert c.get("/t").status_code == 200
    r = c.get("/t?force=1")
    assert r.status_code == 400 and "takes no query parameters" in r.json()["description"]


def test_geometry_params_normalise_crs_and_repair() -> None:
    c = _client(from_query(GeometryParams))
    got = c.get("/t", params={"crs": "urn:ogc:def:crs:EPSG::3857", "repair": "true"}).json()
    assert got == {"crs": "EPSG:3857", "repair": True}
    r = c.get("/t", params={"crs": "EPSG:abc"})
    assert r.status_code == 422 and r.json()["field"] == "crs"
    r = c.get("/t", params={"repiar": "true"})
    assert r.status_code == 400 and r.json()["field"] == "repiar"


def test_project_query_splits_own_parameters_from_the_filter() -> None:
    @dataclass(frozen=True)
    class Own:
        within_days: int | None = param(qp.int_in(0, 366))

    c = _client(project_query(Own))
    got = c.get("/t", params={"within_days": "30", "stage": "signed", "overdue": "1"}).json()
    assert got["own"] == {"within_days": 30}
    assert got["filters"]["stages"] == ["signed"] and got["filters"]["overdue_only"] is True
    r = c.get("/t", params={"stage": "built"})
    assert r.status_code == 400 and r.json()["field"] == "stage"
    r = c.get("/t", params={"within": "3"})
    assert r.status_code == 400 and r.json()["field"] == "within"


def test_openapi_names_every_parameter_by_its_query_name() -> None:
    names = [p["name"] for p in openapi_for(Sample)["parameters"]]
    assert names == [
        "officer_id",
        "officer_ids",
        "download",
        "month",
        "lang",
        "format",
        "bbox",
        "return",
    ]


def test_a_flag_means_the_same_everywhere() -> None:
    """The maps, the coverage routes and the project filter once disagreed on on/off/""."""
    for word in ("1", "true", "YES", "on"):
        assert parse_flag(word, "f") is True
    for word in ("0", "false", "no", "OFF", ""):
        assert parse_flag(word, "f") is False
    assert parse_ids("4,,5", "ids") == (4, 5)
    assert parse_int("-3", "n", lo=-5) == -3
    assert parse_bbox("112.6,23.3,0,112.8,23.4,10") == (112.6, 23.3, 112.8, 23.4)


def test_read_query_passes_known_names_through() -> None:
    app = FastAPI()
    add_exception_handlers(app)

    @app.get("/t")
    def handler(q: Annotated[dict[str, str], Depends(qp.plain_query(("a", "b")))]) -> Any:
        return q

    c = TestClient(app)
    assert c.get("/t?a=1&b=x").json() == {"a": "1", "b": "x"}
    assert c.get("/t?c=1").status_code == 400
    assert callable(read_query)
