"""Revenue outturn 2010-11 … 2024-25 from every source: coverage, hand-checked figures, precedence.

Hand-checked numbers come from the published files (cell / record named beside each),
not from the readers.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from wcc_analysis.ingest.public import outturn_rsx, outturn_timeseries
from wcc_analysis.ingest.public.outturn_common import RELEASE_RANK
from wcc_analysis.ingest.public.revenue_outturn import (
    ALL_SOURCES_COLUMNS,
    COLUMNS,
    TOTAL_BLOCK,
    combine,
    load_revenue_outturn,
    load_revenue_outturn_all_sources,
    source_files,
)

CULTURAL, ENVIRONMENTAL, CENTRAL = (
    "Cultural and related services", "Environmental and regulatory services", "Central services")
WORCESTER, BROMSGROVE, WATFORD, AMBER_VALLEY = "E07000237", "E07000234", "E07000103", "E07000032"
V31 = "MHCLG Revenue Outturn time series v3.1"
V23 = "MHCLG Revenue Outturn time series v2.3"

YEARS = ["2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2017-18", "2018-19", "2019-20", "2020-21",
         "2021-22", "2022-23", "2023-24", "2024-25"]

#: (cultural, environmental, central), £ thousand, looked up in the raw files.
HAND_CHECKED = {
    # uk_council_finance_2024_25.json record 222 (2,852,000 £ …) = RSX_LA_Data_2024-25 row 409
    (WORCESTER, "2024-25"): (2852, 4746, 3295),
    # council_spending.json record 1974 (year_ending 202003)
    (WORCESTER, "2019-20"): (2550, 3386, 3831),
    # council_spending.json and RS_2017-18_data_by_LA.xlsx row 311
    (WORCESTER, "2017-18"): (3320, 2276, 2480),
    # uk_council_finance_2024_25.json record 219 = RSX_LA_Data_2024-25 row 46
    (BROMSGROVE, "2024-25"): (362, 5125, 3120),
    # council_spending.json record 1971 (202003)
    (BROMSGROVE, "2019-20"): (1529, 2759, 6128),
    # council_spending.json record 1420 (202103)
    (WATFORD, "2020-21"): (4206, 7220, 7909),
    # uk_council_finance_2024_25.json record 127
    (WATFORD, "2024-25"): (4108, 7561, 9988),
}

#: Per year: rows, authorities (E-codes), councils (classes SD/UA/MD/L/SC), shire districts, and councils
#: with no figure at all (not submitted to any source).
COUNTS = {
    "2010-11": (5328, 444, 353, 201, 0), "2011-12": (5772, 444, 353, 201, 0),
    "2012-13": (5772, 444, 353, 201, 0), "2013-14": (6216, 444, 353, 201, 0),
    "2014-15": (6216, 444, 353, 201, 0), "2017-18": (6230, 445, 353, 201, 0),
    "2018-19": (6216, 444, 353, 201, 0), "2019-20": (6104, 436, 343, 192, 0),
    "2020-21": (6048, 432, 339, 188, 0), "2021-22": (5964, 426, 333, 181, 0),
    "2022-23": (5964, 426, 333, 181, 0), "2023-24": (5754, 411, 317, 164, 13),
    "2024-25": (5740, 410, 317, 164, 9),
}
NOT_SUBMITTED_2024_25 = {"Slough UA", "Cumberland", "Amber Valley", "North West Leicestershire", "Ashfield",
                         "Guildford", "North Warwickshire", "Warwick", "Birmingham"}


@pytest.fixture(scope="module")
def all_sources() -> pd.DataFrame:
    return load_revenue_outturn_all_sources()


@pytest.fixture(scope="module")
def table(all_sources) -> pd.DataFrame:
    return load_revenue_outturn()


def cell(frame: pd.DataFrame, ons: str, year: str, block: str) -> pd.Series:
    rows = frame[(frame["ons_code"] == ons) & (frame["year"] == year) & (frame["rs_block"] == block)]
    assert len(rows) == 1, (ons, year, block, len(rows))
    return rows.iloc[0]


def test_columns(table, all_sources):
    assert list(table.columns) == COLUMNS
    assert list(all_sources.columns) == ALL_SOURCES_COLUMNS
    assert str(table["certified"].dtype) == "boolean"
    assert table["n_sources"].dtype == "int64"


def test_years_covered_and_the_gap(table, all_sources):
    assert sorted(table["year"].unique()) == YEARS
    for frame in (table, all_sources):
        assert not frame["year"].isin(["2015-16", "2016-17"]).any()  # in no source


@pytest.mark.parametrize(("ons", "year"), sorted(HAND_CHECKED))
def test_hand_checked(table, ons, year):
    for block, expected in zip((CULTURAL, ENVIRONMENTAL, CENTRAL), HAND_CHECKED[(ons, year)], strict=True):
        row = cell(table, ons, year, block)
        assert row["net_expenditure_gbp_thousands"] == expected, (ons, year, block)
        assert row["status"] == "published"


def test_worcester_every_year(table):
    w = table[table["ons_code"] == WORCESTER]
    assert sorted(w["year"].unique()) == YEARS
    assert set(w["ecode"]) == {"E1837"} and set(w["authority_class"]) == {"SD"}
    assert w["net_expenditure_gbp_thousands"].notna().all()
    # 2024-25: v3.1 for the blocks, the RSX 2024-25 second release for the total (v3.1 publishes none)
    w25 = w[w["year"] == "2024-25"].set_index("rs_block")
    assert set(w25.drop(index=TOTAL_BLOCK)["source"]) == {V31}
    assert w25.loc[TOTAL_BLOCK, "source"] == "RSX 2024-25 workbook"
    assert w25.loc[TOTAL_BLOCK, "net_expenditure_gbp_thousands"] == 16965  # RSX row 409
    assert w25["certified"].all()  # "Y" in RSX 2024-25 (second release), the same figures


def test_rsx_total_expenditure_and_income(table):
    # RSX_LA_Data_2024-25_data_by_LA.ods, sheet RSX_LA_Data_202425, row 409 (Worcester), row 46 (Bromsgrove):
    # "Cultural and related services - Total Expenditure (C3 = C1 + C2)" / "- Total Income (C6 = C4 + C5)"
    w = cell(table, WORCESTER, "2024-25", CULTURAL)
    assert (w["total_expenditure_gbp_thousands"], w["total_income_gbp_thousands"]) == (5110, 2258)
    b = cell(table, BROMSGROVE, "2024-25", CULTURAL)
    assert (b["total_expenditure_gbp_thousands"], b["total_income_gbp_thousands"]) == (699, 337)
    # no RSX workbook before 2022-23
    assert table.loc[table["year_start"] < 2022, "total_expenditure_gbp_thousands"].isna().all()


def test_worcester_2024_25_in_the_rsx_workbook_as_read(all_sources):
    rsx = all_sources[(all_sources["source"] == "RSX 2024-25 workbook") & (all_sources["ons_code"] == WORCESTER)]
    row = rsx.set_index("rs_block").loc[CULTURAL]
    assert (row["net_expenditure_gbp_thousands"], row["source_row"], row["release"]) == (2852, 409, "second release")


def test_not_submitted_is_missing_never_zero(table):
    amber = table[(table["ons_code"] == AMBER_VALLEY) & (table["year"] == "2024-25")]
    assert len(amber) == 14  # the council stays, every block
    assert amber["net_expenditure_gbp_thousands"].isna().all()
    assert set(amber["status"]) == {"missing: not submitted"}
    assert (amber["n_sources"] == 0).all() and amber["max_abs_difference_gbp_thousands"].isna().all()
    # it did submit 2023-24: cultural £4,937,000 in uk_council_finance_2023_24.json record 72
    assert cell(table, AMBER_VALLEY, "2023-24", CULTURAL)["net_expenditure_gbp_thousands"] == 4937
    missing = table[(table["year"] == "2024-25") & table["net_expenditure_gbp_thousands"].isna()]
    assert set(missing["authority_name"]) == NOT_SUBMITTED_2024_25
    assert missing.loc[missing["authority_class"] == "SD", "ecode"].nunique() == 6
    missing_2324 = table[(table["year"] == "2023-24") & table["net_expenditure_gbp_thousands"].isna()]
    assert missing_2324.loc[missing_2324["authority_class"] == "SD", "ecode"].nunique() == 11
    assert (table.loc[table["status"] != "published", "net_expenditure_gbp_thousands"].isna()).all()


def test_no_lower_source_has_a_figure_where_v31_says_not_submitted(all_sources, table):
    """The workbooks agree with v3.1's 'not submitted' (2023-24: 14, 2024-25: 9 authorities)."""
    for year, n in (("2023-24", 14), ("2024-25", 9)):
        rows = all_sources[all_sources["year"] == year]
        v31 = rows[(rows["source"] == V31) & (rows["status"] == "missing: not submitted")]
        assert v31["ecode"].nunique() == n
        others = rows[(rows["source"] != V31) & rows["ecode"].isin(v31["ecode"])]
        assert others["net_expenditure_gbp_thousands"].isna().all()
        assert set(others["status"]) == {"missing: not submitted"}
    assert not table["status"].str.startswith("published;").any()


