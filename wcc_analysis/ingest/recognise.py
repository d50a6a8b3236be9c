"""Which published source a spreadsheet is, found from its content (for ``wcc-analysis data add``).

A file's name says little (GOV.UK renames files between years), so a file is
recognised by what is inside it, with the tests the source's own reader uses to
find its data — never a second parser:

=================  =========================================================================  =====================
source (key)       what identifies it                                                         reader that decides
=================  =========================================================================  =====================
RS (``rs``)        a sheet (``… LA Data …``) whose first column has an ``E-code`` header      ``revenue_outturn.
                   row under a title starting "Net current expenditure" (2023-24 on: block    read_rs_sheet``
                   columns coded ``RS-…-net-exp``) and an ``Education services`` column
RSX (``rsx``)      a sheet whose first column has an ``E-code`` header row with               ``outturn_rsx.
                   "<block> - <measure> (C1 … C7)" columns                                    read_rsx_sheet``
ONS MYE (``mye``)  a sheet ``MYE4`` whose header row holds ``Code``, ``Name``, ``Geography``  ``mid_year_population.
                   and ``Mid-YYYY`` year columns                                              find_header``
DEFRA LACW         a ``Metadata`` sheet titled "Local Authority Collected Waste …", or a      ``mid_year_population.
(``defra_lacw``)   sheet ``Table_3`` whose header row holds ``Year``, ``ONS code``,           find_header`` (as
                   ``Authority``, ``Authority type``                                          ``waste_collection``)
=================  =========================================================================  =====================

The year and edition come from the same places the readers take them: for RS and
RSX the financial year from the data sheet's name or title and the release from
the front page (:func:`~wcc_analysis.ingest.public.outturn_common.release_from_front_page`);
for the MYE workbook the latest ``Mid-YYYY`` column; for DEFRA the latest ``Year``
in Table_3 and the Metadata sheet's year and release date.

:func:`recognise` returns a :class:`Recognised` (or raises :class:`UnrecognisedFile`,
an :class:`~wcc_analysis.core.errors.InputDataError`, listing what it expected);
:meth:`KnownSource.validate` then runs the source's own reader on the file, so a bad
file is refused with the reader's error (file, sheet, row and column). For RS and
RSX the check also builds the revenue outturn table with the file beside the ones
shipped (two workbooks for one year, or an E-code without an ONS code, are refused
before anything is copied).

Each source's target folder (:attr:`KnownSource.folder`, relative to
data/raw/public/) is taken from its reader, so it is written in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.provenance import financial_year_end, mid_year
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest.public import mid_year_population, outturn_rsx, revenue_outturn, waste_collection
from wcc_analysis.ingest.public.outturn_common import header_row, release_from_front_page, sheet_lines, year_from_texts

__all__ = [
    "KNOWN_SOURCES", "KnownSource", "Recognised", "UnrecognisedFile", "Validated", "Workbook", "expected_text",
    "known_source", "recognise",
]

SPREADSHEET_SUFFIXES = (".xls", ".xlsx", ".ods")
REDOWNLOAD = "download the file again from its publisher; it may be truncated, or not a spreadsheet despite its name"


# --------------------------------------------------------------------------- the workbook, read once


class Workbook:
    """A spreadsheet opened once with calamine; sheets are read raw (``header=None``) on first use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        try:
            self.book = pd.ExcelFile(self.path, engine="calamine")
        except FileNotFoundError:
            raise InputDataError(self.path, "file not found", fix="give the path of a downloaded file") from None
        except Exception as exc:  # calamine raises its own error types for damaged files
            raise InputDataError(self.path, f"cannot read this file as a spreadsheet ({_one_line(exc)})",
                                 fix=REDOWNLOAD) from None
        self.sheet_names = [str(n) for n in self.book.sheet_names]
        self._frames: dict[str, pd.DataFrame] = {}

    def sheet(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            try:
                self._frames[name] = pd.read_excel(self.book, sheet_name=name, header=None)
            except Exception as exc:  # a damaged sheet
                raise InputDataError(self.path, f"cannot read this sheet ({_one_line(exc)})", sheet=name,
                                     fix=REDOWNLOAD) from None
        return self._frames[name]

    def find_sheet(self, wanted: str) -> str | None:
        """The sheet called ``wanted``, case and spacing ignored (as the readers match sheet names)."""
        key = " ".join(wanted.lower().split())
        return next((n for n in self.sheet_names if " ".join(n.lower().split()) == key), None)

    def data_sheets(self) -> list[str]:
        """The sheets the RS and RSX readers look in: those named "… LA Data …", else every sheet."""
        return [n for n in self.sheet_names if "la data" in n.lower().replace("_", " ")] or list(self.sheet_names)

    def front_lines(self) -> list[str]:
        front = next((n for n in self.sheet_names if "front" in n.lower()), None)
        return sheet_lines(self.sheet(front)) if front else []


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


# --------------------------------------------------------------------------- what a detector finds


@dataclass(frozen=True)
class Match:
    """What identified the file, and the year and edition it states."""

    year: str  # "2024-25", or "mid-2024"
    edition: str  # "second release", "mid-2011 to mid-2024", "2022-23 edition, released 31st January 2024"
    period_end: str | None  # ISO date the latest period ended, when the file says
    evidence: str  # what was found, e.g. "sheet 'RSX_LA_Data_202425': 'E-code' header with (C1 … C7) columns"


@dataclass(frozen=True)
class Validated:
    """What the source's reader read from the file."""

    rows: int
    years: str  # "2024-25", or "mid-2011 to mid-2024"
    authorities: int


@dataclass(frozen=True)
class KnownSource:
    """A published source ``data add`` takes, how it is recognised and where its files go."""

    key: str
    label: str
    folder: Path  # relative to data/raw/public/: where its files are copied
    identified_by: str  # for people: what in the file identifies it
    reader: str  # the module whose reader validates it
    detect: Callable[[Workbook], Match | None]
    check: Callable[[Path], Validated]
    suffixes: tuple[str, ...] = SPREADSHEET_SUFFIXES

    def target_dir(self) -> Path:
        return paths.raw_public_dir() / self.folder

    def validate(self, path: Path) -> Validated:
        """Run the source's own reader on ``path``: its InputDataError (file, sheet, row, column) if it is bad."""
        return self.check(Path(path))


@dataclass(frozen=True)
class Recognised:
    source: KnownSource
    match: Match

    @property
    def description(self) -> str:
        return f"{self.source.label}, {self.match.year} ({self.match.edition})"


class UnrecognisedFile(InputDataError):
    """A spreadsheet that is none of the sources ``data add`` knows; ``fix`` lists what it expected."""


# --------------------------------------------------------------------------- RS and RSX


def _titles_above(frame: pd.DataFrame, header: int) -> list[str]:
    return [blank_if_missing(frame.iat[r, 0]) for r in range(header) if blank_if_missing(frame.iat[r, 0])]


def _outturn_match(book: Workbook, name: str, frame: pd.DataFrame, table: pd.DataFrame | None, what: str) -> Match:
    header = header_row(frame) or 0
    found = year_from_texts([name, *_titles_above(frame, header)])
    if table is not None and len(table):
        year = str(table["year"].iloc[0])
    else:
        year = found[0] if found else "year not stated"
    release = release_from_front_page(book.front_lines(), year) if found else "not stated"
    return Match(year=year, edition=release, period_end=financial_year_end(year) if found else None,
                 evidence=f"sheet {name!r}: {what}")


def _detect_rs(book: Workbook) -> Match | None:
    for name in book.data_sheets():
        frame = book.sheet(name)
        try:
            table = revenue_outturn.read_rs_sheet(frame, file=book.name, sheet=name)
        except InputDataError:  # the reader found its sheet (it raises only past that test): validation says why
            return _outturn_match(book, name, frame, None, "an RS net current expenditure sheet ('E-code' header)")
        if table is not None:
            return _outturn_match(book, name, frame, table, "'E-code' header, net current expenditure by block")
    return None


def _detect_rsx(book: Workbook) -> Match | None:
    for name in book.data_sheets():
        frame = book.sheet(name)
        try:
            table = outturn_rsx.read_rsx_sheet(frame, file=book.name, sheet=name, release="not stated")
        except InputDataError:
            return _outturn_match(book, name, frame, None, "an RSX data sheet ('E-code' header, (C1 … C7) columns)")
        if table is not None:
            return _outturn_match(book, name, frame, table, "'E-code' header with '<block> - <measure> (Cn)' columns")
    return None


def _summary(frame: pd.DataFrame) -> Validated:
    years = sorted(frame["year"].dropna().astype(str).unique())
    codes = frame["ons_code"].dropna().nunique() if "ons_code" in frame else 0
    span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}" if years else "no year"
    return Validated(rows=len(frame), years=span, authorities=int(codes))


