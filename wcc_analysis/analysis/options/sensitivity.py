"""Sensitivity of the preferred option: switching values for every key input, and a tornado table.

Green Book rule (2022, chapter 5 "Sensitivity analysis"; switching values): test how far each key input would have
to change to alter the choice — every item of the preferred option, of the runner-up and of business as usual, and
the discount rate — and say which input the decision hangs on; show which inputs move the NPV most (each in turn
± a swing). The spread of outcomes is ``uncertainty``'s. A bad argument is a :class:`ParameterError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from wcc_analysis.analysis.options._checks import _check_option
from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.analysis.options.npv import _clean_cashflows, _priced, npv_table
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.core.vocabulary import CASHFLOW_ITEMS as ITEMS
from wcc_analysis.core.vocabulary import OPTION_LABELS, STATUS_QUO, cashflow_item_label


def _item_pvs(cashflows: pd.DataFrame, settings: AppraisalSettings, optimism: Mapping | None) -> pd.Series:
    """PV of each option's item as a contribution to its net benefit (after optimism bias; costs negative),
    indexed by (option_id, item); priced once for every input asked about."""
    priced = _priced(_clean_cashflows(cashflows, settings), settings, optimism)
    return (priced["net_gbp"] * priced["discount_factor"]).groupby([priced["option_id"], priced["item"]]).sum()


def _check_item(item: str) -> None:
    """ParameterError unless ``item`` (an argument) is a cash-flow item."""
    if item not in ITEMS:
        raise ParameterError(f"unknown item {item!r}; use one of {list(ITEMS)}")


def _check_costed(npv: pd.DataFrame, option_id: str) -> None:
    """ParameterError when ``option_id`` (an argument) has no cash flows in the NPV table."""
    if option_id not in set(npv["option_id"]):
        raise ParameterError(f"option {option_id!r} has no cash flows; choose one of the costed options "
                             f"{npv['option_id'].tolist()}, or add its cash flows")


@dataclass(frozen=True)
class SwitchingInput:
    """One input a switching value is found for: an option's item (its amounts in every year scaled together)."""

    option_id: str
    item: str

    @property
    def label(self) -> str:
        return f"{OPTION_LABELS.get(self.option_id, self.option_id)}: {cashflow_item_label(self.item)}"


def _preferred(cashflows: pd.DataFrame, settings: AppraisalSettings, optimism: Mapping | None,
               risks: pd.DataFrame | None, candidates: Sequence[str]) -> str:
    """The candidate with the highest risk-adjusted NPV against business as usual (ties: option order)."""
    npv = npv_table(cashflows, settings, optimism, risks).set_index("option_id")
    values = npv.loc[[o for o in candidates if o in npv.index], "risk_adjusted_npv_vs_status_quo_gbp"].round(6)
    return str(values.idxmax())


def switching_values(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None,
    candidates: Sequence[str],
    inputs: Sequence[SwitchingInput],
    *,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
    lower_pct: float = -100.0,
    upper_pct: float = 500.0,
) -> pd.DataFrame:
    """For each input, the % change in its amounts (every year together) at which the preferred option changes —
    the change nearest zero in [lower_pct, upper_pct] — and the option it changes to; NaN when none in the range
    does. The preferred option is the candidate with the highest risk-adjusted NPV against business as usual
    (``ranking.CANDIDATE_RULES`` decide the candidates and are held fixed). An item's present value (after its
    optimism-bias uplift, which scales with it) moves in proportion to the change, so the switch is where two
    candidates' NPVs cross: found exactly, not by search. An input of business as usual moves every other option
    the other way. Sorted, the input the decision is most sensitive to (the smallest change) first."""
    s = appraisal_settings(settings)
    npv = npv_table(cashflows, s, optimism, risks).set_index("option_id")["risk_adjusted_npv_vs_status_quo_gbp"]
    pool = [o for o in candidates if o in npv.index]
    base = str(npv[pool].round(6).idxmax())
    pvs = _item_pvs(cashflows, s, optimism)
    rows = []
    for key in inputs:
        _check_option(key.option_id)
        _check_item(key.item)
        pv = float(pvs.get((key.option_id, key.item), 0.0))  # signed: a cost is negative
        found: list[tuple[float, str]] = []
        if pv != 0 and key.option_id in pool:
            for other in pool:
                if other == base:
                    continue
                if key.option_id == STATUS_QUO:
                    # every other option moves by −pv·x against business as usual; their own order never changes
                    if base == STATUS_QUO:
                        x = 100.0 * float(npv[other]) / pv  # the other catches business as usual
                    elif other == STATUS_QUO:
                        x = 100.0 * float(npv[base]) / pv  # the preferred option falls back to business as usual
                    else:
                        continue
                elif key.option_id == base:
                    x = 100.0 * float(npv[other] - npv[base]) / pv
                elif key.option_id == other:
                    x = 100.0 * float(npv[base] - npv[other]) / pv
                else:
                    continue
                if lower_pct <= x <= upper_pct and x != 0:
                    found.append((x, other))
        change, to = min(found, key=lambda f: abs(f[0])) if found else (np.nan, None)
        if key.option_id not in (base, STATUS_QUO) and to is not None:
            to = key.option_id  # the option whose input moved overtakes the preferred one
        rows.append({"input": key.label, "option_id": key.option_id, "item": key.item, "pv_gbp": pv,
                     "switching_change_pct": change, "switches_to": to})
    table = pd.DataFrame(rows, columns=["input", "option_id", "item", "pv_gbp", "switching_change_pct", "switches_to"])
    table["_abs"] = table["switching_change_pct"].abs()
    return table.sort_values("_abs", na_position="last", kind="stable").drop(columns="_abs").reset_index(drop=True)


def discount_rate_switch(cashflows: pd.DataFrame, settings: AppraisalSettings | Mapping | None,
                         candidates: Sequence[str], *, risks: pd.DataFrame | None = None,
                         optimism: Mapping[str, Mapping[str, float]] | None = None,
                         lowest: float = 0.0, highest: float = 0.10) -> float | None:
    """The real discount rate (a fraction, searched from ``lowest`` to ``highest`` in steps of 0.25 point) nearest the
    appraisal's at which the preferred option changes (of two as near, the lower); None when none in the range does.

    The steps are tried nearest the appraisal's rate first, so the search stops at the first that switches."""
    s = appraisal_settings(settings)
    base = _preferred(cashflows, s, optimism, risks, candidates)
    steps = np.round(np.arange(lowest, highest + 1e-9, 0.0025), 6)
    for rate in sorted(steps, key=lambda r: (abs(r - s.discount_rate), r)):
        if _preferred(cashflows, replace(s, discount_rate=float(rate)), optimism, risks, candidates) != base:
            return float(rate)
    return None


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
    pvs = _item_pvs(cashflows, s, optimism)
    rows = []
    for item in items:
        _check_item(item)
        pv_item = float(pvs.get((option_id, item), 0.0))
        low, high = base - swing * pv_item, base + swing * pv_item
        rows.append({
            "item": item, "npv_at_minus_swing_gbp": low, "base_gbp": base, "npv_at_plus_swing_gbp": high,
            "range_gbp": abs(high - low), "swing_pct": 100.0 * swing,
        })
    table = pd.DataFrame(rows, columns=["item", "npv_at_minus_swing_gbp", "base_gbp", "npv_at_plus_swing_gbp", "range_gbp", "swing_pct"])
    return table.sort_values("range_gbp", ascending=False, kind="stable").reset_index(drop=True)
