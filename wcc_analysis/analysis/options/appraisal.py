"""The whole option appraisal for one service, and its findings in plain English.

Green Book order (2022, chapters 4–5 and the five-case model): the shortlist (business as usual, a do-minimum and
the options the market screen supports); optimism bias on every option; the economic case (NPV against business
as usual, transfers out, unmonetised effects beside it); the financial case (the budget, in cash); the preferred
option among the affordable, fully priced candidates, with the multi-criteria analysis beside it; switching
values for every key input; the spread of outcomes (Monte Carlo); then the equality check and the sourcing plan.
``appraise`` ties the steps of the other modules together; ``narrative`` states the findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis.options import optimism_bias, uncertainty, unmonetised
from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.analysis.options.financial_case import Inflation, affordability, cash_by_year
from wcc_analysis.analysis.options.multi_criteria import mca, mca_criteria, mca_detail
from wcc_analysis.analysis.options.npv import (
    COUNTED,
    _clean_cashflows,
    _priced,
    _yearly,
    npv_table,
    risk_present_values,
)
from wcc_analysis.analysis.options.plan import equality_check, sourcing_plan
from wcc_analysis.analysis.options.ranking import (
    CANDIDATE,
    CANDIDATE_RULES,
    candidate_facts,
    preferred_option,
    preferred_rating,
    rank_options,
)
from wcc_analysis.analysis.options.sensitivity import (
    SwitchingInput,
    discount_rate_switch,
    switching_values,
    tornado,
)
from wcc_analysis.core.guidance import OPTIMISM_BIAS_SOURCE
from wcc_analysis.core.text import money_k
from wcc_analysis.core.vocabulary import OPTION_LABELS, STATUS_QUO


@dataclass
class AppraisalResult:
    """Everything the option-appraisal notebook shows for one service."""

    settings: AppraisalSettings
    uplifts: pd.DataFrame  # optimism_bias.uplifts: every option's cost items
    yearly: pd.DataFrame  # yearly_flows (economic case, after optimism bias)
    npv: pd.DataFrame  # npv_table
    excluded: pd.DataFrame  # the rows the economic case left out (transfers, unsourced social value), by option
    effects: pd.DataFrame  # unmonetised effects
    financial: pd.DataFrame  # financial_case (cash by year)
    affordable: pd.DataFrame  # affordability per option
    mca: pd.DataFrame | None  # mca (None when no scores)
    ranked: pd.DataFrame  # rank_options
    candidates: pd.DataFrame  # CANDIDATE_RULES per option: status and rule
    preferred: str
    rating: str  # the report's rating of it (ranking.PREFERRED_RATING_RULES)
    reasons: list[str]
    switching: pd.DataFrame  # switching_values, most sensitive first
    discount_rate_switch: float | None
    effect_switch: unmonetised.SwitchingValue | None
    monte_carlo: pd.DataFrame
    monte_carlo_option: str | None  # the option the headline range is for (the runner-up candidate when BAU is preferred)
    equality: dict
    plan: pd.DataFrame | None
    inflation: Inflation
    tornado: pd.DataFrame | None = None  # the headline option's items each ±20 % (sensitivity.tornado)
    mca_detail: pd.DataFrame | None = None  # the MCA's working (score, weight, points, nearest anchor, rationale)
    mca_criteria: pd.DataFrame | None = None  # the checked criteria with weights and anchors
    mitigation: pd.DataFrame | None = None  # the council's optimism-bias factors (optimism_bias table)
    year_0: str = ""  # the financial year that is appraisal year 0 ("2027-28"), as the council gives it
    service_id: str | None = None
    narrative: list[str] = field(default_factory=list)
    optimism_source: str = OPTIMISM_BIAS_SOURCE

    @property
    def yearly_alternatives(self) -> pd.DataFrame:
        """The year-by-year flows of every option but business as usual (each is shown against it)."""
        return self.yearly[self.yearly["option_id"] != STATUS_QUO]

    @property
    def runner_up(self) -> str | None:
        others = self.ranked[(self.ranked["option_id"] != self.preferred) & (self.ranked["status"] == CANDIDATE)]
        return None if others.empty else str(others.iloc[0]["option_id"])

    @property
    def most_sensitive(self) -> pd.Series | None:
        """The input the decision hangs on: the smallest change that switches the preferred option."""
        found = self.switching.dropna(subset=["switching_change_pct"])
        return None if found.empty else found.iloc[0]

    def headline(self) -> dict:
        """The preferred option and the figures behind it (£k, present value at the price base)."""
        npv = self.npv.set_index("option_id")
        mc = self.monte_carlo.set_index("option_id")
        key = self.most_sensitive
        option = self.monte_carlo_option

        def k(value) -> float | None:
            return None if value is None or pd.isna(value) else round(float(value) / 1000.0, 1)

        return {
            "preferred_option": self.preferred,
            "runner_up": self.runner_up,
            "npv_gbp_thousands": {o: k(v) for o, v in npv["risk_adjusted_npv_vs_status_quo_gbp"].items()},
            "npv_before_optimism_bias_gbp_thousands": {
                o: k(v) for o, v in npv["npv_before_optimism_bias_vs_status_quo_gbp"].items()},
            "break_even_uplift_pct": {o: None if pd.isna(v) else round(100 * float(v), 1)
                                      for o, v in npv["break_even_uplift"].items() if o != STATUS_QUO},
            "candidate_status": dict(zip(self.candidates["option_id"], self.candidates["status"])),
            "affordability": dict(zip(self.affordable["option_id"], self.affordable["verdict"])),
            "most_sensitive_input": None if key is None else key["input"],
            "switching_value_pct": None if key is None else round(float(key["switching_change_pct"]), 1),
            "monte_carlo_option": option,
            "npv_p10_gbp_thousands": None if option is None else k(mc.at[option, "p10_gbp"]),
            "npv_p90_gbp_thousands": None if option is None else k(mc.at[option, "p90_gbp"]),
            "probability_beats_status_quo": None if option is None else round(
                float(mc.at[option, "prob_better_than_status_quo"]), 3),
            "price_base_year": self.settings.price_base_year,
        }


def _switching_inputs(priced: pd.DataFrame, options: list[str]) -> list[SwitchingInput]:
    """Every item of each option in ``options`` (preferred, runner-up, business as usual) with an amount that the
    economic case counts (a transfer or an unsourced value cannot move the choice); ``priced``: ``npv._priced``."""
    counted = priced[(priced["economic"] == COUNTED) & (priced["amount_gbp"] != 0)]
    return [SwitchingInput(option, str(item)) for option in dict.fromkeys(options)
            for item in dict.fromkeys(counted.loc[counted["option_id"] == option, "item"])]


def _simulation_rows(priced: pd.DataFrame, settings: AppraisalSettings,
                     risks: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The economic case's rows and risks as ``uncertainty.simulate`` takes them (PV, after optimism bias)."""
    rows = pd.DataFrame({
        "option_id": priced["option_id"], "item": priced["item"], "year": priced["year"],
        "pv_gbp": priced["net_gbp"] * priced["discount_factor"],
        "low_pct": pd.to_numeric(priced["low_pct"], errors="coerce"),
        "high_pct": pd.to_numeric(priced["high_pct"], errors="coerce"),
    })
    table = risk_present_values(risks, settings)[["option_id", "risk", "probability", "pv_impact_gbp"]]
    return rows, table