def test_watford_2023_24_precedence(all_sources, table):
    rows = all_sources[(all_sources["ons_code"] == WATFORD) & (all_sources["year"] == "2023-24")
                       & (all_sources["rs_block"] == CULTURAL)].set_index("source")
    # v3.1 record 127: 5,143,000 £; v2.3 record 124: 5,143; RS 2023-24 (second release) row 384: 5,143;
    # RSX 2023-24 (first release) row 382: 4,007
    assert rows["net_expenditure_gbp_thousands"].to_dict() == {
        V31: 5143, V23: 5143, "RS 2023-24 workbook": 5143, "RSX 2023-24 workbook": 4007}
    assert rows["chosen"].to_dict() == {V31: True, V23: False, "RS 2023-24 workbook": False,
                                        "RSX 2023-24 workbook": False}
    chosen = cell(table, WATFORD, "2023-24", CULTURAL)
    assert chosen["net_expenditure_gbp_thousands"] == 5143
    assert (chosen["source"], chosen["release"]) == (V31, "time series v3.1")
    assert chosen["n_sources"] == 4 and chosen["max_abs_difference_gbp_thousands"] == 1136
    # RSX's 5,151 − 1,144 = 4,007 describe the superseded first-release return: not attached to 5,143
    assert np.isnan(chosen["total_expenditure_gbp_thousands"]) and np.isnan(chosen["total_income_gbp_thousands"])
    assert chosen["certified"]  # "Y" beside the same 5,143 in the RS 2023-24 second release


