"""MHCLG Revenue Account budget (RA) "data by LA" CSVs → budgeted net current expenditure per service line.

The files (``data/raw/public/mhclg_ra_budget_bengoodair/RA_*.csv``) are CSV
saves of the data sheet of the GOV.UK RA workbooks, read as they are:

- **Encoding** is detected, not assumed (:func:`decode`): UTF-8 (with or
  without BOM) when the bytes are valid UTF-8, otherwise Windows-1252 or Mac
  Roman, whichever reads as plausible English text (``£ … – ’`` rather than
  ``É Ð Õ``). ``RA_2021-22_data_by_LA.csv`` is UTF-8 with BOM;
  ``RA_2023-24_data_Part_1.csv`` is Mac Roman (0xA3 £, 0xC9 …, 0xD0 –, 0xD5 ’).
- **Header block** is found by label: the header is the first record whose
  first cell is "E-code"; above it, the title lines give the year ("Revenue
  Account Budget (RA) 2023-24") and the unit ("£ thousand"); the section
  headings row (the one holding "Education Services") names the RS block of
  each column, carried right until the next heading; the RA form line numbers
  come from the row labelled "line number" (2023-24) or else the nearest
  all-whole-number row above the header (2021-22).
- **Columns read**: the service lines from the first "Education Services"
  column to "TOTAL SERVICE EXPENDITURE" (RA lines 110–799), block totals
  included (``is_total``). Financing, reserves, housing-benefit payments,
  precepts, HRA and memorandum lines to the right are not read.
- **What the numbers are**: budgeted **net current expenditure**, £ thousand,
  cash, one figure per line. The 2021-22 file says so in its second title row
  ("Net current expenditure (£ thousand)"); the 2023-24 file says "Data are
  reported in £ thousand" and carries the same RA form lines 110–799; in both
  files line 799 plus lines 811–848 equals line 849 "NET CURRENT EXPENDITURE"
  for every authority with all figures (checked when this reader was written).
  Net of sales, fees, charges and other income, so a line can be negative.
  Budgets (set before the year), not outturn.
- **Checks**: each block's TOTAL line equals the sum of its lines and TOTAL
  SERVICE EXPENDITURE the sum of the block totals (±£1k; the published files
  agree exactly); one row per E-code and per ONS code; one file per year.
- **Placeholders** ``...``, ``…``, ``..``, ``-``, ``[x]``, ``[z]``, ``[c]``,
  blank and "Category discontinued" are missing, never 0. Authorities whose
  return is not included have every line missing (2021-22: 6, flagged "S" in
  the unheaded column next to the name; 2023-24: 13, flagged "M" in
  ``Notes``). Aggregate rows (ENGLAND, class totals: no E-code) and the notes
  below the table are skipped.
- **Blocks** are named as the rest of the product names RS blocks
  (:data:`BLOCK_NAMES`: "Cultural and Related Services" → "Cultural and
  related services", "Housing Services (General Fund Revenue Account [GFRA]
  only)" → "Housing services (GFRA only)", "Police" → "Police services", …).
  Lines are as published, trimmed (footnote markers such as "(b)" kept).
- **Classes**: the 2023-24 file's "LB" (London borough) is read as "L", the
  RS class used everywhere else.
- **ONS codes**: as in ``revenue_outturn``, mySociety's E-code lookup first
  (so one E-code has one ONS code in every table; it corrects the London
  region code E12000007 the files publish for the GLA), then the published
  code; ``ons_code_source`` says which. Lee Valley Regional Park Authority
  (its ONS cell repeats its E-code) and other class "O" bodies without a code
  are kept with ``ons_code`` missing; a council without one is an error.

``source_row`` is the 1-based CSV record (the row a spreadsheet shows when it
opens the file; a quoted header cell spanning two text lines is one record).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import coerce_numeric, validate

DIRECTORY = Path("mhclg_ra_budget_bengoodair")
FILE_PATTERN = "RA_*.csv"

#: Section heading as published (lower case, spaces collapsed, ’ → ') → the RS block name used by the product.
BLOCK_NAMES = {
    "education services": "Education services",
    "highways and transport": "Highways and transport services",
    "highways and transport services": "Highways and transport services",
    "children's social care": "Children Social Care",
    "adult social care": "Adult Social Care",
    "public health": "Public Health",
    "housing services (general fund revenue account [gfra] only)": "Housing services (GFRA only)",
    "housing services (gfra only)": "Housing services (GFRA only)",
    "cultural and related services": "Cultural and related services",
    "environmental and regulatory services": "Environmental and regulatory services",
    "planning and development services": "Planning and development services",
    "police": "Police services",
    "police services": "Police services",
    "fire": "Fire and rescue services",
    "fire and rescue services": "Fire and rescue services",
    "central services": "Central services",
    "other": "Other services",
    "other services": "Other services",
    "total service expenditure": "Total service expenditure",
}
FIRST_SECTION = "education services"
LAST_LINE_PREFIX = "total service expenditure"

#: Cells meaning "no figure" (matched after stripping, case-insensitive).
PLACEHOLDER_RE = re.compile(r"^(\[[a-z]\]|\.{2,3}|…|-|category discontinued)?$", re.IGNORECASE)
ECODE_RE = re.compile(r"^E\d{4}$")
ONS_RE = re.compile(r"^[EWSN]\d{8}$")
YEAR_RE = re.compile(r"(20\d\d)\s*-\s*(\d\d)")
#: RS authority classes; "LB" (2023-24 file) is read as "L".
CLASSES = ("SD", "UA", "MD", "L", "SC", "O")
CLASS_ALIASES = {"LB": "L"}

#: Encodings tried when the bytes are not UTF-8 (ties go to the first).
SINGLE_BYTE_ENCODINGS = ("cp1252", "mac_roman")
#: Non-ASCII characters expected in MHCLG text: £, typographic punctuation and the like.
_PLAUSIBLE = set("£€…–—‘’“”•°±×½¼¾©®§\u00a0")

COLUMNS = [
    "ons_code", "ecode", "authority_name", "authority_class", "year", "year_start", "block", "line",
    "line_number", "is_total", "net_budget_gbp_thousands", "ons_code_source", "source_file", "source_row",
]
HEADERS = {"ecode": "E-code", "ons_code": "ONS Code", "authority_name": "Local authority",
           "authority_class": "Class"}
FIX = "use the RA 'data by LA' CSV as saved from the GOV.UK workbook (see this folder's PROVENANCE.md)"

ID_SCHEMA = pa.DataFrameSchema(
    {
        "ecode": pa.Column(str, pa.Check.str_matches(ECODE_RE.pattern), unique=True),
        "authority_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "authority_class": pa.Column(str, pa.Check.isin(list(CLASSES))),
    }
)
SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(ONS_RE.pattern), nullable=True),
        "ecode": pa.Column(str, pa.Check.str_matches(ECODE_RE.pattern)),
        "year": pa.Column(str, pa.Check.str_matches(r"^20\d\d-\d\d$")),
        "year_start": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "block": pa.Column(str, pa.Check.isin(sorted(set(BLOCK_NAMES.values())))),
        "line": pa.Column(str, pa.Check.str_length(min_value=1)),
        "line_number": pa.Column("Int64", nullable=True),
        "is_total": pa.Column(bool),
        "net_budget_gbp_thousands": pa.Column(float, nullable=True),
        "source_row": pa.Column(int, pa.Check.ge(1)),
    },
    unique=["ecode", "year", "line"],
)
ONS_KEY = pa.DataFrameSchema({"ons_code": pa.Column(str)}, unique=["ons_code", "year", "line"])


def default_directory() -> Path:
    return paths.raw_public_dir() / DIRECTORY


def default_paths(directory: Path | None = None) -> list[Path]:
    """The RA CSVs in ``directory`` (default data/raw/public/mhclg_ra_budget_bengoodair), sorted by name."""
    directory = Path(directory) if directory else default_directory()
    return sorted(p for p in directory.glob(FILE_PATTERN) if not p.name.startswith((".", "~$")))


# --------------------------------------------------------------------------- encoding


def _plausibility(text: str) -> int:
    """Higher = more like English statistical text: £ and typographic punctuation +2, lower-case accented +1,
    anything else outside ASCII (accented capitals, symbols, control characters) −2."""
    score = 0
    for ch in text:
        if ord(ch) < 128:
            continue
        if ch in _PLAUSIBLE:
            score += 2
        elif ch.isalpha() and ch.islower():
            score += 1
        else:
            score -= 2
    return score


def decode(raw: bytes, file: str) -> tuple[str, str]:
    """(text, encoding name) of a CSV's bytes: UTF-8 if valid, else the more plausible of cp1252 and Mac Roman.

    InputDataError when the file is empty, binary (a workbook, UTF-16, damaged) or
    reads as implausible text in every encoding tried.
    """
    fix = "save the sheet as 'CSV UTF-8' (or restore the published file) and run again"
    if not raw.strip():
        raise InputDataError(file, "the file is empty", fix="restore the file (see this folder's PROVENANCE.md)")
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputDataError(file, "this is a spreadsheet workbook (zip/OLE container), not a CSV", fix=fix)
    if b"\x00" in raw:
        raise InputDataError(file, "the file contains NUL bytes: it is not a text CSV in UTF-8, Windows-1252 or "
                             "Mac Roman (UTF-16, binary or damaged)", fix=fix)
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    scored = []
    for encoding in SINGLE_BYTE_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((_plausibility(text), -SINGLE_BYTE_ENCODINGS.index(encoding), encoding, text))
    best = max(scored)
    if best[0] <= 0:
        raise InputDataError(
            file, "cannot tell the file's encoding: it is not UTF-8 and its non-ASCII bytes read as unlikely "
            f"characters in {' and '.join(SINGLE_BYTE_ENCODINGS)}", fix=fix)
    return best[3], best[2]


def read_records(path: Path) -> tuple[list[list[str]], str]:
    """The CSV's records (lists of cells) and the encoding detected."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputDataError(path, f"RA file not found at {path.parent.name}/{path.name}",
                             fix="restore the file from the source named in its folder's PROVENANCE.md") from None
    text, encoding = decode(raw, path.name)
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputDataError(path, f"cannot read this CSV ({exc})", fix=FIX) from None
    return records, encoding


