"""The market analysis of one service: providers, the council's spend, comparators' models, the option screen."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import market, suppliers
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.findings import bounded, financial_years, first_sentence, flagged, pounds
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.core.text import listed, plural
from wcc_analysis.core.vocabulary import (
    COUNCIL,
    ILLUSTRATIVE,
    INDIVIDUAL,
    MARKET_MATURITY,
    UNCLASSIFIED,
    any_illustrative,
)
from wcc_analysis.ingest import CouncilData


@dataclass
class MarketReport:
    result: market.MarketResult
    council_data: CouncilData
    prepared: suppliers.PreparedPayments | None  # the council's published payments, cleaned (None if none)
    service_payments: pd.DataFrame | None  # market payments mapped to this service, capital and revenue
    register_from_payments: bool  # True when no provider register: suppliers paid for revenue stand in for it
    category: str | None
    priority_score: str | None
    data_used: list[SourceUse] = field(default_factory=list)

    def headline(self) -> dict:
        """The market analysis's headline figures; maturity is "not assessed" without any evidence."""
        figures = self.result.headline()
        if not self.has_evidence:
            figures["market_maturity"] = "not assessed (no provider register or payments)"
        figures[DATA_USED_KEY] = [d.to_dict() for d in self.data_used]
        return figures

    def findings(self, service_name: str = "the service") -> list[str]:
        """What the report found, in three to five plain sentences; those resting on the sample say so."""
        r, revenue = self.result, self.service_revenue
        lines = []
        if revenue is None or revenue.empty or r.spend_concentration is None:
            lines.append(f"No published payments to suppliers for running {service_name} are available, so the "
                         "council's spend concentration is not measured.")
        else:
            c, years = r.spend_concentration, financial_years(revenue["payment_date"])
            lines.append(flagged(
                f"In {years} the council paid {plural(c.n_providers, 'supplier')} "
                f"{pounds(float(revenue['amount_gbp'].sum()))} for running {service_name}; the largest, {c.largest}, "
                f"received {c.largest_share:.0%} and the three largest {c.cr3:.0%}", any_illustrative(revenue)))
        if not self.has_evidence:
            lines.append("There is no provider register and no payments, so capable providers are not counted and "
                         "market maturity is not assessed.")
        else:
            external = {sector: int(n) for sector, n in r.providers_by_sector.items() if n and sector != "in-house"}
            where = ("The suppliers paid for running it (there is no provider register) show"
                     if self.register_from_payments else "The provider register shows")
            sectors = f" ({listed(f'{n} {sector}' for sector, n in external.items())})" if external else ""
            lines.append(flagged(f"{where} {plural(sum(external.values()), 'capable external provider')}{sectors}, "
                                 f"{r.n_local} based in the district", any_illustrative(r.providers)
                                 or self.register_from_payments and any_illustrative(self.service_payments)))
            lines.append(flagged(f"Market maturity is rated {r.maturity.rating}: "
                                 f"{first_sentence(r.maturity.rule).partition(': ')[2] or r.maturity.rule}",
                                 bool(r.maturity_sample)))
        supported = r.options.loc[r.options["supported"], "label"].tolist()
        lines.append(flagged(f"{len(supported)} of {len(r.options)} sourcing options go forward to option appraisal: "
                             f"{listed(supported)}", bool(r.screen_sample)))
        return bounded(lines)

    @property
    def service_revenue(self) -> pd.DataFrame | None:
        """The service's revenue payments (what spend concentration is measured on), or None without payments."""
        if self.service_payments is None:
            return None
        return self.service_payments[self.service_payments[suppliers.SPEND_TYPE].eq(suppliers.REVENUE)]

    @property
    def spend_by_sector(self) -> pd.DataFrame | None:
        """The service's revenue payments by supplier sector (total and share), or None without any."""
        revenue = self.service_revenue
        if revenue is None or revenue.empty:
            return None
        return market.shares(revenue, "sector", table="payments")

    @property
    def capital_all_services(self) -> pd.DataFrame | None:
        """Capital payments of every service by supplier, or None without payments."""
        return self.prepared.capital_by_supplier() if self.prepared is not None else None

    @property
    def has_evidence(self) -> bool:
        """Whether there was any provider register or payments for the service to work on."""
        return self.council_data.table("providers") is not None or (
            self.service_payments is not None and len(self.service_payments) > 0)


def _register_from_payments(payments: pd.DataFrame, service_id: str) -> pd.DataFrame:
    """Suppliers paid for running the service as a stand-in provider register (location unknown: not local).

    Capital payments (``spend_type`` capital) are left out: a contractor that built the service's building does
    not thereby provide the service. Rows marked illustrative keep that mark (``data_status``).
    """
    paid = payments[payments["sector"] != INDIVIDUAL]
    if suppliers.SPEND_TYPE in paid.columns:
        paid = paid[paid[suppliers.SPEND_TYPE] != suppliers.CAPITAL]
    sample = paid["data_status"].eq(ILLUSTRATIVE) if "data_status" in paid.columns else False
    register = paid.assign(sample=sample).groupby(["supplier", "sector"], as_index=False).agg(
        amount_gbp=("amount_gbp", "sum"), sample=("sample", "any"))
    register["data_status"] = register["sample"].map({True: ILLUSTRATIVE, False: COUNCIL})
    register = register[register["sector"] != UNCLASSIFIED]
    return pd.DataFrame({
        "provider": register["supplier"], "sector": register["sector"], "services": service_id,
        "annual_value_gbp": register["amount_gbp"], "in_district": "no", "data_status": register["data_status"],
    })


def market_for_service(council: str, service: Service, config: Config,
                       council_data: CouncilData | None = None) -> MarketReport:
    """Providers, the council's spend, comparators' delivery models, maturity and the sourcing options."""
    council_data = council_data if council_data is not None else load_council_data(council, config)
    prepared = service_payments = None
    raw = ingest.load_council_supplier_payments(council)
    if raw is not None:
        mapping = ingest.load_service_area_mapping(council, service_ids=list(config.services))
        names = ingest.authorities()
        own = names.loc[names["ons_code"] == council, ["name", "official_name"]].iloc[0].tolist()
        prepared = suppliers.prepare_payments(raw, mapping, own_names=own)
        service_payments = prepared.market[prepared.market["service_id"] == service.id]
    register = council_data.table("providers")
    from_payments = register is None and service_payments is not None and len(service_payments) > 0
    if from_payments:
        register = _register_from_payments(service_payments, service.id)
    services_row = council_data.table("services", service.id)
    category = str(services_row["category"].iloc[0]) if services_row is not None else None
    scores = council_data.table("priority_scores", service.id)
    score = maturity_rows = None
    if scores is not None:
        maturity_rows = scores[scores["criterion"] == MARKET_MATURITY]
        score = str(maturity_rows["score"].iloc[0]) if len(maturity_rows) else None
    sample = [name for name, rows in ((market.CATEGORY_INPUT, services_row), (market.PRIORITY_INPUT, maturity_rows))
              if any_illustrative(rows)]
    result = market.analyse(
        register, service_id=service.id, comparator_models=council_data.table("delivery_models", service.id),
        payments=service_payments if service_payments is not None and len(service_payments) else None,
        council=council, category=category, priority_score=score,
        priority_weight=config.priority_weights.get(MARKET_MATURITY), sample_inputs=sample,
    )
    used = provenance.unique([
        provenance.supplier_payments(service_payments, prepared.illustrative) if prepared is not None else None,
        provenance.council_files(council_data, ("providers", "delivery_models", "priority_scores", "services")),
    ])
    return MarketReport(result, council_data, prepared, service_payments, from_payments, category, score, used)
