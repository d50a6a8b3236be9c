"""DEFRA local authority collected waste, selected indicators per authority, 2010-11 … 2022-23.

Read as published from ``LA_collection.ods`` (DEFRA "Local Authority Collected Waste
Statistics - Local Authority data", 2022-23, released 31 January 2024, Table 3 revised in
March 2024), sheet ``Table_3`` ("Selected Waste Indicators 2010-11 to 2022-23"), found by its
labels: the header is the row holding ``Year``, ``ONS code``, ``Authority`` and ``Authority
type``; the indicator columns are found by the start of their headers. Data rows run from the
header to the first row with a blank ``Year``; the notes below are not read.

Units, as published:

- ``Percentage of household waste sent for reuse, recycling or composting (Ex NI192)`` is a
  **fraction 0–1** despite its name (Worcester 2022-23: 0.35): kept as the fraction,
  ``household_recycling_rate``; a value outside 0–1 is an error (a future edition in per cent
  would be caught, not silently misread).
- ``Residual household waste per household (kg/household) (Ex NI191)``: kg per household.
- ``Collected household waste per person (kg) (Ex BVPI 84a)``: kg per person (revised March
  2024 with updated population).
- ``Percentage of municipal waste sent to landfill (Ex NI193)``: fraction 0–1, published for
  disposal and unitary authorities only (``-`` for collection authorities).

Placeholders ``-``, ``:``, ``..``, ``…``, ``x``, ``[x]``, ``[c]``, ``[z]`` are missing values,
never 0. The England and regional rows (``Authority type`` "Total") are left out.

**Households.** DEFRA publishes no count of households. It publishes, for 2014-15 … 2022-23, each
authority's household waste tonnage in sheet ``Table_1`` ("Household - total waste (tonnes)",
"Household - waste not sent for recycling (tonnes)", the residual household waste), and in Table 3
the residual household waste *per household* (NI191, kg). The number of households DEFRA divided by
follows: ``households = residual tonnes × 1000 / residual kg per household`` (Worcester 2022-23:
20,440 t × 1000 / 431.4 kg = 47,381 households). Table 3 rounds the kg to 0.1, so the count is good to
about 0.02 %; derived counts grow about 1 % a year for almost every authority (median 2021-22 →
2022-23 +0.9 %), as a household count does. It is marked derived wherever it is used. Table 1 rows are
joined to Table 3 by the published code and year (both sheets use the same codes); a workbook without
``Table_1`` gives no tonnages and no households (missing, never 0).

Authority codes: DEFRA publishes the ONS code of the year (and its own codes for joint waste
bodies). :func:`map_authority_codes` gives each row the mySociety lookup's code for the same
authority: the published code when the lookup has it for an authority that existed that year;
the current code when the published one is a former code of the authority (the lookup's
``former-gss-codes``: the four Hertfordshire districts recoded in 2020, Northumberland);
otherwise the authority that existed that year whose name matches (Buckinghamshire Council,
published under the former county code E10000002 from 2020-21); otherwise no code
(``ons_code`` missing, ``ons_code_source == "unmapped"``: the joint waste bodies with E50
codes — the London and metropolitan waste disposal authorities, Somerset Waste Partnership,
Cambridge City and South Cambs — and the Corby and Kettering Shared Service).
``ons_code_published`` keeps what the sheet says. The Dorset Waste Partnership (2011-12 …
2018-19) and the Somerset Waste Partnership in 2017-18 are published under the county codes
E10000009 and E10000027 and keep them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest._validate import read_csv, validate
from wcc_analysis.ingest.public import authorities
from wcc_analysis.ingest.public.mid_year_population import find_header, read_sheets, sheet_label

RELATIVE_PATH = Path("defra_lacw_2022-23_and_flytipping") / "LA_collection.ods"
SHEET = "Table_3"
TONNAGE_SHEET = "Table_1"
SOURCE_EDITION = "2022-23 revised, March 2024"

#: Cell contents that mean "no figure" in DEFRA's spreadsheets (compared in lower case).
PLACEHOLDERS = frozenset({"", "-", ":", "..", "…", "...", "x", "[x]", "[c]", "[z]", "[u]", "n/a"})
YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")

SOURCE_PUBLISHED = "published"
SOURCE_FORMER = "former code"
SOURCE_NAME = "name match"
SOURCE_UNMAPPED = "unmapped"
CODE_SOURCES = [SOURCE_PUBLISHED, SOURCE_FORMER, SOURCE_NAME, SOURCE_UNMAPPED]

#: Frame column → the start of its header in Table_3 (case ignored).
ID_COLUMNS = {"year": "Year", "region": "Region", "ons_code_published": "ONS code",
              "authority_name": "Authority", "authority_type": "Authority type"}
INDICATORS = {
    "residual_household_waste_kg_per_household": "Residual household waste per household",
    "household_recycling_rate": "Percentage of household waste sent for reuse, recycling or composting",
    "municipal_waste_landfilled_rate": "Percentage of municipal waste sent to landfill",
    "household_waste_collected_kg_per_person": "Collected household waste per person",
}
#: Table 1 (tonnages, 2014-15 on): frame column → the start of its header (case ignored).
TONNAGE_ID_COLUMNS = {"year": "Financial Year", "ons_code_published": "ONS Code", "authority_name": "Local Authority",
                      "authority_type": "Authority type"}
TONNAGES = {
    "household_waste_tonnes": "Household - total waste (tonnes)",
    "residual_household_waste_tonnes": "Household - waste not sent for recycling (tonnes)",
}
AUTHORITY_TYPES = ["Collection", "Disposal", "Unitary"]
AGGREGATE_TYPE = "Total"

COLUMNS = [
    "ons_code", "ons_code_published", "ons_code_source", "authority_name", "authority_type", "region",
    "year", "year_start", "household_recycling_rate", "residual_household_waste_kg_per_household",
    "household_waste_collected_kg_per_person", "municipal_waste_landfilled_rate", "household_waste_tonnes",
    "residual_household_waste_tonnes", "households", "source_edition", "source_row",
]

SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(str, pa.Check.str_matches(YEAR_RE.pattern)),
        "ons_code_published": pa.Column(str, pa.Check.str_length(min_value=1)),
        "authority_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "authority_type": pa.Column(str, pa.Check.isin(AUTHORITY_TYPES)),
        "household_recycling_rate": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        "municipal_waste_landfilled_rate": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        "residual_household_waste_kg_per_household": pa.Column(float, pa.Check.ge(0), nullable=True),
        "household_waste_collected_kg_per_person": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["ons_code_published", "year"],
)
TONNAGE_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(str, pa.Check.str_matches(YEAR_RE.pattern)),
        "ons_code_published": pa.Column(str, pa.Check.str_length(min_value=1)),
        "household_waste_tonnes": pa.Column(float, pa.Check.ge(0), nullable=True),
        "residual_household_waste_tonnes": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["ons_code_published", "year"],
)
#: After mapping, one row per authority (lookup code) and year.
MAPPED_KEY = pa.DataFrameSchema({"ons_code": pa.Column(str, nullable=True)}, unique=["ons_code", "year"])
FIX = "restore the DEFRA file as published (see data/raw/public/defra_lacw_2022-23_and_flytipping/PROVENANCE.md)"


def default_path() -> Path:
    """The DEFRA LA collected waste workbook in its folder; when ``wcc-analysis data add`` has put a later edition
    beside it, the one whose Table 3 reaches the latest year (the fly-tipping workbook is not a candidate)."""
    shipped = paths.raw_public_dir() / RELATIVE_PATH
    candidates = sorted(p for p in shipped.parent.iterdir() if p.suffix.lower() in (".ods", ".xlsx")
                        and "flytipping" not in p.name.lower() and not p.name.startswith((".", "~$")))
    if len(candidates) <= 1:
        return candidates[0] if candidates else shipped
    return max(candidates, key=lambda p: (_latest_year(p), p.name))


def _latest_year(path: Path) -> str:
    """The latest financial year in a workbook's Table 3 ("" when it has none or cannot be read)."""
    try:
        frame = pd.read_excel(path, sheet_name=SHEET, header=None, engine="calamine")
    except Exception:  # noqa: BLE001 - an unreadable candidate is simply not the newest
        return ""
    values = {str(v).strip() for v in frame.iloc[:, 0].tolist()}
    years = sorted(v for v in values if YEAR_RE.match(v))
    return years[-1] if years else ""