# --------------------------------------------------------------------------- header block


def _cell(record: Sequence[str], j: int) -> str:
    return record[j].strip() if j < len(record) else ""


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def _header_index(records: list[list[str]], file: str) -> int:
    for i, record in enumerate(records):
        if _key(_cell(record, 0)) == "e-code":
            return i
    raise InputDataError(file, "no header row: no row starts with 'E-code'", column="E-code",
                         fix="check this is an RA 'data by LA' CSV with its header row unchanged")


def _titles(records: list[list[str]], header: int) -> list[str]:
    """The first non-empty cell of each record above the header."""
    return [next(c.strip() for c in r if c.strip()) for r in records[:header] if any(c.strip() for c in r)]


def _year(titles: Sequence[str], file: str) -> tuple[str, int]:
    for text in titles:
        for match in YEAR_RE.finditer(text):
            start, end = int(match.group(1)), int(match.group(2))
            if (start + 1) % 100 == end:
                return f"{start}-{end:02d}", start
    raise InputDataError(file, "cannot tell which financial year this file holds (no 'YYYY-YY' in its title rows)",
                         row=1, fix=FIX)


def _check_titles(titles: Sequence[str], file: str) -> None:
    text = " ".join(titles).lower()
    if "revenue account budget" not in text:
        raise InputDataError(file, "the title rows do not say 'Revenue Account Budget': this is not an RA file "
                             f"(title: {titles[0] if titles else 'none'!r})", row=1, fix=FIX)
    if "thousand" not in text:
        raise InputDataError(file, "the title rows do not say the unit ('£ thousand')", row=1, fix=FIX)


