"""The gap analysis of one service: the framework's three key questions on the council's and published data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import benchmarks, gap, measures, needs, population
from wcc_analysis.analysis.benchmarks import Benchmarked
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import authority_names, measure_tables
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.context import people as people_by_year
from wcc_analysis.assemble.needs import needs_for_service
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.ingest import CouncilData


@dataclass
class GapReport:
    needs: needs.NeedsResult
    result: gap.GapResult
    benchmarked: list[Benchmarked]
    lacking: list[str]
    signals: dict[str, bool]
    cost_measure: Benchmarked | None
    council_data: CouncilData
    data_used: list[SourceUse] = field(default_factory=list)

    def headline(self) -> dict:
        """The three answers with the year (and basis) of the evidence each rests on."""
        rated, cost = self.rated_measure, self.cost_measure
        return {
            **self.result.headline(),
            "best_in_class_measure": None if rated is None else rated.label,
            "best_in_class_year": None if rated is None else rated.year,
            "efficiency_gap_measure": None if cost is None else cost.spend_line,
            "efficiency_gap_year": None if cost is None else cost.year,
            "efficiency_gap_basis": None if cost is None else cost.basis,
            DATA_USED_KEY: [d.to_dict() for d in self.data_used],
        }

    @property
    def rated_measure(self) -> Benchmarked | None:
        """The most specific published performance measure (the one question 2 is judged on), if any."""
        return next((b for b in self.benchmarked if b.kind == "performance"), None)

    @property
    def spend_line(self) -> str | None:
        """What the cost measure's figure is a share of — the published block or line and its year — so that
        services measured on the same one are counted once in portfolio totals."""
        if self.cost_measure is None:
            return None
        return f"{self.cost_measure.spend_line} ({self.cost_measure.year})"


def gap_for_service(council: str, service: Service, config: Config, council_data: CouncilData | None = None,
                    k: int | None = None, tables: dict[str, pd.DataFrame] | None = None) -> GapReport:
    """The three key questions for ``service``: council KPIs and survey, public measures, efficiency gap.

    ``council_data`` and ``tables`` (from :func:`measure_tables`) may be passed in when several services are
    analysed together, so that each is read once.
    """
    council_data = council_data if council_data is not None else load_council_data(council, config)
    tables = tables if tables is not None else measure_tables()
    needs_result = needs_for_service(council, service, config, k)
    extra = (measures.service_line_measure(service.id, service.ra_lines),) if service.ra_lines else ()
    chosen = measures.measures_for(service.id, extra)
    years = sorted({measures.year_start(m.year) for m in chosen}
                   | {measures.year_start(y) for m in chosen for y in measures.trend_years(m, tables)})
    people = people_by_year(years)
    benchmarked, lacking = benchmarks.benchmark_measures(service.id, council, needs_result, tables, people,
                                                         authority_names(), extra)
    shared = frozenset(b for b in config.rs_blocks if len(config.services_sharing_block(b)) > 1)
    cost = benchmarks.cost_measure(benchmarked, shared)
    spend = comparator_values = population_for_year = None
    if cost is not None:
        values = cost.values.set_index("ons_code")["value"]
        spend = float(values[council])
        comparator_values = values.drop(council)
        mine = people[(people["ons_code"] == council) & (people["year_start"] == measures.year_start(cost.year))]
        population_for_year = float(mine["population"].iloc[0])
    services_table = council_data.table("services", service.id)
    budget = float(services_table["budget_gbp"].iloc[0]) if services_table is not None else None
    signals = needs.need_signals(needs_result)
    result = gap.analyse(
        service_id=service.id,
        kpis=council_data.table("kpis", service.id),
        survey=council_data.table("survey", service.id),
        need_signals=signals,
        benchmarks=[b.benchmark for b in benchmarked if b.kind == "performance"],
        spend_per_head=spend,
        comparator_spend_per_head=comparator_values,
        population=population_for_year,
        cost_gbp=budget,
        outputs=council_data.table("outputs", service.id),
    )
    used = provenance.unique([
        provenance.outturn(tables["revenue_outturn"], council, service.rs_block, needs_result.year,
                           len(needs_result.group.codes)),
        provenance.ra_budget(tables["ra_budget"], cost.year, service.ra_lines)
        if cost is not None and cost.basis == measures.BUDGET else None,
        *provenance.measures(benchmarked),
        provenance.mid_year_population(ingest.mid_year_population(), int(needs_result.year[:4]),
                                       people["population_method"].str.startswith(population.CENSUS_TREND).any()),
        provenance.deprivation(sorted(set(ingest.deprivation()["edition"]))),
        provenance.council_files(council_data, ("services", "kpis", "survey", "outputs")),
    ])
    return GapReport(needs_result, result, benchmarked, lacking, signals, cost, council_data, used)
