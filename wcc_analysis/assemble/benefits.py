"""Benefit realisation and contract governance of one service (the cycle's Review phase)."""

from __future__ import annotations

from wcc_analysis.analysis import benefits
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.core.config import Config, Service
from wcc_analysis.ingest import CouncilData


def benefits_for_service(council: str, service: Service, config: Config,
                         council_data: CouncilData | None = None) -> tuple[benefits.BenefitsResult, CouncilData]:
    """Benefits register and contract KPIs of one service, reviewed (absent tables: 'not available')."""
    council_data = council_data if council_data is not None else load_council_data(council, config)
    result = benefits.review(council_data.table("benefits_register", service.id),
                             council_data.table("contract_kpis", service.id))
    return result, council_data
