"""wcc_analysis.ingest.recognise: the shipped spreadsheets are recognised by their content, others refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest import recognise as rec
from wcc_analysis.ingest.public import mid_year_population, outturn_rsx, revenue_outturn, waste_collection

PUBLIC = paths.raw_public_dir()
RS_DIR = "mhclg_revenue_outturn_rs/original"
RSX_2024 = PUBLIC / "mhclg_rsx_2022-23_to_2024-25_ods_dfe" / "RSX_LA_Data_2024-25_data_by_LA.ods"
LACW = PUBLIC / "defra_lacw_2022-23_and_flytipping" / "LA_collection.ods"


@pytest.mark.parametrize(
    ("relative", "key", "year", "edition", "period_end"),
    [
        (f"{RS_DIR}/Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls", "rs", "2010-11", "revised",
         "2011-03-31"),
        (f"{RS_DIR}/Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls", "rs", "2014-15", "final",
         "2015-03-31"),
        (f"{RS_DIR}/RS_2017-18_data_by_LA.xlsx", "rs", "2017-18", "final", "2018-03-31"),
        ("mhclg_rs_2023-24_ods_arcadesproject/RS_2023-24_data_by_LA.ods", "rs", "2023-24", "second release",
         "2024-03-31"),
        ("mhclg_rsx_2022-23_to_2024-25_ods_dfe/RSX_2022-23_data_by_LA.ods", "rsx", "2022-23", "second release",
         "2023-03-31"),
        ("mhclg_rsx_2022-23_to_2024-25_ods_dfe/RSX_2023-24_data_by_LA.ods", "rsx", "2023-24", "first release",
         "2024-03-31"),
        ("mhclg_rsx_2022-23_to_2024-25_ods_dfe/RSX_LA_Data_2024-25_data_by_LA.ods", "rsx", "2024-25",
         "second release", "2025-03-31"),
        ("ons_mye_mid2023_tables/mye23tablesew.xlsx", "mye", "mid-2023", "mid-2011 to mid-2023", "2023-06-30"),
        ("defra_lacw_2022-23_and_flytipping/LA_collection.ods", "defra_lacw", "2022-23",
         "2022-23 edition, released 31st January 2024", "2023-03-31"),
    ],
)
def test_every_shipped_workbook_is_recognised_with_its_year_and_edition(relative, key, year, edition, period_end):
    found = rec.recognise(PUBLIC / relative)
    assert (found.source.key, found.match.year, found.match.edition, found.match.period_end) == (
        key, year, edition, period_end)
    assert found.match.evidence


def test_target_folders_are_the_readers_folders():
    folders = {s.key: s.folder for s in rec.KNOWN_SOURCES}
    assert folders == {"rs": revenue_outturn.RS_SUBDIR, "rsx": outturn_rsx.RSX_SUBDIR,
                       "mye": mid_year_population.MYE23_PATH.parent,
                       "defra_lacw": waste_collection.RELATIVE_PATH.parent}
    assert folders["rs"] == Path("mhclg_revenue_outturn_rs/original")
    for source in rec.KNOWN_SOURCES:
        assert source.target_dir().is_dir(), source.key


@pytest.mark.parametrize("relative", ["defra_lacw_2022-23_and_flytipping/flytipping_la.ods",
                                      "mhclg_council_tax_levels_2024-25/ct_table8_2024_25.ods"])
def test_a_valid_spreadsheet_of_another_source_is_refused_saying_what_was_expected(relative):
    with pytest.raises(rec.UnrecognisedFile) as caught:
        rec.recognise(PUBLIC / relative)
    error = caught.value
    assert "not recognised as any source data add knows" in error.problem and "its sheets:" in error.problem
    for source in rec.KNOWN_SOURCES:
        assert source.label in error.fix and source.identified_by in error.fix
    assert "'E-code'" in error.fix and "'MYE4'" in error.fix and "'Table_3'" in error.fix


def test_a_small_workbook_with_an_e_code_header_but_no_data_columns_is_not_a_source(tmp_path):
    path = tmp_path / "look_alike.xlsx"
    pd.DataFrame([["E-code", "Local authority", "Class"], ["E0101", "Bath", "UA"]]).to_excel(
        path, header=False, index=False, sheet_name="LA data 2025-26")
    with pytest.raises(rec.UnrecognisedFile, match="not recognised"):
        rec.recognise(path)


def test_damaged_files_are_refused_as_unreadable(tmp_path):
    text = tmp_path / "RSX_2025-26_data_by_LA.ods"
    text.write_text("E-code,ONS Code\nE0101,E06000022\n", encoding="utf-8")
    truncated = tmp_path / "RSX_2025-26_truncated.ods"
    truncated.write_bytes(RSX_2024.read_bytes()[:20_000])
    for path in (text, truncated):
        with pytest.raises(InputDataError) as caught:
            rec.recognise(path)
        assert not isinstance(caught.value, rec.UnrecognisedFile)
        assert caught.value.file == path.name and "cannot read this file as a spreadsheet" in caught.value.problem
        assert "truncated" in caught.value.fix


def test_not_a_spreadsheet_name_is_refused(tmp_path):
    path = tmp_path / "RSX_2025-26.csv"
    path.write_text("a,b\n")
    with pytest.raises(rec.UnrecognisedFile, match=r"not a spreadsheet file name"):
        rec.recognise(path)



@pytest.fixture(scope="module")
def rsx_with_a_bad_cell(tmp_path_factory, resave) -> Path:
    # row index 20 = spreadsheet row 21; column 13 = "Education services - Net Current Expenditure (C7 = C3 - C6)"
    return resave(RSX_2024, tmp_path_factory.mktemp("bad") / "RSX_2025-26_data_by_LA.xlsx",
                  ["Front_Page", "RSX_LA_Data_202425"], bad_cell=("RSX_LA_Data_202425", 20, 13))


def test_a_recognised_file_with_a_bad_cell_is_refused_with_the_readers_error(rsx_with_a_bad_cell):
    found = rec.recognise(rsx_with_a_bad_cell)
    assert found.source.key == "rsx" and found.match.year == "2024-25"
    with pytest.raises(InputDataError) as caught:
        found.source.validate(rsx_with_a_bad_cell)
    error = caught.value
    assert (error.file, error.sheet, error.row) == ("RSX_2025-26_data_by_LA.xlsx", "RSX_LA_Data_202425", 21)
    assert error.column == "Education services - Net Current Expenditure (C7 = C3 - C6)"
    assert "'abc' is not a number" in error.problem


def test_a_second_workbook_for_a_year_already_shipped_is_refused(tmp_path, resave):
    copy = resave(RSX_2024, tmp_path / "RSX_2024-25_resaved.xlsx", ["Front_Page", "RSX_LA_Data_202425"])
    found = rec.recognise(copy)
    assert found.source.key == "rsx" and found.match.edition == "second release"
    with pytest.raises(InputDataError, match="year 2024-25 of RSX 2024-25 workbook is also in") as caught:
        found.source.validate(copy)
    assert {caught.value.file, caught.value.problem.rsplit(" ", 1)[-1]} == {
        "RSX_2024-25_resaved.xlsx", "RSX_LA_Data_2024-25_data_by_LA.ods"}
    assert "keep one workbook" in caught.value.fix


def test_validation_reads_the_file_with_the_sources_reader(tmp_path):
    shipped = rec.recognise(LACW).source.validate(LACW)
    assert shipped == rec.Validated(rows=4502, years="2010-11 to 2022-23", authorities=359)
    mye = PUBLIC / "ons_mye_mid2023_tables" / "mye23tablesew.xlsx"
    assert rec.recognise(mye).source.validate(mye).years == "mid-2011 to mid-2023"
    # a copy under another name (same bytes) validates too: RSX checks the other workbooks beside it
    renamed = shutil.copyfile(RSX_2024, tmp_path / "RSX_LA_Data_2024-25_data_by_LA.ods")
    assert rec.recognise(renamed).source.validate(renamed).rows == 5740
