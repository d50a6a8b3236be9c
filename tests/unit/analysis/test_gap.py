"""Gap analysis: the three key questions and the portfolio roll-up, checked by hand."""

import pandas as pd
import pytest

from wcc_analysis.analysis import gap, prices
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always

# --- Q1 delivering what we need now ------------------------------------------------------


@pytest.mark.parametrize(
    "actual, target, polarity, expected",
    [
        (100.0, 100.0, "higher_is_better", "Green"),  # on target
        (101.0, 100.0, "higher_is_better", "Green"),  # better
        (95.0, 100.0, "higher_is_better", "Amber"),  # 5 short = 5 % of 100: edge of Amber
        (94.9, 100.0, "higher_is_better", "Red"),  # 5.1 short
        (19.0, 20.0, "lower_is_better", "Green"),
        (21.0, 20.0, "lower_is_better", "Amber"),  # 1 over = 5 % of 20
        (21.01, 20.0, "lower_is_better", "Red"),
    ],
)
def test_kpi_rag_thresholds_at_their_boundaries(actual, target, polarity, expected):
    assert gap.kpi_rag(actual, target, polarity) == expected


def test_kpi_rag_tolerance_is_a_parameter():
    # 10 % tolerance: 90 against 100 is Amber, 89.9 Red
    assert gap.kpi_rag(90.0, 100.0, "higher_is_better", tolerance=0.10) == "Amber"
    assert gap.kpi_rag(89.9, 100.0, "higher_is_better", tolerance=0.10) == "Red"
    with pytest.raises(ValueError):
        gap.kpi_rag(1.0, 1.0, "sideways")


def _kpi_rows(rows):
    return pd.DataFrame(rows, columns=["kpi", "unit", "polarity", "target", "period", "actual", "source"])


KPIS = _kpi_rows(
    [
        # cumulative collection rate: the target changes every quarter
        ("Collected", "%", "higher_is_better", 84.0, "2024-25 Q3", 84.2, "s"),
        ("Collected", "%", "higher_is_better", 97.5, "2024-25 Q4", 96.9, "s"),
        ("Collected", "%", "higher_is_better", 56.5, "2024-25 Q2", 56.8, "s"),
        ("Days", "days", "lower_is_better", 20.0, "2024-25 Q3", 24.0, "s"),
        ("Days", "days", "lower_is_better", 20.0, "2024-25 Q4", 21.0, "s"),
    ]
)


def test_kpi_status_latest_against_target_with_trend():
    status = gap.kpi_status(KPIS).set_index("kpi")
    c = status.loc["Collected"]
    # latest Q4 (periods sort as written): 96.9 vs 97.5 → 0.6 short; 5 % of 97.5 = 4.875 → Amber
    assert c["period"] == "2024-25 Q4" and c["rag"] == "Amber" and not c["on_target"]
    assert c["performance_gap"] == pytest.approx(-0.6)
    # trend (TREND_RULES): least-squares line through Q2-Q4 of performance relative to target, +0.3/56.5 = +0.531 %,
    # +0.2/84 = +0.238 %, −0.6/97.5 = −0.615 %: slope (−0.615 − 0.531) / 2 = −0.573 % of target a period, within the
    # ±1 % tolerance → stable (the last two points alone would say "worsening")
    assert c["trend"] == "stable" and c["trend_periods"] == 3
    assert c["trend_slope_pct_of_target"] == pytest.approx((-0.6 / 97.5 - 0.3 / 56.5) / 2 * 100)
    assert c["periods"] == 3 and c["periods_on_target"] == 2
    d = status.loc["Days"]
    # lower is better: Q3 24 vs 20 = −20 %, Q4 21 vs 20 = −5 % → slope +15 % a period → improving; 21 is exactly
    # 5 % over → Amber
    assert d["trend"] == "improving" and d["rag"] == "Amber" and d["previous_actual"] == 24.0
    assert d["trend_slope_pct_of_target"] == pytest.approx(15.0)
    assert d["gap_pct_of_target"] == pytest.approx(-0.05)


