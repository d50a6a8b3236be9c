"""Priority setting: weighted scores, ranks and rank stability, checked by hand."""

import pandas as pd
import pytest

from wcc_analysis.analysis import priority
from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.ingest.council.council_data import load_council_data

SEED_WEIGHTS = {
    "Spend": 1, "Potential savings": 2, "Service quality": 1, "Strategic significance": 1,
    "Market maturity": 2, "Customer views": 1, "Risk vs reward": 1,
}


def _scores(rows):
    return pd.DataFrame(rows, columns=["service_id", "criterion", "score"])


def test_config_carries_the_seed_weights():
    assert load_config().priority_weights == SEED_WEIGHTS


def test_weighted_total_and_rank_by_hand():
    # a: High on everything -> 3 x (1+2+1+1+2+1+1) = 27; b: Low everywhere but
    # High on the two double-weighted criteria -> 1x5 + 3x2x2 = 17.
    rows = [("a", c, "High") for c in SEED_WEIGHTS]
    rows += [("b", c, "High" if c in ("Potential savings", "Market maturity") else "Low") for c in SEED_WEIGHTS]
    points = priority.score_points(_scores(rows), list(SEED_WEIGHTS))
    table = priority.weighted_scores(points, SEED_WEIGHTS)
    assert table.loc["a", "weighted_total"] == 27
    assert table.loc["b", "weighted_total"] == 17
    assert table.loc["a", "max_possible"] == 27
    assert table["rank"].to_dict() == {"a": 1, "b": 2}


def test_ties_share_the_better_rank():
    assert priority.rank_descending(pd.Series({"x": 5.0, "y": 5.0, "z": 1.0})).to_dict() == {"x": 1, "y": 1, "z": 3}


def test_rank_stability_by_hand():
    # Two criteria, weights 1..2 (4 combinations). A = (3,1), B = (1,3).
    # (1,1): 4 v 4 tie -> both 1; (1,2): 5 v 7 -> B first; (2,1): 7 v 5 -> A first; (2,2): tie.
    points = pd.DataFrame({"c1": [3.0, 1.0], "c2": [1.0, 3.0]}, index=["A", "B"])
    stability = priority.rank_stability(points, {"c1": 1, "c2": 1}, low=1, high=2)
    assert stability["combinations"].tolist() == [4, 4]
    assert stability.loc["A", "share_same_rank"] == pytest.approx(0.75)
    assert stability.loc["B", "share_same_rank"] == pytest.approx(0.75)
    assert stability.loc["A", "worst_rank"] == 2 and stability.loc["A", "best_rank"] == 1


def test_weight_grid_covers_every_combination():
    grid = priority.weight_grid(list(SEED_WEIGHTS))
    assert len(grid) == 3**7 == 2187
    assert not grid.duplicated().any()


def test_worcester_sample_scores_by_hand():
    data = load_council_data("E07000237")
    result = priority.analyse(data.priority_scores, data.services, SEED_WEIGHTS)
    # leisure 3+6+2+2+6+2+2, waste 3+4+3+3+6+3+2, museums 1+4+2+2+2+2+1, revenues 2+4+2+1+6+1+2
    assert result.table["weighted_total"].to_dict() == {"waste": 24, "leisure": 23, "revenues_benefits": 18, "museums": 14}
    assert result.headline()["priority_rank"] == {"waste": 1, "leisure": 2, "revenues_benefits": 3, "museums": 4}
    assert result.table.loc["waste", "category"] == "Must Do"
    # waste leads under every weighting of 1..3 (it never scores below leisure)
    assert result.stability.loc["waste", "share_same_rank"] == 1.0
    assert 0 < result.stability.loc["museums", "share_same_rank"] < 1


def test_unknown_score_is_rejected():
    rows = [("a", c, "Very high") for c in SEED_WEIGHTS]
    with pytest.raises(ValueError, match="Very high"):
        priority.score_points(_scores(rows), list(SEED_WEIGHTS))


def test_score_errors_name_the_table_row_and_column():
    rows = [("a", c, "Very high" if c == "Spend" else "High") for c in SEED_WEIGHTS]
    scores = _scores(rows).assign(source_row=range(2, len(rows) + 2))
    with pytest.raises(InputTableError, match="Very high") as caught:
        priority.score_points(scores, list(SEED_WEIGHTS))
    assert (caught.value.table, caught.value.row, caught.value.column) == ("priority scores", 2, "score")
    assert "What to do" in str(caught.value)
    partial = _scores([("a", c, "High") for c in list(SEED_WEIGHTS)[:-1]])
    with pytest.raises(InputTableError, match="Risk vs reward") as caught:
        priority.score_points(partial, list(SEED_WEIGHTS))
    assert caught.value.column == "criterion"
    with pytest.raises(InputTableError, match="score"):
        priority.score_points(partial.drop(columns="score"), list(SEED_WEIGHTS))