def _section_row(records: list[list[str]], header: int, file: str) -> int:
    for i in range(header - 1, -1, -1):
        if any(_key(c) == FIRST_SECTION for c in records[i]):
            return i
    raise InputDataError(file, "no section headings row (a row above the header holding 'Education Services')",
                         row=header + 1, fix=FIX)


def _whole(text: str) -> bool:
    return bool(re.fullmatch(r"\d+", text.strip()))


def _line_number_row(records: list[list[str]], header: int, section: int, columns: Sequence[int]) -> int | None:
    """The row labelled "line number", else the nearest row above the header with a whole number in every column."""
    for i in range(header):
        if "line number" in _cell(records[i], 0).lower():
            return i
    for i in range(header - 1, -1, -1):
        if i != section and all(_whole(_cell(records[i], j)) for j in columns):
            return i
    return None


def _columns(records: list[list[str]], header: int, file: str) -> list[dict]:
    """The service-line columns: position, line name, block, line number."""
    names = [c.strip() for c in records[header]]
    section = _section_row(records, header, file)
    headings = records[section]
    first = next(j for j, c in enumerate(headings) if _key(c) == FIRST_SECTION)
    last = next((j for j in range(first, len(names)) if _key(names[j]).startswith(LAST_LINE_PREFIX)), None)
    if last is None:
        raise InputDataError(file, "no 'TOTAL SERVICE EXPENDITURE' column in the header row", row=header + 1,
                             column="TOTAL SERVICE EXPENDITURE", fix=FIX)
    columns, heading = [], ""
    for j in range(first, last + 1):
        published = _cell(headings, j)
        if published:
            heading = published
        if not names[j]:
            continue  # spacer column
        block = BLOCK_NAMES.get(_key(heading))
        if block is None:
            raise InputDataError(
                file, f"unknown section heading {heading!r} above column {names[j]!r}", row=section + 1,
                column=names[j], fix="add the heading to wcc_analysis.ingest.public.ra_budget.BLOCK_NAMES "
                "with the RS block it belongs to")
        columns.append({"position": j, "line": names[j], "block": block})
    numbers = _line_number_row(records, header, section, [c["position"] for c in columns])
    for column in columns:
        text = _cell(records[numbers], column["position"]) if numbers is not None else ""
        column["line_number"] = int(text) if _whole(text) else None
    return columns