def test_kpi_trend_missed_bins_48_55_71_52_lower_is_better_is_worsening():
    # Worcester's sample KPI: missed bins per 100,000 collections 48 → 55 → 71 → 52 against a target of 60 (lower is
    # better). The last two points (71 → 52) would read "improving". The least-squares line through all four:
    # x = 0..3 (x̄ = 1.5), y = 48, 55, 71, 52 (ȳ = 56.5): Σ(x−x̄)(y−ȳ) = (−1.5)(−8.5) + (−0.5)(−1.5) + (0.5)(14.5)
    # + (1.5)(−4.5) = 12.75 + 0.75 + 7.25 − 6.75 = 14; Σ(x−x̄)² = 5 → +2.8 missed bins a quarter, i.e. performance
    # against target falls by 2.8 / 60 = 4.667 % of target a quarter, beyond the ±1 % tolerance → worsening.
    kpis = _kpi_rows([("Missed bins", "per 100,000", "lower_is_better", 60.0, f"2024-25 Q{q}", a, "s")
                      for q, a in zip(range(1, 5), (48.0, 55.0, 71.0, 52.0), strict=True)])
    row = gap.kpi_status(kpis).iloc[0]
    assert row["trend"] == "worsening" and row["trend_periods"] == 4
    assert row["trend_slope_pct_of_target"] == pytest.approx(-2.8 / 60 * 100)
    assert row["rag"] == "Green"  # 52 is on the good side of 60: on target, and getting worse
    # only the last four periods count: a fifth, older period (Q0 120) changes nothing
    older = pd.concat([_kpi_rows([("Missed bins", "per 100,000", "lower_is_better", 60.0, "2023-24 Q4", 120.0, "s")]),
                       kpis])
    assert gap.kpi_status(older).iloc[0]["trend_slope_pct_of_target"] == pytest.approx(-2.8 / 60 * 100)


def test_kpi_status_of_nothing_is_empty_not_an_error():
    assert gap.kpi_status(None).empty
    assert gap.kpi_status(KPIS.iloc[0:0]).empty


def _survey(rows, columns=("question", "period", "percent_satisfied", "target")):
    return pd.DataFrame(rows, columns=list(columns))


def test_survey_status_points_tolerance_and_benchmark():
    survey = _survey(
        [
            ("q red", "2024-25", 58.0, 70.0),  # 12 points below → Red
            ("q amber edge", "2024-25", 65.0, 70.0),  # exactly 5 points below → Amber
            ("q red edge", "2024-25", 64.9, 70.0),  # 5.1 below → Red
            ("q green", "2023-24", 79.0, 80.0),
            ("q green", "2024-25", 84.0, 80.0),  # latest 84 ≥ 80 → Green, +5 points on last year
        ]
    )
    status = gap.survey_status(survey).set_index("question")
    assert status["rag"].to_dict() == {"q amber edge": "Amber", "q green": "Green", "q red": "Red", "q red edge": "Red"}
    assert status.at["q green", "change_points"] == pytest.approx(5.0)
    with_benchmark = _survey(
        [("q", "2024-25", 62.0, None, 60.0), ("r", "2024-25", 50.0, None, None)],
        columns=("question", "period", "percent_satisfied", "target", "benchmark"),
    )
    status = gap.survey_status(with_benchmark).set_index("question")
    assert status.at["q", "compared_with"] == "benchmark" and status.at["q", "rag"] == "Green"
    assert status.at["r", "rag"] == "Grey" and status.at["r", "on_target"] is None


def _status(rags):
    return pd.DataFrame({"rag": rags, "on_target": [r == "Green" for r in rags]})


def test_delivering_need_rule_boundaries():
    no_survey = gap.survey_status(None)
    # 1 of 3 off target = exactly a third, not more → Amber
    assert gap.delivering_need_rag(_status(["Green", "Green", "Amber"]), no_survey)[0] == "Amber"
    # 2 of 5 off = 0.4 > 1/3 → Red, although none is red
    rag, sentence = gap.delivering_need_rag(_status(["Green", "Green", "Green", "Amber", "Amber"]), no_survey)
    assert rag == "Red" and "more than a third" in sentence
    # any red → Red
    assert gap.delivering_need_rag(_status(["Green"] * 5 + ["Red"]), no_survey)[0] == "Red"
    rag, sentence = gap.delivering_need_rag(_status(["Green", "Green"]), no_survey)
    assert rag == "Green" and "no customer survey results" in sentence
    # all on target but need rising → Amber
    signals = {"population grew faster than comparators": True, "deprivation rose": False}
    rag, sentence = gap.delivering_need_rag(_status(["Green", "Green"]), no_survey, signals)
    assert rag == "Amber" and "population grew faster" in sentence and "deprivation" not in sentence


def test_delivering_need_counts_survey_questions_with_a_target():
    survey = gap.survey_status(_survey([("q", "2024-25", 50.0, 70.0)]))  # Red
    assert gap.delivering_need_rag(_status(["Green", "Green", "Green"]), survey)[0] == "Red"


