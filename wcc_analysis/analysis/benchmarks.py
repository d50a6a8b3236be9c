"""Every published measure of a service benchmarked for one council: the evidence for questions 2 and 3.

Pure: the measure tables and the census come in as DataFrames. For each
catalogued measure (:mod:`wcc_analysis.analysis.measures`) the council has, the
council is compared with its computed comparator group; where too few of the
group have a figure in the data held, with every other authority of its class
that has one (``COMPARISON_GROUP_RULES``, printed in the report). Such a set is
named for what it is — how many, and where they are (``AREA_RULES``: "the 11
other shire districts with a figure in the data held, all in Lancashire") —
never "comparators", never "all shire districts".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis import gap, measures, needs
from wcc_analysis.analysis.common import MEASURE_TREND_YEARS, Trend, series_trend
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import measure_value
from wcc_analysis.core.vocabulary import AUTHORITY_CLASS_NAMES, HIGHER, VOLUME

#: Below this many comparators with a figure, the council is compared with every authority of its class that has one.
MIN_COMPARATORS_WITH_MEASURE = 5
COMPUTED_GROUP, CLASS_WITH_FIGURE = "computed comparator group", "every other authority of the class with a figure"


@dataclass(frozen=True)
class GroupFacts:
    publishing: int  # how many of the computed comparator group have a figure for the measure in the data held


#: Which councils a measure compares the council with (first rule that holds).
COMPARISON_GROUP_RULES: RuleTable[GroupFacts] = RuleTable((
    Rule(CLASS_WITH_FIGURE, f"fewer than {MIN_COMPARATORS_WITH_MEASURE} of the computed comparators have a figure in "
         "the data held: compare with every other authority of the council's class that has one. That set is "
         "whatever the data held covers (e.g. a Lancashire extract), so the report names how many and where they "
         "are (AREA_RULES) and never calls it the comparators or all of the class",
         lambda f: f.publishing < MIN_COMPARATORS_WITH_MEASURE),
    Rule(COMPUTED_GROUP, "otherwise: the computed comparator group (those of it with a figure)", always),
), columns=("group", "rule"))


@dataclass(frozen=True)
class AreaFacts:
    """Where a set of authorities is, as ``AREA_RULES`` reads it."""

    counties: tuple[str, ...]  # the distinct counties (a unitary, metropolitan or London borough has none)
    regions: tuple[str, ...]  # the distinct regions
    without_county: int = 0  # authorities of the set with no county


ONE_COUNTY, ONE_REGION, SEVERAL_REGIONS = "one county", "one region", "several regions"

#: How a set of authorities compared with is described (first rule that holds): where every one of them is, so a
#: regional extract is never read as a national comparison.
AREA_RULES: RuleTable[AreaFacts] = RuleTable((
    Rule(ONE_COUNTY, "every authority of the set is in the same county: the county is named ('all in Lancashire') "
                     "and the comparison is a county one, not national",
         lambda f: len(f.counties) == 1 and f.without_county == 0),
    Rule(ONE_REGION, "every authority of the set is in the same region: the region is named ('all in the North "
                     "West') and the comparison is a regional one, not national", lambda f: len(f.regions) == 1),
    Rule(SEVERAL_REGIONS, "otherwise: how many regions the set spans is said ('across 9 regions')", always),
), columns=("named by", "rule"))


@dataclass(frozen=True)
class Coverage:
    """A set of authorities as a report names it: how many, of which class, and where (``AREA_RULES``)."""

    n: int
    class_name: str  # plural: "shire districts"
    named_by: str  # ONE_COUNTY, ONE_REGION or SEVERAL_REGIONS
    where: str  # "Lancashire", "the North West", "9 regions"

    @property
    def regional(self) -> bool:
        """Every authority of the set is in one county or one region: not a national comparison."""
        return self.named_by in (ONE_COUNTY, ONE_REGION)

    @property
    def place(self) -> str:
        """'all in Lancashire', 'all in the North West', 'across 9 regions' ('' for an empty set)."""
        if not self.n or not self.where:
            return ""
        return f"across {self.where}" if self.named_by == SEVERAL_REGIONS else f"all in {self.where}"

    @property
    def adjective(self) -> str:
        """'Lancashire ', 'North West ' or '' — for a short name ('the 11 other Lancashire shire districts')."""
        return "" if not self.regional else self.where.removeprefix("the ") + " "


def _region_name(region: str) -> str:
    return region if region in ("London",) else f"the {region}"


def coverage(codes: Iterable[str], areas: pd.DataFrame | None, class_name: str) -> Coverage:
    """Where the authorities ``codes`` are (``areas``: ``ons_code, county_name, region``, the authorities
    table), by ``AREA_RULES``. Without ``areas`` the set is described by its size alone."""
    codes = sorted(set(codes))
    if areas is None or not codes:
        return Coverage(len(codes), class_name, SEVERAL_REGIONS, "")
    rows = areas.drop_duplicates("ons_code").set_index("ons_code").reindex(codes)
    counties = tuple(sorted(set(rows["county_name"].dropna().astype(str))))
    regions = tuple(sorted(set(rows["region"].dropna().astype(str))))
    facts = AreaFacts(counties, regions, int(rows["county_name"].isna().sum()))
    named = AREA_RULES.decide(facts)
    where = (counties[0] if named == ONE_COUNTY else _region_name(regions[0]) if named == ONE_REGION
             else f"{len(regions)} region{'' if len(regions) == 1 else 's'}")
    return Coverage(len(codes), class_name, named, where)


def class_set_words(cover: Coverage) -> str:
    """Every authority of the class with a figure, named honestly: "the 174 shire districts with a figure, across 9
    regions"; for a regional extract "the 12 shire districts with a figure in the data held, all in Lancashire — not
    a national comparison"."""
    if cover.regional:
        return f"the {cover.n} {cover.class_name} with a figure in the data held, {cover.place} — not a national comparison"
    return f"the {cover.n} {cover.class_name} with a figure" + (f", {cover.place}" if cover.place else "")


