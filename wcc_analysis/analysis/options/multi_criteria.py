"""Multi-criteria analysis (MCA) of the options' non-financial scores.

Green Book rule: benefits that cannot be valued in money are still appraised,
beside the NPV, not left out. Each option is scored 0–10 on each criterion;
scores are min–max normalised across the options per criterion and weighted
(weights scaled to sum to 1) into a total out of 100. Bad content in the
scores table is an :class:`InputTableError` naming the table and column.
"""

from __future__ import annotations

import math

import pandas as pd

from wcc_analysis.analysis.common import require_columns
from wcc_analysis.analysis.options._checks import SCORES, _check_options, _name_rows, _one_service, _ordered
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.vocabulary import OPTION_IDS, OPTION_LABELS

SCORE_COLUMNS = ["option_id", "criterion", "score", "weight"]

_SCORE_EVERY = "score every option on every criterion"


def _minmax(values: pd.Series) -> pd.Series:
    """Min–max to 0–1; all equal → 1 (nothing separates the options, so none is marked down)."""
    lo, hi = float(values.min()), float(values.max())
    if math.isclose(lo, hi, rel_tol=1e-12, abs_tol=1e-9):
        return pd.Series(1.0, index=values.index)
    return (values - lo) / (hi - lo)


def _check_scores(rows: pd.DataFrame) -> pd.Series:
    """InputTableError for a bad score, weight, duplicate or gap; else each criterion's weight."""
    bad = rows["score"].isna() | (rows["score"] < 0) | (rows["score"] > 10)
    if bad.any():
        where = _name_rows(rows, bad, ["option_id", "criterion", "score"])
        raise InputTableError(SCORES, f"score must be 0–10 (option / criterion / score: {where})", column="score",
                              fix="give each option a score from 0 (worst) to 10 (best) on each criterion")
    if rows["weight"].isna().any() or (rows["weight"] < 0).any():
        where = _name_rows(rows, rows["weight"].isna() | (rows["weight"] < 0), ["option_id", "criterion", "weight"])
        raise InputTableError(SCORES, f"weight must be 0 or more on every row (option / criterion / weight: {where})",
                              column="weight", fix="give each criterion a weight of 0 or more (weights are scaled to sum to 1)")
    if rows.duplicated(["option_id", "criterion"]).any():
        where = _name_rows(rows, rows.duplicated(["option_id", "criterion"]), ["option_id", "criterion"])
        raise InputTableError(SCORES, f"option scored twice on a criterion (option / criterion: {where})",
                              column="criterion", fix="keep one row per option and criterion")
    weights = rows.groupby("criterion", sort=False)["weight"].agg(["min", "max"])
    uneven = weights.index[weights["min"] != weights["max"]].tolist()
    if uneven:
        raise InputTableError(SCORES, f"criterion weight differs between options for {uneven}", column="weight",
                              fix="give one weight per criterion, the same on every option's row")
    weight = weights["max"]
    if float(weight.sum()) <= 0:
        raise InputTableError(SCORES, "the criterion weights sum to 0", column="weight",
                              fix="give at least one criterion a weight above 0")
    have = set(zip(rows["option_id"], rows["criterion"]))
    gaps = [f"{o} / {c}" for o in _ordered(rows["option_id"]) for c in weight.index if (o, c) not in have]
    if gaps:
        raise InputTableError(SCORES, f"missing score(s) for {gaps}", column="score", fix=_SCORE_EVERY)
    return weight


def mca_detail(scores: pd.DataFrame) -> pd.DataFrame:
    """Long MCA table: each option's score per criterion normalised 0–1 (min–max across options; all equal
    → 1), the criterion weight normalised to sum 1, and the points it earns (0–100 scale)."""
    require_columns(scores, SCORE_COLUMNS, SCORES)
    _one_service(scores, SCORES)
    rows = scores[SCORE_COLUMNS].copy()
    if rows.empty:
        raise InputTableError(SCORES, "no rows", fix=_SCORE_EVERY)
    _check_options(rows["option_id"], SCORES)
    rows["score"] = pd.to_numeric(rows["score"], errors="coerce")
    rows["weight"] = pd.to_numeric(rows["weight"], errors="coerce")
    weight = _check_scores(rows)
    criteria = list(weight.index)
    rows["normalised"] = rows.groupby("criterion", sort=False)["score"].transform(_minmax)
    rows["weight_normalised"] = rows["criterion"].map(weight / weight.sum())
    rows["points"] = 100.0 * rows["weight_normalised"] * rows["normalised"]
    rows["_o"] = rows["option_id"].map({o: i for i, o in enumerate(OPTION_IDS)})
    rows["_c"] = rows["criterion"].map({c: i for i, c in enumerate(criteria)})
    return rows.sort_values(["_o", "_c"]).drop(columns=["_o", "_c"]).reset_index(drop=True)


def mca(scores: pd.DataFrame) -> pd.DataFrame:
    """Weighted multi-criteria score per option: ``mca_total`` 0–100 and ``mca_rank`` (1 = best; ties share
    the better rank), with each criterion's points as a column (``mca_detail`` shows the working)."""
    detail = mca_detail(scores)
    wide = detail.pivot(index="option_id", columns="criterion", values="points")
    wide = wide.reindex(index=_ordered(detail["option_id"]), columns=list(dict.fromkeys(detail["criterion"])))
    table = wide.reset_index()
    table.columns.name = None
    table.insert(1, "label", table["option_id"].map(OPTION_LABELS))
    table["mca_total"] = wide.sum(axis=1).to_numpy()
    table["mca_rank"] = table["mca_total"].round(9).rank(ascending=False, method="min").astype(int)
    return table
