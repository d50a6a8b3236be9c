"""The whole option appraisal for one service, and its findings in plain English.

Green Book rule: appraise every option against the status quo in one pass, in
the guidance's order (discounted, optimism-adjusted and risk-adjusted NPV;
unmonetised benefits; the preferred option; its sensitivity), then the
equality check and the sourcing plan. ``appraise`` ties the steps of the
other modules together; ``narrative`` states the findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.analysis.options.multi_criteria import mca
from wcc_analysis.analysis.options.npv import npv_table, yearly_flows
from wcc_analysis.analysis.options.optimism_bias import OPTIMISM_BIAS_SOURCE, effective_optimism
from wcc_analysis.analysis.options.plan import equality_check, sourcing_plan
from wcc_analysis.analysis.options.ranking import combined_ranking, preferred_option
from wcc_analysis.analysis.options.sensitivity import MONTE_CARLO_SEED, monte_carlo, switching_value, tornado
from wcc_analysis.core.text import money_k
from wcc_analysis.core.vocabulary import CASHFLOW_ITEMS as ITEMS
from wcc_analysis.core.vocabulary import OPTION_LABELS, STATUS_QUO


@dataclass
class AppraisalResult:
    """Everything the option-appraisal notebook shows for one service."""

    settings: AppraisalSettings
    optimism: dict[str, dict[str, float]]  # the uplifts used
    yearly: pd.DataFrame  # yearly_flows
    npv: pd.DataFrame  # npv_table
    mca: pd.DataFrame | None  # mca (None when no scores)
    combined: pd.DataFrame  # combined_ranking
    preferred: str
    reasons: list[str]
    key_input: str | None  # savings if the preferred option has any, else running
    switching_value_pct: float | None
    tornado: pd.DataFrame | None  # for the preferred option (the runner-up when the status quo is preferred)
    tornado_option: str | None
    monte_carlo: pd.DataFrame
    equality: dict
    plan: pd.DataFrame | None
    service_id: str | None = None
    narrative: list[str] = field(default_factory=list)
    optimism_source: str = OPTIMISM_BIAS_SOURCE  # where the default uplifts come from

    @property
    def yearly_alternatives(self) -> pd.DataFrame:
        """The year-by-year flows of every option but the status quo (each is shown against it)."""
        return self.yearly[self.yearly["option_id"] != STATUS_QUO]

    def headline(self) -> dict:
        """The preferred option, each option's risk-adjusted NPV vs the status quo (£k), switching value and P10 / P90."""
        ra = self.npv.set_index("option_id")["risk_adjusted_npv_vs_status_quo_gbp"]
        mc = self.monte_carlo.set_index("option_id")
        return {
            "preferred_option": self.preferred,
            "npv_gbp_thousands": {o: round(float(v) / 1000.0, 1) for o, v in ra.items()},
            "switching_value_pct": None if self.switching_value_pct is None else round(self.switching_value_pct, 1),
            "npv_p10_gbp_thousands": round(float(mc.at[self.preferred, "p10_gbp"]) / 1000.0, 1),
            "npv_p90_gbp_thousands": round(float(mc.at[self.preferred, "p90_gbp"]) / 1000.0, 1),
        }


def _key_input(cashflows: pd.DataFrame, option_id: str) -> str | None:
    """The item the switching value is found for: savings if the option has any, else running costs."""
    rows = cashflows[cashflows["option_id"] == option_id]
    for item in ("savings", "running"):
        if (rows.loc[rows["item"] == item, "amount_gbp"] != 0).any():
            return item
    return None


def appraise(
    cashflows: pd.DataFrame,
    scores: pd.DataFrame | None = None,
    *,
    settings: AppraisalSettings | Mapping | None = None,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
    impacts: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    financial_weight: float = 0.5,
    tornado_items: Sequence[str] | None = None,
    swing: float = 0.2,
    n: int = 2000,
    seed: int = MONTE_CARLO_SEED,
    service_id: str | None = None,
) -> AppraisalResult:
    """The whole option appraisal for one service: everything the option-appraisal notebook shows."""
    s = appraisal_settings(settings)
    if service_id is not None:
        cashflows, scores, risks, impacts, plan = (
            f[f["service_id"] == service_id] if f is not None and "service_id" in f.columns else f
            for f in (cashflows, scores, risks, impacts, plan)
        )
    yearly = yearly_flows(cashflows, s, optimism)
    npv = npv_table(cashflows, s, optimism, risks)
    mca_table = mca(scores) if scores is not None and not scores.empty else None
    combined = combined_ranking(npv, mca_table, financial_weight)
    preferred, reasons = preferred_option(combined, s)
    key = _key_input(cashflows, preferred)
    switch = None
    if key is not None:
        switch = switching_value(cashflows, s, preferred, key, scores=scores if mca_table is not None else None,
                                 risks=risks, optimism=optimism, financial_weight=financial_weight)
    alternatives = combined.loc[combined["option_id"] != STATUS_QUO, "option_id"].tolist()
    tornado_option = preferred if preferred != STATUS_QUO else (alternatives[0] if alternatives else None)
    items = list(tornado_items) if tornado_items is not None else [
        i for i in ITEMS if tornado_option is not None and ((cashflows["option_id"] == tornado_option) & (cashflows["item"] == i)).any()
    ]
    torn = tornado(cashflows, s, tornado_option, items, swing, risks=risks, optimism=optimism) if tornado_option else None
    mc = monte_carlo(cashflows, s, n, seed, risks=risks, optimism=optimism)
    equality = equality_check(preferred, impacts)
    plan_table = sourcing_plan(plan, preferred) if plan is not None else None
    result = AppraisalResult(
        s, effective_optimism(optimism), yearly, npv, mca_table, combined, preferred, reasons, key, switch,
        torn, tornado_option, mc, equality, plan_table, service_id,
    )
    result.narrative = narrative(result)
    return result


def narrative(result: AppraisalResult) -> list[str]:
    """Short plain-English findings generated from the numbers."""
    lines = list(result.reasons)
    label = OPTION_LABELS[result.preferred]
    if result.key_input is not None:
        if result.switching_value_pct is None:
            lines.append(
                f"No change in its {result.key_input} from −100 % to +500 % makes another option preferred."
            )
        else:
            lines.append(
                f"A change of {result.switching_value_pct:+.1f} % in its {result.key_input} would make another option "
                "preferred (the switching value)."
            )
    mc = result.monte_carlo.set_index("option_id")
    if result.preferred != STATUS_QUO:
        row = mc.loc[result.preferred]
        lines.append(
            f"Across {int(row['n']):,} Monte Carlo draws, the risk-adjusted NPV of {label} against the status quo runs from "
            f"{money_k(row['p10_gbp'])} (P10) to {money_k(row['p90_gbp'])} (P90); it beats the status quo in "
            f"{row['prob_better_than_status_quo']:.0%} of draws."
        )
    lines.append(result.equality["message"])
    if result.plan is not None:
        missing = result.plan.loc[result.plan["status"] == "missing", "activity"].tolist()
        lines.append(
            "The sourcing plan covers every Implement activity in the framework." if not missing
            else f"The sourcing plan does not yet cover: {', '.join(missing)}."
        )
    return lines
