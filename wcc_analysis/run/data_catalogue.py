"""The catalogue of the published data (``data/raw/public/catalogue.csv``) and ``wcc-analysis data status``.

**The catalogue** has one row per file shipped in a source folder of
data/raw/public/ (every file except ``PROVENANCE.md`` and ``README*``; files and
folders whose name starts with a dot are never data)::

    path,source_folder,sha256,added,how
    mhclg_rsx_2022-23_to_2024-25_ods_dfe/RSX_2022-23_data_by_LA.ods,mhclg_rsx_2022-23_to_2024-25_ods_dfe,e448…,2026-12-01,shipped

- ``path``: the file's path relative to data/raw/public/, with ``/``;
- ``source_folder``: its first part (the folder with the source's PROVENANCE.md);
- ``sha256``: of the bytes as added — a file whose bytes differ is "changed since added";
- ``added``: ISO date — for the files shipped with the project, the day git first added
  them (``git log --diff-filter=A --format=%as -- <path>``; today for a file not yet
  committed), for the others the day ``data add`` copied them;
- ``how``: ``shipped`` or ``data add``.

Rows are sorted by ``path``; the file is rewritten whole (to a temporary name, then
renamed), never edited in place. ``data add`` adds a row; ``data status
--write-catalogue`` adds rows for files on disk that have none (it never changes an
existing row, so a changed file stays flagged until it is restored).

**data status** (:func:`data_status`) lists every source folder and every file in it:
size, sha256, date added, the processed tables that read it (from the registry
:data:`wcc_analysis.ingest.tables.TABLES`), what those tables cover and how old
their latest period is (:func:`latest_period_end`, the one rule for that). Files no
table reads are "kept for reference".
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError, WccAnalysisError
from wcc_analysis.core.provenance import financial_year_end, is_stale, mid_year
from wcc_analysis.core.store import sha256_file
from wcc_analysis.run.data_currency import age_text, long_date

CATALOGUE_NAME = "catalogue.csv"
COLUMNS = ("path", "source_folder", "sha256", "added", "how")
HOW_SHIPPED = "shipped"
HOW_DATA_ADD = "data add"
HOWS = (HOW_SHIPPED, HOW_DATA_ADD)

FLAG_CHANGED = "changed since added"
FLAG_UNCATALOGUED = "not in the catalogue"
KEPT_FOR_REFERENCE = "kept for reference (no processed table reads it)"

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FINANCIAL_YEAR = re.compile(r"^\d{4}-\d{2}$")


# --------------------------------------------------------------------------- files


def catalogue_path() -> Path:
    return paths.raw_public_dir() / CATALOGUE_NAME


def is_data_file(relative: Path) -> bool:
    """True for a file of a source folder: not PROVENANCE.md or README*, nothing hidden, not at the top level."""
    parts = relative.parts
    if len(parts) < 2 or any(part.startswith(".") for part in parts):
        return False
    name = parts[-1].lower()
    return name != "provenance.md" and not name.startswith("readme")


def source_folders() -> list[Path]:
    root = paths.raw_public_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def data_files() -> list[Path]:
    """Every data file in the source folders of data/raw/public/, sorted by path."""
    root = paths.raw_public_dir()
    found = []
    for folder in source_folders():
        found += [p for p in folder.rglob("*") if p.is_file() and is_data_file(p.relative_to(root))]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def relative(path: Path) -> str:
    """A file's catalogue path: relative to data/raw/public/, with '/'."""
    return Path(path).resolve().relative_to(paths.raw_public_dir().resolve()).as_posix()


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class CatalogueRow:
    path: str
    source_folder: str
    sha256: str
    added: str
    how: str

    def values(self) -> list[str]:
        return [self.path, self.source_folder, self.sha256, self.added, self.how]


def row_for(path: Path, *, added: str, how: str, sha256: str | None = None) -> CatalogueRow:
    rel = relative(path)
    return CatalogueRow(rel, rel.split("/", 1)[0], sha256 or sha256_file(path), added, how)


