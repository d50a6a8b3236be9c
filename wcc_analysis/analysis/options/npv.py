"""The economic case: net present value of each option against business as usual, before and after optimism bias,
risk-adjusted, with payback.

Green Book rule (2022, chapters 5 and 6): every option is compared with the counterfactual (business as usual) in
real terms at the price base, discounted at the social time preference rate (``discounting``). Costs carry their
optimism-bias uplift (``optimism_bias.uplifts``: every option, business as usual included); the expected cost of
each option's priced risks (probability × impact, in the year it would fall) is subtracted. ``ECONOMIC_RULES``
says what counts: transfers (VAT, business rates, redundancy; ``TRANSFER_ITEMS``) are left out and listed, and
social value counts only where its row cites the source of the value. Bad content in the cash-flow or risk table
is an :class:`InputTableError` naming the table and column.

Sign convention: costs and benefits are entered as positive amounts; net benefit = benefits − costs. A negative
``vat`` or ``business_rates`` amount is a saving to whoever pays (e.g. rate relief for a charitable trust).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wcc_analysis.analysis.common import empty_frame, require_columns
from wcc_analysis.analysis.options._checks import (
    CASHFLOWS,
    RISKS,
    _as_years,
    _check_options,
    _name_rows,
    _one_service,
    _ordered,
)
from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.guidance import OPTIMISM_BIAS_ITEMS
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import (
    BENEFITS,
    COSTS,
    NON_CASH_ITEMS,
    OPTION_IDS,
    OPTION_LABELS,
    STATUS_QUO,
    TRANSFER_ITEMS,
)
from wcc_analysis.core.vocabulary import CASHFLOW_ITEMS as ITEMS

CASHFLOW_COLUMNS = ["option_id", "year", "item", "amount_gbp", "low_pct", "high_pct"]
COUNTED, TRANSFER, UNSOURCED = "counted", "left out: a transfer", "left out: no cited value"


@dataclass(frozen=True)
class RowFacts:
    """One cash-flow row, as ``ECONOMIC_RULES`` reads it."""

    item: str
    source: str  # where the amount's value comes from ("" = not given)


#: What of a cash-flow row the economic case counts (first rule that holds); the report prints it.
ECONOMIC_RULES: RuleTable[RowFacts] = RuleTable((
    Rule(TRANSFER, "VAT, business rates and redundancy payments are transfers (Green Book 2022, 6.7–6.9): they move "
                   "money between public bodies or people without using resources, so the economic case leaves them "
                   "out and lists them; the financial case (the council's budget) counts them",
         lambda f: f.item in TRANSFER_ITEMS),
    Rule(UNSOURCED, "social value is a value, not cash: it counts only where the row cites the source of the value "
                    "(e.g. a published unit value); otherwise it is listed as an unmonetised benefit",
         lambda f: f.item in NON_CASH_ITEMS and not f.source.strip()),
    Rule(COUNTED, "every other cost and benefit, in real terms at the price base", always),
), columns=("economic case", "rule"))
RISK_COLUMNS = ["option_id", "risk", "probability", "impact_gbp"]
NPV_COLUMNS = [
    "option_id", "label", "pv_costs_gbp", "pv_optimism_bias_gbp", "pv_benefits_gbp", "npv_gbp",
    "npv_vs_status_quo_gbp", "pv_expected_risk_gbp", "risk_adjusted_npv_gbp",
    "risk_adjusted_npv_vs_status_quo_gbp", "npv_before_optimism_bias_vs_status_quo_gbp", "pv_upliftable_costs_gbp",
    "break_even_uplift", "pv_excluded_transfers_gbp", "pv_excluded_unsourced_gbp", "payback_year",
]


def _clean_cashflows(cashflows: pd.DataFrame, settings: AppraisalSettings) -> pd.DataFrame:
    """The cash-flow rows checked, with whole years and numeric amounts, in option, year and item order."""
    require_columns(cashflows, CASHFLOW_COLUMNS, CASHFLOWS)
    _one_service(cashflows, CASHFLOWS)
    rows = cashflows[[*CASHFLOW_COLUMNS, *(["source"] if "source" in cashflows.columns else [])]].copy()
    if "source" not in rows.columns:
        rows["source"] = ""
    rows["source"] = rows["source"].fillna("").astype(str)
    _check_options(rows["option_id"], CASHFLOWS)
    bad_items = sorted(set(rows["item"].astype(str)) - set(ITEMS))
    if bad_items:
        raise InputTableError(CASHFLOWS, f"unknown item(s) {bad_items}", column="item",
                              fix=f"use a cost {list(COSTS)} or a benefit {list(BENEFITS)}")
    years = pd.to_numeric(rows["year"], errors="coerce")
    if years.isna().any() or not (years == years.round()).all():
        bad = years.isna() | (years != years.round())
        raise InputTableError(CASHFLOWS, f"year must be a whole number, not {rows.loc[bad, 'year'].tolist()}",
                              column="year", fix="give each year as 0, 1, 2 … (0 = now, 1 = next year)")
    if (years < 0).any():
        raise InputTableError(CASHFLOWS, f"negative year(s) {sorted(int(y) for y in years[years < 0].unique())}; year 0 is now",
                              column="year", fix="count years from 0 (now): 1 is next year")
    if (years > settings.years).any():
        beyond = sorted(int(y) for y in years[years > settings.years].unique())
        raise InputTableError(CASHFLOWS, f"year(s) {beyond} beyond the appraisal period of {settings.years} years",
                              column="year", fix="remove the later rows, or lengthen the appraisal period (appraisal_years)")
    rows["year"] = years.astype(int)
    rows["amount_gbp"] = pd.to_numeric(rows["amount_gbp"], errors="coerce")
    if rows["amount_gbp"].isna().any():
        where = _name_rows(rows, rows["amount_gbp"].isna(), ["option_id", "year", "item"])
        raise InputTableError(CASHFLOWS, f"amount_gbp missing or not a number (option / year / item: {where})",
                              column="amount_gbp", fix="give every row an amount in £ (0 if nothing is spent or gained)")
    if STATUS_QUO not in set(rows["option_id"]):
        raise InputTableError(CASHFLOWS, "no status_quo rows; every option is appraised against the status quo",
                              column="option_id", fix="add the status quo's cash flows (option_id status_quo): "
                                                      "its costs and benefits under business as usual")
    order = {o: i for i, o in enumerate(OPTION_IDS)}
    rows["_order"] = rows["option_id"].map(order)
    rows["_item"] = rows["item"].map({i: n for n, i in enumerate(ITEMS)})
    rows = rows.sort_values(["_order", "year", "_item"], kind="stable").drop(columns=["_order", "_item"])
    return rows.reset_index(drop=True)


def _priced(rows: pd.DataFrame, settings: AppraisalSettings, optimism: Mapping | None) -> pd.DataFrame:
    """Each row with its optimism uplift (``optimism``: option → {item: uplift}; absent = 0), what the economic case
    counts (``ECONOMIC_RULES``), signed net benefit (benefits +, costs −; ``net_gbp`` is the economic case's,
    ``cash_net_gbp`` the budget's: transfers in, social value out) and discount factor."""
    table = {o: dict(items) for o, items in (optimism or {}).items()}
    out = rows.copy()
    if "source" not in out.columns:
        out["source"] = ""
    is_cost = out["item"].isin(COSTS)
    uplift = [table.get(o, {}).get(i, 0.0) for o, i in zip(out["option_id"], out["item"])]
    # Optimism bias raises a cost estimate; it never enlarges a saving entered as a negative cost.
    out["uplift"] = np.where(is_cost & (out["amount_gbp"] > 0), uplift, 0.0)
    out["optimism_bias_gbp"] = out["amount_gbp"] * out["uplift"]
    out["economic"] = [ECONOMIC_RULES.decide(RowFacts(str(i), str(s))) for i, s in zip(out["item"], out["source"])]
    counted = out["economic"] == COUNTED
    signed = np.where(is_cost, -(out["amount_gbp"] + out["optimism_bias_gbp"]), out["amount_gbp"])
    out["cost_gbp"] = np.where(is_cost & counted, out["amount_gbp"] + out["optimism_bias_gbp"], 0.0)
    out["benefit_gbp"] = np.where(~is_cost & counted, out["amount_gbp"], 0.0)
    out["net_gbp"] = out["benefit_gbp"] - out["cost_gbp"]
    central = np.where(is_cost, -out["amount_gbp"], out["amount_gbp"])
    out["excluded_gbp"] = np.where(counted, 0.0, central)  # left out at the amount given (no uplift)
    out["cash_net_gbp"] = np.where(out["item"].isin(NON_CASH_ITEMS), 0.0, signed)
    out["discount_factor"] = 1.0 / (1.0 + settings.discount_rate) ** out["year"]
    return out


def yearly_flows(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Per option per year 0..N of the economic case: costs (after optimism bias), the bias within them, benefits,
    net, and discounting.

    ``pv_net_vs_status_quo_gbp`` is the option's discounted net benefit minus the
    status quo's in that year; ``cumulative_pv_vs_status_quo_gbp`` its running total.
    """
    s = appraisal_settings(settings)
    return _yearly(_priced(_clean_cashflows(cashflows, s), s, optimism), s)


def _yearly(priced: pd.DataFrame, s: AppraisalSettings) -> pd.DataFrame:
    """``yearly_flows`` from rows already priced (``_priced``)."""
    priced = priced.assign(optimism_bias_gbp=np.where(priced["economic"] == COUNTED, priced["optimism_bias_gbp"], 0.0))
    options = _ordered(priced["option_id"])
    grid = pd.MultiIndex.from_product([options, range(s.years + 1)], names=["option_id", "year"])
    sums = priced.groupby(["option_id", "year"])[["cost_gbp", "optimism_bias_gbp", "benefit_gbp", "net_gbp"]].sum()
    table = sums.reindex(grid, fill_value=0.0).reset_index()
    table = table.rename(columns={"cost_gbp": "costs_gbp", "benefit_gbp": "benefits_gbp"})
    table["discount_factor"] = 1.0 / (1.0 + s.discount_rate) ** table["year"]
    table["pv_net_gbp"] = table["net_gbp"] * table["discount_factor"]
    sq = table.loc[table["option_id"] == STATUS_QUO].set_index("year")["pv_net_gbp"]
    table["pv_net_vs_status_quo_gbp"] = table["pv_net_gbp"] - table["year"].map(sq)
    table["cumulative_pv_vs_status_quo_gbp"] = table.groupby("option_id", sort=False)["pv_net_vs_status_quo_gbp"].cumsum()
    return table


def _clean_risks(risks: pd.DataFrame | None, settings: AppraisalSettings) -> pd.DataFrame:
    """The risk rows checked, with numeric probability and impact and a whole ``year`` (1 when not given)."""
    if risks is None or risks.empty:
        return empty_frame([*RISK_COLUMNS, "year"])
    require_columns(risks, RISK_COLUMNS, RISKS)
    _one_service(risks, RISKS)
    rows = risks.copy()
    _check_options(rows["option_id"], RISKS)
    p = pd.to_numeric(rows["probability"], errors="coerce")
    if p.isna().any() or ((p < 0) | (p > 1)).any():
        where = _name_rows(rows, p.isna() | (p < 0) | (p > 1), ["option_id", "risk"])
        raise InputTableError(RISKS, f"probability must be from 0 to 1 (option / risk: {where})", column="probability",
                              fix="give each risk's likelihood as a fraction (0.25 = a one-in-four chance)")
    rows["probability"] = p
    rows["impact_gbp"] = pd.to_numeric(rows["impact_gbp"], errors="coerce")
    if rows["impact_gbp"].isna().any():
        where = _name_rows(rows, rows["impact_gbp"].isna(), ["option_id", "risk"])
        raise InputTableError(RISKS, f"impact_gbp missing or not a number (option / risk: {where})", column="impact_gbp",
                              fix="give each risk's cost in £ if it happens")
    year = pd.to_numeric(rows["year"], errors="coerce") if "year" in rows.columns else pd.Series(np.nan, index=rows.index)
    year = year.fillna(1)
    if not (year == year.round()).all() or (year < 0).any() or (year > settings.years).any():
        where = _name_rows(rows, (year != year.round()) | (year < 0) | (year > settings.years), ["option_id", "risk"])
        raise InputTableError(RISKS, f"year must be a whole number from 0 to {settings.years} (option / risk: {where})",
                              column="year", fix="give the year the risk would fall in, or leave it blank for year 1")
    rows["year"] = year.astype(int)
    return rows


def expected_risk(risks: pd.DataFrame | None, settings: AppraisalSettings | Mapping | None = None) -> pd.Series:
    """Present value of each option's expected risk cost Σ probability × impact, discounted at the risk's
    ``year`` (year 1 when not given), indexed by option id."""
    rows = risk_present_values(risks, settings)
    if rows.empty:
        return pd.Series(dtype=float, name="pv_expected_risk_gbp")
    return rows["pv_expected_gbp"].groupby(rows["option_id"]).sum().rename("pv_expected_risk_gbp")


def risk_present_values(risks: pd.DataFrame | None, settings: AppraisalSettings | Mapping | None = None) -> pd.DataFrame:
    """Each priced risk checked, with ``pv_impact_gbp`` (its impact discounted at its ``year``, year 1 when not
    given) and ``pv_expected_gbp`` (× its probability): the one place a risk's present value is worked out."""
    s = appraisal_settings(settings)
    rows = _clean_risks(risks, s).copy()
    rows["pv_impact_gbp"] = pd.to_numeric(rows["impact_gbp"]) / (1.0 + s.discount_rate) ** pd.to_numeric(rows["year"])
    rows["pv_expected_gbp"] = pd.to_numeric(rows["probability"]) * rows["pv_impact_gbp"]
    return rows


def _payback(cumulative: Sequence[float]) -> int | None:
    """First year from which the cumulative discounted net benefit vs the status quo is ≥ 0 and stays so."""
    values = list(cumulative)
    for year in range(len(values)):
        if all(v >= -1e-9 for v in values[year:]):
            return year
    return None


def npv_table(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
    risks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Net present value of each option, and against the status quo, in £ at the price base year.

    PV costs include optimism bias (``optimism``: option → {item: uplift}, from ``optimism_bias.uplifts``);
    ``npv_gbp`` = PV benefits − PV costs of the option's own flows;
    ``npv_vs_status_quo_gbp`` = NPV(option) − NPV(status quo).
    ``risk_adjusted_npv_gbp`` subtracts the PV of expected risk (``expected_risk``);
    ``risk_adjusted_npv_vs_status_quo_gbp`` compares that with the status quo's
    risk-adjusted NPV (so the status quo's own risks count in the comparison).
    ``payback_year``: first year from which the cumulative discounted net benefit
    against the status quo is ≥ 0 and stays ≥ 0 to the end; None if never (and for
    the status quo itself). ``npv_before_optimism_bias_vs_status_quo_gbp``: the same risk-adjusted comparison with no
    uplift on any option. ``break_even_uplift``: the uplift on this option's upliftable costs (PV
    ``pv_upliftable_costs_gbp``; business as usual keeping its own) at which it exactly matches business as usual —
    negative when it loses even with none. ``pv_excluded_*``: what ``ECONOMIC_RULES`` left out (signed: + = a net
    benefit left out).
    """
    s = appraisal_settings(settings)
    priced = _priced(_clean_cashflows(cashflows, s), s, optimism)
    flows = _yearly(priced, s)
    pv = priced["discount_factor"]
    counted_cost = (priced["economic"] == COUNTED) & priced["item"].isin(COSTS) & (priced["amount_gbp"] > 0)
    upliftable = (priced["amount_gbp"] * pv).where(counted_cost & priced["item"].isin(list(OPTIMISM_BIAS_ITEMS)), 0.0)
    by_option = pd.DataFrame({
        "option_id": priced["option_id"],
        "upliftable": upliftable,
        "bias": np.where(priced["economic"] == COUNTED, priced["optimism_bias_gbp"], 0.0) * pv,
        "transfers": np.where(priced["economic"] == TRANSFER, priced["excluded_gbp"], 0.0) * pv,
        "unsourced": np.where(priced["economic"] == UNSOURCED, priced["excluded_gbp"], 0.0) * pv,
    }).groupby("option_id").sum()
    risk = expected_risk(risks, s)
    missing = sorted(set(risk.index) - set(flows["option_id"]))
    if missing:
        raise InputTableError(RISKS, f"option(s) {missing} have risks but no cash flows", column="option_id",
                              fix="add those options' cash flows, or remove their risks")
    rows = []
    for option, group in flows.groupby("option_id", sort=False):
        df = group["discount_factor"]
        rows.append({
            "option_id": option,
            "label": OPTION_LABELS[option],
            "pv_costs_gbp": float((group["costs_gbp"] * df).sum()),
            "pv_optimism_bias_gbp": float((group["optimism_bias_gbp"] * df).sum()),
            "pv_benefits_gbp": float((group["benefits_gbp"] * df).sum()),
            "npv_gbp": float(group["pv_net_gbp"].sum()),
            "pv_expected_risk_gbp": float(risk.get(option, 0.0)),
            "payback_year": None if option == STATUS_QUO else _payback(group["cumulative_pv_vs_status_quo_gbp"]),
        })
    table = pd.DataFrame(rows)
    sq = table.set_index("option_id").loc[STATUS_QUO]
    table["npv_vs_status_quo_gbp"] = table["npv_gbp"] - sq["npv_gbp"]
    table["risk_adjusted_npv_gbp"] = table["npv_gbp"] - table["pv_expected_risk_gbp"]
    table["risk_adjusted_npv_vs_status_quo_gbp"] = table["risk_adjusted_npv_gbp"] - (sq["npv_gbp"] - sq["pv_expected_risk_gbp"])
    extra = by_option.reindex(table["option_id"]).fillna(0.0).reset_index(drop=True)
    sq_bias = float(by_option["bias"].get(STATUS_QUO, 0.0))
    table["npv_before_optimism_bias_vs_status_quo_gbp"] = (table["risk_adjusted_npv_vs_status_quo_gbp"]
                                                           + extra["bias"] - sq_bias)
    table["pv_upliftable_costs_gbp"] = extra["upliftable"]
    # vs BAU at its own uplift, the option's NPV falls by u × its upliftable costs: it breaks even at u*.
    own_before = table["risk_adjusted_npv_vs_status_quo_gbp"] + extra["bias"]
    table["break_even_uplift"] = [
        None if o == STATUS_QUO or c <= 0 else float(b) / float(c)
        for o, b, c in zip(table["option_id"], own_before, extra["upliftable"])
    ]
    table["pv_excluded_transfers_gbp"] = extra["transfers"]
    table["pv_excluded_unsourced_gbp"] = extra["unsourced"]
    table["payback_year"] = _as_years(table["payback_year"])
    return table[NPV_COLUMNS]