# --- shared by the DEFRA readers -------------------------------------------------------------------

def defra_number(value: object, *, file: str, sheet: str, row: int, column: str) -> float:
    """A DEFRA cell as a number; placeholders are NaN (missing, never 0); other text is an InputDataError."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    if text.lower() in PLACEHOLDERS:
        return np.nan
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise InputDataError(file, f"value {value!r} is not a number", row=row, column=column, sheet=sheet,
                             fix="enter a number, or ':' / '-' if there is no figure (or restore the published "
                             "file)") from None


def header_positions(labels: list[str], wanted: Mapping[str, str], *, file: str, sheet: str,
                     row: int) -> dict[str, int]:
    """Column positions by header: exact match first, else the first header starting with the text (case ignored)."""
    lower = [label.lower() for label in labels]
    found, missing = {}, []
    for name, text in wanted.items():
        key = text.lower()
        exact = [i for i, label in enumerate(lower) if label == key]
        prefix = [i for i, label in enumerate(lower) if label.startswith(key)]
        if exact or prefix:
            found[name] = (exact or prefix)[0]
        else:
            missing.append(text)
    if missing:
        raise InputDataError(
            file, f"missing column(s) {', '.join(repr(m) for m in missing)} in the header row; columns found: "
            f"{', '.join(repr(label) for label in labels if label)}", row=row, column=missing[0], sheet=sheet,
            fix="use the sheet as published by DEFRA")
    return found


def read_defra_block(raw: pd.DataFrame, ids: Mapping[str, str], numbers: Mapping[str, str], *, file: str,
                     sheet: str, header_labels: list[str], is_aggregate: Callable[[dict], bool],
                     whole: Iterable[str] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """The data rows below the header (to the first blank ``Year``), aggregates left out.

    Returns the frame (text id columns, float number columns, ``source_row``) and the
    column → header mapping for messages. The number columns in ``whole`` must hold whole numbers.
    """
    header = find_header(raw, header_labels, file=file, sheet=sheet)
    labels = [sheet_label(v) for v in raw.iloc[header].tolist()]
    at = header_positions(labels, {**ids, **numbers}, file=file, sheet=sheet, row=header + 1)
    headers = {name: labels[i] for name, i in at.items()}
    records = []
    for r in range(header + 1, len(raw)):
        cells = raw.iloc[r].tolist()
        if not blank_if_missing(cells[at["year"]]):
            break  # the notes start after a blank row
        record = {"source_row": r + 1, **{name: blank_if_missing(cells[at[name]]) for name in ids}}
        if is_aggregate(record):
            continue
        for name in numbers:
            record[name] = defra_number(cells[at[name]], file=file, sheet=sheet, row=r + 1, column=headers[name])
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["source_row", *ids, *numbers])
    frame = frame.astype({name: float for name in numbers})
    for name in whole:
        fraction = frame[name].notna() & (frame[name] != frame[name].round())
        if fraction.any():
            first = frame[fraction].iloc[0]
            raise InputDataError(file, f"value {first[name]:g} is not a whole number", row=int(first["source_row"]),
                                 column=headers[name], sheet=sheet, fix="enter a whole number (or restore the "
                                 "published file)")
    return frame, headers


def add_year_start(frame: pd.DataFrame, *, file: str, sheet: str, column: str) -> pd.DataFrame:
    """``year_start`` (int) from ``year`` "YYYY-YY"; a year whose two halves do not follow is an error."""
    parts = frame["year"].str.extract(YEAR_RE)
    start = parts[0].astype(int)
    bad = (start + 1) % 100 != parts[1].astype(int)
    if bad.any():
        first = frame[bad].iloc[0]
        raise InputDataError(file, f"year {first['year']!r} is not a financial year (YYYY-YY)",
                             row=int(first["source_row"]), column=column, sheet=sheet, fix=FIX)
    return frame.assign(year_start=start.astype(np.int64))


def clean_name(name: str) -> str:
    """The authority name without DEFRA's trailing footnote marker (" a", " 1") or spaces."""
    return re.sub(r"\s+[a-z0-9]$", "", name.strip())  # "Dorset County Council a", "Wycombe District Council 1"


