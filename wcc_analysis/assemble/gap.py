"""The gap analysis of one service: the framework's three key questions on the council's and published data."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import benchmarks, gap, measures, needs, population, prices, value_for_money
from wcc_analysis.analysis.benchmarks import Benchmarked
from wcc_analysis.assemble import provenance
from wcc_analysis.assemble.context import authority_names, deflators, measure_tables
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.assemble.context import people as people_by_year
from wcc_analysis.assemble.findings import bounded, first_sentence, flagged, thousands
from wcc_analysis.assemble.needs import needs_for_service
from wcc_analysis.core.config import Config, Service, ValueForMoneySpec
from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.core.text import listed
from wcc_analysis.core.vocabulary import AUTHORITY_CLASS_NAMES
from wcc_analysis.ingest import CouncilData


@dataclass
class GapReport:
    needs: needs.NeedsResult
    result: gap.GapResult
    benchmarked: list[Benchmarked]
    lacking: list[str]
    signals: dict[str, bool]
    cost_measure: Benchmarked | None
    council_data: CouncilData
    data_used: list[SourceUse] = field(default_factory=list)
    value_for_money: value_for_money.ValueForMoney | None = None
    value_for_money_spec: ValueForMoneySpec | None = None
    kpi_label: str = "the council's own KPIs"
    price_base_year: str = prices.PRICE_BASE_YEAR
    real_terms_note: str = ""
    #: which published lines the efficiency gap's spend figure covers, said beside it (and how it differs from the
    #: value-for-money cost)
    efficiency_lines: str = ""

    def headline(self) -> dict:
        """The three answers with the year (and basis) of the evidence each rests on."""
        cost, vfm = self.cost_measure, self.value_for_money
        rated = self.rated_measures
        vfm_cost = None if vfm is None else vfm.cost
        return {
            **self.result.headline(),
            "best_in_class_measures": [b.label for b in rated],
            "best_in_class_year": ", ".join(sorted({b.year for b in rated})) or None,
            "value_for_money_cost_measure": None if vfm_cost is None else vfm_cost.label,
            "value_for_money_cost_gbp": None if vfm_cost is None else round(vfm_cost.council_value, 2),
            "value_for_money_cost_unit": None if vfm_cost is None else vfm.unit,
            "value_for_money_cost_year": None if vfm_cost is None else vfm_cost.year,
            "value_for_money_outcomes_better_at_worse": None if vfm is None or not vfm.outcomes else vfm.counts,
            "value_for_money_outcome_tolerance_pct": None if vfm is None else round(100 * vfm.tolerance, 6),
            "value_for_money_outcome_years": None if vfm is None or not vfm.outcomes else
            ", ".join(sorted({o.year for o in vfm.outcomes})),
            "value_for_money_households_year": None if vfm is None or vfm.unit != value_for_money.PER_HOUSEHOLD
            else vfm.households_year,
            "comparator_group_year": self.needs.year,
            "efficiency_gap_measure": None if cost is None else cost.spend_line,
            "efficiency_gap_year": None if cost is None else cost.year,
            "efficiency_gap_basis": None if cost is None else cost.basis,
            "efficiency_gap_lines": None if cost is None else self.efficiency_lines,
            "efficiency_gap_against": None if cost is None else self.median_of,
            DATA_USED_KEY: [d.to_dict() for d in self.data_used],
        }

    def findings(self) -> list[str]:
        """What the report found, in three to five plain sentences: the three key questions and the £ gap."""
        rag1, why1 = self.result.delivering_need
        kpis = self.result.kpis
        period = (f" (latest period {max(map(str, kpis['period']))})"
                  if kpis is not None and len(kpis) and "period" in kpis.columns else "")
        own = self.council_data.is_illustrative("kpis", "survey", "outputs")
        why1 = first_sentence(why1).partition(": ")[2] or first_sentence(why1)
        lines = [flagged(f"Is {self.needs.service_name} delivering what is needed now? {rag1}: {why1.rstrip('.')}"
                         f"{period}", own and bool(len(kpis)))]
        rag2, why2 = self.result.best_in_class
        rated = self.rated_measures
        year2 = f" (published measures, {', '.join(sorted({b.year for b in rated}))})" if rated else ""
        lines.append(f"Is it best in class? {rag2}: "
                     f"{(first_sentence(why2).partition(': ')[2] or first_sentence(why2)).rstrip('.')}{year2}.")
        rag3, why3 = self.result.value_for_money
        vfm_cost = None if self.value_for_money is None else self.value_for_money.cost
        cost = ("" if vfm_cost is None else
                f"; its cost is £{vfm_cost.council_value:,.2f} {self.value_for_money.unit} "
                f"({vfm_cost.when or vfm_cost.year})")
        lines.append(f"Is it as effective and cost efficient as it could be? {rag3}: "
                     f"{(first_sentence(why3).partition(': ')[2] or first_sentence(why3)).rstrip('.')}{cost}.")
        gap_k = self.result.headline()["efficiency_gap_to_median_gbp_thousands"]
        if self.cost_measure is None or gap_k is None:
            lines.append("The efficiency gap is not available: no published spend figure for the service and its "
                         "comparators is held.")
        else:
            base = self.result.headline()["efficiency_gap_price_base_year"]
            prices = f" at {base} prices" if base else f" in {self.cost_measure.year} cash"
            side = "above" if gap_k > 0 else "below"
            lines.append(f"On {self.cost_measure.spend_line} ({self.cost_measure.year}) the service costs "
                         f"{thousands(abs(gap_k))} a year {side} {self.median_of}{prices}.")
        return bounded(lines)

    @property
    def rated_measures(self) -> list[Benchmarked]:
        """The published performance measures question 2 is judged on (each with a quartile), most specific first."""
        return [b for b in self.benchmarked if b.kind == "performance" and b.benchmark.get("quartile") is not None]

    @property
    def performance_measures(self) -> list[Benchmarked]:
        """Every published performance measure the council has (rated or not)."""
        return [b for b in self.benchmarked if b.kind == "performance"]

    @property
    def rated_measure(self) -> Benchmarked | None:
        """The most specific published performance measure, if any (kept for callers of the single-measure rule)."""
        return next(iter(self.performance_measures), None)

    @property
    def median_of(self) -> str:
        """The efficiency gap's median, named for whom it is of: "the comparator median", or "the median of the 11
        other Lancashire shire districts with a figure in the data held"."""
        cost = self.cost_measure
        return "the comparator median" if cost is None or not cost.fallback else f"the median of {cost.compared_with}"

    @property
    def median_labels(self) -> tuple[str, str]:
        """The efficiency chart's bars for the median and lower quartile, named like :attr:`median_of`."""
        cost = self.cost_measure
        if cost is None or not cost.fallback:
            return "Comparator median", "Comparator lower quartile"
        who = cost.compared_with.removeprefix("the ").replace(" with a figure in the data held", "")
        return f"Median of {who}", f"Lower quartile of {who}"

    @property
    def spend_line(self) -> str | None:
        """What the cost measure's figure is a share of — the published block or line and its year — so that
        services measured on the same one are counted once in portfolio totals."""
        if self.cost_measure is None:
            return None
        return f"{self.cost_measure.spend_line} ({self.cost_measure.year})"


