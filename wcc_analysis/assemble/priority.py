"""Priority setting for the whole portfolio: the council's scores weighted as the framework sets out."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import blocks, priority
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.findings import bounded, flagged
from wcc_analysis.core.config import Config
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.core.text import listed
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

    def findings(self, council_name: str = "The council") -> list[str]:
        """What the report found, in three to five plain sentences; those resting on the sample say so."""
        lines = []
        spend = self.block_spend
        if spend is not None and len(spend) and self.block_year:
            total = spend.iloc[-1]
            lines.append(f"In {self.block_year} {council_name} spent £{total['net_expenditure_gbp_thousands']:,.0f} "
                         f"thousand net on the {len(spend) - 1} published spending blocks that hold its services, "
                         "each block counted once.")
        if self.result is None:
            lines += [f"{council_name} has not supplied priority scores and a list of services, so the services "
                      "cannot be scored or ranked.",
                      "To rank them, the council fills in the services and priority scores templates in its folder."]
            if len(lines) < 3:
                lines.append("Which services to commission first is therefore not answered in this report.")
            return bounded(lines)
        sample = self.council_data.is_illustrative("priority_scores", "services")
        table = self.result.table.sort_values("rank")
        top = table.iloc[0]
        lines.insert(0, flagged(f"{top['service_name']} ranks first for commissioning, with a weighted score of "
                                f"{top['weighted_total']:.0f} of {top['max_possible']:.0f} ({top['category']})", sample))
        lines.insert(1, flagged("The order, strongest case first, is "
                                f"{listed(f'{n} ({s:.0f})' for n, s in zip(table['service_name'], table['weighted_total']))}",
                                sample))
        stability = self.result.stability.join(self.result.table[["service_name"]])
        weakest = stability.sort_values("share_same_rank").iloc[0]
        lines.insert(2, flagged(f"The order barely depends on the weights: every service keeps its rank in at least "
                                f"{weakest['share_same_rank']:.0%} of the {int(weakest['combinations']):,} weightings "
                                f"tried ({weakest['service_name']} the least firm)"
                                if weakest["share_same_rank"] >= 0.9 else
                                f"{weakest['service_name']} keeps its rank in only {weakest['share_same_rank']:.0%} of "
                                f"the {int(weakest['combinations']):,} weightings tried, so its place depends on the "
                                "weights", sample))
        return bounded(lines)

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
