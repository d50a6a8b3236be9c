"""Priority setting for the whole portfolio: the council's scores weighted as the framework sets out."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis import priority
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.core.config import Config
from wcc_analysis.core.vocabulary import COUNCIL, ILLUSTRATIVE
from wcc_analysis.ingest import CouncilData


@dataclass
class PriorityReport:
    result: priority.PriorityResult | None  # None when the council has not supplied scores and services
    council_data: CouncilData

    def headline(self) -> dict:
        if self.result is None:
            return {"priority_scores_available": False}
        return {**self.result.headline(), "council_data": ILLUSTRATIVE if self.council_data.illustrative else COUNCIL}

    def budgets(self) -> pd.DataFrame | None:
        """The services in scope with their budgets and a total row; None without a services table."""
        services = self.council_data.services
        if services is None:
            return None
        shown = services[["service_id", "service_name", "budget_gbp", "category", "seed_phase", "data_status"]]
        total = pd.DataFrame([{"service_id": "", "service_name": "Total", "budget_gbp": services["budget_gbp"].sum(),
                               "category": "", "seed_phase": "", "data_status": ""}])
        return pd.concat([shown, total], ignore_index=True)


def priority_for_council(council: str, config: Config) -> PriorityReport:
    """The priority-setting analysis on the council's scores (None when they are absent: the report says so)."""
    council_data = load_council_data(council, config)
    if council_data.priority_scores is None or council_data.services is None:
        return PriorityReport(None, council_data)
    result = priority.analyse(council_data.priority_scores, council_data.services, config.priority_weights,
                              config.priority_scores, config.weight_range)
    return PriorityReport(result, council_data)
