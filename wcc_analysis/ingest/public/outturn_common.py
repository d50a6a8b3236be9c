"""What every revenue-outturn reader shares: block names, placeholders, releases, the source-row layout.

Each reader (RS and RSX workbooks in ``revenue_outturn`` / ``outturn_rsx``, the
MHCLG time series in ``outturn_timeseries``) turns one published file into
*source rows* — one per authority × year × RS service block, with the columns
:data:`SOURCE_COLUMNS` — and :mod:`wcc_analysis.ingest.public.revenue_outturn`
combines them into one table.

- **Block names.** Every source's block names are mapped onto the RS workbooks'
  names (:data:`BLOCKS`, e.g. "Cultural and related services"); a name that is
  not known is an InputDataError naming the file, row and column.
- **Placeholders** (:data:`PLACEHOLDERS`): cells that mean "no figure" as
  published — ``…``, ``...``, ``-``, ``[x]``, ``[z]``, "Category discontinued",
  ``n/a`` and blank — are read as missing, never as zero.
- **Releases** (:func:`release_from_front_page`): a workbook's front page names
  the statistical release its figures were compiled for; that release decides
  precedence (:data:`RELEASE_RANK`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing

TOTAL_BLOCK = "Total service expenditure"
#: The canonical RS service blocks, in the order the RS workbooks print them
#: ("Social care" is 2010-11's single social-care block, split from 2011-12).
BLOCKS = (
    "Education services", "Highways and transport services", "Social care", "Children Social Care",
    "Adult Social Care", "Public Health", "Housing services (GFRA only)", "Cultural and related services",
    "Environmental and regulatory services", "Planning and development services", "Police services",
    "Fire and rescue services", "Central services", "Other services", TOTAL_BLOCK,
)

#: Cell contents that mean "no figure", compared after stripping and case-folding.
PLACEHOLDERS = frozenset({"", "…", "...", "-", "n/a", "[x]", "[z]", "category discontinued"})

#: Statuses of a source row (and of a cell of the combined table).
STATUS_PUBLISHED = "published"
STATUS_NOT_SUBMITTED = "missing: not submitted"
STATUS_NOT_PUBLISHED = "missing: not published"

#: Releases, highest precedence first. "revised" and "final" are what the older RS workbooks' front
#: pages say (a later revision, like a second release); "not stated" is a workbook without a front page.
RELEASE_V31 = "time series v3.1"
RELEASE_V23 = "time series v2.3"
RELEASE_RANK = {
    RELEASE_V31: 1, RELEASE_V23: 2,
    "second release": 3, "revised": 3, "final": 3,
    "first release": 4, "not stated": 5,
}

#: Authority classes as the RS workbooks write them (shire district, unitary, metropolitan district,
#: London borough, shire county, other); later workbooks write London boroughs as "LB".
RS_CLASSES = frozenset({"SD", "UA", "MD", "L", "SC", "O"})
CLASS_ALIASES = {"LB": "L"}

ECODE_RE = re.compile(r"^E\d{4}$")
ONS_RE = re.compile(r"^[EWSN]\d{8}$")
YEAR_RE = re.compile(r"(20\d\d)\s*-\s*(\d\d)")

#: The columns of every reader's source rows.
SOURCE_COLUMNS = [
    "ecode", "ons_published", "authority_name", "authority_class", "year", "year_start", "rs_block",
    "net_expenditure_gbp_thousands", "total_expenditure_gbp_thousands", "total_income_gbp_thousands",
    "certified", "status", "source", "release", "source_file", "source_sheet", "source_row",
]


def normalise(text: object) -> str:
    """Text with runs of whitespace (newlines included) as one space, stripped and case-folded."""
    return re.sub(r"\s+", " ", blank_if_missing(text)).casefold()


_CANONICAL = {normalise(b): b for b in BLOCKS}


def canonical_block(name: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """The canonical block for a published block name (``aliases``: the source's own names), or None."""
    key = normalise(name)
    if aliases:
        for alias, block in aliases.items():
            if normalise(alias) == key:
                return block
    if key.startswith("total service expenditure"):
        return TOTAL_BLOCK
    return _CANONICAL.get(key)


def unknown_block_error(file: str, name: str, *, row: int | None, column: str | None,
                        sheet: str | None = None) -> InputDataError:
    return InputDataError(
        file, f"unknown service block {name!r}; known blocks: {', '.join(BLOCKS)}",
        row=row, column=column, sheet=sheet,
        fix="check this is the published MHCLG file; if MHCLG has renamed or added a block, add the name "
        "to the block names in wcc_analysis/ingest/public/outturn_common.py (or the reader's aliases)",
    )


def is_placeholder(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and normalise(value) in PLACEHOLDERS)


def number(value: object, *, file: str, row: int, column: str, sheet: str | None = None,
           what: str = "net expenditure in £ thousand") -> float:
    """A published cell as a float; placeholders are NaN; anything else is an InputDataError."""
    if isinstance(value, (bool, np.bool_)):
        pass
    elif isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    elif is_placeholder(value):
        return np.nan
    raise InputDataError(
        file, f"{value!r} is not a number ({what})", row=row, column=column, sheet=sheet,
        fix="enter a number, or leave the cell blank / use '…' or '[x]' if there is no figure",
    )


def rs_class(value: object, *, file: str, row: int, column: str, sheet: str | None = None) -> str:
    text = blank_if_missing(value)
    text = CLASS_ALIASES.get(text, text)
    if text not in RS_CLASSES:
        raise InputDataError(
            file, f"value {blank_if_missing(value)!r} must be one of {sorted(RS_CLASSES | set(CLASS_ALIASES))}",
            row=row, column=column, sheet=sheet, fix="use the workbook as published by MHCLG",
        )
    return text


def certified(value: object, *, file: str, row: int, column: str, sheet: str | None = None) -> object:
    """A certification cell: "Y" → True, "N" → False, a placeholder → missing (pd.NA)."""
    text = blank_if_missing(value).upper()
    if text == "Y":
        return True
    if text == "N":
        return False
    if is_placeholder(value):
        return pd.NA
    raise InputDataError(
        file, f"value {blank_if_missing(value)!r} is not a certification flag (Y or N)",
        row=row, column=column, sheet=sheet, fix="use the workbook as published by MHCLG",
    )


def year_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def year_from_texts(texts: Sequence[str]) -> tuple[str, int] | None:
    """The first financial year 'YYYY-YY' in ``texts`` (the end must follow the start)."""
    for text in texts:
        for match in YEAR_RE.finditer(text):
            start, end = int(match.group(1)), int(match.group(2))
            if (start + 1) % 100 == end:
                return year_label(start), start
    return None


def release_from_front_page(lines: Sequence[str], year: str) -> str:
    """The release a workbook's figures were compiled for, from its front page ("not stated" without one).

    The front page says e.g. 'used to compile the ... release "Local Authority Revenue Expenditure and
    Financing: 2024-25 Outturn, England - Second release"'. A release for a *later* year than the data
    (2010-11 figures compiled for the 2011-12 release) means the figures are that later release's
    revision of the year: "revised".
    """
    for line in lines:
        text = normalise(line)
        if "release" not in text or ("used to compile" not in text and "included in" not in text):
            continue
        quoted = re.findall(r"[\"“]([^\"”]+)[\"”]", line)
        name = normalise(quoted[0]) if quoted else text
        found = year_from_texts([name])
        if found and found[0] != year:
            return "revised"
        for label in ("second release", "first release", "revised", "final"):
            if label in name:
                return label
    return "not stated"


def sheet_lines(frame: pd.DataFrame) -> list[str]:
    """Every non-empty cell of a (front page) sheet, row by row."""
    return [blank_if_missing(v) for row in frame.itertuples(index=False) for v in row if blank_if_missing(v)]


def header_row(frame: pd.DataFrame) -> int | None:
    """The first row whose first cell is 'E-code' (0-based), or None."""
    for i, value in enumerate(frame.iloc[:, 0].tolist() if frame.shape[1] else []):
        if blank_if_missing(value).lower() == "e-code":
            return i
    return None


def table_end(frame: pd.DataFrame, header: int) -> int:
    """The row after the sheet's first table: a second 'E-code' header starts another table (class totals)."""
    first = frame.iloc[:, 0].tolist()
    for i in range(header + 1, len(first)):
        if blank_if_missing(first[i]).lower() == "e-code":
            return i
    return len(first)


def source_frame(records: list[dict]) -> pd.DataFrame:
    """Source rows as a frame with :data:`SOURCE_COLUMNS` and their dtypes."""
    frame = pd.DataFrame.from_records(records, columns=SOURCE_COLUMNS)
    for column in ("net_expenditure_gbp_thousands", "total_expenditure_gbp_thousands",
                   "total_income_gbp_thousands"):
        frame[column] = frame[column].astype(float)
    frame["certified"] = frame["certified"].astype("boolean")
    frame["year_start"] = frame["year_start"].astype("int64")
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame
