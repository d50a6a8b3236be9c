"""Sensitivity of the preferred option: switching values, a tornado table and a seeded Monte Carlo run.

Green Book rule: test how far the key inputs would have to change to alter
the choice (the switching value), show which inputs move the NPV most (each
in turn ± a swing) and give the spread of outcomes when every uncertain
amount varies together (P10 / P50 / P90 over random draws, reproducible from
``MONTE_CARLO_SEED``). A bad argument is a :class:`ParameterError`; a bad
range in the cash flows an :class:`InputTableError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from wcc_analysis.analysis.options._checks import CASHFLOWS, _check_option, _name_rows, _ordered
from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.analysis.options.multi_criteria import mca
from wcc_analysis.analysis.options.npv import _clean_cashflows, _priced, expected_risk, npv_table
from wcc_analysis.analysis.options.ranking import _combine, combined_ranking
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.vocabulary import CASHFLOW_ITEMS as ITEMS
from wcc_analysis.core.vocabulary import OPTION_LABELS, STATUS_QUO

MONTE_CARLO_SEED = 20240401


def _item_pv(cashflows: pd.DataFrame, settings: AppraisalSettings, optimism: Mapping | None, option_id: str, item: str) -> float:
    """PV of one option's item as a contribution to its net benefit (after optimism bias; costs negative)."""
    priced = _priced(_clean_cashflows(cashflows, settings), settings, optimism)
    rows = priced[(priced["option_id"] == option_id) & (priced["item"] == item)]
    return float((rows["net_gbp"] * rows["discount_factor"]).sum())


def _shifted(npv: pd.DataFrame, option_id: str, delta: float) -> np.ndarray:
    """Risk-adjusted NPV vs status quo when ``option_id``'s net PV moves by ``delta``."""
    values = npv["risk_adjusted_npv_vs_status_quo_gbp"].to_numpy(float).copy()
    is_option = (npv["option_id"] == option_id).to_numpy()
    if option_id == STATUS_QUO:
        values[~is_option] -= delta  # the baseline moves, so every other option moves the other way
    else:
        values[is_option] += delta
    return values


def _check_item(item: str) -> None:
    """ParameterError unless ``item`` (an argument) is a cash-flow item."""
    if item not in ITEMS:
        raise ParameterError(f"unknown item {item!r}; use one of {list(ITEMS)}")


def _check_costed(npv: pd.DataFrame, option_id: str) -> None:
    """ParameterError when ``option_id`` (an argument) has no cash flows in the NPV table."""
    if option_id not in set(npv["option_id"]):
        raise ParameterError(f"option {option_id!r} has no cash flows; choose one of the costed options "
                             f"{npv['option_id'].tolist()}, or add its cash flows")


def switching_value(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None,
    option_id: str,
    item: str,
    *,
    scores: pd.DataFrame | None = None,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
    financial_weight: float = 0.5,
    lower_pct: float = -100.0,
    upper_pct: float = 500.0,
    tol_pct: float = 1e-4,
) -> float | None:
    """The % change in ``option_id``'s ``item`` amounts (every year together) at which it stops being preferred.

    The preferred option is rank 1 of ``combined_ranking`` (MCA from ``scores``;
    no scores = on risk-adjusted NPV alone). Searches [lower_pct, upper_pct]
    (default −100 % to +500 %) in both directions by bisection and returns the
    change nearest zero that switches the preference, to within ``tol_pct``
    (on the switching side); None when no change in the range switches it.
    A ParameterError if the option is not preferred to begin with.
    """
    s = appraisal_settings(settings)
    _check_option(option_id)
    _check_item(item)
    npv = npv_table(cashflows, s, optimism, risks)
    _check_costed(npv, option_id)
    mca_table = mca(scores) if scores is not None else None
    base = combined_ranking(npv, mca_table, financial_weight)
    if base.iloc[0]["option_id"] != option_id:
        raise ParameterError(f"option {option_id!r} is not the preferred option ({base.iloc[0]['option_id']} is); "
                             "a switching value is found for the preferred option")
    pv_item = _item_pv(cashflows, s, optimism, option_id, item)
    if pv_item == 0:
        return None
    mca_total = (
        npv["option_id"].map(mca_table.set_index("option_id")["mca_total"]).to_numpy(float)
        if mca_table is not None else np.zeros(len(npv))
    )
    weight = financial_weight if mca_table is not None else 1.0
    index = int(np.flatnonzero((npv["option_id"] == option_id).to_numpy())[0])
    # npv rows follow the seed's option order, which is also _combine's final tie-break.

    def preferred(change_pct: float) -> bool:
        _, _, order = _combine(_shifted(npv, option_id, pv_item * change_pct / 100.0), mca_total, weight)
        return int(order[0]) == index

    found = []
    for end in (upper_pct, lower_pct):
        if end == 0 or preferred(end):
            continue
        keep, switch = 0.0, float(end)
        while abs(switch - keep) > tol_pct:
            mid = (keep + switch) / 2.0
            if preferred(mid):
                keep = mid
            else:
                switch = mid
        found.append(switch)
    return min(found, key=abs) if found else None