def fallback_words(n_others: int, cover: Coverage) -> str:
    """The set a measure falls back to (``COMPARISON_GROUP_RULES``), named for what it is."""
    text = f"the {n_others} other {cover.class_name} with a figure in the data held"
    if cover.regional:
        return (f"{text} — {cover.place}: the data held has figures for {cover.class_name} in {cover.where} only, "
                f"so this is a {cover.adjective.strip()} comparison, not a national one, and not the computed "
                "comparators")
    return f"{text} ({cover.place + '; ' if cover.place else ''}not the computed comparators)"


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
    #: gap.benchmark against every other authority of the council's class that has the measure
    class_benchmark: dict | None = None
    #: every authority of the class with a value: ons_code, value, name, in_group, is_council
    class_values: pd.DataFrame | None = None
    #: the council's trend over the last five years published (common.TREND_RULES); None without a series
    trend_reading: Trend | None = None
    suffix: str = ""  # what follows a value (measures.Measure.suffix: " kg", " per head")
    money: bool = False  # a £ figure
    #: whom the council is compared with, in a few words for a sentence ("the comparators", "the 11 other shire
    #: districts with a figure in the data held (all in Lancashire)")
    compared_with: str = "the comparators"
    fallback: bool = False  # compared with every other authority of the class with a figure (COMPARISON_GROUP_RULES)
    #: every authority of the class with a figure, named honestly (class_set_words)
    class_set: str = "every authority of the class with a figure"
    unit: str = ""

    @property
    def rank(self) -> int | None:
        return self.benchmark.get("rank")

    @property
    def median(self) -> float | None:
        return self.benchmark.get("median")

    @property
    def higher_is_better(self) -> bool:
        return self.benchmark["polarity"] == HIGHER

    def formatted(self, value: float | None) -> str:
        """A value of this measure as a reader sees it: its own format and unit ("35.0%", "431.4 kg",
        "£32.76 per head")."""
        return measure_value(value, self.value_format, money=self.money, suffix=self.suffix)


