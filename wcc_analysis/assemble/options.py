"""The option appraisal of one service: the market screen's long list, appraised against the status quo."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import options
from wcc_analysis.analysis.options import business_case
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.context import people as people_by_year
from wcc_analysis.assemble.findings import bounded, flagged, thousands
from wcc_analysis.assemble.market import MarketReport, market_for_service
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.core.text import listed
from wcc_analysis.core.vocabulary import DO_MINIMUM, OPTION_LABELS, STATUS_QUO
from wcc_analysis.ingest import CouncilData


@dataclass
class BusinessCase:
    """The five-case coverage and the commercial and management cases in brief (analysis.options.business_case)."""

    coverage: pd.DataFrame
    sentence: str
    commercial: list  # CommercialSummary per shortlisted option
    routes: pd.DataFrame
    management: object | None  # ManagementSummary of the preferred option


@dataclass
class OptionsReport:
    result: options.AppraisalResult | None  # None when the council has costed no options
    market: MarketReport
    long_list: list[str]  # option ids the market screen supports, with the status quo first
    not_costed: list[str]  # on the long list but without cashflows
    off_list: list[str]  # costed by the council but not supported by the market screen (left out)
    council_data: CouncilData
    data_used: list[SourceUse] = field(default_factory=list)
    service_id: str = ""
    tables: tuple[str, ...] = ()  # the council tables an option appraisal reads (OPTION_TABLES)
    business: BusinessCase | None = None

    def __post_init__(self) -> None:
        self.tables = self.tables or OPTION_TABLES

    def headline(self) -> dict:
        figures = self.result.headline() if self.result is not None else {"preferred_option": None}
        return {**figures, DATA_USED_KEY: [d.to_dict() for d in self.data_used]}

    def findings(self, service_name: str = "the service") -> list[str]:
        """What the report found, in three to five plain sentences; those resting on the sample say so."""
        def name(option_id: str) -> str:
            return OPTION_LABELS.get(option_id, option_id)
        long_list = listed(name(o) for o in self.long_list)
        sample = self.council_data.is_illustrative("option_cashflows", "option_scores", "option_risks")
        if self.result is None:
            return bounded([
                f"No option for {service_name} has been costed: the council has not supplied option cash flows, "
                "so no preferred option is chosen.",
                flagged(f"The shortlist the market evidence supports is {long_list}", bool(self.market.result.screen_sample)),
                "To appraise them the council needs to cost each option year by year (the option cash flows "
                "template in the council's folder).",
            ])
        r, figures = self.result, self.result.headline()
        base = r.settings.price_base_year
        npv = figures["npv_gbp_thousands"]
        lines = [flagged(r.reasons[0], sample)]
        runner = r.runner_up
        if runner is not None and npv.get(runner) is not None:
            lines.append(flagged(f"The runner-up is {name(runner)}, with a net present value of "
                                 f"{thousands(npv[runner])} against business as usual at {base} prices", sample))
        if r.monte_carlo_option is not None:
            lines.append(flagged(
                f"Allowing for uncertainty, the net present value of {name(r.monte_carlo_option)} against business as "
                f"usual runs from {thousands(figures['npv_p10_gbp_thousands'])} (P10) to "
                f"{thousands(figures['npv_p90_gbp_thousands'])} (P90) at {base} prices; it beats business as usual in "
                f"{figures['probability_beats_status_quo']:.0%} of draws", sample))
        key = r.most_sensitive
        if key is None:
            lines.append("No single change from −100 % to +500 % in one cost or benefit changes the choice.")
        else:
            lines.append(flagged(f"The choice hangs most on {key['input']}: a change of "
                                 f"{key['switching_change_pct']:+.1f} %".replace("-", "−")
                                 + f" in it would make {name(key['switches_to'])} preferred", sample))
        if self.not_costed:
            lines.append(f"Not costed, so not appraised: {listed(name(o) for o in self.not_costed)}.")
        return bounded(lines)


#: The council's tables an option appraisal reads.
OPTION_TABLES = ("appraisal_settings", "option_cashflows", "option_criteria", "option_scores", "option_risks",
                 "optimism_bias", "unmonetised_effects", "equality_impacts", "sourcing_plan", "option_descriptions",
                 "commercial_case", "services")


def _settings(council_data: CouncilData, service: Service, config: Config) -> tuple[dict, options.Inflation, str]:
    """The appraisal settings, the inflation assumption for cash years and the funding named for one-off costs."""
    row = council_data.table("appraisal_settings", service.id)
    if row is None:
        return ({"appraisal_years": int(config.appraisal["appraisal_years"]),
                 "discount_rate_pct": config.appraisal["discount_rate_pct"]},
                options.Inflation(0.0, "none given (appraisal_settings has no row): cash at the price base"), "")
    first = row.iloc[0]
    settings = {"appraisal_years": int(first["appraisal_years"]), "discount_rate_pct": float(first["discount_rate_pct"]),
                "price_base_year": int(first["price_base_year"])}
    pct = first.get("inflation_pct")
    given = pct is not None and not pd.isna(pct)
    source = str(first.get("inflation_source") or "") if given else "none given: cash at the price base"
    year_0 = first.get("year_0")
    year_0 = "" if year_0 is None or pd.isna(year_0) else str(year_0)
    settings["year_0"] = year_0
    offset = int(year_0[:4]) - int(first["price_base_year"]) if year_0 else 0
    inflation = options.Inflation(float(pct) if given else 0.0, source,
                                  illustrative=str(first.get("data_status", "")) == "illustrative", offset=offset)
    funding = first.get("one_off_funding")
    return settings, inflation, "" if funding is None or pd.isna(funding) else str(funding)


def _budget(council_data: CouncilData, service: Service) -> float | None:
    row = council_data.table("services", service.id)
    return None if row is None else float(row.iloc[0]["budget_gbp"])


def _population(council: str) -> float | None:
    """The council's latest mid-year population (for the unmonetised effects' £ per resident a year)."""
    table = people_by_year([max(ingest.mid_year_population()["year"].astype(int))])
    rows = table[table["ons_code"] == council]
    return None if rows.empty else float(rows.iloc[-1]["population"])


def options_for_service(council: str, service: Service, config: Config,
                        council_data: CouncilData | None = None) -> OptionsReport:
    """The Green Book appraisal of the options on the market screen's long list, against the status quo."""
    council_data = council_data if council_data is not None else load_council_data(council, config)
    market_report = market_for_service(council, service, config, council_data)
    screen = market_report.result.options
    long_list = [STATUS_QUO, DO_MINIMUM, *screen.loc[screen["supported"], "option_id"]]
    cashflows = council_data.table("option_cashflows", service.id)
    used = provenance.unique([provenance.council_files(council_data, OPTION_TABLES), *market_report.data_used])
    if cashflows is None:
        return OptionsReport(None, market_report, long_list, long_list[1:], [], council_data, used, service.id)
    costed = set(cashflows["option_id"])
    off_list = sorted(costed - set(long_list))

    def on_long_list(name: str):
        frame = council_data.table(name, service.id)
        return None if frame is None else frame[frame["option_id"].isin(long_list)].reset_index(drop=True)

    settings, inflation, funding = _settings(council_data, service, config)
    year_0 = settings.pop("year_0", "")
    result = options.appraise(
        on_long_list("option_cashflows").assign(year=lambda f: f["year"].astype(int)),
        on_long_list("option_scores"),
        criteria=council_data.table("option_criteria", service.id),
        settings=settings,
        risks=on_long_list("option_risks"),
        mitigation=on_long_list("optimism_bias"),
        optimism_items=config.appraisal.get("optimism_bias"),
        effects=on_long_list("unmonetised_effects"),
        impacts=on_long_list("equality_impacts"),
        plan=on_long_list("sourcing_plan"),
        budget_gbp=_budget(council_data, service),
        inflation=inflation,
        one_off_funding=funding,
        population=_population(council),
        year_0=year_0,
        service_id=service.id,
    )
    not_costed = [o for o in long_list if o not in costed]
    shortlisted = [o for o in long_list if o in costed]
    commercial, plan = on_long_list("commercial_case"), on_long_list("sourcing_plan")
    coverage = business_case.five_case_coverage(
        needs_analysis=True, gap_analysis=True, economic_case=True, financial_case=True,
        descriptions=on_long_list("option_descriptions"), commercial=commercial, plan=plan, option_ids=shortlisted)
    business = BusinessCase(coverage, business_case.coverage_sentence(coverage),
                            [business_case.commercial_summary(commercial, o) for o in shortlisted],
                            business_case.procurement_routes(), business_case.management_summary(plan, result.preferred))
    return OptionsReport(result, market_report, long_list, not_costed, off_list, council_data, used, service.id,
                         business=business)