def _check_rs(path: Path) -> Validated:
    own = revenue_outturn.load_revenue_outturn_workbook(path)
    others = [p for p in revenue_outturn.rs_workbooks() if p.name != path.name]
    revenue_outturn.load_revenue_outturn(rs=[*others, path])  # one workbook per year, codes for every council
    return _summary(own)


def _check_rsx(path: Path) -> Validated:
    own = outturn_rsx.read_rsx_workbook(path)
    others = [p for p in outturn_rsx.rsx_workbooks() if p.name != path.name]
    revenue_outturn.load_revenue_outturn(rsx=[*others, path])  # one workbook per year, codes for every council
    return Validated(rows=len(own), years=_summary(own).years, authorities=int(own["ons_published"].dropna().nunique()))


# --------------------------------------------------------------------------- ONS mid-year estimates


def _mid_years(book: Workbook) -> tuple[str, list[int]] | None:
    name = book.find_sheet(mid_year_population.SHEET_TOTALS)
    if name is None:
        return None
    frame = book.sheet(name)
    try:
        header = mid_year_population.find_header(frame, mid_year_population.ID_HEADERS.values(), file=book.name,
                                                 sheet=name)
    except InputDataError:
        return None
    labels = [mid_year_population.sheet_label(v) for v in frame.iloc[header].tolist()]
    years = sorted(int(m.group(1)) for label in labels if (m := mid_year_population.MID_YEAR_RE.match(label)))
    return (name, years) if years else None