def test_delivering_need_missing_inputs_give_grey_never_an_error():
    rag, sentence = gap.delivering_need_rag(None, None)
    assert rag == "Grey" and sentence.startswith("Not available") and "no KPIs" in sentence
    untargeted = gap.survey_status(_survey([("q", "2024-25", 50.0, None)]))
    rag, sentence = gap.delivering_need_rag(gap.kpi_status(None), untargeted)
    assert rag == "Grey" and "no target or benchmark" in sentence


# --- Q2 best in class ------------------------------------------------------------------

NAMES = {"C": "Council", "A": "Alpha", "B": "Beta", "D": "Delta", "E": "Echo", "F": "Foxtrot", "G": "Golf", "H": "Hotel"}
VALUES = pd.DataFrame({"ons_code": ["C", "A", "B", "D", "E", "F"], "value": [10.0, 4.0, 6.0, 8.0, 10.0, 12.0]})
COMPS = ["A", "B", "D", "E", "F"]


def test_benchmark_higher_is_better_with_a_tie():
    b = gap.benchmark(VALUES, "C", COMPS, "higher_is_better", NAMES, measure="m")
    # comparators 4, 6, 8, 10, 12: lower quartile 6, median 8, upper quartile 10 (linear, exact positions)
    # council 10 ≥ upper quartile 10 → best quarter (boundary counts to the better quarter)
    assert b["quartile"] == 1 and b["median"] == 8.0
    # ranks, highest first: F 12 → 1; council 10 and E 10 tie → both 2; of 6
    assert b["rank"] == 2 and b["n_with_measure"] == 6
    assert (b["best_code"], b["best_name"], b["best_value"]) == ("F", "Foxtrot", 12.0)
    assert b["note"] == ""


def test_benchmark_lower_is_better():
    b = gap.benchmark(VALUES, "C", COMPS, "lower", NAMES)
    # council 10: not ≤ 6 (LQ), not ≤ 8 (median), ≤ 10 (UQ) → third quarter
    assert b["quartile"] == 3
    # ranks, lowest first: A 4 → 1, B 6 → 2, D 8 → 3, council and E 10 → 4
    assert b["rank"] == 4 and b["best_code"] == "A"


def test_benchmark_worst_quarter_and_partial_publication():
    # higher is better; council 5 < lower quartile 6 → worst quarter; G and H publish nothing
    values = pd.concat([VALUES[VALUES["ons_code"] != "C"], pd.DataFrame({"ons_code": ["C"], "value": [5.0]})])
    b = gap.benchmark(values, "C", COMPS + ["G", "H"], "higher_is_better", NAMES)
    # ranks, highest first: F 12, E 10, D 8, B 6, council 5, A 4 → council 5 of 6
    assert b["quartile"] == 4 and b["rank"] == 5 and b["n_with_measure"] == 6
    assert b["n_comparators"] == 7 and b["n_comparators_with_measure"] == 5
    assert "compared against the 5 with a figure (of 7 compared with)" in b["note"]
    assert b["missing_comparators"] == ["G", "H"]
    assert gap.best_in_class_rag([{**b, "measure": "m"}])[0] == "Red"


def test_benchmark_council_without_the_measure():
    b = gap.benchmark(VALUES[VALUES["ons_code"] != "C"], "C", COMPS, "higher_is_better", NAMES)
    assert b["rank"] is None and b["quartile"] is None and "has no value in the data held" in b["note"]
    rag, sentence = gap.best_in_class_rag([b])
    assert rag == "Grey" and "Not available" in sentence


def _mark(quartile, measure="m", rank=3):
    return {"measure": measure, "polarity": "higher", "quartile": quartile, "rank": rank, "n_with_measure": 16,
            "best_name": "Foxtrot", "note": ""}


@pytest.mark.parametrize(
    "quartiles, expected",
    [
        ([1], "Green"), ([4], "Red"), ([2], "Amber"), ([3], "Amber"),
        ([1, 1, 2], "Green"),  # best quarter on 2 of 3 (more than half), worst on none
        ([1, 1, 4], "Amber"),  # best on 2 of 3 but worst on one: mixed, not Green
        ([1, 3], "Amber"),  # best on 1 of 2 is half, not more than half
        ([4, 4, 3], "Red"),  # worst on 2 of 3, best on none
        ([4, 4, 1], "Amber"),  # worst on most, but best on one: mixed, not Red
        ([3, 1, 2], "Amber"),  # Worcester's waste: recycling third, residual waste second, fly-tipping best quarter
        ([2, 3, 2, 3], "Amber"),
        ([], "Grey"),
    ],
)
def test_best_in_class_combines_every_rated_measure(quartiles, expected):
    assert gap.best_in_class_rag([_mark(q, f"m{i}") for i, q in enumerate(quartiles)])[0] == expected


