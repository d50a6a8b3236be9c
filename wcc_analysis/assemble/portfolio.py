"""The whole portfolio: every service's gap answers together, and the published spend of each block once."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis import gap
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.context import measure_tables
from wcc_analysis.assemble.cycle import CycleReport, cycle_for_council
from wcc_analysis.assemble.gap import GapReport, gap_for_service
from wcc_analysis.core.config import Config
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse


@dataclass
class PortfolioReport:
    answers: pd.DataFrame  # one row per service: its three answers and efficiency gap (gap headline figures, real terms)
    reports: list[GapReport]  # each service's gap analysis
    counts: dict  # the framework's three questions as portfolio counts (analysis.gap.portfolio_counts)
    cycle: CycleReport | None = field(default=None)  # the cycle tracker and SOLACE readiness (assemble.cycle)

    @property
    def price_base_year(self) -> str | None:
        """The price base of the £ gaps (real terms), when every service's gap has one."""
        bases = {r.result.efficiency.get("price_base_year") for r in self.reports if r.result.efficiency}
        return next(iter(bases)) if len(bases) == 1 else None

    @property
    def data_used(self) -> list[SourceUse]:
        return provenance.unique(d for r in self.reports for d in r.data_used)

    @property
    def answers_shown(self) -> pd.DataFrame:
        """The answers as the overview shows them: the spend each gap is measured on, by name."""
        return self.answers.rename(columns={"rs_block": "spend_line"})

    def headline(self) -> dict:
        """The three counts (question 3 is value for money: cost against outcome) and the £ gap above the
        comparator medians, each block once, in real terms at the price base."""
        years = sorted({r.cost_measure.year for r in self.reports if r.cost_measure is not None})
        return {**gap.portfolio_headline(self.counts), "efficiency_gap_years": years,
                "efficiency_gap_price_base_year": self.price_base_year,
                **(self.cycle.headline() if self.cycle is not None else {}),
                DATA_USED_KEY: [d.to_dict() for d in self.data_used]}


def portfolio_report(council: str, config: Config, k: int | None = None) -> PortfolioReport:
    """The commissioning overview: every service's gap answers, and the three questions counted across them."""
    answers, reports = portfolio_gaps(council, config, k)
    data = reports[0].council_data if reports else None
    return PortfolioReport(answers, reports, gap.portfolio_counts(answers), cycle_for_council(council, config, data))


def portfolio_gaps(council: str, config: Config, k: int | None = None) -> tuple[pd.DataFrame, list[GapReport]]:
    """Every configured service's gap answers as one table (for the portfolio roll-up), and the reports."""
    council_data = load_council_data(council, config)
    tables = measure_tables()  # read once for every service
    reports = [gap_for_service(council, s, config, council_data, k, tables) for s in config.services.values()]
    rows = [
        {"service_id": service.id, "service_name": service.name, **found.result.headline(), "rs_block": found.spend_line,
         "efficiency_gap_against": None if found.cost_measure is None else found.median_of}
        for service, found in zip(config.services.values(), reports, strict=True)
    ]
    return pd.DataFrame(rows), reports
