"""Value for money (question 3) — the NAO's economy, efficiency and effectiveness — as cost (CIPFA SeRCOP budget lines) against outcome (DEFRA / MHCLG published measures).

The National Audit Office reads value for money as the "three Es" — economy (what the inputs cost), efficiency
(what they produce) and effectiveness (the outcomes): low spending is good value only if it buys a good outcome.
So question 3 is never "spends little" alone. The council's **cost** — the service's own budget lines (MHCLG
Revenue Account budget, CIPFA SeRCOP lines), per household where the service is counted per household and the
council's households are known (``SPEND_UNIT_RULES``), per head otherwise — is set against its **outcomes**, the
service's published performance measures (the same as question 2), each against the median of those it is
compared with: a quadrant of cost against outcome, as in cost-against-performance comparisons such as the former
Audit Commission's value-for-money profiles. An outcome within a stated band of the median (±5 % of the median by
default, ``OUTCOME_POSITION_RULES``: this project's judgement, no published guidance sets one) is "at the median",
neither better nor worse, so that a difference of a percent or two does not decide a rating; the cost is split
exactly at the median (the £ efficiency gap beside it says how far). ``VALUE_FOR_MONEY_RULES`` rates the counts
better / at / worse; where no outcome is held for the council and its comparators, the cost is shown and rated
Grey (cost only), with the reason.

Every reading is placed twice: among those it is compared with (the computed comparators, or — where too few of
them have a figure — every other authority of the class that has one, named for what it is) and among every
authority of the council's class with a figure. Fifteen comparators give coarse quartiles (three or four councils
a quarter), which the report says. Every sentence carries the years it sets against each other (an RA 2023-24
budget against 2022-23 outcomes, a group chosen on 2024-25 data). Pure: values come in as DataFrames
(``ons_code, value``), nothing is read here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wcc_analysis.analysis import benchmarks, gap
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import listed, measure_value, plural
from wcc_analysis.core.vocabulary import AMBER, GREEN, GREY, HIGHER, LOWER, RED, polarity_of

PER_HOUSEHOLD, PER_HEAD = "per household", "per head"
COST, OUTCOME, CONTEXT = "cost", "outcome", "context"
#: The band around the median within which an outcome is "at the median" (a share of the median; config/services.toml
#: [value_for_money] outcome_tolerance_pct overrides it).
DEFAULT_OUTCOME_TOLERANCE = 0.05
BETTER, AT_MEDIAN, WORSE = "better", "at the median", "worse"


@dataclass(frozen=True)
class UnitFacts:
    """What ``SPEND_UNIT_RULES`` reads: whether the service is counted per household, and whether the council's
    households are known."""

    per_household_configured: bool  # config/services.toml [value_for_money.<service>] per = "household"
    council_households: bool  # DEFRA's waste figures give the council's households


#: Whether the value-for-money cost is per household or per head.
SPEND_UNIT_RULES: RuleTable[UnitFacts] = RuleTable((
    Rule(PER_HOUSEHOLD, "the service is counted per household (config/services.toml [value_for_money], per = "
                        "\"household\": waste is collected from households) and the council's households follow from "
                        "DEFRA's figures (residual household waste tonnes, Table 1, ÷ residual household waste per "
                        "household, Table 3 — DEFRA publishes no count itself): spend per household, for every council "
                        "whose households follow",
         lambda f: f.per_household_configured and f.council_households),
    Rule(PER_HEAD, "otherwise: spend per head of population (ONS mid-year estimate)", always),
), columns=("spend counted", "rule"))


def spend_unit(per_household_configured: bool, council_households: bool) -> str:
    """``per household`` or ``per head`` (``SPEND_UNIT_RULES``)."""
    return SPEND_UNIT_RULES.decide(UnitFacts(bool(per_household_configured), bool(council_households)))


@dataclass(frozen=True)
class OutcomeFacts:
    """One outcome of the council against the median of those it is compared with, as ``OUTCOME_POSITION_RULES``
    reads it."""

    better_by: float  # council − median in the measure's good direction (positive = better), in its own units
    median: float
    tolerance: float = DEFAULT_OUTCOME_TOLERANCE  # the band, as a share of the median

    @property
    def within_band(self) -> bool:
        """At most ``tolerance`` × |median| from the median (with a hair of slack, so a boundary is not lost to
        rounding)."""
        allowed = self.tolerance * abs(self.median)
        return abs(self.better_by) <= allowed + 1e-9 * max(1.0, allowed)


#: Q3, one outcome against the median of those it is compared with (first rule that holds).
OUTCOME_POSITION_RULES: RuleTable[OutcomeFacts] = RuleTable((
    Rule(AT_MEDIAN, "within ±tolerance of the median, relative to the median (|council − median| ≤ tolerance × "
                    "|median|; default ±5 %, config/services.toml [value_for_money] outcome_tolerance_pct): neither "
                    "better nor worse. The band is this project's judgement — no published guidance sets one — so "
                    "that a difference of a percent or two does not decide a rating", lambda f: f.within_band),
    Rule(BETTER, "better than the median by more than the band", lambda f: f.better_by > 0),
    Rule(WORSE, "worse than the median by more than the band", always),
), columns=("outcome", "rule"))


def outcome_position(value: float, median: float, polarity: str, tolerance: float = DEFAULT_OUTCOME_TOLERANCE) -> str:
    """``better``, ``at the median`` or ``worse`` (``OUTCOME_POSITION_RULES``)."""
    better_by = value - median if polarity_of(polarity) == HIGHER else median - value
    return OUTCOME_POSITION_RULES.decide(OutcomeFacts(float(better_by), float(median), float(tolerance)))


@dataclass(frozen=True)
class VfmFacts:
    """The council's cost and outcomes against their medians, as ``VALUE_FOR_MONEY_RULES`` reads them."""

    spend: float | None  # the council's cost (per household or per head)
    median: float | None  # the comparators' median cost; None when no comparator has one
    outcomes: int = 0  # outcome measures with a value for the council and a median of those compared with
    better: int = 0  # of them, better than the median beyond the band (OUTCOME_POSITION_RULES)
    worse: int = 0  # of them, worse than the median beyond the band
    worst_quarter: int = 0  # of them, in the worst quarter of those compared with

    @property
    def at_median(self) -> int:
        """Outcomes within the band around the median: neither better nor worse."""
        return self.outcomes - self.better - self.worse

    @property
    def low_cost(self) -> bool:
        """Spend at or below the median: the cost is split exactly at the median, with no band."""
        return self.spend <= self.median + 1e-9 * max(1.0, abs(self.median))


