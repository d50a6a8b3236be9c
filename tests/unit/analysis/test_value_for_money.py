"""Value for money (question 3): cost against outcome, checked by hand; the rule the report prints is the one that runs."""

import pandas as pd
import pytest

from wcc_analysis.analysis import value_for_money as vfm
from wcc_analysis.core.rules import Rule, RuleTable, always

NAMES = {"C": "Council", "A": "Alpha", "B": "Beta", "D": "Delta", "E": "Echo", "F": "Fox", "G": "Golf", "H": "Hotel"}
GROUP = ["A", "B", "D", "E"]
CLASS = ["A", "B", "C", "D", "E", "F", "G", "H"]


def _values(mapping):
    return pd.DataFrame({"ons_code": list(mapping), "value": list(mapping.values())})


def _cost(council=45.0):
    # group 30, 50, 60, 40 → median (40 + 50) / 2 = 45; the class adds F 10, G 70, H 80
    return vfm.MeasureValues("cost", "Waste lines budget per household (lower is cheaper)", "2023-24",
                             "£ per household (budget)", "lower_is_better",
                             _values({"C": council, "A": 30.0, "B": 50.0, "D": 60.0, "E": 40.0, "F": 10.0, "G": 70.0,
                                      "H": 80.0}), short="waste lines (budget)", suffix=" per household")


# group A, B, D, E medians: recycling (0.35 + 0.45) / 2 = 0.40; residual (450 + 550) / 2 = 500; fly-tipping
# (8 + 10) / 2 = 9. Outcome band ±5 % of the median: recycling 0.38 … 0.42, residual 475 … 525, fly-tipping 8.55 … 9.45
RECYCLING = vfm.MeasureValues("rate", "Recycling rate (higher is better)", "2022-23", "share", "higher_is_better",
                              _values({"C": 0.42, "A": 0.30, "B": 0.50, "D": 0.35, "E": 0.45, "F": 0.6}),
                              value_format=".1%", is_spend=False, when="DEFRA 2022-23")
RESIDUAL = vfm.MeasureValues("residual", "Residual waste per household (lower is better)", "2022-23", "kg",
                             "lower_is_better", _values({"C": 480.0, "A": 400.0, "B": 450.0, "D": 550.0, "E": 600.0}),
                             value_format=",.1f", is_spend=False, suffix=" kg", when="DEFRA 2022-23")
FLY = vfm.MeasureValues("fly", "Fly-tipping per 1,000 (lower is better)", "2022-23", "per 1,000", "lower_is_better",
                        _values({"C": 12.0, "A": 5.0, "B": 8.0, "D": 10.0, "E": 20.0}), value_format=",.1f",
                        is_spend=False, when="DEFRA 2022-23")


def _variant(measure, council_value):
    values = measure.values.copy()
    values.loc[values["ons_code"] == "C", "value"] = council_value
    return vfm.MeasureValues(measure.id, measure.label, measure.year, measure.unit, measure.polarity, values,
                             value_format=measure.value_format, is_spend=False, suffix=measure.suffix, when=measure.when)


# clearly better: residual 420 kg, 16 % better than 500 (lower quartile of 400, 450, 550, 600 is 437.5 → best quarter);
# recycling 0.48, 20 % better than 0.40. Clearly worse in the worst quarter: fly-tipping 25 (upper quartile 12.5)
RESIDUAL_GOOD, RECYCLING_GOOD, FLY_BAD = _variant(RESIDUAL, 420.0), _variant(RECYCLING, 0.48), _variant(FLY, 25.0)


def _assess(cost=45.0, outcomes=(RECYCLING, RESIDUAL, FLY), context=(), tolerance=0.05, **kwargs):
    return vfm.assess(service_id="waste", service_name="Waste", council="C", council_name="Council", names=NAMES,
                      group=GROUP, class_codes=CLASS, class_name="shire districts", unit=vfm.PER_HOUSEHOLD,
                      cost=None if cost is None else _cost(cost), outcomes=outcomes, context=context,
                      tolerance=tolerance, **kwargs)