def _excluded(priced: pd.DataFrame) -> pd.DataFrame:
    """What the economic case left out, per option and item: the rule and the PV (signed: + = benefit)."""
    out = priced[priced["economic"] != COUNTED].copy()
    out["pv_gbp"] = out["excluded_gbp"] * out["discount_factor"]
    table = out.groupby(["option_id", "item", "economic"], sort=False)["pv_gbp"].sum().reset_index()
    table.insert(1, "label", table["option_id"].map(OPTION_LABELS))
    return table


def appraise(
    cashflows: pd.DataFrame,
    scores: pd.DataFrame | None = None,
    *,
    criteria: pd.DataFrame | None = None,
    settings: AppraisalSettings | Mapping | None = None,
    risks: pd.DataFrame | None = None,
    mitigation: pd.DataFrame | None = None,
    optimism_items: Mapping[str, Mapping[str, str]] | None = None,
    effects: pd.DataFrame | None = None,
    impacts: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    budget_gbp: float | None = None,
    inflation: Inflation | None = None,
    one_off_funding: str = "",
    population: float | None = None,
    year_0: str = "",
    n: int = 2000,
    seed: int = uncertainty.MONTE_CARLO_SEED,
    service_id: str | None = None,
) -> AppraisalResult:
    """The whole option appraisal for one service: everything the option-appraisal notebook shows."""
    s = appraisal_settings(settings)
    frames = dict(cashflows=cashflows, scores=scores, criteria=criteria, risks=risks, mitigation=mitigation,
                  effects=effects, impacts=impacts, plan=plan)
    if service_id is not None:
        frames = {name: f[f["service_id"] == service_id] if f is not None and "service_id" in f.columns else f
                  for name, f in frames.items()}
    cashflows = frames["cashflows"]
    inflation = inflation or Inflation(0.0, "no inflation assumption given: cash shown at the price base")
    options = list(dict.fromkeys(_clean_cashflows(cashflows, s)["option_id"]))
    uplift_table = optimism_bias.uplifts(cashflows, frames["mitigation"], frames["risks"], optimism_items, options,
                                         settings=s)
    optimism = optimism_bias.as_mapping(uplift_table)
    priced = _priced(_clean_cashflows(cashflows, s), s, optimism)  # the economic case's rows, priced once
    yearly = _yearly(priced, s)
    npv = npv_table(cashflows, s, optimism, frames["risks"])
    effect_table = unmonetised.clean(frames["effects"])
    cash = cash_by_year(cashflows, s, optimism, inflation, budget_gbp)
    afford = affordability(cash, one_off_funding)
    verdicts = dict(zip(afford["option_id"], afford["verdict"]))
    candidates = []
    for option in npv["option_id"]:
        rule = CANDIDATE_RULES.first(candidate_facts(option, verdicts[option], cashflows, effect_table,
                                                     frames["impacts"]))
        candidates.append({"option_id": option, "label": OPTION_LABELS.get(option, option), "status": rule.outcome,
                           "rule": rule.text})
    candidate_table = pd.DataFrame(candidates)
    status = dict(zip(candidate_table["option_id"], candidate_table["status"]))
    scores_frame = frames["scores"]
    if scores_frame is not None and not scores_frame.empty:  # the MCA ranks the shortlist: the options costed
        scores_frame = scores_frame[scores_frame["option_id"].isin(options)]
    mca_table = mca(scores_frame, frames["criteria"]) if scores_frame is not None and not scores_frame.empty else None
    ranked = rank_options(npv, status, mca_table)
    preferred, reasons = preferred_option(ranked, s)
    eligible = [o for o, st in status.items() if st == CANDIDATE]
    others = [o for o in ranked["option_id"] if o != preferred and status[o] == CANDIDATE]
    runner = others[0] if others else None
    tested = [o for o in dict.fromkeys([preferred, runner, STATUS_QUO]) if o is not None]
    switching = switching_values(cashflows, s, eligible, _switching_inputs(priced, tested),
                                 risks=frames["risks"], optimism=optimism)
    rate_switch = discount_rate_switch(cashflows, s, eligible, risks=frames["risks"], optimism=optimism)
    effect_switch = unmonetised.switching_value(npv, effect_table, preferred, s, population,
                                                [o for o in eligible if o != preferred])
    rows, risk_rows = _simulation_rows(priced, s, frames["risks"])
    mc = uncertainty.simulate(rows, risk_rows, n=n, seed=seed)
    # when business as usual is preferred, the runner-up among the candidates (an option ruled out is never the headline)
    mc_option = uncertainty.headline_option(preferred, mc, candidates=eligible)
    torn = None
    if mc_option is not None and mc_option != STATUS_QUO:
        items = [k.item for k in _switching_inputs(priced, [mc_option])]
        torn = tornado(cashflows, s, mc_option, items, risks=frames["risks"], optimism=optimism) if items else None
    equality = equality_check(preferred, frames["impacts"])
    plan_table = sourcing_plan(frames["plan"], preferred) if frames["plan"] is not None else None
    result = AppraisalResult(
        s, uplift_table, yearly, npv, _excluded(priced), effect_table, cash, afford, mca_table,
        ranked, candidate_table, preferred, preferred_rating(ranked, effect_table, preferred), reasons, switching,
        rate_switch, effect_switch, mc, mc_option, equality,
        plan_table, inflation, torn,
        None if mca_table is None else mca_detail(scores_frame, frames["criteria"]),
        None if mca_table is None else mca_criteria(frames["criteria"], scores_frame),
        frames["mitigation"], year_0, service_id,
    )
    result.narrative = narrative(result)
    return result