def test_v23_outranks_a_first_release_without_v31(all_sources, table):
    """Drop v3.1: v2.3's 5,143 still beats the RSX first release's 4,007."""
    without = all_sources[all_sources["source"] != V31].drop(columns="chosen")
    chosen = cell(combine(without), WATFORD, "2023-24", CULTURAL)
    assert (chosen["net_expenditure_gbp_thousands"], chosen["source"]) == (5143, V23)


def test_pounds_converted_to_thousands():
    path = next(p for p in outturn_timeseries.v31_paths() if p.name.endswith("2023_24.json"))
    published = json.loads(path.read_text())["councils"][126]  # record 127
    assert published["ons_code"] == WATFORD and published["services_net_gbp"]["Cultural & Related"] == 5143000
    rows = outturn_timeseries.read_timeseries_v31(path)
    watford = rows[(rows["ecode"] == "E1939") & (rows["rs_block"] == CULTURAL)]
    assert watford["net_expenditure_gbp_thousands"].tolist() == [5143.0]
    assert set(rows["source_row"][rows["ecode"] == "E1939"]) == {127}


def test_v31_omitted_block_is_a_published_zero(all_sources):
    """Every block v3.1 omits for a submitted council is 0 in the RSX 2024-25 workbook (checked on all)."""
    path = next(p for p in outturn_timeseries.v31_paths() if p.name.endswith("2024_25.json"))
    councils = json.loads(path.read_text())["councils"]
    omitted = [(c["lgf_code"], block) for c in councils if c["status"] == "submitted"
               for name, block in outturn_timeseries.V31_BLOCKS.items() if name not in c["services_net_gbp"]]
    assert len(omitted) == 2321
    rsx = all_sources[all_sources["source"] == "RSX 2024-25 workbook"].set_index(["ecode", "rs_block"])
    values = rsx["net_expenditure_gbp_thousands"].reindex(omitted)
    assert values.notna().all() and (values == 0).all()
    # a few councils by hand: Worcester, Bromsgrove and Watford publish no education (RSX C7 = 0)
    v31 = all_sources[all_sources["source"] == V31]
    for ons in (WORCESTER, BROMSGROVE, WATFORD):
        assert cell(v31, ons, "2024-25", "Education services")["net_expenditure_gbp_thousands"] == 0
        assert cell(v31, ons, "2024-25", "Police services")["status"] == "published"


