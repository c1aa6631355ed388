"""Which text encoding a file uses, with the evidence, and three decoded samples.

Shapefiles are the hard case. pyogrio reads a GBK DBF whose language byte is 0x57
("ANSI": the writer's Windows code page) and that has no ``.cpg`` as Latin-1 without any
error (``地铁1号线`` comes back as ``µØÌú1ºÅÏß``). So the order here is:

1. the ``--encoding`` the caller gave;
2. the ``.cpg`` beside the ``.dbf``, but only if the DBF's text decodes with it;
3. the DBF header's language driver id (LDID, byte 29) when it names one code page;
4. a sniff of the text bytes: ASCII, then UTF-8, then GB18030 (a superset of GBK).
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass, field
from pathlib import Path

from parkgis.errors import InvalidInput

LDID_CODEPAGES = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x4D: "gb18030",  # 936 Chinese (PRC, GBK)
    0x4E: "cp949",
    0x4F: "big5",
    0x7A: "gb18030",  # 936 PRC GBK
    0x7B: "cp932",
    0x7D: "cp1255",
    0x7E: "cp1256",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
}
"""DBF language driver ids that name one code page (0x00 none and 0x57 "ANSI" do not)."""

SNIFF_RECORDS = 5000
"""Records of a DBF read to sniff its encoding."""


@dataclass
class EncodingChoice:
    """The encoding chosen for a file's text, and why."""

    name: str
    evidence: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-able form for the report."""
        return {"name": self.name, "evidence": self.evidence, "samples": self.samples}


def normalise(name: str, *, field_name: str = "encoding") -> str:
    """A Python codec name for ``name`` (GBK and CP936 widen to GB18030)."""
    text = name.strip().strip('"').lower().replace("_", "-")
    aliases = {
        "gbk": "gb18030",
        "cp936": "gb18030",
        "936": "gb18030",
        "gb2312": "gb18030",
        "ansi-936": "gb18030",
        "utf8": "utf-8",
        "65001": "utf-8",
        "1252": "cp1252",
        "ansi-1252": "cp1252",
        "latin1": "latin-1",
        "iso-8859-1": "latin-1",
        "ansi-950": "big5",
        "950": "big5",
    }
    text = aliases.get(text, text)
    try:
        return codecs.lookup(text).name
    except (LookupError, ValueError) as exc:
        raise InvalidInput(f"unknown text encoding {name!r}", field=field_name) from exc


def dbf_text_values(dbf: Path, limit: int = SNIFF_RECORDS) -> tuple[int, list[bytes]]:
    """The DBF's language byte and the raw bytes of its non-blank character fields."""
    with dbf.open("rb") as f:
        head = f.read(32)
        if len(head) < 32:
            raise InvalidInput(f"{dbf.name}: not a DBF file (header too short)", field="file")
        n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
        ldid = head[29]
        fields: list[tuple[int, int]] = []  # (offset in record, length) of C fields
        offset = 1  # deletion flag
        desc = f.read(max(header_len - 32, 0))
        for i in range(0, len(desc) - 31, 32):
            d = desc[i : i + 32]
            if d[0] == 0x0D:
                break
            length = d[16]
            if d[11:12] in (b"C", b"M"):
                fields.append((offset, length))
            offset += length
        f.seek(header_len)
        values: list[bytes] = []
        for _ in range(min(n_records, limit)):
            rec = f.read(record_len)
            if len(rec) < record_len:
                break
            for off, length in fields:
                v = rec[off : off + length].rstrip(b" \x00")
                if v:
                    values.append(v)
    return ldid, values


def _decodes(values: list[bytes], enc: str) -> bool:
    try:
        for v in values:
            v.decode(enc)
    except UnicodeDecodeError:
        return False
    return True


