"""Priority setting for the whole portfolio: the council's scores weighted as the framework sets out."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import blocks, priority
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.core.config import Config
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.core.vocabulary import COUNCIL, ILLUSTRATIVE
from wcc_analysis.ingest import CouncilData


@dataclass
class PriorityReport:
    result: priority.PriorityResult | None  # None when the council has not supplied scores and services
    council_data: CouncilData
    block_spend: pd.DataFrame | None = None  # the council's latest net spend on each block, each block once
    block_year: str | None = None
    data_used: list[SourceUse] = field(default_factory=list)

    def headline(self) -> dict:
        figures = ({"priority_scores_available": False} if self.result is None else
                   {**self.result.headline(), "council_data": ILLUSTRATIVE if self.council_data.illustrative else COUNCIL})
        return {**figures, "block_spend_year": self.block_year, DATA_USED_KEY: [d.to_dict() for d in self.data_used]}

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
    """The priority-setting analysis on the council's scores (None when they are absent: the report says so),
    with the council's latest published spend on the blocks its services are in."""
    council_data = load_council_data(council, config)
    outturn = ingest.revenue_outturn()
    spend, year = blocks.portfolio_block_spend(outturn, council, config)
    main_block = next(iter(config.services.values())).rs_block
    used = provenance.unique([
        provenance.council_files(council_data, ("services", "priority_scores")),
        provenance.outturn(outturn, council, main_block, year, 0, used=f"{year}: the council's net spend on each "
                           "block its services are in") if year else None,
    ])
    result = None
    if council_data.priority_scores is not None and council_data.services is not None:
        result = priority.analyse(council_data.priority_scores, council_data.services, config.priority_weights,
                                  config.priority_scores, config.weight_range)
    return PriorityReport(result, council_data, spend, year, used)