def test_counts_per_year(table):
    for year, (rows, authorities, councils, districts, missing) in COUNTS.items():
        t = table[table["year"] == year]
        not_o = t[t["authority_class"] != "O"]
        no_figure = not_o.groupby("ecode")["net_expenditure_gbp_thousands"].apply(lambda s: s.isna().all())
        assert (len(t), t["ecode"].nunique(), not_o["ecode"].nunique(),
                t.loc[t["authority_class"] == "SD", "ecode"].nunique(), int(no_figure.sum())) == (
                    rows, authorities, councils, districts, missing), year


def test_sources_and_releases(all_sources):
    releases = all_sources.drop_duplicates("source").set_index("source")["release"].to_dict()
    assert releases == {
        V31: "time series v3.1", V23: "time series v2.3",
        "RS 2010-11 workbook": "revised", "RS 2011-12 workbook": "revised", "RS 2012-13 workbook": "revised",
        "RS 2013-14 workbook": "revised", "RS 2014-15 workbook": "final", "RS 2017-18 workbook": "final",
        # the front page: "2023-24 Outturn, England - Second release", 12 December 2024
        "RS 2023-24 workbook": "second release",
        "RSX 2022-23 workbook": "second release", "RSX 2023-24 workbook": "first release",
        "RSX 2024-25 workbook": "second release",
    }
    assert (all_sources["precedence"] == all_sources["release"].map(RELEASE_RANK)).all()
    years = all_sources.groupby("source")["year"].unique().map(sorted).to_dict()
    assert years[V23] == YEARS[5:12] and years[V31] == YEARS[10:]


def test_one_chosen_row_per_cell(all_sources, table):
    chosen = all_sources[all_sources["chosen"]]
    assert not chosen.duplicated(["ecode", "year", "rs_block"]).any()
    assert len(chosen) == len(table)
    assert not all_sources.duplicated(["ecode", "year", "rs_block", "source"]).any()
    merged = table.merge(chosen, on=["ecode", "year", "rs_block"], suffixes=("", "_src"))
    same = (merged["net_expenditure_gbp_thousands"] == merged["net_expenditure_gbp_thousands_src"]) | (
        merged["net_expenditure_gbp_thousands"].isna() & merged["net_expenditure_gbp_thousands_src"].isna())
    assert same.all() and (merged["source"] == merged["source_src"]).all()