def _name_key(name: str) -> str:
    """A name for matching: lower case, no punctuation, without words such as "council" or "district"."""
    text = clean_name(name).lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    noise = {"council", "district", "borough", "city", "county", "metropolitan", "mbc", "lb", "the", "of", "and"}
    return " ".join(w for w in text.split() if w not in noise)


def lookup_frame(lookup_path: Path | None = None) -> pd.DataFrame:
    """The mySociety lookup (English authorities, :func:`authorities.load_authorities`) with two more
    of its columns: ``former_codes`` (``former-gss-codes``) and ``alt_names`` (``alt-names``)."""
    path = Path(lookup_path) if lookup_path else authorities.default_path()
    table = authorities.load_authorities(path)
    raw = read_csv(path, what="mySociety local authority lookup")
    raw = raw[raw["gss-code"].isin(table["ons_code"])].set_index("gss-code")  # England: one row per code
    for column, header in (("former_codes", "former-gss-codes"), ("alt_names", "alt-names")):
        table[column] = table["ons_code"].map(raw[header]) if header in raw.columns else None
    return table


def _existed(table: pd.DataFrame, year_start: int) -> pd.Series:
    start = table["start_date"].fillna("0000-00-00")
    end = table["end_date"].fillna("9999-99-99")
    return (start <= f"{year_start + 1}-03-31") & (end >= f"{year_start}-04-01")