def test_best_in_class_order_does_not_matter_and_the_sentence_names_each_measure():
    best = gap.benchmark(VALUES, "C", COMPS, "higher", NAMES, measure="specific (higher is better)")  # quartile 1
    middle = gap.benchmark(VALUES, "C", COMPS, "lower", NAMES, measure="broad")  # quartile 3
    # best quarter on 1 of 2 = half, not more than half → Amber, whichever comes first (the first no longer decides)
    assert gap.best_in_class_rag([best, middle])[0] == gap.best_in_class_rag([middle, best])[0] == "Amber"
    rag, sentence = gap.best_in_class_rag([middle, best])
    assert "best quarter on 1 of 2 measures, worst quarter on 0" in sentence
    assert "broad: third quarter, rank 4 of 6 (best Alpha)" in sentence and "specific: best quarter, rank 2 of 6" in sentence
    # a measure the council lacks (no quartile) is not rated
    lacking = gap.benchmark(VALUES[VALUES["ons_code"] != "C"], "C", COMPS, "higher_is_better", NAMES)
    assert gap.best_in_class_rag([best, lacking])[0] == "Green"
    rag, sentence = gap.best_in_class_rag([], "Instead, the evidence is the council's own KPIs.")
    assert rag == "Grey" and sentence.endswith("Instead, the evidence is the council's own KPIs.")


def test_volume_measure_is_never_rated():
    volume = gap.benchmark(VALUES, "C", COMPS, "volume", NAMES, measure="households")
    assert volume["quartile"] is None and volume["rank"] is None and "not rated" in volume["note"]
    with pytest.raises(ValueError, match="volume"):
        gap.best_in_class_rag([volume])


# --- Q3 effective and cost efficient ----------------------------------------------------

# comparators 5, 14.13, 23.69, 30, 40: lower quartile = 14.13 (position 1 of 0..4), median = 23.69
COMPARATOR_SPEND = [40.0, 5.0, 23.69, 14.13, 30.0, None]
POPULATION = 101_727


def test_efficiency_gap_worked_by_hand():
    g = gap.efficiency_gap(32.64, COMPARATOR_SPEND, POPULATION)
    assert g["comparator_median_gbp"] == pytest.approx(23.69)
    assert g["comparator_lower_quartile_gbp"] == pytest.approx(14.13)
    assert g["n_comparators"] == 5
    # (32.64 − 23.69) × 101,727 / 1000 = 8.95 × 101.727 = 910.457 → £910.5k
    assert g["gap_to_median_gbp_thousands"] == pytest.approx(910.45665)
    # (32.64 − 14.13) × 101.727 = 18.51 × 101.727 = 1,882.967
    assert g["gap_to_lower_quartile_gbp_thousands"] == pytest.approx(1882.96677)
    # spending less gives a negative gap: (10 − 23.69) × 101.727 = −1,392.643
    assert gap.efficiency_gap(10.0, COMPARATOR_SPEND, POPULATION)["gap_to_median_gbp_thousands"] == pytest.approx(-1392.64263)