def test_chosen_is_the_best_source_with_a_figure(all_sources):
    has = all_sources[all_sources["net_expenditure_gbp_thousands"].notna()]
    best = has.groupby(["ecode", "year", "rs_block"])["precedence"].min()
    chosen = has[has["chosen"]].set_index(["ecode", "year", "rs_block"])["precedence"]
    assert (chosen.reindex(best.index) == best).all()


def test_differences_between_sources(table):
    """Cells where the sources differ by more than rounding (£0.5k), per year — revised returns."""
    multi = table[table["n_sources"] > 1]
    assert ((multi["max_abs_difference_gbp_thousands"] == 0) | (multi["max_abs_difference_gbp_thousands"] > 0)).all()
    beyond = multi[multi["max_abs_difference_gbp_thousands"] > 0.5]
    assert beyond.groupby("year").size().to_dict() == {"2017-18": 31, "2022-23": 53, "2023-24": 259}
    # 2024-25: v3.1 rounds to whole £k, the RSX second release publishes decimals (e.g. -9.5 → -10)
    y25 = multi[multi["year"] == "2024-25"]["max_abs_difference_gbp_thousands"]
    assert y25.max() == 0.5 and (y25 > 0).sum() == 485
    largest = beyond.sort_values("max_abs_difference_gbp_thousands").iloc[-1]
    assert (largest["authority_name"], largest["year"], largest["rs_block"]) == (
        "Greater Manchester Combined Authority", "2023-24", "Education services")
    assert largest["max_abs_difference_gbp_thousands"] == 100213  # RSX first release; 0 in every later source
    single = table[table["n_sources"] == 1]
    assert single["max_abs_difference_gbp_thousands"].isna().all()


def test_total_missing_where_only_v31_has_the_council(table):
    """v3.1 publishes no total service expenditure: four 2022-23 returns came too late for v2.3 and RSX."""
    rows = table[(table["year"] == "2022-23") & table["net_expenditure_gbp_thousands"].isna()]
    assert set(rows["rs_block"]) == {TOTAL_BLOCK}
    assert set(rows["authority_name"]) == {"High Peak", "North West Leicestershire", "Woking BC", "Birmingham"}
    blocks = table[(table["year"] == "2022-23") & table["ecode"].isin(rows["ecode"]) & (table["rs_block"] != TOTAL_BLOCK)]
    assert blocks["net_expenditure_gbp_thousands"].notna().all() and set(blocks["source"]) == {V31}


def test_v23_classes_and_codes(all_sources):
    v23 = all_sources[all_sources["source"] == V23].drop_duplicates(["ecode", "year"])
    entity = v23["ons_code"].fillna("").str[:3].map({"E06": "UA", "E07": "SD", "E08": "MD", "E09": "L",
                                                      "E10": "SC"}).fillna("O")
    assert (v23["authority_class"] == entity).all()
    assert v23["ecode"].notna().all()
    lee_valley = v23[v23["authority_name"] == "Lee Valley Regional Park Authority"]
    assert set(lee_valley["ecode"]) == {"E6803"} and lee_valley["ons_code"].isna().all()
    gla = all_sources[all_sources["ecode"] == "E5100"]
    assert set(gla["ons_code"]) == {"E61000001"}  # the lookup's code; the sources publish the region's E12000007


def test_source_files_are_in_the_project():
    files = source_files()
    assert len(files) == 7 + 3 + 1 + 3 + 1  # RS, RSX, v2.3, v3.1, lookup
    assert all(f.exists() and "data/raw/public" in f.as_posix() for f in files)
    assert "../shared" not in " ".join(f.as_posix() for f in files)
    assert set(outturn_rsx.rsx_workbooks()) <= set(files)


def test_builds_in_a_few_seconds():
    from wcc_analysis.ingest.public import revenue_outturn

    revenue_outturn._read_sources_cached.cache_clear()
    start = time.perf_counter()
    load_revenue_outturn()
    assert time.perf_counter() - start < 20  # ~3 s on the development machine; generous for CI
