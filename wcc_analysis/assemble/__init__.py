"""Put the inputs of an analysis together for one council and service.

The one layer that both reads (processed tables, the council's files) and
calls the pure analysis functions, so that notebooks stay thin and the
portfolio notebook can run the per-service analyses itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis import benefits, gap, market, measures, needs, options, population, suppliers
from wcc_analysis import ingest
from wcc_analysis.core.config import Config, Service
from wcc_analysis.ingest.council.council_data import CouncilData, load_council_data
from wcc_analysis.ingest.council.supplier_payments import load_council_supplier_payments, load_service_area_mapping


def needs_for_service(council: str, service: Service, config: Config, k: int | None = None) -> needs.NeedsResult:
    """The needs analysis of ``service`` for ``council`` on the shipped public data."""
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


# --------------------------------------------------------------------------- gap analysis

MIN_COMPARATORS_WITH_MEASURE = 5


def measure_tables() -> dict[str, pd.DataFrame]:
    """The processed tables the measures catalogue reads, by the names it uses."""
    return {
        "ro_detail": ingest.ro_detail(),
        "recycling": ingest.recycling(),
        "ct_collection": ingest.ct_collection(),
        "ct_receipts": ingest.ct_receipts(),
        "revenue_outturn": ingest.revenue_outturn(),
    }


def measure_kind(row) -> str:
    """'volume' (never rated), 'cost' (spend per head: question 3) or 'performance' (question 2)."""
    if row.polarity == "volume":
        return "volume"
    return "cost" if row.per_head else "performance"


@dataclass
class Benchmarked:
    """One published measure for the council: its benchmark and the values it was computed from."""

    measure_id: str
    label: str
    kind: str
    source: str
    year: str
    benchmark: dict
    values: pd.DataFrame  # ons_code, value, name, in_group, is_council
    group_note: str


def benchmark_measures(
    service: Service, council: str, needs_result: needs.NeedsResult, tables: dict[str, pd.DataFrame],
    census: pd.DataFrame, names: dict[str, str],
) -> tuple[list[Benchmarked], list[str]]:
    """Every catalogued measure of the service the council has, benchmarked; and those it lacks.

    The group is the computed comparator group. Where fewer than
    ``MIN_COMPARATORS_WITH_MEASURE`` of them publish a measure, the council is
    compared with every authority of its class that does, and the note says so.
    """
    outturn = tables["revenue_outturn"]
    same_class = set(outturn.loc[outturn["authority_class"] == needs_result.council_class, "ons_code"].dropna())
    found, lacking = [], []
    for row in measures.measures_for(service.id).itertuples():
        values = measures.measure_values(row.id, tables, census)
        if council not in set(values["ons_code"]):
            lacking.append(f"{row.label}, {row.year}")
            continue
        group = list(needs_result.group.codes)
        have = [c for c in group if c in set(values["ons_code"])]
        note = f"computed comparator group: {len(have)} of {len(group)} publish it"
        if len(have) < MIN_COMPARATORS_WITH_MEASURE:
            group = sorted((set(values["ons_code"]) & same_class) - {council})
            note = (f"only {len(have)} of the {len(needs_result.group.codes)} computed comparators publish it, so "
                    f"compared with the {len(group)} other {needs_result.council_class} authorities that do")
        kind = measure_kind(row)
        polarity = "volume" if kind == "volume" else row.polarity
        result = gap.benchmark(values, council, group, polarity, names, measure=row.label)
        shown = values[values["ons_code"].isin([*group, council])].copy()
        shown["name"] = shown["ons_code"].map(names).fillna(shown["ons_code"])
        shown["is_council"] = shown["ons_code"].eq(council)
        found.append(Benchmarked(row.id, row.label, kind, row.source, row.year, result, shown, note))
    return found, lacking


def need_signals(needs_result: needs.NeedsResult) -> dict[str, bool]:
    """Drivers of need from the needs analysis, as flags for question 1."""
    drivers = needs_result.drivers.set_index("indicator")
    signals = {}
    growth = drivers.loc["Population change 2011→2021 (%)"]
    signals[f"Population grew faster than the comparator median ({growth['council']:+.1f}% against "
            f"{growth['comparator_median']:+.1f}%)"] = bool(growth["council"] > growth["comparator_median"])
    imd = [i for i in drivers.index if i.endswith("average score (higher = more deprived)")]
    if imd:
        d = drivers.loc[imd[-1]]
        signals[f"More deprived than the comparator median on {imd[-1].split(' average')[0]} "
                f"({d['council']:.1f} against {d['comparator_median']:.1f})"] = bool(d["council"] > d["comparator_median"])
    return signals


@dataclass
class GapReport:
    needs: needs.NeedsResult
    result: gap.GapResult
    benchmarked: list[Benchmarked]
    lacking: list[str]
    signals: dict[str, bool]
    cost_measure: Benchmarked | None
    council_data: CouncilData


def gap_for_service(council: str, service: Service, config: Config, council_data: CouncilData | None = None,
                    k: int | None = None, tables: dict[str, pd.DataFrame] | None = None) -> GapReport:
    """The three key questions for ``service``: council KPIs and survey, public measures, efficiency gap.

    ``tables`` (from :func:`measure_tables`) may be passed in when several services are analysed together.
    """
    council_data = council_data if council_data is not None else load_council_data(council, config)
    tables = tables if tables is not None else measure_tables()
    needs_result = needs_for_service(council, service, config, k)
    census = ingest.population()
    authorities = ingest.authorities()
    names = dict(zip(authorities["ons_code"], authorities["name"], strict=False))
    benchmarked, lacking = benchmark_measures(service, council, needs_result, tables, census, names)
    cost = next((b for b in benchmarked if b.kind == "cost" and b.benchmark.get("n_with_measure", 0) > 1), None)
    spend = comparator_values = population_for_year = None
    if cost is not None:
        values = cost.values.set_index("ons_code")["value"]
        spend = float(values[council])
        comparator_values = values.drop(council)
        pop = census.set_index("ons_code").loc[council]
        population_for_year = float(population.estimate(pop["pop_2011"], pop["pop_2021"], measures.year_start(cost.year)))
    services_table = council_data.table("services", service.id)
    budget = float(services_table["budget_gbp"].iloc[0]) if services_table is not None else None
    signals = need_signals(needs_result)
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
    return GapReport(needs_result, result, benchmarked, lacking, signals, cost, council_data)


def spend_line(report: GapReport) -> str | None:
    """What the cost measure's figure is a share of: the published block or line (not the measure id),
    so that services measured on the same block are counted once in portfolio totals."""
    if report.cost_measure is None:
        return None
    return f"{report.cost_measure.label.split(' net spend')[0]} ({report.cost_measure.year})"


def portfolio_gaps(council: str, config: Config, k: int | None = None) -> tuple[pd.DataFrame, list[GapReport]]:
    """Every configured service's gap answers as one table (for the portfolio roll-up)."""
    council_data = load_council_data(council, config)
    tables = measure_tables()  # read once for every service
    reports = [gap_for_service(council, s, config, council_data, k, tables) for s in config.services.values()]
    rows = []
    for service, found in zip(config.services.values(), reports, strict=True):
        rows.append({"service_id": service.id, "service_name": service.name, **found.result.headline(),
                     "rs_block": spend_line(found)})
    return pd.DataFrame(rows), reports