def test_efficiency_gap_restated_in_real_terms_at_the_price_base():
    # An RA 2023-24 budget gap restated at 2024-25 prices with the GDP deflator (December 2025 series): 2023-24 =
    # ¾ × 96.2507 + ¼ × 100 = 97.188025; 2024-25 = ¾ × 100 + ¼ × 103.8953 (2025 estimated: 100 × 100 / 96.2507)
    # = 100.973825; factor = 100.973825 / 97.188025 = 1.038954
    calendar = pd.DataFrame({"calendar_year": [2022, 2023, 2024], "deflator_index": [90.0, 96.2507, 100.0]})
    factor = float(prices.to_real_terms([1.0], "2023-24", prices.financial_year_deflators(calendar), "2024-25").values.iloc[0])
    assert factor == pytest.approx((0.75 * 100 + 0.25 * 100 * 100 / 96.2507) / (0.75 * 96.2507 + 0.25 * 100))
    assert factor == pytest.approx(1.038953, abs=1e-6)
    g = gap.efficiency_gap(32.64, COMPARATOR_SPEND, POPULATION, year="2023-24", price_base_year="2024-25",
                           real_terms_factor=factor)
    # cash £910.457k (as above) × 1.038953 = £945.92k a year at 2024-25 prices; £1,882.97k × 1.038953 = £1,956.31k
    assert g["gap_to_median_gbp_thousands"] == pytest.approx(910.45665)
    assert g["gap_to_median_real_gbp_thousands"] == pytest.approx(910.45665 * factor)
    assert g["gap_to_median_real_gbp_thousands"] == pytest.approx(945.92, abs=0.01)
    assert g["gap_to_lower_quartile_real_gbp_thousands"] == pytest.approx(1956.31, abs=0.01)
    assert (g["year"], g["price_base_year"]) == ("2023-24", "2024-25")
    sentence = gap.efficiency_sentence(g, "the service's budget per head (RA lines)")
    assert "£945.9k a year above the comparator median at 2024-25 prices (£910.5k in 2023-24 cash" in sentence
    # the price base year's own spend needs no restating; without a factor the gap stays in cash and says so
    same = gap.efficiency_gap(32.64, COMPARATOR_SPEND, POPULATION, year="2024-25", price_base_year="2024-25",
                              real_terms_factor=1.0)
    assert "at 2024-25 prices." in gap.efficiency_sentence(same, "x").replace("; £1,883.0k a year above the lower quartile", "")
    cash = gap.efficiency_gap(32.64, COMPARATOR_SPEND, POPULATION)
    assert cash["gap_to_median_real_gbp_thousands"] is None and "in cash" in gap.efficiency_sentence(cash)


def test_value_for_money_answer_adds_the_gap_to_the_rating():
    g = gap.efficiency_gap(32.64, COMPARATOR_SPEND, POPULATION, year="2023-24", price_base_year="2024-25",
                           real_terms_factor=1.0389534829)
    rag, sentence = gap.value_for_money_answer(("Amber", "Amber: high cost, better outcomes."), g, "the lines")
    assert rag == "Amber" and sentence.startswith("Amber: high cost, better outcomes. Efficiency gap on the lines, "
                                                  "2023-24")
    assert gap.value_for_money_answer(None, None)[0] == "Grey"
    # where the spend figure is compared with a regional extract, the median is named for whom it is of
    _, regional = gap.value_for_money_answer(("Amber", "Amber."), g, "the line", "the median of the 11 other "
                                             "Lancashire shire districts with a figure in the data held")
    assert "above the median of the 11 other Lancashire shire districts with a figure in the data held" in regional
    assert "comparator median" not in regional


def test_unit_cost():
    # £1,000,000 / 52,400 accounts = £19.08 per account
    assert gap.unit_cost(1_000_000, 52_400) == pytest.approx(19.0839694)
    assert gap.unit_cost(1_000_000, 0) is None
    assert gap.unit_cost(1_000_000, None) is None


def test_unit_costs_say_what_each_cost_covers():
    # Worcester's sample: 46,800 households served. The service budget £3,445k covers Waste collection + Recycling +
    # Open spaces (£3,445,000 / 46,800 = £73.61); on the value-for-money lines alone, RA 2023-24 Waste collection 884 +
    # Recycling 1,261 = £2,145k, £2,145,000 / 46,800 = £45.83 a household
    outputs = pd.DataFrame({"service_id": ["waste"], "measure": ["Households served"], "unit": ["households"],
                            "year": ["2024-25"], "volume": [46_800.0]})
    table = gap.unit_costs(outputs, 3_445_000.0, "the service budget: Waste collection + Recycling + Open spaces",
                           [("the value-for-money lines: Waste collection + Recycling", 2_145_000.0)])
    assert list(table.columns) == gap.UNIT_COST_COLUMNS
    assert table["cost_covers"].tolist() == ["the service budget: Waste collection + Recycling + Open spaces",
                                             "the value-for-money lines: Waste collection + Recycling"]
    assert table["unit_cost_gbp"].round(2).tolist() == [73.61, 45.83]
    assert gap.unit_costs(None, 1.0).empty and "cost_covers" in gap.unit_costs(None, 1.0).columns


# --- portfolio ------------------------------------------------------------------------


def _portfolio():
    return pd.DataFrame(
        {
            "service_id": ["leisure", "museums", "waste", "revenues_benefits"],
            "delivering_need_rag": ["Green", "Amber", "Green", None],
            "best_in_class_rag": ["Grey", "Grey", "Green", "Red"],
            "value_for_money_rag": ["Red", "Red", "Green", "Grey"],
            # leisure and museums share one RS block and carry the same block gap
            "efficiency_gap_to_median_gbp_thousands": [910.5, 910.5, -200.0, None],
            "rs_block": ["Cultural and related services", "Cultural and related services",
                         "Environmental and regulatory services", "Central services"],
        }
    )