def read_catalogue(path: Path | None = None) -> dict[str, CatalogueRow]:
    """The catalogue as path → row ({} when there is none); InputDataError naming the row and column if malformed."""
    path = path or catalogue_path()
    if not path.is_file():
        return {}
    name = paths.relative_to_root(path)
    fix = "restore data/raw/public/catalogue.csv from git (it is written by wcc-analysis data add)"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows or [c.strip() for c in rows[0]] != list(COLUMNS):
        raise InputDataError(name, f"the header must be {','.join(COLUMNS)}", row=1, fix=fix)
    found: dict[str, CatalogueRow] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            raise InputDataError(name, f"{len(cells)} values, expected {len(COLUMNS)}", row=number, fix=fix)
        row = CatalogueRow(*(c.strip() for c in cells))
        checks = [("path", bool(row.path) and is_data_file(Path(row.path)), "a file inside a source folder"),
                  ("source_folder", row.path.split("/", 1)[0] == row.source_folder, "the first part of path"),
                  ("sha256", bool(_SHA256.match(row.sha256)), "64 lower-case hex digits"),
                  ("added", _is_iso_date(row.added), "an ISO date such as 2026-12-01"),
                  ("how", row.how in HOWS, f"one of {', '.join(HOWS)}")]
        for column, ok, wanted in checks:
            if not ok:
                raise InputDataError(name, f"{getattr(row, column)!r} is not {wanted}", row=number, column=column,
                                     fix=fix)
        if row.path in found:
            raise InputDataError(name, f"{row.path} is listed twice", row=number, column="path", fix=fix)
        found[row.path] = row
    return found


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def write_catalogue(rows: Iterable[CatalogueRow], path: Path | None = None) -> Path:
    """Write the catalogue (sorted by path) to a temporary name beside it, then rename it into place."""
    path = path or catalogue_path()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in sorted(rows, key=lambda r: r.path):
        writer.writerow(row.values())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        os.chmod(tmp, readable_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def readable_mode() -> int:
    """The mode of a new ordinary file (0o666 less the umask): ``mkstemp`` makes its files private."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def add_row(row: CatalogueRow) -> None:
    """Add (or replace) the catalogue's row for ``row.path``."""
    rows = read_catalogue()
    rows[row.path] = row
    write_catalogue(rows.values())


def git_added_date(path: Path) -> str | None:
    """The day git first added ``path`` (``git log --diff-filter=A --format=%as``), None if never committed."""
    root = paths.project_root()
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "log", "--diff-filter=A", "--format=%as", "--", str(Path(path).resolve())],
            capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    dates = [line.strip() for line in done.stdout.splitlines() if _is_iso_date(line.strip())]
    return dates[-1] if done.returncode == 0 and dates else None  # newest first: the last is the first add


def write_missing_rows(today: date | None = None) -> list[CatalogueRow]:
    """Add a ``shipped`` row for every data file that has none (added: git's first-add date, else today)."""
    today = today or date.today()
    rows = read_catalogue()
    new = [row_for(p, added=git_added_date(p) or today.isoformat(), how=HOW_SHIPPED)
           for p in data_files() if relative(p) not in rows]
    if new or not catalogue_path().is_file():
        write_catalogue([*rows.values(), *new])
    return new


# --------------------------------------------------------------------------- what the tables cover


def latest_period_end(frame: pd.DataFrame) -> tuple[str | None, str]:
    """The day a table's latest period ended (ISO) and how that was derived — the one rule for a table's age.

    - a ``year`` column of financial years "YYYY-YY": the latest one's 31 March (2024-25 → 2025-03-31);
    - a ``year`` column of whole numbers (the ONS mid-year population tables): the latest mid-year's
      30 June (2024 → 2024-06-30);
    - a ``calendar_year`` column (the GDP deflator): the latest year's 31 December;
    - otherwise (a lookup, the census, IMD editions) there is no period: (None, "no year column").
    """
    if "year" in frame.columns and frame["year"].notna().any():
        values = frame["year"].dropna()
        if pd.api.types.is_integer_dtype(values):
            latest = int(values.max())
            return mid_year(latest), f"latest mid-year {latest}, 30 June"
        texts = sorted({str(v) for v in values if _FINANCIAL_YEAR.match(str(v))})
        if texts:
            return financial_year_end(texts[-1]), f"latest financial year {texts[-1]}, ends 31 March"
    if "calendar_year" in frame.columns and frame["calendar_year"].notna().any():
        latest = int(frame["calendar_year"].max())
        return f"{latest}-12-31", f"latest calendar year {latest}, 31 December"
    return None, "no year column"


