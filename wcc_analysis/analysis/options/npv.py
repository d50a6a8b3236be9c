"""Net present value of each option against the status quo, risk-adjusted, with payback.

Green Book rule: every option is compared with the counterfactual (the status
quo, business as usual): costs after optimism bias and benefits are discounted
(``discounting``), the expected cost of each option's risks (probability ×
impact, in the year it would fall) is subtracted, and the option's net present
value is reported against the status quo's. Bad content in the cash-flow or
risk table is an :class:`InputTableError` naming the table and column.

Sign convention: costs and benefits are entered as positive amounts; net
benefit = benefits − costs. A negative ``vat`` or ``business_rates`` amount is
a saving (e.g. rate relief for a charitable trust).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
from wcc_analysis.analysis.options.optimism_bias import effective_optimism
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.vocabulary import BENEFITS, COSTS, OPTION_IDS, OPTION_LABELS, STATUS_QUO
from wcc_analysis.core.vocabulary import CASHFLOW_ITEMS as ITEMS

CASHFLOW_COLUMNS = ["option_id", "year", "item", "amount_gbp", "low_pct", "high_pct"]
RISK_COLUMNS = ["option_id", "risk", "probability", "impact_gbp"]
NPV_COLUMNS = [
    "option_id", "label", "pv_costs_gbp", "pv_optimism_bias_gbp", "pv_benefits_gbp", "npv_gbp",
    "npv_vs_status_quo_gbp", "pv_expected_risk_gbp", "risk_adjusted_npv_gbp",
    "risk_adjusted_npv_vs_status_quo_gbp", "payback_year",
]


def _clean_cashflows(cashflows: pd.DataFrame, settings: AppraisalSettings) -> pd.DataFrame:
    """The cash-flow rows checked, with whole years and numeric amounts, in option, year and item order."""
    require_columns(cashflows, CASHFLOW_COLUMNS, CASHFLOWS)
    _one_service(cashflows, CASHFLOWS)
    rows = cashflows[CASHFLOW_COLUMNS].copy()
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
    """Each row with its optimism uplift, signed net benefit (benefits +, costs −) and discount factor."""
    table = effective_optimism(optimism)
    out = rows.copy()
    is_cost = out["item"].isin(COSTS)
    uplift = [table.get(o, {}).get(i, 0.0) for o, i in zip(out["option_id"], out["item"])]
    # Optimism bias raises a cost estimate; it never enlarges a saving entered as a negative cost.
    out["uplift"] = np.where(is_cost & (out["amount_gbp"] > 0), uplift, 0.0)
    out["optimism_bias_gbp"] = out["amount_gbp"] * out["uplift"]
    out["cost_gbp"] = np.where(is_cost, out["amount_gbp"] + out["optimism_bias_gbp"], 0.0)
    out["benefit_gbp"] = np.where(is_cost, 0.0, out["amount_gbp"])
    out["net_gbp"] = out["benefit_gbp"] - out["cost_gbp"]
    out["discount_factor"] = 1.0 / (1.0 + settings.discount_rate) ** out["year"]
    return out


def yearly_flows(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Per option per year 0..N: costs (after optimism bias), the bias within them, benefits, net, and discounting.

    ``pv_net_vs_status_quo_gbp`` is the option's discounted net benefit minus the
    status quo's in that year; ``cumulative_pv_vs_status_quo_gbp`` its running total.
    """
    s = appraisal_settings(settings)
    priced = _priced(_clean_cashflows(cashflows, s), s, optimism)
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
    s = appraisal_settings(settings)
    rows = _clean_risks(risks, s)
    if rows.empty:
        return pd.Series(dtype=float, name="pv_expected_risk_gbp")
    pv = rows["probability"] * rows["impact_gbp"] / (1.0 + s.discount_rate) ** rows["year"]
    return pv.groupby(rows["option_id"]).sum().rename("pv_expected_risk_gbp")


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

    PV costs include optimism bias (``OPTIMISM_BIAS`` merged with ``optimism``);
    ``npv_gbp`` = PV benefits − PV costs of the option's own flows;
    ``npv_vs_status_quo_gbp`` = NPV(option) − NPV(status quo).
    ``risk_adjusted_npv_gbp`` subtracts the PV of expected risk (``expected_risk``);
    ``risk_adjusted_npv_vs_status_quo_gbp`` compares that with the status quo's
    risk-adjusted NPV (so the status quo's own risks count in the comparison).
    ``payback_year``: first year from which the cumulative discounted net benefit
    against the status quo is ≥ 0 and stays ≥ 0 to the end; None if never (and for
    the status quo itself).
    """
    s = appraisal_settings(settings)
    flows = yearly_flows(cashflows, s, optimism)
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
    table["payback_year"] = _as_years(table["payback_year"])
    return table[NPV_COLUMNS]