#: Q3, value for money: the council's cost against its outcomes (first rule that holds). Every outcome measure counts
#: once, as better, at the median or worse (OUTCOME_POSITION_RULES).
VALUE_FOR_MONEY_RULES: RuleTable[VfmFacts] = RuleTable((
    Rule(GREY, "no spend figure for the council, or none for its comparators",
         lambda f: f.spend is None or f.median is None),
    Rule(GREY, "cost only: no outcome (performance) measure for the service is held for the council and its "
               "comparators, so what it costs cannot be set against what it achieves; the cost is shown beside the "
               "council's own KPIs, not rated", lambda f: f.outcomes == 0),
    Rule(GREEN, "low cost, better outcomes: spend at or below the comparator median, better than the median (beyond "
                "the ±tolerance band) on more outcome measures than it is worse on, and in the worst quarter of those "
                "compared with on none", lambda f: f.low_cost and f.better > f.worse and f.worst_quarter == 0),
    Rule(RED, "high cost, poorer outcomes: spend above the comparator median, and worse than the median (beyond the "
              "band) on more outcome measures than it is better on", lambda f: not f.low_cost and f.worse > f.better),
    Rule(AMBER, "otherwise — low cost with outcomes no better than the median on balance (or one in the worst "
                "quarter), or high cost with outcomes as good as or better than the median on balance (paying more "
                "for as much or more): read the quadrant chart. Cost is split exactly at the median, with no band "
                "(the £ efficiency gap says how far it is); the outcome band and this way of combining the counts "
                "are this project's judgement — no published guidance sets them", always),
))


