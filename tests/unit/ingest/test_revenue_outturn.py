"""RS workbooks as published (.xls/.xlsx, and .ods) → tidy net current expenditure."""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.ingest.public.revenue_outturn import (
    COLUMNS,
    SOURCE_UNMATCHED,
    TOTAL_BLOCK,
    load_revenue_outturn,
    load_revenue_outturn_workbook,
    rs_workbooks,
    unmatched_authorities,
)

WORCESTER = "E07000237"
CULTURAL, ENVIRONMENTAL, CENTRAL = (
    "Cultural and related services", "Environmental and regulatory services", "Central services")

# Hand-checked against the published workbooks (£ thousand).
WORCESTER_CHECKS = {
    "2010-11": {CULTURAL: 4696, ENVIRONMENTAL: 3706, CENTRAL: 1563, TOTAL_BLOCK: 13365},
    "2014-15": {CULTURAL: 4447, ENVIRONMENTAL: 1690, CENTRAL: 2794, TOTAL_BLOCK: 10122},
    "2017-18": {CULTURAL: 3320, ENVIRONMENTAL: 2276, CENTRAL: 2480, TOTAL_BLOCK: 10474,
                "Housing services (GFRA only)": 2851, "Planning and development services": 1889},
}
YEAR_OF = {
    "RS_2017-18_data_by_LA.xlsx": "2017-18",
    "Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls": "2010-11",
    "Revenue_Outturn_Summary__RS__data_2011-12_by_LA_-_Revised_28-Nov-2013.xls": "2011-12",
    "Revenue_Outturn_Summary__RS__data_2012-13_by_LA__Revised__-_18-Feb-2014.xls": "2012-13",
    "Revenue_Outturn_Summary__RS__data_2013-14_by_LA_-_Revised_28-Jan-2015.xls": "2013-14",
    "Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls": "2014-15",
}
AUTHORITIES_PER_YEAR = {"2010-11": 444, "2011-12": 444, "2012-13": 444, "2013-14": 444,
                        "2014-15": 444, "2017-18": 445}
UNMATCHED_PER_YEAR = {"2010-11": 46, "2011-12": 45, "2012-13": 8, "2013-14": 8, "2014-15": 4, "2017-18": 1}


@pytest.fixture(scope="module")
def rs() -> pd.DataFrame:
    return load_revenue_outturn()


def worcester(table: pd.DataFrame, year: str) -> pd.Series:
    rows = table[(table["ecode"] == "E1837") & (table["year"] == year)]
    return rows.set_index("rs_block")["net_expenditure_gbp_thousands"]


def test_six_workbooks_found():
    assert sorted(p.name for p in rs_workbooks()) == sorted(YEAR_OF)


def test_columns_and_types(rs):
    assert list(rs.columns) == COLUMNS
    assert rs["year_start"].dtype == "int64"
    assert rs["net_expenditure_gbp_thousands"].dtype == "float64"
    assert set(rs["source_file"]) == set(YEAR_OF)  # file name only, no folders


@pytest.mark.parametrize("name", sorted(YEAR_OF))
def test_each_workbook(rs, name):
    year = YEAR_OF[name]
    rows = rs[rs["source_file"] == name]
    assert set(rows["year"]) == {year}
    assert set(rows["year_start"]) == {int(year[:4])}
    assert rows["ecode"].nunique() == AUTHORITIES_PER_YEAR[year]
    assert set(rows["authority_class"]) == {"SD", "UA", "MD", "L", "SC", "O"}
    assert rows["authority_class"].eq("SD").groupby(rows["ecode"]).first().sum() == 201
    assert TOTAL_BLOCK in set(rows["rs_block"])
    assert not any(b.upper().startswith("TOTAL SERVICE") for b in set(rows["rs_block"]) - {TOTAL_BLOCK})
    # Only the net-current-expenditure sheet is read, never (2) capital / reserves or (3) net total cost.
    assert len(set(rows["source_sheet"])) == 1
    assert rows["source_sheet"].iloc[0].endswith(("(1)", "2017-18"))
    w = rows[rows["ecode"] == "E1837"]
    assert set(w["ons_code"]) == {WORCESTER}
    assert set(w["authority_class"]) == {"SD"}
    assert (rows.drop_duplicates("ecode")["ons_code_source"] == SOURCE_UNMATCHED).sum() == UNMATCHED_PER_YEAR[year]