# --------------------------------------------------------------------------- market analysis


@dataclass
class MarketReport:
    result: market.MarketResult
    council_data: CouncilData
    prepared: suppliers.PreparedPayments | None  # the council's published payments, cleaned (None if none)
    service_payments: pd.DataFrame | None  # market payments mapped to this service
    register_from_payments: bool  # True when no provider register: suppliers paid stand in for it
    category: str | None
    priority_score: str | None


def _register_from_payments(payments: pd.DataFrame, service_id: str) -> pd.DataFrame:
    """Suppliers paid for the service as a stand-in provider register (location unknown: not local)."""
    paid = payments[payments["sector"] != "individual"]
    register = paid.groupby(["supplier", "sector"], as_index=False)["amount_gbp"].sum()
    register = register[register["sector"] != "unclassified"]
    return pd.DataFrame({
        "provider": register["supplier"], "sector": register["sector"], "services": service_id,
        "annual_value_gbp": register["amount_gbp"], "in_district": "no",
    })


def market_for_service(council: str, service: Service, config: Config,
                       council_data: CouncilData | None = None) -> MarketReport:
    """Providers, the council's spend, comparators' delivery models, maturity and the sourcing options."""
    council_data = council_data if council_data is not None else load_council_data(council, config)
    prepared = service_payments = None
    raw = load_council_supplier_payments(council)
    if raw is not None:
        mapping = load_service_area_mapping(council, service_ids=list(config.services))
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
    score = None
    if scores is not None:
        maturity_rows = scores[scores["criterion"] == "Market maturity"]
        score = str(maturity_rows["score"].iloc[0]) if len(maturity_rows) else None
    result = market.analyse(
        register, service_id=service.id, comparator_models=council_data.table("delivery_models", service.id),
        payments=service_payments if service_payments is not None and len(service_payments) else None,
        council=council, category=category, priority_score=score,
    )
    return MarketReport(result, council_data, prepared, service_payments, from_payments, category, score)


