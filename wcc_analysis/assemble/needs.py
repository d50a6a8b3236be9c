"""The needs analysis of one service for one council, on the shipped public data."""

from __future__ import annotations

from dataclasses import dataclass

from wcc_analysis import ingest
from wcc_analysis.analysis import needs
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.core.config import Config, Service
from wcc_analysis.ingest import CouncilData


def needs_for_service(council: str, service: Service, config: Config, k: int | None = None) -> needs.NeedsResult:
    """The needs analysis of ``service`` for ``council``: spend per head, comparators, drivers of need."""
    return needs.analyse(
        ingest.revenue_outturn(), ingest.population(), ingest.deprivation(), ingest.neighbours(),
        council=council,
        service_id=service.id,
        service_name=service.name,
        block=service.rs_block,
        sharing_services=[s.name for s in config.services_sharing_block(service.rs_block)],
        other_blocks=list(service.other_blocks),
        indicators=config.comparator_indicators,
        k=int(k if k is not None else config.comparator_k),
    )


@dataclass
class NeedsReport:
    needs: needs.NeedsResult
    council_data: CouncilData


def needs_report(council: str, service: Service, config: Config, k: int | None = None) -> NeedsReport:
    """What the needs-analysis report shows: the analysis and the council's own files (read once)."""
    return NeedsReport(needs_for_service(council, service, config, k), load_council_data(council, config))
