"""How a catalogue case spoils (or legitimately varies) one input file: small functions of the file's path.

Each returns a ``Change``: a description for the test id and report, and a function that rewrites the file in
place (the harness has already replaced the project copy's symlink by a real copy of the file).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Change:
    what: str
    apply: Callable[[Path], None]


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(row: int, column: str, value: str) -> Change:
    """Row ``row`` as a person counts it (the header is row 1), the column by its header."""
    def apply(path: Path) -> None:
        rows = _rows(path)
        rows[row - 1][rows[0].index(column)] = value
        _write_rows(path, rows)
    return Change(f"row {row} {column} = {value!r}", apply)


def set_where(match_column: str, match_value: str, column: str, value: str) -> Change:
    """The first row whose ``match_column`` is ``match_value`` (for long public files)."""
    def apply(path: Path) -> None:
        rows = _rows(path)
        header = rows[0]
        i, j = header.index(match_column), header.index(column)
        row = next(r for r in rows[1:] if len(r) > i and r[i] == match_value)
        row[j] = value
        _write_rows(path, rows)
    return Change(f"{column} = {value!r} where {match_column} = {match_value}", apply)


def drop_column(column: str) -> Change:
    def apply(path: Path) -> None:
        rows = _rows(path)
        j = rows[0].index(column)
        _write_rows(path, [[v for k, v in enumerate(r) if k != j] for r in rows])
    return Change(f"column {column!r} removed", apply)


def rename_column(old: str, new: str) -> Change:
    def apply(path: Path) -> None:
        rows = _rows(path)
        rows[0][rows[0].index(old)] = new
        _write_rows(path, rows)
    return Change(f"column {old!r} renamed {new!r}", apply)


def duplicate_row(row: int) -> Change:
    def apply(path: Path) -> None:
        rows = _rows(path)
        _write_rows(path, rows[:row] + [rows[row - 1]] + rows[row:])
    return Change(f"row {row} repeated", apply)


def drop_row(row: int) -> Change:
    def apply(path: Path) -> None:
        rows = _rows(path)
        _write_rows(path, rows[: row - 1] + rows[row:])
    return Change(f"row {row} removed", apply)


def replace_text(old: str, new: str) -> Change:
    def apply(path: Path) -> None:
        text = path.read_text(encoding="utf-8-sig")
        assert old in text, f"{old!r} is not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return Change(f"{old!r} → {new!r}", apply)


def append_text(text: str) -> Change:
    def apply(path: Path) -> None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    return Change(f"appended {text!r}", apply)


def header_only() -> Change:
    def apply(path: Path) -> None:
        path.write_text(path.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    return Change("header row only", apply)


def empty() -> Change:
    return Change("empty file", lambda path: path.write_bytes(b""))


def garbage() -> Change:
    return Change("not a file of its kind", lambda path: path.write_bytes(b"\x89 this is not a workbook \x00\x01" * 40))


def cut(fraction: float = 0.5) -> Change:
    """The file cut short part-way through (as by an interrupted copy), with no final line break."""
    def apply(path: Path) -> None:
        data = path.read_bytes()
        part = data[: int(len(data) * fraction)]
        if b"\n" in part[-200:]:  # end inside a row, never on a line break
            part = part.rstrip(b"\r\n")
            cut_at = part.rfind(b",")
            part = part[:cut_at] if cut_at > 0 else part
        path.write_bytes(part)
    return Change(f"cut at {fraction:.0%}", apply)


def encoded(encoding: str, old: str | None = None, new: str | None = None, bom: bool = False) -> Change:
    """The file saved in another encoding (optionally with a text change first: a character that encoding has)."""
    def apply(path: Path) -> None:
        text = path.read_text(encoding="utf-8-sig")
        if old is not None:
            assert old in text
            text = text.replace(old, new or "", 1)
        data = text.encode(encoding)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return Change(f"saved as {encoding}{' with a BOM' if bom else ''}", apply)


def crlf_bom() -> Change:
    def apply(path: Path) -> None:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\n", "\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return Change("UTF-8 with a BOM and CRLF line ends", apply)


def toml_replace(old: str, new: str) -> Change:
    return replace_text(old, new)


def workbook_cell(sheet: str, cell: str, value: object) -> Change:
    """An .xlsx resaved with one cell changed (openpyxl)."""
    def apply(path: Path) -> None:
        import openpyxl

        book = openpyxl.load_workbook(path)
        book[sheet][cell] = value
        book.save(path)
    return Change(f"{sheet}!{cell} = {value!r}", apply)


def workbook_without_sheet(sheet: str) -> Change:
    def apply(path: Path) -> None:
        import openpyxl

        book = openpyxl.load_workbook(path)
        del book[sheet]
        book.save(path)
    return Change(f"sheet {sheet!r} removed", apply)


def write_workbook(sheets: dict[str, list[list[object]]]) -> Change:
    """A new .xlsx in the file's place (e.g. the council's workbook form of its templates)."""
    def apply(path: Path) -> None:
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
        book.save(path)
    return Change(f"workbook with sheets {', '.join(sheets)}", apply)


def council_workbook_only(change: Change) -> Change:
    """The council's templates as one workbook instead of CSV files: ``change`` writes the workbook, and the
    table CSVs beside it are removed (a table may be supplied once only)."""
    def apply(path: Path) -> None:
        for csv_file in path.parent.glob("*.csv"):
            if csv_file.name != "service_areas.csv":
                csv_file.unlink()
        change.apply(path)
    return Change(f"{change.what}, no CSV templates", apply)