@pytest.mark.parametrize("year", sorted(WORCESTER_CHECKS))
def test_worcester_hand_checked(rs, year):
    values = worcester(rs, year)
    for block, expected in WORCESTER_CHECKS[year].items():
        assert values[block] == expected, (year, block)


def test_blocks_follow_the_layout_of_each_year(rs):
    blocks = rs.groupby("year")["rs_block"].unique().map(set)
    assert "Social care" in blocks["2010-11"] and "Children Social Care" not in blocks["2010-11"]
    assert {"Children Social Care", "Adult Social Care"} <= blocks["2011-12"]
    assert "Public Health" not in blocks["2012-13"] and "Public Health" in blocks["2013-14"]
    assert len(blocks["2017-18"]) == 14  # 13 service blocks + total


def test_source_row_is_the_spreadsheet_row(rs):
    w = rs[(rs["ecode"] == "E1837") & (rs["year"] == "2017-18")]
    assert set(w["source_row"]) == {311}  # header "E-code" is in A7 in the published file
    assert set(w["source_sheet"]) == {"RS LA Data 2017-18"}


def test_negative_net_expenditure_kept(rs):
    assert worcester(rs, "2017-18")["Highways and transport services"] == -2342
    assert (rs["net_expenditure_gbp_thousands"] < 0).sum() > 1000


def test_placeholders_are_missing(rs):
    # the 2017-18 workbook has 14 '…' cells; the older ones have none
    missing = rs["net_expenditure_gbp_thousands"].isna().groupby(rs["year"]).sum()
    assert missing["2017-18"] == 14
    assert missing["2014-15"] == 0


def test_keys_unique(rs):
    assert not rs.duplicated(["ecode", "year", "rs_block"]).any()
    has_ons = rs.dropna(subset=["ons_code"])
    assert not has_ons.duplicated(["ons_code", "year", "rs_block"]).any()


def test_one_ons_code_per_ecode_across_years(rs):
    per = rs.dropna(subset=["ons_code"]).groupby("ecode")["ons_code"].nunique()
    # Only the two national parks whose boundaries (and codes) changed in 2016 have two.
    assert set(per[per > 1].index) == {"E6403", "E6407"}
    north_yorks = rs[(rs["ecode"] == "E2721")]
    assert set(north_yorks["ons_code"]) == {"E10000023"}  # 2017-18 workbook says E10000022


def test_unmatched_are_only_other_bodies(rs):
    unmatched = unmatched_authorities(rs)
    assert set(unmatched["authority_class"]) == {"O"}
    assert unmatched.groupby("year").size().to_dict() == UNMATCHED_PER_YEAR
    assert "Lee Valley Regional Park Authority" in set(unmatched["authority_name"])


def test_older_years_joined_by_ecode(rs):
    old = rs[rs["year"] == "2010-11"].drop_duplicates("ecode")
    assert (old["ons_code_source"] == "mysociety ecode lookup").sum() == 354
    councils = old[old["authority_class"] != "O"]
    assert councils["ons_code"].notna().all()


def _trimmed_sheet(frame: pd.DataFrame, keep_ecodes: set[str]) -> pd.DataFrame:
    first = frame.iloc[:, 0].astype(str)
    header = int(first[first == "E-code"].index[0])
    data = first.str.match(r"^E\d{4}$")
    notes = frame.index > frame.index[data][-1]
    keep = (frame.index <= header) | (data & first.isin(keep_ecodes)) | notes
    return frame[keep]


def test_ods_gives_the_same_numbers(tmp_path):
    """GOV.UK now publishes .ods: the same sheet saved as .ods reads the same."""
    source = next(p for p in rs_workbooks() if "2014-15" in p.name)
    sheet = "RS LA Data 2014-15 (1)"
    frame = pd.read_excel(source, sheet_name=sheet, header=None, engine="calamine")
    frame = _trimmed_sheet(frame, {"E1837", "E1831", "E3120"})  # keeps the file small and fast
    target = tmp_path / "RS_2014-15_data_by_LA.ods"
    with pd.ExcelWriter(target, engine="odf") as writer:
        frame.to_excel(writer, sheet_name=sheet, header=False, index=False)
    table = load_revenue_outturn_workbook(target)
    values = worcester(table, "2014-15")
    for block, expected in WORCESTER_CHECKS["2014-15"].items():
        assert values[block] == expected
    assert set(table["ecode"]) == {"E1837", "E1831", "E3120"}
    assert set(table.loc[table["ecode"] == "E1837", "ons_code"]) == {WORCESTER}
    assert set(table["source_file"]) == {target.name}
