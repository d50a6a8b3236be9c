"""RS workbooks as published (.xls/.xlsx, and .ods) → tidy net current expenditure.

The workbook-level assertions run on the RS workbooks as read (``load_rs_workbooks``);
the combined table (``load_revenue_outturn``, every source, tested in
test_outturn_sources.py) must keep the same Worcester figures, keys and codes.
"""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.ingest.public.revenue_outturn import (
    COLUMNS,
    SOURCE_UNMATCHED,
    TOTAL_BLOCK,
    WORKBOOK_COLUMNS,
    load_revenue_outturn,
    load_revenue_outturn_workbook,
    load_rs_workbooks,
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
    # RS_2023-24_data_by_LA.ods, sheet RS_LA_Data_2023-24, row 417 (certification "N")
    "2023-24": {CULTURAL: 2453, ENVIRONMENTAL: 4333, CENTRAL: 2700, TOTAL_BLOCK: 15612,
                "Housing services (GFRA only)": 3185, "Planning and development services": 4961,
                "Highways and transport services": -2019},
}
YEAR_OF = {
    "RS_2017-18_data_by_LA.xlsx": "2017-18",
    "Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls": "2010-11",
    "Revenue_Outturn_Summary__RS__data_2011-12_by_LA_-_Revised_28-Nov-2013.xls": "2011-12",
    "Revenue_Outturn_Summary__RS__data_2012-13_by_LA__Revised__-_18-Feb-2014.xls": "2012-13",
    "Revenue_Outturn_Summary__RS__data_2013-14_by_LA_-_Revised_28-Jan-2015.xls": "2013-14",
    "Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls": "2014-15",
    "RS_2023-24_data_by_LA.ods": "2023-24",  # data/raw/public/mhclg_rs_2023-24_ods_arcadesproject/
}
AUTHORITIES_PER_YEAR = {"2010-11": 444, "2011-12": 444, "2012-13": 444, "2013-14": 444,
                        "2014-15": 444, "2017-18": 445, "2023-24": 411}
#: Shire districts: 201 until 2019; 164 in 2023-24 (after the 2019-2023 reorganisations).
DISTRICTS_PER_YEAR = {"2023-24": 164}
UNMATCHED_PER_YEAR = {"2010-11": 46, "2011-12": 45, "2012-13": 8, "2013-14": 8, "2014-15": 4, "2017-18": 1,
                      "2023-24": 1}
#: As the front pages say (the 2010-11 and 2011-12 figures are those compiled for the next year's release).
RELEASE_PER_YEAR = {"2010-11": "revised", "2011-12": "revised", "2012-13": "revised", "2013-14": "revised",
                    "2014-15": "final", "2017-18": "final", "2023-24": "second release"}


@pytest.fixture(scope="module")
def rs() -> pd.DataFrame:
    """The RS workbooks as published."""
    return load_rs_workbooks()


@pytest.fixture(scope="module")
def combined() -> pd.DataFrame:
    """The table every source makes (the one the pack reads)."""
    return load_revenue_outturn()


def worcester(table: pd.DataFrame, year: str) -> pd.Series:
    rows = table[(table["ecode"] == "E1837") & (table["year"] == year)]
    return rows.set_index("rs_block")["net_expenditure_gbp_thousands"]


def test_seven_workbooks_found():
    assert sorted(p.name for p in rs_workbooks()) == sorted(YEAR_OF)


def test_columns_and_types(rs, combined):
    assert list(rs.columns) == WORKBOOK_COLUMNS
    assert rs["year_start"].dtype == "int64"
    assert rs["net_expenditure_gbp_thousands"].dtype == "float64"
    assert set(rs["source_file"]) == set(YEAR_OF)  # file name only, no folders
    assert list(combined.columns) == COLUMNS
    assert COLUMNS[:len(WORKBOOK_COLUMNS) - 4] == WORKBOOK_COLUMNS[:-4]  # the columns downstream code uses, first
    assert combined["year_start"].dtype == "int64"
    assert combined["net_expenditure_gbp_thousands"].dtype == "float64"


@pytest.mark.parametrize("name", sorted(YEAR_OF))
def test_each_workbook(rs, name):
    year = YEAR_OF[name]
    rows = rs[rs["source_file"] == name]
    assert set(rows["year"]) == {year}
    assert set(rows["year_start"]) == {int(year[:4])}
    assert rows["ecode"].nunique() == AUTHORITIES_PER_YEAR[year]
    assert set(rows["authority_class"]) == {"SD", "UA", "MD", "L", "SC", "O"}  # "LB" (2023-24) read as "L"
    assert rows["authority_class"].eq("SD").groupby(rows["ecode"]).first().sum() == DISTRICTS_PER_YEAR.get(year, 201)
    assert set(rows["release"]) == {RELEASE_PER_YEAR[year]}
    assert set(rows["source"]) == {f"RS {year} workbook"}
    assert TOTAL_BLOCK in set(rows["rs_block"])
    assert not any(b.upper().startswith("TOTAL SERVICE") for b in set(rows["rs_block"]) - {TOTAL_BLOCK})
    # Only the net-current-expenditure sheet is read, never (2) capital / reserves or (3) net total cost.
    assert len(set(rows["source_sheet"])) == 1
    assert rows["source_sheet"].iloc[0].endswith(("(1)", "2017-18", "2023-24"))
    w = rows[rows["ecode"] == "E1837"]
    assert set(w["ons_code"]) == {WORCESTER}
    assert set(w["authority_class"]) == {"SD"}
    assert (rows.drop_duplicates("ecode")["ons_code_source"] == SOURCE_UNMATCHED).sum() == UNMATCHED_PER_YEAR[year]


