"""Lost-update guard: ``If-Match`` / ``version`` preconditions and ETags.

A versioned row's ETag is ``"<version>"``. Changing or deleting one needs the version the
client read, as ``If-Match: "<version>"`` or as a ``version`` field in the body; without
either the change is refused (428), and with a stale one it is refused (412) with the
current version. ``If-Match: *`` says "whatever the current version is" on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parkgis.errors import InvalidInput, PreconditionFailed, PreconditionRequired

_TAG = re.compile(r'^\s*(W/)?"?([^",]*)"?\s*$')


@dataclass(frozen=True)
class Expected:
    """The versions a client says it read; ``versions`` None means any (``If-Match: *``)."""

    versions: frozenset[int] | None
    text: str

    def matches(self, current: int) -> bool:
        """Whether a row at version ``current`` satisfies the precondition."""
        return self.versions is None or current in self.versions


def etag(version: int) -> str:
    """The ETag of a row at ``version``: ``"<version>"`` (with the quotes)."""
    return f'"{version}"'


def parse_if_match(header: str | None) -> Expected | None:
    """Parse an ``If-Match`` header (``"3"``, ``W/"3"``, ``"3", "4"`` or ``*``).

    Tags that are not version numbers can never match (the change gets 412).
    """
    if header is None or not header.strip():
        return None
    text = header.strip()[:200]
    if text == "*":
        return Expected(None, text)
    versions: set[int] = set()
    for part in text.split(","):
        found = _TAG.match(part)
        if found and found.group(2).isdigit() and len(found.group(2)) <= 10:
            versions.add(int(found.group(2)))
    return Expected(frozenset(versions), text)


def expected_version(if_match: str | None, body_version: int | None) -> Expected:
    """The precondition of a change, from the header and/or the body's ``version``.

    Raises
    ------
    PreconditionRequired
        Neither is given (428): without them a change could silently undo someone else's.
    InvalidInput
        Both are given and disagree.
    """
    header = parse_if_match(if_match)
    if header is None and body_version is None:
        raise PreconditionRequired(
            'send the version you read as If-Match: "<version>" (the ETag of the item) or as '
            "a version field; If-Match: * overwrites whatever is there",
            field="If-Match",
        )
    if header is None:
        assert body_version is not None
        return Expected(frozenset({body_version}), f'"{body_version}"')
    if body_version is not None and not header.matches(body_version):
        raise InvalidInput(
            f"If-Match {header.text} and version {body_version} disagree; send one", field="version"
        )
    return header


def check_version(label: str, fid: int, current: int, expected: Expected) -> None:
    """Raise 412 unless ``expected`` matches the row's ``current`` version.

    Raises
    ------
    PreconditionFailed
        With ``current_version`` in its detail, so the client can re-read and retry.
    """
    if not expected.matches(current):
        raise PreconditionFailed(
            f"{label} {fid} was changed by someone else: you sent version {expected.text}, "
            f"the current version is {current}; read it again and re-apply your change",
            field="If-Match",
            current_version=current,
        )