def test_portfolio_counts_answer_the_seeds_questions():
    out = gap.portfolio_counts(_portfolio())
    assert out["services"] == 4
    assert out["delivering_need"]["answer"] == 2 and out["delivering_need"]["not_assessed"] == 1  # None → Grey
    assert out["best_in_class"]["answer"] == 1 and out["best_in_class"]["Grey"] == 2 and out["best_in_class"]["Red"] == 1
    assert out["value_for_money"]["answer"] == 1 and out["value_for_money"]["Red"] == 2
    assert gap.portfolio_headline(out)["value_for_money_count"] == "1 of 4"
    assert out["delivering_need"]["question"].startswith("How many of our current arrangements")


def test_portfolio_gap_counts_a_shared_block_once():
    out = gap.portfolio_counts(_portfolio())
    # Cultural block 910.5 once (not 1,821); Environmental −200; Central has no gap
    assert out["efficiency_gap_by_block_gbp_thousands"] == {
        "Cultural and related services": 910.5, "Environmental and regulatory services": -200.0,
    }
    assert out["efficiency_gap_above_median_gbp_thousands"] == pytest.approx(910.5)
    assert out["efficiency_gap_net_gbp_thousands"] == pytest.approx(710.5)
    assert "counted once" in out["efficiency_gap_note"] and "Leisure – Sports Centres, Museums" in out["efficiency_gap_note"]


def test_portfolio_block_with_different_gaps_is_an_error():
    frame = _portfolio()
    frame.loc[1, "efficiency_gap_to_median_gbp_thousands"] = 100.0
    with pytest.raises(ValueError, match="different gaps"):
        gap.portfolio_counts(frame)


# --- the whole analysis ---------------------------------------------------------------


def test_analyse_headline_and_all_grey_without_inputs():
    result = gap.analyse(
        service_id="rb",
        kpis=KPIS.assign(service_id="rb"),
        benchmarks=[gap.benchmark(VALUES, "C", COMPS, "higher", NAMES, measure="m"),
                    gap.benchmark(VALUES, "C", COMPS, "volume", NAMES, measure="size")],
        value_for_money=("Red", "Red: high cost, poor outcome."),
        spend_per_head=32.64, comparator_spend_per_head=COMPARATOR_SPEND, population=POPULATION,
    )
    head = result.headline()
    assert set(head) == {
        "delivering_need_rag", "best_in_class_rag", "value_for_money_rag", "efficiency_gap_to_median_gbp_thousands",
        "efficiency_gap_to_lower_quartile_gbp_thousands", "efficiency_gap_price_base_year", "kpis_off_target",
    }
    # two KPIs, both Amber: 2 of 2 off target > a third → Red
    assert head["delivering_need_rag"] == "Red" and head["kpis_off_target"] == 2
    assert head["best_in_class_rag"] == "Green"  # volume measure kept for display, not rated
    assert head["value_for_money_rag"] == "Red"  # the value-for-money rating passed in, never spend alone
    # no price base given: the gaps stay in cash and the headline says no price base
    assert head["efficiency_gap_to_median_gbp_thousands"] == 910.5 and head["efficiency_gap_price_base_year"] is None
    assert head["efficiency_gap_to_lower_quartile_gbp_thousands"] == 1883.0
    real = gap.analyse(service_id="rb", spend_per_head=32.64, comparator_spend_per_head=COMPARATOR_SPEND,
                       population=POPULATION, spend_year="2023-24", price_base_year="2024-25",
                       real_terms_factor=1.0389534829).headline()
    # at 2024-25 prices: 910.457 × 1.038953 = 945.92 → 945.9
    assert real["efficiency_gap_to_median_gbp_thousands"] == 945.9 and real["efficiency_gap_price_base_year"] == "2024-25"

    empty = gap.analyse(service_id="none").headline()
    assert [empty[k] for k in ("delivering_need_rag", "best_in_class_rag", "value_for_money_rag")] == ["Grey"] * 3
    assert empty["kpis_off_target"] is None and empty["efficiency_gap_to_median_gbp_thousands"] is None
    assert len(gap.analyse(service_id="none").narrative) == 3


# --- the rule tables: the table the report prints is the one that decides ------------------


