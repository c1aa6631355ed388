"""Every code has a zh and an en name; addresses and money read well in English."""

from __future__ import annotations

import re

import pytest

from parkgis.demo.names import INDUSTRY_CODES
from parkgis.demo.texts import OFFICER_TITLES, OFFICER_UNITS, REQUESTS
from parkgis.features.allowed import ALLOWED
from parkgis.models.base import (
    ALL_PROJECT_STAGES,
    PARCEL_STATUSES,
    REQUEST_CATEGORIES,
    REQUEST_STATUSES,
    SPACE_STATUSES,
    VISIT_KINDS,
)
from parkgis.pages.codes import VOCABULARIES, address_en, code_label, code_table

HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize(
    ("vocabulary", "codes"),
    [
        ("parcel_status", PARCEL_STATUSES),
        ("space_status", SPACE_STATUSES),
        ("project_stage", ALL_PROJECT_STAGES),
        ("request_status", REQUEST_STATUSES),
        ("request_category", REQUEST_CATEGORIES),
        ("visit_kind", VISIT_KINDS),
        ("industry_code", tuple(c for cs in INDUSTRY_CODES.values() for c in cs)),
    ],
)
def test_every_code_has_both_names(vocabulary: str, codes: tuple[str, ...]) -> None:
    table = code_table()[vocabulary]
    for code in codes:
        zh, en = table[code]
        assert HAN.search(zh), (vocabulary, code)
        assert en and not HAN.search(en) and en != code, (vocabulary, code)


def test_every_table_row_is_complete() -> None:
    for vocabulary in VOCABULARIES:
        rows = code_table()[vocabulary]
        assert rows, vocabulary
        for code, (zh, en) in rows.items():
            assert zh and en and not HAN.search(en), (vocabulary, code)


@pytest.mark.parametrize(
    ("vocabulary", "names"),
    [
        ("department", tuple(dep for dep, _ in REQUESTS.values())),
        ("officer_unit", OFFICER_UNITS),
        ("officer_title", tuple(title for title, _ in OFFICER_TITLES)),
    ],
)
def test_demo_units_and_departments_have_english_names(
    vocabulary: str, names: tuple[str, ...]
) -> None:
    for name in names:
        en = code_label(vocabulary, name, "en")
        assert en != name and not HAN.search(en), name


def test_allowed_filter_values_all_have_names() -> None:
    vocab = {
        ("parcels", "status"): "parcel_status",
        ("parcels", "land_use"): "land_use",
        ("spaces", "status"): "space_status",
        ("enterprises", "industry_chain"): "chain",
        ("projects", "industry_chain"): "chain",
        ("projects", "stage"): "project_stage",
        ("visits", "kind"): "visit_kind",
        ("service_requests", "category"): "request_category",
        ("service_requests", "status"): "request_status",
    }
    assert set(vocab) == set(ALLOWED)
    for key, fn in ALLOWED.items():
        for code in fn():
            assert code in code_table()[vocab[key]], (key, code)


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("肇庆高新区迎宾大道84号", "84 Yingbin Avenue, Zhaoqing Hi-tech Zone"),
        ("二环路12号", "12 Second Ring Road"),
        ("肇庆高新区龙湖路2号厂房3号", "Plant 3, 2 Longhu Road, Zhaoqing Hi-tech Zone"),
        ("北京路1号", None),  # no English name known: the caller keeps the original
        (None, None),
    ],
)
def test_addresses_in_english(zh: str | None, en: str | None) -> None:
    assert address_en(zh) == en