def test_an_outcome_within_five_per_cent_of_the_median_is_at_the_median():
    # Worcester 2022-23 (DEFRA) against its earlier group's medians: residual 431.4 kg against 438.2 kg is
    # (438.2 − 431.4) / 438.2 = 1.55 % better — inside ±5 %, so at the median, not "better"; recycling 35.0 %
    # against 38.5 % is 9.1 % worse; fly-tipping 3.3 against 10.2 per 1,000 is 67.6 % better
    assert vfm.outcome_position(431.4, 438.2, "lower_is_better") == vfm.AT_MEDIAN
    assert vfm.outcome_position(0.350, 0.385, "higher_is_better") == vfm.WORSE
    assert vfm.outcome_position(3.3, 10.2, "lower_is_better") == vfm.BETTER
    # the band is relative to the median and its edge counts as at the median: 0.42 is exactly 5 % above 0.40
    assert vfm.outcome_position(0.42, 0.40, "higher_is_better") == vfm.AT_MEDIAN
    assert vfm.outcome_position(0.4201, 0.40, "higher_is_better") == vfm.BETTER
    assert vfm.outcome_position(0.3799, 0.40, "higher_is_better") == vfm.WORSE
    # configurable: with no band, any difference decides (residual 1.55 % better is better)
    assert vfm.outcome_position(431.4, 438.2, "lower_is_better", tolerance=0.0) == vfm.BETTER
    assert vfm.outcome_position(438.2, 438.2, "lower_is_better", tolerance=0.0) == vfm.AT_MEDIAN
    text = vfm.OUTCOME_POSITION_RULES.frame()["rule"].iloc[0]
    assert "this project's judgement" in text and "no published guidance" in text and "±5 %" in text


def test_outcomes_at_the_median_no_longer_count_as_better():
    result = _assess(45.0)
    # council 45 = the comparator median 45: "at or below" → low cost. Recycling 0.42 is +5.0 % (on the edge: at the
    # median), residual 480 is 4.0 % better (at the median), fly-tipping 12 is 33.3 % worse (third quarter: upper
    # quartile 12.5) → better 0, at 2, worse 1: low cost but outcomes no better on balance → Amber (it was Green when
    # "at or better than the median" counted as better)
    f = result.facts
    assert (f.spend, f.median, f.outcomes, f.better, f.at_median, f.worse, f.worst_quarter) == (45.0, 45.0, 3, 0, 2, 1, 0)
    assert result.rating == "Amber" and result.counts == "better on 0, at the median on 2, worse on 1 of 3"
    assert result.sentence.startswith("Amber: low cost, poorer outcomes (better on 0, at the median on 2, worse on 1 "
                                      "of 3; within ±5 % of the median counts as at the median).")
    assert "Cost: £45.00 per household on waste lines (budget)" in result.sentence
    assert "rank 3 of 5 among the comparators (1 = lowest), at or below their median of £45.00 per household" in \
        result.sentence
    assert ("at the median — recycling rate 42.0% against 40.0%, 5.0 % better; residual waste per household 480.0 kg "
            "against 500.0 kg, 4.0 % better; worse — fly-tipping per 1,000 12.0 against 9.0, 33.3 % worse") in \
        result.sentence
    assert [o.position for o in result.outcomes] == ["at the median", "at the median", "worse"]
    assert result.outcomes[1].against_median == "at the median (4.0 % better; within ±5 %)"
    # with no band the same figures count as better on two of three, none in the worst quarter → Green
    assert _assess(45.0, tolerance=0.0).rating == "Green"


def test_green_needs_more_better_than_worse_and_none_in_the_worst_quarter():
    # residual 16 % better (best quarter), recycling at the median, fly-tipping 33 % worse: better 1 = worse 1 → Amber
    assert _assess(40.0, outcomes=(RECYCLING, RESIDUAL_GOOD, FLY)).rating == "Amber"
    # better on two (recycling +20 %, residual +16 %), worse on one not in the worst quarter → Green
    green = _assess(40.0, outcomes=(RECYCLING_GOOD, RESIDUAL_GOOD, FLY))
    assert green.rating == "Green" and green.sentence.startswith("Green: low cost, better outcomes (better on 2")
    assert "In the worst quarter of those compared with on none." in green.sentence
    # the same, but fly-tipping 25 is in the worst quarter (above the upper quartile 12.5) → Amber
    blocked = _assess(40.0, outcomes=(RECYCLING_GOOD, RESIDUAL_GOOD, FLY_BAD))
    assert (blocked.facts.better, blocked.facts.worse, blocked.facts.worst_quarter) == (2, 1, 1)
    assert blocked.rating == "Amber" and "worst quarter of those compared with on 1 (fly-tipping per 1,000)" in \
        blocked.sentence


