"""The preferred option: by the economic case, within what the financial case shows is affordable, with the
unmonetised effects and the multi-criteria analysis beside it — never blended into it.

Green Book rule (2022, chapter 5 "Preferred option selection"): the preferred option is the one that offers the
best public value — the highest net present social value against business as usual — among the options that are
affordable and deliverable, read with the unmonetised effects. ``CANDIDATE_RULES`` rules an option in or out;
among the candidates the highest risk-adjusted NPV against business as usual is preferred (ties: the higher
multi-criteria total, then the framework's option order). Business as usual is always a candidate: it is the
benchmark the others must beat. The MCA ranks the options on the criteria money does not capture and is shown
beside the NPV, never added to it (the DCLG multi-criteria manual, 2009, on why scores and money are not summed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.analysis.options.financial_case import UNAFFORDABLE
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import money_k, ordinal
from wcc_analysis.core.vocabulary import AMBER, GREEN, GREY, OPTION_GROUPS, OPTION_IDS, RESIDUAL_COSTS, STATUS_QUO

CANDIDATE = "candidate"
DIVEST = "Divest"


@dataclass(frozen=True)
class CandidateFacts:
    """One option, as ``CANDIDATE_RULES`` reads it."""

    option_id: str
    affordability: str  # the financial case's verdict (financial_case.AFFORDABILITY_RULES)
    divests: bool  # the option reduces or withdraws the council's provision (the framework's Divest group)
    residual_costs: bool  # it carries a residual cost (redundancy, contract exit, asset holding)
    lost_value: bool  # it records the service value lost (an unmonetised disbenefit)
    equality: bool  # an equality impact is recorded for it


#: Whether an option can be preferred (first rule that holds); the report prints it.
CANDIDATE_RULES: RuleTable[CandidateFacts] = RuleTable((
    Rule(CANDIDATE, "business as usual is always a candidate: it is the benchmark every other option must beat",
         lambda f: f.option_id == STATUS_QUO),
    Rule("ruled out: not affordable", "the financial case shows its revenue cost above the service's budget in at "
                                      "least one year", lambda f: f.affordability == UNAFFORDABLE),
    Rule("ruled out: closure or divestment priced incompletely",
         "an option that reduces or withdraws the service must carry its residual costs (redundancy, contract exit, "
         "or holding or disposing of the asset), record the service value it loses (at least unmonetised) and have "
         "an equality impact assessment (Equality Act 2010 s.149); without all three its NPV overstates it",
         lambda f: f.divests and not (f.residual_costs and f.lost_value and f.equality)),
    Rule(CANDIDATE, "otherwise: a candidate, ranked on its risk-adjusted NPV against business as usual", always),
), columns=("status", "rule"))


@dataclass(frozen=True)
class RatingFacts:
    """The preferred option, as ``PREFERRED_RATING_RULES`` reads it."""

    preferred: str
    disbenefits: bool  # it carries an unmonetised disbenefit
    last_on_mca: bool  # it ranks last of two or more options on the multi-criteria analysis


#: How the report rates its answer (first rule that holds): a change of delivery is never shown Green while it
#: carries a loss the money does not count, or scores last on the criteria money does not capture.
PREFERRED_RATING_RULES: RuleTable[RatingFacts] = RuleTable((
    Rule(GREY, "business as usual is preferred: no change of delivery model", lambda f: f.preferred == STATUS_QUO),
    Rule(AMBER, "a change is preferred on the money, but it carries an unmonetised disbenefit or ranks last of the "
                "options on the multi-criteria analysis: the board must weigh what it loses (the switching value says "
                "how large the loss would have to be)", lambda f: f.disbenefits or f.last_on_mca),
    Rule(GREEN, "a change is preferred on the economic case, is affordable, and carries no unmonetised disbenefit",
         always),
), columns=("rating", "rule"))


def preferred_rating(ranked: pd.DataFrame, effects: pd.DataFrame, preferred: str) -> str:
    """The report's rating of the preferred option (``PREFERRED_RATING_RULES``); ``ranked`` from ``rank_options``."""
    top = ranked[ranked["option_id"] == preferred].iloc[0]
    scored = ranked["mca_rank"].notna()
    last = bool(scored.sum() > 1 and not pd.isna(top["mca_rank"])
                and top["mca_rank"] >= ranked.loc[scored, "mca_rank"].max())
    losses = (effects["option_id"] == preferred) & (effects["direction"] == "disbenefit")
    return PREFERRED_RATING_RULES.decide(RatingFacts(preferred, bool(losses.any()), last))


