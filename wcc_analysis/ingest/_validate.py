"""Run a pandera schema and turn its failures into one actionable InputDataError.

``validate(df, schema, file=...)`` is used by every ingest module (CSV and
spreadsheet alike). The frame carries a ``source_row`` column: the 1-based
line/row number in the original file, as a person sees it when opening it.
On failure the error names the file, that row, the column as headed in the
file, the bad value and a fix, and says how many other problems there are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError

DEFAULT_FIX = "correct the value in the file (or replace the file with the published original) and run again"
#: What publishers write for a value they do not give (GSS: [x] not available, [z] not applicable, [c]
#: confidential, [u] low reliability; "..", "…", "-", ":" and "Category discontinued" in older tables): a missing
#: value, never bad input.
PUBLISHED_PLACEHOLDER = re.compile(r"^(\[[a-z]\]|\.{2,3}|…|-|:|n/a|category discontinued)$", re.IGNORECASE)

_UNIQUENESS_CHECKS = ("multiple_fields_uniqueness", "field_uniqueness")


def _file_name(file: str | Path) -> str:
    return paths.relative_to_root(file) if isinstance(file, Path) else str(file)


def _describe_check(check: str) -> str:
    """A plain-English reading of a pandera check name."""
    rules = [
        (r"^greater_than_or_equal_to\((.*)\)$", "must be at least {0}"),
        (r"^greater_than\((.*)\)$", "must be greater than {0}"),
        (r"^less_than_or_equal_to\((.*)\)$", "must be at most {0}"),
        (r"^less_than\((.*)\)$", "must be less than {0}"),
        (r"^in_range\((.*)\)$", "must be in the range {0}"),
        (r"^isin\((.*)\)$", "must be one of {0}"),
        (r"^str_matches\('?(.*?)'?\)$", "must match the pattern {0}"),
        (r"^equal_to\((.*)\)$", "must equal {0}"),
        (r"^not_nullable$", "must not be blank"),
        (r"^str_length\(1, None\)$", "must not be blank"),
        (r"^str_length\((\d+), None\)$", "must be at least {0} characters long"),
        (r"^str_length\(None, (\d+)\)$", "must be at most {0} characters long"),
        (r"^str_length\((\d+), (\d+)\)$", "must be {0} to {1} characters long"),
        (r"^dtype\('?(.*?)'?\)$", "must be of type {0}"),
    ]
    for pattern, text in rules:
        match = re.match(pattern, check)
        if match:
            return text.format(*match.groups())
    return f"fails the check {check!r}"


def _fix_for(fix: str | Mapping[str, str] | None, column: str | None) -> str:
    if isinstance(fix, Mapping):
        return fix.get(column or "", fix.get("*", DEFAULT_FIX))
    return fix or DEFAULT_FIX


def _row_of(work: pd.DataFrame, index: Any, row_column: str) -> int | None:
    if index is None or (isinstance(index, float) and pd.isna(index)):
        return None
    try:
        position = int(index)
    except (TypeError, ValueError):
        return None
    if row_column in work.columns and 0 <= position < len(work):
        value = work[row_column].iloc[position]
        return None if pd.isna(value) else int(value)
    return None


def _unique_sets(schema: pa.DataFrameSchema) -> list[list[str]]:
    sets: list[list[str]] = []
    if schema.unique:
        unique = schema.unique
        sets.append([unique] if isinstance(unique, str) else list(unique))
    for name, column in schema.columns.items():
        if getattr(column, "unique", False):
            sets.append([name])
    return sets


def _check_duplicates(
    work: pd.DataFrame,
    key: list[str],
    *,
    file: str,
    sheet: str | None,
    row_column: str,
    headers: Mapping[str, str],
    fix: str | Mapping[str, str] | None,
) -> InputDataError | None:
    present = [c for c in key if c in work.columns]
    if len(present) != len(key) or work.empty:
        return None
    dup = work.duplicated(subset=key, keep=False) & work[key].notna().all(axis=1)  # blanks: nullable check
    if not dup.any():
        return None
    groups = work[dup].groupby(key, dropna=False, sort=False)
    first_rows: list[tuple[int, int, tuple]] = []
    for values, group in groups:
        rows = [_row_of(work, i, row_column) for i in group.index]
        rows = sorted(r for r in rows if r is not None) or [int(group.index[0]), int(group.index[1])]
        first_rows.append((rows[1], rows[0], values if isinstance(values, tuple) else (values,)))
    first_rows.sort()
    second, first, values = first_rows[0]
    shown = ", ".join(f"{headers.get(c, c)}={v!r}" for c, v in zip(key, values, strict=True))
    others = len(first_rows) - 1
    problem = (
        f"duplicate key ({shown}): rows {first} and {second} describe the same thing"
        + (f" ({others} other duplicated key(s) in the file)" if others else "")
    )
    return InputDataError(
        file,
        problem,
        row=second,
        column=headers.get(key[0], key[0]),
        sheet=sheet,
        fix=_fix_for(fix, key[0]) if isinstance(fix, Mapping) else "keep one row per key and delete the other",
    )


def validate(
    df: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    file: str | Path,
    sheet: str | None = None,
    row_column: str = "source_row",
    headers: Mapping[str, str] | None = None,
    fix: str | Mapping[str, str] | None = None,
    found_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; return the validated frame or raise InputDataError.

    ``headers`` maps the frame's column names to the headers as written in the
    file (for messages); ``fix`` is one hint, or a mapping column → hint (key
    ``"*"`` for the default); ``found_columns`` lists the headers found in the
    file, shown when a required column is missing (defaults to df's columns).
    """
    file = _file_name(file)
    headers = dict(headers or {})
    work = df.reset_index(drop=True)

    missing = [
        name
        for name, column in schema.columns.items()
        if getattr(column, "required", True) and name not in work.columns
    ]
    if missing:
        found = list(found_columns) if found_columns is not None else [
            headers.get(c, c) for c in work.columns if c != row_column
        ]
        shown = ", ".join(repr(headers.get(m, m)) for m in missing)
        raise InputDataError(
            file,
            f"missing column(s) {shown}; columns found: {', '.join(repr(str(c)) for c in found)}",
            column=headers.get(missing[0], missing[0]),
            sheet=sheet,
            fix="check this is the right file and that its header row is unchanged "
            "(column names must match the published file)",
        )

    for key in _unique_sets(schema):
        error = _check_duplicates(
            work, key, file=file, sheet=sheet, row_column=row_column, headers=headers, fix=fix
        )
        if error is not None:
            raise error

    try:
        validated = schema.validate(work, lazy=True)  # uniqueness was checked above
    except pa.errors.SchemaErrors as exc:
        error = _first_failure(exc.failure_cases, work, file, sheet, row_column, headers, fix)
        if error is not None:
            raise error from None
        validated = work  # pandera's only complaint was blank keys counted as duplicates
    except pa.errors.SchemaError as exc:  # raised eagerly for some frame-level problems
        raise InputDataError(file, str(exc), sheet=sheet, fix=_fix_for(fix, None)) from None
    validated.index = df.index
    return validated


