"""MHCLG revenue outturn, RS net current expenditure per authority, year and service block, 2010-11 … 2024-25.

One table, ``revenue_outturn`` (:func:`load_revenue_outturn`), keyed (authority,
year, ``rs_block``), combining every source shipped in data/raw/public/, and its
long companion ``revenue_outturn_all_sources`` (:func:`load_revenue_outturn_all_sources`):
one row per source × authority × year × block, so a reader can see every figure
and every disagreement.

Sources (each in its own folder with a PROVENANCE.md; readers in this module,
:mod:`~wcc_analysis.ingest.public.outturn_rsx` and
:mod:`~wcc_analysis.ingest.public.outturn_timeseries`):

========================================  ===================  ============================================
source                                    years                release (precedence)
========================================  ===================  ============================================
MHCLG Revenue Outturn time series v3.1    2022-23 … 2024-25    "time series v3.1" (1, highest)
MHCLG Revenue Outturn time series v2.3    2017-18 … 2023-24    "time series v2.3" (2)
RS workbooks (.xls/.xlsx/.ods)            2010-11 … 2014-15,   as the front page says: "revised", "final",
                                          2017-18, 2023-24     "second release" (3)
RSX workbooks (.ods)                      2022-23 … 2024-25    "second release" (3), "first release" (4)
========================================  ===================  ============================================

2015-16 and 2016-17 are in none of them: the table has no rows for those years.

**RS workbooks** are read in their published format with ``pd.read_excel(engine="calamine",
header=None)``, by label, never by position: the data sheet is the one whose title lines say
"Net current expenditure" — or, in the 2023-24+ layout, whose hidden variable-code row labels
the block columns ``RS-…-net-exp``; the header row is the row whose first cell is "E-code";
the blocks are the columns from "Education services" up to "TOTAL SERVICE EXPENDITURE ..."
(kept as "Total service expenditure"); only the sheet's first table is read (a second
"E-code" header starts the class totals, which repeat the GLA). ``Certification`` (Y/N) is
carried where published (2023-24); a row noted ``M`` is "missing: not submitted"; class
"LB" (2023-24) is written "L" as in the older workbooks.

**Choosing one figure per cell** (:func:`combine`). For each (authority, year, block):

1. the figure of the highest-precedence source *that has one* is chosen: time series v3.1,
   then v2.3, then a workbook's second / revised / final release, then a first release
   (ties: RS before RSX, then by file name). The time series carry the returns revised
   after the workbooks were published (Watford 2023-24 cultural: 5,143 in v2.3 and v3.1,
   4,007 in the RSX first release);
2. a council that no source has a figure for keeps its row, with the value missing and the
   status of the highest-precedence source ("missing: not submitted" — never £0), so that
   the comparator pool can list it;
3. where the highest-precedence source says "not submitted" (or "not published") but a lower
   one has a figure, the lower figure is kept and the status says so
   ("published; not submitted in <source>"): "not submitted" in a time series means "not
   received by that edition", and a figure a council did publish is evidence, flagged. (In the
   files shipped no lower source has a figure for a council that v3.1 or v2.3 marks not
   submitted; the rule is tested on a constructed case.)

``n_sources`` counts the sources with a figure for the cell; ``max_abs_difference_gbp_thousands``
is the largest |other source − chosen| (0 when all agree, missing with one source; differences
up to £0.5k are rounding: the time series round to whole £ thousand, the RSX 2024-25 and RS
2017-18 workbooks publish decimals). ``total_expenditure_gbp_thousands`` /
``total_income_gbp_thousands`` are the RSX workbook's C3 and C6 for the cell, whatever source
gave the net figure, provided RSX's own net figure (C7) is the chosen one up to rounding —
otherwise they describe a superseded return (Watford 2023-24 cultural: RSX first release
5,151 − 1,144 = 4,007, chosen 5,143) and are left missing (the all-sources table keeps them);
missing where no RSX workbook covers the year (before 2022-23). ``certified`` is the Y/N printed
beside the chosen figure, or — when the chosen source is a time series, which publishes none —
that of the highest-precedence workbook giving the same figure for the cell; missing otherwise.

v3.1 publishes no "Total service expenditure": for 2024-25 it comes from the RSX workbook; for
2022-23 the four councils whose returns reached only v3.1 (High Peak, North West Leicestershire,
Woking, Birmingham) have it missing ("missing: not submitted" in v2.3 and the RSX second release).
It is not recomputed from the blocks: published totals differ from the sum of the rounded blocks
by up to £2k.

**ONS codes and E-codes.** The E-code is joined to mySociety's lookup (``ecode``) in every year,
so that one E-code keeps one ONS code across years (the 2017-18 workbook publishes E10000022 for
North Yorkshire, whose code is E10000023, and the sources the London region code for the GLA);
otherwise the code the source publishes is used, and otherwise the (E-code, ONS code) pairs the
sources publish (police, fire and other bodies), the latest year winning. ``ons_code_source``
says which applied, and what the source published where that differs. The v2.3 extract has ONS
codes only: its E-codes come from the pairs the other sources publish for the same year (else the
nearest year), else from the lookup; its classes from the E-code's class in the other sources,
else the lookup's, else the ONS code's entity (E06 UA, E07 SD, E08 MD, E09 L, E10 SC, others O).
Bodies with no ONS code anywhere (police and passenger transport authorities abolished before
2014-15, all class "O") are kept with ``ons_code`` missing and ``ons_code_source ==
"unmatched"``; an unmatched *council* (any class but "O") is an InputDataError.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest._validate import validate
from wcc_analysis.ingest.public import outturn_rsx, outturn_timeseries
from wcc_analysis.ingest.public.outturn_common import (
    BLOCKS,
    ECODE_RE,
    PLACEHOLDERS,
    RELEASE_RANK,
    RS_CLASSES,
    SOURCE_COLUMNS,
    STATUS_NOT_PUBLISHED,
    STATUS_NOT_SUBMITTED,
    STATUS_PUBLISHED,
    TOTAL_BLOCK,
    canonical_block,
    certified,
    header_row,
    is_placeholder,
    normalise,
    number,
    release_from_front_page,
    rs_class,
    sheet_lines,
    source_frame,
    table_end,
    unknown_block_error,
    year_from_texts,
)

__all__ = [
    "ALL_SOURCES_COLUMNS", "BLOCKS", "COLUMNS", "PLACEHOLDERS", "RS_CLASSES", "SOURCE_UNMATCHED",
    "TOTAL_BLOCK", "WORKBOOK_COLUMNS", "attach_ons_codes", "combine", "ecode_lookup",
    "load_revenue_outturn", "load_revenue_outturn_all_sources", "load_revenue_outturn_workbook",
    "load_rs_workbooks", "published_pairs", "rs_workbooks", "source_files", "unmatched_authorities",
]

log = logging.getLogger(__name__)

RS_SUBDIR = Path("mhclg_revenue_outturn_rs") / "original"
#: RS workbooks shipped in their own folders (one per provenance), read like the ones in RS_SUBDIR.
RS_EXTRA_SUBDIRS = (Path("mhclg_rs_2023-24_ods_arcadesproject"),)
WORKBOOK_SUFFIXES = (".xls", ".xlsx", ".ods")

TITLE_WANTED = "net current expenditure"
FIRST_BLOCK = "education services"
TOTAL_PREFIX = "total service expenditure"
NOT_RECEIVED = "M"  # the Notes sheet: "RO return not received in time for publication"
ONS_RE = r"^[EWSN]\d{8}$"

SOURCE_PUBLISHED = "published in workbook"
SOURCE_PUBLISHED_TIME_SERIES = "published in time series"
SOURCE_LOOKUP = "mysociety ecode lookup"
SOURCE_UNMATCHED = "unmatched"

#: The combined table: the columns downstream code has always used, then the new ones.
COLUMNS = [
    "ons_code", "ecode", "authority_name", "authority_class", "year", "year_start",
    "rs_block", "net_expenditure_gbp_thousands", "ons_code_source",
    "source_file", "source_sheet", "source_row",
    "total_expenditure_gbp_thousands", "total_income_gbp_thousands", "source", "release", "certified",
    "status", "n_sources", "max_abs_difference_gbp_thousands",
]
#: The long table of every source's figure; ``precedence`` 1 = highest, ``chosen`` marks the figure kept.
ALL_SOURCES_COLUMNS = [
    "ons_code", "ecode", "authority_name", "authority_class", "year", "year_start", "rs_block",
    "source", "release", "precedence", "net_expenditure_gbp_thousands", "total_expenditure_gbp_thousands",
    "total_income_gbp_thousands", "certified", "status", "chosen", "ons_code_source",
    "source_file", "source_sheet", "source_row",
]
#: One RS workbook's rows (:func:`load_rs_workbooks`).
WORKBOOK_COLUMNS = [
    "ons_code", "ecode", "authority_name", "authority_class", "year", "year_start",
    "rs_block", "net_expenditure_gbp_thousands", "ons_code_source",
    "source_file", "source_sheet", "source_row", "certified", "status", "source", "release",
]
_RS_ROW_COLUMNS = [
    "ons_code", "ecode", "authority_name", "authority_class", "year", "year_start", "rs_block",
    "net_expenditure_gbp_thousands", "certified", "status", "source", "release",
    "source_file", "source_sheet", "source_row",
]

STATUSES = (STATUS_PUBLISHED, STATUS_NOT_SUBMITTED, STATUS_NOT_PUBLISHED)
_BASE_COLUMNS = {
    "ons_code": pa.Column(str, pa.Check.str_matches(ONS_RE), nullable=True),
    "ecode": pa.Column(str, pa.Check.str_matches(r"^E\d{4}$")),
    "authority_name": pa.Column(str, pa.Check.str_length(min_value=1)),
    "authority_class": pa.Column(str, pa.Check.isin(sorted(RS_CLASSES))),
    "year": pa.Column(str, pa.Check.str_matches(r"^20\d\d-\d\d$")),
    "year_start": pa.Column(int, pa.Check.in_range(1990, 2100)),
    "rs_block": pa.Column(str, pa.Check.isin(list(BLOCKS))),
    "net_expenditure_gbp_thousands": pa.Column(float, nullable=True),
    "ons_code_source": pa.Column(str),
    "source_file": pa.Column(str),
    "source_sheet": pa.Column(str),
    "source_row": pa.Column(int, pa.Check.ge(1)),
}
SCHEMA = pa.DataFrameSchema(
    {**_BASE_COLUMNS,
     "certified": pa.Column("boolean", nullable=True),
     "status": pa.Column(str, pa.Check.isin(list(STATUSES))),
     "release": pa.Column(str, pa.Check.isin(list(RELEASE_RANK))),
     "source": pa.Column(str)},
    unique=["ecode", "year", "rs_block"],
)
ALL_SOURCES_SCHEMA = pa.DataFrameSchema(
    {**_BASE_COLUMNS,
     "total_expenditure_gbp_thousands": pa.Column(float, nullable=True),
     "total_income_gbp_thousands": pa.Column(float, nullable=True),
     "certified": pa.Column("boolean", nullable=True),
     "status": pa.Column(str, pa.Check.isin(list(STATUSES))),
     "release": pa.Column(str, pa.Check.isin(list(RELEASE_RANK))),
     "precedence": pa.Column(int, pa.Check.in_range(1, max(RELEASE_RANK.values()))),
     "source": pa.Column(str),
     "chosen": pa.Column(bool)},
    unique=["ecode", "year", "rs_block", "source"],
)
COMBINED_SCHEMA = pa.DataFrameSchema(
    {**_BASE_COLUMNS,
     "total_expenditure_gbp_thousands": pa.Column(float, nullable=True),
     "total_income_gbp_thousands": pa.Column(float, nullable=True),
     "certified": pa.Column("boolean", nullable=True),
     "status": pa.Column(str, pa.Check.str_matches(r"^(published|missing: )")),
     "release": pa.Column(str, pa.Check.isin(list(RELEASE_RANK))),
     "source": pa.Column(str),
     "n_sources": pa.Column(int, pa.Check.ge(0)),
     "max_abs_difference_gbp_thousands": pa.Column(float, pa.Check.ge(0), nullable=True)},
    unique=["ecode", "year", "rs_block"],
)
#: The ONS code is a key too, where there is one.
ONS_KEY_SCHEMA = pa.DataFrameSchema(
    {"ons_code": pa.Column(str), "year": pa.Column(str), "rs_block": pa.Column(str)},
    unique=["ons_code", "year", "rs_block"],
)
HEADERS = {
    "ons_code": "ONS Code", "ecode": "E-code", "authority_name": "Local authority",
    "authority_class": "Class", "certified": "Certification",
}
#: v2.3 has no class: the ONS code's entity says it (E06 unitary, E07 shire district, ...).
CLASS_BY_ONS_ENTITY = {"E06": "UA", "E07": "SD", "E08": "MD", "E09": "L", "E10": "SC"}


# --------------------------------------------------------------------------- RS workbooks


def default_directory() -> Path:
    return paths.raw_public_dir() / RS_SUBDIR


def _workbooks_in(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir()
            if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", "."))]


def rs_workbooks(directory: Path | None = None) -> list[Path]:
    """The RS workbooks in ``directory``, sorted by name; by default every RS workbook shipped
    (data/raw/public/mhclg_revenue_outturn_rs/original/ and the RS folders added since)."""
    if directory is not None:
        return sorted(_workbooks_in(directory))
    found = _workbooks_in(default_directory())
    for sub in RS_EXTRA_SUBDIRS:
        folder = paths.raw_public_dir() / sub
        if folder.is_dir():
            found += _workbooks_in(folder)
    return sorted(found, key=lambda p: p.name)


def _title_lines(frame: pd.DataFrame, header: int) -> list[str]:
    """The first non-empty cell of each row above the header."""
    lines = []
    for i in range(header):
        cells = [blank_if_missing(v) for v in frame.iloc[i].tolist()]
        first = next((c for c in cells if c), "")
        if first:
            lines.append(first)
    return lines


def _year(sheet: str, titles: Sequence[str], file: str) -> tuple[str, int]:
    found = year_from_texts([sheet, *titles])
    if found is None:
        raise InputDataError(
            file, "cannot tell which financial year this sheet holds (no 'YYYY-YY' in its name or title)",
            sheet=sheet, fix="use the RS workbook as published by MHCLG, whose sheet names carry the year",
        )
    return found


def _read_workbook(path: Path) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every candidate sheet of the workbook, read raw (header=None), and the front page's lines."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
        names = book.sheet_names
        wanted = [n for n in names if "la data" in n.lower().replace("_", " ")] or names
        front = next((n for n in names if "front" in n.lower()), None)
        sheets = {n: pd.read_excel(book, sheet_name=n, header=None) for n in wanted}
        lines = sheet_lines(pd.read_excel(book, sheet_name=front, header=None)) if front else []
        return sheets, lines
    except FileNotFoundError:
        raise InputDataError(path, "file not found", fix=f"put the RS workbook in {paths.relative_to_root(path.parent)}") from None
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputDataError(
            path, f"cannot read this workbook ({type(exc).__name__}: {exc})",
            fix="download the workbook again from GOV.UK; it may be truncated or not a spreadsheet",
        ) from None


def _codes_say_net(frame: pd.DataFrame, header: int, column: int) -> bool:
    """True when a row above the header labels ``column`` with a net-expenditure variable code (RS-edu-net-exp)."""
    return any(normalise(frame.iat[r, column]).endswith("-net-exp") for r in range(header))


def read_rs_sheet(frame: pd.DataFrame, *, file: str | Path, sheet: str, release: str = "not stated") -> pd.DataFrame | None:
    """One raw sheet → long rows as published, or None when it is not a net-current-expenditure sheet."""
    header = header_row(frame)
    if header is None:
        return None
    titles = _title_lines(frame, header)
    names = [blank_if_missing(v) for v in frame.iloc[header].tolist()]
    keep = [i for i, name in enumerate(names) if name]  # empty header = spacer column
    lower = {names[i].lower(): i for i in reversed(keep)}  # first occurrence wins
    titled = any(t.lower().startswith(TITLE_WANTED) for t in titles)
    if not titled and not (FIRST_BLOCK in lower and _codes_say_net(frame, header, lower[FIRST_BLOCK])):
        return None
    year, year_start = _year(sheet, titles, file)
    required = {"e-code": "E-code", "local authority": "Local authority", "class": "Class",
                FIRST_BLOCK: "Education services"}
    missing = [label for key, label in required.items() if key not in lower]
    totals = [i for i in keep if names[i].lower().startswith(TOTAL_PREFIX)]
    if not totals:
        missing.append("TOTAL SERVICE EXPENDITURE ...")
    if missing:
        raise InputDataError(
            file, f"missing column(s) {', '.join(repr(m) for m in missing)} in the header row; "
            f"columns found: {', '.join(repr(names[i]) for i in keep)}",
            row=header + 1, sheet=sheet, column=missing[0],
            fix="check this is an RS 'by LA' workbook as published by MHCLG",
        )
    first, total = lower[FIRST_BLOCK], totals[0]
    blocks = {}
    for i in [i for i in keep if first <= i < total] + [total]:
        block = canonical_block(names[i])
        if block is None:
            raise unknown_block_error(file, names[i], row=header + 1, column=names[i], sheet=sheet)
        blocks[i] = block
    ons_col = lower.get("ons code")
    cert_col = lower.get("certification", lower.get("certified"))
    notes_col = lower.get("notes")
    source = f"RS {year} workbook"
    records = []
    body = frame.iloc[: table_end(frame, header)].to_numpy(dtype=object).tolist()  # one conversion, not per row
    for r in range(header + 1, len(body)):
        cells = body[r]
        ecode = blank_if_missing(cells[0])
        if not ECODE_RE.match(ecode):
            continue  # blank spacer rows, the England row and trailing notes
        row = r + 1
        ons = blank_if_missing(cells[ons_col]) if ons_col is not None else ""
        values = {i: number(cells[i], file=file, sheet=sheet, row=row, column=names[i]) for i in blocks}
        note = blank_if_missing(cells[notes_col]) if notes_col is not None else ""
        not_received = note.upper() == NOT_RECEIVED and all(is_placeholder(cells[i]) for i in blocks)
        base = {
            "ons_code": None if not ons or ons == ecode else ons, "ecode": ecode,
            "authority_name": blank_if_missing(cells[lower["local authority"]]),
            "authority_class": rs_class(cells[lower["class"]], file=file, row=row, column=names[lower["class"]],
                                        sheet=sheet),
            "year": year, "year_start": year_start,
            "certified": (certified(cells[cert_col], file=file, row=row, column=names[cert_col], sheet=sheet)
                          if cert_col is not None else pd.NA),
            "source": source, "release": release,
            "source_file": Path(file).name, "source_sheet": sheet, "source_row": row,
        }
        for i, block in blocks.items():
            value = values[i]
            status = (STATUS_NOT_SUBMITTED if not_received
                      else STATUS_PUBLISHED if not np.isnan(value) else STATUS_NOT_PUBLISHED)
            records.append({**base, "rs_block": block, "net_expenditure_gbp_thousands": value, "status": status})
    table = pd.DataFrame.from_records(records, columns=_RS_ROW_COLUMNS)
    table["certified"] = table["certified"].astype("boolean")
    return table


def read_rs_workbook(path: Path) -> pd.DataFrame:
    """One RS workbook → long rows as published (``ons_code`` only where the workbook has one)."""
    path = Path(path)
    sheets, front = _read_workbook(path)
    parts = []
    for name, frame in sheets.items():
        header = header_row(frame)
        found = year_from_texts([name, *_title_lines(frame, header)]) if header is not None else None
        release = release_from_front_page(front, found[0]) if found else "not stated"
        table = read_rs_sheet(frame, file=path, sheet=name, release=release)
        if table is not None:
            parts.append(table)
    if not parts:
        raise InputDataError(
            path,
            "no sheet with an 'E-code' header row and a title saying 'Net current expenditure'; "
            f"sheets found: {', '.join(repr(s) for s in sheets)}",
            fix="check this is an RS 'data by LA' workbook as published by MHCLG",
        )
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- ONS codes


def ecode_lookup(lookup_path: Path | None = None) -> dict[str, str]:
    """E-code → ONS code from mySociety's uk_local_authorities.csv (England)."""
    return dict(zip(*_lookup_columns(lookup_path, ["ecode", "ons_code"]), strict=True))