@dataclass(frozen=True)
class MeasureValues:
    """One measure's published values for every authority that has one (the input of :func:`assess`)."""

    id: str
    label: str
    year: str
    unit: str
    polarity: str  # higher_is_better / lower_is_better (for spend: lower is cheaper, which is not better service)
    values: pd.DataFrame  # ons_code, value
    source: str = ""
    value_format: str = ",.2f"
    is_spend: bool = True  # a net spend figure (which can be negative: income above spending)
    short: str = ""  # how a sentence names it ("the RA 2023-24 budget lines Waste collection + Recycling")
    #: the councils this measure is compared with, where not the computed group (question 2's comparison group:
    #: every other authority of the class with a figure when too few of the group have one,
    #: benchmarks.COMPARISON_GROUP_RULES)
    group: tuple[str, ...] | None = None
    compared_with: str = "the comparators"  # who ``group`` is, in a few words (benchmarks.Benchmarked.compared_with)
    class_set: str = ""  # every authority of the class with a figure, named (benchmarks.class_set_words); "" = work it out
    suffix: str = ""  # what follows a value (" kg", " per household")
    when: str = ""  # the figure's source and year as a sentence names it ("DEFRA 2022-23", "RA 2023-24 budget")


@dataclass
class Reading:
    """One measure read for the council: against the computed comparators and against its whole class."""

    id: str
    label: str
    kind: str  # cost, outcome or context
    year: str
    unit: str
    polarity: str
    group: dict  # gap.benchmark against the computed comparators
    everyone: dict  # gap.benchmark against every other authority of the class with a value
    values: pd.DataFrame  # ons_code, value, name, in_group, is_council: every authority of the class with a value
    source: str = ""
    value_format: str = ",.2f"
    is_spend: bool = True
    short: str = ""
    compared_with: str = "the comparators"  # who ``group`` is (the computed comparators unless said)
    class_set: str = "every authority of the class with a figure"  # who ``everyone`` is (benchmarks.class_set_words)
    suffix: str = ""
    when: str = ""
    tolerance: float = DEFAULT_OUTCOME_TOLERANCE  # the outcome band (OUTCOME_POSITION_RULES)

    @property
    def council_value(self) -> float | None:
        return self.group.get("council_value")

    @property
    def median(self) -> float | None:
        return self.group.get("median")

    @property
    def higher_is_better(self) -> bool:
        return polarity_of(self.polarity) == HIGHER

    @property
    def better_by_share(self) -> float | None:
        """How far the council is on the good side of the median, as a share of |median| (negative = worse)."""
        value, median = self.council_value, self.median
        if value is None or median is None or not median:
            return None
        return (value - median if self.higher_is_better else median - value) / abs(median)

    @property
    def position(self) -> str | None:
        """For an outcome: better, at the median or worse (``OUTCOME_POSITION_RULES``); None without both figures."""
        if self.kind != OUTCOME or self.council_value is None or self.median is None:
            return None
        return outcome_position(self.council_value, self.median, self.polarity, self.tolerance)

    @property
    def band(self) -> tuple[float, float] | None:
        """The outcome band around the median (low, high), within which the council is at the median."""
        if self.median is None:
            return None
        half = self.tolerance * abs(self.median)
        return self.median - half, self.median + half

    @property
    def against_median(self) -> str:
        """The position in words with how far it is: "at the median (1.6 % better; within ±5 %)"."""
        position, share = self.position, self.better_by_share
        if position is None:
            return "–"
        far = "" if share is None else (f"{percent(abs(share))} {'better' if share > 0 else 'worse'}" if share
                                        else "equal to it")
        band = f"±{percent(self.tolerance, 0)}"
        if position == AT_MEDIAN:
            return f"at the median ({far}; within {band})" if far else f"at the median (within {band})"
        return f"{position} ({far}; beyond {band})"

    @property
    def money(self) -> bool:
        return self.is_spend and self.unit.startswith("£")

    @property
    def compared_label(self) -> str:
        """Whom it is compared with, as a chart legend names them ("Comparators", "The 11 other Lancashire shire
        districts with a figure in the data held")."""
        return "Comparators" if self.compared_with == "the comparators" else self.compared_with[:1].upper() + \
            self.compared_with[1:]

    def formatted(self, value: float | None) -> str:
        """A value as a reader sees it: its own format and unit ("35.0%", "431.4 kg", "£45.27 per household")."""
        return measure_value(value, self.value_format, money=self.money, suffix=self.suffix)