# (rule index, deciding call, the facts that call measures) — one case per rule, in table order
KPI_CASES = [
    (0, lambda: gap.kpi_rag(100.0, 100.0, "higher"), gap.KpiFacts.of(100.0, 100.0, "higher")),
    (1, lambda: gap.kpi_rag(21.0, 20.0, "lower"), gap.KpiFacts.of(21.0, 20.0, "lower")),
    (2, lambda: gap.kpi_rag(89.9, 100.0, "higher", tolerance=0.10), gap.KpiFacts.of(89.9, 100.0, "higher", 0.10)),
]


def _one_survey_rag(pct, target, tolerance_points=5.0):
    return gap.survey_status(_survey([("q", "2024-25", pct, target)]), tolerance_points).at[0, "rag"]


SURVEY_CASES = [
    (0, lambda: _one_survey_rag(70.0, 70.0), gap.SurveyFacts(0.0)),
    (1, lambda: _one_survey_rag(65.0, 70.0), gap.SurveyFacts(-5.0)),
    (2, lambda: _one_survey_rag(65.0, 70.0, tolerance_points=4.9), gap.SurveyFacts(-5.0, 4.9)),
    (3, lambda: _one_survey_rag(65.0, None), gap.SurveyFacts(None)),
]
NEED_CASES = [
    (0, lambda: gap.delivering_need_rag(None, None)[0], gap.NeedFacts(0, 0, 0)),
    (1, lambda: gap.delivering_need_rag(_status(["Green", "Green", "Green", "Red"]), None)[0], gap.NeedFacts(4, 1, 1)),
    (2, lambda: gap.delivering_need_rag(_status(["Green", "Green", "Amber"]), None)[0], gap.NeedFacts(3, 1, 0)),
    (2, lambda: gap.delivering_need_rag(_status(["Green"]), None, {"need rising": True})[0],
     gap.NeedFacts(1, 0, 0, ("need rising",))),
    (3, lambda: gap.delivering_need_rag(_status(["Green"]), None, {"need rising": False})[0], gap.NeedFacts(1, 0, 0)),
]


def _bic(*quartiles):
    return gap.best_in_class_rag([_mark(q, f"m{i}") for i, q in enumerate(quartiles)])[0]


BEST_CASES = [
    (0, lambda: gap.best_in_class_rag([])[0], gap.BestInClassFacts(0)),
    (1, lambda: _bic(1), gap.BestInClassFacts(1, 1, 0)),
    (1, lambda: _bic(1, 1, 3), gap.BestInClassFacts.of([1, 1, 3])),
    (2, lambda: _bic(4), gap.BestInClassFacts(1, 0, 1)),
    (2, lambda: _bic(4, 4, 2), gap.BestInClassFacts.of([4, 4, 2])),
    (3, lambda: _bic(2), gap.BestInClassFacts(1, 0, 0)),
    (3, lambda: _bic(1, 1, 4), gap.BestInClassFacts.of([1, 1, 4])),
]


@pytest.mark.parametrize(
    "table, index, decide, facts",
    [(gap.KPI_RAG_RULES, *case) for case in KPI_CASES]
    + [(gap.SURVEY_RAG_RULES, *case) for case in SURVEY_CASES]
    + [(gap.DELIVERING_NEED_RULES, *case) for case in NEED_CASES]
    + [(gap.BEST_IN_CLASS_RULES, *case) for case in BEST_CASES],
)
def test_each_printed_rule_is_the_rule_that_decides(table, index, decide, facts):
    rule = table.rules[index]
    assert table.first(facts) is rule
    assert decide() == rule.outcome


@pytest.mark.parametrize(
    "table, cases",
    [(gap.KPI_RAG_RULES, KPI_CASES), (gap.SURVEY_RAG_RULES, SURVEY_CASES), (gap.DELIVERING_NEED_RULES, NEED_CASES),
     (gap.BEST_IN_CLASS_RULES, BEST_CASES)],
)
def test_every_rule_of_each_table_is_exercised(table, cases):
    assert isinstance(table, RuleTable)
    assert {index for index, _, _ in cases} == set(range(len(table)))


@pytest.mark.parametrize(
    "name, decide, normally",
    [
        ("KPI_RAG_RULES", lambda: gap.kpi_rag(100.0, 100.0, "higher"), "Green"),
        ("SURVEY_RAG_RULES", lambda: _one_survey_rag(70.0, 70.0), "Green"),
        ("DELIVERING_NEED_RULES", lambda: gap.delivering_need_rag(_status(["Green"]), None)[0], "Green"),
        ("BEST_IN_CLASS_RULES", lambda: _bic(1), "Green"),
    ],
)
def test_the_deciding_function_reads_the_module_table(monkeypatch, name, decide, normally):
    # the same call, with the module's table replaced by one whose only rule says Red: the function follows it
    assert decide() == normally
    monkeypatch.setattr(gap, name, RuleTable((Rule("Red", "always Red", always),)))
    assert decide() == "Red"