def _measure_sources(benchmarked: list[Benchmarked], vfm: value_for_money.ValueForMoney | None) -> list[SourceUse]:
    """One "Data used" record per published source, naming every measure the report took from it (and the
    households derived from DEFRA's waste figures, where spend is per household)."""
    records = provenance.measures(benchmarked)
    taken: dict[str, list[str]] = {}
    for b in benchmarked:
        if b.kind != "cost":
            taken.setdefault(provenance.publication(b.source), []).append(b.label.split(" (")[0])
    if vfm is not None and vfm.unit == value_for_money.PER_HOUSEHOLD:
        for source in taken:
            if source.startswith("DEFRA local authority collected waste"):
                taken[source].append("households (derived: residual household waste tonnes, Table 1, ÷ residual "
                                     "kg per household, Table 3)")
    return [SourceUse(source=r.source, covers=r.covers, used="; ".join(dict.fromkeys(taken.get(r.source, [r.used]))),
                      release=r.release, period_end=r.period_end, illustrative=r.illustrative)
            for r in provenance.unique(records)]


def _publisher(source: str) -> str:
    """The body that publishes a source, as a sentence names it ("DEFRA", "MHCLG")."""
    return source.split()[0] if source else ""


def _measure_values(b: Benchmarked) -> value_for_money.MeasureValues:
    """A benchmarked performance measure as a value-for-money outcome (every authority of the class), compared with
    question 2's comparison group and named as question 2 names it."""
    values = b.class_values if b.class_values is not None else b.values
    group = tuple(sorted(set(b.values["ons_code"]) - {b.benchmark["council"]}))  # question 2's comparison group
    return value_for_money.MeasureValues(b.measure_id, b.label, b.year, b.unit or b.label, b.benchmark["polarity"],
                                         values[["ons_code", "value"]], b.source, b.value_format, is_spend=False,
                                         group=group, compared_with=b.compared_with, class_set=b.class_set,
                                         suffix=b.suffix, when=f"{_publisher(b.source)} {b.year}".strip())


