"""USCC check characters (GB 32100-2015), in Python and in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from parkgis.uscc import check_char, is_valid_uscc, uscc_problem

# Codes published by real firms on their business licences.
PUBLISHED = [
    "9144030071526726XG",  # Tencent (Shenzhen)
    "914403001922038216",  # Huawei Technologies
    "91330100716105852F",  # Alibaba (China)
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass(code: str, conn: Connection) -> None:
    assert is_valid_uscc(code)
    assert conn.execute(text("SELECT parkgis_uscc_valid(:c)"), {"c": code}).scalar() is True


@pytest.mark.parametrize("code", PUBLISHED)
def test_changed_last_character_fails(code: str, conn: Connection) -> None:
    for other in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if other == code[-1]:
            continue
        bad = code[:-1] + other
        assert not is_valid_uscc(bad)
        assert "check character" in (uscc_problem(bad) or "")
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert conn.execute(text("SELECT parkgis_uscc_valid(:c)"), {"c": bad}).scalar() is False


def test_shape_errors() -> None:
    assert "18 characters" in (uscc_problem("1234") or "")
    assert "not allowed" in (uscc_problem("91440300715267260I") or "")
    with pytest.raises(ValueError):
        check_char("123")


def test_sql_and_python_agree(conn: Connection) -> None:
    import random

    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    codes = ["".join(rng.choice(alphabet) for _ in range(18)) for _ in range(300)]
    codes += [c[:17] + check_char(c[:17]) for c in codes[:100]]
    rows = conn.execute(
        text("SELECT c, parkgis_uscc_valid(c) FROM unnest(CAST(:cs AS text[])) AS c"),
        {"cs": codes},
    ).all()
    assert {c: v for c, v in rows} == {c: is_valid_uscc(c) for c in codes}
    assert sum(v for _, v in rows) >= 100
