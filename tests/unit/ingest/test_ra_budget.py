"""Revenue Account budget (RA) CSVs → budgeted net current expenditure per service line: hand checks, bad inputs."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import ra_budget as ra

WORCESTER, BROMSGROVE = "E07000237", "E07000234"
CULTURAL, ENVIRONMENTAL = "Cultural and related services", "Environmental and regulatory services"
CENTRAL, HOUSING = "Central services", "Housing services (GFRA only)"
FILE_2122, FILE_2324 = "RA_2021-22_data_by_LA.csv", "RA_2023-24_data_Part_1.csv"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return ra.load_ra_budget()


def _value(table: pd.DataFrame, code: str, year: str, line: str) -> float:
    row = table[(table["ons_code"] == code) & (table["year"] == year) & (table["line"] == line)]
    assert len(row) == 1, (code, year, line)
    return row["net_budget_gbp_thousands"].iloc[0]


def _path(name: str) -> Path:
    return next(p for p in ra.default_paths() if p.name == name)


# --------------------------------------------------------------------------- the real files


def test_shape_years_and_blocks(table):
    assert list(table.columns) == ra.COLUMNS
    per_year = table.groupby("year").agg(authorities=("ecode", "nunique"), lines=("line", "nunique"))
    assert per_year.to_dict("index") == {"2021-22": {"authorities": 425, "lines": 149},
                                         "2023-24": {"authorities": 410, "lines": 149}}
    assert len(table) == 425 * 149 + 410 * 149
    assert set(table["block"]) == {
        "Education services", "Highways and transport services", "Children Social Care", "Adult Social Care",
        "Public Health", HOUSING, CULTURAL, ENVIRONMENTAL, "Planning and development services",
        "Police services", "Fire and rescue services", CENTRAL, "Other services", "Total service expenditure"}
    assert set(table["authority_class"]) == {"SD", "UA", "MD", "L", "SC", "O"}  # 2023-24 "LB" read as "L"
    assert table.loc[table["ecode"] == "E5041", "authority_class"].unique().tolist() == ["L"]  # Hillingdon


# Worcester City Council (E1837 / E07000237), £ thousand, read off the published CSVs
# (RA 2023-24: record 413; RA 2021-22: record 118) and data/raw/public/mhclg_ra_budget_bengoodair/PROVENANCE.md.
WORCESTER_2324 = {
    "Recreation and sport": 532, "Culture and heritage (excluding Archives)": 1017, "Open spaces": 1300,
    "Tourism": 342, "TOTAL CULTURAL AND RELATED SERVICES": 3191,  # 532 + 1017 + 1300 + 342 (+ archives 0, library 0)
    "Waste collection": 884, "Recycling": 1261, "Street cleansing (not chargeable to Highways)": 2761,
    "TOTAL ENVIRONMENTAL AND REGULATORY SERVICES": 4942,
    "Housing benefits administration": 438, "Local tax collection: other": 685, "TOTAL CENTRAL SERVICES": 2869,
}
WORCESTER_2122 = {"TOTAL CULTURAL AND RELATED SERVICES": 2623, "TOTAL ENVIRONMENTAL AND REGULATORY SERVICES": 4433,
                  "TOTAL CENTRAL SERVICES": 2933, "Housing benefits administration": -267}
# Bromsgrove District Council (E1831 / E07000234), looked up in the CSVs by hand (2021-22 record 116 — text
# line 117, as the header block holds one quoted cell over two lines — and 2023-24 record 49). Values with
# thousands separators ("1,866") and negatives ("-316") as published.
BROMSGROVE_2122 = {
    "Recreation and sport": -316, "Culture and heritage (excluding Archives)": 103, "Open spaces": 524,
    "Tourism": 2, "TOTAL CULTURAL AND RELATED SERVICES": 377, "Waste collection": 1866, "Recycling": 0,
    "Street cleansing (not chargeable to Highways)": 2149, "TOTAL ENVIRONMENTAL AND REGULATORY SERVICES": 5014,
    "Housing benefits administration": 325, "Local tax collection: other": 265, "TOTAL CENTRAL SERVICES": 3458,
}
BROMSGROVE_2324 = {
    "Recreation and sport": 158, "Culture and heritage (excluding Archives)": 64, "Open spaces": 377,
    "Tourism": 2, "TOTAL CULTURAL AND RELATED SERVICES": 664, "Waste collection": 1951, "Recycling": 0,
    "Street cleansing (not chargeable to Highways)": 2624, "TOTAL ENVIRONMENTAL AND REGULATORY SERVICES": 5552,
    "Housing benefits administration": 574, "Local tax collection: other": 423, "TOTAL CENTRAL SERVICES": 2803,
}


@pytest.mark.parametrize(("code", "year", "expected"), [
    (WORCESTER, "2023-24", WORCESTER_2324), (WORCESTER, "2021-22", WORCESTER_2122),
    (BROMSGROVE, "2021-22", BROMSGROVE_2122), (BROMSGROVE, "2023-24", BROMSGROVE_2324),
], ids=["worcester-2023-24", "worcester-2021-22", "bromsgrove-2021-22", "bromsgrove-2023-24"])
def test_hand_checked_lines(table, code, year, expected):
    assert {line: _value(table, code, year, line) for line in expected} == expected


def test_rows_carry_block_line_number_and_source(table):
    row = table[(table["ons_code"] == WORCESTER) & (table["year"] == "2023-24") & (table["line"] == "Waste collection")]
    assert row[["ecode", "authority_name", "block", "line_number", "is_total", "source_file", "source_row"]] \
        .iloc[0].tolist() == ["E1837", "Worcester", ENVIRONMENTAL, 581, False, FILE_2324, 413]
    total = table[(table["ecode"] == "E1837") & (table["line"] == "TOTAL CULTURAL AND RELATED SERVICES")]
    assert total["is_total"].all() and total["line_number"].tolist() == [509, 509]


def test_missing_stays_missing(table):
    y24 = table[table["year"] == "2023-24"]
    chesterfield = y24[y24["ecode"] == "E1033"]  # "M" in Notes: every line "..."
    assert len(chesterfield) == 149 and chesterfield["net_budget_gbp_thousands"].isna().all()
    covid = y24[y24["line"] == "COVID-19 discharge costs"]  # "Category discontinued" for every authority
    assert covid["net_budget_gbp_thousands"].isna().all()
    # 2023-24: 13 returns missing × 149 lines + the discontinued line for the other 397; 2021-22: 6 × 149.
    assert y24["net_budget_gbp_thousands"].isna().sum() == 13 * 149 + 397
    assert table.loc[table["year"] == "2021-22", "net_budget_gbp_thousands"].isna().sum() == 6 * 149
    assert _value(table, WORCESTER, "2023-24", "Archives") == 0.0  # a published 0 stays 0


def test_ons_codes(table):
    gla = table[table["ecode"] == "E5100"].drop_duplicates("year")
    assert gla["ons_code"].tolist() == ["E61000001", "E61000001"]  # the files publish region E12000007
    assert gla["ons_code_source"].str.endswith("workbook published E12000007").all()
    lee = table[table["ecode"] == "E6803"]  # Lee Valley Regional Park: its ONS cell repeats the E-code
    assert lee["ons_code"].isna().all() and (lee["ons_code_source"] == "unmatched").all()
    assert table.loc[table["authority_class"] != "O", "ons_code"].notna().all()


def test_line_names_per_year(table):
    names = ra.line_names(table)
    by_year = {y: dict(zip(g["line_number"], g["line"], strict=True)) for y, g in names.groupby("year")}
    assert by_year["2021-22"].keys() == by_year["2023-24"].keys()  # the same 149 form lines
    renamed = {n: (a, by_year["2023-24"][n]) for n, a in by_year["2021-22"].items() if a != by_year["2023-24"][n]}
    assert renamed == {358: ("Disbursement payments to care homes", "Disbursement payments to care providers"),
                       598: ("Business Support (b)", "Business Support")}
    cultural = names[(names["year"] == "2023-24") & (names["block"] == CULTURAL)]["line"].tolist()
    assert cultural == ["Archives", "Culture and heritage (excluding Archives)", "Recreation and sport",
                        "Open spaces", "Tourism", "Library service", "TOTAL CULTURAL AND RELATED SERVICES"]


def test_encodings_detected():
    assert ra.read_records(_path(FILE_2122))[1] == "utf-8"  # with BOM
    records, encoding = ra.read_records(_path(FILE_2324))
    assert encoding == "mac_roman"
    assert records[2][0] == "Data are reported in £ thousand. "  # 0xA3
    assert "Traffic management and road safety: traffic management – bus lane enforcement" in records[9]  # 0xD0
    # The same characters written by Windows and by a Mac, told apart by what they read as:
    assert ra.decode("£5 – ’ …".encode("cp1252"), "x.csv") == ("£5 – ’ …", "cp1252")
    assert ra.decode("£5 – ’ …".encode("mac_roman"), "x.csv") == ("£5 – ’ …", "mac_roman")
    assert ra.decode("£5".encode("utf-8-sig"), "x.csv") == ("£5", "utf-8")


# --------------------------------------------------------------------------- small files, bad inputs


def _small(tmp_path: Path, edit=None, *, source: str = FILE_2324, ecodes=("E1837", "E1831"),
           encoding: str = "mac_roman", name: str = "ra.csv") -> Path:
    """The real file's header block and a few authorities, re-written (csv module) in ``encoding``."""
    records, _ = ra.read_records(_path(source))
    header = next(i for i, r in enumerate(records) if r[0] == "E-code")
    rows = records[:header + 1] + [r for r in records[header + 1:] if r[0] in ecodes]
    if edit:
        rows = edit(rows, header)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _set(rows, header, ecode, line, value):
    j = rows[header].index(line)
    for r in rows:
        if r[0] == ecode:
            r[j] = value
    return rows


