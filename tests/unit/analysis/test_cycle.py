"""The commissioning cycle tracker, proportionality and SOLACE readiness, checked by hand on small tables."""

import pandas as pd
import pytest

from wcc_analysis.analysis import cycle
from wcc_analysis.core.vocabulary import CYCLE_ACTIVITIES, CYCLE_COLUMNS, CYCLE_PHASES, SOLACE_CONDITIONS

SERVICES = pd.DataFrame({
    "service_id": ["b", "a", "c"], "service_name": ["Bins", "Arts", "Council tax"],
    "seed_phase": ["Design", "Analyse", "Analyse"],
})


def test_the_seed_table_is_in_the_seeds_order_and_wording():
    seed = cycle.seed_activities()
    assert len(seed) == 25 and set(seed["phase"]) == set(CYCLE_PHASES) and set(seed["column"]) == set(CYCLE_COLUMNS)
    assert seed.iloc[0].tolist() == ["Analyse", "policy-making", "Understanding the current service", 0]
    assert seed.groupby("phase", sort=False).size().to_dict() == {"Analyse": 7, "Design": 7, "Implement": 5, "Review": 6}
    assert "Contract refinement & adjustment" == CYCLE_ACTIVITIES[-1].activity
    assert len(SOLACE_CONDITIONS) == 10 and SOLACE_CONDITIONS[-1] == "Financial realism"


def test_services_are_placed_by_phase_then_name_and_counted_in_every_phase():
    placed = cycle.services_by_phase(SERVICES)
    assert placed["service_name"].tolist() == ["Arts", "Council tax", "Bins"]
    assert cycle.phase_counts(placed) == {"Analyse": 2, "Design": 1, "Implement": 0, "Review": 0}
    assert cycle.services_by_phase(None).empty


def test_tracker_fills_unrecorded_activities_and_proportionality_counts_them():
    placed = cycle.services_by_phase(SERVICES)
    recorded = pd.DataFrame({
        "service_id": ["a", "a", "c", "b"],
        "activity": ["Understanding need", "Analysing the market", "Understanding need", "Gap analysis"],
        "status": ["done", "not needed", "in progress", "done"],
        "reason": ["", "no market for it", "", ""],
    })
    tracked = cycle.tracker(placed, recorded)
    assert len(tracked) == 3 * 25
    arts = tracked[tracked["service_id"] == "a"].set_index("activity")
    assert arts.loc["Understanding need", "status"] == "done"
    assert arts.loc["Analysing the market", "reason"] == "no market for it"
    assert arts.loc["Option appraisal", "status"] == cycle.NOT_RECORDED
    grid = cycle.status_grid(tracked)
    assert grid.columns.tolist() == ["phase", "column", "activity", "Arts", "Council tax", "Bins"]
    assert grid.loc[grid["activity"] == "Gap analysis", "Bins"].item() == "done"
    prop = cycle.proportionality(tracked).set_index("service_id")
    # Arts: 1 done, 1 not needed, 23 not recorded; Council tax: 1 in progress; Bins (Design): 1 done
    assert prop.loc["a", ["done", "not needed", "not recorded"]].tolist() == [1, 1, 23]
    assert prop.loc["a", "activities_done"] == "Understanding need"
    assert prop.loc["a", "not_needed_and_why"] == "Analysing the market: no market for it"
    assert prop.loc["c", "in progress"] == 1 and prop.loc["b", "phase"] == "Design"
    assert cycle.tracker(placed, None)["status"].eq(cycle.NOT_RECORDED).all()


def _assessment(scores):
    return pd.DataFrame({"condition": SOLACE_CONDITIONS[:len(scores)], "score": [float(s) for s in scores],
                         "evidence": "e", "action": [f"act {i}" for i in range(len(scores))], "owner": "o"})


def test_the_three_lowest_are_the_weakest_ties_broken_by_the_seeds_order():
    # scores 5,4,3,3,4,5,3,4,5,3: lowest are 3s at positions 2,3,6,9 -> the first three by seed order: 2,3,6
    found = cycle.readiness(_assessment([5, 4, 3, 3, 4, 5, 3, 4, 5, 3]))
    assert found.mean_score == pytest.approx(39 / 10)
    assert found.weakest == [SOLACE_CONDITIONS[2], SOLACE_CONDITIONS[3], SOLACE_CONDITIONS[6]]
    assert found.weakest_actions["action"].tolist() == ["act 2", "act 3", "act 6"]
    assert found.headline() == {"solace_mean_score": 3.9, "solace_weakest": found.weakest, "solace_not_assessed": 0}


def test_every_condition_scored_two_or_below_is_among_the_weakest():
    # 1,2,2,2,5,5,5,5,5,4: four conditions at 2 or below, all weakest even beyond three, lowest first
    found = cycle.readiness(_assessment([2, 1, 2, 2, 5, 5, 5, 5, 5, 4]))
    assert found.weakest == [SOLACE_CONDITIONS[1], SOLACE_CONDITIONS[0], SOLACE_CONDITIONS[2], SOLACE_CONDITIONS[3]]
    assert found.mean_score == pytest.approx(3.6)


def test_unscored_conditions_are_not_assessed_and_no_table_gives_no_mean():
    found = cycle.readiness(_assessment([4, 4, 4, 4, 4, 4, 4, 4]))
    assert found.not_assessed == list(SOLACE_CONDITIONS[8:])
    assert found.weakest == list(SOLACE_CONDITIONS[:3])
    assert found.conditions.set_index("condition").loc["Financial realism", "reading"] == cycle.NOT_ASSESSED
    empty = cycle.readiness(None)
    assert empty.mean_score is None and empty.weakest == [] and len(empty.not_assessed) == 10


def test_the_rule_table_printed_is_the_rule_applied():
    frame = cycle.READINESS_RULES.frame()
    assert frame.columns.tolist() == ["reading", "rule"]
    assert frame["reading"].tolist() == [cycle.NOT_ASSESSED, cycle.WEAKEST, cycle.WEAKEST, "not among the weakest"]
    assert cycle.READINESS_RULES.decide(cycle.ConditionFacts(2.0, 9)) == cycle.WEAKEST
    assert cycle.READINESS_RULES.decide(cycle.ConditionFacts(4.0, 3)) == cycle.WEAKEST
    assert cycle.READINESS_RULES.decide(cycle.ConditionFacts(4.0, 4)) == "not among the weakest"