# --------------------------------------------------------------------------- benefit realisation


def benefits_for_service(council: str, service: Service, config: Config,
                         council_data: CouncilData | None = None) -> tuple[benefits.BenefitsResult, CouncilData]:
    """Benefits register and contract KPIs of one service, reviewed (absent tables: 'not available')."""
    council_data = council_data if council_data is not None else load_council_data(council, config)
    result = benefits.review(council_data.table("benefits_register", service.id),
                             council_data.table("contract_kpis", service.id))
    return result, council_data


# --------------------------------------------------------------------------- option appraisal


@dataclass
class OptionsReport:
    result: options.AppraisalResult | None  # None when the council has costed no options
    market: MarketReport
    long_list: list[str]  # option ids the market screen supports, with the status quo first
    not_costed: list[str]  # on the long list but without cashflows
    off_list: list[str]  # costed by the council but not supported by the market screen (left out)
    council_data: CouncilData


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
    long_list = [options.STATUS_QUO, *screen.loc[screen["supported"], "option_id"]]
    cashflows = council_data.table("option_cashflows", service.id)
    if cashflows is None:
        return OptionsReport(None, market_report, long_list, long_list[1:], [], council_data)
    costed = set(cashflows["option_id"])
    off_list = sorted(costed - set(long_list))
    keep = lambda frame: None if frame is None else frame[frame["option_id"].isin(long_list)].reset_index(drop=True)  # noqa: E731
    cashflows = keep(cashflows).assign(year=lambda f: f["year"].astype(int))
    result = options.appraise(
        cashflows, keep(council_data.table("option_scores", service.id)),
        settings=_settings(council_data, service, config),
        risks=keep(council_data.table("option_risks", service.id)),
        optimism=options.optimism_bias_table(running=config.appraisal["optimism_bias_running"],
                                             one_off=config.appraisal["optimism_bias_one_off"]),
        impacts=keep(council_data.table("equality_impacts", service.id)),
        plan=keep(council_data.table("sourcing_plan", service.id)),
        financial_weight=config.appraisal["financial_weight"],
        service_id=service.id,
    )
    not_costed = [o for o in long_list if o not in costed]
    return OptionsReport(result, market_report, long_list, not_costed, off_list, council_data)
