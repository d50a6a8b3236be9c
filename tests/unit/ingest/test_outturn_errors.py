"""Bad inputs to the new revenue-outturn readers raise InputDataError naming file, row and column;
and the combining rules on constructed cases."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import outturn_rsx, outturn_timeseries
from wcc_analysis.ingest.public.outturn_rsx import read_rsx_workbook
from wcc_analysis.ingest.public.outturn_timeseries import read_timeseries_v23, read_timeseries_v31
from wcc_analysis.ingest.public.revenue_outturn import (
    ALL_SOURCES_COLUMNS,
    combine,
    load_revenue_outturn,
    load_revenue_outturn_workbook,
    rs_workbooks,
)

RSX_SHEET = "RSX_LA_Data_202425"
RS_SHEET = "RS_LA_Data_2023-24"
CULTURAL_C7 = "Cultural and related services - Net Current Expenditure (C7 = C3 - C6)"
FRONT = ['Data from this workbook have been used to compile the Accredited Official Statistics release "Local '
         'Authority Revenue Expenditure and Financing: 2024-25 Outturn, England  - Second release" which was '
         'published on 4 December 2025.']


def _first_col(frame: pd.DataFrame) -> pd.Series:
    return frame.iloc[:, 0].astype(str)


def _header(frame: pd.DataFrame) -> int:
    first = _first_col(frame)
    return int(first[first == "E-code"].index[0])


def _row(frame: pd.DataFrame, ecode: str) -> int:
    return int(frame.index[_first_col(frame) == ecode][0])


def _col(frame: pd.DataFrame, label: str) -> int:
    return [str(v) for v in frame.iloc[_header(frame)].tolist()].index(label)


@pytest.fixture(scope="module")
def rsx_sheet() -> pd.DataFrame:
    """The RSX 2024-25 sheet as published, cut to Worcester, Bromsgrove, Amber Valley (not submitted) and the GLA,
    with the England row and the class-totals table (which repeats the GLA) kept."""
    path = next(p for p in outturn_rsx.rsx_workbooks() if "2024-25" in p.name)
    frame = pd.read_excel(path, sheet_name=RSX_SHEET, header=None, engine="calamine")
    first = _first_col(frame)
    header = _header(frame)
    england = int(first[first == "Eng"].index[0])
    keep = (frame.index <= header) | first.isin(["E1837", "E1831", "E1031", "E5100"]) | (frame.index >= england)
    return frame[keep].reset_index(drop=True)


def write_rsx(tmp_path: Path, frame: pd.DataFrame, name: str = "RSX_2024-25_data_by_LA.xlsx",
              front: list[str] | None = FRONT) -> Path:
    path = tmp_path / name
    with pd.ExcelWriter(path) as writer:
        if front is not None:
            pd.DataFrame({"text": front}).to_excel(writer, sheet_name="Front_Page", header=False, index=False)
        frame.to_excel(writer, sheet_name=RSX_SHEET, header=False, index=False)
    return path


# --------------------------------------------------------------------------- RSX workbooks


def test_rsx_small_workbook_reads(tmp_path, rsx_sheet):
    rows = read_rsx_workbook(write_rsx(tmp_path, rsx_sheet))
    assert set(rows["ecode"]) == {"E1837", "E1831", "E1031", "E5100"}
    w = rows[rows["ecode"] == "E1837"].set_index("rs_block")
    assert w.loc["Cultural and related services", ["net_expenditure_gbp_thousands", "total_expenditure_gbp_thousands",
                                                   "total_income_gbp_thousands"]].tolist() == [2852, 5110, 2258]
    assert set(rows["release"]) == {"second release"} and set(rows["year"]) == {"2024-25"}
    amber = rows[rows["ecode"] == "E1031"]
    assert amber["net_expenditure_gbp_thousands"].isna().all() and set(amber["status"]) == {"missing: not submitted"}
    assert amber["certified"].isna().all()
    assert len(rows[rows["ecode"] == "E5100"]) == 14  # the class-totals table's GLA row is not read again
    no_front = read_rsx_workbook(write_rsx(tmp_path, rsx_sheet, front=None))
    assert set(no_front["release"]) == {"not stated"}


def test_rsx_same_as_ods_in_xlsx(tmp_path, rsx_sheet):
    """The published format (.ods) and .xlsx read the same."""
    path = tmp_path / "RSX_2024-25_data_by_LA.ods"
    with pd.ExcelWriter(path, engine="odf") as writer:
        rsx_sheet.to_excel(writer, sheet_name=RSX_SHEET, header=False, index=False)
    ods = read_rsx_workbook(path)
    xlsx = read_rsx_workbook(write_rsx(tmp_path, rsx_sheet, front=None))
    pd.testing.assert_series_equal(ods["net_expenditure_gbp_thousands"], xlsx["net_expenditure_gbp_thousands"])


def test_rsx_no_data_sheet(tmp_path):
    path = tmp_path / "RSX_2024-25_data_by_LA.xlsx"
    pd.DataFrame({"text": FRONT}).to_excel(path, sheet_name="Front_Page", header=False, index=False)
    with pytest.raises(InputDataError, match="no sheet with an 'E-code' header row") as info:
        read_rsx_workbook(path)
    assert info.value.file == path.name


def test_rsx_no_e_code_header(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    frame.iloc[:, 0] = frame.iloc[:, 0].replace("E-code", "Code")
    with pytest.raises(InputDataError, match="no sheet with an 'E-code' header row") as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    assert info.value.file == "RSX_2024-25_data_by_LA.xlsx" and RSX_SHEET in str(info.value)


def test_rsx_missing_key_column(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    frame.iat[_header(frame), _col(frame, "ONS Code")] = "Code"
    with pytest.raises(InputDataError) as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    error = info.value
    assert (error.file, error.sheet, error.row, error.column) == (
        "RSX_2024-25_data_by_LA.xlsx", RSX_SHEET, _header(frame) + 1, "ONS Code")
    assert "columns found" in str(error)


def test_rsx_wrong_header_measure(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    c = _col(frame, CULTURAL_C7)
    frame.iat[_header(frame), c] = "Cultural and related services - Total Income (C7 = C3 - C6)"
    with pytest.raises(InputDataError, match="net current expenditure") as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    assert (info.value.row, info.value.column) == (_header(frame) + 1, frame.iat[_header(frame), c])


def test_rsx_missing_measure_column(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    frame.iat[_header(frame), _col(frame, CULTURAL_C7)] = "Comments"
    with pytest.raises(InputDataError) as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    assert info.value.column == "Cultural and related services - Net Current Expenditure (C7)"
    assert info.value.row == _header(frame) + 1


def test_rsx_text_in_number_column(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    r, c = _row(frame, "E1837"), _col(frame, CULTURAL_C7)
    frame.iat[r, c] = "see note"
    with pytest.raises(InputDataError, match="'see note' is not a number") as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    error = info.value
    assert (error.file, error.sheet, error.row, error.column) == (
        "RSX_2024-25_data_by_LA.xlsx", RSX_SHEET, r + 1, CULTURAL_C7)


def test_rsx_unknown_block(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    c = _col(frame, CULTURAL_C7)
    frame.iat[_header(frame), c] = "Leisure services - Net Current Expenditure (C7 = C3 - C6)"
    with pytest.raises(InputDataError, match="unknown service block 'Leisure services'") as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    assert (info.value.row, info.value.column, info.value.sheet) == (
        _header(frame) + 1, "Leisure services - Net Current Expenditure (C7 = C3 - C6)", RSX_SHEET)


def test_rsx_bad_certification_and_class(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    r = _row(frame, "E1831")
    frame.iat[r, _col(frame, "Certification")] = "Maybe"
    with pytest.raises(InputDataError, match="certification") as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    assert (info.value.row, info.value.column) == (r + 1, "Certification")
    frame = rsx_sheet.copy()
    frame.iat[r, _col(frame, "Class")] = "District"
    with pytest.raises(InputDataError) as info:
        read_rsx_workbook(write_rsx(tmp_path, frame))
    assert (info.value.row, info.value.column) == (r + 1, "Class")


def test_rsx_placeholders_are_missing(tmp_path, rsx_sheet):
    frame = rsx_sheet.copy()
    r, c = _row(frame, "E1837"), _col(frame, CULTURAL_C7)
    for placeholder in ("[z]", "…", "Category discontinued", "-"):
        frame.iat[r, c] = placeholder
        rows = read_rsx_workbook(write_rsx(tmp_path, frame))
        cultural = rows[(rows["ecode"] == "E1837") & (rows["rs_block"] == "Cultural and related services")].iloc[0]
        assert np.isnan(cultural["net_expenditure_gbp_thousands"]), placeholder
        assert cultural["status"] == "missing: not published"


# --------------------------------------------------------------------------- RS 2023-24 (.ods layout)


@pytest.fixture(scope="module")
def rs_sheet() -> pd.DataFrame:
    path = next(p for p in rs_workbooks() if "2023-24" in p.name)
    frame = pd.read_excel(path, sheet_name=RS_SHEET, header=None, engine="calamine")
    keep = (frame.index <= _header(frame)) | _first_col(frame).isin(["E1837", "E1939", "E0531"])
    return frame[keep].iloc[:, :22].reset_index(drop=True)  # up to TOTAL SERVICE EXPENDITURE and one more


def write_rs(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "RS_2023-24_data_by_LA.xlsx"
    frame.to_excel(path, sheet_name=RS_SHEET, header=False, index=False)
    return path


def test_rs_2023_24_layout_small(tmp_path, rs_sheet):
    table = load_revenue_outturn_workbook(write_rs(tmp_path, rs_sheet))
    w = table[table["ecode"] == "E1837"].set_index("rs_block")
    assert w.loc["Cultural and related services", "net_expenditure_gbp_thousands"] == 2453
    assert set(w["certified"]) == {False}
    cambridge = table[table["ecode"] == "E0531"]  # noted "M", '[x]' everywhere
    assert cambridge["net_expenditure_gbp_thousands"].isna().all()
    assert set(cambridge["status"]) == {"missing: not submitted"}


def test_rs_2023_24_needs_its_variable_codes(tmp_path, rs_sheet):
    """Its title does not say 'Net current expenditure': the RS-…-net-exp codes above the header do."""
    frame = rs_sheet.copy()
    codes = int(frame.index[frame.iloc[:, 7].astype(str) == "RS-edu-net-exp"][0])
    frame.iloc[codes, 7:] = np.nan
    with pytest.raises(InputDataError, match="Net current expenditure"):
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))


def test_rs_2023_24_unknown_block(tmp_path, rs_sheet):
    frame = rs_sheet.copy()
    frame.iat[_header(frame), _col(frame, "Police services")] = "Policing"
    with pytest.raises(InputDataError, match="unknown service block 'Policing'") as info:
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    assert (info.value.file, info.value.row, info.value.column, info.value.sheet) == (
        "RS_2023-24_data_by_LA.xlsx", _header(frame) + 1, "Policing", RS_SHEET)


def test_rs_2023_24_text_and_certification(tmp_path, rs_sheet):
    frame = rs_sheet.copy()
    r = _row(frame, "E1939")
    frame.iat[r, _col(frame, "Cultural and related services")] = "5,143 (revised)"
    with pytest.raises(InputDataError) as info:
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    assert (info.value.row, info.value.column) == (r + 1, "Cultural and related services")
    frame = rs_sheet.copy()
    frame.iat[r, _col(frame, "Certification")] = "yes"
    with pytest.raises(InputDataError) as info:
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    assert (info.value.row, info.value.column) == (r + 1, "Certification")


# --------------------------------------------------------------------------- time series v2.3


@pytest.fixture(scope="module")
def v23_records() -> list[dict]:
    data = json.loads(outturn_timeseries.v23_path().read_text())
    wanted = {"E07000237", "E07000234", "E07000217", "E07"}  # Worcester, Bromsgrove, Woking (null 2023-24), aggregate
    return [r for r in data if r["ONS_code"] in wanted and r["year_ending"] in (202303, 202403)]


def write_json(tmp_path: Path, data: object, name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_v23_small_file(tmp_path, v23_records):
    rows = read_timeseries_v23(write_json(tmp_path, v23_records, "council_spending.json"))
    assert set(rows["ons_published"]) == {"E07000237", "E07000234", "E07000217"}  # the aggregate is dropped
    woking = rows[(rows["ons_published"] == "E07000217") & (rows["year"] == "2023-24")]
    assert woking["net_expenditure_gbp_thousands"].isna().all() and set(woking["status"]) == {"missing: not submitted"}
    w = rows[(rows["ons_published"] == "E07000237") & (rows["year"] == "2023-24")].set_index("rs_block")
    assert w.loc["Cultural and related services", "net_expenditure_gbp_thousands"] == 2453
    assert w.loc["Total service expenditure", "net_expenditure_gbp_thousands"] == 15612


@pytest.mark.parametrize(("change", "column", "match"), [
    (lambda r: r.pop("Culture"), "Culture", "has no field 'Culture'"),
    (lambda r: r.update(Culture="n/k"), "Culture", "'n/k' is not a number"),
    (lambda r: r.update(Libraries=12.0), "Libraries", "unknown service block 'Libraries'"),
    (lambda r: r.update(ONS_code="X0000237"), "ONS_code", "neither an ONS code"),
    (lambda r: r.update(year_ending=2024), "year_ending", "not a year ending"),
])
def test_v23_bad_record(tmp_path, v23_records, change, column, match):
    data = copy.deepcopy(v23_records)
    position = next(i for i, r in enumerate(data) if r["ONS_code"] == "E07000237")
    change(data[position])
    path = write_json(tmp_path, data, "council_spending.json")
    with pytest.raises(InputDataError, match=match) as info:
        read_timeseries_v23(path)
    assert (info.value.file, info.value.row, info.value.column) == ("council_spending.json", position + 1, column)


def test_v23_not_a_list(tmp_path):
    with pytest.raises(InputDataError, match="list of records") as info:
        read_timeseries_v23(write_json(tmp_path, {"records": []}, "council_spending.json"))
    assert info.value.file == "council_spending.json"


def test_v23_placeholder_cell_is_not_published(tmp_path, v23_records):
    data = copy.deepcopy(v23_records)
    position = next(i for i, r in enumerate(data) if r["ONS_code"] == "E07000237")
    data[position]["Culture"] = "[x]"
    rows = read_timeseries_v23(write_json(tmp_path, data, "council_spending.json")).set_index(
        ["source_row", "rs_block"])
    culture = rows.loc[(position + 1, "Cultural and related services")]
    assert np.isnan(culture["net_expenditure_gbp_thousands"]) and culture["status"] == "missing: not published"
    assert rows.loc[(position + 1, "Central services"), "status"] == "published"


# --------------------------------------------------------------------------- time series v3.1


@pytest.fixture(scope="module")
def v31_data() -> dict:
    path = next(p for p in outturn_timeseries.v31_paths() if p.name.endswith("2024_25.json"))
    data = json.loads(path.read_text())
    keep = {"E07000237", "E07000234", "E07000032", "E07"}  # Worcester, Bromsgrove, Amber Valley, the SD total
    data["councils"] = [c for c in data["councils"] if c["ons_code"] in keep]
    return data


def _position(data: dict, ons: str) -> int:
    return next(i for i, c in enumerate(data["councils"]) if c["ons_code"] == ons)


def test_v31_small_file_and_conversion(tmp_path, v31_data):
    data = copy.deepcopy(v31_data)
    data["councils"][_position(data, "E07000234")]["services_net_gbp"]["Cultural & Related"] = 1234567
    rows = read_timeseries_v31(write_json(tmp_path, data, "uk_council_finance_2024_25.json"))
    assert set(rows["ecode"]) == {"E1837", "E1831", "E1031"}  # the "total" row is dropped
    b = rows[rows["ecode"] == "E1831"].set_index("rs_block")["net_expenditure_gbp_thousands"]
    assert b["Cultural and related services"] == pytest.approx(1234.567)  # £ → £ thousand
    assert b["Education services"] == 0  # omitted in the file: a published 0
    amber = rows[rows["ecode"] == "E1031"]
    assert len(amber) == 13 and amber["net_expenditure_gbp_thousands"].isna().all()
    assert set(amber["status"]) == {"missing: not submitted"}
    assert "Total service expenditure" not in set(rows["rs_block"])  # v3.1 publishes no total


@pytest.mark.parametrize(("change", "column", "match"), [
    (lambda c: c["services_net_gbp"].update({"Leisure": 1000}), "services_net_gbp.Leisure",
     "unknown service block 'Leisure'"),
    (lambda c: c["services_net_gbp"].update({"Cultural & Related": "2.8m"}), "services_net_gbp.Cultural & Related",
     "'2.8m' is not a number"),
    (lambda c: c.pop("status"), "status", "has no field 'status'"),
    (lambda c: c.update(status="late"), "status", "must be one of"),
    (lambda c: c.update(status="not submitted"), "status", "marked 'not submitted' has figures"),
    (lambda c: c.update({"class": "District"}), "class", "must be one of"),
    (lambda c: c.update(lgf_code="1837"), "lgf_code", "not an E-code"),
])
def test_v31_bad_council(tmp_path, v31_data, change, column, match):
    data = copy.deepcopy(v31_data)
    position = _position(data, "E07000237")
    change(data["councils"][position])
    path = write_json(tmp_path, data, "uk_council_finance_2024_25.json")
    with pytest.raises(InputDataError, match=match) as info:
        read_timeseries_v31(path)
    assert (info.value.file, info.value.row, info.value.column) == (
        "uk_council_finance_2024_25.json", position + 1, column)


@pytest.mark.parametrize(("change", "column", "match"), [
    (lambda d: d.update(unit="GBP thousand"), "unit", "expects 'GBP'"),
    (lambda d: d.update(fiscal_year_label="2024"), "fiscal_year_label", "not a financial year"),
    (lambda d: d.pop("councils"), None, "'councils' list"),
])
def test_v31_bad_file(tmp_path, v31_data, change, column, match):
    data = copy.deepcopy(v31_data)
    change(data)
    with pytest.raises(InputDataError, match=match) as info:
        read_timeseries_v31(write_json(tmp_path, data, "uk_council_finance_2024_25.json"))
    assert (info.value.file, info.value.column) == ("uk_council_finance_2024_25.json", column)


def test_unreadable_json(tmp_path):
    path = tmp_path / "council_spending.json"
    path.write_text('[{"year_ending": 202403,')
    with pytest.raises(InputDataError, match="cannot read this JSON"):
        read_timeseries_v23(path)


# --------------------------------------------------------------------------- combining


def test_not_submitted_in_v31_falls_back_to_a_published_figure(tmp_path, v31_data):
    """Worcester marked 'not submitted' in a v3.1 file: the RSX 2024-25 figure is kept, flagged."""
    data = copy.deepcopy(v31_data)
    council = data["councils"][_position(data, "E07000237")]
    council.update(status="not submitted", net_current_expenditure_gbp=0, services_net_gbp={})
    v31 = write_json(tmp_path, data, "uk_council_finance_2024_25.json")
    rsx = [p for p in outturn_rsx.rsx_workbooks() if "2024-25" in p.name]
    table = load_revenue_outturn(rs=[], rsx=rsx, v23=[], v31=[v31])
    w = table[(table["ecode"] == "E1837")].set_index("rs_block")
    assert w.loc["Cultural and related services", "net_expenditure_gbp_thousands"] == 2852
    assert w.loc["Cultural and related services", "source"] == "RSX 2024-25 workbook"
    assert w.loc["Cultural and related services", "status"] == (
        "published; not submitted in MHCLG Revenue Outturn time series v3.1")
    assert w.loc["Total service expenditure", "status"] == "published"  # v3.1 has no total: nothing to flag
    b = table[(table["ecode"] == "E1831") & (table["rs_block"] == "Cultural and related services")].iloc[0]
    assert (b["source"], b["status"], b["n_sources"]) == ("MHCLG Revenue Outturn time series v3.1", "published", 2)


def _rows(*specs: tuple) -> pd.DataFrame:
    """Constructed all-sources rows: (source, release, precedence, value, status, certified)."""
    records = []
    for i, (source, release, precedence, value, status, cert) in enumerate(specs, start=1):
        records.append({
            "ons_code": "E07000237", "ecode": "E1837", "authority_name": "Worcester", "authority_class": "SD",
            "year": "2023-24", "year_start": 2023, "rs_block": "Cultural and related services", "source": source,
            "release": release, "precedence": precedence, "net_expenditure_gbp_thousands": value,
            "total_expenditure_gbp_thousands": 10.0 if source.startswith("RSX") else np.nan,
            "total_income_gbp_thousands": 4.0 if source.startswith("RSX") else np.nan,
            "certified": cert, "status": status, "chosen": False, "ons_code_source": "mysociety ecode lookup",
            "source_file": f"{source}.file", "source_sheet": "", "source_row": i,
        })
    frame = pd.DataFrame.from_records(records, columns=ALL_SOURCES_COLUMNS)
    frame["certified"] = frame["certified"].astype("boolean")
    return frame


def test_combine_ties_rounding_and_certification():
    rows = _rows(("RSX 2023-24 workbook", "second release", 3, 6.0, "published", False),
                 ("RS 2023-24 workbook", "second release", 3, 6.4, "published", True))
    out = combine(rows).iloc[0]
    assert out["source"] == "RS 2023-24 workbook"  # same rank: RS before RSX
    assert out["max_abs_difference_gbp_thousands"] == pytest.approx(0.4)
    assert (out["total_expenditure_gbp_thousands"], out["total_income_gbp_thousands"]) == (10, 4)  # same up to rounding
    assert out["certified"]
    rows = _rows(("MHCLG Revenue Outturn time series v2.3", "time series v2.3", 2, 7.0, "published", pd.NA),
                 ("RSX 2023-24 workbook", "first release", 4, 6.0, "published", True))
    out = combine(rows).iloc[0]
    assert (out["net_expenditure_gbp_thousands"], out["n_sources"], out["max_abs_difference_gbp_thousands"]) == (7, 2, 1)
    assert np.isnan(out["total_expenditure_gbp_thousands"])  # RSX's 10 − 4 = 6 is another return
    assert pd.isna(out["certified"])  # RSX certified a different figure


def test_combine_single_source_and_all_missing():
    out = combine(_rows(("RS 2023-24 workbook", "second release", 3, 5.0, "published", pd.NA))).iloc[0]
    assert out["n_sources"] == 1 and np.isnan(out["max_abs_difference_gbp_thousands"])
    out = combine(_rows(
        ("MHCLG Revenue Outturn time series v3.1", "time series v3.1", 1, np.nan, "missing: not submitted", pd.NA),
        ("RSX 2023-24 workbook", "first release", 4, np.nan, "missing: not submitted", pd.NA))).iloc[0]
    assert np.isnan(out["net_expenditure_gbp_thousands"]) and out["n_sources"] == 0
    assert (out["source"], out["status"]) == ("MHCLG Revenue Outturn time series v3.1", "missing: not submitted")
