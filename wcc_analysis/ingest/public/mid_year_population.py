"""ONS mid-year population estimates per local authority (England and Wales, 2023 boundaries).

Two published files, read as published and found by their labels, never by position:

- ``mye23tablesew.xlsx`` — ONS "Mid-Year Population Estimates, England and Wales, June 2023"
  (published 15 July 2024). Sheets used: ``MYE4`` (totals mid-2011 … mid-2023, the
  census-2021-rebased series), ``MYE2 - Persons`` (single year of age, mid-2023) and
  ``MYE5`` (area in sq km and people per sq km). Each sheet has title and feedback
  lines above its header; the header is the row holding the cells ``Code``, ``Name``
  and ``Geography``; the year columns are the cells ``Mid-YYYY`` (MYE4), the age
  columns ``0`` … ``89`` and ``90+`` (MYE2), and ``Area (sq km)``,
  ``Estimated Population mid-2023`` and ``2023 people per sq. km`` (MYE5).
- ``mye24tablesew.csv`` — the ``MYE2 - Persons`` sheet of the mid-2024 release (2023
  boundaries), saved as CSV (UTF-8 with BOM): ``Code, Name, Geography, All ages, 0 … 90+``.

Which areas are kept: the rows whose ``Geography`` is a local authority district
(``Non-metropolitan District``, ``Unitary Authority``, ``Metropolitan District``,
``London Borough``: ``level == "district"``) or a shire county (``County``:
``level == "county"``, the upper-tier councils, whose population is the sum of their
districts'). Countries (England, Wales, England and Wales), regions and metropolitan
counties (no council since 1986) are left out; the country rows are used only to check
that the districts of each country add up to the country's published total, every year.

Checks across sheets (each an InputDataError naming the file, sheet, row and column):
MYE2 ``All ages`` = MYE4 ``Mid-2023`` and MYE5 population = MYE4 for every area; the
single years of age add up to ``All ages`` (both releases); the published density is
population / area to the published rounding (whole persons per sq km); both releases
hold the same areas.

The mid-2024 file revises nothing: it holds mid-2024 only, so the two sources never
give a figure for the same area and year (``source`` says which one each row is from). Should
a later workbook also hold mid-2024, the two must agree and the workbook's row is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate

MYE23_PATH = Path("ons_mye_mid2023_tables") / "mye23tablesew.xlsx"
MYE24_PATH = Path("ons_mye2_mid2024_librarieshacked") / "mye24tablesew.csv"

SHEET_TOTALS = "MYE4"
SHEET_AGES = "MYE2 - Persons"
SHEET_DENSITY = "MYE5"

#: The mid-year of the CSV (the file itself does not say; see its PROVENANCE.md).
MID2024_YEAR = 2024

SOURCE_MYE4 = "ONS MYE mid-2023, MYE4"
SOURCE_MYE2_2023 = "ONS MYE mid-2023, MYE2"
SOURCE_MYE2_2024 = "ONS MYE mid-2024, MYE2"

#: ONS ``Geography`` label → the level kept in the tables (None: an aggregate, left out).
GEOGRAPHY_LEVEL: dict[str, str | None] = {
    "Non-metropolitan District": "district",
    "Unitary Authority": "district",
    "Metropolitan District": "district",
    "London Borough": "district",
    "County": "county",
    "Metropolitan County": None,
    "Region": None,
    "Country": None,
}
#: Country rows whose total the districts must add up to.
COUNTRY_TOTALS = {"E92000001": "E", "W92000004": "W"}

ID_HEADERS = {"ons_code": "Code", "name": "Name", "geography": "Geography"}
ALL_AGES = "All ages"
OLDEST = "90+"
UNDER_16 = range(0, 16)   # ages 0–15
FROM_65 = range(65, 90)   # ages 65–89, plus the 90+ column
AREA = "Area (sq km)"
CODE_RE = re.compile(r"^[EWKSN]\d{8}$")
MID_YEAR_RE = re.compile(r"^mid-(\d{4})$", re.IGNORECASE)
#: The published density is a whole number: population / area within half a person per sq km.
DENSITY_TOLERANCE = 0.5 + 1e-9

COLUMNS = ["ons_code", "name", "geography", "level", "year", "population", "source"]
STRUCTURE_COLUMNS = [
    "ons_code", "name", "geography", "level", "year", "population", "under_16", "aged_65_plus",
    "share_under_16", "share_65_plus", "area_km2", "density_per_km2", "density_derived", "source",
]

ID_SCHEMA = {
    "ons_code": pa.Column(str, pa.Check.str_matches(CODE_RE.pattern), unique=True),
    "name": pa.Column(str, pa.Check.str_length(min_value=1)),
    "geography": pa.Column(str, pa.Check.isin(list(GEOGRAPHY_LEVEL))),
}
FIX = "restore the published ONS file (see the PROVENANCE.md beside it in data/raw/public/)"


#: ONS names its workbook of mid-year estimates ``mye<YY>tablesew.xlsx``, YY the latest mid-year it holds.
WORKBOOK_NAME = re.compile(r"^mye(\d{2})tablesew\.xlsx$", re.IGNORECASE)


def default_paths() -> tuple[Path, Path]:
    """The newest ONS mid-year estimates workbook in its folder (``mye<YY>tablesew.xlsx``: a file added with
    ``wcc-analysis data add`` is picked up by its name), and the mid-2024 MYE2 CSV, in data/raw/public."""
    root = paths.raw_public_dir()
    folder = root / MYE23_PATH.parent
    found = sorted((int(m.group(1)), p) for p in folder.glob("*.xlsx") if (m := WORKBOOK_NAME.match(p.name)))
    workbook = found[-1][1] if found else root / MYE23_PATH
    return workbook, root / MYE24_PATH


# --- reading -----------------------------------------------------------------------------------

def sheet_label(value: object) -> str:
    """A header cell as text: whole numbers without ``.0`` (the age columns are numbers)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    return " ".join(blank_if_missing(value).split())


