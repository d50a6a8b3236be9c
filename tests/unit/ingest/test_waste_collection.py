"""DEFRA local authority collected waste (Table 3, 2010-11 … 2022-23) and fly-tipping incidents (2012-13 …
2022-23), read as published (.ods) — hand-checked figures, authority-code mapping, bad inputs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import fly_tipping as fly_module
from wcc_analysis.ingest.public import waste_collection as waste_module
from wcc_analysis.ingest.public.authorities import load_authorities
from wcc_analysis.ingest.public.fly_tipping import load_fly_tipping
from wcc_analysis.ingest.public.mid_year_population import read_sheets, sheet_label
from wcc_analysis.ingest.public.recycling import load_recycling
from wcc_analysis.ingest.public.waste_collection import (
    SOURCE_UNMAPPED,
    load_waste_collection,
    unmapped_authorities,
)

WORCESTER, BROMSGROVE = "E07000237", "E07000234"
YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2010, 2023)]

#: Hand-checked in LA_collection.ods, sheet Table_3 (the rate is published as a fraction to 3 decimals).
WORCESTER_RATES = {"2010-11": 0.362, "2018-19": 0.366, "2019-20": 0.366, "2020-21": 0.353, "2021-22": 0.363,
                   "2022-23": 0.350}
BROMSGROVE_RATES = {"2010-11": 0.405, "2021-22": 0.418, "2022-23": 0.412}


@pytest.fixture(scope="module")
def waste() -> pd.DataFrame:
    return load_waste_collection()


@pytest.fixture(scope="module")
def fly() -> pd.DataFrame:
    return load_fly_tipping()


def _by(table: pd.DataFrame, code: str, column: str) -> dict[str, float]:
    return table[table["ons_code"] == code].set_index("year")[column].to_dict()


# --- waste collection: the real file ---------------------------------------------------------------------

def test_waste_collection_shape(waste):
    assert list(waste.columns) == waste_module.COLUMNS
    assert sorted(waste["year"].unique()) == YEARS
    assert waste.groupby("year").size()[["2010-11", "2022-23"]].tolist() == [358, 333]
    assert len(waste) == 4502
    assert set(waste["authority_type"]) == {"Collection", "Disposal", "Unitary"}  # England/region "Total" rows left out
    assert waste["year_start"].dtype == "int64" and (waste["year_start"] == waste["year"].str[:4].astype(int)).all()
    assert waste["household_recycling_rate"].between(0, 1).all()
    assert set(waste["source_edition"]) == {"2022-23 revised, March 2024"}
    # "-" (not available) is missing, never 0: landfill is published for disposal and unitary authorities only
    collection = waste["authority_type"] == "Collection"
    assert waste.loc[collection, "municipal_waste_landfilled_rate"].isna().all()
    assert waste.loc[~collection, "municipal_waste_landfilled_rate"].notna().all()
    assert collection.sum() == 2905


def test_worcester_and_bromsgrove_hand_checked(waste):
    rates = _by(waste, WORCESTER, "household_recycling_rate")
    assert {y: rates[y] for y in WORCESTER_RATES} == WORCESTER_RATES
    assert sorted(rates) == YEARS
    assert _by(waste, WORCESTER, "residual_household_waste_kg_per_household")["2022-23"] == 431.4
    assert _by(waste, WORCESTER, "household_waste_collected_kg_per_person")["2022-23"] == 301.8
    row = waste[(waste["ons_code"] == WORCESTER) & (waste["year"] == "2022-23")].iloc[0]
    assert (row["authority_name"], row["authority_type"], row["ons_code_source"]) == (
        "Worcester City Council", "Collection", "published")
    assert row["source_row"] == 4630
    rates = _by(waste, BROMSGROVE, "household_recycling_rate")
    assert {y: rates[y] for y in BROMSGROVE_RATES} == BROMSGROVE_RATES
    assert _by(waste, BROMSGROVE, "residual_household_waste_kg_per_household")["2022-23"] == 501.5


def test_households_follow_from_defra_tonnage_and_residual_per_household(waste):
    # LA_collection.ods Table_1, Worcester 2022-23: household total waste 31,450 t, not sent for recycling (residual)
    # 20,440 t; Table_3 residual household waste 431.4 kg per household → 20,440 × 1000 / 431.4 = 47,380.6 households
    row = waste[(waste["ons_code"] == WORCESTER) & (waste["year"] == "2022-23")].iloc[0]
    assert (row["household_waste_tonnes"], row["residual_household_waste_tonnes"]) == (31_450.0, 20_440.0)
    assert row["households"] == pytest.approx(20_440_000 / 431.4) and round(row["households"]) == 47_381
    # Table 1 starts in 2014-15: no tonnage, so no households, before it (missing, never 0)
    assert waste.loc[waste["year"] < "2014-15", "households"].isna().all()
    assert waste.groupby("year")["households"].count()[["2014-15", "2022-23"]].tolist() == [352, 333]
    # a household count grows slowly: 2021-22 → 2022-23 within 0 % and +4 % for every authority that has both
    by = waste.dropna(subset=["ons_code", "households"]).pivot_table(index="ons_code", columns="year", values="households")
    growth = (by["2022-23"] / by["2021-22"]).dropna()
    assert len(growth) > 300 and growth.between(0.999, 1.04).all()


def test_agrees_with_the_2021_22_reader(waste):
    """The 2021-22 file (unrounded rate) and this edition (3 decimals) agree, except Chelmsford, whose
    2021-22 recycling DEFRA revised in this edition (sheet Data_Revisions)."""
    old = load_recycling(known_codes=frozenset(load_authorities()["ons_code"])).set_index("ons_code")
    assert old.loc[WORCESTER, "household_recycling_rate"] == pytest.approx(0.362631071471616)
    new = waste[waste["year"] == "2021-22"].dropna(subset=["ons_code"]).set_index("ons_code")
    both = old.index.intersection(new.index)
    # 309 districts in the old file: all but the members of joint bodies (Somerset x4, Cambridge, South
    # Cambridgeshire) and Babergh (reported with Mid Suffolk); Buckinghamshire by its name (E10000002 → E06000060)
    assert len(both) == 302 and "E06000060" in both
    assert set(old.index) - set(both) == {"E07000187", "E07000188", "E07000189", "E07000246", "E07000008",
                                          "E07000012", "E07000200"}
    diff = (new.loc[both, "household_recycling_rate"] - old.loc[both, "household_recycling_rate"]).abs()
    assert diff.drop("E07000070").max() < 0.001
    assert (new.loc["E07000070", "household_recycling_rate"], round(old.loc["E07000070", "household_recycling_rate"], 3)
            ) == (0.533, 0.418)


def test_authority_codes_mapped(waste):
    assert waste["ons_code_source"].value_counts().to_dict() == {
        "published": 4392, "unmapped": 92, "former code": 15, "name match": 3}
    assert not waste.dropna(subset=["ons_code"]).duplicated(["ons_code", "year"]).any()
    codes = set(load_authorities()["ons_code"])
    assert waste["ons_code"].dropna().isin(codes).all()
    at = waste.set_index(["ons_code_published", "year"])
    # Buckinghamshire Council (from 2020-21) is published under the former county code
    assert at.loc[("E10000002", "2020-21"), "ons_code"] == "E06000060"
    assert at.loc[("E10000002", "2019-20"), "ons_code"] == "E10000002"  # the county council, a disposal authority
    # recoded authorities: the lookup's former-gss-codes
    assert at.loc[("E07000097", "2015-16"), "ons_code"] == "E07000242"  # East Hertfordshire
    assert at.loc[("E06000048", "2017-18"), "ons_code"] == "E06000057"  # Northumberland
    unmapped = unmapped_authorities(waste)
    assert len(unmapped) == 9 and unmapped["rows"].sum() == 92
    assert set(unmapped["ons_code_published"]) == {
        "E50000001", "E50000002", "E50000003", "E50000004", "E50000005", "E50000006", "E50000008", "E50000009",
        "E07000150 / E07000153"}
    assert waste.loc[waste["ons_code_source"] == SOURCE_UNMAPPED, "ons_code"].isna().all()
    # footnote markers are not part of the name
    assert "Dorset County Council" in set(waste["authority_name"])


# --- fly-tipping: the real file ---------------------------------------------------------------------------

def test_fly_tipping_shape_and_hand_checks(fly):
    assert list(fly.columns) == fly_module.COLUMNS
    assert sorted(fly["year"].unique()) == YEARS[2:]
    assert fly.groupby("year").size()[["2012-13", "2022-23"]].tolist() == [326, 309]
    assert (fly["ons_code_source"] == "published").all() and fly["ons_code"].notna().all()
    worcester = fly[fly["ons_code"] == WORCESTER].set_index("year")
    assert worcester.loc["2022-23", "incidents"] == 340
    assert worcester.loc["2021-22", "incidents"] == 352
    assert worcester.loc["2012-13", "incidents"] == 288
    assert worcester.loc["2022-23", "population_published"] == 104_120  # DEFRA's ONS vintage, as published
    assert worcester.loc["2022-23", "incidents_per_1000_published"] == pytest.approx(340 / 104_120 * 1000)
    assert worcester.loc["2022-23", "reporting_basis"] == "All incidents"
    assert pd.isna(worcester.loc["2018-19", "population_published"])  # published from 2019-20 only
    assert worcester.loc["2018-19", "authority_name"] == "Worcester"  # published with a trailing space
    bromsgrove = fly[fly["ons_code"] == BROMSGROVE].set_index("year")["incidents"]
    assert (bromsgrove["2022-23"], bromsgrove["2021-22"]) == (1249, 1261)


def test_fly_tipping_not_available_is_missing_not_zero(fly):
    assert fly["incidents"].isna().sum() == 20  # ":" in the sheet
    at = fly.set_index(["ons_code", "year"])["incidents"]
    assert pd.isna(at[("E06000018", "2012-13")])  # Nottingham reported a total only to DEFRA's estimate
    assert at[("E06000053", "2022-23")] == 0  # Isles of Scilly: a real zero


# --- small files made from the published ones ------------------------------------------------------------

@cache
def _published(path: Path, sheet: str) -> pd.DataFrame:
    return read_sheets(path, [sheet])[sheet]


def _small(path: Path, sheet: str, header: int, keep) -> pd.DataFrame:
    """The title lines and header of ``sheet`` and the data rows for which ``keep(row)`` is true, then a blank
    row and a note (as in the published sheets)."""
    raw = _published(path, sheet)
    data = raw.iloc[header + 1:]
    data = data[data.apply(keep, axis=1)]
    notes = pd.DataFrame([[None] * raw.shape[1], ["Notes:"] + [None] * (raw.shape[1] - 1)], columns=raw.columns)
    return pd.concat([raw.iloc[: header + 1], data, notes], ignore_index=True)


def _col(frame: pd.DataFrame, header: int, start: str) -> int:
    labels = [sheet_label(v) for v in frame.iloc[header]]
    return next(i for i, label in enumerate(labels) if label.lower().startswith(start.lower()))


def _ods(tmp_path: Path, sheets: dict[str, pd.DataFrame], name: str) -> Path:
    path = tmp_path / name
    with pd.ExcelWriter(path, engine="odf") as writer:
        for sheet, frame in sheets.items():
            frame.to_excel(writer, sheet_name=sheet, header=False, index=False)
    return path


def _table3() -> pd.DataFrame:
    """Rows 1-4 as published (header row 4); row 5 Bromsgrove 2021-22, 6 Worcester 2021-22, 7 Bromsgrove 2022-23,
    8 Total England 2022-23 (where DEFRA puts it), 9 Worcester 2022-23, then a blank row and a note."""
    def keep(row):
        return row.iloc[0] in ("2021-22", "2022-23") and (row.iloc[2] in (BROMSGROVE, WORCESTER)
                                                         or (row.iloc[0] == "2022-23" and row.iloc[1] == "Total England"))
    return _small(waste_module.default_path(), "Table_3", 3, keep)


def _waste_error(tmp_path: Path, frame: pd.DataFrame, sheet: str = "Table_3") -> InputDataError:
    path = _ods(tmp_path, {sheet: frame}, "la_collection.ods")
    with pytest.raises(InputDataError) as info:
        load_waste_collection(path)
    return info.value


RATE = "Percentage of household waste sent for reuse, recycling or composting"
RESIDUAL = "Residual household waste per household"


def test_small_table3_reads(tmp_path):
    frame = _table3()
    frame.iloc[6, _col(frame, 3, RESIDUAL)] = "[x]"
    table = load_waste_collection(_ods(tmp_path, {"Table_3": frame}, "la_collection.ods"))
    assert table["ons_code"].tolist() == [BROMSGROVE, WORCESTER, BROMSGROVE, WORCESTER]  # England row left out
    assert table["source_row"].tolist() == [5, 6, 7, 9]
    assert table["household_recycling_rate"].tolist() == [0.418, 0.363, 0.412, 0.350]
    assert table["municipal_waste_landfilled_rate"].isna().all()  # "-": missing, not 0
    residual = table["residual_household_waste_kg_per_household"]
    assert pd.isna(residual.iloc[2]) and residual.iloc[3] == 431.4  # "[x]": missing, not 0
    assert table["households"].isna().all()  # no Table_1 in this workbook: no tonnage, no households (not 0)


def _table1() -> pd.DataFrame:
    """Table_1 as published (header row 4) with Worcester and Bromsgrove 2022-23 only."""
    def keep(row):
        return row.iloc[0] == "2022-23" and row.iloc[2] in (BROMSGROVE, WORCESTER)
    return _small(waste_module.default_path(), "Table_1", 3, keep)


def test_small_table1_gives_households(tmp_path):
    table1 = _table1()
    residual = _col(table1, 3, "Household - waste not sent for recycling")
    bromsgrove = next(i for i in range(4, len(table1)) if table1.iloc[i, 2] == BROMSGROVE)
    table1.iloc[bromsgrove, residual] = "-"  # not available: no households, never 0
    table = load_waste_collection(_ods(tmp_path, {"Table_3": _table3(), "Table_1": table1}, "la_collection.ods"))
    latest = table[table["year"] == "2022-23"].set_index("ons_code")
    assert latest.loc[WORCESTER, "households"] == pytest.approx(20_440_000 / 431.4)
    assert pd.isna(latest.loc[BROMSGROVE, "households"]) and pd.isna(latest.loc[BROMSGROVE, "residual_household_waste_tonnes"])
    assert table.loc[table["year"] == "2021-22", "households"].isna().all()  # Table_1 rows only for 2022-23 here
    table1.iloc[3, residual] = "Residual tonnes"  # a header DEFRA did not publish: named, not guessed
    with pytest.raises(InputDataError, match="Household - waste not sent for recycling") as info:
        load_waste_collection(_ods(tmp_path, {"Table_3": _table3(), "Table_1": table1}, "la_collection.ods"))
    assert info.value.sheet == "Table_1"


def test_waste_bad_inputs(tmp_path):
    error = _waste_error(tmp_path, _table3(), sheet="Table_3a")
    assert (error.file, error.sheet) == ("la_collection.ods", "Table_3") and "'Table_3a'" in str(error)

    frame = _table3()
    frame.iloc[3, _col(frame, 3, "Authority type")] = "Kind"
    error = _waste_error(tmp_path, frame)
    assert "header row not found" in str(error) and "'Authority type'" in str(error)

    frame = _table3()
    frame.iloc[3, _col(frame, 3, RESIDUAL)] = "Residual waste"
    error = _waste_error(tmp_path, frame)
    assert (error.row, error.column) == (4, RESIDUAL) and "columns found" in str(error)

    frame = _table3()
    rate = _col(frame, 3, RATE)
    rate_header = sheet_label(frame.iloc[3, rate])
    frame.iloc[5, rate] = "about a third"
    error = _waste_error(tmp_path, frame)
    assert (error.file, error.sheet, error.row, error.column) == ("la_collection.ods", "Table_3", 6, rate_header)
    assert "'about a third'" in str(error)

    frame = _table3()
    frame.iloc[8, rate] = 35.0  # a per cent, not the fraction the sheet publishes
    error = _waste_error(tmp_path, frame)
    assert (error.row, error.column) == (9, rate_header) and "range" in str(error) and "fraction" in str(error)

    frame = _table3()
    residual = _col(frame, 3, RESIDUAL)
    frame.iloc[8, residual] = -431.4
    error = _waste_error(tmp_path, frame)
    assert (error.row, error.column) == (9, sheet_label(frame.iloc[3, residual])) and "at least 0" in str(error)

    frame = _table3()
    frame.iloc[6, 0] = "2021-22"  # Bromsgrove 2022-23 now says 2021-22: twice in one year
    error = _waste_error(tmp_path, frame)
    assert (error.row, error.column) == (7, "ONS code") and "rows 5 and 7" in str(error)

    frame = _table3()
    frame.iloc[8, 0] = "2022-24"
    error = _waste_error(tmp_path, frame)
    assert (error.row, error.column) == (9, "Year") and "'2022-24'" in str(error)


def _incidents() -> pd.DataFrame:
    """Rows 1-3 as published (header row 3); row 4 Bromsgrove 2021-22, 5 Worcester 2021-22, 6 England 2022-23
    (first in its year, as published), 7 Bromsgrove 2022-23, 8 Worcester 2022-23, then a blank row and a note."""
    def keep(row):
        return row.iloc[0] in ("2021-22", "2022-23") and (row.iloc[1] in (BROMSGROVE, WORCESTER)
                                                         or (row.iloc[0] == "2022-23" and row.iloc[3] == "*Total England"))
    return _small(fly_module.default_path(), "LA_incidents", 2, keep)


def _fly_error(tmp_path: Path, frame: pd.DataFrame, sheet: str = "LA_incidents") -> InputDataError:
    path = _ods(tmp_path, {sheet: frame}, "flytipping.ods")
    with pytest.raises(InputDataError) as info:
        load_fly_tipping(path)
    return info.value


def test_small_incidents_read(tmp_path):
    frame = _incidents()
    frame.iloc[4, _col(frame, 2, "Total Incidents")] = ":"
    table = load_fly_tipping(_ods(tmp_path, {"LA_incidents": frame}, "flytipping.ods"))
    assert table["ons_code"].tolist() == [BROMSGROVE, WORCESTER, BROMSGROVE, WORCESTER]
    incidents = table["incidents"]
    assert pd.isna(incidents.iloc[1]) and incidents.iloc[[0, 2, 3]].tolist() == [1261, 1249, 340]  # ":" is missing


def test_fly_tipping_bad_inputs(tmp_path):
    error = _fly_error(tmp_path, _incidents(), sheet="LA_actions")
    assert (error.file, error.sheet) == ("flytipping.ods", "LA_incidents") and "'LA_actions'" in str(error)

    frame = _incidents()
    frame.iloc[2, _col(frame, 2, "ONS Code")] = "Code"
    assert "header row not found" in str(_fly_error(tmp_path, frame))

    incidents = _col(_incidents(), 2, "Total Incidents")
    for value, text in (("lots", "'lots'"), (-340, "at least 0"), (340.5, "not a whole number")):
        frame = _incidents()
        frame.iloc[7, incidents] = value
        error = _fly_error(tmp_path, frame)
        assert (error.file, error.sheet, error.row, error.column) == ("flytipping.ods", "LA_incidents", 8,
                                                                      "Total Incidents"), value
        assert text in str(error)

    frame = _incidents()
    frame.iloc[7, _col(frame, 2, "Incidents per 1,000")] = 4.0
    error = _fly_error(tmp_path, frame)
    assert (error.row, error.column) == (8, "Incidents per 1,000 people") and "340 / 104120" in str(error)

    frame = _incidents()
    frame.iloc[6, 1] = WORCESTER  # Bromsgrove's 2022-23 row now says Worcester
    error = _fly_error(tmp_path, frame)
    assert (error.row, error.column) == (8, "ONS Code") and "duplicate" in str(error)