def _first_failure(
    cases: pd.DataFrame,
    work: pd.DataFrame,
    file: str,
    sheet: str | None,
    row_column: str,
    headers: Mapping[str, str],
    fix: str | Mapping[str, str] | None,
) -> InputDataError | None:
    cases = cases[~cases["check"].astype(str).isin(_UNIQUENESS_CHECKS)].copy()
    if cases.empty:  # uniqueness is checked by _check_duplicates (which ignores blank keys)
        return None
    cases["_row"] = [_row_of(work, i, row_column) for i in cases["index"]]
    cases["_has_row"] = cases["_row"].notna()
    # Row-level failures first (in file order); whole-column failures after.
    cases = cases.sort_values(["_has_row", "_row"], ascending=[False, True], na_position="last")
    first = cases.iloc[0]
    column = first["column"]
    column = None if column is None or (isinstance(column, float) and pd.isna(column)) else str(column)
    value = first["failure_case"]
    check = str(first["check"])
    row = None if pd.isna(first["_row"]) else int(first["_row"])
    if row is None and first["index"] is not None and not pd.isna(first["index"]):
        where = f"record {int(first['index']) + 1}: "
    else:
        where = ""
    others = len(cases) - 1
    blank = value is None or (isinstance(value, str) and not value.strip()) or (
        not isinstance(value, str) and pd.isna(value))
    described = _describe_check(check)
    if blank and described == "must not be blank":
        problem = f"{where}the cell is blank; this column must be filled in"
    else:
        shown_value = "a blank" if blank else repr(value.item() if isinstance(value, np.generic) else value)
        problem = f"{where}value {shown_value} {described}"  # -5.0, never np.float64(-5.0)
    if others:
        problem += f" ({others} other problem(s) found in this file)"
    return InputDataError(
        file,
        problem,
        row=row,
        column=headers.get(column, column) if column else None,
        sheet=sheet,
        fix=_fix_for(fix, column),
    )