def _detect_mye(book: Workbook) -> Match | None:
    found = _mid_years(book)
    if found is None:
        return None
    name, years = found
    return Match(year=f"mid-{years[-1]}", edition=f"mid-{years[0]} to mid-{years[-1]}", period_end=mid_year(years[-1]),
                 evidence=f"sheet {name!r}: 'Code', 'Name', 'Geography' header with 'Mid-YYYY' columns")


def _check_mye(path: Path) -> Validated:
    read = mid_year_population.read_mid2023(path)  # any edition: it reads every Mid-YYYY column of MYE4
    totals = read["totals"]
    years = sorted(int(c.removeprefix("mid_")) for c in totals.columns if c.startswith("mid_"))
    kept = totals[totals["geography"].map(mid_year_population.GEOGRAPHY_LEVEL).notna()]
    return Validated(rows=len(totals), years=f"mid-{years[0]} to mid-{years[-1]}", authorities=int(len(kept)))


# --------------------------------------------------------------------------- DEFRA local authority collected waste

LACW_TITLE = "local authority collected waste"
LACW_HEADER = ["Year", "ONS code", "Authority", "Authority type"]


def _metadata(book: Workbook) -> dict[str, str]:
    """The Metadata sheet as label → value ("title" → "Local Authority Collected Waste Statistics - …")."""
    name = book.find_sheet("Metadata")
    if name is None:
        return {}
    out: dict[str, str] = {}
    for row in book.sheet(name).itertuples(index=False):
        cells = [blank_if_missing(v) for v in row]
        if len(cells) >= 2 and cells[0]:
            out.setdefault(cells[0].rstrip(":").strip().lower(), cells[1])
    return out


def _table3_years(book: Workbook) -> list[str] | None:
    name = book.find_sheet(waste_collection.SHEET)
    if name is None:
        return None
    frame = book.sheet(name)
    try:
        header = mid_year_population.find_header(frame, LACW_HEADER, file=book.name, sheet=name)
    except InputDataError:
        return None
    labels = [mid_year_population.sheet_label(v).lower() for v in frame.iloc[header].tolist()]
    column = labels.index("year")
    values = {blank_if_missing(v) for v in frame.iloc[header + 1:, column].tolist()}
    return sorted(v for v in values if waste_collection.YEAR_RE.match(v))


def _detect_lacw(book: Workbook) -> Match | None:
    meta = _metadata(book)
    titled = meta.get("title", "").lower().startswith(LACW_TITLE)
    years = _table3_years(book)
    if not titled and years is None:
        return None
    stated = meta.get("year", "")
    latest = years[-1] if years else stated if waste_collection.YEAR_RE.match(stated) else None
    parts = [f"{stated} edition" if stated else "", f"released {meta['release date']}" if meta.get("release date") else ""]
    found = []
    if titled:
        found.append(f"'Metadata' titled {meta['title']!r}")
    if years is not None:
        found.append("'Table_3' with a 'Year', 'ONS code', 'Authority', 'Authority type' header")
    return Match(year=latest or "year not stated", edition=", ".join(p for p in parts if p) or "edition not stated",
                 period_end=financial_year_end(latest) if latest else None, evidence=" and ".join(found))


