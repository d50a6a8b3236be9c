"""Value for money (question 3) — the NAO's economy, efficiency and effectiveness — as cost (CIPFA SeRCOP budget lines) against outcome (DEFRA / MHCLG published measures).

The National Audit Office reads value for money as the "three Es" — economy (what the inputs cost), efficiency
(what they produce) and effectiveness (the outcomes): low spending is good value only if it buys a good outcome.
So question 3 is never "spends little" alone. The council's **cost** — the service's own budget lines (MHCLG
Revenue Account budget, CIPFA SeRCOP lines), per household where the service is counted per household and the
council's households are known (``SPEND_UNIT_RULES``), per head otherwise — is set against its **outcomes**, the
service's published performance measures (the same as question 2), each against the comparator median: a
quadrant of cost against outcome, as in cost-against-performance comparisons such as the former Audit
Commission's value-for-money profiles. ``VALUE_FOR_MONEY_RULES`` rates the quadrant the council is in; where no
outcome is published for the council and its comparators, the cost is shown and rated Grey (cost only), with the
reason.

Every reading is placed twice: among the computed comparators and among every authority of the council's class
(e.g. all shire districts). Fifteen comparators give coarse quartiles (three or four councils a quarter), which
the report says. Pure: values come in as DataFrames (``ons_code, value``), nothing is read here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wcc_analysis.analysis import gap
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import plural
from wcc_analysis.core.vocabulary import AMBER, GREEN, GREY, HIGHER, LOWER, RED, polarity_of

PER_HOUSEHOLD, PER_HEAD = "per household", "per head"
COST, OUTCOME, CONTEXT = "cost", "outcome", "context"


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
class VfmFacts:
    """The council's cost and outcomes against its comparators' medians, as ``VALUE_FOR_MONEY_RULES`` reads them."""

    spend: float | None  # the council's cost (per household or per head)
    median: float | None  # the comparators' median cost; None when no comparator has one
    outcomes: int = 0  # outcome measures with a value for the council and a comparator median
    better: int = 0  # of them, at or better than the comparator median

    @property
    def low_cost(self) -> bool:
        return self.spend <= self.median + 1e-9 * max(1.0, abs(self.median))

    @property
    def good_outcome(self) -> bool:
        return self.better * 2 > self.outcomes

    @property
    def poor_outcome(self) -> bool:
        return (self.outcomes - self.better) * 2 > self.outcomes


#: Q3, value for money: the council's cost against its outcomes, each split at the comparator median (first rule
#: that holds). Every outcome measure counts once.
VALUE_FOR_MONEY_RULES: RuleTable[VfmFacts] = RuleTable((
    Rule(GREY, "no spend figure for the council, or none for its comparators",
         lambda f: f.spend is None or f.median is None),
    Rule(GREY, "cost only: no outcome (performance) measure for the service is published for the council and its "
               "comparators, so what it costs cannot be set against what it achieves; the cost is shown beside the "
               "council's own KPIs, not rated", lambda f: f.outcomes == 0),
    Rule(GREEN, "low cost, good outcome: spend at or below the comparator median, and at or better than the "
                "comparator median on most (more than half) of the outcome measures",
         lambda f: f.low_cost and f.good_outcome),
    Rule(RED, "high cost, poor outcome: spend above the comparator median, and worse than the comparator median on "
              "most of the outcome measures", lambda f: not f.low_cost and f.poor_outcome),
    Rule(AMBER, "otherwise: low cost with poorer outcomes, high cost with better outcomes (paying more for more), "
                "or outcomes split evenly — read the quadrant chart", always),
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
    #: every authority of the class when too few of the group publish it, benchmarks.COMPARISON_GROUP_RULES)
    group: tuple[str, ...] | None = None


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
    def at_or_better_than_median(self) -> bool | None:
        """For an outcome: the council at or better than the comparators' median (None without both)."""
        value, median = self.council_value, self.median
        if value is None or median is None:
            return None
        return value >= median if self.higher_is_better else value <= median

    def formatted(self, value: float | None) -> str:
        if value is None or pd.isna(value):
            return "–"
        text = format(abs(value) if self.is_spend else value, self.value_format)
        if self.is_spend and self.unit.startswith("£"):
            return ("−£" if value < 0 else "£") + text
        return text


def read(measure: MeasureValues, kind: str, council: str, group: Sequence[str], class_codes: Sequence[str],
         names: Mapping[str, str]) -> Reading:
    """``measure`` placed among the computed comparators and among every authority of the class (rank 1 and
    quartile 1 = best; for spend, the lowest)."""
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
    return Reading(measure.id, label, kind, measure.year, measure.unit, polarity_of(measure.polarity), in_group,
                   everyone, values, measure.source, measure.value_format, measure.is_spend,
                   measure.short or label.split(" (")[0])


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
                      source),
        MeasureValues("block_net_per_head", f"RS block '{block}': net current expenditure per head", year,
                      "£ per head (net current expenditure / ONS mid-year population)", LOWER,
                      values("net_per_head"), source),
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