def _lookup_columns(lookup_path: Path | None, columns: list[str]) -> list[list]:
    from wcc_analysis.ingest.public.authorities import load_authorities

    table = load_authorities(lookup_path) if lookup_path else load_authorities()
    table = table.dropna(subset=["ecode"])
    return [table[c].tolist() for c in columns]


def published_pairs(tables: Iterable[pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """E-code → (ONS code, year) as published in RS workbooks; the latest year wins."""
    pairs: dict[str, tuple[str, str]] = {}
    for table in tables:
        known = table.dropna(subset=["ons_code"]).drop_duplicates("ecode")
        for ecode, ons, year in zip(known["ecode"], known["ons_code"], known["year"], strict=True):
            if ecode not in pairs or year > pairs[ecode][1]:
                pairs[ecode] = (ons, year)
    return pairs


def attach_ons_codes(
    table: pd.DataFrame, lookup: Mapping[str, str], pairs: Mapping[str, tuple[str, ...]],
    *, published_label: str | pd.Series = SOURCE_PUBLISHED,
) -> pd.DataFrame:
    """Fill ``ons_code`` (mySociety ecode → published in the source → published pair) and say which.

    The lookup comes first so one E-code has one ONS code in every year; where a
    source published a different code, ``ons_code_source`` records it. ``pairs``
    maps E-code → (ONS code, year) from RS workbooks, or (ONS code, year, source)
    for pairs from any source.
    """
    table = table.copy()
    published = table["ons_code"].copy()
    source = pd.Series(SOURCE_UNMATCHED, index=table.index, dtype=object)
    label = published_label if isinstance(published_label, pd.Series) else pd.Series(published_label, index=table.index)
    source[published.notna()] = label[published.notna()]
    in_lookup = table["ecode"].isin(lookup.keys())
    table.loc[in_lookup, "ons_code"] = table.loc[in_lookup, "ecode"].map(lookup)
    source[in_lookup] = SOURCE_LOOKUP
    differs = in_lookup & published.notna() & (published != table["ons_code"])
    where = label.str.replace("published in ", "", regex=False)
    source[differs] = SOURCE_LOOKUP + "; " + where[differs] + " published " + published[differs]
    from_pairs = table["ons_code"].isna() & table["ecode"].isin(pairs.keys())
    table.loc[from_pairs, "ons_code"] = table.loc[from_pairs, "ecode"].map(lambda e: pairs[e][0])
    source[from_pairs] = table.loc[from_pairs, "ecode"].map(
        lambda e: f"{pairs[e][2]} pair" if len(pairs[e]) > 2 else f"RS {pairs[e][1]} workbook pair")
    table["ons_code_source"] = source
    return table


def _check_unmatched(table: pd.DataFrame) -> None:
    councils = table[(table["ons_code_source"] == SOURCE_UNMATCHED) & (table["authority_class"] != "O")]
    if not councils.empty:
        first = councils.sort_values("source_row").iloc[0]
        raise InputDataError(
            first["source_file"],
            f"no ONS code found for E-code {first['ecode']!r} ({first['authority_name']}, class "
            f"{first['authority_class']}) in the mySociety lookup or in any source that publishes ONS codes",
            row=int(first["source_row"]), column="E-code", sheet=first["source_sheet"] or None,
            fix="add the authority's E-code to data/raw/public/mysociety_la_lookup/uk_local_authorities.csv "
            "(update it from mysociety/uk_local_authority_names_and_codes)",
        )


def _validate_by_file(table: pd.DataFrame, schema: pa.DataFrameSchema, fix: str) -> None:
    for (file, sheet), part in table.groupby(["source_file", "source_sheet"], sort=False):
        validate(part, schema, file=file, sheet=sheet or None, headers=HEADERS, fix=fix)
        validate(part.dropna(subset=["ons_code"]), ONS_KEY_SCHEMA, file=file, sheet=sheet or None,
                 headers=HEADERS, fix="two E-codes share one ONS code: correct the ONS code or the ecode lookup")


def finish(table: pd.DataFrame) -> pd.DataFrame:
    """Validate RS workbook rows (after ONS codes are attached) and put columns in order."""
    table = table[WORKBOOK_COLUMNS].copy()
    table = table.astype({"ons_code": "str", "ons_code_source": "str"})
    table["net_expenditure_gbp_thousands"] = table["net_expenditure_gbp_thousands"].astype(float)
    _validate_by_file(table, SCHEMA, "use the RS workbook as published by MHCLG")
    _check_unmatched(table)
    return table


def _one_file_per_year(table: pd.DataFrame, what: str) -> None:
    files = table.groupby(["source", "year"])["source_file"].unique()
    clash = files[files.map(len) > 1]
    if len(clash):
        (source, year), names = clash.index[0], sorted(clash.iloc[0])
        raise InputDataError(names[1], f"year {year} of {source} is also in {names[0]}",
                             fix=f"keep one {what} per year in the folder (e.g. remove the older revision)")


def load_rs_workbooks(
    workbooks: Sequence[Path] | None = None, *, lookup_path: Path | None = None
) -> pd.DataFrame:
    """The RS workbooks as published (default: every one shipped) → one validated long table.

    Columns :data:`WORKBOOK_COLUMNS`; sorted by year, E-code and block. Fallback
    (E-code, ONS code) pairs come from the workbooks in this call that publish ONS codes.
    """
    workbooks = list(workbooks) if workbooks is not None else rs_workbooks()
    raw = [read_rs_workbook(p) for p in workbooks]
    lookup = ecode_lookup(lookup_path)
    pairs = published_pairs(raw)
    table = pd.concat([attach_ons_codes(t, lookup, pairs) for t in raw], ignore_index=True)
    table = finish(table)
    _one_file_per_year(table, "RS workbook")
    unmatched = table.loc[table["ons_code_source"] == SOURCE_UNMATCHED, ["year", "ecode"]].drop_duplicates()
    if len(unmatched):
        log.info("RS: %d authority-years (class O bodies) have no ONS code; kept with ons_code missing",
                 len(unmatched))
    return table.sort_values(["year_start", "ecode", "rs_block"], ignore_index=True)


def load_revenue_outturn_workbook(path: Path, *, lookup_path: Path | None = None) -> pd.DataFrame:
    """One RS workbook → validated long table (ONS codes joined as in ``load_rs_workbooks``)."""
    return load_rs_workbooks([Path(path)], lookup_path=lookup_path)


def unmatched_authorities(table: pd.DataFrame) -> pd.DataFrame:
    """Authorities (per year) left without an ONS code: E-code, name, class, year."""
    cols = ["year", "ecode", "authority_name", "authority_class"]
    return (table.loc[table["ons_code_source"] == SOURCE_UNMATCHED, cols]
            .drop_duplicates().sort_values(cols, ignore_index=True))


# --------------------------------------------------------------------------- every source


def source_files() -> list[Path]:
    """Every raw file the combined tables are built from (the registry's sources for both tables)."""
    from wcc_analysis.ingest.public.authorities import default_path as lookup_path

    return sorted([*rs_workbooks(), *outturn_rsx.rsx_workbooks(), outturn_timeseries.v23_path(),
                   *outturn_timeseries.v31_paths(), lookup_path()])


def _rs_source_rows(table: pd.DataFrame) -> pd.DataFrame:
    rows = table.rename(columns={"ons_code": "ons_published"})
    rows["total_expenditure_gbp_thousands"] = np.nan
    rows["total_income_gbp_thousands"] = np.nan
    return rows[SOURCE_COLUMNS]


def _signature(files: Iterable[Path]) -> tuple:
    out = []
    for p in files:
        p = Path(p)
        stat = p.stat() if p.exists() else None
        out.append((str(p), stat.st_mtime_ns if stat else None, stat.st_size if stat else None))
    return tuple(out)


@lru_cache(maxsize=4)
def _read_sources_cached(rs: tuple, rsx: tuple, v23: tuple, v31: tuple) -> pd.DataFrame:
    parts = [_rs_source_rows(read_rs_workbook(Path(p))) for p, _, _ in rs]
    parts += [outturn_rsx.read_rsx_workbook(Path(p)) for p, _, _ in rsx]
    parts += [outturn_timeseries.read_timeseries_v23(Path(p)) for p, _, _ in v23]
    parts += [outturn_timeseries.read_timeseries_v31(Path(p)) for p, _, _ in v31]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else source_frame([])


def read_sources(
    rs: Sequence[Path] | None = None, rsx: Sequence[Path] | None = None,
    v23: Sequence[Path] | None = None, v31: Sequence[Path] | None = None,
) -> pd.DataFrame:
    """Every source's rows as read (:data:`SOURCE_COLUMNS`), before codes are joined.

    Defaults: every file shipped. Parsed once per process for unchanged files (path,
    mtime and size), so building both tables reads the workbooks once.
    """
    rs = rs_workbooks() if rs is None else rs
    rsx = outturn_rsx.rsx_workbooks() if rsx is None else rsx
    v23 = [outturn_timeseries.v23_path()] if v23 is None else v23
    v31 = outturn_timeseries.v31_paths() if v31 is None else v31
    return _read_sources_cached(_signature(rs), _signature(rsx), _signature(v23), _signature(v31)).copy()


def _resolve_ecodes(rows: pd.DataFrame, lookup_gss: Mapping[str, str]) -> pd.DataFrame:
    """E-codes for rows that publish only an ONS code (v2.3): the pair published for the same year, else
    the nearest year (later first), else the mySociety lookup."""
    need = rows["ecode"].isna()
    if not need.any():
        return rows
    known = rows.loc[rows["ecode"].notna() & rows["ons_published"].notna(),
                     ["ons_published", "year_start", "ecode"]].drop_duplicates()
    by_ons: dict[str, list[tuple[int, str]]] = {}
    for ons, year, ecode in known.itertuples(index=False):
        by_ons.setdefault(ons, []).append((year, ecode))
    wanted = rows.loc[need, ["ons_published", "year_start"]].drop_duplicates()
    found = {}
    for ons, year in wanted.itertuples(index=False):
        candidates = by_ons.get(ons)
        if candidates:
            found[(ons, year)] = min(candidates, key=lambda c: (abs(c[0] - year), -c[0]))[1]
        elif ons in lookup_gss:
            found[(ons, year)] = lookup_gss[ons]
    rows = rows.copy()
    keys = list(zip(rows.loc[need, "ons_published"], rows.loc[need, "year_start"], strict=True))
    rows.loc[need, "ecode"] = [found.get(k) for k in keys]
    still = rows["ecode"].isna()
    if still.any():
        first = rows[still].iloc[0]
        raise InputDataError(
            first["source_file"], f"no E-code for ONS code {first['ons_published']!r} ({first['authority_name']}) "
            "in any other source or in the mySociety lookup", row=int(first["source_row"]), column="ONS_code",
            sheet=first["source_sheet"] or None,
            fix="add the authority's E-code to data/raw/public/mysociety_la_lookup/uk_local_authorities.csv")
    return rows


def _resolve_classes(rows: pd.DataFrame, lookup_class: Mapping[str, str]) -> pd.DataFrame:
    """Classes for rows without one (v2.3): the E-code's class in the other sources (latest year), else the
    lookup's, else the ONS code's entity."""
    need = rows["authority_class"].isna()
    if not need.any():
        return rows
    known = (rows[~need].sort_values("year_start").drop_duplicates("ecode", keep="last")
             .set_index("ecode")["authority_class"])
    rows = rows.copy()
    part = rows.loc[need]
    entity = part["ons_published"].fillna("").str[:3].map(CLASS_BY_ONS_ENTITY).fillna("O")
    rows.loc[need, "authority_class"] = (part["ecode"].map(known).fillna(part["ecode"].map(lookup_class))
                                         .fillna(entity))
    return rows


def load_revenue_outturn_all_sources(
    rs: Sequence[Path] | None = None, rsx: Sequence[Path] | None = None,
    v23: Sequence[Path] | None = None, v31: Sequence[Path] | None = None, *,
    lookup_path: Path | None = None,
) -> pd.DataFrame:
    """Every figure from every source: one row per source × authority × year × block (:data:`ALL_SOURCES_COLUMNS`).

    ``precedence`` is the source's rank (1 = time series v3.1, highest); ``chosen`` marks
    the row :func:`load_revenue_outturn` keeps. Defaults: every file shipped.
    """
    rows = read_sources(rs, rsx, v23, v31)
    gss, ecodes, classes = _lookup_columns(lookup_path, ["ons_code", "ecode", "rs_class"])
    lookup = dict(zip(ecodes, gss, strict=True))
    rows = _resolve_ecodes(rows, dict(zip(gss, ecodes, strict=True)))
    rows = _resolve_classes(rows, {e: c for e, c in zip(ecodes, classes, strict=True) if isinstance(c, str)})
    rows["precedence"] = rows["release"].map(RELEASE_RANK).astype("int64")
    # Fallback pairs from every source that publishes ONS codes: the latest year, then the best source, wins.
    known = rows.dropna(subset=["ons_published"]).sort_values(["year_start", "precedence"], ascending=[True, False])
    known = known.drop_duplicates("ecode", keep="last")
    pairs = {e: (o, y, s) for e, o, y, s in zip(known["ecode"], known["ons_published"], known["year"],
                                                  known["source"], strict=True)}
    label = pd.Series(np.where(rows["source"].str.startswith("MHCLG Revenue Outturn time series"),
                               SOURCE_PUBLISHED_TIME_SERIES, SOURCE_PUBLISHED), index=rows.index)
    table = attach_ons_codes(rows.rename(columns={"ons_published": "ons_code"}), lookup, pairs,
                             published_label=label)
    table["chosen"] = False
    table = table.astype({"ons_code": "str", "ons_code_source": "str", "authority_class": "str"})
    _validate_by_file(table, ALL_SOURCES_SCHEMA, "use the file as published (see the folder's PROVENANCE.md)")
    _check_unmatched(table)
    _one_file_per_year(table, "workbook or time-series file")
    table = _mark_chosen(table)
    table = table.sort_values(["year_start", "ecode", "rs_block", "precedence", "source"], ignore_index=True)
    return table[ALL_SOURCES_COLUMNS]


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in order of precedence within each cell: rank, then RS before RSX before time series, then file."""
    kind = np.select([table["source"].str.startswith("RS "), table["source"].str.startswith("RSX ")], [0, 1], 2)
    return (table.assign(_kind=kind)
            .sort_values(["ecode", "year", "rs_block", "precedence", "_kind", "source_file"], kind="stable"))


KEY = ["ecode", "year", "rs_block"]
#: Two figures for a cell are "the same figure" when they differ by rounding only: the time series
#: round to whole £ thousand, the RSX 2024-25 and RS 2017-18 workbooks publish decimals.
ROUNDING = 0.5


def _mark_chosen(table: pd.DataFrame) -> pd.DataFrame:
    ranked = _ranked(table)
    has = ranked["net_expenditure_gbp_thousands"].notna()
    best = ranked[has].drop_duplicates(KEY)
    top = ranked.drop_duplicates(KEY)
    no_figure = top.set_index(KEY).index.difference(best.set_index(KEY).index)
    chosen_index = best.index.union(top[top.set_index(KEY).index.isin(no_figure)].index)
    table = table.copy()
    table["chosen"] = table.index.isin(chosen_index)
    return table


def combine(all_sources: pd.DataFrame) -> pd.DataFrame:
    """The combined table (:data:`COLUMNS`) from :func:`load_revenue_outturn_all_sources`'s rows.

    One row per (E-code, year, block): the figure chosen by precedence (see the module
    docstring for the rule), with the number of sources, the largest difference from any
    other source, RSX's total expenditure and income, and the certification. ``chosen`` in
    the rows given is ignored and recomputed, so any subset of the sources can be combined.
    """
    table = _mark_chosen(all_sources)  # recomputed: the rows given may be a subset of the sources
    ranked = _ranked(table)
    top = ranked.drop_duplicates(KEY).set_index(KEY)
    chosen = table[table["chosen"]].set_index(KEY)
    has = table[table["net_expenditure_gbp_thousands"].notna()]
    value = has.set_index(KEY)["net_expenditure_gbp_thousands"]
    chosen_value = chosen["net_expenditure_gbp_thousands"].reindex(value.index)
    stats = pd.DataFrame({"n": value, "diff": (value - chosen_value).abs()}).groupby(level=KEY).agg(
        n_sources=("n", "size"), max_abs_difference_gbp_thousands=("diff", "max"))
    out = chosen.copy()
    out = out.join(stats, how="left")
    out["n_sources"] = out["n_sources"].fillna(0).astype("int64")
    out.loc[out["n_sources"] < 2, "max_abs_difference_gbp_thousands"] = np.nan
    # RSX's total expenditure and income for the cell, whichever source gave the net figure, where RSX's
    # net figure is the chosen one (up to rounding): otherwise they describe a superseded return.
    rsx = table[table["source"].str.startswith("RSX ")].set_index(KEY).reindex(out.index)
    same = (rsx["net_expenditure_gbp_thousands"] - out["net_expenditure_gbp_thousands"]).abs() <= ROUNDING
    for column in ("total_expenditure_gbp_thousands", "total_income_gbp_thousands"):
        out[column] = rsx[column].where(same)
    # Certification: beside the chosen figure, else from the best workbook giving the same figure.
    books = ranked[ranked["certified"].notna()]
    books = books.merge(chosen["net_expenditure_gbp_thousands"].rename("_chosen"), left_on=KEY,
                        right_index=True)
    books = books[(books["net_expenditure_gbp_thousands"] - books["_chosen"]).abs() <= ROUNDING]
    books = books.drop_duplicates(KEY).set_index(KEY)
    out["certified"] = out["certified"].astype("boolean").fillna(books["certified"].reindex(out.index))
    # A figure kept from a lower source where the highest-precedence source has none: say so.
    top_status, top_source = top["status"].reindex(out.index), top["source"].reindex(out.index)
    fallback = out["net_expenditure_gbp_thousands"].notna() & top_status.ne(STATUS_PUBLISHED) & top_source.ne(
        out["source"])
    out.loc[fallback, "status"] = ("published; " + top_status[fallback].str.replace("missing: ", "", regex=False)
                                   + " in " + top_source[fallback])
    out = out.reset_index().sort_values(["year_start", "ecode", "rs_block"], ignore_index=True)
    out = out[COLUMNS].copy()
    out["certified"] = out["certified"].astype("boolean")
    return out.astype({c: "str" for c in ("ecode", "authority_name", "authority_class", "year", "rs_block",
                                          "ons_code_source", "source_file", "source_sheet", "source", "release",
                                          "status")})


def load_revenue_outturn(
    rs: Sequence[Path] | None = None, rsx: Sequence[Path] | None = None,
    v23: Sequence[Path] | None = None, v31: Sequence[Path] | None = None, *,
    lookup_path: Path | None = None,
) -> pd.DataFrame:
    """Revenue outturn 2010-11 … 2024-25, one figure per (authority, year, RS block), every source combined.

    Columns :data:`COLUMNS`, sorted by year, E-code and block. Defaults:
    every file shipped (:func:`source_files`).
    """
    table = combine(load_revenue_outturn_all_sources(rs, rsx, v23, v31, lookup_path=lookup_path))
    for (file, sheet), part in table.groupby(["source_file", "source_sheet"], sort=False):
        validate(part, COMBINED_SCHEMA, file=file, sheet=sheet or None, headers=HEADERS)
    validate(table.dropna(subset=["ons_code"]), ONS_KEY_SCHEMA, file="revenue_outturn", headers=HEADERS,
             fix="two E-codes share one ONS code: correct the ONS code or the ecode lookup")
    return table
