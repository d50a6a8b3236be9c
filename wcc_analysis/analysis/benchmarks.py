"""Every published measure of a service benchmarked for one council: the evidence for questions 2 and 3.

Pure: the measure tables and the census come in as DataFrames. For each
catalogued measure (:mod:`wcc_analysis.analysis.measures`) the council has, the
council is compared with its computed comparator group; where too few of the
group publish the measure, with every authority of its class that does
(``COMPARISON_GROUP_RULES``, printed in the report).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis import gap, measures, needs
from wcc_analysis.analysis.common import MEASURE_TREND_YEARS, Trend, series_trend
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import HIGHER, VOLUME

#: Below this many comparators publishing a measure, the council is compared with every authority of its class.
MIN_COMPARATORS_WITH_MEASURE = 5


@dataclass(frozen=True)
class GroupFacts:
    publishing: int  # how many of the computed comparator group publish the measure


#: Which councils a measure compares the council with (first rule that holds).
COMPARISON_GROUP_RULES: RuleTable[GroupFacts] = RuleTable((
    Rule("every authority of the class", f"fewer than {MIN_COMPARATORS_WITH_MEASURE} of the computed comparators publish "
         "the measure: compare with every other authority of the council's class that does",
         lambda f: f.publishing < MIN_COMPARATORS_WITH_MEASURE),
    Rule("computed comparator group", "otherwise: the computed comparator group (those of it that publish the measure)",
         always),
), columns=("group", "rule"))


def measure_kind(measure) -> str:
    """'volume' (never rated), 'cost' (spend — outturn or budget — per head: question 3) or 'performance'
    (question 2; a per-head rate such as fly-tipping per 1,000 people is performance, not cost)."""
    if measure.polarity == VOLUME:
        return "volume"
    return "cost" if measure.basis in (measures.OUTTURN, measures.BUDGET) else "performance"


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
    basis: str = measures.STATISTIC  # outturn, budget or statistic
    scope: str | None = None  # detailed outturn line, service budget lines or RS block
    block: str | None = None  # the RS block of a whole-block measure
    trend: pd.DataFrame | None = None  # measures.measure_trend, for a measure published for a series of years
    #: gap.benchmark against every other authority of the council's class that publishes the measure
    class_benchmark: dict | None = None
    #: every authority of the class with a value: ons_code, value, name, in_group, is_council
    class_values: pd.DataFrame | None = None
    #: the council's trend over the last five years published (common.TREND_RULES); None without a series
    trend_reading: Trend | None = None

    @property
    def rank(self) -> int | None:
        return self.benchmark.get("rank")

    @property
    def median(self) -> float | None:
        return self.benchmark.get("median")

    @property
    def higher_is_better(self) -> bool:
        return self.benchmark["polarity"] == HIGHER


def benchmark_measures(
    service_id: str, council: str, needs_result: needs.NeedsResult, tables: dict[str, pd.DataFrame],
    population: pd.DataFrame, names: dict[str, str], extra: tuple[measures.Measure, ...] = (),
) -> tuple[list[Benchmarked], list[str]]:
    """Every catalogued measure of the service the council has, benchmarked; and those it lacks.

    ``population``: the table of :func:`wcc_analysis.analysis.population.by_year` for every year the measures
    use. ``extra``: the service's budget-line measure (:func:`measures.service_line_measure`). The group is
    the computed comparator group; where fewer than ``MIN_COMPARATORS_WITH_MEASURE`` of them publish a
    measure, the council is compared with every authority of its class that does, and the note says so.
    """
    outturn = tables["revenue_outturn"]
    same_class = set(outturn.loc[outturn["authority_class"] == needs_result.council_class, "ons_code"].dropna())
    found, lacking = [], []
    for measure in measures.measures_for(service_id, extra):
        values = measures.measure_values(measure, tables, population)
        if council not in set(values["ons_code"]):
            lacking.append(f"{measure.label}, {measure.year}")
            continue
        group = list(needs_result.group.codes)
        have = [c for c in group if c in set(values["ons_code"])]
        note = f"computed comparator group: {len(have)} of {len(group)} publish it"
        if COMPARISON_GROUP_RULES.first(GroupFacts(len(have))) is COMPARISON_GROUP_RULES.rules[0]:
            group = sorted((set(values["ons_code"]) & same_class) - {council})
            note = (f"only {len(have)} of the {len(needs_result.group.codes)} computed comparators publish it, so "
                    f"compared with the {len(group)} other {needs_result.council_class} authorities that do")
        kind = measure_kind(measure)
        polarity = VOLUME if kind == "volume" else measure.polarity
        result = gap.benchmark(values, council, group, polarity, names, measure=measure.label)
        shown = values[values["ons_code"].isin([*group, council])].copy()
        shown["name"] = shown["ons_code"].map(names).fillna(shown["ons_code"])
        shown["is_council"] = shown["ons_code"].eq(council)
        trend = measures.measure_trend(measure, tables, population, council, group) if measure.trend else None
        klass = values[values["ons_code"].isin(same_class | {council})].copy()
        everyone = gap.benchmark(klass, council, sorted(set(klass["ons_code"]) - {council}), polarity, names,
                                 measure=measure.label)
        klass["name"] = klass["ons_code"].map(names).fillna(klass["ons_code"])
        klass["in_group"] = klass["ons_code"].isin(set(group))
        klass["is_council"] = klass["ons_code"].eq(council)
        found.append(Benchmarked(measure.id, measure.label, kind, measure.source, measure.year, result, shown, note,
                                 measure.value_format, measure.spend_line, measure.basis, measure.scope,
                                 measure.block, trend, everyone, klass.reset_index(drop=True),
                                 five_year_trend(trend, polarity) if kind == "performance" else None))
    return found, lacking


def five_year_trend(trend: pd.DataFrame | None, polarity: str) -> Trend | None:
    """The council's trend over the last ``MEASURE_TREND_YEARS`` years of a published series (``TREND_RULES``:
    the least-squares line through them, as a share of their average, against the year)."""
    if trend is None or trend.empty:
        return None
    years = [measures.year_start(y) for y in trend["year"]]
    recent = [y >= max(years) - MEASURE_TREND_YEARS + 1 for y in years]
    rows = trend[recent]
    return series_trend(list(rows["council"].astype(float)), periods=MEASURE_TREND_YEARS, polarity=polarity,
                        relative_to_level=True, x=[measures.year_start(y) for y in rows["year"]])




@dataclass(frozen=True)
class CostFacts:
    kind: str
    publishing: int  # councils with a figure (the council included)
    shared_block: bool  # a whole RS block that holds another configured service


#: Which spend measure question 3 is judged on: the first measure of the service (most specific first) for
#: which no rule below says "not used".
COST_MEASURE_RULES: RuleTable[CostFacts] = RuleTable((
    Rule("not used", "not a spend measure", lambda f: f.kind != "cost"),
    Rule("not used", "no comparator publishes it", lambda f: f.publishing <= 1),
    Rule("not used", "a whole RS block that also holds another configured service: a block shared by several services "
         "is never rated as one service's spend", lambda f: f.shared_block),
    Rule("used", "otherwise: the most specific spend measure (detailed outturn lines, then the service's budget "
         "lines, then its block)", always),
), columns=("decision", "rule"))


def cost_measure(benchmarked: list[Benchmarked], shared_blocks: frozenset[str] = frozenset()) -> Benchmarked | None:
    """The measure question 3 is judged on (``COST_MEASURE_RULES``); ``shared_blocks`` are the RS blocks that
    hold more than one configured service."""
    for b in benchmarked:
        facts = CostFacts(b.kind, int(b.benchmark.get("n_with_measure", 0)),
                          b.scope == measures.BLOCK and b.block in shared_blocks)
        if COST_MEASURE_RULES.decide(facts) == "used":
            return b
    return None
