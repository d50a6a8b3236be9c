"""Text and CSV files read strictly: the encoding found and recorded, a truncated or ragged file refused.

Encodings accepted, tried in this order (published files use all three):

1. UTF-8, with or without a byte-order mark;
2. Windows-1252 (cp1252), when the bytes are not UTF-8 and none is one of the five bytes cp1252 leaves
   undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D);
3. Mac Roman, otherwise (it defines every byte, so it is the last resort; a file that is neither of the first
   two and holds those bytes is read as Mac Roman and the encoding is recorded so a reader can see it).

Refused: an empty file; UTF-16 or UTF-32 (a byte-order mark, or NUL bytes in the text) — save it as UTF-8.

A CSV is refused when the csv module cannot parse it (an unterminated quote), when it stops part-way through
a record (no final line break and fewer fields than the header: a file cut short in copying), or, with
``ragged=True``, when any non-blank record has a different number of fields from its header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from wcc_analysis.core.errors import InputDataError

ENCODINGS = ("utf-8-sig", "cp1252", "mac_roman")
#: How each encoding is named to a reader.
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "mac_roman": "Mac Roman"}
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
SAVE_AS_UTF8 = "open it in a spreadsheet program and save it again as CSV (UTF-8)"


def decode_text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with (one of :data:`ENCODINGS`)."""
    data = Path(path).read_bytes()
    if not data.strip():
        raise InputDataError(path, "is empty", fix="replace it with the complete file (the template or the "
                                                     "published original)")
    if data.startswith(_WIDE_BOMS) or b"\x00" in data:
        raise InputDataError(path, "is UTF-16 or UTF-32 text (or binary), not a CSV this product reads",
                             fix=SAVE_AS_UTF8)
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("mac_roman decodes every byte")  # pragma: no cover


@dataclass(frozen=True)
class CsvText:
    """A CSV's records as text (the first is its header), the 1-based line each starts on, its encoding."""

    records: list[list[str]]
    lines: list[int]
    encoding: str

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)


def read_csv_text(path: Path, *, ragged: bool = True) -> CsvText:
    """Every record of a CSV, checked as the module docstring says."""
    text, encoding = decode_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            if record:  # a blank line (often one at the end) is no record
                records.append(record)
                lines.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as exc:
        raise InputDataError(path, f"is not a readable CSV ({exc}): it may be cut short or hold an unclosed quote",
                             row=previous_end + 1, fix="replace it with the complete file") from None
    if not records:
        raise InputDataError(path, "has no header row", fix="replace it with the complete file")
    width = len(records[0])
    names = [field.strip() for field in records[0]]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise InputDataError(path, f"the header names column {repeated[0]!r} more than once", row=lines[0],
                             column=repeated[0], fix="give each column its own name, as in the template")

    def blank(record: list[str]) -> bool:
        return not any(field.strip() for field in record)

    last = len(records) - 1
    if last > 0 and not text.endswith(("\n", "\r")) and len(records[last]) < width and not blank(records[last]):
        raise InputDataError(path, f"stops part-way through row {lines[last]} ({len(records[last])} of {width} "
                                   "columns and no final line break): the file looks cut short",
                             row=lines[last], fix="replace it with the complete file")
    if ragged:
        for record, line in zip(records[1:], lines[1:], strict=True):
            if len(record) != width and not blank(record):
                raise InputDataError(path, f"row {line} has {len(record)} columns where the header has {width}",
                                     row=line, fix="check the row for a stray or missing comma (text with a "
                                                   "comma must be in double quotes), or replace the file")
    return CsvText(records, lines, encoding)
