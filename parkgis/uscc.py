"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

An 18-character code: registration authority (1), organisation type (1), region (6),
organisation code (9) and a check character computed modulo 31 over the first 17.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a code may use (no I, O, Z, S, V)."""
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

SQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION parkgis_uscc_valid(code text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    alphabet constant text := '{ALPHABET}';
    weights constant int[] := ARRAY{list(WEIGHTS)};
    total int := 0;
    pos int;
    expect int;
BEGIN
    IF code !~ '^[0-9A-HJ-NPQRTUWXY]{{18}}$' THEN
        RETURN false;
    END IF;
    FOR i IN 1..17 LOOP
        pos := strpos(alphabet, substr(code, i, 1)) - 1;
        total := total + pos * weights[i];
    END LOOP;
    expect := (31 - total % 31) % 31;
    RETURN substr(alphabet, expect + 1, 1) = substr(code, 18, 1);
END;
$$;
"""


def check_char(first17: str) -> str:
    """The check character for the first 17 characters of a code.

    Raises
    ------
    ValueError
        When a character is not in :data:`ALPHABET` or the length is not 17.
    """
    if len(first17) != 17:
        raise ValueError("a USCC has 17 characters before its check character")
    total = 0
    for ch, w in zip(first17, WEIGHTS, strict=True):
        idx = ALPHABET.find(ch)
        if idx < 0:
            raise ValueError(f"{ch!r} is not allowed in a USCC")
        total += idx * w
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None when it is."""
    if not isinstance(code, str):
        return "must be a string"
    if len(code) != 18:
        return f"must have 18 characters, has {len(code)}"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return f"contains characters not allowed in a USCC: {''.join(bad)}"
    want = check_char(code[:17])
    if code[17] != want:
        return f"check character is {code[17]!r} but should be {want!r} (GB 32100-2015)"
    return None


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is an 18-character USCC with a correct check character."""
    return uscc_problem(code) is None