def _column_index(names: Sequence[str], label: str, file: str, header: int) -> int:
    for j, name in enumerate(names):
        if _key(name) == label.lower():
            return j
    raise InputDataError(file, f"missing column {label!r} in the header row; columns found: "
                         + ", ".join(repr(n) for n in names[:8] if n) + ", ...",
                         row=header + 1, column=label, fix=FIX)


#: £ thousand allowed between a published total and the sum of its lines (the published files agree exactly).
TOTAL_TOLERANCE = 1.0


def _check_totals(wide: pd.DataFrame, columns: Sequence[dict], file: str) -> None:
    """Each block's TOTAL = the sum of its lines, and TOTAL SERVICE EXPENDITURE = the sum of the block totals."""
    groups: dict[str, tuple[list[str], str | None]] = {}
    for c in columns:
        lines, total = groups.get(c["block"], ([], None))
        key = f"c{c['position']}"
        if c["line"].upper().startswith("TOTAL"):
            total = key
        else:
            lines = [*lines, key]
        groups[c["block"]] = (lines, total)
    service_total = groups.pop("Total service expenditure", ([], None))[1]
    checks = [(lines, total) for lines, total in groups.values() if total and lines]
    if service_total:
        checks.append(([total for _, total in groups.values() if total], service_total))
    names = {f"c{c['position']}": c["line"] for c in columns}
    for parts, total in checks:
        summed = wide[parts].sum(axis=1, min_count=1)
        off = (summed - wide[total]).abs() > TOTAL_TOLERANCE
        if off.any():
            first = wide[off].iloc[0]
            raise InputDataError(
                file, f"{first['authority_name']}: {names[total]} is {first[total]:,.0f} but its lines add up to "
                f"{summed[off].iloc[0]:,.0f}", row=int(first["source_row"]), column=names[total],
                fix="correct the figure (or restore the published file): totals must equal the sum of their lines")


# --------------------------------------------------------------------------- one file


def read_ra_file(path: Path) -> pd.DataFrame:
    """One RA CSV → long rows (published ONS code in ``ons_code``; not yet joined to the lookup)."""
    path = Path(path)
    file = path  # errors show it relative to the project
    records, _ = read_records(path)
    header = _header_index(records, file)
    titles = _titles(records, header)
    _check_titles(titles, file)
    year, year_start = _year(titles, file)
    names = [c.strip() for c in records[header]]
    index = {key: _column_index(names, HEADERS[key], file, header)
             for key in ("ecode", "ons_code", "authority_name", "authority_class")}
    columns = _columns(records, header, file)

    rows = []
    for r in range(header + 1, len(records)):
        record = records[r]
        ecode = _cell(record, 0)
        if not ECODE_RE.match(ecode):
            if re.fullmatch(r"E\d+", ecode):
                raise InputDataError(file, f"{ecode!r} is not an E-code (E and four digits)", row=r + 1,
                                     column="E-code", fix="correct the E-code (or restore the published file)")
            continue  # blank, ENGLAND / class totals, notes
        row = {key: _cell(record, j) for key, j in index.items()}
        row["source_row"] = r + 1
        for c in columns:
            row[f"c{c['position']}"] = _cell(record, c["position"])
        rows.append(row)
    if not rows:
        raise InputDataError(file, "no authority rows (rows starting with an E-code) below the header",
                             row=header + 1, fix=FIX)
    wide = pd.DataFrame(rows)
    wide["authority_class"] = wide["authority_class"].replace(CLASS_ALIASES)
    validate(wide, ID_SCHEMA, file=file, headers=HEADERS, fix=FIX)

    ons = wide["ons_code"]
    bad = (ons != "") & ~ons.str.match(ONS_RE.pattern) & (ons != wide["ecode"])
    if bad.any():
        first = wide[bad].iloc[0]
        raise InputDataError(file, f"{first['ons_code']!r} is not an ONS code (a letter and eight digits)",
                             row=int(first["source_row"]), column=HEADERS["ons_code"],
                             fix="correct the ONS code, or leave the cell blank")
    wide["ons_code"] = ons.where(ons.str.match(ONS_RE.pattern), None)

    value_columns = [f"c{c['position']}" for c in columns]
    headers = {f"c{c['position']}": c["line"] for c in columns}
    for column in value_columns:
        text = wide[column].astype("string").str.strip()
        wide[column] = text.mask(text.str.fullmatch(PLACEHOLDER_RE.pattern, case=False).fillna(True))
    wide = coerce_numeric(wide, value_columns, file=file, headers=headers)
    _check_totals(wide, columns, file)

    ids = ["ons_code", "ecode", "authority_name", "authority_class", "source_row"]
    long = wide.melt(id_vars=ids, value_vars=value_columns, var_name="column",
                     value_name="net_budget_gbp_thousands")
    meta = pd.DataFrame(columns).assign(column=lambda f: "c" + f["position"].astype(str))
    long = long.merge(meta, on="column", how="left")
    long["line_number"] = long["line_number"].astype("Int64")
    long["is_total"] = long["line"].str.upper().str.startswith("TOTAL")
    long["year"], long["year_start"] = year, year_start
    long["source_file"] = path.name
    long["net_budget_gbp_thousands"] = long["net_budget_gbp_thousands"].astype(float)
    return long.sort_values(["source_row", "position"], ignore_index=True)