def optimism_decides(result: AppraisalResult) -> list[str]:
    """A sentence for each option whose verdict against business as usual optimism bias turns (better before the
    uplifts, worse after, or the reverse), with the uplifts and its break-even uplift."""
    lines = []
    running = result.uplifts[result.uplifts["item"] == "running"].set_index("option_id")["uplift"]
    bau = running.get(STATUS_QUO)
    for _, row in result.npv[result.npv["option_id"] != STATUS_QUO].iterrows():
        before, after = row["npv_before_optimism_bias_vs_status_quo_gbp"], row["risk_adjusted_npv_vs_status_quo_gbp"]
        if (before > 0) == (after > 0):
            continue
        option = row["option_id"]
        own = running.get(option)
        uplifts = ("" if own is None or bau is None else
                   f" (uplift on running costs {own:.1%} against business as usual's {bau:.1%})")
        breaks = "" if pd.isna(row["break_even_uplift"]) else f"; it breaks even at an uplift of {row['break_even_uplift']:.1%}"
        lines.append(f"Optimism bias decides {row['label']}: {money_k(before)} against business as usual before the "
                     f"uplifts, {money_k(after)} after{uplifts}{breaks}.")
    return lines


def narrative(result: AppraisalResult) -> list[str]:
    """Short plain-English findings generated from the numbers."""
    lines = list(result.reasons)
    lines.extend(optimism_decides(result))
    if result.effect_switch is not None:
        lines.append(result.effect_switch.sentence(result.settings))
    key = result.most_sensitive
    if key is None:
        lines.append("No change from −100 % to +500 % in any single cost or benefit of the preferred option, the "
                     "runner-up or business as usual changes the choice.")
    else:
        to = OPTION_LABELS.get(key["switches_to"], key["switches_to"])
        lines.append(f"The choice hangs most on {key['input']}: a change of {key['switching_change_pct']:+.1f} % in it "
                     f"(every year together) would make {to} preferred.")
    if result.discount_rate_switch is not None:
        lines.append(f"At a real discount rate of {result.discount_rate_switch:.2%} instead of "
                     f"{result.settings.discount_rate:.1%} the preferred option would change.")
    if result.monte_carlo_option is not None:
        lines.append(uncertainty.describe(result.monte_carlo, result.monte_carlo_option))
    lines.append(result.equality["message"])
    if result.plan is not None and result.preferred != STATUS_QUO:
        missing = result.plan.loc[result.plan["status"] == "missing", "activity"].tolist()
        lines.append("The sourcing plan covers every Implement activity in the framework." if not missing
                     else f"The sourcing plan does not yet cover: {', '.join(missing)}.")
    return lines

