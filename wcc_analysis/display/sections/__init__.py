"""The sections of each analysis report: what a notebook shows, in one call each.

Built on the generic helpers in :mod:`wcc_analysis.display.report` (notes,
tables, RAG answers); one module per report. Sections show results they are
given; they run no analysis and read no data.
"""

from wcc_analysis.display.sections.benefits import (
    benefit_pairs,
    benefit_table,
    cashable_chart,
    non_cashable_table,
    variance_table,
)
from wcc_analysis.display.sections.cycle import (
    cycle_chart,
    cycle_proportionality,
    cycle_tracker,
    solace_chart,
    solace_table,
)
from wcc_analysis.display.sections.gap import (
    benchmark_table,
    best_in_class_table,
    cost_measure_note,
    efficiency_table,
    need_signals,
    own_kpis,
    quadrant_caption,
    trend_panels,
    trend_words,
    unit_cost_table,
    value_for_money_table,
)
from wcc_analysis.display.sections.market import (
    capital_all_services,
    capital_section,
    concentration_note,
    maturity_note,
    options_screen,
    payments_source,
    payments_status,
    providers_source,
    providers_table,
    rules_of_cleaning,
    supplier_shares_chart,
)
from wcc_analysis.display.sections.needs import (
    alternative_groups,
    block_note,
    budget_against_outturn,
    comparator_members,
    comparator_method,
    council_budget,
    detailed_outturn,
    drivers_table,
    geographic_table,
    group_stability,
    pool_changes,
    position_table,
    service_lines,
    trend_table,
)
from wcc_analysis.display.sections.options import (
    candidates,
    commercial_and_management,
    economic_case,
    equality_section,
    financial_case,
    optimism_bias,
    option_label,
    preferred,
    scoring,
    sensitivity,
    shortlist,
    sourcing_plan_section,
    uncertainty,
)
from wcc_analysis.display.sections.portfolio import in_a_sentence, portfolio_answers, portfolio_gap_total
from wcc_analysis.display.sections.priority import block_spend, budgets

__all__ = [
    "cycle_chart", "cycle_proportionality", "cycle_tracker", "solace_chart", "solace_table",
    "benefit_pairs", "benefit_table", "cashable_chart", "non_cashable_table", "variance_table",
    "capital_all_services", "capital_section", "options_screen", "payments_source", "providers_source", "supplier_shares_chart",
    "alternative_groups", "comparator_members", "group_stability",
    "benchmark_table", "best_in_class_table", "efficiency_table", "own_kpis", "quadrant_caption", "trend_panels", "trend_words",
    "unit_cost_table", "value_for_money_table",
    "block_note", "block_spend", "cost_measure_note", "budgets", "comparator_method", "concentration_note", "council_budget",
    "detailed_outturn", "drivers_table", "equality_section", "geographic_table", "maturity_note", "need_signals",
    "option_label", "shortlist", "optimism_bias", "economic_case", "financial_case", "sensitivity", "uncertainty",
    "candidates", "scoring", "commercial_and_management", "payments_status", "in_a_sentence", "portfolio_answers", "portfolio_gap_total",
    "position_table", "preferred", "providers_table", "rules_of_cleaning",
    "sourcing_plan_section", "budget_against_outturn", "pool_changes", "service_lines", "trend_table",
]