def read_sheets(path: Path, wanted: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The ``wanted`` sheets of a workbook, read raw (``header=None``), by name (case and spacing ignored)."""
    path = Path(path)
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except FileNotFoundError:
        raise InputDataError(path, f"file not found at {paths.relative_to_root(path.parent)}/{path.name}",
                             fix=FIX) from None
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputDataError(path, f"cannot read this workbook ({type(exc).__name__}: {exc})",
                             fix="download the workbook again; it may be truncated or not a spreadsheet") from None
    by_key = {" ".join(str(n).lower().split()): n for n in book.sheet_names}
    sheets = {}
    for name in wanted:
        actual = by_key.get(" ".join(name.lower().split()))
        if actual is None:
            raise InputDataError(
                path, f"no sheet {name!r}; sheets found: {', '.join(repr(s) for s in book.sheet_names)}",
                sheet=name, fix=f"use the workbook as published, which has a sheet {name!r}")
        sheets[name] = pd.read_excel(book, sheet_name=actual, header=None)
    return sheets


def find_header(raw: pd.DataFrame, labels: Iterable[str], *, file: str, sheet: str | None) -> int:
    """The 0-based index of the first row holding every one of ``labels`` (case ignored)."""
    wanted = {label.lower() for label in labels}
    for i in range(len(raw)):
        cells = {sheet_label(v).lower() for v in raw.iloc[i].tolist()}
        if wanted <= cells:
            return i
    raise InputDataError(
        file, f"header row not found: no row holds the cells {', '.join(repr(label) for label in labels)}",
        sheet=sheet, fix="use the sheet as published: its header row starts 'Code', 'Name', 'Geography'")


def _number(value: object, *, file: str, sheet: str, row: int, column: str) -> float:
    """A cell as a number (NaN when blank); text that is not a number is an InputDataError."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    text = str(value).strip().replace(",", "")
    if text == "":
        return np.nan
    try:
        return float(text)
    except ValueError:
        raise InputDataError(file, f"value {value!r} is not a number", row=row, column=column, sheet=sheet,
                             fix="enter a whole number of people in this cell (or restore the published file)") from None


def read_table(
    raw: pd.DataFrame, columns: Mapping[str, str], *, file: str, sheet: str, whole: Iterable[str] = (),
) -> tuple[pd.DataFrame, dict[str, str]]:
    """An ONS table below its title lines → one row per area.

    ``columns`` maps a wanted header (as written, case ignored) to the frame's column
    name; ``Code``, ``Name`` and ``Geography`` are always read. Returns the frame
    (with ``source_row``, the spreadsheet row a person sees) and the column → header
    mapping for messages. Columns in ``whole`` must hold whole numbers.
    """
    header = find_header(raw, ID_HEADERS.values(), file=file, sheet=sheet)
    labels = [sheet_label(v) for v in raw.iloc[header].tolist()]
    position = {}
    for i, label in enumerate(labels):
        position.setdefault(label.lower(), i)
    wanted = {**{v: k for k, v in ID_HEADERS.items()}, **columns}
    missing = [h for h in wanted if h.lower() not in position]
    if missing:
        raise InputDataError(
            file, f"missing column(s) {', '.join(repr(m) for m in missing)} in the header row; "
            f"columns found: {', '.join(repr(label) for label in labels if label)}",
            row=header + 1, column=missing[0], sheet=sheet, fix="use the sheet as published by ONS")
    headers = {name: labels[position[h.lower()]] for h, name in wanted.items()}
    code_at = position["code"]
    records = []
    for r in range(header + 1, len(raw)):
        cells = raw.iloc[r].tolist()
        code = blank_if_missing(cells[code_at])
        if not code:
            continue  # blank spacer rows
        row = r + 1
        if not CODE_RE.match(code):
            raise InputDataError(file, f"{code!r} is not an ONS area code (a letter and 8 digits)",
                                 row=row, column=headers["ons_code"], sheet=sheet, fix=FIX)
        record = {"source_row": row}
        for h, name in wanted.items():
            value = cells[position[h.lower()]]
            if name in ID_HEADERS:
                record[name] = blank_if_missing(value)
            else:
                record[name] = _number(value, file=file, sheet=sheet, row=row, column=headers[name])
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["source_row", *wanted.values()])
    for name in whole:
        values = frame[name]
        fraction = values.notna() & (values != values.round())
        if fraction.any():
            first = frame[fraction].iloc[0]
            raise InputDataError(file, f"value {first[name]!r} is not a whole number", row=int(first["source_row"]),
                                 column=headers[name], sheet=sheet, fix="enter a whole number of people in this cell")
        frame[name] = values.astype("Int64")
    return frame, headers