def read(measure: MeasureValues, kind: str, council: str, group: Sequence[str], class_codes: Sequence[str],
         names: Mapping[str, str], *, areas: pd.DataFrame | None = None, class_name: str = "authorities of the class",
         tolerance: float = DEFAULT_OUTCOME_TOLERANCE) -> Reading:
    """``measure`` placed among those it is compared with (the computed comparators unless ``measure.group`` says
    otherwise) and among every authority of the class with a figure (rank 1 and quartile 1 = best; for spend, the
    lowest). ``areas`` (the authorities table) says where the class set is, so a regional extract is named."""
    group = list(measure.group) if measure.group is not None else list(group)
    values = measure.values.dropna(subset=["value"]).drop_duplicates("ons_code")
    values = values[np.isfinite(values["value"].astype(float))]
    klass = set(class_codes) | {council} | set(group)
    values = values[values["ons_code"].isin(klass)].copy()
    others = sorted(set(values["ons_code"]) - {council})
    label = measure.label
    in_group = gap.benchmark(values, council, group, measure.polarity, names, measure=label)
    everyone = gap.benchmark(values, council, others, measure.polarity, names, measure=label)
    values["name"] = values["ons_code"].map(dict(names)).fillna(values["ons_code"])
    values["in_group"] = values["ons_code"].isin(set(group))
    values["is_council"] = values["ons_code"].eq(council)
    values = values.sort_values("ons_code", ignore_index=True)
    class_set = measure.class_set or benchmarks.class_set_words(benchmarks.coverage(values["ons_code"], areas,
                                                                                    class_name))
    return Reading(measure.id, label, kind, measure.year, measure.unit, polarity_of(measure.polarity), in_group,
                   everyone, values, measure.source, measure.value_format, measure.is_spend,
                   measure.short or label.split(" (")[0], measure.compared_with, class_set, measure.suffix,
                   measure.when or measure.year, float(tolerance))


def block_spend(outturn: pd.DataFrame, people: pd.DataFrame, block: str, year: str) -> pd.DataFrame:
    """One RS block in one year for every authority with a figure and a population: ``ons_code, gross_per_head,
    income_per_head, net_per_head, income_share`` (total expenditure, total income and net current expenditure as
    published in the RSX return / time series, £ per head; income share = income ÷ total expenditure, missing where
    either is missing or total expenditure is 0)."""
    rows = outturn[(outturn["rs_block"] == block) & (outturn["year"] == year)
                   & outturn["net_expenditure_gbp_thousands"].notna()]
    start = int(str(year)[:4])
    heads = people[people["year_start"] == start][["ons_code", "population"]]
    rows = rows.merge(heads, on="ons_code", how="inner")
    rows = rows[rows["population"] > 0]
    gross = rows["total_expenditure_gbp_thousands"].astype(float) if "total_expenditure_gbp_thousands" in rows \
        else pd.Series(np.nan, index=rows.index)
    income = rows["total_income_gbp_thousands"].astype(float) if "total_income_gbp_thousands" in rows \
        else pd.Series(np.nan, index=rows.index)
    per = 1000.0 / rows["population"].astype(float)
    return pd.DataFrame({
        "ons_code": rows["ons_code"].astype(str).to_numpy(),
        "gross_per_head": (gross * per).to_numpy(),
        "income_per_head": (income * per).to_numpy(),
        "net_per_head": (rows["net_expenditure_gbp_thousands"].astype(float) * per).to_numpy(),
        "income_share": (income / gross.where(gross > 0)).to_numpy(),
    }).sort_values("ons_code", ignore_index=True)


def block_measures(table: pd.DataFrame, block: str, year: str, source: str) -> list[MeasureValues]:
    """The block's gross and net spend per head and its income share (from :func:`block_spend`) as measures."""
    def values(column: str) -> pd.DataFrame:
        return table[["ons_code", column]].rename(columns={column: "value"}).dropna()

    return [
        MeasureValues("block_gross_per_head", f"RS block '{block}': gross expenditure per head", year,
                      "£ per head (total expenditure / ONS mid-year population)", LOWER, values("gross_per_head"),
                      source, suffix=" per head"),
        MeasureValues("block_net_per_head", f"RS block '{block}': net current expenditure per head", year,
                      "£ per head (net current expenditure / ONS mid-year population)", LOWER,
                      values("net_per_head"), source, suffix=" per head"),
        MeasureValues("block_income_share", f"RS block '{block}': income as a share of gross expenditure", year,
                      "share of total expenditure met by income (fees, charges, grants)", LOWER,
                      values("income_share"), source, value_format=".0%", is_spend=False),
    ]


QUARTER_WORDS_COST = {1: "lowest-spending quarter", 2: "second quarter", 3: "third quarter",
                      4: "highest-spending quarter"}
QUARTER_WORDS = {1: "best quarter", 2: "second quarter", 3: "third quarter", 4: "worst quarter"}


