"""The gap analysis of one service: the framework's three key questions on the council's and published data."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import gap, measures, needs, population
from wcc_analysis.assemble.context import authority_names, measure_tables
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.needs import needs_for_service
from wcc_analysis.core.config import Config, Service
from wcc_analysis.core.vocabulary import VOLUME
from wcc_analysis.ingest import CouncilData

#: Below this many comparators publishing a measure, the council is compared with every authority of its class.
MIN_COMPARATORS_WITH_MEASURE = 5


def measure_kind(row) -> str:
    """'volume' (never rated), 'cost' (spend per head: question 3) or 'performance' (question 2)."""
    if row.polarity == VOLUME:
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
    value_format: str = ",.2f"  # how a value reads (measures.Measure.value_format)
    spend_line: str | None = None  # the published block or line a spend measure is a share of


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
        measure = measures.get(row.id)
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
        polarity = VOLUME if kind == "volume" else row.polarity
        result = gap.benchmark(values, council, group, polarity, names, measure=row.label)
        shown = values[values["ons_code"].isin([*group, council])].copy()
        shown["name"] = shown["ons_code"].map(names).fillna(shown["ons_code"])
        shown["is_council"] = shown["ons_code"].eq(council)
        found.append(Benchmarked(row.id, row.label, kind, row.source, row.year, result, shown, note,
                                 measure.value_format, measure.spend_line))
    return found, lacking


def need_signals(needs_result: needs.NeedsResult) -> dict[str, bool]:
    """Drivers of need from the needs analysis, as flags for question 1 (description → need is rising)."""
    growth = needs_result.drivers.set_index("key").loc[needs.POPULATION_GROWTH]
    signals = {
        f"Population grew faster than the comparator median ({growth['council']:+.1f}% against "
        f"{growth['comparator_median']:+.1f}%)": bool(growth["council"] > growth["comparator_median"]),
    }
    latest = needs.latest_deprivation(needs_result.drivers)
    if latest is not None:
        edition, d = latest
        signals[f"More deprived than the comparator median on {edition} "
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
    census = ingest.population()
    benchmarked, lacking = benchmark_measures(service, council, needs_result, tables, census, authority_names())
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