def read_csv(path: str | Path, *, what: str = "file") -> pd.DataFrame:
    """Read a published CSV as text, adding ``source_row`` (the line each record starts on; header = row 1).

    Read strictly (:func:`wcc_analysis.ingest.text_files.read_csv_text`): UTF-8, Windows-1252 or Mac Roman, the
    encoding kept in ``frame.attrs["encoding"]``; a missing, empty, UTF-16 or cut-short file is an InputDataError.
    Rows shorter than the header are padded with blanks, as published files end rows early.
    """
    from wcc_analysis.ingest.text_files import read_csv_text

    path = Path(path)
    if not path.is_file():
        raise InputDataError(path, f"{what} not found",
                             fix="restore the file from the source named in data/raw/public/SOURCES.md")
    text = read_csv_text(path, ragged=False)
    header, *records = text.records
    width = len(header)
    if any(len(r) > width for r in records if any(f.strip() for f in r)):
        line = next(n for r, n in zip(records, text.lines[1:], strict=True) if len(r) > width and any(f.strip() for f in r))
        raise InputDataError(path, f"row {line} has more columns than the header ({width})", row=line,
                             fix="replace it with the published original (see data/raw/public/SOURCES.md)")
    rows = [r + [""] * (width - len(r)) for r in records]
    frame = pd.DataFrame(rows, columns=[str(c).strip() for c in header], dtype=str)
    frame = frame.mask(frame.eq(""))  # blanks are missing, as pandas reads them
    frame["source_row"] = text.lines[1:]
    frame.attrs["encoding"] = text.encoding_name
    return frame


def coerce_numeric(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    file: str | Path,
    integer: bool = False,
    sheet: str | None = None,
    row_column: str = "source_row",
    headers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Turn text columns into numbers; the first cell that is not a number is an InputDataError.

    Blank cells become NaN (let the schema decide whether blanks are allowed);
    thousands separators (``"1,234"``) are accepted. With ``integer=True`` a
    value with a fraction is an error too; whole columns become ``Int64``.
    """
    file = _file_name(file)
    headers = dict(headers or {})
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            continue  # reported as a missing column by validate()
        text = frame[column].astype("string").str.strip().str.replace(",", "", regex=False)
        text = text.mask(text.str.fullmatch(PUBLISHED_PLACEHOLDER.pattern, case=False).fillna(False).astype(bool))
        numbers = pd.to_numeric(text, errors="coerce")
        bad = numbers.isna() & text.notna() & (text != "")
        kind = "a whole number" if integer else "a number"
        if integer:
            bad |= numbers.notna() & (numbers != numbers.round())
        if bad.any():
            position = int(np.flatnonzero(bad.to_numpy())[0])
            row = frame[row_column].iloc[position] if row_column in frame.columns else None
            raise InputDataError(
                file, f"value {frame[column].iloc[position]!r} is not {kind}",
                row=None if row is None else int(row), column=headers.get(column, column), sheet=sheet,
                fix=f"enter {kind} in this cell (or restore the published file)",
            )
        frame[column] = numbers.astype("Int64") if integer else numbers.astype(float)
    return frame