# --------------------------------------------------------------------------- all files


def _attach_ons_codes(table: pd.DataFrame, lookup_path: Path | None) -> pd.DataFrame:
    from wcc_analysis.ingest.public.revenue_outturn import SOURCE_UNMATCHED, attach_ons_codes, ecode_lookup

    table = attach_ons_codes(table, ecode_lookup(lookup_path), {})
    councils = table[(table["ons_code_source"] == SOURCE_UNMATCHED) & (table["authority_class"] != "O")]
    if not councils.empty:
        first = councils.sort_values("source_row").iloc[0]
        raise InputDataError(
            first["source_file"], f"no ONS code for E-code {first['ecode']!r} ({first['authority_name']}, class "
            f"{first['authority_class']}): the cell is blank and the mySociety lookup has no such E-code",
            row=int(first["source_row"]), column=HEADERS["ons_code"],
            fix="enter the authority's ONS code, or add its E-code to "
            "data/raw/public/mysociety_la_lookup/uk_local_authorities.csv")
    return table


def load_ra_budget(files: Sequence[Path] | None = None, *, lookup_path: Path | None = None) -> pd.DataFrame:
    """RA budget service lines of every given file (default: every RA_*.csv in data/raw/public/...).

    One row per authority, year and line (block totals included, ``is_total``):
    ``COLUMNS``. ``net_budget_gbp_thousands`` is budgeted net current expenditure,
    £ thousand, cash; NaN = no figure published (never 0). Sorted by year, E-code
    and the line's position in the file.
    """
    files = list(files) if files is not None else default_paths()
    if not files:
        raise InputDataError(str(DIRECTORY), "no RA_*.csv file in the folder",
                             fix="restore the files named in the folder's PROVENANCE.md")
    parts = [read_ra_file(p) for p in files]
    years: dict[str, str] = {}
    for part in parts:
        year, file = part["year"].iloc[0], part["source_file"].iloc[0]
        if year in years:
            raise InputDataError(file, f"year {year} is also in {years[year]}",
                                 fix="keep one RA file per year in the folder")
        years[year] = file
    table = _attach_ons_codes(pd.concat(parts, ignore_index=True), lookup_path)
    for file, part in table.groupby("source_file", sort=False):
        validate(part, SCHEMA, file=file, headers=HEADERS, fix=FIX)
        validate(part.dropna(subset=["ons_code"]), ONS_KEY, file=file, headers=HEADERS,
                 fix="two E-codes share one ONS code: correct the ONS code or the E-code lookup")
    table = table.sort_values(["year_start", "ecode", "position"], ignore_index=True)
    table["ons_code"] = table["ons_code"].astype(object).where(table["ons_code"].notna(), None)
    return table[COLUMNS]


def line_names(table: pd.DataFrame) -> pd.DataFrame:
    """The distinct (year, block, line_number, line, is_total) of an ``ra_budget`` table, in file order."""
    first = table.drop_duplicates(["year", "line"])
    return first[["year", "block", "line_number", "line", "is_total"]].reset_index(drop=True)