def test_high_cost_is_red_only_when_worse_outweighs_better():
    # fly-tipping alone: 12 against 9 is 33 % worse → worse 1, better 0 → high cost, poorer outcomes
    assert _assess(46.0, outcomes=(FLY,)).rating == "Red"
    assert _assess(46.0, outcomes=(FLY,)).sentence.startswith("Red: high cost, poorer outcomes")
    assert _assess(45.01, outcomes=(FLY,)).rating == "Red"  # a penny above the median is above it: no band on cost
    assert _assess(44.0, outcomes=(FLY,)).rating == "Amber"  # low cost, poorer outcome
    # high cost with outcomes at the median only (paying more for the same) → Amber, never Red
    assert _assess(60.0, outcomes=(RECYCLING, RESIDUAL)).rating == "Amber"
    # better on one, worse on one → balanced → Amber at either cost
    assert _assess(30.0, outcomes=(RESIDUAL_GOOD, FLY)).rating == "Amber"
    assert "high cost, outcomes balanced" in _assess(60.0, outcomes=(RESIDUAL_GOOD, FLY)).sentence


def test_the_sentence_carries_the_years_it_sets_against_each_other():
    cost = vfm.MeasureValues("cost", "Waste lines budget per household (lower is cheaper)", "2023-24",
                             "£ per household (budget)", "lower_is_better", _cost().values,
                             short="waste lines (budget)", suffix=" per household", when="RA 2023-24 budget")
    result = vfm.assess(service_id="waste", service_name="Waste", council="C", council_name="Council", names=NAMES,
                        group=GROUP, class_codes=CLASS, class_name="shire districts", unit=vfm.PER_HOUSEHOLD,
                        cost=cost, outcomes=(RECYCLING, RESIDUAL, FLY), group_year="2024-25",
                        households_year="2022-23")
    years = ("Years: the RA 2023-24 budget is set against the DEFRA 2022-23 outcomes and households derived from "
             "DEFRA 2022-23; the comparator group was chosen on 2024-25 data.")
    assert years in result.sentence
    # the quadrant caption of one outcome names that outcome's year alone
    assert result.years([result.outcomes[1]]) == ("the RA 2023-24 budget is set against the DEFRA 2022-23 outcome and "
                                                  "households derived from DEFRA 2022-23; the comparator group was "
                                                  "chosen on 2024-25 data")
    # cost only still says the years of what it shows
    only = vfm.assess(service_id="leisure", service_name="Leisure", council="C", council_name="Council", names=NAMES,
                      group=GROUP, class_codes=CLASS, class_name="shire districts", unit=vfm.PER_HEAD,
                      cost=vfm.MeasureValues("c", "Lines budget per head", "2023-24", "£ per head", "lower_is_better",
                                             _cost().values, when="RA 2023-24 budget"), group_year="2024-25")
    assert "Years: the cost is the RA 2023-24 budget; the comparator group was chosen on 2024-25 data." in only.sentence