def _validate_wide(frame: pd.DataFrame, counts: Iterable[str], headers: Mapping[str, str], *,
                   file: str, sheet: str | None, extra: Mapping[str, pa.Column] | None = None) -> pd.DataFrame:
    schema = pa.DataFrameSchema({**ID_SCHEMA, **{c: pa.Column("Int64", pa.Check.gt(0)) for c in counts},
                                 **(extra or {})})
    return validate(frame, schema, file=file, sheet=sheet, headers=headers,
                    fix="populations must be positive whole numbers and each area code must appear once; " + FIX)


def _fail_at(frame: pd.DataFrame, mask: pd.Series, file: str, sheet: str | None, column: str, problem: str) -> None:
    if mask.any():
        first = frame[mask].sort_values("source_row").iloc[0]
        others = int(mask.sum()) - 1
        raise InputDataError(file, problem.format(**first.to_dict())
                             + (f" ({others} other area(s) likewise)" if others else ""),
                             row=int(first["source_row"]), column=column, sheet=sheet, fix=FIX)


def _check_country_totals(frame: pd.DataFrame, counts: Mapping[str, str], headers: Mapping[str, str], *,
                          file: str, sheet: str | None) -> None:
    """The districts of each country add up to the country's published total (every count column)."""
    districts = frame[frame["geography"].map(GEOGRAPHY_LEVEL) == "district"]
    for code, letter in COUNTRY_TOTALS.items():
        country = frame[frame["ons_code"] == code]
        if country.empty:
            continue
        members = districts[districts["ons_code"].str.startswith(letter)]
        for column, label in counts.items():
            published, summed = int(country[column].iloc[0]), int(members[column].sum())
            if published != summed:
                raise InputDataError(
                    file, f"{country['name'].iloc[0]} {label} is {published:,} but its {len(members)} local "
                    f"authority districts add up to {summed:,}", row=int(country["source_row"].iloc[0]),
                    column=headers[column], sheet=sheet, fix=FIX)