def map_authority_codes(frame: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Add ``ons_code`` and ``ons_code_source`` to rows with ``ons_code_published``, ``authority_name``
    and ``year_start`` (rules in the module docstring)."""
    former = {}
    for code, codes in zip(lookup["ons_code"], lookup["former_codes"], strict=True):
        for old in blank_if_missing(codes).replace(";", ",").split(","):
            if old.strip():
                former[old.strip()] = code
    names: dict[str, set[str]] = {}
    for row in lookup.itertuples(index=False):
        for name in [row.name, row.official_name, *blank_if_missing(row.alt_names).split(",")]:
            key = _name_key(blank_if_missing(name))
            if key:
                names.setdefault(key, set()).add(row.ons_code)
    existed = {y: set(lookup.loc[_existed(lookup, y), "ons_code"]) for y in frame["year_start"].unique()}

    codes, sources = [], []
    for published, name, year in zip(frame["ons_code_published"], frame["authority_name"], frame["year_start"],
                                     strict=True):
        alive = existed[year]
        if published in alive:
            codes.append(published)
            sources.append(SOURCE_PUBLISHED)
        elif published in former and former[published] in alive:
            codes.append(former[published])
            sources.append(SOURCE_FORMER)
        elif len(match := names.get(_name_key(name), set()) & alive) == 1:
            codes.append(next(iter(match)))
            sources.append(SOURCE_NAME)
        else:
            codes.append(None)
            sources.append(SOURCE_UNMAPPED)
    return frame.assign(ons_code=pd.Series(codes, index=frame.index, dtype="str"), ons_code_source=sources)


def unmapped_authorities(table: pd.DataFrame) -> pd.DataFrame:
    """The authorities of a DEFRA table with no ONS code: published code, name, first and last year, rows."""
    rows = table[table["ons_code_source"] == SOURCE_UNMAPPED]
    return (rows.groupby(["ons_code_published", "authority_name"], sort=True)["year"]
            .agg(first_year="min", last_year="max", rows="size").reset_index())


# --- the table --------------------------------------------------------------------------------------

def _sheet_names(path: Path) -> list[str]:
    try:
        return [str(n) for n in pd.ExcelFile(path, engine="calamine").sheet_names]
    except Exception:  # noqa: BLE001 - read_sheets names the file and the problem
        return []


def tonnages(raw: pd.DataFrame, *, file: str) -> pd.DataFrame:
    """Table 1 as ``ons_code_published, year, household_waste_tonnes, residual_household_waste_tonnes``
    (one row per published code and year; aggregates left out)."""
    frame, headers = read_defra_block(
        raw, TONNAGE_ID_COLUMNS, TONNAGES, file=file, sheet=TONNAGE_SHEET,
        header_labels=["Financial Year", "ONS Code", "Local Authority", "Authority type"],
        is_aggregate=lambda r: r["authority_type"] == AGGREGATE_TYPE or r["ons_code_published"] == AGGREGATE_TYPE)
    frame = validate(frame, TONNAGE_SCHEMA, file=file, sheet=TONNAGE_SHEET, headers=headers, fix=FIX)
    return frame[["ons_code_published", "year", *TONNAGES]]


def derived_households(residual_tonnes: pd.Series, residual_kg_per_household: pd.Series) -> pd.Series:
    """Households = residual household waste (tonnes) × 1000 / residual household waste per household (kg);
    missing where either is missing or the kg is 0."""
    kg = residual_kg_per_household.astype(float).where(residual_kg_per_household > 0)
    return residual_tonnes.astype(float) * 1000.0 / kg


def load_waste_collection(path: Path | None = None, *, lookup_path: Path | None = None) -> pd.DataFrame:
    """One row per authority and financial year, 2010-11 … 2022-23 (DEFRA Table 3, with Table 1's tonnages).

    Columns: ``ons_code`` (lookup code; missing when unmapped), ``ons_code_published``,
    ``ons_code_source`` ("published" / "former code" / "name match" / "unmapped"),
    ``authority_name`` (as published, footnote markers removed), ``authority_type``
    ("Collection" / "Disposal" / "Unitary", as DEFRA labels it), ``region``, ``year``
    ("2022-23"), ``year_start`` (2022), ``household_recycling_rate`` (fraction 0–1, as
    published to 3 decimals), ``residual_household_waste_kg_per_household`` (kg),
    ``household_waste_collected_kg_per_person`` (kg), ``municipal_waste_landfilled_rate``
    (fraction 0–1; missing for collection authorities), ``household_waste_tonnes`` and
    ``residual_household_waste_tonnes`` (Table 1, 2014-15 on), ``households`` (derived from them: see the
    module docstring), ``source_edition``, ``source_row`` (the row in Table 3). Missing figures are NaN, never 0.
    """
    path = Path(path) if path else default_path()
    file = path  # errors show it relative to the project
    wanted = [SHEET] + ([TONNAGE_SHEET] if any(" ".join(n.lower().split()) == TONNAGE_SHEET.lower()
                                               for n in _sheet_names(path)) else [])
    sheets = read_sheets(path, wanted)
    raw = sheets[SHEET]
    frame, headers = read_defra_block(
        raw, ID_COLUMNS, INDICATORS, file=file, sheet=SHEET,
        header_labels=["Year", "ONS code", "Authority", "Authority type"],
        is_aggregate=lambda r: r["authority_type"] == AGGREGATE_TYPE or r["ons_code_published"] == AGGREGATE_TYPE)
    fix = {"*": FIX, "household_recycling_rate": "the rate is published as a fraction 0–1; " + FIX}
    frame = validate(frame, SCHEMA, file=file, sheet=SHEET, headers=headers, fix=fix)
    frame = add_year_start(frame, file=file, sheet=SHEET, column=headers["year"])
    frame["authority_name"] = frame["authority_name"].map(clean_name)
    if TONNAGE_SHEET in sheets:
        frame = frame.merge(tonnages(sheets[TONNAGE_SHEET], file=file), on=["ons_code_published", "year"], how="left")
    else:
        frame = frame.assign(**{name: np.nan for name in TONNAGES})
    frame["households"] = derived_households(frame["residual_household_waste_tonnes"],
                                             frame["residual_household_waste_kg_per_household"])
    frame = map_authority_codes(frame, lookup_frame(lookup_path))
    validate(frame, MAPPED_KEY, file=file, sheet=SHEET, headers={**headers, "ons_code": headers["ons_code_published"]},
             fix="two rows map to the same authority and year; " + FIX)
    frame["source_edition"] = SOURCE_EDITION
    table = frame[COLUMNS].astype({"source_row": np.int64})
    return table.sort_values(["year", "ons_code_published", "authority_name"], ignore_index=True)