def test_an_outcome_compared_with_a_regional_extract_is_named_for_what_it_is():
    # only the council and three others hold the figure: question 2 compared it with those three, named
    rate = vfm.MeasureValues("ct", "Council tax collected (higher is better)", "2024-25", "%", "higher_is_better",
                             _values({"C": 94.36, "F": 95.0, "G": 95.68, "H": 97.0}), is_spend=False, suffix="%",
                             group=("F", "G", "H"), when="MHCLG 2024-25",
                             compared_with="the 3 other Lancashire shire districts with a figure in the data held",
                             class_set="the 4 shire districts with a figure in the data held, all in Lancashire — not "
                                       "a national comparison")
    result = _assess(40.0, outcomes=(rate,))
    # median of 95.0, 95.68, 97.0 = 95.68; 94.36 is (95.68 − 94.36) / 95.68 = 1.38 % worse → at the median (±5 %)
    assert result.outcomes[0].median == 95.68 and result.outcomes[0].position == vfm.AT_MEDIAN
    assert ("council tax collected 94.36% against 95.68%, the median of the 3 other Lancashire shire districts with a "
            "figure in the data held, 1.4 % worse") in result.sentence
    row = result.table().iloc[1]
    assert row["compared_with"].startswith("the 3 other Lancashire") and "not a national comparison" in row["class_set"]
    assert "all shire districts" not in result.sentence


def test_quartiles_against_the_group_and_against_the_whole_class():
    cost = _assess(45.0).cost
    # group 30, 40, 50, 60 (linear quartiles 37.5, 45, 52.5): 45 ≤ median → second quarter; rank 3 of 5
    assert (cost.group["quartile"], cost.group["rank"], cost.group["n_with_measure"]) == (2, 3, 5)
    # class 10, 30, 40, 50, 60, 70, 80: quartiles 35, 50, 65 → 45 ≤ 50 → second quarter; rank 4 of 8
    assert cost.everyone["median"] == 50.0
    assert (cost.everyone["quartile"], cost.everyone["rank"], cost.everyone["n_with_measure"]) == (2, 4, 8)
    table = _assess(45.0).table()
    assert table.loc[0, "group_quartile"] == "second quarter" and table.loc[0, "class_rank"] == "4 of 8"
    # every value in its own format and unit; the class set named (no areas given: its size alone)
    assert table.loc[0, "council_value"] == "£45.00 per household" and table.loc[2, "council_value"] == "480.0 kg"
    assert table.loc[1, "council_value"] == "42.0%" and table.loc[0, "class_set"].startswith("the 8 shire districts")
    # an outcome's quarters read best … worst: recycling 0.42 among 0.30, 0.35, 0.45, 0.50 (quartiles 0.3375, 0.40,
    # 0.4625) → ≥ median → second quarter
    assert table.loc[1, "group_quartile"] == "second quarter"
    assert "coarse" in _assess(45.0).notes[-1] and "4 comparators" in _assess(45.0).notes[-1]


def test_the_quadrant_has_every_authority_with_both_figures():
    quadrant = _assess(45.0).quadrant(_assess(45.0).outcomes[0])
    # recycling is published by C, A, B, D, E, F; cost by all eight: both for six
    assert quadrant["ons_code"].tolist() == ["A", "B", "C", "D", "E", "F"]
    assert quadrant.set_index("ons_code").loc["C", ["cost", "outcome"]].tolist() == [45.0, 0.42]
    assert quadrant["in_group"].sum() == 4 and quadrant["is_council"].sum() == 1


def test_spend_counted_per_household_or_per_head():
    assert vfm.spend_unit(True, True) == "per household"
    assert vfm.spend_unit(True, False) == "per head"  # households not known for the council: per head, and said
    assert vfm.spend_unit(False, True) == "per head"
    assert vfm.SPEND_UNIT_RULES.frame()["spend counted"].tolist() == ["per household", "per head"]


def test_block_spend_gross_net_and_income_share_by_hand():
    outturn = pd.DataFrame({
        "ons_code": ["C", "A", "B", "C"], "year": ["2024-25", "2024-25", "2024-25", "2023-24"],
        "rs_block": ["Env"] * 4, "net_expenditure_gbp_thousands": [500.0, -200.0, 50.0, 1.0],
        "total_expenditure_gbp_thousands": [800.0, 100.0, 0.0, 1.0], "total_income_gbp_thousands": [300.0, 300.0, 0.0, 0.0],
    })
    people = pd.DataFrame({"ons_code": ["C", "A", "B"], "year_start": [2024] * 3, "population": [100_000, 50_000, 25_000]})
    table = vfm.block_spend(outturn, people, "Env", "2024-25").set_index("ons_code")
    # C: 800 / 100,000 → £8.00 gross, £3.00 income, £5.00 net per head; income share 300 / 800 = 37.5 %
    assert table.loc["C"].tolist() == pytest.approx([8.0, 3.0, 5.0, 0.375])
    # A: income above spending → net −£4.00 per head (a surplus)
    assert table.loc["A", "net_per_head"] == pytest.approx(-4.0)
    assert pd.isna(table.loc["B", "income_share"])  # no expenditure: no share, not 0
    measures = vfm.block_measures(table.reset_index(), "Env", "2024-25", "src")
    result = _assess(45.0, context=measures)
    notes = " ".join(result.notes)
    assert "1 comparator with negative net spend (income above spending, a surplus): Alpha −£4.00" in notes


