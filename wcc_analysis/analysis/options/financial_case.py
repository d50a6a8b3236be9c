"""The financial case: what each option does to the council's budget for the service, in cash, year by year.

Green Book rule (2022, chapter 3 "The Five Case Model": the financial case is the affordability and budget effect
of the preferred option, distinct from the economic case's social value): every cash item counts, transfers
included (business rates, VAT, redundancy: ``TRANSFER_ITEMS``), social value never (it is not cash). The real
amounts at the price base become cash with the council's inflation assumption (its ``appraisal_settings``
``inflation_pct`` and ``inflation_source``: no forecast series is shipped, so the sample's is illustrative and
says so); the budget for the service (its ``services`` table) is held constant in real terms, i.e. rises with the
same inflation — a cash-limited budget would be tighter. Revenue (running costs, transfers, income and savings)
is set against the budget each year; one-off costs (transition, staff transfer, pensions, redundancy, contract
exit) and capital receipts are shown apart with their funding. The optimism-bias uplift appears as a contingency
line beside the central estimate. ``AFFORDABILITY_RULES`` rates each option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wcc_analysis.analysis.options._checks import _ordered
from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.analysis.options.npv import _clean_cashflows, _priced
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import NON_CASH_ITEMS, ONE_OFF_COSTS, OPTION_LABELS, STATUS_QUO

#: One-off items: paid once for the change, not out of the service's yearly budget (a capital receipt is one too).
ONE_OFF_ITEMS: tuple[str, ...] = (*ONE_OFF_COSTS, "asset_disposal")
AFFORDABLE, AFFORDABLE_IF_FUNDED, UNAFFORDABLE = "affordable", "affordable if its one-off costs are funded", "not affordable"
FINANCIAL_COLUMNS = ["option_id", "label", "year", "revenue_cost_real_gbp", "revenue_cost_cash_gbp",
                     "contingency_cash_gbp", "one_off_cost_cash_gbp", "budget_cash_gbp", "headroom_cash_gbp",
                     "change_vs_status_quo_cash_gbp"]


@dataclass(frozen=True)
class Inflation:
    """The council's inflation assumption for cash years (a per cent a year and where it comes from)."""

    pct: float
    source: str = ""
    illustrative: bool = False
    offset: int = 0  # years from the price base to year 0 (price base 2025, year 0 = 2027-28: 2)

    def factor(self, year: int | np.ndarray) -> np.ndarray | float:
        """Cash per £ at the price base in appraisal year ``year``."""
        return (1.0 + self.pct / 100.0) ** (np.asarray(year) + self.offset)


@dataclass(frozen=True)
class AffordabilityFacts:
    """One option's budget position, as ``AFFORDABILITY_RULES`` reads it."""

    worst_headroom_gbp: float  # the smallest (budget − revenue cost) over the years, cash; < 0 = over budget
    one_off_gbp: float  # one-off costs in cash (net of receipts)
    funded: bool  # a funding source for one-off costs is named


#: The financial case's verdict on one option (first rule that holds); the report prints it.
AFFORDABILITY_RULES: RuleTable[AffordabilityFacts] = RuleTable((
    Rule(UNAFFORDABLE, "its net revenue cost (central estimate, cash) is above the council's budget for the service in "
                       "at least one year", lambda f: f.worst_headroom_gbp < -0.5),
    Rule(AFFORDABLE_IF_FUNDED, "within the budget every year, but it has one-off costs and the council names no "
                               "funding for them (a reserve, a capital receipt, a grant)",
         lambda f: f.one_off_gbp > 0.5 and not f.funded),
    Rule(AFFORDABLE, "within the budget every year, and any one-off costs have a named funding source", always),
), columns=("financial case", "rule"))


def cash_by_year(cashflows: pd.DataFrame, settings: AppraisalSettings | Mapping | None,
                   optimism: Mapping[str, Mapping[str, float]] | None, inflation: Inflation,
                   budget_gbp: float | None) -> pd.DataFrame:
    """Per option and year: revenue cost (real and cash), the optimism-bias contingency, one-off costs, the budget
    and the headroom (cash), and the change against business as usual. ``budget_gbp``: the service's yearly
    budget at the price base (None = not given: budget and headroom left blank)."""
    s = appraisal_settings(settings)
    priced = _priced(_clean_cashflows(cashflows, s), s, optimism)
    priced = priced[~priced["item"].isin(NON_CASH_ITEMS)]
    one_off = priced["item"].isin(ONE_OFF_ITEMS)
    frame = pd.DataFrame({
        "option_id": priced["option_id"], "year": priced["year"],
        # cash_net is signed (benefit +): a revenue cost is its negative, without the uplift
        "revenue": np.where(one_off, 0.0, -(priced["cash_net_gbp"] + priced["optimism_bias_gbp"])),
        "contingency": np.where(one_off, 0.0, priced["optimism_bias_gbp"]),
        "one_off": np.where(one_off, -(priced["cash_net_gbp"] + priced["optimism_bias_gbp"]), 0.0),
    })
    options = _ordered(frame["option_id"])
    grid = pd.MultiIndex.from_product([options, range(s.years + 1)], names=["option_id", "year"])
    sums = frame.groupby(["option_id", "year"])[["revenue", "contingency", "one_off"]].sum().reindex(grid, fill_value=0.0)
    table = sums.reset_index()
    factor = inflation.factor(table["year"].to_numpy())
    table["label"] = table["option_id"].map(OPTION_LABELS)
    table["revenue_cost_real_gbp"] = table["revenue"]
    table["revenue_cost_cash_gbp"] = table["revenue"] * factor
    table["contingency_cash_gbp"] = table["contingency"] * factor
    table["one_off_cost_cash_gbp"] = table["one_off"] * factor
    table["budget_cash_gbp"] = np.nan if budget_gbp is None else float(budget_gbp) * factor
    table["headroom_cash_gbp"] = table["budget_cash_gbp"] - table["revenue_cost_cash_gbp"]
    sq = table[table["option_id"] == STATUS_QUO].set_index("year")["revenue_cost_cash_gbp"]
    table["change_vs_status_quo_cash_gbp"] = table["revenue_cost_cash_gbp"] - table["year"].map(sq)
    return table[FINANCIAL_COLUMNS]


def affordability(table: pd.DataFrame, funding: str = "") -> pd.DataFrame:
    """Per option (the table ``cash_by_year`` gives): the worst year's headroom (cash; years 1 on, the running years), one-off costs, the verdict
    (``AFFORDABILITY_RULES``) and the rule. Without a budget every option is rated on one-off funding alone."""
    rows = []
    for option, group in table.groupby("option_id", sort=False):
        running = group[group["year"] >= 1]
        headroom = running["headroom_cash_gbp"]
        worst = float(headroom.min()) if headroom.notna().any() else float("inf")
        worst_year = int(running.loc[headroom.idxmin(), "year"]) if headroom.notna().any() else None
        one_off = float(group["one_off_cost_cash_gbp"].sum())
        facts = AffordabilityFacts(worst, one_off, bool(funding.strip()))
        rule = AFFORDABILITY_RULES.first(facts)
        rows.append({"option_id": option, "label": OPTION_LABELS.get(option, option),
                     "worst_headroom_cash_gbp": None if worst == float("inf") else worst, "worst_year": worst_year,
                     "one_off_cost_cash_gbp": one_off, "funding": funding or "none named",
                     "verdict": rule.outcome, "rule": rule.text})
    return pd.DataFrame(rows)
