"""The option appraisal of one service: the market screen's long list, appraised against the status quo."""

from __future__ import annotations

from dataclasses import dataclass, field

from wcc_analysis.analysis import options
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.market import MarketReport, market_for_service
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.core.vocabulary import STATUS_QUO
from wcc_analysis.ingest import CouncilData


@dataclass
class OptionsReport:
    result: options.AppraisalResult | None  # None when the council has costed no options
    market: MarketReport
    long_list: list[str]  # option ids the market screen supports, with the status quo first
    not_costed: list[str]  # on the long list but without cashflows
    off_list: list[str]  # costed by the council but not supported by the market screen (left out)
    council_data: CouncilData
    data_used: list[SourceUse] = field(default_factory=list)

    def headline(self) -> dict:
        figures = self.result.headline() if self.result is not None else {"preferred_option": None}
        return {**figures, DATA_USED_KEY: [d.to_dict() for d in self.data_used]}


#: The council's tables an option appraisal reads.
OPTION_TABLES = ("appraisal_settings", "option_cashflows", "option_scores", "option_risks", "equality_impacts",
                 "sourcing_plan")


def _settings(council_data: CouncilData, service: Service, config: Config) -> dict:
    row = council_data.table("appraisal_settings", service.id)
    if row is None:
        return {"appraisal_years": int(config.appraisal["appraisal_years"]),
                "discount_rate_pct": config.appraisal["discount_rate_pct"]}
    first = row.iloc[0]
    return {"appraisal_years": int(first["appraisal_years"]), "discount_rate_pct": float(first["discount_rate_pct"]),
            "price_base_year": int(first["price_base_year"])}


def options_for_service(council: str, service: Service, config: Config,
                        council_data: CouncilData | None = None) -> OptionsReport:
    """The Green Book appraisal of the options on the market screen's long list, against the status quo."""
    council_data = council_data if council_data is not None else load_council_data(council, config)
    market_report = market_for_service(council, service, config, council_data)
    screen = market_report.result.options
    long_list = [STATUS_QUO, *screen.loc[screen["supported"], "option_id"]]
    cashflows = council_data.table("option_cashflows", service.id)
    used = provenance.unique([provenance.council_files(council_data, OPTION_TABLES), *market_report.data_used])
    if cashflows is None:
        return OptionsReport(None, market_report, long_list, long_list[1:], [], council_data, used)
    costed = set(cashflows["option_id"])
    off_list = sorted(costed - set(long_list))

    def on_long_list(name: str):
        frame = council_data.table(name, service.id)
        return None if frame is None else frame[frame["option_id"].isin(long_list)].reset_index(drop=True)

    result = options.appraise(
        on_long_list("option_cashflows").assign(year=lambda f: f["year"].astype(int)),
        on_long_list("option_scores"),
        settings=_settings(council_data, service, config),
        risks=on_long_list("option_risks"),
        optimism=options.optimism_bias_table(running=config.appraisal["optimism_bias_running"],
                                             one_off=config.appraisal["optimism_bias_one_off"]),
        impacts=on_long_list("equality_impacts"),
        plan=on_long_list("sourcing_plan"),
        financial_weight=config.appraisal["financial_weight"],
        service_id=service.id,
    )
    not_costed = [o for o in long_list if o not in costed]
    return OptionsReport(result, market_report, long_list, not_costed, off_list, council_data, used)
