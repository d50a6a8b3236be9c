"""The sections of each analysis report: what a notebook shows, in one call each.

Built on the generic helpers in :mod:`wcc_analysis.display.report` (notes,
tables, RAG answers); one module per report. Sections show results they are
given; they run no analysis and read no data.
"""

from wcc_analysis.display.sections.gap import benchmark_table
from wcc_analysis.display.sections.market import (
    concentration_note,
    market_headline,
    maturity_note,
    payments_status,
    providers_table,
    rules_of_cleaning,
)
from wcc_analysis.display.sections.needs import (
    block_note,
    comparator_method,
    council_budget,
    drivers_table,
    geographic_table,
    position_table,
)
from wcc_analysis.display.sections.options import (
    equality_section,
    long_list,
    optimism_note,
    option_label,
    sourcing_plan_section,
)
from wcc_analysis.display.sections.portfolio import portfolio_answers, portfolio_gap_total, portfolio_headline
from wcc_analysis.display.sections.priority import budgets, priority_headline

__all__ = [
    "benchmark_table", "block_note", "budgets", "comparator_method", "concentration_note", "council_budget",
    "drivers_table", "equality_section", "geographic_table", "long_list", "market_headline", "maturity_note",
    "optimism_note", "option_label", "payments_status", "portfolio_answers", "portfolio_gap_total",
    "portfolio_headline", "position_table", "priority_headline", "providers_table", "rules_of_cleaning",
    "sourcing_plan_section",
]