QUARTER_WORDS_LEVEL = {1: "lowest quarter", 2: "second quarter", 3: "third quarter", 4: "highest quarter"}


def quarter_words(reading: Reading, quartile: int | None) -> str:
    """The quarter in words: best … worst for an outcome, lowest- … highest-spending for spend, lowest … highest
    for any other figure (an income share is neither better nor worse)."""
    if quartile is None:
        return "not placed"
    words = QUARTER_WORDS if reading.kind == OUTCOME else QUARTER_WORDS_COST if reading.is_spend else QUARTER_WORDS_LEVEL
    return words[quartile]


def coarse_quartiles_note(n_group: int, class_set: str) -> str:
    """Why quartiles among the computed comparators are coarse, said once (``class_set``: the whole class with a
    figure, named: benchmarks.class_set_words)."""
    per_quarter = n_group / 4
    return (f"Quartiles among {n_group} comparators are coarse: each quarter holds about {per_quarter:.0f} councils "
            f"({per_quarter:.2f}), so one place up or down can move the council into the next quarter. The quartiles "
            f"among {class_set} are finer; both are shown.")


@dataclass
class ValueForMoney:
    """Question 3 for one service: its cost against its outcomes, and the spend figures beside them."""

    service_id: str
    council: str
    council_name: str
    unit: str  # PER_HOUSEHOLD or PER_HEAD
    cost: Reading | None
    outcomes: list[Reading]
    context: list[Reading]
    rating: str
    sentence: str
    facts: VfmFacts
    class_name: str = "authorities of the same class"
    group_label: str = "computed comparators"
    notes: list[str] = field(default_factory=list)  # negative net spend explained, coarse quartiles
    tolerance: float = DEFAULT_OUTCOME_TOLERANCE  # the outcome band (OUTCOME_POSITION_RULES)
    group_year: str | None = None  # the year of the data the comparator group was chosen on
    households_year: str | None = None  # the DEFRA year the households are derived from (per household only)

    @property
    def answer(self) -> tuple[str, str]:
        return self.rating, self.sentence

    @property
    def cost_only(self) -> bool:
        """A cost for the council but no published outcome to set it against (rated Grey, cost only)."""
        return self.cost is not None and not self.outcomes

    @property
    def readings(self) -> list[Reading]:
        return [r for r in ([self.cost] if self.cost else []) + self.context + self.outcomes]

    @property
    def band_words(self) -> str:
        """The outcome band in words: "±5 % of the median"."""
        return f"±{100 * self.tolerance:g} % of the median"

    @property
    def counts(self) -> str:
        """The outcomes counted: "better on 1, at the median on 1, worse on 1 of 3"."""
        f = self.facts
        return f"better on {f.better}, at the median on {f.at_median}, worse on {f.worse} of {f.outcomes}"

    def years(self, outcomes: Sequence[Reading] | None = None) -> str:
        """The years the reading sets against each other, in a sentence: "the RA 2023-24 budget is set against
        the DEFRA 2022-23 outcomes and households derived from DEFRA 2022-23; the comparator group was chosen on
        2024-25 data"."""
        return years_text(self.cost, self.outcomes if outcomes is None else list(outcomes), self.households_year,
                          self.group_year)

    def quadrant(self, outcome: Reading) -> pd.DataFrame:
        """Cost against one outcome for every authority of the class with both: ``ons_code, name, cost, outcome,
        in_group, is_council`` (``in_group``: compared with on this outcome)."""
        if self.cost is None:
            return pd.DataFrame(columns=["ons_code", "name", "cost", "outcome", "in_group", "is_council"])
        cost = self.cost.values[["ons_code", "name", "value", "is_council"]].rename(columns={"value": "cost"})
        both = cost.merge(outcome.values[["ons_code", "value", "in_group"]].rename(columns={"value": "outcome"}),
                          on="ons_code")
        return both[["ons_code", "name", "cost", "outcome", "in_group", "is_council"]].sort_values("ons_code",
                                                                                                   ignore_index=True)

    TABLE_COLUMNS = ("measure", "kind", "year", "council_value", "compared_with", "group_median", "group_rank",
                     "group_quartile", "against_median", "class_set", "class_median", "class_rank", "class_quartile")

    def table(self) -> pd.DataFrame:
        """Every reading, one row each: the council's value; whom it is compared with, their median, the council's
        rank and quarter among them and, for an outcome, better / at / worse than the median; and the same among
        every authority of the class with a figure, named (rank 1 and quartile 1 = lowest for spend, best for an
        outcome). Every value in its own format and unit."""
        rows = []
        for r in self.readings:
            g, e = r.group, r.everyone
            rows.append({
                "measure": r.label, "kind": r.kind, "year": r.year, "council_value": r.formatted(r.council_value),
                "compared_with": r.compared_with, "group_median": r.formatted(g.get("median")),
                "group_rank": f"{g['rank']} of {g['n_with_measure']}" if g.get("rank") else "–",
                "group_quartile": quarter_words(r, g.get("quartile")),
                "against_median": r.against_median if r.kind == OUTCOME else "–",
                "class_set": r.class_set, "class_median": r.formatted(e.get("median")),
                "class_rank": f"{e['rank']} of {e['n_with_measure']}" if e.get("rank") else "–",
                "class_quartile": quarter_words(r, e.get("quartile")),
            })
        return pd.DataFrame(rows, columns=list(self.TABLE_COLUMNS))