def _value_for_money(council: str, service: Service, spec: ValueForMoneySpec, needs_result: needs.NeedsResult,
                     benchmarked: list[Benchmarked], tables: dict[str, pd.DataFrame], people: pd.DataFrame,
                     names: dict[str, str], ra_year: str, areas: pd.DataFrame | None = None,
                     tolerance: float = value_for_money.DEFAULT_OUTCOME_TOLERANCE) -> value_for_money.ValueForMoney:
    """Question 3's cost-against-outcome reading for the service (analysis.value_for_money.assess)."""
    outturn = tables["revenue_outturn"]
    klass = needs_result.council_class
    class_codes = sorted(set(outturn.loc[outturn["authority_class"] == klass, "ons_code"].dropna()))
    households, households_year = measures.household_counts(tables, ra_year)
    unit = value_for_money.spend_unit(spec.per_household, council in households.index)
    cost = None
    if spec.cost_lines:
        per_household = unit == value_for_money.PER_HOUSEHOLD
        measure = measures.value_for_money_cost_measure(service.id, spec.cost_lines, ra_year,
                                                        per_household=per_household, households_year=households_year)
        left_out = [line for line in service.ra_lines if line not in spec.cost_lines]
        short = (f"{' + '.join(spec.cost_lines)}" + (" only" if left_out else "") + f" (RA {ra_year} budget"
                 + (f"; not the service's {' + '.join(left_out)} line{'s' if len(left_out) > 1 else ''}"
                    if left_out else "")
                 + (f"; households: DEFRA {households_year}, derived)" if per_household else ")"))
        cost = value_for_money.MeasureValues(measure.id, measure.label, measure.year, measure.unit, measure.polarity,
                                             measures.measure_values(measure, tables, people), measure.source,
                                             short=short, suffix=measure.suffix, when=f"RA {ra_year} budget")
    context = []
    lines_measure = next((b for b in benchmarked if b.scope == measures.SERVICE_LINES), None)
    same_as_cost = tuple(spec.cost_lines) == tuple(service.ra_lines) and unit == value_for_money.PER_HEAD
    if lines_measure is not None and not same_as_cost:
        values = lines_measure.class_values if lines_measure.class_values is not None else lines_measure.values
        context.append(value_for_money.MeasureValues(
            lines_measure.measure_id, lines_measure.label, lines_measure.year, "£ per head (budget)", "lower_is_better",
            values[["ons_code", "value"]], lines_measure.source, suffix=" per head"))
    if service.rs_block:
        source = "MHCLG revenue outturn (RSX return / time series v3.1): total expenditure, total income, net"
        spend = value_for_money.block_spend(outturn, people, service.rs_block, needs_result.year)
        context += value_for_money.block_measures(spend, service.rs_block, needs_result.year, source)
    outcomes = [_measure_values(b) for b in benchmarked if b.kind == "performance"]
    return value_for_money.assess(
        service_id=service.id, service_name=service.name, council=council, council_name=needs_result.council_name,
        names=names, group=needs_result.group.codes, class_codes=class_codes,
        class_name=AUTHORITY_CLASS_NAMES.get(klass, f"{klass} authorities"), unit=unit, cost=cost,
        outcomes=outcomes, context=context, group_label=needs_result.group.label, tolerance=tolerance,
        group_year=needs_result.year, households_year=households_year if unit == value_for_money.PER_HOUSEHOLD else None,
        areas=areas)


