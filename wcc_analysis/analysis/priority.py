"""Priority setting (seed section 6): weighted High/Medium/Low scores and rank stability.

Pure functions: DataFrames in, DataFrames out. A bad scores table is an
:class:`~wcc_analysis.core.errors.InputTableError` naming the table ("priority
scores"), the column and, when the table carries ``source_row``, the file row.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis.common import file_row, require_columns
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.vocabulary import DEFAULT_SCORE_VALUES

#: The scores table, as the analyst knows it (the council template's file).
SCORES_TABLE = "priority scores"


def score_points(
    scores: pd.DataFrame, criteria: Sequence[str], score_values: Mapping[str, int] = DEFAULT_SCORE_VALUES
) -> pd.DataFrame:
    """Long scores (service_id, criterion, score) → wide points (service × criterion, 3/2/1)."""
    require_columns(scores, ["service_id", "criterion", "score"], SCORES_TABLE)
    points = scores.assign(points=scores["score"].map(score_values))
    if points["points"].isna().any():
        unscored = points[points["points"].isna()]
        bad = unscored["score"].unique().tolist()
        raise InputTableError(SCORES_TABLE, f"scores must be one of {list(score_values)}; got {bad}",
                              row=file_row(unscored), column="score",
                              fix=f"score each criterion {', '.join(map(str, score_values))}")
    wide = points.pivot(index="service_id", columns="criterion", values="points")
    missing = [c for c in criteria if c not in wide.columns]
    if missing:
        raise InputTableError(SCORES_TABLE, f"no scores for criteria {missing}", column="criterion",
                              fix="score every service on each of these criteria, or take them out of the weights "
                                  "([priority.weights] in config/services.toml)")
    return wide.loc[:, list(criteria)].astype(float).sort_index()


def rank_descending(totals: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Rank 1 = highest total; tied totals share the better rank."""
    axis = 1 if isinstance(totals, pd.DataFrame) else 0
    return totals.rank(axis=axis, ascending=False, method="min").astype(int)


def weighted_scores(
    points: pd.DataFrame, weights: Mapping[str, float], score_values: Mapping[str, int] = DEFAULT_SCORE_VALUES
) -> pd.DataFrame:
    """Weighted total and rank per service (rank 1 = highest priority for commissioning).

    ``max_possible`` is the total a service scored at the top value (``score_values``) on every criterion.
    """
    w = pd.Series({c: float(weights[c]) for c in points.columns})
    table = points.copy()
    table["weighted_total"] = points.mul(w, axis=1).sum(axis=1)
    table["max_possible"] = float(w.sum() * max(score_values.values()))
    table["rank"] = rank_descending(table["weighted_total"])
    return table.sort_values(["rank", "weighted_total"], ascending=[True, False], kind="stable")


def weight_grid(criteria: Sequence[str], low: int = 1, high: int = 3) -> pd.DataFrame:
    """Every combination of integer weights low..high for the criteria (3^7 = 2,187 for the seed)."""
    levels = range(int(low), int(high) + 1)
    return pd.DataFrame(list(itertools.product(levels, repeat=len(criteria))), columns=list(criteria))


def rank_stability(
    points: pd.DataFrame, weights: Mapping[str, float], low: int = 1, high: int = 3
) -> pd.DataFrame:
    """How often each service keeps its rank when every weight varies over low..high.

    Returns one row per service: its rank under ``weights``, the share of weight
    combinations giving the same rank, and the best and worst rank seen.
    """
    grid = weight_grid(points.columns, low, high)
    totals = pd.DataFrame(grid.to_numpy(float) @ points.to_numpy(float).T, columns=points.index)
    ranks = rank_descending(totals)
    base = weighted_scores(points, weights)["rank"].reindex(points.index)
    same = ranks.eq(base, axis=1)
    result = pd.DataFrame(
        {
            "rank": base,
            "share_same_rank": same.mean(axis=0),
            "best_rank": ranks.min(axis=0),
            "worst_rank": ranks.max(axis=0),
            "combinations": len(grid),
        }
    )
    result.index.name = "service_id"
    return result.sort_index().sort_values("rank", kind="stable")


def priority_table(
    scores: pd.DataFrame,
    services: pd.DataFrame,
    weights: Mapping[str, float],
    score_values: Mapping[str, int] = DEFAULT_SCORE_VALUES,
) -> pd.DataFrame:
    """The priority-setting table: scores, weighted total, rank and the council's category."""
    points = score_points(scores, list(weights), score_values)
    table = weighted_scores(points, weights, score_values)
    info = services.set_index("service_id")[["service_name", "category"]]
    table = table.join(info, how="left")
    ordered = ["service_name", "category", *weights, "weighted_total", "max_possible", "rank"]
    return table[ordered]


@dataclass
class PriorityResult:
    table: pd.DataFrame  # per service: scores, weighted_total, rank, category
    stability: pd.DataFrame  # per service: share_same_rank, best/worst rank
    rationale: pd.DataFrame  # service, criterion, score, rationale
    weights: dict[str, float]
    score_values: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SCORE_VALUES))

    def headline(self) -> dict:
        return {
            "priority_score": {s: float(v) for s, v in self.table["weighted_total"].items()},
            "priority_rank": {s: int(v) for s, v in self.table["rank"].items()},
            "priority_category": {s: str(v) for s, v in self.table["category"].items()},
            "rank_kept_share": {s: round(float(v), 4) for s, v in self.stability["share_same_rank"].items()},
        }


def analyse(
    scores: pd.DataFrame,
    services: pd.DataFrame,
    weights: Mapping[str, float],
    score_values: Mapping[str, int] = DEFAULT_SCORE_VALUES,
    weight_range: tuple[int, int] = (1, 3),
) -> PriorityResult:
    """The whole priority-setting exercise for one council's scores."""
    table = priority_table(scores, services, weights, score_values)
    points = score_points(scores, list(weights), score_values)
    stability = rank_stability(points, weights, *weight_range)
    names = services.set_index("service_id")["service_name"]
    rationale = scores.assign(service_name=scores["service_id"].map(names))
    rationale = rationale[["service_name", "criterion", "score", "rationale"]]
    order = {c: i for i, c in enumerate(weights)}
    rationale = rationale.sort_values(
        ["service_name", "criterion"], key=lambda s: s.map(order) if s.name == "criterion" else s
    ).reset_index(drop=True)
    return PriorityResult(table=table, stability=stability, rationale=rationale, weights=dict(weights),
                          score_values=dict(score_values))
