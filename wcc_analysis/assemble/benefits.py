"""Benefit realisation and contract governance of one service (the cycle's Review phase)."""

from __future__ import annotations

from dataclasses import dataclass, field

from wcc_analysis import ingest
from wcc_analysis.analysis import benefits
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.context import deflators
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.ingest import CouncilData

#: The council's tables the review reads.
BENEFIT_TABLES = ("benefits_register", "contract_kpis")


@dataclass
class BenefitsReport:
    result: benefits.BenefitsResult
    council_data: CouncilData
    data_used: list[SourceUse] = field(default_factory=list)

    def headline(self) -> dict:
        return {**self.result.headline(), DATA_USED_KEY: [d.to_dict() for d in self.data_used]}


def benefits_for_service(council: str, service: Service, config: Config,
                         council_data: CouncilData | None = None) -> BenefitsReport:
    """Benefits register and contract KPIs of one service, reviewed (absent tables: 'not available'); the
    cashable £ also in real terms at ``benefits.PRICE_BASE_YEAR`` prices (the HM Treasury GDP deflator)."""
    council_data = council_data if council_data is not None else load_council_data(council, config)
    register = council_data.table("benefits_register", service.id)
    base = benefits.PRICE_BASE_YEAR
    result = benefits.review(register, council_data.table("contract_kpis", service.id),
                             deflators=deflators(), price_base_year=base)
    real_terms_used = result.price_base_year is not None and not result.pairs.empty
    return BenefitsReport(result, council_data, provenance.unique([
        provenance.council_files(council_data, BENEFIT_TABLES),
        provenance.deflator(ingest.gdp_deflator(), base) if real_terms_used else None,
    ]))