def coarse_quartiles_note(n_group: int, n_class: int, class_name: str) -> str:
    """Why quartiles among the computed comparators are coarse, said once."""
    per_quarter = n_group / 4
    return (f"Quartiles among {n_group} comparators are coarse: each quarter holds about {per_quarter:.0f} councils "
            f"({per_quarter:.2f}), so one place up or down can move the council into the next quarter. The quartiles "
            f"among all {n_class} {class_name} with a figure are finer; both are shown.")


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

    def table(self) -> pd.DataFrame:
        """Every reading, one row each: the council's value, the group's median, rank and quartile, and the same
        among every authority of the class (rank 1 and quartile 1 = lowest for spend, best for an outcome)."""
        rows = []
        for r in self.readings:
            g, e = r.group, r.everyone
            rows.append({
                "measure": r.label, "kind": r.kind, "year": r.year, "council_value": r.formatted(r.council_value),
                "group_median": r.formatted(g.get("median")),
                "group_rank": f"{g['rank']} of {g['n_with_measure']}" if g.get("rank") else "–",
                "group_quartile": quarter_words(r, g.get("quartile")),
                "class_median": r.formatted(e.get("median")),
                "class_rank": f"{e['rank']} of {e['n_with_measure']}" if e.get("rank") else "–",
                "class_quartile": quarter_words(r, e.get("quartile")),
            })
        return pd.DataFrame(rows, columns=["measure", "kind", "year", "council_value", "group_median", "group_rank",
                                           "group_quartile", "class_median", "class_rank", "class_quartile"])


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


def _sentence(rating: str, facts: VfmFacts, cost: Reading | None, outcomes: list[Reading], service_name: str,
              council_name: str, class_name: str) -> str:
    if cost is None or facts.spend is None or facts.median is None:
        return ("Not available: no spend figure on the service's budget lines for the council, or none for its "
                "comparators, to set against its outcomes.")
    g, e = cost.group, cost.everyone
    per = PER_HOUSEHOLD if cost.unit.startswith("£ per household") else PER_HEAD
    side = "at or below" if facts.low_cost else "above"
    where = (f"{cost.formatted(cost.council_value)} {per} on {cost.short}: rank {g['rank']} of "
             f"{g['n_with_measure']} among the comparators (1 = lowest), {side if outcomes else 'against'} their median "
             f"of {cost.formatted(g['median'])} ({quarter_words(cost, g['quartile'])}; among all "
             f"{e['n_with_measure']} {class_name}, {quarter_words(cost, e['quartile'])})")
    if not outcomes:
        return (f"Grey (cost only): no outcome measure for {service_name} is published for {council_name} and its "
                f"comparators, so what it costs cannot be set against what it achieves. Cost: {where}.")
    better = [o for o in outcomes if o.at_or_better_than_median]
    worse = [o for o in outcomes if not o.at_or_better_than_median]

    def names(rs: list[Reading]) -> str:
        return ", ".join(f"{o.label.split(' (')[0].lower()} {o.formatted(o.council_value)} (median "
                         f"{o.formatted(o.median)})" for o in rs)

    cost_word = "low cost" if facts.low_cost else "high cost"
    outcome_word = ("good outcome" if facts.good_outcome else "poor outcome" if facts.poor_outcome
                    else "outcomes split evenly")
    outcome_text = (f"Outcomes at or better than the comparator median on {len(better)} of {len(outcomes)}"
                    + (f": {names(better)}" if better else "") + (f"; worse on {names(worse)}" if worse else ""))
    return f"{rating}: {cost_word}, {outcome_word}. Cost: {where}. {outcome_text}."


def assess(*, service_id: str, service_name: str, council: str, council_name: str, names: Mapping[str, str],
           group: Sequence[str], class_codes: Sequence[str], class_name: str, unit: str,
           cost: MeasureValues | None, outcomes: Sequence[MeasureValues] = (), context: Sequence[MeasureValues] = (),
           group_label: str = "computed comparators") -> ValueForMoney:
    """Question 3 for one service (``VALUE_FOR_MONEY_RULES``).

    ``cost``: the service's budget lines per household or per head (``unit``, :func:`spend_unit`) for every
    authority with a figure; ``outcomes``: the service's published performance measures; ``context``: other spend
    figures shown beside (the lines per head, the RS block's gross and net per head and income share). An outcome
    the council or every comparator lacks is left out; with no cost or no outcome the answer is Grey, with the reason.
    """
    group = [c for c in dict.fromkeys(group) if c != council]
    cost_reading = read(cost, COST, council, group, class_codes, names) if cost is not None else None
    if cost_reading is not None and cost_reading.council_value is None:
        cost_reading = None
    outcome_readings = [read(m, OUTCOME, council, group, class_codes, names) for m in outcomes]
    outcome_readings = [o for o in outcome_readings if o.council_value is not None and o.median is not None]
    context_readings = [read(m, CONTEXT, council, group, class_codes, names) for m in context]
    context_readings = [c for c in context_readings if c.council_value is not None]
    spend = None if cost_reading is None else cost_reading.council_value
    median = None if cost_reading is None else cost_reading.median
    facts = VfmFacts(spend, median, len(outcome_readings), sum(bool(o.at_or_better_than_median) for o in outcome_readings))
    rating = VALUE_FOR_MONEY_RULES.decide(facts)
    sentence = _sentence(rating, facts, cost_reading, outcome_readings, service_name, council_name, class_name)
    notes = negative_spend_notes(([cost_reading] if cost_reading else []) + context_readings, council_name)
    if cost_reading is not None:
        notes.append(coarse_quartiles_note(cost_reading.group["n_with_measure"] - 1,
                                           cost_reading.everyone["n_with_measure"], class_name))
    return ValueForMoney(service_id, council, council_name, unit, cost_reading, outcome_readings, context_readings,
                         rating, sentence, facts, class_name, group_label, notes)