@dataclass
class TableCoverage:
    name: str
    rows: int | None = None
    first_year: str | None = None
    last_year: str | None = None
    authorities: int | None = None
    period_end: str | None = None
    derived: str = ""
    age: str | None = None
    stale: bool | None = None
    error: str | None = None

    @property
    def years(self) -> str | None:
        if self.first_year is None:
            return None
        return self.first_year if self.first_year == self.last_year else f"{self.first_year} to {self.last_year}"

    def describe(self) -> str:
        """"2010-11 to 2024-25, 466 authorities; latest period ended 31 March 2025, 1 year 8 months old"."""
        if self.error:
            return f"cannot be built: {self.error}"
        parts = [self.years or "no year column"]
        if self.authorities is not None:
            parts.append(f"{self.authorities:,} authorities")
        text = ", ".join(parts)
        if self.period_end:
            text += f"; latest period ended {long_date(self.period_end)}, {self.age}"
            if self.stale:
                text += " (over two years old)"
        return text


def coverage(name: str, frame: pd.DataFrame, on: date) -> TableCoverage:
    """What ``frame`` (processed table ``name``) covers and how old its latest period is on ``on``."""
    out = TableCoverage(name=name, rows=len(frame))
    if "year" in frame.columns and frame["year"].notna().any():
        values = frame["year"].dropna()
        out.first_year, out.last_year = str(values.min()), str(values.max())
    elif "calendar_year" in frame.columns and frame["calendar_year"].notna().any():
        out.first_year, out.last_year = str(frame["calendar_year"].min()), str(frame["calendar_year"].max())
    if "ons_code" in frame.columns:
        out.authorities = int(frame["ons_code"].dropna().nunique())
    out.period_end, out.derived = latest_period_end(frame)
    if out.period_end:
        out.age = age_text(out.period_end, on)
        out.stale = is_stale(out.period_end, on)
    return out


def table_coverage(name: str, on: date, load: Callable[[str], pd.DataFrame] | None = None) -> TableCoverage:
    """Coverage of processed table ``name``, read (and rebuilt when stale) with ``ingest.load``."""
    if load is None:
        from wcc_analysis import ingest

        load = ingest.load
    try:
        frame = load(name)
    except (WccAnalysisError, OSError, ValueError) as exc:
        return TableCoverage(name=name, error=" ".join(str(exc).split())[:300])
    return coverage(name, frame, on)


