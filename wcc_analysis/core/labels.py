"""Reader's labels: one table of display names for the columns, options and services the reports show, and
the kind of each column's numbers (so that every table formats £, %, counts and years the same way).

``COLUMNS`` maps a program column name to its label, or to ``(label, kind)`` where the kind cannot be read from
the name. A column that is not listed still gets a reader's label (:func:`fallback_label`: ``pv_costs_gbp`` →
"PV costs (£)") and a kind from its name's ending (:func:`kind`), so a new column is never shown raw.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import numpy as np

from wcc_analysis.core.vocabulary import OPTION_LABELS

#: The kinds of number a column can hold.
MONEY = "money"  # £, e.g. £1,234
MONEY_K = "money_k"  # £ thousand, e.g. £1,234.5k
PER_HEAD = "per_head"  # £ per head (or per unit), two decimals: £12.34
SHARE = "share"  # a share 0–1, shown as %
PERCENT = "percent"  # already ×100, shown with %
COUNT = "count"  # a whole number
YEAR = "year"  # a year, shown as text (no thousands separator)
TEXT = "text"  # shown as it is
NUMBER = "number"  # any other number
OPTION = "option"  # holds option ids: shown as the option's name
SERVICE = "service"  # holds service ids: shown as the service's name
KINDS: tuple[str, ...] = (MONEY, MONEY_K, PER_HEAD, SHARE, PERCENT, COUNT, YEAR, TEXT, NUMBER, OPTION, SERVICE)

MINUS = "−"

COLUMNS: dict[str, str | tuple[str, str]] = {
    # Labelled before (display/report.py)
    "year": "Year",
    "year_start": "Year starting",
    "ons_code": ("ONS code", TEXT),
    "name": "Authority",
    "authority_name": "Authority",
    "rank": ("Rank", COUNT),
    "distance": "Distance (0 = the council, 1 = farthest in the pool)",
    "stability": "Membership across the model variants",
    "in_variants": "In the group in (variants)",
    "in_group_in": "In the group in (variants)",
    "of_variants": "Of (variants)",
    "population_growth_5y_pct": "Population change over 5 years (%)",
    "density_per_km2": "People per km²",
    "share_under_16": "Aged under 16",
    "share_65_plus": "Aged 65 and over",
    "tax_base_per_head": "Council tax base per head (Band D equivalents)",
    "shared": "mySociety labels shared (of 4)",
    "weight": "Weight",
    "basis": "Year or edition used",
    "group_median": "Comparator group median",
    "pool_median": "Pool median",
    "differs_on": "Label that differs",
    "population": ("Population", COUNT),
    "population_method": "Population estimate used",
    "net_expenditure_real_gbp_thousands": "Net current expenditure, real terms (£ thousand)",
    "spend_per_head_real_gbp": "Spend per head, real terms (£)",
    "comparator_median_real_gbp": "Comparator median per head, real terms (£)",
    "budget_gbp_thousands": "Budget (£ thousand)",
    "budget_per_head_gbp": "Budget per head (£)",
    "net_budget_gbp_thousands": "Budget, net (£ thousand)",
    "line": "Line",
    "form": "Form",
    "total_expenditure_gbp_thousands": "Total expenditure (£ thousand)",
    "total_income_gbp_thousands": "Total income (£ thousand)",
    "block": "RS block",
    "outturn_gbp_thousands": "Outturn (£ thousand)",
    "difference_gbp_thousands": "Outturn − budget (£ thousand)",
    "difference_pct": "Difference (% of budget)",
    "population_growth_pct": "Population change 2011→2021 (%)",
    "imd_score": "IMD average score",
    "net_expenditure_gbp_thousands": "Net current expenditure (£ thousand)",
    "spend_per_head_gbp": "Spend per head (£)",
    "comparator_median_spend_per_head_gbp": "Comparator median per head (£)",
    "comparators_reporting": "Comparators reporting",
    "relation": "Relation",
    "reason": "Why left out",
    "rs_block": "RS block",
    "spend_line": "Spend measured on (each counted once in the total)",
    "main_block_of": "Main block of",
    "also_holds_part_of": "Also holds part of",
    "service_id": ("Service", SERVICE),
    "service_name": "Service",
    "budget_gbp": "Budget (£)",
    "category": "Category",
    "seed_phase": "Seed phase",
    "data_status": "Data status",
    "weighted_total": "Weighted total",
    "max_possible": "Maximum possible",
    "share_same_rank": "Share keeping the rank",
    "best_rank": ("Best rank", COUNT),
    "worst_rank": ("Worst rank", COUNT),
    "combinations": "Weightings tried",
    "criterion": "Criterion",
    "score": "Score",
    "rationale": "Rationale",
    "indicator": "Indicator",
    "council": "Council",
    "comparator_median": "Comparator median",
    "measure": "Measure",
    "value": "Value",
    "kind": "Kind",
    "answer": "Answer",
    "benefit_id": "Benefit",
    "type": "Type",
    "planned_to_date": "Planned to date",
    "actual_to_date": "Realised to date",
    "realisation_pct": "Realisation %",
    "planned_total": "Planned in total",
    "forecast_at_completion": "Forecast at completion",
    "owner": "Owner",
    "variance_to_date": "Variance to date",
    "explanation": "Owner's explanation",
    "explanation_missing": "Explanation missing",
    "contract": "Contract",
    "quarter": ("Quarter", TEXT),
    "service_credit_gbp": "Service credit (£)",
    "quarters_missed": "Quarters missed",
    "action": "Action",
    "why_flagged": "Why flagged",
    "amount_gbp": "£",
    "payments": ("Payments", COUNT),
    "suppliers": ("Suppliers", COUNT),
    "exclusion_reason": "Why left out",
    "comparison_value": "Target or benchmark",
    "compared_with": "Compared with",
    "change_points": "Change (points)",
    "periods_on_target": "Periods on target",
    "periods": "Periods",
    "council_value": "Council",
    "median": "Median",
    "best": "Best performer",
    "kpi": "KPI",
    "unit": "Unit",
    "period": "Period",
    "target": "Target",
    "actual": "Actual",
    "rag": "RAG",
    "trend": "Trend",
    "question": "Question",
    "percent_satisfied": ("% satisfied", PERCENT),
    "volume": ("Volume", COUNT),
    "cost_gbp": "Cost (£)",
    "unit_cost_gbp": "Unit cost (£)",
    "provider": "Provider",
    "sector": "Sector",
    "services": "Services",
    "annual_value_gbp": "Annual value (£)",
    "contract_end": "Contract ends",
    "in_district": "In district",
    "model": "Delivery model",
    "council_name": "Council",
    "council_code": "ONS code",
    "source": "Source",
    "group": "Group",
    "label": "Option",
    "supported": "Supported",
    "share": ("Share", SHARE),
    "total": ("Total (£)", MONEY),    # Option appraisal (option_appraisal report)
    "option_id": ("Option", OPTION),
    "option": ("Option", OPTION),
    "preferred_option": ("Preferred option", OPTION),
    "switches_to": ("Preferred option switches to", OPTION),
    "monte_carlo_option": ("Option simulated", OPTION),
    "service": ("Service", SERVICE),
    "pv_gbp": "Present value (£)",
    "pv_costs_gbp": "PV costs (£)",
    "pv_benefits_gbp": "PV benefits (£)",
    "central_gbp": "Central estimate (£)",
    "mean_gbp": "Mean (£)",
    "p10_gbp": "P10, 1 in 10 lower (£)",
    "p50_gbp": "P50, median (£)",
    "p90_gbp": "P90, 1 in 10 higher (£)",
    "prob_better_than_status_quo": ("Chance of beating business as usual", SHARE),
    "share_pct": "Share (%)",
    "mitigated_pct": "Mitigated (%)",
    "starting_uplift": ("Optimism bias: starting uplift", SHARE),
    "mitigation": ("Optimism bias: mitigation", SHARE),
    "uplift": ("Optimism bias: uplift applied", SHARE),
    "switching_change_pct": "Change that switches the preferred option (%)",
    "worst_headroom_cash_gbp": "Worst-year headroom, cash (£)",
    "worst_year": ("Worst year", YEAR),
    "one_off_cost_cash_gbp": "One-off cost, cash (£)",
    "duration_days": ("Duration (days)", COUNT),
    "group_affected": "Group affected",
    "who_affected": "Who is affected",
    "priced_as_risk": "Priced as a risk",
    "seed_activity": "Seed activity",
    "mca_total": ("MCA total (weighted score)", NUMBER),
    "mca_rank": ("MCA rank", COUNT),
    "risk_adjusted_npv_vs_status_quo_gbp": "Risk-adjusted NPV against business as usual (£)",
    "npv_vs_status_quo_gbp": "NPV against business as usual (£)",
    "gap_to_median_gbp_thousands": "Gap to the comparator median (£ thousand)",
    "gap_to_lower_quartile_gbp_thousands": "Gap to the lower quartile (£ thousand)",
    "item": "Cash-flow item",
    "rating": "Rating",
    "rule": "Rule",
    "step": "Step",
}

#: Words a generic label writes in capitals (or in their own spelling).
_WORDS = {"pv": "PV", "npv": "NPV", "mca": "MCA", "kpi": "KPI", "kpis": "KPIs", "rag": "RAG", "ons": "ONS",
          "hhi": "HHI", "cr3": "CR3", "p10": "P10", "p50": "P50", "p90": "P90", "rs": "RS", "ra": "RA", "ro": "RO",
          "imd": "IMD", "gdp": "GDP", "id": "id", "vs": "against", "km2": "km²", "solace": "SOLACE"}
#: Endings that say a column's kind and how its label ends, longest first.
_ENDINGS: tuple[tuple[str, str, str], ...] = (
    ("_per_head_gbp", " per head (£)", PER_HEAD),
    ("_gbp_thousands", " (£ thousand)", MONEY_K),
    ("_gbp_k", " (£ thousand)", MONEY_K),
    ("_per_head", " per head", PER_HEAD),
    ("_gbp", " (£)", MONEY),
    ("_pct", " (%)", PERCENT),
    ("_share", "", SHARE),
    ("_count", "", COUNT),
    ("_year", "", YEAR),
    ("_id", "", TEXT),
)


def is_reader_name(column: object) -> bool:
    """A name a caller has already written for readers (it has a space, a capital or a symbol): left alone."""
    text = str(column)
    return not text.replace("_", "").isalnum() or text != text.lower() or " " in text


def fallback_label(column: str) -> str:
    """A reader's label made from a program name: ``pv_costs_gbp`` → "PV costs (£)",
    ``gap_to_median_gbp_thousands`` → "Gap to median (£ thousand)", ``realisation_pct`` → "Realisation (%)"."""
    stem, end = column, ""
    for ending, words, _kind in _ENDINGS:
        if column.endswith(ending) and column != ending.lstrip("_"):
            stem, end = column[: -len(ending)], words
            break
    words = [_WORDS.get(w, w) for w in stem.split("_") if w]
    text = " ".join(words) + end
    return text[:1].upper() + text[1:] if text else column


def label(column: object) -> str:
    """The reader's label for a column: its entry in :data:`COLUMNS`, else a headline figure's label, else
    :func:`fallback_label`. A name already written for readers is returned as it is."""
    if not isinstance(column, str) or is_reader_name(column):
        return str(column)
    entry = COLUMNS.get(column)
    if entry is not None:
        return entry if isinstance(entry, str) else entry[0]
    from wcc_analysis.core.headline import LABELS as HEADLINE_LABELS

    return HEADLINE_LABELS.get(column) or fallback_label(column)


def kind(column: object) -> str | None:
    """The kind of number a column holds (one of :data:`KINDS`), from :data:`COLUMNS` or its name's ending
    (or, for a reader's label, its unit in brackets); None when the name does not say."""
    text = str(column)
    entry = COLUMNS.get(text)
    if isinstance(entry, tuple):
        return entry[1]
    if is_reader_name(text):
        lowered = text.lower()
        if "(£ thousand" in lowered or "(£k" in lowered:
            return MONEY_K
        if "per head (£" in lowered:
            return PER_HEAD
        if "(£" in lowered:
            return MONEY
        if "(%" in lowered:
            return PERCENT
        return None
    for ending, _words, found in _ENDINGS:
        if text.endswith(ending):
            return found
    if text.startswith("share_") or text == "share":
        return SHARE
    if text in ("year", "year_start") or text.startswith("year_"):
        return YEAR
    if text.startswith(("n_", "number_of_")):
        return COUNT
    return None


@lru_cache(maxsize=1)
def service_names() -> dict[str, str]:
    """Service id → the service's name, from the public service map (config/services.toml)."""
    try:
        from wcc_analysis.core.config import load_config

        config = load_config()
    except Exception:  # noqa: BLE001 - labels must never stop a report; ids then read as words
        return {}
    names = {sid: s.name for sid, s in config.services.items()}
    names[config.portfolio.id] = config.portfolio.name
    return names


def option_name(option_id: object) -> str:
    """``"outsource_private"`` → "Outsource to private sector"; anything else as it is."""
    return OPTION_LABELS.get(str(option_id), str(option_id))


def service_name(service_id: object) -> str:
    """``"revenues_benefits"`` → the service's name in the service map; an unknown id as words."""
    text = str(service_id)
    return service_names().get(text) or (fallback_label(text) if "_" in text or text.islower() else text)


def name_of(value: object) -> str:
    """An option or service id as its name; any other value as text."""
    text = str(value)
    if text in OPTION_LABELS:
        return OPTION_LABELS[text]
    return service_names().get(text, text)


def missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(value != value) or str(value) in ("NaT", "<NA>")  # noqa: PLR0124 - NaN is not itself
    except (TypeError, ValueError):
        return False


def _signed(number: float, body: str) -> str:
    """A true minus sign before the £ (and none on a figure that rounds to zero)."""
    zero = body.strip("£k%").replace(",", "").replace(".", "").strip("0") == ""
    return (MINUS if number < 0 and not zero else "") + body


def formatted(value: object, kind_: str | None = None) -> str:
    """A cell as a reader sees it: money with thousands separators (−£2,075.5k for £ thousand, £1,234 for £),
    shares as %, whole numbers without decimals, years as text; "yes"/"no" for booleans and "" for a missing
    value (never None, NaN or True)."""
    if missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, np.datetime64)):
        return _date(value)
    if kind_ == OPTION:
        return option_name(value)
    if kind_ == SERVICE:
        return service_name(value)
    if isinstance(value, str) or kind_ == TEXT:
        return str(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return "∞" if number > 0 else MINUS + "∞"
    size, whole = abs(number), float(number).is_integer()
    if kind_ == YEAR:
        return str(int(number)) if whole else str(value)
    if kind_ == MONEY:
        return _signed(number, f"£{size:,.0f}" if whole or size >= 100 else f"£{size:,.2f}")
    if kind_ == MONEY_K:
        return _signed(number, f"£{size:,.0f}k" if whole else f"£{size:,.1f}k")
    if kind_ == PER_HEAD:
        return _signed(number, f"£{size:,.2f}")
    if kind_ == SHARE:
        return _signed(number, f"{size:.0%}" if float(size * 100).is_integer() else f"{size:.1%}")
    if kind_ == PERCENT:
        return _signed(number, f"{size:,.0f}%" if whole else f"{size:,.1f}%")
    if kind_ == COUNT or whole:
        return _signed(number, f"{size:,.0f}")
    return _signed(number, f"{size:,.3g}" if size < 1 else f"{size:,.2f}" if size < 100 else f"{size:,.1f}")


def _date(value: object) -> str:
    """A date as "1 Apr 2024" (with the time only when there is one)."""
    import pandas as pd

    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    day = f"{stamp.day} {stamp:%b %Y}"
    return day if (stamp.hour, stamp.minute, stamp.second) == (0, 0, 0) else f"{day} {stamp:%H:%M}"


def with_spec(value: object, spec: str, kind_: str | None = None) -> str:
    """A caller's format spec (``",.0f"``), with the column's unit (£, £…k) and a true minus sign."""
    if missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if not isinstance(value, (int, float, np.number)):
        return format(value, spec)
    if "+" in spec or "%" in spec or kind_ not in (MONEY, MONEY_K, PER_HEAD, PERCENT, None, NUMBER, COUNT):
        text = format(value, spec)
        return text.replace("-", MINUS, 1) if text.startswith("-") else text
    number = float(value)
    body = format(abs(number), spec)
    unit = {MONEY: ("£", ""), PER_HEAD: ("£", ""), MONEY_K: ("£", "k"), PERCENT: ("", "%")}.get(kind_, ("", ""))
    return _signed(number, unit[0] + body + unit[1])