def years_text(cost: Reading | None, outcomes: Sequence[Reading], households_year: str | None,
               group_year: str | None) -> str:
    """Which years are set against each other, said plainly (see :meth:`ValueForMoney.years`)."""
    parts = []
    if cost is not None:
        whens = list(dict.fromkeys(o.when for o in outcomes))
        text = (f"the {cost.when} is set against the {listed(whens)} outcome{'s' if len(outcomes) > 1 else ''}"
                if outcomes else f"the cost is the {cost.when}")
        if households_year and cost.unit.startswith("£ per household"):
            text += f"{' and' if outcomes else ', per household on'} households derived from DEFRA {households_year}"
        parts.append(text)
    if group_year:
        parts.append(f"the comparator group was chosen on {group_year} data")
    return "; ".join(parts)


def negative_spend_notes(readings: Sequence[Reading], council_name: str) -> list[str]:
    """A sentence for each spend figure that is negative for the council, and for comparators that are."""
    notes = []
    for r in readings:
        if not r.is_spend:
            continue
        value = r.council_value
        if value is not None and value < 0:
            notes.append(f"{r.label}, {r.year}: {council_name}'s net spend is negative ({r.formatted(value)}): its "
                         "income on these lines (fees and charges — e.g. trade waste or car parking — and grants) "
                         "was more than it spent, so the service made a surplus.")
        negative = r.values[(r.values["in_group"]) & (r.values["value"] < 0)]
        if len(negative):
            who = ", ".join(f"{n} {r.formatted(v)}" for n, v in zip(negative["name"], negative["value"]))
            notes.append(f"{r.label}, {r.year}: {plural(len(negative), 'comparator')} with negative net spend "
                         f"(income above spending, a surplus): {who}.")
    return notes


def percent(share: float, digits: int = 1) -> str:
    """A share as per cent with a space, as the reports write a relative difference: 0.016 → "1.6 %"."""
    return f"{100 * share:.{digits}f} %"


def _outcome_words(o: Reading) -> str:
    """One outcome in a sentence: its value and median with units, whose median, and how far."""
    whose = "" if o.compared_with == "the comparators" else f", the median of {o.compared_with}"
    share = o.better_by_share
    far = "" if share is None else f", {percent(abs(share))} {'better' if share > 0 else 'worse'}"
    return (f"{o.label.split(' (')[0].lower()} {o.formatted(o.council_value)} against {o.formatted(o.median)}"
            f"{whose}{far}")