def table_readers(tables: Mapping[str, object] | None = None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Catalogue path → the tables that read it (registry order), and table → error for registries that failed."""
    if tables is None:
        from wcc_analysis.ingest.tables import TABLES as tables
    root = paths.raw_public_dir().resolve()
    readers: dict[str, list[str]] = {}
    problems: dict[str, str] = {}
    for name, entry in tables.items():
        try:
            files = entry.sources()
        except (WccAnalysisError, OSError) as exc:
            problems[name] = " ".join(str(exc).split())
            continue
        for file in files:
            try:
                rel = Path(file).resolve().relative_to(root).as_posix()
            except ValueError:
                continue
            readers.setdefault(rel, []).append(name)
    return readers, problems


# --------------------------------------------------------------------------- data status


@dataclass
class FileStatus:
    path: str
    folder: str
    size: int
    sha256: str
    added: str | None
    how: str | None
    tables: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def for_reference(self) -> bool:
        return not self.tables


@dataclass
class DataStatus:
    on: date
    folders: dict[str, list[FileStatus]]
    tables: dict[str, TableCoverage]
    missing: list[CatalogueRow]  # in the catalogue, not on disk
    catalogue_rows: int
    registry_problems: dict[str, str] = field(default_factory=dict)

    @property
    def files(self) -> list[FileStatus]:
        return [f for files in self.folders.values() for f in files]

    @property
    def changed(self) -> list[FileStatus]:
        return [f for f in self.files if FLAG_CHANGED in f.flags]

    @property
    def uncatalogued(self) -> list[FileStatus]:
        return [f for f in self.files if FLAG_UNCATALOGUED in f.flags]


def data_status(on: date | None = None, *, load: Callable[[str], pd.DataFrame] | None = None) -> DataStatus:
    """Every source folder and file of data/raw/public/ with its catalogue entry, readers and their coverage."""
    on = on or date.today()
    catalogue = read_catalogue()
    readers, problems = table_readers()
    folders: dict[str, list[FileStatus]] = {p.name: [] for p in source_folders()}
    present = set()
    for path in data_files():
        rel = relative(path)
        present.add(rel)
        sha = sha256_file(path)
        row = catalogue.get(rel)
        flags = [] if row is None or row.sha256 == sha else [FLAG_CHANGED]
        if row is None:
            flags.append(FLAG_UNCATALOGUED)
        folders[rel.split("/", 1)[0]].append(FileStatus(
            path=rel, folder=rel.split("/", 1)[0], size=path.stat().st_size, sha256=sha,
            added=row.added if row else None, how=row.how if row else None, tables=readers.get(rel, []), flags=flags))
    used = list(dict.fromkeys(t for files in folders.values() for f in files for t in f.tables))
    tables = {name: table_coverage(name, on, load) for name in used}
    missing = [row for rel, row in catalogue.items() if rel not in present]
    return DataStatus(on=on, folders=folders, tables=tables, missing=missing, catalogue_rows=len(catalogue),
                      registry_problems=problems)


def human_size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


AGE_RULE = ("The age of a table is measured to today from the end of its latest period: a financial year "
            "(YYYY-YY) ends on 31 March, an ONS mid-year estimate on 30 June, a calendar year on 31 December.")


def summary_lines(status: DataStatus) -> list[str]:
    """The closing lines of ``data status``: counts and every flag."""
    files = status.files
    lines = [f"{len(status.folders)} source folders, {len(files)} files, {status.catalogue_rows} catalogue rows "
             f"({paths.relative_to_root(catalogue_path())})."]
    reference = [f for f in files if f.for_reference]
    if reference:
        lines.append(f"{len(reference)} file(s) kept for reference (no processed table reads them).")
    for f in status.changed:
        lines.append(f"CHANGED since added: {f.path} — restore it (git checkout -- data/raw/public/{f.path}) or, if "
                     "it is a new release, add it with 'wcc-analysis data add' under its own name.")
    if status.uncatalogued:
        names = ", ".join(f.path for f in status.uncatalogued)
        lines.append(f"Not in the catalogue: {names} — run 'wcc-analysis data add' on it (checks and records it), "
                     "or 'wcc-analysis data status --write-catalogue' for files shipped with the project.")
    for row in status.missing:
        lines.append(f"MISSING: {row.path} is in the catalogue (added {row.added}) but not on disk.")
    for name, problem in status.registry_problems.items():
        lines.append(f"Table {name}: cannot list its raw files: {problem}")
    stale = [t for t in status.tables.values() if t.stale]
    if stale:
        lines.append(f"{len(stale)} of {len(status.tables)} tables end more than two years ago: "
                     + ", ".join(f"{t.name} ({long_date(t.period_end)})" for t in stale) + ".")
    lines.append(AGE_RULE)
    return lines


def render_plain(status: DataStatus) -> str:
    """``data status`` as plain text (not a terminal: pipes, files, CI)."""
    out = [f"data/raw/public on {long_date(status.on)}", ""]
    for folder, files in status.folders.items():
        out.append(f"{folder}/  ({len(files)} file{'s' if len(files) != 1 else ''})")
        for f in files:
            name = f.path.split("/", 1)[1]
            flags = "".join(f"  [{flag.upper() if flag == FLAG_CHANGED else flag}]" for flag in f.flags)
            out.append(f"  {name}{flags}")
            added = f"added {f.added} ({f.how})" if f.added else "not in the catalogue"
            out.append(f"    {f.size:,} bytes, {added}, sha256 {f.sha256}")
            if f.for_reference:
                out.append(f"    {KEPT_FOR_REFERENCE}")
            for table in f.tables:
                out.append(f"    read by {table}: {status.tables[table].describe()}")
        out.append("")
    out += summary_lines(status)
    return "\n".join(out) + "\n"


def render_rich(status: DataStatus, console) -> None:
    """``data status`` as a rich table on a terminal (sha256 shortened: the catalogue has it in full)."""
    from rich.table import Table

    table = Table(title=f"data/raw/public on {long_date(status.on)}", title_justify="left", show_lines=False)
    for column in ("file", "size", "added", "sha256", "read by: what the table covers; its latest period"):
        table.add_column(column, overflow="fold")
    for folder, files in status.folders.items():
        table.add_section()
        table.add_row(f"[bold]{_escape(folder)}/[/]", "", "", "", "" if files else "[dim]no files[/]")
        for f in files:
            name = f.path.split("/", 1)[1]
            flags = "".join(f"\n[bold red]{flag.upper()}[/]" if flag == FLAG_CHANGED else f"\n[yellow]{flag}[/]"
                            for flag in f.flags)
            added = f"{f.added}\n{f.how}" if f.added else "[yellow]—[/]"
            readers = "\n".join(
                ("[bold yellow]" if status.tables[t].stale else "") + f"{t}: " + _escape(status.tables[t].describe())
                + ("[/]" if status.tables[t].stale else "") for t in f.tables) or "[dim]kept for reference[/]"
            table.add_row(f"  {_escape(name)}{flags}", human_size(f.size), added, f.sha256[:12] + "…", readers)
    console.print(table)
    for line in summary_lines(status):
        console.print(line, markup=False, soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