@pytest.mark.parametrize("encoding", ["mac_roman", "cp1252", "utf-8", "utf-8-sig"])
def test_small_file_in_each_encoding(tmp_path, encoding):
    table = ra.load_ra_budget([_small(tmp_path, encoding=encoding)])
    assert table["ons_code"].unique().tolist() == [BROMSGROVE, WORCESTER]  # sorted by E-code: E1831, E1837
    assert {line: _value(table, WORCESTER, "2023-24", line) for line in WORCESTER_2324} == WORCESTER_2324
    assert "Traffic management and road safety: traffic management – bus lane enforcement" in set(table["line"])


PLACEHOLDERS = {"Recycling": "[x]", "Trade waste": "[z]", "Waste disposal": "…", "Waste minimisation": "-",
                "Climate change costs": "..."}


def test_placeholders_are_missing(tmp_path):
    def edit(rows, header):
        worcester, column = rows[-1], rows[header].index
        removed = sum(int(worcester[column(line)].replace(",", "")) for line in PLACEHOLDERS)  # 1,261 − 50 + 0s
        for line, placeholder in PLACEHOLDERS.items():
            worcester[column(line)] = placeholder
        for total in ("TOTAL ENVIRONMENTAL AND REGULATORY SERVICES", "TOTAL SERVICE EXPENDITURE"):  # keep totals true
            worcester[column(total)] = f"{int(worcester[column(total)].replace(',', '')) - removed:,}"
        return rows

    table = ra.load_ra_budget([_small(tmp_path, edit, ecodes=("E1837",))])
    for line in PLACEHOLDERS:
        assert math.isnan(_value(table, WORCESTER, "2023-24", line)), line
    assert _value(table, WORCESTER, "2023-24", "TOTAL ENVIRONMENTAL AND REGULATORY SERVICES") == 4942 - 1211


