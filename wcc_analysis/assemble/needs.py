"""The needs analysis of one service for one council, on the shipped public data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import needs, population, service_lines
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import authority_names, deflators
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.context import people as people_by_year
from wcc_analysis.assemble.findings import bounded, pounds
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse, financial_year_end
from wcc_analysis.ingest import CouncilData


def needs_for_service(council: str, service: Service, config: Config, k: int | None = None) -> needs.NeedsResult:
    """The needs analysis of ``service`` for ``council``: spend per head (cash and real), comparators, drivers."""
    return needs.analyse(
        ingest.revenue_outturn(), ingest.population(), ingest.deprivation(), ingest.neighbours(),
        council=council,
        service_id=service.id,
        service_name=service.name,
        block=service.rs_block,
        sharing_services=[s.name for s in config.services_sharing_block(service.rs_block)],
        other_blocks=list(service.other_blocks),
        model=config.comparator_model(service.id),
        k=int(k if k is not None else config.comparator_k),
        mid_year=ingest.mid_year_population(),
        structure=ingest.population_structure(),
        tax_levels=ingest.council_tax_levels(),
        labels=ingest.similarity_labels(),
        stability_change=config.stability_weight_change,
        deflators=deflators(),
    )


def lines_for_service(council: str, service: Service, result: needs.NeedsResult) -> service_lines.ServiceLines | None:
    """The service's own budget lines (config ``ra_lines``) for the council and its comparator group."""
    if not service.ra_lines:
        return None
    ra = ingest.ra_budget()
    years = sorted(int(y[:4]) for y in ra["year"].unique())
    return service_lines.service_lines(
        ra, people_by_year(years), council=council, comparators=result.group.codes, service_id=service.id,
        lines=service.ra_lines, note=service.ra_lines_note, names=authority_names(),
        variant_groups=result.stability.groups)


@dataclass
class NeedsReport:
    needs: needs.NeedsResult
    council_data: CouncilData
    service_lines: service_lines.ServiceLines | None = None
    budget_against_outturn: pd.DataFrame = field(default_factory=pd.DataFrame)
    data_used: list[SourceUse] = field(default_factory=list)
    detailed_outturn: pd.DataFrame | None = None  # the council's detailed RO lines for the service, where published

    def headline(self) -> dict:
        figures = self.needs.headline()
        if self.service_lines is not None:
            figures.update(self.service_lines.headline())
        figures[DATA_USED_KEY] = [d.to_dict() for d in self.data_used]
        return figures

    def findings(self) -> list[str]:
        """What the report found, in three to five plain sentences (published data only: no sample)."""
        r, figures = self.needs, self.needs.headline()
        spend, median = figures["spend_per_head_gbp"], figures["comparator_median_spend_per_head_gbp"]
        above = "above" if spend > median else "below" if spend < median else "at"
        lines = [
            r.narrative[0],
            f"In {r.year} that was {above} the median of its {len(r.group.members)} computed comparators "
            f"({pounds(median)} per head): rank {figures['comparator_rank']} of {figures['comparator_rank_of']}, "
            "where 1 is the lowest spend.",
        ]
        own = self.service_lines
        if own is None:
            lines.append(f"No Revenue Account budget lines are set for {r.service_name}, so only the whole block is "
                         "compared.")
        else:
            h = own.headline()
            rank = ("" if h["service_lines_rank"] is None else
                    f", against a comparator median of {pounds(h['service_lines_comparator_median_gbp'])} "
                    f"(rank {h['service_lines_rank']} of {h['service_lines_rank_of']})")
            lines.append(f"On its own budget lines ({' + '.join(own.lines)}) {r.council_name} budgeted "
                         f"{pounds(h['service_lines_budget_per_head_gbp'])} per head for {r.service_name} in "
                         f"{own.year}{rank}.")
        lines.append(next((line for line in r.narrative if line.startswith("Between ")), None))
        if r.others_in_block:
            lines.append(r.narrative[-1])
        return bounded(lines)


def needs_data_used(result: needs.NeedsResult, lines: service_lines.ServiceLines | None,
                    council_data: CouncilData) -> list[SourceUse]:
    """The sources behind a needs report, newest-figure first."""
    mid_year = ingest.mid_year_population()
    fallback = any(m.startswith(population.CENSUS_TREND) for m in result.trend["population_method"].dropna())
    records = [
        provenance.outturn(ingest.revenue_outturn(), result.council, result.block, result.year,
                           len(result.group.codes)),
        provenance.ra_budget(ingest.ra_budget(), lines.year, lines.lines) if lines is not None else None,
        provenance.mid_year_population(mid_year, int(result.year[:4]), fallback),
        provenance.census(),
        provenance.deprivation(sorted(set(ingest.deprivation()["edition"]))),
        *provenance.comparator_sources(result.group, ingest.council_tax_levels()),
        provenance.deflator(ingest.gdp_deflator(), result.price_base_year),
        provenance.council_files(council_data, ("services",)),
    ]
    return provenance.unique(records)


def needs_report(council: str, service: Service, config: Config, k: int | None = None) -> NeedsReport:
    """What the needs-analysis report shows: the analysis, the service's budget lines, budget against outturn,
    the council's own files (read once) and the sources used."""
    result = needs_for_service(council, service, config, k)
    council_data = load_council_data(council, config)
    lines = lines_for_service(council, service, result)
    against = service_lines.budget_against_outturn(ingest.ra_budget(), ingest.revenue_outturn(), council,
                                                   service.blocks)
    detail = service_lines.detailed_outturn(ingest.ro_detail(), council, service.ro_lines)
    used = needs_data_used(result, lines, council_data)
    if detail is not None:
        used.insert(1, SourceUse(
            source="MHCLG Revenue Outturn detailed service lines (RO4/RO5/RO6), Lancashire councils",
            covers="2021-22 to 2024-25", used=f"{detail['year'].iloc[0]}: the service's detailed outturn lines",
            release="data by LA, via tompickup23/burnleycouncil", period_end=financial_year_end(detail["year"].iloc[0])))
    return NeedsReport(result, council_data, lines, against, used, detail)


__all__ = ["NeedsReport", "lines_for_service", "needs_data_used", "needs_for_service", "needs_report"]
