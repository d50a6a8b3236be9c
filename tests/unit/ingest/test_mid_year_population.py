"""ONS mid-year population estimates (mid-2011 … mid-2024) and age structure / density — hand-checked
figures from the published files, consistency with the country totals, and bad inputs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import mid_year_population as mye
from wcc_analysis.ingest.public.mid_year_population import (
    COLUMNS,
    SHEET_AGES,
    SHEET_DENSITY,
    SHEET_TOTALS,
    SOURCE_MYE2_2024,
    SOURCE_MYE4,
    STRUCTURE_COLUMNS,
    load_mid_year_population,
    load_population_structure,
)

WORCESTER, BROMSGROVE, WORCESTERSHIRE = "E07000237", "E07000234", "E10000034"
ENGLAND_2023, ENGLAND_2024, WALES_2023 = 57_690_323, 58_620_101, 3_164_404

#: Worcester, hand-checked in MYE4 of mye23tablesew.xlsx (mid-2011 … mid-2023) and the mid-2024 CSV.
WORCESTER_POPULATION = {2011: 98_679, 2017: 105_321, 2020: 104_399, 2021: 103_628, 2022: 104_119,
                        2023: 105_143, 2024: 106_671}
BROMSGROVE_POPULATION = {2011: 93_732, 2017: 96_703, 2023: 100_679, 2024: 101_685}

#: Councils in the project's other data (RS outturn, census, IMD 2019, DEFRA 2021-22, CT receipts) that
#: were abolished 2019–2023 and so are not areas of these estimates (2023 boundaries): the analysis
#: falls back to the census-trend population for them.
ABOLISHED = {
    "E06000028": "Bournemouth", "E06000029": "Poole",
    "E07000004": "Aylesbury Vale", "E07000005": "Chiltern", "E07000006": "South Bucks", "E07000007": "Wycombe",
    "E07000026": "Allerdale", "E07000027": "Barrow-in-Furness", "E07000028": "Carlisle", "E07000029": "Copeland",
    "E07000030": "Eden", "E07000031": "South Lakeland",
    "E07000048": "Christchurch", "E07000049": "East Dorset", "E07000050": "North Dorset", "E07000051": "Purbeck",
    "E07000052": "West Dorset", "E07000053": "Weymouth and Portland",
    "E07000150": "Corby", "E07000151": "Daventry", "E07000152": "East Northamptonshire", "E07000153": "Kettering",
    "E07000154": "Northampton", "E07000155": "South Northamptonshire", "E07000156": "Wellingborough",
    "E07000163": "Craven", "E07000164": "Hambleton", "E07000165": "Harrogate", "E07000166": "Richmondshire",
    "E07000167": "Ryedale", "E07000168": "Scarborough", "E07000169": "Selby",
    "E07000187": "Mendip", "E07000188": "Sedgemoor", "E07000189": "South Somerset", "E07000190": "Taunton Deane",
    "E07000191": "West Somerset", "E07000246": "Somerset West and Taunton",
    "E07000201": "Forest Heath", "E07000204": "St Edmundsbury", "E07000205": "Suffolk Coastal",
    "E07000206": "Waveney",
    "E10000002": "Buckinghamshire County", "E10000006": "Cumbria", "E10000009": "Dorset County",
    "E10000021": "Northamptonshire", "E10000023": "North Yorkshire", "E10000027": "Somerset County",
}
#: Their successors, estimated back to mid-2011 on 2023 boundaries.
SUCCESSORS = ["E06000058", "E06000059", "E06000060", "E06000061", "E06000062", "E06000063", "E06000064",
              "E06000065", "E06000066", "E07000244", "E07000245"]


@pytest.fixture(scope="module")
def mid_year() -> pd.DataFrame:
    return load_mid_year_population()


@pytest.fixture(scope="module")
def structure() -> pd.DataFrame:
    return load_population_structure()


def _population(table: pd.DataFrame, code: str) -> dict[int, int]:
    return table[table["ons_code"] == code].set_index("year")["population"].to_dict()


# --- the real files -----------------------------------------------------------------------------------

def test_mid_year_population_shape(mid_year):
    assert list(mid_year.columns) == COLUMNS
    assert sorted(mid_year["year"].unique()) == list(range(2011, 2025))
    assert mid_year.groupby("year").size().unique().tolist() == [339]  # 318 districts + 21 counties each year
    assert mid_year.groupby("level")["ons_code"].nunique().to_dict() == {"county": 21, "district": 318}
    assert mid_year.drop_duplicates("ons_code")["ons_code"].str[0].value_counts().to_dict() == {"E": 317, "W": 22}
    assert (mid_year["population"].dtype, mid_year["year"].dtype) == ("int64", "int64")
    assert set(mid_year.loc[mid_year["year"] <= 2023, "source"]) == {SOURCE_MYE4}
    assert set(mid_year.loc[mid_year["year"] == 2024, "source"]) == {SOURCE_MYE2_2024}
    assert not mid_year.duplicated(["ons_code", "year"]).any()  # the two releases never overlap
    # countries, regions and metropolitan counties are not rows
    assert not mid_year["ons_code"].str.startswith(("K04", "E92", "W92", "E12", "E11")).any()
    assert set(mid_year["geography"]) == {"Non-metropolitan District", "Unitary Authority", "Metropolitan District",
                                          "London Borough", "County"}


def test_worcester_and_bromsgrove_hand_checked(mid_year):
    worcester = _population(mid_year, WORCESTER)
    assert {y: worcester[y] for y in WORCESTER_POPULATION} == WORCESTER_POPULATION
    bromsgrove = _population(mid_year, BROMSGROVE)
    assert {y: bromsgrove[y] for y in BROMSGROVE_POPULATION} == BROMSGROVE_POPULATION
    row = mid_year[(mid_year["ons_code"] == WORCESTER) & (mid_year["year"] == 2023)].iloc[0]
    assert (row["name"], row["geography"], row["level"]) == ("Worcester", "Non-metropolitan District", "district")
    county = _population(mid_year, WORCESTERSHIRE)
    assert (county[2023], county[2024]) == (614_185, 621_360)
    assert mid_year.loc[mid_year["ons_code"] == WORCESTERSHIRE, "level"].unique().tolist() == ["county"]


def test_districts_add_up_to_england_and_wales(mid_year):
    districts = mid_year[mid_year["level"] == "district"]
    by_country = districts.groupby([districts["ons_code"].str[0], "year"])["population"].sum()
    assert by_country[("E", 2023)] == ENGLAND_2023
    assert by_country[("E", 2024)] == ENGLAND_2024
    assert by_country[("W", 2023)] == WALES_2023
    # Worcestershire = its six districts (Bromsgrove, Malvern Hills, Redditch, Worcester, Wychavon, Wyre Forest)
    six = ["E07000234", "E07000235", "E07000236", "E07000237", "E07000238", "E07000239"]
    summed = districts[districts["ons_code"].isin(six)].groupby("year")["population"].sum()
    assert summed.to_dict() == _population(mid_year, WORCESTERSHIRE)


def test_abolished_councils_are_not_in_the_estimates(mid_year):
    codes = set(mid_year["ons_code"])
    assert not codes & set(ABOLISHED)
    successors = mid_year[mid_year["ons_code"].isin(SUCCESSORS)]
    assert successors.groupby("ons_code")["year"].min().unique().tolist() == [2011]
    assert _population(mid_year, "E06000066")[2011] == 531_581  # Somerset Council, on 2023 boundaries


def test_population_structure_hand_checked(structure):
    assert list(structure.columns) == STRUCTURE_COLUMNS
    assert structure.groupby("year").size().to_dict() == {2023: 339, 2024: 339}
    w = structure[structure["ons_code"] == WORCESTER].set_index("year")
    # MYE2 Persons mid-2023: ages 0–15 and 65–90+; MYE5: area 33.2781 sq km, 3,160 people per sq km
    assert (w.loc[2023, "population"], w.loc[2023, "under_16"], w.loc[2023, "aged_65_plus"]) == (105_143, 18_278, 19_163)
    assert (w.loc[2024, "population"], w.loc[2024, "under_16"], w.loc[2024, "aged_65_plus"]) == (106_671, 18_403, 19_412)
    assert w.loc[2023, "share_under_16"] == pytest.approx(18_278 / 105_143)
    assert w.loc[2024, "share_65_plus"] == pytest.approx(19_412 / 106_671)
    assert w["area_km2"].tolist() == [33.2781, 33.2781]
    assert w.loc[2023, "density_per_km2"] == 3160 and not w.loc[2023, "density_derived"]
    assert w.loc[2024, "density_per_km2"] == pytest.approx(106_671 / 33.2781) and w.loc[2024, "density_derived"]
    b = structure[structure["ons_code"] == BROMSGROVE].set_index("year")
    assert (b.loc[2023, "under_16"], b.loc[2023, "aged_65_plus"], b.loc[2023, "density_per_km2"]) == (18_502, 23_153, 464)
    assert b.loc[2024, "population"] == 101_685


def test_structure_agrees_with_the_totals(mid_year, structure):
    totals = mid_year[mid_year["year"] >= 2023].set_index(["ons_code", "year"])["population"]
    assert structure.set_index(["ons_code", "year"])["population"].equals(totals.loc[
        structure.set_index(["ons_code", "year"]).index])
    assert structure["share_under_16"].between(0, 1).all() and structure["share_65_plus"].between(0, 1).all()
    assert structure["area_km2"].gt(0).all()


# --- small files made from the published ones ------------------------------------------------------------

@cache
def _published_sheets() -> dict[str, pd.DataFrame]:
    return mye.read_sheets(mye.default_paths()[0], [SHEET_TOTALS, SHEET_AGES, SHEET_DENSITY])


def _small_sheets(codes=(BROMSGROVE, WORCESTER)) -> dict[str, pd.DataFrame]:
    """Title lines, header (row 8) and the rows of ``codes`` of each sheet: Bromsgrove row 9, Worcester row 10."""
    out = {}
    for name, raw in _published_sheets().items():
        keep = raw.iloc[:8]
        rows = raw[raw.iloc[:, 0].isin(codes)]
        out[name] = pd.concat([keep, rows], ignore_index=True)
    return out


def _col(sheet: pd.DataFrame, label: str) -> int:
    return [mye.sheet_label(v) for v in sheet.iloc[7]].index(label)


def _book(tmp_path: Path, sheets: dict[str, pd.DataFrame], name: str = "mye23.xlsx") -> Path:
    path = tmp_path / name
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            frame.to_excel(writer, sheet_name=sheet, header=False, index=False)
    return path


def _csv(tmp_path: Path, codes=(BROMSGROVE, WORCESTER), edit=None) -> Path:
    lines = mye.default_paths()[1].read_text(encoding="utf-8-sig").splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",")[0] in codes]
    if edit:
        kept = edit(kept)
    path = tmp_path / "mye24.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8-sig")
    return path


def _error(tmp_path, sheets=None, csv=None) -> InputDataError:
    book = _book(tmp_path, sheets if sheets is not None else _small_sheets())
    with pytest.raises(InputDataError) as info:
        load_mid_year_population(book, csv or _csv(tmp_path))
    return info.value


def test_small_files_read(tmp_path):
    book, csv = _book(tmp_path, _small_sheets()), _csv(tmp_path)
    table = load_mid_year_population(book, csv)
    assert _population(table, WORCESTER) == _population(load_mid_year_population(), WORCESTER)
    structure = load_population_structure(book, csv)
    assert structure.set_index(["ons_code", "year"]).loc[(WORCESTER, 2023), "under_16"] == 18_278


def test_missing_sheet(tmp_path):
    sheets = _small_sheets()
    del sheets[SHEET_DENSITY]
    error = _error(tmp_path, sheets)
    assert (error.file, error.sheet) == ("mye23.xlsx", "MYE5")
    assert "no sheet 'MYE5'" in str(error) and "'MYE4'" in str(error)  # the sheets found are listed


def test_header_not_found(tmp_path):
    sheets = _small_sheets()
    sheets[SHEET_TOTALS].iloc[7, _col(sheets[SHEET_TOTALS], "Geography")] = "Area type"
    error = _error(tmp_path, sheets)
    assert (error.file, error.sheet) == ("mye23.xlsx", "MYE4")
    assert "header row not found" in str(error) and "'Geography'" in str(error)


def test_missing_year_column(tmp_path):
    sheets = _small_sheets()
    totals = sheets[SHEET_TOTALS]
    for label in [f"Mid-{y}" for y in range(2011, 2024)]:
        totals.iloc[7, _col(totals, label)] = label.replace("Mid-", "Year ")
    error = _error(tmp_path, sheets)
    assert error.sheet == "MYE4" and error.row == 8 and "Mid-YYYY" in str(error)


def test_text_in_a_number_column(tmp_path):
    sheets = _small_sheets()
    sheets[SHEET_TOTALS].iloc[9, _col(sheets[SHEET_TOTALS], "Mid-2022")] = "about 104k"
    error = _error(tmp_path, sheets)
    assert (error.file, error.sheet, error.row, error.column) == ("mye23.xlsx", "MYE4", 10, "Mid-2022")
    assert "'about 104k'" in str(error) and "not a number" in str(error)


def test_fraction_in_a_count(tmp_path):
    sheets = _small_sheets()
    sheets[SHEET_AGES].iloc[8, _col(sheets[SHEET_AGES], "30")] = 1234.5
    error = _error(tmp_path, sheets)
    assert (error.sheet, error.row, error.column) == ("MYE2 - Persons", 9, "30")


def test_duplicate_code(tmp_path):
    sheets = _small_sheets()
    sheets[SHEET_TOTALS].iloc[8, 0] = WORCESTER  # Bromsgrove's row now says Worcester
    error = _error(tmp_path, sheets)
    assert (error.sheet, error.row, error.column) == ("MYE4", 10, "Code")
    assert "duplicate" in str(error) and "rows 9 and 10" in str(error) and WORCESTER in str(error)


def test_negative_population(tmp_path):
    sheets = _small_sheets()
    sheets[SHEET_TOTALS].iloc[9, _col(sheets[SHEET_TOTALS], "Mid-2011")] = -98679
    error = _error(tmp_path, sheets)
    assert (error.sheet, error.row, error.column) == ("MYE4", 10, "Mid-2011")
    assert "-98679" in str(error) and "greater than 0" in str(error)


def test_not_an_area_code(tmp_path):
    sheets = _small_sheets()
    sheets[SHEET_DENSITY].iloc[9, 0] = "E0700023"
    error = _error(tmp_path, sheets)
    assert (error.sheet, error.row, error.column) == ("MYE5", 10, "Code")


def test_sheets_must_agree(tmp_path):
    sheets = _small_sheets()
    ages = sheets[SHEET_AGES]
    ages.iloc[9, _col(ages, "All ages")] += 1
    ages.iloc[9, _col(ages, "30")] += 1  # single ages still add up; MYE4 disagrees
    error = _error(tmp_path, sheets)
    assert (error.sheet, error.row, error.column) == ("MYE2 - Persons", 10, "All ages")
    assert "differs from MYE4 Mid-2023" in str(error) and "105,144" in str(error)


def test_single_ages_must_add_up(tmp_path):
    sheets = _small_sheets()
    sheets[SHEET_AGES].iloc[9, _col(sheets[SHEET_AGES], "90+")] += 10
    error = _error(tmp_path, sheets)
    assert (error.sheet, error.row, error.column) == ("MYE2 - Persons", 10, "All ages")
    assert "not the sum of the single years of age" in str(error)


def test_published_density_must_match_the_area(tmp_path):
    sheets = _small_sheets()
    density = sheets[SHEET_DENSITY]
    density.iloc[9, _col(density, "Area (sq km)")] = 43.2781
    error = _error(tmp_path, sheets)
    assert (error.sheet, error.row, error.column) == ("MYE5", 10, "2023 people per sq. km")


def test_districts_must_add_up_to_the_country(tmp_path):
    sheets = {name: frame.copy() for name, frame in _published_sheets().items()}
    totals = sheets[SHEET_TOTALS]
    worcester = totals.index[totals.iloc[:, 0] == WORCESTER][0]
    totals.iloc[worcester, _col(totals, "Mid-2015")] += 100
    book = _book(tmp_path, sheets)
    with pytest.raises(InputDataError) as info:
        load_mid_year_population(book)
    error = info.value
    england_row = int(totals.index[totals.iloc[:, 0] == "E92000001"][0]) + 1
    assert (error.sheet, error.row, error.column) == ("MYE4", england_row, "Mid-2015")
    assert "ENGLAND Mid-2015" in str(error) and "add up to" in str(error)


@pytest.mark.parametrize(
    ("edit", "row", "column", "text"),
    [
        (lambda ls: [ls[0], ls[1], ls[2].replace(",106671,", ",106k,")], 3, "All ages", "'106k'"),
        (lambda ls: [ls[0], ls[1], ls[2].replace(",106671,", ",-106671,")], 3, "All ages", "greater than 0"),
        (lambda ls: [ls[0], ls[1], ls[1]], 3, "Code", "duplicate"),
        (lambda ls: [ls[0], ls[1], ls[2].replace(",106671,972,", ",106671,971,")], 3, "All ages",
         "not the sum"),
    ],
    ids=["text", "negative", "duplicate", "ages-do-not-add-up"],
)
def test_bad_mid2024_csv(tmp_path, edit, row, column, text):
    error = _error(tmp_path, csv=_csv(tmp_path, edit=edit))
    assert (error.file, error.row, error.column) == ("mye24.csv", row, column)
    assert text in str(error)


def test_mid2024_csv_missing_column_and_other_areas(tmp_path):
    def drop_all_ages(lines):
        return [",".join(v for i, v in enumerate(line.split(",")) if i != 3) for line in lines]

    error = _error(tmp_path, csv=_csv(tmp_path, edit=drop_all_ages))
    assert error.column == "All ages" and "columns found" in str(error)
    error = _error(tmp_path, csv=_csv(tmp_path, codes=(WORCESTER, "E07000238")))
    assert (error.file, error.row, error.column) == ("mye24.csv", 3, "Code") and "E07000238" in str(error)