@pytest.mark.parametrize("year", sorted(WORCESTER_CHECKS))
def test_worcester_hand_checked(rs, combined, year):
    for table in (rs, combined):
        values = worcester(table, year)
        for block, expected in WORCESTER_CHECKS[year].items():
            assert values[block] == expected, (year, block)


def test_blocks_follow_the_layout_of_each_year(rs):
    blocks = rs.groupby("year")["rs_block"].unique().map(set)
    assert "Social care" in blocks["2010-11"] and "Children Social Care" not in blocks["2010-11"]
    assert {"Children Social Care", "Adult Social Care"} <= blocks["2011-12"]
    assert "Public Health" not in blocks["2012-13"] and "Public Health" in blocks["2013-14"]
    assert len(blocks["2017-18"]) == 14  # 13 service blocks + total
    assert blocks["2023-24"] == blocks["2017-18"]


def test_source_row_is_the_spreadsheet_row(rs):
    w = rs[(rs["ecode"] == "E1837") & (rs["year"] == "2017-18")]
    assert set(w["source_row"]) == {311}  # header "E-code" is in A7 in the published file
    assert set(w["source_sheet"]) == {"RS LA Data 2017-18"}
    w = rs[(rs["ecode"] == "E1837") & (rs["year"] == "2023-24")]
    assert set(w["source_row"]) == {417}  # header "E-code" in A13, line numbers and variable codes above
    assert set(w["source_sheet"]) == {"RS_LA_Data_2023-24"}


def test_negative_net_expenditure_kept(rs, combined):
    for table in (rs, combined):
        assert worcester(table, "2017-18")["Highways and transport services"] == -2342
        assert (table["net_expenditure_gbp_thousands"] < 0).sum() > 1000


def test_placeholders_are_missing(rs):
    # the 2017-18 workbook has 14 '…' cells (Copeland's whole row); the older ones have none;
    # 2023-24 has 14 councils noted "M" (return not received) with '[x]' in every block
    missing = rs["net_expenditure_gbp_thousands"].isna().groupby(rs["year"]).sum()
    assert missing["2017-18"] == 14
    assert missing["2014-15"] == 0
    assert missing["2023-24"] == 14 * 14
    status = rs.groupby("year")["status"].value_counts().unstack(fill_value=0)
    assert status.loc["2017-18", "missing: not published"] == 14  # '…' says no figure, not why
    assert status.loc["2023-24", "missing: not submitted"] == 14 * 14


def test_certification_carried_where_published(rs):
    flags = rs.drop_duplicates(["year", "ecode"]).groupby("year")["certified"]
    assert flags.count().to_dict() == {"2010-11": 0, "2011-12": 0, "2012-13": 0, "2013-14": 0, "2014-15": 0,
                                       "2017-18": 0, "2023-24": 397}
    w = rs[(rs["ecode"] == "E1837") & (rs["year"] == "2023-24")]
    assert set(w["certified"]) == {False}  # "N" in the published workbook
    watford = rs[(rs["ecode"] == "E1939") & (rs["year"] == "2023-24")]
    assert set(watford["certified"]) == {True}


def test_only_the_first_table_is_read(rs):
    """The 2023-24 sheet's second table (class totals) repeats the GLA under a second 'E-code' header."""
    gla = rs[(rs["ecode"] == "E5100") & (rs["year"] == "2023-24")]
    assert len(gla) == 14 and gla["source_row"].nunique() == 1


@pytest.mark.parametrize("table_name", ["rs", "combined"])
def test_keys_unique(request, table_name):
    table = request.getfixturevalue(table_name)
    assert not table.duplicated(["ecode", "year", "rs_block"]).any()
    has_ons = table.dropna(subset=["ons_code"])
    assert not has_ons.duplicated(["ons_code", "year", "rs_block"]).any()


@pytest.mark.parametrize("table_name", ["rs", "combined"])
def test_one_ons_code_per_ecode_across_years(request, table_name):
    table = request.getfixturevalue(table_name)
    per = table.dropna(subset=["ons_code"]).groupby("ecode")["ons_code"].nunique()
    # Only the two national parks whose boundaries (and codes) changed in 2016 have two.
    assert set(per[per > 1].index) == {"E6403", "E6407"}
    north_yorks = table[(table["ecode"] == "E2721")]
    assert set(north_yorks["ons_code"]) == {"E10000023"}  # 2017-18 workbook says E10000022
    # the unitary North Yorkshire Council (2023-) has its own E-code and ONS code
    assert set(table.loc[table["ecode"] == "E2702", "ons_code"]) == {"E06000065"}


def test_unmatched_are_only_other_bodies(rs, combined):
    unmatched = unmatched_authorities(rs)
    assert set(unmatched["authority_class"]) == {"O"}
    assert unmatched.groupby("year").size().to_dict() == UNMATCHED_PER_YEAR
    assert "Lee Valley Regional Park Authority" in set(unmatched["authority_name"])
    unmatched = unmatched_authorities(combined)
    assert set(unmatched["authority_class"]) == {"O"}
    # the same bodies in the workbook years; afterwards only Lee Valley (it has no ONS code in any source)
    later = {y: 1 for y in ("2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25")}
    assert unmatched.groupby("year").size().to_dict() == {**UNMATCHED_PER_YEAR, **later}
    assert set(unmatched.loc[unmatched["year"] >= "2017-18", "ecode"]) == {"E6803"}


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