def tornado(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None,
    option_id: str,
    items: Sequence[str],
    swing: float = 0.2,
    *,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Risk-adjusted NPV vs the status quo with each of ``option_id``'s items in turn −swing and +swing
    (default ±20 %), widest range first. An item the option does not have has range 0."""
    s = appraisal_settings(settings)
    _check_option(option_id)
    if option_id == STATUS_QUO:
        raise ParameterError("the status quo is the baseline: its NPV against itself is always 0; choose another option")
    if not 0 < swing <= 1:
        raise ParameterError(f"swing must be a fraction above 0 and at most 1 (0.2 = ±20 %), not {swing!r}")
    npv = npv_table(cashflows, s, optimism, risks)
    _check_costed(npv, option_id)
    base = float(npv.set_index("option_id").at[option_id, "risk_adjusted_npv_vs_status_quo_gbp"])
    rows = []
    for item in items:
        _check_item(item)
        pv_item = _item_pv(cashflows, s, optimism, option_id, item)
        low, high = base - swing * pv_item, base + swing * pv_item
        rows.append({
            "item": item, "npv_at_minus_swing_gbp": low, "base_gbp": base, "npv_at_plus_swing_gbp": high,
            "range_gbp": abs(high - low), "swing_pct": 100.0 * swing,
        })
    table = pd.DataFrame(rows, columns=["item", "npv_at_minus_swing_gbp", "base_gbp", "npv_at_plus_swing_gbp", "range_gbp", "swing_pct"])
    return table.sort_values("range_gbp", ascending=False, kind="stable").reset_index(drop=True)


def _check_ranges(rows: pd.DataFrame, low: pd.Series, high: pd.Series) -> None:
    """InputTableError naming the rows whose ``low_pct`` / ``high_pct`` range is half given or the wrong way round."""
    named = ["option_id", "year", "item"]
    half = low.isna() != high.isna()
    if half.any():
        column = "low_pct" if low[half].isna().iloc[0] else "high_pct"
        raise InputTableError(CASHFLOWS, f"give both low_pct and high_pct or neither (option / year / item: "
                                         f"{_name_rows(rows, half, named)})",
                              column=column, fix="fill in the missing end of the range, or leave both blank for a certain amount")
    wrong = (low > 0) | (high < 0) | (low < -100)
    if wrong.any():
        column = "low_pct" if ((low > 0) | (low < -100))[wrong].iloc[0] else "high_pct"
        raise InputTableError(CASHFLOWS, "low_pct must be from −100 to 0 and high_pct 0 or more (the amount is the most "
                                         f"likely value; option / year / item: {_name_rows(rows, wrong, named)})",
                              column=column,
                              fix="give the range as per cent changes around the amount, e.g. low_pct −10 and high_pct 20")


def monte_carlo(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None = None,
    n: int = 2000,
    seed: int = MONTE_CARLO_SEED,
    *,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """P10 / P50 / P90 of each option's risk-adjusted NPV vs the status quo over ``n`` draws.

    Each uncertain amount (``low_pct`` and ``high_pct`` given; NaN = certain) is
    drawn from a triangular distribution from (1 + low_pct/100) to
    (1 + high_pct/100) times the amount, mode = the amount; draws are
    independent between rows and the status quo is drawn in the same trial.
    Optimism bias is applied as in ``npv_table``. ``numpy.random.default_rng(seed)``
    and a fixed row order make the result identical on re-execution.
    ``prob_better_than_status_quo`` is the share of draws above 0.
    """
    s = appraisal_settings(settings)
    if n < 1:
        raise ParameterError(f"n must be at least 1, not {n!r} (the number of Monte Carlo draws; 2000 by default)")
    rows = _clean_cashflows(cashflows, s)
    low = pd.to_numeric(rows["low_pct"], errors="coerce")
    high = pd.to_numeric(rows["high_pct"], errors="coerce")
    _check_ranges(rows, low, high)
    priced = _priced(rows, s, optimism)
    coef = (priced["net_gbp"] * priced["discount_factor"]).to_numpy(float)  # PV of each row at its amount
    uncertain = (low.notna() & (high > low)).to_numpy()
    multipliers = np.ones((n, len(rows)))
    if uncertain.any():
        rng = np.random.default_rng(seed)
        left = 1.0 + low.to_numpy(float)[uncertain] / 100.0
        right = 1.0 + high.to_numpy(float)[uncertain] / 100.0
        multipliers[:, uncertain] = rng.triangular(left, 1.0, right, size=(n, int(uncertain.sum())))
    options = _ordered(priced["option_id"])
    membership = np.zeros((len(rows), len(options)))
    membership[np.arange(len(rows)), priced["option_id"].map({o: i for i, o in enumerate(options)}).to_numpy()] = 1.0
    npv = (multipliers * coef) @ membership  # n × options
    risk = expected_risk(risks, s).reindex(options, fill_value=0.0).to_numpy(float)
    vs_sq = (npv - risk) - (npv[:, [0]] - risk[0])  # options[0] is the status quo
    p10, p50, p90 = np.percentile(vs_sq, [10, 50, 90], axis=0)
    return pd.DataFrame({
        "option_id": options,
        "label": [OPTION_LABELS[o] for o in options],
        "p10_gbp": p10, "p50_gbp": p50, "p90_gbp": p90,
        "mean_gbp": vs_sq.mean(axis=0),
        "prob_better_than_status_quo": (vs_sq > 0).mean(axis=0),
        "n": n, "seed": seed,
    })