def _lines_covered(cost: Benchmarked, service: Service, spec: ValueForMoneySpec, ra_year: str | None,
                   benchmarked: list[Benchmarked]) -> str:
    """Which published lines the efficiency-gap figure covers, said plainly beside it, and how that differs from the
    value-for-money cost ("RA 2023-24 Waste collection + Recycling + Open spaces (wider than the value-for-money
    cost, which leaves out Open spaces: no published outcome measures it)")."""
    if cost.scope == measures.SERVICE_LINES:
        extra = [line for line in service.ra_lines if line not in spec.cost_lines]
        return cost.spend_line + (f" (wider than the value-for-money cost, which leaves out {' + '.join(extra)}: no "
                                  "published outcome measures it)" if extra else "")
    if cost.scope == measures.DETAILED_LINE:
        others = [b.spend_line for b in benchmarked if b.scope == measures.DETAILED_LINE and b is not cost
                  and b.kind == "cost"]
        only = (f"; it covers {'these lines' if ' + ' in cost.spend_line else 'this line'} only, not "
                f"{listed(others).replace(' and ', ' or ')}") if others else ""
        vfm = f", not the RA {ra_year} budget lines the value-for-money cost is on" if ra_year else ""
        return f"{cost.spend_line} (detailed {cost.year} outturn{vfm}{only})"
    return f"{cost.spend_line} ({cost.year} outturn: the whole block)"


def _unit_cost_bases(council: str, service: Service, spec: ValueForMoneySpec, services_table: pd.DataFrame | None,
                     ra: pd.DataFrame, ra_year: str | None) -> tuple[str, list[tuple[str, float | None]]]:
    """What the council's own service budget (services.csv) covers, said beside the unit cost it makes; and, where the
    value-for-money cost is on fewer lines, the council's RA budget on those lines as a second cost basis (so a
    unit cost can be read on the same lines as question 3's cost)."""
    note = ""
    if services_table is not None and "notes" in services_table.columns and pd.notna(services_table["notes"].iloc[0]):
        note = str(services_table["notes"].iloc[0])
    covers = "the council's budget for the service (services table)" + (f": {note}" if note else "")
    more: list[tuple[str, float | None]] = []
    if ra_year and tuple(spec.cost_lines) != tuple(service.ra_lines):
        rows = ra[(ra["ons_code"] == council) & (ra["year"] == ra_year) & ra["line"].isin(spec.cost_lines)]
        rows = rows.dropna(subset=["net_budget_gbp_thousands"])
        if rows["line"].nunique() == len(spec.cost_lines):
            more.append((f"the value-for-money cost lines: RA {ra_year} {' + '.join(spec.cost_lines)} (published "
                         "budget, MHCLG)", float(rows["net_budget_gbp_thousands"].sum()) * 1000.0))
    return covers, more