def _check_lacw(path: Path) -> Validated:
    return _summary(waste_collection.load_waste_collection(path))


# --------------------------------------------------------------------------- the registry

KNOWN_SOURCES: tuple[KnownSource, ...] = (
    KnownSource(
        key="rs", label="MHCLG Revenue Outturn Summary (RS), data by LA",
        folder=revenue_outturn.RS_SUBDIR,
        identified_by="a sheet whose first column has an 'E-code' header row under a title starting 'Net current "
        "expenditure' (2023-24 on: block columns coded 'RS-…-net-exp') and an 'Education services' column",
        reader="wcc_analysis.ingest.public.revenue_outturn", detect=_detect_rs, check=_check_rs),
    KnownSource(
        key="rsx", label="MHCLG Revenue Outturn Service Expenditure Summary (RSX), data by LA",
        folder=outturn_rsx.RSX_SUBDIR,
        identified_by="a sheet whose first column has an 'E-code' header row with '<block> - <measure> (C1 … C7)' "
        "columns, e.g. 'Education services - Net Current Expenditure (C7)'",
        reader="wcc_analysis.ingest.public.outturn_rsx", detect=_detect_rsx, check=_check_rsx),
    KnownSource(
        key="mye", label="ONS mid-year population estimates workbook (MYE2/MYE4/MYE5)",
        folder=mid_year_population.MYE23_PATH.parent,
        identified_by="a sheet 'MYE4' whose header row holds 'Code', 'Name', 'Geography' and 'Mid-YYYY' year columns "
        "(the reader also needs the sheets 'MYE2 - Persons' and 'MYE5')",
        reader="wcc_analysis.ingest.public.mid_year_population", detect=_detect_mye, check=_check_mye,
        suffixes=(".xlsx", ".xls", ".ods")),
    KnownSource(
        key="defra_lacw", label="DEFRA Local Authority Collected Waste statistics, LA data",
        folder=waste_collection.RELATIVE_PATH.parent,
        identified_by="a 'Metadata' sheet titled 'Local Authority Collected Waste Statistics …', or a sheet 'Table_3' "
        "whose header row holds 'Year', 'ONS code', 'Authority', 'Authority type'",
        reader="wcc_analysis.ingest.public.waste_collection", detect=_detect_lacw, check=_check_lacw,
        suffixes=(".ods", ".xlsx", ".xls")),
)


def known_source(key: str) -> KnownSource:
    return next(s for s in KNOWN_SOURCES if s.key == key)


def expected_text(sources: Sequence[KnownSource] = KNOWN_SOURCES) -> str:
    """What ``data add`` expects, one source per line: "- RS (rs): MHCLG …: <what identifies it>"."""
    return "\n".join(f"- {s.label} [{'/'.join(x.lstrip('.') for x in s.suffixes)}]: {s.identified_by}"
                     for s in sources)


def _sheets_text(names: Iterable[str], limit: int = 8) -> str:
    names = list(names)
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def recognise(path: Path, sources: Sequence[KnownSource] = KNOWN_SOURCES) -> Recognised:
    """Which of ``sources`` the spreadsheet at ``path`` is, by its content.

    InputDataError when it is not a readable spreadsheet; :class:`UnrecognisedFile`
    (its ``fix`` lists the sources and what identifies each) when it is none of them,
    or looks like more than one.
    """
    path = Path(path)
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise UnrecognisedFile(
            path.name, f"not a spreadsheet file name (it should end {', '.join(SPREADSHEET_SUFFIXES)})",
            fix="data add takes these sources, as published:\n" + expected_text(sources))
    book = Workbook(path)
    found = [(s, m) for s in sources if (m := s.detect(book)) is not None]
    if not found:
        raise UnrecognisedFile(
            path.name, f"not recognised as any source data add knows (its sheets: {_sheets_text(book.sheet_names)})",
            fix="data add takes next year's file of these sources, as published, and recognises each by its "
            "content:\n" + expected_text(sources))
    if len(found) > 1:
        raise UnrecognisedFile(
            path.name, "looks like more than one source: " + "; ".join(f"{s.label} ({m.evidence})" for s, m in found),
            fix="add the sources' files one at a time, as published")
    source, match = found[0]
    if path.suffix.lower() not in source.suffixes:
        raise UnrecognisedFile(path.name, f"{source.label} is published as {', '.join(source.suffixes)}, not "
                               f"{path.suffix}", fix="use the file as published")
    return Recognised(source=source, match=match)
