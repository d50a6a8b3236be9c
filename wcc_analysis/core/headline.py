"""Headline figures: recorded by a notebook, collected by the runner.

A notebook calls :func:`record` once (or more) with its headline figures. They
are displayed as one output carrying a custom MIME type, which survives
papermill and nbval unchanged, so the runner reads them back from the executed
notebook without knowing anything about the analysis.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from typing import Any

MIME_TYPE = "application/vnd.wcc-analysis.headline+json"

# How each headline figure is labelled for readers, in the order the index shows
# them (notebook JSON is stored with sorted keys, so order comes from here).
LABELS: dict[str, str] = {
    "year": "Outturn year",
    "rs_block": "RS block",
    "net_expenditure_gbp_thousands": "Net current expenditure (£ thousand)",
    "population": "Population",
    "population_method": "Population estimate used",
    "service_lines_year": "Service budget lines: RA year",
    "service_lines": "Service budget lines",
    "service_lines_budget_gbp_thousands": "Service budget (£ thousand, budget)",
    "service_lines_budget_per_head_gbp": "Service budget per head (£, budget)",
    "service_lines_comparator_median_gbp": "Comparator median service budget per head (£)",
    "service_lines_rank": "Service budget rank among comparators (1 = lowest)",
    "service_lines_rank_of": "Service budget ranked out of",
    "spend_per_head_gbp": "Spend per head",
    "comparator_median_spend_per_head_gbp": "Comparator median per head",
    "comparator_rank": "Rank among comparators (1 = lowest spend)",
    "comparator_rank_of": "Ranked out of",
    "comparator_pool_size": "Comparator pool size",
    "comparator_codes": "Comparators (ONS codes)",
    "block_shared_with": "Block shared with",
    "priority_rank": "Priority rank",
    "priority_score": "Priority score",
    "priority_category": "Council's category",
    "rank_kept_share": "Share of weightings keeping the rank",
    "delivering_need_rag": "1. Delivering what we need now?",
    "best_in_class_rag": "2. Best in class?",
    "value_for_money_rag": "3. As effective and cost efficient as it could be? (value for money: cost against outcome)",
    "efficiency_gap_to_median_gbp_thousands": "Efficiency gap to the median of those compared with (£ thousand a year, "
                                              "real terms)",
    "efficiency_gap_to_lower_quartile_gbp_thousands": "Efficiency gap to lower quartile (£ thousand a year, real terms)",
    "efficiency_gap_price_base_year": "Efficiency gap: price base (real terms)",
    "kpis_off_target": "KPIs off target",
    "best_in_class_measures": "Best in class judged on (each measure once)",
    "best_in_class_year": "Best in class: year of the measures",
    "value_for_money_cost_measure": "Value for money: cost measured on",
    "value_for_money_cost_gbp": "Value for money: cost (£, budget)",
    "value_for_money_cost_unit": "Value for money: cost counted",
    "value_for_money_cost_year": "Value for money: year of the cost (budget)",
    "value_for_money_outcomes_better_at_worse": "Value for money: outcomes better / at / worse than the median",
    "value_for_money_outcome_tolerance_pct": "Value for money: band around the median counted as at it (± %)",
    "value_for_money_outcome_years": "Value for money: years of the outcomes",
    "value_for_money_households_year": "Value for money: year of the households (DEFRA, derived)",
    "comparator_group_year": "Comparator group chosen on data for",
    "efficiency_gap_lines": "Efficiency gap: the lines it covers",
    "efficiency_gap_against": "Efficiency gap: against the median of",
    "efficiency_gap_measure": "Efficiency gap measured on",
    "efficiency_gap_year": "Efficiency gap: year",
    "efficiency_gap_basis": "Efficiency gap: outturn or budget",
    "block_spend_year": "Published spend by block: year",
    "efficiency_gap_years": "Efficiency gaps: years of the spend figures",
    "efficiency_gap_above_median_gbp_thousands": "£ thousand a year above the medians (each block once, real terms)",
    "market_maturity": "Market maturity (computed)",
    "concentration_kind": "Concentration measured",
    "hhi": "HHI (0–10,000)",
    "cr3": "CR3 (share of the three largest)",
    "capital_payments_excluded": "Capital payments left out of concentration",
    "capital_excluded_gbp": "Capital payments left out (£)",
    "maturity_and_options_sample": "Maturity and option screen rest on the illustrative sample",
    "providers_by_sector": "Providers by sector",
    "options_supported": "Sourcing options supported",
    "delivering_need_count": "Services delivering what we need now",
    "best_in_class_count": "Services best in class",
    "value_for_money_count": "Services as effective and cost efficient as they could be (value for money Green)",
    "preferred_option": "Preferred option",
    "npv_gbp_thousands": "Risk-adjusted NPV vs status quo (£ thousand)",
    "switching_value_pct": "Switching value of the key input (%)",
    "npv_p10_gbp_thousands": "NPV P10 (£ thousand)",
    "npv_p90_gbp_thousands": "NPV P90 (£ thousand)",
    "benefits_to_date_year": "Benefits to date: up to (the latest year with an actual)",
    "benefits_price_base_year": "Benefits: price base (real terms)",
    "benefits_planned_to_date_gbp_thousands": "Cashable benefits planned to date (£ thousand, real terms)",
    "benefits_realised_to_date_gbp_thousands": "Cashable benefits realised to date (£ thousand, real terms)",
    "realisation_to_date_pct": "Realised to date ÷ planned to date (%, real terms)",
    "benefits_planned_total_gbp_thousands": "Cashable benefits planned in total (£ thousand, real terms)",
    "benefits_forecast_total_gbp_thousands": "Cashable benefits forecast at completion (£ thousand, real terms)",
    "forecast_to_plan_pct": "Forecast at completion ÷ planned in total (%, real terms)",
    "benefits_planned_to_date_cash_gbp_thousands": "Cashable benefits planned to date (£ thousand, cash)",
    "benefits_realised_to_date_cash_gbp_thousands": "Cashable benefits realised to date (£ thousand, cash)",
    "realisation_to_date_cash_pct": "Realised to date ÷ planned to date (%, cash)",
    "benefits_planned_total_cash_gbp_thousands": "Cashable benefits planned in total (£ thousand, cash)",
    "benefits_forecast_total_cash_gbp_thousands": "Cashable benefits forecast at completion (£ thousand, cash)",
    "benefits_forecast_basis": "Forecast at completion made as",
    "benefits_non_cashable_on_plan": "Non-cashable benefits on plan",
    "benefits_non_cashable_behind_plan": "Non-cashable benefits behind plan",
    "benefits_non_cashable_units": "Non-cashable benefits: units",
    "benefits_red": "Benefits rated Red",
    "contract_kpis_red": "Contract KPIs Red (latest quarter)",
    "council_data": "Council data",
    "priority_scores_available": "Priority scores available",
}


def label(key: str) -> str:
    """The reader's label for a headline figure's key."""
    if key in LABELS:
        return LABELS[key]
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else key


def ordered(figures: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Figures in the reading order of LABELS, any others after them alphabetically."""
    known = [(k, figures[k]) for k in LABELS if k in figures]
    return known + sorted((k, v) for k, v in figures.items() if k not in LABELS)