def gap_for_service(council: str, service: Service, config: Config, council_data: CouncilData | None = None,
                    k: int | None = None, tables: dict[str, pd.DataFrame] | None = None) -> GapReport:
    """The three key questions for ``service``: council KPIs and survey, public measures, value for money and the
    efficiency gap in real terms.

    ``council_data`` and ``tables`` (from :func:`measure_tables`) may be passed in when several services are
    analysed together, so that each is read once.
    """
    council_data = council_data if council_data is not None else load_council_data(council, config)
    tables = tables if tables is not None else measure_tables()
    needs_result = needs_for_service(council, service, config, k)
    extra = (measures.service_line_measure(service.id, service.ra_lines),) if service.ra_lines else ()
    chosen = measures.measures_for(service.id, extra)
    years = sorted({measures.year_start(m.year) for m in chosen}
                   | {measures.year_start(y) for m in chosen for y in measures.trend_years(m, tables)}
                   | {measures.year_start(needs_result.year)})
    people = people_by_year(years)
    names = authority_names()
    areas = ingest.authorities()[["ons_code", "county_name", "region"]]
    benchmarked, lacking = benchmarks.benchmark_measures(service.id, council, needs_result, tables, people,
                                                         names, extra, areas)
    shared = frozenset(b for b in config.rs_blocks if len(config.services_sharing_block(b)) > 1)
    cost = benchmarks.cost_measure(benchmarked, shared)
    fy = deflators()
    base = prices.PRICE_BASE_YEAR
    spend = comparator_values = population_for_year = factor = None
    real_note = ""
    if cost is not None:
        values = cost.values.set_index("ons_code")["value"]
        spend = float(values[council])
        comparator_values = values.drop(council)
        mine = people[(people["ons_code"] == council) & (people["year_start"] == measures.year_start(cost.year))]
        population_for_year = float(mine["population"].iloc[0])
        real = prices.to_real_terms([1.0], cost.year, fy, base)
        factor, real_note = float(real.values.iloc[0]), real.note
    spec = config.value_for_money_spec(service.id)
    ra_year = extra[0].year if extra else None
    vfm = None if ra_year is None else _value_for_money(council, service, spec, needs_result, benchmarked, tables,
                                                        people, names, ra_year, areas, config.outcome_tolerance)
    services_table = council_data.table("services", service.id)
    budget = float(services_table["budget_gbp"].iloc[0]) if services_table is not None else None
    covers, more = _unit_cost_bases(council, service, spec, services_table, tables["ra_budget"], ra_year)
    signals = needs.need_signals(needs_result)
    kpi_label = ("the council's own KPIs (ILLUSTRATIVE SAMPLE, not the council's figures)"
                 if council_data.is_illustrative("kpis") else "the council's own KPIs")
    lines = "" if cost is None else _lines_covered(cost, service, spec, ra_year, benchmarked)
    spend_measure = None if cost is None else (
        f"the service's {'budget' if cost.basis == measures.BUDGET else 'outturn spend'} per head on {lines}")
    result = gap.analyse(
        service_id=service.id,
        kpis=council_data.table("kpis", service.id),
        survey=council_data.table("survey", service.id),
        need_signals=signals,
        benchmarks=[b.benchmark for b in benchmarked if b.kind == "performance"],
        value_for_money=None if vfm is None else vfm.answer,
        spend_per_head=spend,
        comparator_spend_per_head=comparator_values,
        population=population_for_year,
        spend_year=None if cost is None else cost.year,
        price_base_year=base,
        real_terms_factor=factor,
        spend_measure=spend_measure or "the service's spend",
        median_of="the comparator median" if cost is None or not cost.fallback else f"the median of {cost.compared_with}",
        cost_gbp=budget,
        cost_covers=covers,
        more_costs=more,
        outputs=council_data.table("outputs", service.id),
        kpi_label=kpi_label,
    )
    used = provenance.unique([
        provenance.outturn(tables["revenue_outturn"], council, service.rs_block, needs_result.year,
                           len(needs_result.group.codes),
                           used=f"{service.rs_block}: net current expenditure, total expenditure and total income, "
                                f"{needs_result.year}, for the council, its comparators and every authority of its "
                                "class"),
        provenance.ra_budget(tables["ra_budget"], ra_year, service.ra_lines) if service.ra_lines else None,
        *_measure_sources(benchmarked, vfm),
        provenance.mid_year_population(ingest.mid_year_population(), int(needs_result.year[:4]),
                                       people["population_method"].str.startswith(population.CENSUS_TREND).any()),
        provenance.deflator(ingest.gdp_deflator(), base) if factor is not None else None,
        provenance.deprivation(sorted(set(ingest.deprivation()["edition"]))),
        *provenance.comparator_sources(needs_result.group, ingest.council_tax_levels()),
        provenance.council_files(council_data, ("services", "kpis", "survey", "outputs")),
    ])
    return GapReport(needs_result, result, benchmarked, lacking, signals, cost, council_data, used, vfm, spec,
                     kpi_label, base, real_note, lines)