def _sentence(rating: str, facts: VfmFacts, cost: Reading | None, outcomes: list[Reading], service_name: str,
              council_name: str, years: str, tolerance: float) -> str:
    if cost is None or facts.spend is None or facts.median is None:
        return ("Not available: no spend figure on the service's budget lines for the council, or none for its "
                "comparators, to set against its outcomes.")
    g, e = cost.group, cost.everyone
    side = "at or below" if facts.low_cost else "above"
    where = (f"{cost.formatted(cost.council_value)} on {cost.short}: rank {g['rank']} of "
             f"{g['n_with_measure']} among the comparators (1 = lowest), {side if outcomes else 'against'} their median "
             f"of {cost.formatted(g['median'])} ({quarter_words(cost, g['quartile'])}); "
             f"{quarter_words(cost, e['quartile'])} among {cost.class_set}")
    when = f" Years: {years}." if years else ""
    if not outcomes:
        return (f"Grey (cost only): no outcome measure for {service_name} is held in the shipped data for "
                f"{council_name} and its comparators, so what it costs cannot be set against what it achieves.{when} "
                f"Cost: {where}.")
    band = f"±{percent(tolerance, 0)}"
    groups = [(label, [o for o in outcomes if o.position == position])
              for label, position in (("better", BETTER), ("at the median", AT_MEDIAN), ("worse", WORSE))]
    detail = "; ".join(f"{label} — " + "; ".join(_outcome_words(o) for o in rs) for label, rs in groups if rs)
    balance = ("better outcomes" if facts.better > facts.worse else "poorer outcomes" if facts.worse > facts.better
               else "outcomes balanced")
    cost_word = "low cost" if facts.low_cost else "high cost"
    worst = (f"In the worst quarter of those compared with on {facts.worst_quarter} "
             f"({listed(o.label.split(' (')[0].lower() for o in outcomes if o.group.get('quartile') == 4)})."
             if facts.worst_quarter else "In the worst quarter of those compared with on none.")
    counts = (f"better on {facts.better}, at the median on {facts.at_median}, worse on {facts.worse} of "
              f"{facts.outcomes}; within {band} of the median counts as at the median")
    return (f"{rating}: {cost_word}, {balance} ({counts}).{when} Cost: {where}. Outcomes against the median: "
            f"{detail}. {worst}")


def assess(*, service_id: str, service_name: str, council: str, council_name: str, names: Mapping[str, str],
           group: Sequence[str], class_codes: Sequence[str], class_name: str, unit: str,
           cost: MeasureValues | None, outcomes: Sequence[MeasureValues] = (), context: Sequence[MeasureValues] = (),
           group_label: str = "computed comparators", tolerance: float = DEFAULT_OUTCOME_TOLERANCE,
           group_year: str | None = None, households_year: str | None = None,
           areas: pd.DataFrame | None = None) -> ValueForMoney:
    """Question 3 for one service (``VALUE_FOR_MONEY_RULES``).

    ``cost``: the service's budget lines per household or per head (``unit``, :func:`spend_unit`) for every
    authority with a figure; ``outcomes``: the service's published performance measures; ``context``: other spend
    figures shown beside (the lines per head, the RS block's gross and net per head and income share). An outcome
    the council or every comparator lacks is left out; with no cost or no outcome the answer is Grey, with the reason.
    ``tolerance``: the outcome band, a share of the median (``OUTCOME_POSITION_RULES``). ``group_year`` (the data
    the comparator group was chosen on) and ``households_year`` (DEFRA's, per household) are said in the sentence
    beside the cost's and outcomes' own years. ``areas`` (the authorities table) names where a class set is.
    """
    group = [c for c in dict.fromkeys(group) if c != council]

    def reading(measure: MeasureValues, kind: str) -> Reading:
        return read(measure, kind, council, group, class_codes, names, areas=areas, class_name=class_name,
                    tolerance=tolerance)

    cost_reading = reading(cost, COST) if cost is not None else None
    if cost_reading is not None and cost_reading.council_value is None:
        cost_reading = None
    outcome_readings = [reading(m, OUTCOME) for m in outcomes]
    outcome_readings = [o for o in outcome_readings if o.council_value is not None and o.median is not None]
    context_readings = [reading(m, CONTEXT) for m in context]
    context_readings = [c for c in context_readings if c.council_value is not None]
    spend = None if cost_reading is None else cost_reading.council_value
    median = None if cost_reading is None else cost_reading.median
    positions = [o.position for o in outcome_readings]
    facts = VfmFacts(spend, median, len(outcome_readings), positions.count(BETTER), positions.count(WORSE),
                     sum(o.group.get("quartile") == 4 for o in outcome_readings))
    rating = VALUE_FOR_MONEY_RULES.decide(facts)
    years = years_text(cost_reading, outcome_readings, households_year, group_year)
    sentence = _sentence(rating, facts, cost_reading, outcome_readings, service_name, council_name, years, tolerance)
    notes = negative_spend_notes(([cost_reading] if cost_reading else []) + context_readings, council_name)
    if cost_reading is not None:
        notes.append(coarse_quartiles_note(cost_reading.group["n_with_measure"] - 1, cost_reading.class_set))
    return ValueForMoney(service_id, council, council_name, unit, cost_reading, outcome_readings, context_readings,
                         rating, sentence, facts, class_name, group_label, notes, float(tolerance), group_year,
                         households_year)