def _plain(value: Any) -> Any:
    """JSON-friendly copy of value (numpy scalars, tuples, NaN → None)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 6)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_format(v) for v in value)
    from wcc_analysis.core.labels import name_of

    if isinstance(value, dict):
        return "; ".join(f"{name_of(k)}: {_format(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "n/a" if value is None else name_of(value)


def bundle(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The display bundle for these figures (custom MIME type, HTML and plain text)."""
    clean = _plain(dict(figures))
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left'>{html.escape(label(k))}</th><td>{html.escape(_format(v))}</td></tr>"
        for k, v in ordered(clean) if k != "data_used"  # the report's "Data used" box shows the sources
    )
    return {
        MIME_TYPE: clean,
        "text/html": (
            "<div class='wcc-headline'><table><caption style='caption-side:top;text-align:left;font-weight:bold'>"
            f"Headline figures recorded for the evidence pack</caption>{rows}</table></div>"
        ),
        "text/plain": "Headline figures: "
        + "; ".join(f"{k} = {_format(v)}" for k, v in clean.items()),
    }


def record(figures: Mapping[str, Any] | None = None, /, **more: Any) -> None:
    """Record headline figures for the evidence pack and show them in the notebook."""
    from IPython.display import display

    merged = {**(figures or {}), **more}
    json.dumps(_plain(merged))  # fail here, in the notebook, if a value cannot be stored
    display(bundle(merged), raw=True)


def collect(notebook: Mapping[str, Any]) -> dict[str, Any]:
    """All headline figures recorded in an executed notebook (later records win)."""
    found: dict[str, Any] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if MIME_TYPE in data:
                value = data[MIME_TYPE]
                if isinstance(value, str):
                    value = json.loads(value)
                found.update(value)
    return found