def test_a_negative_net_spend_for_the_council_is_explained():
    result = _assess(-5.0, outcomes=())
    assert "Council's net spend is negative (−£5.00 per household)" in result.notes[0]
    assert "income on these lines" in result.notes[0] and "surplus" in result.notes[0]


# --- the rule table the report prints is the one that decides -------------------------------------------------

VFM_CASES = [  # VfmFacts(spend, median, outcomes, better, worse, worst_quarter)
    (0, lambda: _assess(None).rating, vfm.VfmFacts(None, None)),
    (1, lambda: _assess(45.0, outcomes=()).rating, vfm.VfmFacts(45.0, 45.0, 0, 0)),
    (2, lambda: _assess(40.0, outcomes=(RECYCLING_GOOD, RESIDUAL_GOOD, FLY)).rating, vfm.VfmFacts(40.0, 45.0, 3, 2, 1, 0)),
    (3, lambda: _assess(46.0, outcomes=(FLY,)).rating, vfm.VfmFacts(46.0, 45.0, 1, 0, 1, 0)),
    (4, lambda: _assess(45.0).rating, vfm.VfmFacts(45.0, 45.0, 3, 0, 1, 0)),
    (4, lambda: _assess(40.0, outcomes=(RECYCLING_GOOD, RESIDUAL_GOOD, FLY_BAD)).rating,
     vfm.VfmFacts(40.0, 45.0, 3, 2, 1, 1)),
    (4, lambda: _assess(60.0, outcomes=(RECYCLING, RESIDUAL)).rating, vfm.VfmFacts(60.0, 45.0, 2, 0, 0, 0)),
    (4, lambda: _assess(30.0, outcomes=(RESIDUAL_GOOD, FLY)).rating, vfm.VfmFacts(30.0, 45.0, 2, 1, 1, 0)),
]


@pytest.mark.parametrize("index, decide, facts", VFM_CASES)
def test_each_printed_rule_is_the_rule_that_decides(index, decide, facts):
    rule = vfm.VALUE_FOR_MONEY_RULES.rules[index]
    assert vfm.VALUE_FOR_MONEY_RULES.first(facts) is rule
    assert decide() == rule.outcome


def test_every_rule_is_exercised_and_the_wording_is_kept():
    assert {i for i, _, _ in VFM_CASES} == set(range(len(vfm.VALUE_FOR_MONEY_RULES)))
    assert vfm.VALUE_FOR_MONEY_RULES.frame()["rating"].tolist() == ["Grey", "Grey", "Green", "Red", "Amber"]
    rules = vfm.VALUE_FOR_MONEY_RULES.frame()["rule"].tolist()
    assert rules[2].startswith("low cost, better outcomes: spend at or below the comparator median, better than the "
                               "median (beyond the ±tolerance band)")
    assert "worst quarter of those compared with on none" in rules[2]
    assert "no published guidance" in rules[4] and "split exactly at the median" in rules[4]
    assert vfm.OUTCOME_POSITION_RULES.frame()["outcome"].tolist() == ["at the median", "better", "worse"]


def test_the_rating_reads_the_module_table(monkeypatch):
    assert _assess(45.0).rating == "Amber"
    monkeypatch.setattr(vfm, "VALUE_FOR_MONEY_RULES", RuleTable((Rule("Red", "always Red", always),)))
    assert _assess(45.0).rating == "Red"