def _error(path: Path | list[Path]) -> InputDataError:
    with pytest.raises(InputDataError) as info:
        ra.load_ra_budget(path if isinstance(path, list) else [path])
    return info.value


def test_missing_header_row(tmp_path):
    error = _error(_small(tmp_path, lambda rows, h: rows[:h] + rows[h + 1:]))
    assert (error.file, error.column) == ("ra.csv", "E-code") and "no header row" in str(error)


def test_text_in_a_number_column_names_row_and_column(tmp_path):
    # header = record 10; Worcester is written after Bromsgrove (file order: E1831 on record 49, E1837 on 413)
    error = _error(_small(tmp_path, lambda rows, h: _set(rows, h, "E1837", "Waste collection", "eight hundred")))
    assert (error.file, error.row, error.column) == ("ra.csv", 12, "Waste collection")
    assert "'eight hundred' is not a number" in str(error)


def test_duplicate_authority(tmp_path):
    error = _error(_small(tmp_path, lambda rows, h: rows + [list(rows[-1])]))
    assert (error.file, error.row, error.column) == ("ra.csv", 13, "E-code")
    assert "duplicate key (E-code='E1837')" in str(error)


def test_total_must_equal_its_lines(tmp_path):
    error = _error(_small(tmp_path, lambda rows, h: _set(rows, h, "E1837", "Recycling", "1,361")))
    assert (error.row, error.column) == (12, "TOTAL ENVIRONMENTAL AND REGULATORY SERVICES")
    assert "4,942 but its lines add up to 5,042" in str(error)


@pytest.mark.parametrize(("content", "text"), [
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "spreadsheet workbook"),  # an .ods/.xlsx renamed .csv
    ("E-code,ONS Code\r\nE1837,E07000237\r\n".encode("utf-16"), "NUL bytes"),
    (b"Revenue Account Budget (RA) 2023-24 \x81\x81\x81\x8d\r\nE-code\r\n", "cannot tell the file's encoding"),
    (b"", "empty"),
], ids=["workbook", "utf-16", "implausible-bytes", "empty"])
def test_unreadable_files(tmp_path, content, text):
    path = tmp_path / "ra.csv"
    path.write_bytes(content)
    error = _error(path)
    assert error.file == "ra.csv" and text in str(error)


def test_not_an_ra_file_and_unknown_block(tmp_path):
    rsx = _small(tmp_path, lambda rows, h: [[c.replace("Revenue Account Budget (RA)", "Revenue Outturn (RSX)")
                                              for c in r] if i < h else r for i, r in enumerate(rows)])
    assert "not an RA file" in str(_error(rsx))

    def rename(rows, h):
        section = next(i for i in range(h) if "Cultural and Related Services" in rows[i])
        rows[section] = [("Leisure" if c == "Cultural and Related Services" else c) for c in rows[section]]
        return rows

    error = _error(_small(tmp_path, rename))
    assert (error.row, error.column) == (8, "Archives") and "unknown section heading 'Leisure'" in str(error)


def test_one_file_per_year_and_bad_ons_code(tmp_path):
    first, second = _small(tmp_path, name="a.csv"), _small(tmp_path, name="b.csv")
    assert "year 2023-24 is also in a.csv" in str(_error([first, second]))
    error = _error(_small(tmp_path, lambda rows, h: _set(rows, h, "E1837", "ONS Code", "E0700237")))
    assert (error.row, error.column) == (12, "ONS Code")