def test_printed_rule_tables_keep_their_wording():
    assert {name: getattr(gap, name).frame().values.tolist() for name in sorted(vars(gap)) if name.endswith("_RULES")} == {
        "BEST_IN_CLASS_RULES": [
            ["Grey", "no performance measure (higher/lower is better) with a value for the council and at least "
                     "one comparator"],
            ["Green", "in the best quarter of its comparators on most (more than half) of the rated measures, and in "
                      "the worst quarter on none"],
            ["Red", "in the worst quarter on most of the rated measures, and in the best quarter on none"],
            ["Amber", "otherwise (mostly in the middle two quarters, or best on some measures and worst on others); "
                      "the measures are the published statistics (DEFRA, MHCLG), the combining rule is this project's"],
        ],
        "DELIVERING_NEED_RULES": [
            ["Grey", "no KPI and no survey result with a target supplied"],
            ["Red", "any measure Red, or more than a third of the rated measures off target"],
            ["Amber", "any measure off target (Amber), or all on target but a need signal is flagged (need is rising "
                      "faster than the targets assume)"],
            ["Green", "every rated measure on or better than target and no need signal flagged"],
        ],
        "KPI_RAG_RULES": [
            ["Green", "on or better than target"],
            ["Amber", "on the wrong side of target by at most tolerance x |target| (default 5 %)"],
            ["Red", "on the wrong side of target by more than that"],
        ],
        "SURVEY_RAG_RULES": [
            ["Green", "% satisfied at or above the target (or benchmark)"],
            ["Amber", "below it by at most tolerance_points (default 5) percentage points"],
            ["Red", "below it by more than that"],
            ["Grey", "no target or benchmark to compare with (shown, not rated)"],
        ],
        "TREND_RULES": [  # analysis.common's, printed with the gap rules because it decides each KPI's trend
            ["one period only", "fewer than two periods with a value: no trend"],
            ["improving", "the least-squares slope over the last periods (a KPI: its last 4, of performance against "
                          "target as a share of the target; a published measure: its last 5 years, as a share of "
                          "their average) is better than +tolerance per period (default 1%)"],
            ["worsening", "the slope is worse than −tolerance per period"],
            ["stable", "otherwise: the slope is within ±tolerance per period (no published guidance sets a trend test "
                       "for KPIs or these statistics: the fitted line and its tolerance are this project's rule, stated "
                       "here)"],
        ],
    }
    assert list(gap.KPI_RAG_RULES.frame().columns) == ["rating", "rule"]


# --- the package's errors --------------------------------------------------------------------


def test_a_volume_kpi_is_an_input_table_error_naming_table_row_and_column():
    kpis = _kpi_rows([("Collected", "%", "higher", 97.0, "2024-25 Q4", 96.0, "s"),
                      ("Households", "n", "volume", 50_000.0, "2024-25 Q4", 52_000.0, "s")])
    kpis["source_row"] = [2, 3]
    with pytest.raises(InputTableError, match="volume") as caught:
        gap.kpi_status(kpis)
    error = caught.value
    assert (error.table, error.row, error.column) == ("KPIs", 3, "polarity")
    assert "Households" in str(error) and "What to do" in str(error)


def test_portfolio_errors_name_the_table_and_column():
    frame = _portfolio()
    frame.loc[0, "best_in_class_rag"] = "Purple"
    with pytest.raises(InputTableError, match="Purple") as caught:
        gap.portfolio_counts(frame)
    assert caught.value.column == "best_in_class_rag" and caught.value.table == gap.PORTFOLIO_TABLE
    frame = _portfolio()
    frame.loc[1, "efficiency_gap_to_median_gbp_thousands"] = 100.0
    with pytest.raises(InputTableError, match="different gaps") as caught:
        gap.portfolio_counts(frame)
    assert caught.value.column == "efficiency_gap_to_median_gbp_thousands"


def test_bad_arguments_are_parameter_errors():
    with pytest.raises(ParameterError, match="volume"):
        gap.best_in_class_rag([gap.benchmark(VALUES, "C", COMPS, "volume", NAMES, measure="households")])
    with pytest.raises(ParameterError, match="polarity"):
        gap.kpi_rag(1.0, 1.0, "sideways")