def samples(values: list[bytes], enc: str, n: int = 3) -> list[str]:
    """Up to ``n`` distinct decoded values, non-ASCII ones first."""
    ordered = [v for v in values if max(v) >= 0x80] + [v for v in values if max(v) < 0x80]
    out: list[str] = []
    for v in ordered:
        text = v.decode(enc, errors="replace")
        if text not in out:
            out.append(text)
        if len(out) == n:
            break
    return out


def sniff(values: list[bytes], evidence: list[str]) -> str:
    """ASCII → UTF-8 → GB18030 → Latin-1, recording in ``evidence`` what was tried."""
    high = [v for v in values if max(v) >= 0x80]
    if not high:
        evidence.append("every text value is ASCII")
        return "utf-8"
    if _decodes(high, "utf-8"):
        evidence.append(f"{len(high)} non-ASCII values all decode as UTF-8")
        return "utf-8"
    evidence.append("non-ASCII values are not valid UTF-8")
    if _decodes(high, "gb18030"):
        evidence.append(f"{len(high)} non-ASCII values all decode as GB18030 (GBK)")
        return "gb18030"
    evidence.append("nor GB18030; falling back to Latin-1")
    return "latin-1"


def detect_dbf(shp: Path, given: str | None = None) -> EncodingChoice:
    """Choose the encoding of a shapefile's DBF (see the module docstring for the order)."""
    dbf = next((p for p in shp.parent.glob(shp.stem + ".*") if p.suffix.lower() == ".dbf"), None)
    if dbf is None:
        raise InvalidInput(f"{shp.name}: the .dbf is missing", field="file")
    ldid, values = dbf_text_values(dbf)
    evidence: list[str] = []
    if given:
        enc = normalise(given)
        evidence.append(f"given by --encoding ({given})")
        if not _decodes(values, enc):
            evidence.append(f"warning: some values do not decode as {enc}")
        return EncodingChoice(enc, evidence, samples(values, enc))
    cpg = next((p for p in shp.parent.glob(shp.stem + ".*") if p.suffix.lower() == ".cpg"), None)
    if cpg is not None:
        claim = cpg.read_text(encoding="ascii", errors="replace").strip()
        try:
            enc = normalise(claim, field_name="file")
        except InvalidInput:
            evidence.append(f".cpg says {claim!r}, which is not a known encoding")
        else:
            if _decodes(values, enc):
                evidence.append(f".cpg says {claim}")
                return EncodingChoice(enc, evidence, samples(values, enc))
            evidence.append(f".cpg says {claim}, but the DBF text does not decode as {enc}")
    else:
        evidence.append("no .cpg")
    if ldid in LDID_CODEPAGES:
        enc = LDID_CODEPAGES[ldid]
        if _decodes(values, enc):
            evidence.append(f"DBF language byte 0x{ldid:02X} = {enc}")
            return EncodingChoice(enc, evidence, samples(values, enc))
        evidence.append(f"DBF language byte 0x{ldid:02X} = {enc}, but the text does not decode")
    elif ldid == 0x57:
        evidence.append("DBF language byte 0x57 (ANSI: the writer's code page, unknown)")
    else:
        evidence.append(f"DBF language byte 0x{ldid:02X} names no code page")
    enc = sniff(values, evidence)
    return EncodingChoice(enc, evidence, samples(values, enc))


def detect_text(raw: bytes, given: str | None = None) -> EncodingChoice:
    """Choose the encoding of a text file (CSV) from its bytes."""
    lines = [ln for ln in raw.splitlines()[:SNIFF_RECORDS] if ln.strip()]
    if given:
        enc = normalise(given)
        return EncodingChoice(enc, [f"given by --encoding ({given})"], samples(lines[1:], enc))
    if raw.startswith(codecs.BOM_UTF8):
        return EncodingChoice("utf-8-sig", ["UTF-8 byte-order mark"], samples(lines[1:], "utf-8"))
    evidence: list[str] = []
    enc = sniff(lines, evidence)
    return EncodingChoice(enc, evidence, samples(lines[1:], enc))
