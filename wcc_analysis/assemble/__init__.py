"""Assemble: put one council's and one service's inputs together for an analysis.

The only layer that both reads (processed tables, the council's files) and
calls the pure analysis functions, so that notebooks stay thin and the
portfolio notebook can run the per-service analyses itself. One module per
analysis; :mod:`~wcc_analysis.assemble.context` checks a notebook's parameters
and reads what every report needs.
"""

from wcc_analysis.assemble.benefits import BenefitsReport, benefits_for_service
from wcc_analysis.assemble.context import authority_name, authority_names, check_parameters, council_data
from wcc_analysis.assemble.cycle import CycleReport, cycle_for_council
from wcc_analysis.assemble.gap import Benchmarked, GapReport, gap_for_service
from wcc_analysis.assemble.market import MarketReport, market_for_service
from wcc_analysis.assemble.needs import NeedsReport, needs_for_service, needs_report
from wcc_analysis.assemble.options import OptionsReport, options_for_service
from wcc_analysis.assemble.portfolio import PortfolioReport, portfolio_gaps, portfolio_report
from wcc_analysis.assemble.priority import PriorityReport, priority_for_council

__all__ = [
    "Benchmarked", "BenefitsReport", "CycleReport", "cycle_for_council", "GapReport", "MarketReport", "NeedsReport", "OptionsReport", "PortfolioReport", "PriorityReport",
    "authority_name", "authority_names", "benefits_for_service", "check_parameters", "council_data",
    "gap_for_service", "market_for_service", "needs_for_service", "needs_report", "options_for_service",
    "portfolio_gaps", "portfolio_report", "priority_for_council",
]
