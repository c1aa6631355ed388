"""Map a file's columns to a target's fields, cast them, and list each row's problems."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from parkgis.errors import InvalidInput
from parkgis.io.targets import AREA_SYNONYMS, Field, Target
from parkgis.models.base import PARCEL_STATUSES
from parkgis.models.context import LANDMARK_SUBTYPES
from parkgis.uscc import uscc_problem

TRUE = {"true", "t", "yes", "y", "1", "是", "对", "有"}
FALSE = {"false", "f", "no", "n", "0", "否", "无"}


@dataclass
class Problem:
    """One thing wrong with one feature (``row`` is 1-based) or with the whole file."""

    row: int | None
    field: str | None
    code: str
    message: str
    severity: str = "error"
    location: list[float] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for the report (``location`` is lon/lat, EPSG:4326)."""
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        return out


def fold(name: str) -> str:
    """Column name folded for matching: lower case, without spaces, ``_`` and ``-``."""
    return re.sub(r"[\s_\-]+", "", str(name).strip().lower())


@dataclass
class Mapping:
    """Which file column fills each target field, and what was left over."""

    mapped: dict[str, str] = field(default_factory=dict)
    set_values: dict[str, Any] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    area_source: str | None = None
    id_source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for the report."""
        return {
            "mapped": self.mapped,
            "set": self.set_values,
            "unmapped": self.unmapped,
            "missing_required": self.missing_required,
            "area_column": self.area_source,
        }


def parse_pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """``["a=b", ...]`` → ``{"a": "b"}``; anything else is an error naming ``option``."""
    out: dict[str, str] = {}
    for item in items or []:
        left, sep, right = item.partition("=")
        if not sep or not left.strip():
            raise InvalidInput(f"{item!r} is not target=value", field=option)
        out[left.strip()] = right.strip()
    return out


def plan(
    tgt: Target,
    columns: list[str],
    *,
    overrides: dict[str, str],
    sets: dict[str, str],
    key: str | None,
) -> Mapping:
    """Decide the mapping (``--map`` first, then names and synonyms), before reading rows.

    ``--map target=`` (nothing after ``=``) leaves ``target`` unfilled even when a column
    of that name exists.
    """
    m = Mapping()
    names = set(tgt.names)
    for t, s in overrides.items():
        if t not in names and t != "id":
            raise InvalidInput(
                f"--map {t}={s}: {tgt.kind} have no field {t!r}; fields: {', '.join(tgt.names)}",
                field="map",
            )
        if s and s not in columns:
            raise InvalidInput(
                f"--map {t}={s}: the file has no column {s!r}; columns: {', '.join(columns)}",
                field="map",
            )
    for t in sets:
        if t not in names:
            raise InvalidInput(
                f"--set {t}: {tgt.kind} have no field {t!r}; fields: {', '.join(tgt.names)}",
                field="set",
            )
    folded = {fold(c): c for c in reversed(columns)}
    used: set[str] = set()
    for f in tgt.fields:
        if f.name in sets or overrides.get(f.name) == "":
            continue  # ``--map field=`` leaves the field unfilled
        src = overrides.get(f.name)
        if src is None:
            for cand in (f.name, *f.synonyms):
                c = folded.get(fold(cand))
                if c is not None and c not in used:
                    src = c
                    break
        if src is None:
            # A shapefile cuts names to 10 characters (holder_enterprise_id → holder_ent).
            cut = [c for c in columns if len(c) == 10 and f.name.startswith(c) and c not in used]
            src = cut[0] if len(cut) == 1 else None
        if src is not None:
            m.mapped[f.name] = src
            used.add(src)
    if key == "id" or "id" in overrides:
        src = overrides.get("id") or folded.get("id")
        if src is None:
            raise InvalidInput("--key id needs an id column in the file", field="key")
        m.id_source = src
        used.add(src)
    if tgt.area_field:
        m.area_source = next(
            (
                folded[fold(a)]
                for a in AREA_SYNONYMS
                if fold(a) in folded and folded[fold(a)] not in used
            ),
            None,
        )
        if m.area_source:
            used.add(m.area_source)
    m.set_values = dict(sets)
    m.unmapped = [c for c in columns if c not in used]
    m.missing_required = [
        f.name for f in tgt.fields if f.required and f.name not in m.mapped and f.name not in sets
    ]
    return m


def _text(series: pd.Series) -> pd.Series:
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        # Fast path for text columns (what GDAL gives): strip (Unicode whitespace, as
        # str.strip), and blanks become None, in Arrow rather than string by string.
        arr = pa.array(series.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
        return pd.Series(arr.to_numpy(zero_copy_only=False), index=series.index, dtype=object)

    def conv(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, datetime | date):
            v = v.isoformat()
        text = str(v).strip()
        return text or None

    return series.map(conv).astype(object)


def _dates(text: pd.Series) -> pd.Series:
    cleaned = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    parsed = pd.to_datetime(cleaned, errors="coerce", format="%Y-%m-%d")
    retry = parsed.isna() & cleaned.notna()
    if retry.any():
        parsed[retry] = pd.to_datetime(cleaned[retry], errors="coerce", format="ISO8601")
    return parsed


INT64_MAX = float(2**63)


def cast_column(f: Field, raw: pd.Series, rows: np.ndarray, problems: list[Problem]) -> pd.Series:
    """Values of one field, cast; cast failures and range errors go to ``problems``.

    Returns a Series on a 0-based index: ``object`` of str/None for text and JSON, float64
    (NaN for none) for numbers, ``Int64`` for integers, ``datetime64`` (NaT for none) for
    dates and ``object`` of True/False/None for yes/no (see :func:`to_arrow`).
    """
    types = pd.api.types
    raw = raw.reset_index(drop=True)
    fast_num = f.kind in ("int", "float") and (
        types.is_numeric_dtype(raw) and not types.is_bool_dtype(raw)
    )
    fast_date = f.kind == "date" and (
        types.is_datetime64_any_dtype(raw)
        or types.infer_dtype(raw, skipna=True) in ("date", "datetime", "datetime64")
    )
    # Typed columns (GDAL's numbers and dates) skip the text round trip.
    text = raw if fast_num or fast_date else _text(raw)
    present = text.notna().to_numpy()
    values: pd.Series
    if f.kind in ("int", "float"):
        num = pd.to_numeric(text, errors="coerce").astype(float)
        arr = num.to_numpy()
        bad = present & np.isnan(arr)
        if f.kind == "int":
            whole = np.isfinite(arr) & (np.abs(arr) < INT64_MAX)
            bad |= present & ~np.isnan(arr) & ~(whole & (np.nan_to_num(arr) % 1 == 0))
        if f.min is not None or f.max is not None:
            lo = -np.inf if f.min is None else f.min
            hi = np.inf if f.max is None else f.max
            rng = present & ~bad & ((arr < lo) | (arr > hi))
            for i in np.flatnonzero(rng)[:200]:
                problems.append(
                    Problem(
                        int(rows[i]),
                        f.name,
                        "out_of_range",
                        f"{text.iloc[i]} is outside {f.min}..{f.max}",
                    )
                )
        values = num.where(~bad)
        if f.kind == "int":
            if types.is_integer_dtype(raw):  # exact, also beyond 2**53
                values = raw.astype("Int64").where(~bad)
            else:
                values = values.astype("Int64")
        what = "an integer" if f.kind == "int" else "a number"
    elif f.kind == "bool":
        low = text.str.lower()
        bad = present & ~low.isin(TRUE | FALSE).to_numpy()
        values = low.map(lambda v: None if v is None else (v in TRUE)).astype(object)
        what = "yes/no"
    elif f.kind == "date":
        parsed = pd.to_datetime(text, errors="coerce") if fast_date else _dates(text)
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        bad = present & parsed.isna().to_numpy()
        values = parsed.dt.normalize()
        what = "a date (YYYY-MM-DD)"
    elif f.kind == "json":

        def js(v: Any) -> Any:
            if v is None:
                return None
            try:
                return json.dumps(json.loads(v), ensure_ascii=False)
            except ValueError:
                return float("nan")

        values = text.map(js)
        bad = present & values.map(lambda v: isinstance(v, float)).to_numpy()
        values = values.where(~bad, None)
        what = "JSON"
    else:
        values = text
        bad = np.zeros(len(text), dtype=bool)
        what = "text"
        if f.max_len:
            long = present & (text.str.len().fillna(0).to_numpy() > f.max_len)
            for i in np.flatnonzero(long)[:200]:
                problems.append(
                    Problem(
                        int(rows[i]),
                        f.name,
                        "too_long",
                        f"{text.iloc[i]!r} is longer than {f.max_len}",
                    )
                )
        if f.choices:
            unknown = present & ~text.isin(f.choices).to_numpy()
            for i in np.flatnonzero(unknown)[:200]:
                problems.append(
                    Problem(
                        int(rows[i]),
                        f.name,
                        "unknown_value",
                        f"{text.iloc[i]!r} is not one of {', '.join(f.choices)}",
                    )
                )
    for i in np.flatnonzero(bad)[:200]:
        problems.append(
            Problem(int(rows[i]), f.name, "bad_type", f"{text.iloc[i]!r} is not {what}")
        )
    if bad.any() and values.dtype == object:
        values = values.where(~pd.Series(bad, index=values.index), None)
    if f.required:
        missing = ~present
        for i in np.flatnonzero(missing)[:200]:
            problems.append(Problem(int(rows[i]), f.name, "missing", "required value is empty"))
    return values


def to_arrow(kind: str, values: pd.Series) -> pa.Array:
    """A cast column (see :func:`cast_column`) as an Arrow array, nulls where nothing."""
    if kind == "float":
        return pa.array(values.to_numpy(dtype=float, na_value=np.nan), from_pandas=True)
    if kind == "int":
        return pa.array(values, type=pa.int64(), from_pandas=True)
    if kind == "date":
        stamps = pa.array(values, from_pandas=True)
        return pc.cast(stamps, pa.date32(), safe=False)
    if kind == "bool":
        return pa.array(values.to_numpy(dtype=object), type=pa.bool_(), from_pandas=True)
    return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def cast_batch(
    tgt: Target, m: Mapping, attrs: pd.DataFrame, rows: np.ndarray, problems: list[Problem]
) -> dict[str, pd.Series]:
    """Every mapped or set field of one batch, cast (``rows`` are 1-based feature numbers).

    Also ``id`` (``--key id``), the props column (unmapped columns as JSON text) and
    ``_area`` (the file's area column, m²) when the mapping has them.
    """
    n = len(attrs)
    out: dict[str, pd.Series] = {}
    for f in tgt.fields:
        if f.name in m.mapped:
            out[f.name] = cast_column(f, attrs[m.mapped[f.name]], rows, problems)
        elif f.name in m.set_values:
            one: list[Problem] = []
            value = cast_column(
                f, pd.Series([m.set_values[f.name]], dtype=object), np.array([0]), one
            )
            for p in one:
                problems.append(Problem(None, f.name, p.code, f"--set: {p.message}"))
            out[f.name] = value.iloc[[0] * n].reset_index(drop=True)
    if m.id_source:
        out["id"] = cast_column(
            Field("id", "int", required=True), attrs[m.id_source], rows, problems
        )
    _row_rules(tgt, out, rows, problems)
    if tgt.props_column:
        rest = [c for c in m.unmapped if c in attrs.columns]
        sub = attrs[rest].astype(object).where(attrs[rest].notna(), None) if rest else None
        out[tgt.props_column] = pd.Series(
            [
                json.dumps(
                    {k: _plain(v) for k, v in rec.items() if v is not None}, ensure_ascii=False
                )
                for rec in (sub.to_dict("records") if sub is not None else [{}] * n)
            ],
            dtype=object,
        )
    if m.area_source:
        a = pd.to_numeric(_text(attrs[m.area_source]), errors="coerce")
        out["_area"] = a.astype(float).reset_index(drop=True)
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def _row_rules(
    tgt: Target, out: dict[str, pd.Series], rows: np.ndarray, problems: list[Problem]
) -> None:
    if "uscc" in out and tgt.kind == "enterprises":
        for i, v in enumerate(out["uscc"]):
            if v is not None and (why := uscc_problem(v)):
                problems.append(Problem(int(rows[i]), "uscc", "bad_uscc", f"{v}: {why}"))
    if tgt.kind == "parcels" and "status" in out:
        need = sorted(set(PARCEL_STATUSES) - {"planned", "available"})
        granted = out.get("granted_on")
        undated = np.ones(len(rows), dtype=bool) if granted is None else granted.isna().to_numpy()
        for j in np.flatnonzero(out["status"].isin(need).to_numpy() & undated):
            s = out["status"].iloc[j]
            problems.append(
                Problem(int(rows[j]), "granted_on", "missing", f"status {s!r} needs granted_on")
            )
    if tgt.kind == "context" and "kind" in out:
        sub = out.get("subtype", pd.Series([None] * len(rows), dtype=object))
        for i, (k, s) in enumerate(zip(out["kind"], sub, strict=True)):
            if k == "landmark" and s not in LANDMARK_SUBTYPES:
                problems.append(
                    Problem(
                        int(rows[i]),
                        "subtype",
                        "unknown_value",
                        f"a landmark needs subtype {', '.join(LANDMARK_SUBTYPES)}",
                    )
                )
