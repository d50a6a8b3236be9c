"""Readers of the public performance and detailed-spend sources: RO detail lines, DEFRA recycling, CT collection and receipts — hand-checked figures and bad inputs."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import ct_collection as ct_collection_module
from wcc_analysis.ingest.public import ct_receipts as ct_receipts_module
from wcc_analysis.ingest.public import recycling as recycling_module
from wcc_analysis.ingest.public import ro_detail as ro_detail_module

WORCESTER, BROMSGROVE, HYNDBURN, BURNLEY = "E07000237", "E07000234", "E07000120", "E07000117"


KNOWN = frozenset({WORCESTER, BROMSGROVE, HYNDBURN, BURNLEY, "E06000001"})


def _ro_value(ro: pd.DataFrame, code: str, year: str, form: str, line: str, column: str = "net_expenditure_gbp_thousands"):
    row = ro[(ro["ons_code"] == code) & (ro["year"] == year) & (ro["form"] == form) & (ro["line"] == line)]
    assert len(row) == 1
    return row[column].iloc[0]


def test_ro_detail_shape_and_burnley_hand_checks(ro):
    assert list(ro.columns) == ro_detail_module.COLUMNS
    assert len(ro) == 7020 and ro["ons_code"].nunique() == 15
    assert set(ro["form"]) == {"RSX", "RO2", "RO4", "RO5", "RO6"}
    assert _ro_value(ro, BURNLEY, "2024-25", "RO5", "Waste collection") == 972
    assert _ro_value(ro, BURNLEY, "2024-25", "RO5", "Waste collection", "total_expenditure_gbp_thousands") == 1369
    assert _ro_value(ro, BURNLEY, "2024-25", "RO5", "Waste collection", "total_income_gbp_thousands") == 397
    assert _ro_value(ro, BURNLEY, "2024-25", "RO5", "Recycling") == 800
    assert _ro_value(ro, BURNLEY, "2024-25", "RO6", "Council tax collection") == 371
    assert _ro_value(ro, BURNLEY, "2024-25", "RO4", "Housing Benefits Administration") == 763


def test_ro_detail_empty_is_missing_not_zero(ro):
    facilities = "Recreation and sport - Sports and recreation facilities including golf courses"
    assert math.isnan(_ro_value(ro, BURNLEY, "2024-25", "RO5", facilities))
    assert math.isnan(_ro_value(ro, BURNLEY, "2022-23", "RO5", "Waste collection"))  # sub-lines 2024-25 only
    assert _ro_value(ro, BURNLEY, "2024-25", "RO5", "Culture and heritage - Museums and galleries") == 0.0
    assert ro["net_expenditure_gbp_thousands"].isna().sum() == 4993  # as many empty cells as in the file


def test_recycling_rates_and_shared_waste_authorities(recycling):
    assert len(recycling) == 309 and set(recycling["year"]) == {"2021-22"}
    by_code = recycling.set_index("ons_code")
    assert by_code.loc[WORCESTER, "household_recycling_rate"] == pytest.approx(0.362631071471616, abs=1e-15)
    assert by_code.loc[BROMSGROVE, "household_recycling_rate"] == pytest.approx(0.417920656634747, abs=1e-15)
    assert by_code.loc[WORCESTER, "household_collected_t"] == 33188
    assert by_code.loc[WORCESTER, "household_recycled_t"] == 12035
    shared = sorted(recycling.loc[recycling["shared_waste_authority"], "ons_code"])
    assert shared == ["E06000060", "E07000008", "E07000012", "E07000187", "E07000188", "E07000189",
                      "E07000200", "E07000246"]  # Bucks, Cambridge, S Cambs, Somerset x4, Babergh
    assert by_code.loc["E07000203", "waste_authority_lads"] == 2  # Mid Suffolk holds Babergh's tonnages too
    assert not by_code.loc["E07000203", "shared_waste_authority"]


def test_ct_collection(ct_collection):
    assert list(ct_collection.columns) == ct_collection_module.COLUMNS
    assert len(ct_collection) == 84 and ct_collection["ons_code"].nunique() == 14
    burnley = ct_collection.set_index(["ons_code", "year"]).loc[(BURNLEY, "2024-25")]
    assert burnley["collection_rate_pct"] == 94.04
    assert (burnley["net_collectable_gbp_thousands"], burnley["collected_gbp_thousands"]) == (57216, 53804)
    assert WORCESTER not in set(ct_collection["ons_code"])


def test_ct_receipts_worcester_matches_table4(ct_receipts):
    assert list(ct_receipts.columns) == ct_receipts_module.COLUMNS
    assert not ct_receipts["ons_code"].str.startswith(("E92", "E12")).any()  # England and regions dropped
    assert (ct_receipts["year"] == "2022-23").sum() == 309
    worcester = ct_receipts[(ct_receipts["ons_code"] == WORCESTER)].set_index("year")["receipts_gbp_thousands"]
    # Table 4 2022-23: in respect of 2022-23 60,191 + previous years 517 + 2023-24 594 = total 61,302.
    # Table 5 gives only the total for every year, so the total is what the table keeps.
    assert worcester["2022-23"] == 61302 == 60191 + 517 + 594
    assert worcester["2021-22"] == 60189
    assert len(worcester) == 13  # 2010-11 .. 2022-23


def test_ct_receipts_abolished_years_have_no_rows(ct_receipts):
    years = ct_receipts.groupby("year").size()
    assert years["2010-11"] == 326 and years["2022-23"] == 309  # "[z]" = did not exist: no row


RO_HEADER = ("council_id,ons_code,council_name,council_class,financial_year,certified,form,service,"
             "employees_thousands,running_expenses_thousands,total_expenditure_thousands,"
             "sales_fees_charges_thousands,other_income_thousands,total_income_thousands,"
             "net_current_expenditure_thousands")


RO_GOOD = [
    "burnley,E07000117,Burnley,SD,2024-25,True,RO5,Waste collection,0.0,1369.0,1369.0,390.0,7.0,397.0,972.0",
    "burnley,E07000117,Burnley,SD,2024-25,True,RO5,Recycling,0.0,800.0,800.0,0.0,0.0,0.0,800.0",
    "burnley,E07000117,Burnley,SD,2024-25,True,RO5,Open spaces - Parks and open spaces,,,,,,,",
]


def _write(tmp_path: Path, name: str, header: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _where(error: InputDataError) -> tuple[str, int | None, str | None]:
    return error.file, error.row, error.column


def test_ro_good_small_file(tmp_path):
    table = ro_detail_module.load_ro_detail(_write(tmp_path, "ro.csv", RO_HEADER, RO_GOOD), known_codes=KNOWN)
    assert table["net_expenditure_gbp_thousands"].isna().tolist() == [True, False, False]  # sorted by line


@pytest.mark.parametrize(
    ("lines", "row", "column", "text"),
    [
        ([RO_GOOD[0], RO_GOOD[1].rsplit(",", 1)[0] + ",eight hundred", RO_GOOD[2]],
         3, "net_current_expenditure_thousands", "'eight hundred'"),
        ([RO_GOOD[0], RO_GOOD[1].replace(",RO5,", ",RO9,"), RO_GOOD[2]], 3, "form", "'RO9'"),
        ([RO_GOOD[0], RO_GOOD[1], RO_GOOD[0].replace("1369.0", "1370.0")], 4, "ons_code", "duplicate"),
        ([RO_GOOD[0], RO_GOOD[1].replace("E07000117", "E07000711"), RO_GOOD[2]], 3, "ons_code",
         "not a known local authority"),
    ],
    ids=["not-a-number", "bad-form", "duplicate-key", "unknown-code"],
)
def test_ro_bad_inputs(tmp_path, lines, row, column, text):
    path = _write(tmp_path, "ro.csv", RO_HEADER, lines)
    with pytest.raises(InputDataError) as info:
        ro_detail_module.load_ro_detail(path, known_codes=KNOWN)
    assert _where(info.value) == ("ro.csv", row, column)
    assert text in str(info.value)


def test_ro_missing_column(tmp_path):
    header = RO_HEADER.replace(",net_current_expenditure_thousands", "")
    lines = [line.rsplit(",", 1)[0] for line in RO_GOOD]
    with pytest.raises(InputDataError) as info:
        ro_detail_module.load_ro_detail(_write(tmp_path, "ro.csv", header, lines), known_codes=KNOWN)
    assert info.value.column == "net_current_expenditure_thousands" and "columns found" in str(info.value)


def _recycling_file(tmp_path: Path, edit=None) -> Path:
    source = recycling_module.default_path().read_text().splitlines()
    lines = [source[0]] + [line for line in source[1:] if line.startswith((WORCESTER, BROMSGROVE))]
    if edit:
        lines = edit(lines)
    return _write(tmp_path, "recycling.csv", lines[0], lines[1:])


def test_recycling_bad_rate_and_negative_tonnage(tmp_path):
    good = recycling_module.load_recycling(_recycling_file(tmp_path), known_codes=KNOWN)
    assert good["ons_code"].tolist() == [BROMSGROVE, WORCESTER]
    wrong_rate = _recycling_file(tmp_path, lambda ls: [*ls[:2], ls[2].replace("0.362631071471616", "0.462631071471616")])
    with pytest.raises(InputDataError) as info:
        recycling_module.load_recycling(wrong_rate, known_codes=KNOWN)
    assert _where(info.value) == ("recycling.csv", 3, "household_recycle_rate")
    negative = _recycling_file(tmp_path, lambda ls: [*ls[:2], ls[2].replace(",33188,12035,", ",-33188,12035,")])
    with pytest.raises(InputDataError) as info:
        recycling_module.load_recycling(negative, known_codes=KNOWN)
    assert _where(info.value) == ("recycling.csv", 3, "household_collected")


CT_HEADER = ("council_id,ons_code,council_name,council_type,financial_year,collection_rate_pct,"
             "net_collectable_thousands,collected_thousands,uncollected_thousands,uncollected_gbp")


CT_GOOD = [
    "burnley,E07000117,Burnley,district,2023-24,93.74,53603.0,50247.0,3356.0,3356000.0",
    "burnley,E07000117,Burnley,district,2024-25,94.04,57216.0,53804.0,3412.0,3412000.0",
]


def test_ct_collection_bad_inputs(tmp_path):
    ok = ct_collection_module.load_ct_collection(_write(tmp_path, "ct.csv", CT_HEADER, CT_GOOD), known_codes=KNOWN)
    assert ok["collection_rate_pct"].tolist() == [93.74, 94.04]
    cases = [
        (CT_GOOD[1].replace("57216.0", "-57216.0"), "net_collectable_thousands"),
        (CT_GOOD[1].replace("94.04", "104.04"), "collection_rate_pct"),
        (CT_GOOD[1].replace("94.04", "84.04"), "collection_rate_pct"),   # disagrees with the amounts
        (CT_GOOD[1].replace("2024-25", "2023-24"), "ons_code"),          # duplicate council-year
    ]
    for line, column in cases:
        with pytest.raises(InputDataError) as info:
            ct_collection_module.load_ct_collection(_write(tmp_path, "ct.csv", CT_HEADER, [CT_GOOD[0], line]),
                                                    known_codes=KNOWN)
        assert _where(info.value) == ("ct.csv", 3, column), line


def _table5(tmp_path: Path, edit=None) -> Path:
    source = ct_receipts_module.default_paths()[0].read_text(encoding="utf-8").splitlines()
    lines = [source[0], source[1]] + [line for line in source[1:] if f",{WORCESTER}," in line]
    if edit:
        lines = edit(lines)
    return _write(tmp_path, "table5.csv", lines[0], lines[1:])


def test_ct_receipts_small_and_bad(tmp_path):
    small = ct_receipts_module.load_ct_receipts(_table5(tmp_path), known_codes=KNOWN)
    assert small["ons_code"].unique().tolist() == [WORCESTER]  # England row dropped
    assert small.set_index("year").loc["2022-23", "receipts_gbp_thousands"] == 61302
    negative = _table5(tmp_path, lambda ls: [*ls[:2], ls[2].replace(",61302,", ",-61302,")])
    with pytest.raises(InputDataError) as info:
        ct_receipts_module.load_ct_receipts(negative, known_codes=KNOWN)
    assert info.value.file == "table5.csv" and info.value.row == 3
    assert info.value.column.startswith("Total receipts of council taxes collected during the financial year - 2022")
    # Table 4 must agree with Table 5 for its year
    table4 = ct_receipts_module.default_paths()[1]
    off = _table5(tmp_path, lambda ls: [*ls[:2], ls[2].replace(",61302,", ",61402,")])
    with pytest.raises(InputDataError) as info:
        ct_receipts_module.load_ct_receipts(off, table4, known_codes=KNOWN)
    assert info.value.file == "data/raw/public/dluhc_council_tax_receipts/" + table4.name  # relative to the project
    assert info.value.column == ct_receipts_module.TABLE4_TOTAL
    assert "61,302" in str(info.value) and "61,402" in str(info.value)
    bad_class = _table5(tmp_path, lambda ls: [*ls[:2], ls[2].replace(",SD,", ",XX,")])
    with pytest.raises(InputDataError) as info:
        ct_receipts_module.load_ct_receipts(bad_class, known_codes=KNOWN)
    assert _where(info.value) == ("table5.csv", 3, "Class")


def test_tables_are_registered():
    from wcc_analysis import ingest

    for name in ("ro_detail", "recycling", "ct_collection", "ct_receipts"):
        assert callable(getattr(ingest, name)) and name in ingest.TABLES
    files = {p.name for p in ingest.raw_public_files()}
    assert {"lancs_ro_detailed_services_long.csv", "household_recycling_by_lad_2021_22.csv",
            "lancs_ct_collection_rates.csv", "ct_receipts_quarterly_2010-11_to_2022-23_by_la_table5.csv",
            "ct_receipts_2022-23_by_la_table4.csv"} <= files