def _check_ages(frame: pd.DataFrame, ages: list[str], headers: Mapping[str, str], *,
                file: str, sheet: str | None) -> None:
    summed = frame[ages].sum(axis=1)
    frame = frame.assign(_summed=summed)
    _fail_at(frame, summed != frame["all_ages"], file, sheet, headers["all_ages"],
             "All ages {all_ages:,} is not the sum of the single years of age 0 … 90+ ({_summed:,})")


# --- the two releases ---------------------------------------------------------------------------

AGE_COLUMNS = [f"age_{a}" for a in range(90)] + ["age_90_plus"]
AGE_HEADERS = {**{str(a): f"age_{a}" for a in range(90)}, OLDEST: "age_90_plus", ALL_AGES: "all_ages"}


def _ages_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[["source_row", *ID_HEADERS, "all_ages"]].copy()
    out["under_16"] = frame[[f"age_{a}" for a in UNDER_16]].sum(axis=1).astype("int64")
    out["aged_65_plus"] = frame[[f"age_{a}" for a in FROM_65] + ["age_90_plus"]].sum(axis=1).astype("int64")
    return out


def read_mid2023(path: Path) -> dict[str, Any]:
    """The three sheets of the mid-2023 workbook, validated and cross-checked: ``totals`` (MYE4,
    wide, one ``mid_YYYY`` column per year), ``ages`` (MYE2 Persons: all ages, under 16, 65+) and
    ``density`` (MYE5: area, published 2023 density)."""
    path = Path(path)
    file = path  # errors show it relative to the project
    raw = read_sheets(path, [SHEET_TOTALS, SHEET_AGES, SHEET_DENSITY])

    # MYE4: the year columns are the header cells "Mid-YYYY"
    header = find_header(raw[SHEET_TOTALS], ID_HEADERS.values(), file=file, sheet=SHEET_TOTALS)
    labels = [sheet_label(v) for v in raw[SHEET_TOTALS].iloc[header].tolist()]
    years = {label: f"mid_{m.group(1)}" for label in labels if (m := MID_YEAR_RE.match(label))}
    if not years:
        raise InputDataError(file, "no 'Mid-YYYY' year columns in the header row; columns found: "
                             + ", ".join(repr(label) for label in labels if label),
                             row=header + 1, sheet=SHEET_TOTALS, fix="use the MYE4 sheet as published by ONS")
    totals, t_headers = read_table(raw[SHEET_TOTALS], years, file=file, sheet=SHEET_TOTALS, whole=years.values())
    totals = _validate_wide(totals, years.values(), t_headers, file=file, sheet=SHEET_TOTALS)
    _check_country_totals(totals, {c: label for label, c in years.items()}, t_headers, file=file, sheet=SHEET_TOTALS)
    latest = max(years.values())

    ages, a_headers = read_table(raw[SHEET_AGES], AGE_HEADERS, file=file, sheet=SHEET_AGES,
                                 whole=AGE_HEADERS.values())
    ages = _validate_wide(ages, ["all_ages"], a_headers, file=file, sheet=SHEET_AGES,
                          extra={c: pa.Column("Int64", pa.Check.ge(0)) for c in AGE_COLUMNS})
    _check_ages(ages, AGE_COLUMNS, a_headers, file=file, sheet=SHEET_AGES)
    _check_same(ages, "all_ages", totals, latest, file=file, sheet=SHEET_AGES, header=a_headers["all_ages"],
                what=f"MYE4 {t_headers[latest]}")

    year = latest.removeprefix("mid_")
    d_columns = {AREA: "area_km2", f"Estimated Population mid-{year}": "population",
                 f"{year} people per sq. km": "density_published"}
    density, d_headers = read_table(raw[SHEET_DENSITY], d_columns, file=file, sheet=SHEET_DENSITY,
                                    whole=["population"])
    density = _validate_wide(density, ["population"], d_headers, file=file, sheet=SHEET_DENSITY,
                             extra={"area_km2": pa.Column(float, pa.Check.gt(0)),
                                    "density_published": pa.Column(float, pa.Check.ge(0))})
    _check_same(density, "population", totals, latest, file=file, sheet=SHEET_DENSITY,
                header=d_headers["population"], what=f"MYE4 {t_headers[latest]}")
    implied = density["population"].astype(float) / density["area_km2"]
    density = density.assign(_implied=implied)
    _fail_at(density, (implied - density["density_published"]).abs() > DENSITY_TOLERANCE, file, SHEET_DENSITY,
             d_headers["density_published"],
             "density {density_published:g} is not population / area ({population:,} / {area_km2:g} = {_implied:.1f})")
    return {"totals": totals, "ages": _ages_frame(ages), "density": density.drop(columns="_implied"),
            "year": int(year)}