def benchmark_measures(
    service_id: str, council: str, needs_result: needs.NeedsResult, tables: dict[str, pd.DataFrame],
    population: pd.DataFrame, names: dict[str, str], extra: tuple[measures.Measure, ...] = (),
    areas: pd.DataFrame | None = None,
) -> tuple[list[Benchmarked], list[str]]:
    """Every catalogued measure of the service the council has, benchmarked; and those it lacks, each with why
    (:func:`measures.why_missing`: not held in the shipped data, or a blank line).

    ``population``: the table of :func:`wcc_analysis.analysis.population.by_year` for every year the measures
    use. ``extra``: the service's budget-line measure (:func:`measures.service_line_measure`). ``areas``: the
    authorities table (``ons_code, county_name, region``) that says where a set compared with is. The group is
    the computed comparator group; where fewer than ``MIN_COMPARATORS_WITH_MEASURE`` of them have a figure, the
    council is compared with every other authority of its class that has one, and the note names them.
    """
    outturn = tables["revenue_outturn"]
    same_class = set(outturn.loc[outturn["authority_class"] == needs_result.council_class, "ons_code"].dropna())
    class_name = AUTHORITY_CLASS_NAMES.get(needs_result.council_class, f"{needs_result.council_class} authorities")
    found, lacking = [], []
    for measure in measures.measures_for(service_id, extra):
        values = measures.measure_values(measure, tables, population)
        if council not in set(values["ons_code"]):
            lacking.append(f"{measure.label}, {measure.year}: {measures.why_missing(measure, tables, council)}")
            continue
        group = list(needs_result.group.codes)
        have = [c for c in group if c in set(values["ons_code"])]
        klass = values[values["ons_code"].isin(same_class | {council})].copy()
        cover = coverage(klass["ons_code"], areas, class_name)
        note = f"computed comparators: {len(have)} of {len(group)} have a figure"
        compared_with, fallback = "the comparators", False
        if COMPARISON_GROUP_RULES.decide(GroupFacts(len(have))) == CLASS_WITH_FIGURE:
            group = sorted((set(values["ons_code"]) & same_class) - {council})
            fallback = True
            note = (f"only {len(have)} of the {len(needs_result.group.codes)} computed comparators have a figure in "
                    f"the data held, so compared with {fallback_words(len(group), cover)}")
            compared_with = (f"the {len(group)} other {cover.adjective}{class_name} with a figure in the data held"
                             + ("" if cover.regional or not cover.place else f" ({cover.place})"))
        kind = measure_kind(measure)
        polarity = VOLUME if kind == "volume" else measure.polarity
        result = gap.benchmark(values, council, group, polarity, names, measure=measure.label)
        result["compared_with"] = compared_with
        shown = values[values["ons_code"].isin([*group, council])].copy()
        shown["name"] = shown["ons_code"].map(lambda c: names.get(c, c))
        shown["is_council"] = shown["ons_code"].eq(council)
        trend = measures.measure_trend(measure, tables, population, council, group) if measure.trend else None
        everyone = gap.benchmark(klass, council, sorted(set(klass["ons_code"]) - {council}), polarity, names,
                                 measure=measure.label)
        klass["name"] = klass["ons_code"].map(lambda c: names.get(c, c))
        klass["in_group"] = klass["ons_code"].isin(set(group))
        klass["is_council"] = klass["ons_code"].eq(council)
        found.append(Benchmarked(measure.id, measure.label, kind, measure.source, measure.year, result, shown, note,
                                 measure.value_format, measure.spend_line, measure.basis, measure.scope,
                                 measure.block, trend, everyone, klass.reset_index(drop=True),
                                 five_year_trend(trend, polarity) if kind == "performance" else None,
                                 measure.suffix, measure.money, compared_with, fallback, class_set_words(cover),
                                 measure.unit))
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
    council_zero: bool = False  # the council reports exactly £0 on the measure's line(s)


#: Which spend measure question 3 is judged on: the first measure of the service (most specific first) for
#: which no rule below says "not used".
COST_MEASURE_RULES: RuleTable[CostFacts] = RuleTable((
    Rule("not used", "not a spend measure", lambda f: f.kind != "cost"),
    Rule("not used", "no comparator has a figure for it in the data held", lambda f: f.publishing <= 1),
    Rule("not used", "a whole RS block that also holds another configured service: a block shared by several services "
         "is never rated as one service's spend", lambda f: f.shared_block),
    Rule("not used", "the council reports £0 on the line: its spending on the service is recorded on another line "
         "(or it has none), so a £0 line says nothing about its cost", lambda f: f.council_zero),
    Rule("used", "otherwise: the most specific spend measure (detailed outturn lines, then the service's budget "
         "lines, then its block)", always),
), columns=("decision", "rule"))


def cost_measure(benchmarked: list[Benchmarked], shared_blocks: frozenset[str] = frozenset()) -> Benchmarked | None:
    """The measure question 3 is judged on (``COST_MEASURE_RULES``); ``shared_blocks`` are the RS blocks that
    hold more than one configured service."""
    for b in benchmarked:
        value = b.benchmark.get("council_value")
        facts = CostFacts(b.kind, int(b.benchmark.get("n_with_measure", 0)),
                          b.scope == measures.BLOCK and b.block in shared_blocks,
                          value is not None and float(value) == 0.0)
        if COST_MEASURE_RULES.decide(facts) == "used":
            return b
    return None
