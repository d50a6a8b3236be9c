"""Benefit realisation and contract governance of one service (the cycle's Review phase)."""

from __future__ import annotations

from dataclasses import dataclass, field

from wcc_analysis import ingest
from wcc_analysis.analysis import benefits
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.context import deflators
from wcc_analysis.assemble.findings import bounded, flagged, thousands
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.core.text import plural
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

    def findings(self, service_name: str = "the service") -> list[str]:
        """What the report found, in three to five plain sentences; those resting on the sample say so."""
        r, h = self.result, self.result.headline()
        register = self.council_data.is_illustrative("benefits_register")
        lines = []
        if h["benefits_to_date_year"] is None and not len(r.status):
            lines += [f"There is no benefits register for {service_name}, so benefit realisation cannot be reviewed.",
                      "Planned and realised benefits are not available until the council supplies its benefits "
                      "register (the template in the council's folder)."]
        else:
            rag = r.overall[0]
            lines.append(flagged(f"Benefit realisation for {service_name} is rated {rag}, with "
                                 f"{plural(h['benefits_red'] or 0, 'benefit')} rated Red", register))
            real = h["benefits_planned_to_date_gbp_thousands"] is not None
            key, terms = ("_gbp_thousands", f"at {h['benefits_price_base_year']} prices") if real else \
                ("_cash_gbp_thousands", "in cash")
            planned, realised = h["benefits_planned_to_date" + key], h["benefits_realised_to_date" + key]
            if planned is not None and realised is not None:
                pct = h["realisation_to_date_pct" if real else "realisation_to_date_cash_pct"]
                lines.append(flagged(f"To {h['benefits_to_date_year']}, {thousands(realised)} of cashable benefits "
                                     f"were realised against {thousands(planned)} planned ({pct:.1f}%), {terms}",
                                     register))
                total, forecast = h["benefits_planned_total" + key], h["benefits_forecast_total" + key]
                if total is not None and forecast is not None:
                    lines.append(flagged(f"By completion the forecast is {thousands(forecast)} against "
                                         f"{thousands(total)} planned in total ({h['forecast_to_plan_pct']:.1f}%), "
                                         f"{terms}", register))
            else:
                lines.append("No cashable benefit with planned and realised figures is in the register.")
        latest = r.kpis[r.kpis["latest"]] if len(r.kpis) and "latest" in r.kpis.columns else r.kpis.iloc[0:0]
        quarter = f" (latest quarter {max(map(str, latest['quarter']))})" if len(latest) and "quarter" in latest else ""
        contract = r.narrative[-1].rstrip(".") + quarter
        lines.append(flagged(contract, bool(len(latest)) and self.council_data.is_illustrative("contract_kpis")))
        return bounded(lines)


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