def _check_same(frame: pd.DataFrame, column: str, totals: pd.DataFrame, total_column: str, *,
                file: str, sheet: str | None, header: str, what: str) -> None:
    """``frame[column]`` equals ``totals[total_column]`` for every area (and every area is in ``totals``)."""
    other = frame["ons_code"].map(totals.set_index("ons_code")[total_column])
    work = frame.assign(_other=other)
    _fail_at(work, other.isna(), file, sheet, ID_HEADERS["ons_code"], "area {ons_code} is not in " + what)
    _fail_at(work, work[column] != other, file, sheet, header,
             "{ons_code}: {" + column + ":,} differs from " + what + " ({_other:,})")


def read_mid2024(path: Path) -> pd.DataFrame:
    """The mid-2024 MYE2 Persons CSV, validated: all ages, under 16, 65+ per area."""
    path = Path(path)
    frame = read_csv(path, what="ONS mid-2024 MYE2 file")
    rename = {**{v: k for k, v in ID_HEADERS.items()}, **AGE_HEADERS}
    headers = {v: k for k, v in rename.items()}
    frame = frame.rename(columns=rename)
    frame = coerce_numeric(frame, [c for c in ["all_ages", *AGE_COLUMNS] if c in frame], file=path,
                           integer=True, headers=headers)
    frame = _validate_wide(frame, ["all_ages"], headers, file=path, sheet=None,
                           extra={c: pa.Column("Int64", pa.Check.ge(0)) for c in AGE_COLUMNS})
    for column in ID_HEADERS:
        frame[column] = frame[column].str.strip()
    _check_ages(frame, AGE_COLUMNS, headers, file=path, sheet=None)
    _check_country_totals(frame, {"all_ages": ALL_AGES}, headers, file=path, sheet=None)
    return _ages_frame(frame)


def _check_same_areas(mid2023: pd.DataFrame, mid2024: pd.DataFrame, file: str) -> None:
    """Both releases are on 2023 boundaries: the same area codes."""
    extra = mid2024[~mid2024["ons_code"].isin(mid2023["ons_code"])]
    if not extra.empty:
        first = extra.iloc[0]
        raise InputDataError(file, f"area {first['ons_code']} ({first['name']}) is not in the mid-2023 workbook "
                             "(both releases should be on 2023 boundaries)", row=int(first["source_row"]),
                             column=ID_HEADERS["ons_code"], fix=FIX)
    gone = sorted(set(mid2023["ons_code"]) - set(mid2024["ons_code"]))
    if gone:
        raise InputDataError(file, f"{len(gone)} area(s) of the mid-2023 workbook are missing, e.g. {gone[0]}",
                             column=ID_HEADERS["ons_code"], fix=FIX)