def candidate_facts(option_id: str, affordability: str, cashflows: pd.DataFrame, effects: pd.DataFrame,
                    impacts: pd.DataFrame | None) -> CandidateFacts:
    """The facts ``CANDIDATE_RULES`` needs for one option, read from the council's tables."""
    rows = cashflows[cashflows["option_id"] == option_id]
    residual = bool((rows["item"].isin(RESIDUAL_COSTS) & (pd.to_numeric(rows["amount_gbp"]) > 0)).any())
    lost = bool(((effects["option_id"] == option_id) & (effects["direction"] == "disbenefit")).any())
    equality = impacts is not None and not impacts.empty and bool((impacts["option_id"] == option_id).any())
    return CandidateFacts(option_id, affordability, OPTION_GROUPS.get(option_id) == DIVEST, residual, lost, equality)


def rank_options(npv: pd.DataFrame, status: Mapping[str, str], mca_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Options in order of preference: candidates by risk-adjusted NPV vs business as usual (ties: MCA total,
    then option order), then the options ruled out. ``status``: option → ``CANDIDATE_RULES`` outcome."""
    table = npv[["option_id", "label", "risk_adjusted_npv_vs_status_quo_gbp",
                 "npv_before_optimism_bias_vs_status_quo_gbp", "break_even_uplift", "payback_year"]].copy()
    missing = sorted(set(table["option_id"]) - set(status))
    if missing:
        raise InputTableError("option appraisal", f"no candidate status for {missing}", column="option_id",
                              fix="rate every costed option with CANDIDATE_RULES")
    table["status"] = table["option_id"].map(status)
    if mca_table is not None:
        table = table.merge(mca_table[["option_id", "mca_total", "mca_rank"]], on="option_id", how="left")
    else:
        table["mca_total"], table["mca_rank"] = np.nan, np.nan
    order = {o: i for i, o in enumerate(OPTION_IDS)}
    table["_out"] = (table["status"] != CANDIDATE).astype(int)
    table["_npv"] = -table["risk_adjusted_npv_vs_status_quo_gbp"].round(6)
    table["_mca"] = -table["mca_total"].fillna(0.0).round(9)
    table["_order"] = table["option_id"].map(order)
    table = table.sort_values(["_out", "_npv", "_mca", "_order"]).drop(columns=["_out", "_npv", "_mca", "_order"])
    table = table.reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def preferred_option(ranked: pd.DataFrame, settings: AppraisalSettings | Mapping | None = None) -> tuple[str, list[str]]:
    """The first option of ``ranking`` and plain sentences saying why."""
    if ranked.empty:
        raise InputTableError("option ranking", "no options to choose from",
                              fix="pass the table ranking returns (it holds business as usual and every costed option)")
    s = appraisal_settings(settings)
    top = ranked.iloc[0]
    option, label = str(top["option_id"]), str(top["label"])
    prices = f" at {s.price_base_year} prices" if s.price_base_year else ""
    horizon = f"over {s.years} years at a {s.discount_rate:.1%} real discount rate{prices}"
    candidates = ranked[ranked["status"] == CANDIDATE]
    others = candidates[candidates["option_id"] != option]
    reasons = []
    if option == STATUS_QUO:
        best = others.iloc[0] if not others.empty else None
        reasons.append(f"{label} is preferred: no affordable, fully priced option beats it on the economic case {horizon}"
                       + (f" — the best, {best['label']}, is {money_k(abs(best['risk_adjusted_npv_vs_status_quo_gbp']))} "
                          "worse in present value after optimism bias and priced risks." if best is not None else "."))
    else:
        ra = float(top["risk_adjusted_npv_vs_status_quo_gbp"])
        reasons.append(f"{label} is preferred: it has the highest net present value against business as usual among "
                       f"the affordable, fully priced options, {money_k(ra)} {horizon}, after optimism bias on every "
                       "option and the expected cost of priced risks.")
    ruled_out = ranked[ranked["status"] != CANDIDATE]
    for _, row in ruled_out.iterrows():
        reasons.append(f"{row['label']} is {row['status']} (NPV {money_k(row['risk_adjusted_npv_vs_status_quo_gbp'])} "
                       "against business as usual; the rule is printed below).")
    if not pd.isna(top.get("mca_rank")):
        n = int(ranked["mca_rank"].notna().sum())
        reasons.append(f"On the criteria money does not capture it ranks {ordinal(int(top['mca_rank']))} of {n} "
                       f"({top['mca_total']:.1f} of 100), shown beside the NPV, not added to it.")
    return option, reasons
