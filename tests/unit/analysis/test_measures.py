"""The measures catalogue and the value selector: documented, volumes never rated, per-head figures checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wcc_analysis.analysis import measures
from wcc_analysis.analysis.population import estimate
from wcc_analysis.core import vocabulary
from wcc_analysis.core.errors import MissingDataError, ParameterError

WORCESTER, BROMSGROVE, HYNDBURN, BURNLEY = "E07000237", "E07000234", "E07000120", "E07000117"


@pytest.fixture(scope="module")
def tables(ro, waste_collection, ct_collection, ct_receipts) -> dict[str, pd.DataFrame]:
    return {"ro_detail": ro, "waste_collection": waste_collection, "ct_collection": ct_collection,
            "ct_receipts": ct_receipts}


def test_catalogue_is_documented_and_consistent():
    table = measures.catalogue()
    assert list(table.columns) == measures.CATALOGUE_COLUMNS
    assert table["id"].is_unique
    assert set(table["polarity"]) <= set(vocabulary.POLARITIES)
    assert table[["label", "unit", "source", "year", "coverage"]].notna().all().all()
    assert {"waste", "leisure", "museums", "revenues_benefits"} <= set(measures.services())
    waste = measures.measures_table("waste").set_index("id")
    assert waste.loc["waste_household_recycling_rate", "polarity"] == "higher_is_better"
    assert waste.loc["waste_collection_recycling_net_per_head", "polarity"] == "lower_is_better"
    rb = measures.measures_table("revenues_benefits").set_index("id")
    assert rb.loc["rb_ct_receipts", "polarity"] == "volume"
    assert rb.loc["rb_ct_collection_rate", "polarity"] == "higher_is_better"
    assert "empty" in measures.measures_table("leisure").iloc[0]["coverage"]
    assert measures.measures_table("no_such_service").empty and measures.measures_for("no_such_service") == []


def test_volume_measure_never_rates():
    with pytest.raises(ParameterError, match="volume"):
        measures.ascending("rb_ct_receipts")
    assert measures.ascending("rb_hb_admin_net_per_head") is True
    assert measures.ascending("rb_ct_collection_rate") is False
    with pytest.raises(ParameterError, match="rb_ct_receipts"):
        measures.get("rb_ct_reciepts")


def _hand_ro(rows):
    return pd.DataFrame(rows, columns=["ons_code", "year", "form", "line", "net_expenditure_gbp_thousands"])


def test_per_head_on_a_hand_made_example():
    ro = _hand_ro([
        ["E07000001", "2024-25", "RO5", "Waste collection", 972.0],
        ["E07000001", "2024-25", "RO5", "Recycling", 800.0],
        ["E07000002", "2024-25", "RO5", "Waste collection", 500.0],
        ["E07000002", "2024-25", "RO5", "Recycling", np.nan],       # missing: council left out
        ["E07000003", "2024-25", "RO5", "Waste collection", 100.0],  # no Recycling row: left out
        ["E07000004", "2024-25", "RO5", "Waste collection", 0.0],
        ["E07000004", "2024-25", "RO5", "Recycling", 0.0],         # a published zero stays zero
        ["E07000005", "2024-25", "RO5", "Waste collection", 10.0],   # no population: left out
        ["E07000005", "2024-25", "RO5", "Recycling", 10.0],
        ["E07000001", "2023-24", "RO5", "Waste collection", 5.0],    # another year: ignored
        ["E07000001", "2024-25", "RO5", "Trade waste", 7.0],         # another line: ignored
    ])
    census = pd.DataFrame({"ons_code": ["E07000001", "E07000002", "E07000003", "E07000004"],
                           "pop_2011": [100_000, 50_000, 50_000, 20_000],
                           "pop_2021": [110_000, 50_000, 50_000, 20_000]})
    values = measures.measure_values("waste_collection_recycling_net_per_head", {"ro_detail": ro}, census)
    assert list(values.columns) == ["ons_code", "value"]
    assert values["ons_code"].tolist() == ["E07000001", "E07000004"]
    # census trend at 2024: 100,000 + 1.3 × 10,000 = 113,000 people; (972 + 800) £k → £15.68 per head
    assert estimate(100_000, 110_000, 2024) == 113_000
    assert values["value"].tolist() == pytest.approx([1_772_000 / 113_000, 0.0])
    with pytest.raises(MissingDataError, match="population"):
        measures.measure_values("waste_collection_recycling_net_per_head", {"ro_detail": ro}, None)
    with pytest.raises(MissingDataError, match="recycling"):
        measures.measure_values("waste_household_recycling_rate", {"ro_detail": ro}, census)


def test_a_measure_of_several_lines_is_never_a_partial_sum():
    ro = _hand_ro([
        ["E07000001", "2024-25", "RO5", "Sports facilities", 40.0],
        ["E07000001", "2024-25", "RO5", "Sports development", 10.0],   # both lines: 40 + 10 = 50
        ["E07000002", "2024-25", "RO5", "Sports facilities", np.nan],  # blank line: no value (not 25)
        ["E07000002", "2024-25", "RO5", "Sports development", 25.0],
        ["E07000003", "2024-25", "RO5", "Sports development", 30.0],   # line not returned: no value (not 30)
        ["E07000004", "2024-25", "RO5", "Sports facilities", 0.0],     # a published £0 is a figure: 0 + 7 = 7
        ["E07000004", "2024-25", "RO5", "Sports development", 7.0],
        [None, "2024-25", "RO5", "Sports facilities", 99.0],           # no ONS code: left out
        [None, "2024-25", "RO5", "Sports development", 99.0],
        ["E07000005", "2024-25", "RO4", "Sports facilities", 1.0],     # another form: ignored
        ["E07000005", "2024-25", "RO4", "Sports development", 1.0],
    ])
    two = measures.Measure("x", "leisure", "Sports (lower is cheaper)", "£ thousand", "lower_is_better", "src",
                           "2024-25", "cov", "ro_detail", "net_expenditure_gbp_thousands", "line",
                           ("Sports facilities", "Sports development"), {"form": "RO5"})
    values = measures.measure_values(two, {"ro_detail": ro}).set_index("ons_code")["value"]
    assert values.to_dict() == {"E07000001": 50.0, "E07000004": 7.0}
    assert measures.line_sum(2, 1) == measures.NO_VALUE and measures.line_sum(2, 2) == measures.SUMMED
    assert measures.LINE_SUM_RULES.frame()["value"].tolist() == ["no value", "the sum of its lines"]
    assert "never a partial sum" in measures.LINE_SUM_RULES.frame()["rule"].iloc[0]
    assert measures.why_missing(two, {"ro_detail": ro}, "E07000002") == (
        "not held in the shipped data: no figure on 'Sports facilities'; a measure of several lines is never a partial "
        "sum (LINE_SUM_RULES)")
    assert "'Sports facilities'" in measures.why_missing(two, {"ro_detail": ro}, "E07000003")
    assert measures.why_missing(two, {"ro_detail": ro}, "E07000009") == "not held in the shipped data"


def test_measure_values_on_the_real_tables(tables, census):
    burnley_pop = census.set_index("ons_code").loc[BURNLEY]
    people = estimate(burnley_pop["pop_2011"], burnley_pop["pop_2021"], 2024)
    waste = measures.measure_values("waste_collection_recycling_net_per_head", tables, census).set_index("ons_code")
    assert waste.loc[BURNLEY, "value"] == pytest.approx((972 + 800) * 1000 / people)
    assert len(waste) == 14 and WORCESTER not in waste.index  # Lancashire districts + unitaries only
    rate = measures.measure_values("waste_household_recycling_rate", tables).set_index("ons_code")["value"]
    # DEFRA LA collected waste 2022-23 (revised): Worcester 0.350; 2021-22 0.363 (the 2021-22 file: 0.3626…)
    assert rate[WORCESTER] == pytest.approx(0.350, abs=5e-4) and len(rate) > 290
    rate_2021 = measures.measure_values("waste_household_recycling_rate", tables, year="2021-22")
    assert rate_2021.set_index("ons_code").loc[WORCESTER, "value"] == pytest.approx(0.363, abs=5e-4)
    assert {BROMSGROVE, HYNDBURN} <= set(rate.index)
    # leisure's two RO5 lines: "Sports and recreation facilities including golf courses" is blank for every council
    # in the Lancashire extract, so no council has the measure — never "Sports development" alone (Hyndburn's £0)
    sports = measures.get("leisure_sports_net_per_head")
    assert measures.measure_values(sports, tables, census).empty
    why = measures.why_missing(sports, tables, HYNDBURN)
    assert why.startswith("not held in the shipped data: no figure on 'Recreation and sport - Sports and recreation "
                          "facilities including golf courses' (blank for every council in the data held)")
    assert "never a partial sum" in why
    assert "the project holds only the Lancashire extract" in measures.why_missing(sports, tables, WORCESTER)
    ct_why = measures.why_missing(measures.get("rb_ct_collection_rate"), tables, WORCESTER)
    assert ct_why.startswith("not held in the shipped data (MHCLG publishes collection rates for every billing "
                             "authority") and "not published" not in ct_why
    ct = measures.measure_values("rb_ct_collection_rate", tables).set_index("ons_code")["value"]
    assert ct[BURNLEY] == 94.04 and len(ct) == 14
    ct_2019 = measures.measure_values("rb_ct_collection_rate", tables, year="2019-20").set_index("ons_code")
    assert ct_2019.loc[BURNLEY, "value"] == 94.69
    receipts = measures.measure_values("rb_ct_receipts", tables).set_index("ons_code")["value"]
    assert receipts[WORCESTER] == 61302 and len(receipts) == 309
    # an RO sub-line before 2024-25 is empty for everyone: no values, not zeros
    assert measures.measure_values("rb_hb_admin_net_per_head", tables, census, year="2023-24").empty


def test_value_for_money_cost_per_household_by_hand():
    # Worcester's RA 2023-24 budget lines "Waste collection" 884 and "Recycling" 1,261 (£ thousand) over the households
    # that follow from DEFRA 2022-23 (the latest year up to 2023-24): residual household waste 20,440 t ÷ 431.4 kg per
    # household = 47,380.6 households → 2,145,000 / 47,380.6 = £45.27 per household
    ra = pd.DataFrame({"ons_code": [WORCESTER] * 3 + [BROMSGROVE], "year": ["2023-24"] * 4,
                       "line": ["Waste collection", "Recycling", "Open spaces", "Waste collection"],
                       "net_budget_gbp_thousands": [884.0, 1261.0, 1300.0, 500.0]})
    waste = pd.DataFrame({"ons_code": [WORCESTER, WORCESTER, BROMSGROVE], "year": ["2021-22", "2022-23", "2022-23"],
                          "households": [47_166.1, 20_440_000 / 431.4, 40_000.0]})
    tables = {"ra_budget": ra, "waste_collection": waste}
    homes, year = measures.household_counts(tables, "2023-24")
    assert year == "2022-23" and homes[WORCESTER] == pytest.approx(47_380.62, abs=0.01)
    assert measures.household_counts(tables, "2021-22")[1] == "2021-22"
    none, no_year = measures.household_counts({"ra_budget": ra}, "2023-24")  # no DEFRA table: no households
    assert none.empty and no_year is None
    measure = measures.value_for_money_cost_measure("waste", ("Waste collection", "Recycling"), "2023-24",
                                                    per_household=True, households_year=year)
    assert measure.per_household and not measure.per_head and measure.basis == measures.BUDGET
    assert "per household" in measure.label and "derived" in measure.unit
    values = measures.measure_values(measure, tables).set_index("ons_code")["value"]
    assert values[WORCESTER] == pytest.approx(2_145_000 / (20_440_000 / 431.4))
    assert round(values[WORCESTER], 2) == 45.27
    assert BROMSGROVE not in values.index  # no Recycling line published: left out, never a partial sum
    per_head = measures.value_for_money_cost_measure("waste", ("Waste collection", "Recycling"), "2023-24")
    census = pd.DataFrame({"ons_code": [WORCESTER], "pop_2011": [98_800], "pop_2021": [103_900]})
    head = measures.measure_values(per_head, tables, census).set_index("ons_code")["value"]
    assert head[WORCESTER] == pytest.approx(2_145_000 / estimate(98_800, 103_900, 2023))
