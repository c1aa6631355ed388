"""Valid, unique unified social credit codes (USCC, GB 32100-2015) for test firms."""

from __future__ import annotations

import itertools
import secrets

from parkgis.uscc import check_char

# One sequence per test process, from a random start: codes never repeat within a run and
# are unlikely to meet committed rows left by another run of the same database.
_seq = itertools.count(10**8 + secrets.randbelow(8 * 10**8))


def uscc(n: int | None = None) -> str:
    """A valid USCC: ``91`` + region ``441200`` + nine digits + the check character.

    Parameters
    ----------
    n
        The nine-digit serial (0 to 999,999,999), for a code a test can repeat; ``None`` takes
        the next of this run's sequence (serials from 100,000,000 up, so numbers below that
        never collide with it).
    """
    n = next(_seq) if n is None else n
    body = f"91441200{n:09d}"
    return body + check_char(body)