def _kept(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(level=frame["geography"].map(GEOGRAPHY_LEVEL))
    return frame[frame["level"].notna()]


# --- the tables ------------------------------------------------------------------------------------

def load_mid_year_population(mid2023_path: Path | None = None, mid2024_path: Path | None = None) -> pd.DataFrame:
    """One row per local authority and mid-year, mid-2011 … mid-2024, 2023 boundaries.

    Columns: ``ons_code, name, geography`` (as ONS writes it), ``level`` ("district" — lower-tier,
    unitary, metropolitan district or London borough — or "county"), ``year`` (int, the mid-year),
    ``population`` (persons, int), ``source`` ("ONS MYE mid-2023, MYE4" for 2011 … 2023,
    "ONS MYE mid-2024, MYE2" for 2024). England and Wales; countries, regions and
    metropolitan counties are not rows (sum ``level == "district"`` for a country total).
    """
    default23, default24 = default_paths()
    mid2023 = read_mid2023(Path(mid2023_path) if mid2023_path else default23)
    mid2024 = read_mid2024(Path(mid2024_path) if mid2024_path else default24)
    totals = mid2023["totals"]
    _check_same_areas(totals, mid2024, Path(mid2024_path or default24).name)
    year_columns = [c for c in totals.columns if c.startswith("mid_")]
    long = totals.melt(id_vars=list(ID_HEADERS), value_vars=year_columns, var_name="year", value_name="population")
    long["year"] = long["year"].str.removeprefix("mid_").astype("int64")
    long["source"] = SOURCE_MYE4
    latest = mid2024[list(ID_HEADERS)].assign(year=MID2024_YEAR, population=mid2024["all_ages"],
                                             source=SOURCE_MYE2_2024)
    if MID2024_YEAR in set(long["year"]):  # a later workbook also holds mid-2024: the two must agree
        _check_same(mid2024, "all_ages", totals, f"mid_{MID2024_YEAR}", file=Path(mid2024_path or default24).name,
                    sheet=None, header=ALL_AGES, what=f"the workbook's Mid-{MID2024_YEAR}")
        latest = latest.iloc[0:0]
    table = _kept(pd.concat([long, latest], ignore_index=True))
    table["population"] = table["population"].astype("int64")
    return table[COLUMNS].sort_values(["ons_code", "year"], ignore_index=True)


def load_population_structure(mid2023_path: Path | None = None, mid2024_path: Path | None = None) -> pd.DataFrame:
    """Age structure and density per local authority, mid-2023 and mid-2024 (indicators for comparators).

    Columns: ``ons_code, name, geography, level, year, population, under_16`` (ages 0–15),
    ``aged_65_plus`` (65–89 and 90+), ``share_under_16, share_65_plus`` (fractions 0–1 of
    ``population``), ``area_km2`` (MYE5 "Area (sq km)", 2023 boundaries), ``density_per_km2``
    (persons per sq km: mid-2023 as published in MYE5, a whole number; mid-2024 derived as the
    mid-2024 population / the same area, unrounded), ``density_derived`` (True for mid-2024),
    ``source`` (the MYE2 sheet the ages come from).
    """
    default23, default24 = default_paths()
    mid2023 = read_mid2023(Path(mid2023_path) if mid2023_path else default23)
    mid2024 = read_mid2024(Path(mid2024_path) if mid2024_path else default24)
    _check_same_areas(mid2023["ages"], mid2024, Path(mid2024_path or default24).name)
    density = mid2023["density"].set_index("ons_code")
    year = mid2023["year"]
    first = mid2023["ages"].assign(year=year, source=SOURCE_MYE2_2023, density_derived=False)
    first["density_per_km2"] = first["ons_code"].map(density["density_published"])
    second = mid2024.assign(year=MID2024_YEAR, source=SOURCE_MYE2_2024, density_derived=True)
    table = pd.concat([first, second], ignore_index=True)
    table["area_km2"] = table["ons_code"].map(density["area_km2"])
    derived = table["density_derived"]
    table.loc[derived, "density_per_km2"] = table.loc[derived, "all_ages"] / table.loc[derived, "area_km2"]
    table = _kept(table.rename(columns={"all_ages": "population"}))
    table = table.astype({"population": "int64", "under_16": "int64", "aged_65_plus": "int64",
                          "year": "int64", "density_per_km2": float})
    table["share_under_16"] = table["under_16"] / table["population"]
    table["share_65_plus"] = table["aged_65_plus"] / table["population"]
    return table[STRUCTURE_COLUMNS].sort_values(["ons_code", "year"], ignore_index=True)
