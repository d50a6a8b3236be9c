"""Reading Transparency Code supplier payment files as published (wcc_analysis.ingest.council.supplier_payments).

The real files are Hyndburn Borough Council's twelve monthly "spend over £250"
files for 2024-25, copied byte for byte into data/raw/council/E07000120/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.council.supplier_payments import (
    OUTPUT_COLUMNS,
    canonical_column,
    load_council_supplier_payments,
    load_service_area_mapping,
    load_supplier_payment_file,
    load_supplier_payments,
    parse_amount,
    parse_date,
    supplier_payments_dir,
)

HYNDBURN = supplier_payments_dir("E07000120")

#: Payment rows per file, counted by hand from the files (lines − header − blank lines).
ROWS_PER_FILE = {
    "April-24.csv": 428, "May-24.csv": 753, "June-24.csv": 685, "July-24.csv": 805, "August-24.csv": 790,
    "September-24.csv": 625, "Oct-24-CSV.csv": 587, "November-2024-CSV.csv": 898, "December-2024-CSV.csv": 803,
    "January-25-CSV.csv": 821, "February-2025-csv.csv": 905, "March-25-CSV.csv": 888,
}


@pytest.fixture(scope="module")
def hyndburn() -> pd.DataFrame:
    return load_supplier_payments(HYNDBURN)


# --------------------------------------------------------------------------- the real Hyndburn year


def test_every_real_file_reads_with_its_row_count(hyndburn):
    assert hyndburn.attrs["rows_per_file"] == dict(sorted(ROWS_PER_FILE.items()))
    assert list(hyndburn.columns) == list(OUTPUT_COLUMNS)
    assert len(hyndburn) == 8988
    assert hyndburn["amount_gbp"].sum() == pytest.approx(94_113_417.07, abs=0.005)
    assert hyndburn["payment_date"].min() == pd.Timestamp("2024-04-09")
    assert hyndburn["payment_date"].max() == pd.Timestamp("2025-03-28")
    assert str(hyndburn["payment_date"].dtype) == "datetime64[ns]"
    assert hyndburn["amount_gbp"].dtype == float
    assert hyndburn["supplier_raw"].ne("").all()


def test_rows_and_total_match_the_independent_conversion(hyndburn):
    # An independent conversion of the same twelve files (shared/data/real, SOURCES.md section 10; not
    # read here: the product and its tests never read that folder) has 8,988 rows totalling
    # £94,113,417.07, with the same counts per file as ROWS_PER_FILE.
    assert len(hyndburn) == 8988
    assert round(float(hyndburn["amount_gbp"].sum()), 2) == 94113417.07


def test_header_row_at_the_bottom_is_found(hyndburn):
    _, notes = load_supplier_payment_file(HYNDBURN / "March-25-CSV.csv")
    assert any("header row is the last line (983)" in n for n in notes)
    march = hyndburn[hyndburn["source_file"] == "March-25-CSV.csv"]
    assert march["source_row"].min() == 1  # the first line is a payment, not a header
    assert march["source_row"].max() == 982
    first = march.iloc[0]
    assert (first["supplier_raw"], first["amount_gbp"]) == ("Rhea Projects", 2730.0)
    assert first["payment_date"] == pd.Timestamp("2025-03-04")


def test_spacer_columns_dropped_and_stray_text_counted(hyndburn):
    _, notes = load_supplier_payment_file(HYNDBURN / "Oct-24-CSV.csv")
    assert "Oct-24-CSV.csv: 1 stray cell(s) in spacer columns (no header) ignored" in notes
    row = hyndburn[(hyndburn["source_file"] == "Oct-24-CSV.csv") & (hyndburn["source_row"] == 32)].iloc[0]
    assert row["supplier_raw"] == "Artisan Windows"
    assert row["description"] == "Affordable Warmth Grant"  # not the stray "th Grant"
    assert row["reference"] == "CRINV0005077"
    assert row["amount_gbp"] == 3065.0
    feb_notes = hyndburn.attrs["notes"]
    assert "February-2025-csv.csv: 1 stray cell(s) in spacer columns (no header) ignored" in feb_notes


def test_source_row_is_the_line_in_the_file_even_after_multi_line_cells(hyndburn):
    row = hyndburn[hyndburn["description"].str.startswith("Digital Services Resources")].iloc[0]
    assert (row["source_file"], row["source_row"]) == ("March-25-CSV.csv", 116)
    lines = (HYNDBURN / "March-25-CSV.csv").read_bytes().decode("cp1252").splitlines()
    assert "Digital Services Resources" in lines[116 - 1]
    april = hyndburn[hyndburn["source_file"] == "April-24.csv"]
    assert april["source_row"].max() == 461  # 429 records, 461 lines


def test_encodings_amount_forms_and_two_digit_years(hyndburn):
    april = hyndburn[hyndburn["source_file"] == "April-24.csv"].iloc[1]  # "£1,680.00" in Windows-1252
    assert (april["supplier_raw"], april["amount_gbp"]) == ("James O Garnett Ltd", 1680.0)
    credit = hyndburn[(hyndburn["source_file"] == "August-24.csv") & (hyndburn["source_row"] == 637)].iloc[0]
    assert credit["amount_gbp"] == -106396.0  # published as "106,396.00-"
    assert credit["payment_date"] == pd.Timestamp("2024-08-22")  # published as 22/08/24
    assert (hyndburn["amount_gbp"] < 0).sum() == 163
    assert "April-24.csv: read as Windows-1252 text" in hyndburn.attrs["notes"]


def test_june_trailing_blank_lines_are_dropped(hyndburn):
    june = hyndburn[hyndburn["source_file"] == "June-24.csv"]
    assert len(june) == 685 and june["source_row"].max() == 687


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£1,680.00", 1680.0), ("2,730.00", 2730.0), ("337.50", 337.5), ("(123.45)", -123.45), ("-5", -5.0),
        ("106,396.00-", -106396.0), ("12.00 CR", -12.0), ("£-20.50", -20.5), ("-£20.50", -20.5),
        (" 1,234,567.891 ", 1234567.891), (45.5, 45.5), (7, 7.0),
        ("", None), ("about 2m", None), ("1,23", None), ("(5", None), ("£", None), ("1.2.3", None),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("09/04/2024", "2024-04-09"), ("15/07/24", "2024-07-15"), ("4/5/2024", "2024-05-04"),
        ("31.03.2025", "2025-03-31"), ("2024-04-01", "2024-04-01"), ("2024-04-01 00:00:00", "2024-04-01"),
        ("12-Apr-2024", "2024-04-12"), ("12 April 2024", "2024-04-12"), ("1 Sept 2024", "2024-09-01"),
        (45383, "2024-04-01"), ("45383", "2024-04-01"), (dt.datetime(2024, 5, 6, 13, 0), "2024-05-06"),
        (dt.date(2024, 5, 6), "2024-05-06"),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == pd.Timestamp(expected)


@pytest.mark.parametrize("value", ["31/02/2024", "2024/13/01", "next week", "", "12-Foo-2024", 12.5, 100])
def test_parse_date_rejects(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Name:  ", "supplier_raw"), ("Supplier Name", "supplier_raw"), ("Amount Paid", "amount_gbp"),
        ("Net Amount(£)", "amount_gbp"), ("Payment Date", "payment_date"), ("Department Area", "department"),
        ("Directorate", "department"), ("Service Cost Centre", "service_area"), ("Account Detail", "description"),
        ("Expense Type", "description"), ("HBC Ref No.", "reference"), ("Transaction Number", "reference"),
        ("Line", None), ("", None),
    ],
)
def test_header_synonyms(header, column):
    assert canonical_column(header) == column


# --------------------------------------------------------------------------- other layouts and bad inputs

HEADER = "Department,Service Area,Description,Transaction Number,Supplier Name,Payment Date,Amount\n"


def _write(tmp_path: Path, text: str, name: str = "payments.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_title_lines_blank_lines_total_line_and_repeated_header(tmp_path):
    path = _write(
        tmp_path,
        "Spend over £500 - April 2024\n\n" + HEADER
        + "Resources,Revenues,Software,T1,Acme Ltd,01/04/2024,\"£1,000.00\"\n"
        + ",,,,,,\n"
        + HEADER
        + "Resources,Revenues,Print,T2,Print Co,02/04/2024,(50.00)\n"
        + "Total,,,,,,950.00\n",
        encoding="cp1252",
    )
    frame, notes = load_supplier_payment_file(path)
    assert frame["supplier_raw"].tolist() == ["Acme Ltd", "Print Co"]
    assert frame["source_row"].tolist() == [4, 7]
    assert frame["amount_gbp"].tolist() == [1000.0, -50.0]
    # the title line (the blank line is not counted)
    assert any("1 line(s) above the header row ignored" in n for n in notes)
    assert any("repeated header" in n for n in notes) and any("total line" in n for n in notes)


def test_old_hyndburn_layout_and_data_status(tmp_path):
    path = _write(
        tmp_path,
        "Service Cost Centre,Account Detail,Description,HBC ref no,Name,Payment date,Net Amount(£),data_status\n"
        "Leisure,Fees,Pool hire,R1,Swim Ltd,01/04/2017,250.00,illustrative\n",
    )
    frame = load_supplier_payments([path])
    row = frame.iloc[0]
    assert row["service_area"] == "Leisure" and row["description"] == "Pool hire" and row["reference"] == "R1"
    assert row["data_status"] == "illustrative"
    # a second descriptive column is kept (the capital rule reads it), not ignored
    assert row["expense_type"] == "Fees"
    assert "'Account Detail' kept as expense_type ('Description' is the description)" in " ".join(frame.attrs["notes"])
    assert not any("'Account Detail' ignored" in n for n in frame.attrs["notes"])


def test_a_files_own_capital_or_revenue_column_is_kept(tmp_path):
    capital = _write(
        tmp_path,
        "Service Area,Expense Type,Supplier Name,Payment Date,Amount,Capital/Revenue\n"
        "Leisure,Capital - buildings,Build Ltd,01/04/2024,1000,Capital\n"
        "Leisure,Cleaning,Clean Ltd,02/04/2024,50,Revenue\n",
        name="with_flag.csv",
    )
    plain = _write(tmp_path, "Service Area,Description,Supplier,Payment Date,Amount\nLeisure,Fee,Swim Ltd,03/04/2024,10\n",
                   name="plain.csv")
    frame = load_supplier_payments([capital, plain])
    assert frame["capital_revenue"].tolist() == ["Capital", "Revenue", ""]  # blank for the file without the column
    assert frame["description"].tolist() == ["Capital - buildings", "Cleaning", "Fee"]
    assert "expense_type" not in frame.columns and "data_status" not in frame.columns


def test_workbook_with_excel_dates_and_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "April"
    sheet.append(["Spend over £500"])
    sheet.append(["Directorate", "Cost Centre", "Expense Type", "Supplier", "Date Paid", "Amount"])
    sheet.append(["Resources", "Revenues", "Software", "Acme Ltd", dt.datetime(2024, 4, 3), 1234.5])
    sheet.append(["Resources", "Revenues", "Refund", "Acme Ltd", 45390, -10])
    path = tmp_path / "april.xlsx"
    book.save(path)
    frame = load_supplier_payments(tmp_path)
    assert frame["payment_date"].tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-04-08")]
    assert frame["amount_gbp"].tolist() == [1234.5, -10.0]
    assert frame["source_row"].tolist() == [3, 4]
    assert frame["source_file"].iloc[0] == "april.xlsx [April]"


def test_no_header_is_an_error(tmp_path):
    path = _write(tmp_path, "a,b,c\n1,2,3\n")
    with pytest.raises(InputDataError, match="no header row found") as caught:
        load_supplier_payments(path)
    assert caught.value.file == "payments.csv"


def test_missing_required_column_names_the_column(tmp_path):
    path = _write(tmp_path, "Department,Service Area,Supplier Name,Amount\nA,B,Acme,1\n")
    with pytest.raises(InputDataError, match="no payment date column") as caught:
        load_supplier_payments(path)
    assert (caught.value.row, caught.value.column) == (1, "payment date")


def test_bad_amount_names_file_row_and_column(tmp_path):
    path = _write(tmp_path, HEADER + "R,Rev,Sw,T1,Acme,01/04/2024,10\nR,Rev,Sw,T2,Acme,01/04/2024,about 2m\n")
    with pytest.raises(InputDataError) as caught:
        load_supplier_payments(path)
    error = caught.value
    assert (error.file, error.row, error.column) == ("payments.csv", 3, "Amount")
    assert "'about 2m' is not an amount in pounds" in str(error) and "What to do" in str(error)


def test_bad_or_blank_date_names_file_row_and_column(tmp_path):
    path = _write(tmp_path, HEADER + "R,Rev,Sw,T1,Acme,31/02/2024,10\n")
    with pytest.raises(InputDataError, match="'31/02/2024' is not a date") as caught:
        load_supplier_payments(path)
    assert (caught.value.row, caught.value.column) == (2, "Payment Date")
    path = _write(tmp_path, HEADER + "R,Rev,Sw,T1,Acme,,10\n", name="blank.csv")
    with pytest.raises(InputDataError, match="a blank is not a date"):
        load_supplier_payments(path)


def test_bad_data_status(tmp_path):
    path = _write(tmp_path, HEADER.strip() + ",data_status\nR,Rev,Sw,T1,Acme,01/04/2024,10,sample\n")
    with pytest.raises(InputDataError) as caught:
        load_supplier_payments(path)
    assert caught.value.column == "data_status" and caught.value.row == 2


def test_empty_folder_and_undecodable_file(tmp_path):
    with pytest.raises(InputDataError, match="no supplier payment files"):
        load_supplier_payments(tmp_path)
    path = tmp_path / "bad.csv"
    path.write_bytes((HEADER + "R,Rev,Sw,T1,Acme,01/04/2024,10\n").encode("utf-16"))
    with pytest.raises(InputDataError, match="UTF-16 or UTF-32"):
        load_supplier_payments(path)


def test_a_payment_file_cut_short_is_refused_not_read_in_part(tmp_path):
    rows = "".join(f"R,Rev,Sw,T1,Supplier {i},01/04/2024,{i}0\n" for i in range(1, 53))
    path = tmp_path / "payments.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    assert len(load_supplier_payments(path)) == 52
    whole = path.read_text(encoding="utf-8")
    path.write_text(whole[: len(whole) // 2].rsplit(",", 2)[0], encoding="utf-8")  # cut in the middle of a row
    with pytest.raises(InputDataError, match="stops part-way through row .* looks cut short"):
        load_supplier_payments(path)


def test_byte_0x81_is_read_as_mac_roman_and_the_encoding_is_noted(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(HEADER.encode() + b"R,Rev,Sw,T1,Acme\x81,01/04/2024,10\n")  # 0x81: undefined in cp1252
    frame = load_supplier_payments(path)
    assert frame["supplier_raw"].iloc[0] == "AcmeÅ"  # Mac Roman 0x81
    assert load_supplier_payment_file(path)[1] == ["mac.csv: read as Mac Roman text"]


def test_council_without_payment_files_is_not_an_error():
    assert load_council_supplier_payments("E06999999") is None


def test_illustrative_worcester_sample_reads():
    frame = load_council_supplier_payments("E07000237")
    assert frame is not None and 40 <= len(frame) <= 80
    assert frame["data_status"].eq("illustrative").all()


# --------------------------------------------------------------------------- service-area mapping files


def test_service_area_mappings_load():
    hyndburn = load_service_area_mapping("E07000120")
    assert set(hyndburn["service_id"]) == {"leisure", "waste", "museums", "revenues_benefits", "unmapped"}
    assert hyndburn["rationale"].str.len().gt(20).all()
    worcester = load_service_area_mapping("E07000237")
    assert worcester["data_status"].eq("illustrative").all()
    assert load_service_area_mapping("E06999999") is None
    assert (paths.raw_council_dir() / "E07000120" / "PROVENANCE.md").is_file()


def test_service_area_mapping_errors(tmp_path):
    path = tmp_path / "service_areas.csv"
    path.write_text("service_area,service_id,rationale,data_status\nParks,parks,why,council\n")
    with pytest.raises(InputDataError) as caught:
        load_service_area_mapping(path, service_ids=["waste"])
    assert (caught.value.row, caught.value.column) == (2, "service_id")
    path.write_text("service_area,service_id,rationale,data_status\nre:(,waste,why,council\n")
    with pytest.raises(InputDataError, match="not a valid regular expression"):
        load_service_area_mapping(path, service_ids=["waste"])
