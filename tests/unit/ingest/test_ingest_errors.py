"""Bad inputs give an InputDataError naming the file, the row and the column."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import validate
from wcc_analysis.ingest.public.authorities import default_path as authorities_path
from wcc_analysis.ingest.public.authorities import load_authorities, require_known_authority
from wcc_analysis.ingest.public.deprivation import default_paths, load_imd2019, load_imd2025
from wcc_analysis.ingest.public.neighbours import load_neighbours
from wcc_analysis.ingest.public.population import default_path as census_path
from wcc_analysis.ingest.public.population import load_census_population
from wcc_analysis.ingest.public.revenue_outturn import load_revenue_outturn_workbook, rs_workbooks

CENSUS_HEADER = "LAD,NAME,COUNTY,REGION,POP11,POP21,POP_RANK_11,POP_RANK_21"


def census_file(tmp_path: Path, lines: list[str], header: str = CENSUS_HEADER) -> Path:
    path = tmp_path / "census.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


GOOD = [
    "E08000025,Birmingham,West Midlands,West Midlands,1073045,1140300,1,1",
    "E07000237,Worcester,Worcestershire,West Midlands,98768,103700,232,231",
    "E06000001,Hartlepool,,North East,92028,92300,300,300",
]


def test_good_small_census(tmp_path):
    table = load_census_population(census_file(tmp_path, GOOD))
    assert table["pop_2021"].tolist() == [92300, 103700, 1140300]


def test_missing_column(tmp_path):
    header = CENSUS_HEADER.replace("POP21,", "")
    lines = [",".join(v for i, v in enumerate(line.split(",")) if i != 5) for line in GOOD]
    with pytest.raises(InputDataError) as info:
        load_census_population(census_file(tmp_path, lines, header))
    message = str(info.value)
    assert "census.csv" in message and "'POP21'" in message
    assert "columns found" in message and "'POP11'" in message


def test_wrong_type(tmp_path):
    lines = [*GOOD[:1], GOOD[1].replace("103700", "about 100k"), GOOD[2]]
    with pytest.raises(InputDataError) as info:
        load_census_population(census_file(tmp_path, lines))
    error = info.value
    assert (error.file, error.row, error.column) == ("census.csv", 3, "POP21")
    assert "'about 100k'" in str(error) and "row 3" in str(error) and "'POP21'" in str(error)


def test_negative_population(tmp_path):
    lines = [GOOD[0], GOOD[1], GOOD[2].replace("92300", "-92300")]
    with pytest.raises(InputDataError) as info:
        load_census_population(census_file(tmp_path, lines))
    assert (info.value.row, info.value.column) == (4, "POP21")
    assert "-92300" in str(info.value) and "greater than 0" in str(info.value)


def test_zero_population(tmp_path):
    lines = [GOOD[0].replace("1073045", "0"), *GOOD[1:]]
    with pytest.raises(InputDataError) as info:
        load_census_population(census_file(tmp_path, lines))
    assert (info.value.row, info.value.column) == (2, "POP11")


def test_duplicate_key_names_both_rows(tmp_path):
    lines = [*GOOD, GOOD[1].replace("Worcester,", "Worcester again,")]
    with pytest.raises(InputDataError) as info:
        load_census_population(census_file(tmp_path, lines))
    message = str(info.value)
    assert "duplicate" in message and "rows 3 and 5" in message and "'LAD'" in message


def test_bad_code_format(tmp_path):
    lines = [GOOD[0], GOOD[1].replace("E07000237", "E7000237"), GOOD[2]]
    with pytest.raises(InputDataError) as info:
        load_census_population(census_file(tmp_path, lines))
    assert (info.value.row, info.value.column) == (3, "LAD")
    assert "'E7000237'" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputDataError, match="not found"):
        load_census_population(tmp_path / "nope.csv")


def test_real_census_file_with_one_bad_cell(tmp_path):
    lines = census_path().read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("E07000237"))
    lines[row] = lines[row].replace("98768", "n/k")
    path = tmp_path / "lad_population_census2011_2021_rank.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputDataError) as info:
        load_census_population(path)
    assert (info.value.row, info.value.column) == (row + 1, "POP11")


def test_unknown_authority_code_in_a_file():
    with pytest.raises(InputDataError) as info:
        require_known_authority("E07000999", file="budget.csv", row=7, column="ons_code")
    message = str(info.value)
    assert "budget.csv" in message and "row 7" in message and "'ons_code'" in message
    assert "E07000999" in message


def test_imd_missing_and_bad_columns(tmp_path):
    frame = pd.read_csv(default_paths()[0], dtype=str)
    frame.drop(columns=["Extent"]).to_csv(tmp_path / "imd2019.csv", index=False)
    with pytest.raises(InputDataError, match="'Extent'"):
        load_imd2019(tmp_path / "imd2019.csv")
    frame.loc[10, "Score"] = "high"
    frame.to_csv(tmp_path / "imd2019b.csv", index=False)
    with pytest.raises(InputDataError) as info:
        load_imd2019(tmp_path / "imd2019b.csv")
    assert (info.value.row, info.value.column) == (12, "Score")
    frame25 = pd.read_csv(default_paths()[1], dtype=str)
    frame25.loc[0, "imd25_extent"] = "1.5"  # a share above 1
    frame25.to_csv(tmp_path / "imd2025.csv", index=False)
    with pytest.raises(InputDataError) as info:
        load_imd2025(tmp_path / "imd2025.csv")
    assert (info.value.row, info.value.column) == (2, "imd25_extent")


def test_lookup_duplicate_gss(tmp_path):
    lines = authorities_path().read_text().splitlines()
    worcester = next(line for line in lines if line.startswith("WOC,"))
    path = tmp_path / "uk_local_authorities.csv"
    path.write_text("\n".join([*lines, worcester.replace("WOC,", "WOX,").replace("E1837", "E9999")]) + "\n")
    with pytest.raises(InputDataError) as info:
        load_authorities(path)
    assert "gss-code" in str(info.value) and f"rows {lines.index(worcester) + 1} and {len(lines) + 1}" in str(info.value)


def test_neighbours_bad_json(tmp_path):
    path = tmp_path / "n.json"
    path.write_text('{"E07000237": [["E07000235"], "E0700')
    with pytest.raises(InputDataError, match="n.json.*not valid JSON"):
        load_neighbours(path)
    path.write_text(json.dumps({"E07000237": [["E07000235"], "Malvern"]}))
    with pytest.raises(InputDataError, match="'Malvern'"):
        load_neighbours(path)


def test_generic_validate_names_file_row_column_and_counts_others():
    schema = pa.DataFrameSchema({"x": pa.Column(float, pa.Check.ge(0))})
    df = pd.DataFrame({"x": [1.0, -1.0, -2.0], "source_row": [5, 9, 7]})
    with pytest.raises(InputDataError) as info:
        validate(df, schema, file="f.xlsx", sheet="S", headers={"x": "Amount (£)"})
    error = info.value
    assert (error.file, error.sheet, error.row, error.column) == ("f.xlsx", "S", 7, "Amount (£)")
    assert "-2.0" in str(error) and "1 other problem" in str(error)


# --- RS workbooks -----------------------------------------------------------------------------

RS_SHEET = "RS LA Data 2014-15 (1)"


@pytest.fixture(scope="module")
def rs_sheet() -> pd.DataFrame:
    source = next(p for p in rs_workbooks() if "2014-15" in p.name)
    frame = pd.read_excel(source, sheet_name=RS_SHEET, header=None, engine="calamine")
    first = frame.iloc[:, 0].astype(str)
    header = int(first[first == "E-code"].index[0])
    keep = (frame.index <= header) | first.isin(["E1837", "E1831", "E3120"])
    return frame[keep].reset_index(drop=True)


def write_rs(tmp_path: Path, frame: pd.DataFrame, name: str = "RS_2014-15_by_LA.xlsx",
             sheet: str = RS_SHEET) -> Path:
    path = tmp_path / name
    frame.to_excel(path, sheet_name=sheet, header=False, index=False)
    return path


def cell(frame: pd.DataFrame, ecode: str, column: str) -> tuple[int, int]:
    header = int(frame.index[frame.iloc[:, 0] == "E-code"][0])
    col = frame.iloc[header].tolist().index(column)
    return int(frame.index[frame.iloc[:, 0] == ecode][0]), col


def test_rs_text_in_numeric_cell(tmp_path, rs_sheet):
    frame = rs_sheet.copy()
    r, c = cell(frame, "E1837", "Cultural and related services")
    frame.iat[r, c] = "see note"
    with pytest.raises(InputDataError) as info:
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    error = info.value
    assert (error.file, error.sheet, error.row, error.column) == (
        "RS_2014-15_by_LA.xlsx", RS_SHEET, r + 1, "Cultural and related services")
    assert "'see note'" in str(error)


def test_rs_placeholders_and_negative_values(tmp_path, rs_sheet):
    frame = rs_sheet.copy()
    r, c = cell(frame, "E1837", "Cultural and related services")
    frame.iat[r, c] = -5000
    r2, c2 = cell(frame, "E1837", "Central services")
    frame.iat[r2, c2] = "…"
    r3, c3 = cell(frame, "E1831", "Central services")
    frame.iat[r3, c3] = "-"
    table = load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    w = table[table["ecode"] == "E1837"].set_index("rs_block")["net_expenditure_gbp_thousands"]
    assert w["Cultural and related services"] == -5000
    assert pd.isna(w["Central services"])
    assert table.loc[(table["ecode"] == "E1831") & (table["rs_block"] == "Central services"),
                     "net_expenditure_gbp_thousands"].isna().all()


def test_rs_unknown_class(tmp_path, rs_sheet):
    frame = rs_sheet.copy()
    r, c = cell(frame, "E3120", "Class")
    frame.iat[r, c] = "XX"
    with pytest.raises(InputDataError) as info:
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    assert (info.value.row, info.value.column, info.value.sheet) == (r + 1, "Class", RS_SHEET)


def test_rs_missing_column(tmp_path, rs_sheet):
    frame = rs_sheet.copy()
    _, c = cell(frame, "E1837", "Class")
    header = int(frame.index[frame.iloc[:, 0] == "E-code"][0])
    frame.iat[header, c] = "Type"
    with pytest.raises(InputDataError) as info:
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    assert info.value.column == "Class" and "columns found" in str(info.value)


def test_rs_no_net_current_expenditure_sheet(tmp_path, rs_sheet):
    frame = rs_sheet.copy()
    frame.iat[2, 0] = "Financial reserves levels (£ thousand)"
    with pytest.raises(InputDataError, match="Net current expenditure"):
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))


def test_rs_duplicate_authority_row(tmp_path, rs_sheet):
    frame = pd.concat([rs_sheet, rs_sheet.iloc[[-1]]], ignore_index=True)
    with pytest.raises(InputDataError) as info:
        load_revenue_outturn_workbook(write_rs(tmp_path, frame))
    n = len(rs_sheet)
    assert f"rows {n} and {n + 1}" in str(info.value)


@pytest.mark.parametrize("content", [b"not a spreadsheet at all", b""])
def test_rs_corrupt_workbook(tmp_path, content):
    path = tmp_path / "RS_2099-00_by_LA.xls"
    path.write_bytes(content)
    with pytest.raises(InputDataError) as info:
        load_revenue_outturn_workbook(path)
    assert "RS_2099-00_by_LA.xls" in str(info.value) and "cannot read" in str(info.value)


def test_rs_truncated_workbook(tmp_path):
    source = next(p for p in rs_workbooks() if p.suffix == ".xlsx")
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(InputDataError, match="cannot read this workbook"):
        load_revenue_outturn_workbook(path)
