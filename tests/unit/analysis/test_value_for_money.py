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
                                      "H": 80.0}), short="waste lines (budget)")


# group medians: recycling (0.35 + 0.45) / 2 = 0.40; residual (450 + 550) / 2 = 500; fly-tipping (8 + 10) / 2 = 9
RECYCLING = vfm.MeasureValues("rate", "Recycling rate (higher is better)", "2022-23", "share", "higher_is_better",
                              _values({"C": 0.42, "A": 0.30, "B": 0.50, "D": 0.35, "E": 0.45, "F": 0.6}),
                              value_format=".1%", is_spend=False)
RESIDUAL = vfm.MeasureValues("residual", "Residual waste per household (lower is better)", "2022-23", "kg",
                             "lower_is_better", _values({"C": 480.0, "A": 400.0, "B": 450.0, "D": 550.0, "E": 600.0}),
                             value_format=",.1f", is_spend=False)
FLY = vfm.MeasureValues("fly", "Fly-tipping per 1,000 (lower is better)", "2022-23", "per 1,000", "lower_is_better",
                        _values({"C": 12.0, "A": 5.0, "B": 8.0, "D": 10.0, "E": 20.0}), value_format=",.1f",
                        is_spend=False)


def _assess(cost=45.0, outcomes=(RECYCLING, RESIDUAL, FLY), context=()):
    return vfm.assess(service_id="waste", service_name="Waste", council="C", council_name="Council", names=NAMES,
                      group=GROUP, class_codes=CLASS, class_name="shire districts", unit=vfm.PER_HOUSEHOLD,
                      cost=None if cost is None else _cost(cost), outcomes=outcomes, context=context)


def test_low_cost_good_outcome_is_green_at_the_median_boundary():
    result = _assess(45.0)
    # council 45 = the comparator median 45: "at or below" → low cost. Outcomes: recycling 0.42 ≥ 0.40 and residual
    # 480 ≤ 500 are at or better, fly-tipping 12 > 9 is worse: 2 of 3, more than half → good outcome → Green
    assert (result.facts.spend, result.facts.median, result.facts.outcomes, result.facts.better) == (45.0, 45.0, 3, 2)
    assert result.rating == "Green"
    assert result.sentence.startswith("Green: low cost, good outcome. Cost: £45.00 per household on waste lines (budget)")
    assert "rank 3 of 5 among the comparators (1 = lowest), at or below their median of £45.00" in result.sentence
    assert "at or better than the comparator median on 2 of 3" in result.sentence and "worse on fly-tipping" in result.sentence


def test_high_cost_better_outcome_is_amber_and_high_cost_poor_outcome_red():
    assert _assess(45.01).rating == "Amber"  # a penny above the median, same outcomes: paying more for more
    assert "high cost, good outcome" in _assess(45.01).sentence
    # fly-tipping alone: 12 against a median of 9 → worse on 1 of 1 → poor outcome
    assert _assess(46.0, outcomes=(FLY,)).rating == "Red"
    assert _assess(46.0, outcomes=(FLY,)).sentence.startswith("Red: high cost, poor outcome.")
    assert _assess(44.0, outcomes=(FLY,)).rating == "Amber"  # low cost, poorer outcome
    # outcomes split evenly (better on recycling, worse on fly-tipping) → neither good nor poor → Amber either way
    assert _assess(30.0, outcomes=(RECYCLING, FLY)).rating == "Amber"
    assert _assess(60.0, outcomes=(RECYCLING, FLY)).rating == "Amber"
    assert "outcomes split evenly" in _assess(60.0, outcomes=(RECYCLING, FLY)).sentence


def test_cost_only_is_grey_with_the_reason_and_no_spend_is_grey():
    only = _assess(45.0, outcomes=())
    assert only.rating == "Grey" and only.sentence.startswith("Grey (cost only): no outcome measure for Waste is "
                                                              "published for Council and its comparators")
    assert "Cost: £45.00 per household" in only.sentence and only.cost_only and not _assess(45.0).cost_only
    # an outcome the council does not publish is left out, so the answer is still cost only
    lacking = vfm.MeasureValues("x", "x (higher is better)", "2022-23", "x", "higher_is_better",
                                _values({"A": 1.0, "B": 2.0}), is_spend=False)
    assert _assess(45.0, outcomes=(lacking,)).rating == "Grey"
    none = _assess(None)
    assert none.rating == "Grey" and none.sentence.startswith("Not available")


def test_quartiles_against_the_group_and_against_the_whole_class():
    cost = _assess(45.0).cost
    # group 30, 40, 50, 60 (linear quartiles 37.5, 45, 52.5): 45 ≤ median → second quarter; rank 3 of 5
    assert (cost.group["quartile"], cost.group["rank"], cost.group["n_with_measure"]) == (2, 3, 5)
    # class 10, 30, 40, 50, 60, 70, 80: quartiles 35, 50, 65 → 45 ≤ 50 → second quarter; rank 4 of 8
    assert cost.everyone["median"] == 50.0
    assert (cost.everyone["quartile"], cost.everyone["rank"], cost.everyone["n_with_measure"]) == (2, 4, 8)
    table = _assess(45.0).table()
    assert table.loc[0, "group_quartile"] == "second quarter" and table.loc[0, "class_rank"] == "4 of 8"
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
    assert "Council's net spend is negative (−£5.00)" in result.notes[0]
    assert "income on these lines" in result.notes[0] and "surplus" in result.notes[0]


# --- the rule table the report prints is the one that decides -------------------------------------------------

VFM_CASES = [
    (0, lambda: _assess(None).rating, vfm.VfmFacts(None, None)),
    (1, lambda: _assess(45.0, outcomes=()).rating, vfm.VfmFacts(45.0, 45.0, 0, 0)),
    (2, lambda: _assess(45.0).rating, vfm.VfmFacts(45.0, 45.0, 3, 2)),
    (3, lambda: _assess(46.0, outcomes=(FLY,)).rating, vfm.VfmFacts(46.0, 45.0, 1, 0)),
    (4, lambda: _assess(46.0).rating, vfm.VfmFacts(46.0, 45.0, 3, 2)),
    (4, lambda: _assess(44.0, outcomes=(FLY,)).rating, vfm.VfmFacts(44.0, 45.0, 1, 0)),
    (4, lambda: _assess(30.0, outcomes=(RECYCLING, FLY)).rating, vfm.VfmFacts(30.0, 45.0, 2, 1)),
]


@pytest.mark.parametrize("index, decide, facts", VFM_CASES)
def test_each_printed_rule_is_the_rule_that_decides(index, decide, facts):
    rule = vfm.VALUE_FOR_MONEY_RULES.rules[index]
    assert vfm.VALUE_FOR_MONEY_RULES.first(facts) is rule
    assert decide() == rule.outcome


def test_every_rule_is_exercised_and_the_wording_is_kept():
    assert {i for i, _, _ in VFM_CASES} == set(range(len(vfm.VALUE_FOR_MONEY_RULES)))
    assert vfm.VALUE_FOR_MONEY_RULES.frame()["rating"].tolist() == ["Grey", "Grey", "Green", "Red", "Amber"]
    assert vfm.VALUE_FOR_MONEY_RULES.frame()["rule"].tolist()[2].startswith("low cost, good outcome: spend at or below")


def test_the_rating_reads_the_module_table(monkeypatch):
    assert _assess(45.0).rating == "Green"
    monkeypatch.setattr(vfm, "VALUE_FOR_MONEY_RULES", RuleTable((Rule("Red", "always Red", always),)))
    assert _assess(45.0).rating == "Red"
