"""Gap analysis (seed section 5: the three key questions; section 7: Design — gap analysis).

One rating per question, each Green / Amber / Red, or Grey when the evidence
is not available (never an error):

1. Is it delivering what we need now?  KPIs against target, customer survey
   results, need signals (``kpi_status``, ``survey_status``, ``delivering_need_rag``).
2. Is it best in class?  Published performance measures against comparators
   (``benchmark``, ``best_in_class_rag``).
3. Is it as effective and cost-efficient as it could be?  Spend per head
   against the comparator median and lower quartile, unit costs
   (``efficiency_gap``, ``unit_cost``, ``cost_efficiency_rag``).

``portfolio_counts`` turns per-service ratings into the seed's "how many" counts.
Every threshold is in a documented module-level rule table
(:class:`~wcc_analysis.core.rules.RuleTable`): each rating function measures a
small facts object and the table's first rule that holds gives the rating, so
the table the report prints is the one that ran.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis.common import empty_frame, target_polarities, trend_word
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import plural, round_or_none
from wcc_analysis.core.vocabulary import AMBER, GREEN, GREY, HIGHER, LOWER, RAGS, RED, VOLUME, polarity_of

#: The tables handed in, as the analyst knows them.
KPIS_TABLE = "KPIs"
PORTFOLIO_TABLE = "portfolio gap ratings"


def _better_by(actual: float, target: float, polarity: str) -> float:
    """How far actual is on the good side of target (negative = worse), in the measure's units."""
    return actual - target if polarity == HIGHER else target - actual


@dataclass(frozen=True)
class KpiFacts:
    """One KPI value against its target, as ``KPI_RAG_RULES`` reads it."""

    better_by: float  # how far on the good side of target, in the KPI's units (negative = worse)
    target: float
    tolerance: float = 0.05  # the share of |target| allowed on the wrong side for Amber

    @classmethod
    def of(cls, actual: float, target: float, polarity: str, tolerance: float = 0.05) -> KpiFacts:
        """The facts for ``actual`` against ``target`` (``polarity`` higher or lower is better)."""
        return cls(_better_by(float(actual), float(target), polarity_of(polarity)), float(target), tolerance)

    @property
    def on_or_better(self) -> bool:
        return self.better_by >= 0

    @property
    def within_tolerance(self) -> bool:
        """On the wrong side by at most ``tolerance`` × |target| (with a hair of slack, so that a
        boundary is not lost to rounding)."""
        allowed = self.tolerance * abs(self.target)
        return -self.better_by <= allowed + 1e-9 * max(1.0, allowed)


#: Q1, one KPI's latest value against its target (``tolerance`` default 5 % of target).
KPI_RAG_RULES: RuleTable[KpiFacts] = RuleTable((
    Rule(GREEN, "on or better than target", lambda f: f.on_or_better),
    Rule(AMBER, "on the wrong side of target by at most tolerance x |target| (default 5 %)",
         lambda f: f.within_tolerance),
    Rule(RED, "on the wrong side of target by more than that", always),
))


@dataclass(frozen=True)
class SurveyFacts:
    """One survey question's latest result against its target (or benchmark), as ``SURVEY_RAG_RULES`` reads it."""

    gap_points: float | None  # % satisfied − target (or benchmark); None when there is neither
    tolerance_points: float = 5.0


#: Q1, one survey question's latest % satisfied against its target (or benchmark when no target).
#: Tolerance in percentage points (default 5): survey results carry sampling error of a few
#: points, so a 5-point margin separates "near" from "clearly below".
SURVEY_RAG_RULES: RuleTable[SurveyFacts] = RuleTable((
    Rule(GREEN, "% satisfied at or above the target (or benchmark)",
         lambda f: f.gap_points is not None and f.gap_points >= 0),
    Rule(AMBER, "below it by at most tolerance_points (default 5) percentage points",
         lambda f: f.gap_points is not None and -f.gap_points <= f.tolerance_points + 1e-12),
    Rule(RED, "below it by more than that", lambda f: f.gap_points is not None),
    Rule(GREY, "no target or benchmark to compare with (shown, not rated)", always),
))


@dataclass(frozen=True)
class NeedFacts:
    """The rated measures of Q1, as ``DELIVERING_NEED_RULES`` reads them."""

    measures: int  # KPIs plus survey questions with a target or benchmark
    off_target: int  # of them Amber or Red
    red: int  # of them Red
    need_signals: tuple[str, ...] = ()  # the need signals flagged (need rising)


#: Q1 overall, over the rated measures (KPIs + survey questions with a target); first that holds.
DELIVERING_NEED_RULES: RuleTable[NeedFacts] = RuleTable((
    Rule(GREY, "no KPI and no survey result with a target supplied", lambda f: f.measures == 0),
    Rule(RED, "any measure Red, or more than a third of the rated measures off target",
         lambda f: f.red > 0 or f.off_target * 3 > f.measures),
    Rule(AMBER, "any measure off target (Amber), or all on target but a need signal is flagged "
                "(need is rising faster than the targets assume)",
         lambda f: f.off_target > 0 or bool(f.need_signals)),
    Rule(GREEN, "every rated measure on or better than target and no need signal flagged", always),
))


@dataclass(frozen=True)
class BestInClassFacts:
    """The deciding benchmark of Q2, as ``BEST_IN_CLASS_RULES`` reads it."""

    quartile: int | None  # 1 = best quarter of comparators … 4 = worst; None when no measure can be rated


#: Q2, the first (most specific) performance measure the council has, by comparator quartile.
BEST_IN_CLASS_RULES: RuleTable[BestInClassFacts] = RuleTable((
    Rule(GREY, "no performance measure (higher/lower is better) with a value for the council and at least "
               "one comparator", lambda f: f.quartile is None),
    Rule(GREEN, "in the best quarter of its comparators", lambda f: f.quartile == 1),
    Rule(RED, "in the worst quarter", lambda f: f.quartile == 4),
    Rule(AMBER, "otherwise (second or third quarter)", always),
))


@dataclass(frozen=True)
class CostFacts:
    """The council's net spend per head and its comparators', as ``COST_EFFICIENCY_RULES`` reads them (£)."""

    spend_per_head: float | None
    median: float | None  # the comparators' median; None when no comparator has a value
    lower_quartile: float | None


#: Q3, net spend per head against the comparator distribution (lower spend = more efficient).
COST_EFFICIENCY_RULES: RuleTable[CostFacts] = RuleTable((
    Rule(GREY, "no spend per head for the council, or no comparator values",
         lambda f: f.spend_per_head is None or f.median is None),
    Rule(GREEN, "at or below the comparator lower quartile", lambda f: f.spend_per_head <= f.lower_quartile),
    Rule(AMBER, "above the lower quartile, at or below the median", lambda f: f.spend_per_head <= f.median),
    Rule(RED, "above the comparator median", always),
))

KPI_STATUS_COLUMNS = [
    "kpi", "unit", "polarity", "period", "target", "actual", "performance_gap", "gap_pct_of_target",
    "on_target", "rag", "previous_period", "previous_actual", "trend", "periods", "periods_on_target", "source",
]
SURVEY_STATUS_COLUMNS = [
    "question", "period", "percent_satisfied", "compared_with", "comparison_value", "gap_points",
    "on_target", "rag", "previous_period", "previous_percent", "change_points", "source",
]


def kpi_rag(actual: float, target: float, polarity: str, tolerance: float = 0.05) -> str:
    """One KPI's RAG (``KPI_RAG_RULES``)."""
    return KPI_RAG_RULES.decide(KpiFacts.of(actual, target, polarity, tolerance))


def kpi_status(kpis: pd.DataFrame | None, tolerance: float = 0.05) -> pd.DataFrame:
    """Latest actual against target per KPI, with RAG (``KPI_RAG_RULES``) and trend.

    ``kpis`` is long: kpi, unit, polarity, target, period, actual, source (one
    row per KPI per period; periods sort as written, e.g. ``2024-25 Q1``).
    ``performance_gap`` is positive when better than target. The trend compares
    the latest period with the one before on performance relative to target
    (``gap_pct_of_target``), so targets that change between periods (e.g.
    cumulative collection rates) are handled. Missing or empty input gives an
    empty table.
    """
    if kpis is None or kpis.empty:
        return empty_frame(KPI_STATUS_COLUMNS)
    rows = kpis.dropna(subset=["actual", "target"]).copy()
    rows["polarity"] = target_polarities(
        rows, KPIS_TABLE, "KPI", fix="give each KPI the polarity higher_is_better or lower_is_better; a volume "
        "(a size, not a performance) belongs in the outputs table")
    rows["performance_gap"] = [_better_by(a, t, p) for a, t, p in zip(rows["actual"], rows["target"], rows["polarity"])]
    rows["gap_pct_of_target"] = [
        g / abs(t) if t else (0.0 if g >= 0 else -math.inf) for g, t in zip(rows["performance_gap"], rows["target"])
    ]
    rows["rag"] = [kpi_rag(a, t, p, tolerance) for a, t, p in zip(rows["actual"], rows["target"], rows["polarity"])]
    keys = ["service_id", "kpi"] if "service_id" in rows.columns else ["kpi"]
    out = []
    for _, group in rows.groupby(keys, sort=True):
        group = group.sort_values("period", key=lambda s: s.astype(str))
        last = group.iloc[-1]
        prev = group.iloc[-2] if len(group) > 1 else None
        out.append({
            **({"service_id": last["service_id"]} if "service_id" in keys else {}),
            "kpi": last["kpi"],
            "unit": last.get("unit"),
            "polarity": last["polarity"],
            "period": last["period"],
            "target": float(last["target"]),
            "actual": float(last["actual"]),
            "performance_gap": float(last["performance_gap"]),
            "gap_pct_of_target": float(last["gap_pct_of_target"]),
            "on_target": bool(last["rag"] == GREEN),
            "rag": last["rag"],
            "previous_period": None if prev is None else prev["period"],
            "previous_actual": None if prev is None else float(prev["actual"]),
            "trend": trend_word(float(last["gap_pct_of_target"]), None if prev is None else float(prev["gap_pct_of_target"])),
            "periods": len(group),
            "periods_on_target": int((group["rag"] == GREEN).sum()),
            "source": last.get("source"),
        })
    return pd.DataFrame(out, columns=(["service_id"] if "service_id" in keys else []) + KPI_STATUS_COLUMNS)


def survey_status(survey: pd.DataFrame | None, tolerance_points: float = 5.0) -> pd.DataFrame:
    """Latest % satisfied per question against its target, or benchmark when no target (``SURVEY_RAG_RULES``)."""
    if survey is None or survey.empty:
        return empty_frame(SURVEY_STATUS_COLUMNS)
    out = []
    for question, group in survey.dropna(subset=["percent_satisfied"]).groupby("question", sort=True):
        group = group.sort_values("period", key=lambda s: s.astype(str))
        last = group.iloc[-1]
        prev = group.iloc[-2] if len(group) > 1 else None
        compared_with, value = None, None
        for column in ("target", "benchmark"):
            if column in group.columns and pd.notna(last.get(column)):
                compared_with, value = column, float(last[column])
                break
        pct = float(last["percent_satisfied"])
        gap = None if value is None else pct - value
        rag = SURVEY_RAG_RULES.decide(SurveyFacts(gap, tolerance_points))
        out.append({
            "question": question,
            "period": last["period"],
            "percent_satisfied": pct,
            "compared_with": compared_with,
            "comparison_value": value,
            "gap_points": gap,
            "on_target": None if value is None else bool(gap >= 0),
            "rag": rag,
            "previous_period": None if prev is None else prev["period"],
            "previous_percent": None if prev is None else float(prev["percent_satisfied"]),
            "change_points": None if prev is None else pct - float(prev["percent_satisfied"]),
            "source": last.get("source"),
        })
    return pd.DataFrame(out, columns=SURVEY_STATUS_COLUMNS)


def delivering_need_rag(
    kpi_status: pd.DataFrame | None,
    survey_status: pd.DataFrame | None,
    need_signals: Mapping[str, bool] | None = None,
) -> tuple[str, str]:
    """Q1 "Is it delivering what we need now?" as (rag, sentence), by ``DELIVERING_NEED_RULES``.

    ``need_signals`` maps a plain description (e.g. "population grew faster than
    comparators") to True when it says need is rising. Missing inputs are
    named in the sentence; with nothing to rate the answer is Grey.
    """
    kpis = kpi_status if kpi_status is not None else empty_frame(KPI_STATUS_COLUMNS)
    survey = survey_status if survey_status is not None else empty_frame(SURVEY_STATUS_COLUMNS)
    rated_survey = survey[survey["rag"].isin([GREEN, AMBER, RED])]
    rags = list(kpis["rag"]) + list(rated_survey["rag"])
    gaps = []
    if kpis.empty:
        gaps.append("no KPIs with targets were supplied")
    if survey.empty:
        gaps.append("no customer survey results were supplied")
    elif rated_survey.empty:
        gaps.append("the survey results have no target or benchmark")
    missing = f" ({'; '.join(gaps)})" if gaps else ""
    n, off, red = len(rags), sum(r in (AMBER, RED) for r in rags), sum(r == RED for r in rags)
    flagged = sorted(k for k, v in (need_signals or {}).items() if v)
    rag = DELIVERING_NEED_RULES.decide(NeedFacts(n, off, red, tuple(flagged)))
    if rag == GREY:
        return GREY, f"Not available: nothing to rate against a target{missing}."
    counts = (
        f"{n - off} of {plural(n, 'measure')} on target ({plural(len(kpis), 'KPI')}, "
        f"{plural(len(rated_survey), 'survey question')}){missing}"
    )
    if rag == RED:
        why = f"{plural(red, 'measure')} red" if red else f"{off} of {n} off target, more than a third"
        return RED, f"Red: {why}; {counts}."
    if rag == AMBER and off:
        return AMBER, f"Amber: {plural(off, 'measure')} just off target, none red; {counts}."
    if rag == AMBER:
        return AMBER, f"Amber: every measure on target, but need signals say need is rising ({'; '.join(flagged)}); {counts}."
    return GREEN, f"Green: {counts}."


# ---------------------------------------------------------------------------
# Q2 best in class
# ---------------------------------------------------------------------------


def benchmark(
    values: pd.DataFrame,
    council: str,
    comparators: Sequence[str],
    polarity: str,
    names: Mapping[str, str] | None = None,
    measure: str = "",
) -> dict:
    """The council's place on one published measure among its comparators.

    ``values`` has columns ``ons_code`` and ``value``. Quartile 1 is the best
    quarter given the polarity, judged against the comparators' own quartiles
    (linear interpolation, as ``needs.position``); the boundary counts to the
    better quarter. Rank is among the council and the comparators that have
    the measure (1 = best; ties share the better rank). The median is the
    comparators'. A ``volume`` measure gets its median and n but no rank,
    quartile or best performer: it describes size, not performance.
    """
    pol = polarity_of(polarity)
    names = dict(names or {})
    table = values.dropna(subset=["value"]).drop_duplicates("ons_code").set_index("ons_code")["value"].astype(float)
    comps = [c for c in dict.fromkeys(comparators) if c != council]
    have = table.reindex(comps).dropna()
    council_value = float(table[council]) if council in table.index else None
    missing = [c for c in comps if c not in have.index]
    result = {
        "measure": measure, "polarity": pol, "council": council, "council_name": names.get(council, council),
        "council_value": council_value, "n_comparators": len(comps), "n_comparators_with_measure": len(have),
        "n_with_measure": len(have) + (council_value is not None), "missing_comparators": missing,
        "median": float(have.median()) if len(have) else None,
        "rank": None, "quartile": None, "best_code": None, "best_name": None, "best_value": None, "note": "",
    }
    notes = []
    if council_value is None:
        notes.append(f"{names.get(council, council)} has no published value")
    if not len(have):
        notes.append("no comparator publishes it")
    elif missing:
        notes.append(f"compared against the {len(have)} that publish it (of {len(comps)} comparators)")
    if pol == VOLUME:
        notes.append("a volume measure: shown for context, not rated")
    result["note"] = "; ".join(notes)
    if pol == VOLUME or not len(have):
        return result
    everyone = have if council_value is None else pd.concat([have, pd.Series({council: council_value})])
    ascending = pol == LOWER
    ordered = everyone.sort_index().sort_values(ascending=ascending, kind="stable")
    best = ordered.index[0]
    result.update(best_code=best, best_name=names.get(best, best), best_value=float(ordered.iloc[0]))
    if council_value is None:
        return result
    ranks = everyone.rank(ascending=ascending, method="min")
    result["rank"] = int(ranks[council])
    q1, q2, q3 = have.quantile([0.25, 0.5, 0.75]).tolist()
    if pol == HIGHER:
        quartile = 1 if council_value >= q3 else 2 if council_value >= q2 else 3 if council_value >= q1 else 4
    else:
        quartile = 1 if council_value <= q1 else 2 if council_value <= q2 else 3 if council_value <= q3 else 4
    result["quartile"] = quartile
    return result


def best_in_class_rag(benchmarks: Sequence[Mapping]) -> tuple[str, str]:
    """Q2 "Is it best in class?" as (rag, sentence), by ``BEST_IN_CLASS_RULES``.

    ``benchmarks`` are ``benchmark`` results, most specific measure first; the
    first one the council and a comparator both have decides. Passing a
    volume measure is an error: size is never rated.
    """
    for b in benchmarks:
        if polarity_of(b["polarity"]) == VOLUME:
            raise ParameterError(f"{b.get('measure') or 'a measure'!r} is a volume measure; only performance measures are rated")
    usable = [b for b in benchmarks if b.get("quartile") is not None]
    rag = BEST_IN_CLASS_RULES.decide(BestInClassFacts(usable[0]["quartile"] if usable else None))
    if rag == GREY:
        return GREY, (
            "Not available: no published performance measure for this service has a value for the "
            "council and its comparators, so best in class cannot be judged."
        )
    b = usable[0]
    where = {1: "the best quarter", 2: "the second quarter", 3: "the third quarter", 4: "the worst quarter"}[b["quartile"]]
    note = f" ({b['note']})" if b.get("note") else ""
    return rag, (
        f"{rag}: in {where} of comparators on {b.get('measure') or 'the measure'}, rank {b['rank']} of "
        f"{b['n_with_measure']} (1 = best); best is {b['best_name']}{note}."
    )


# ---------------------------------------------------------------------------
# Q3 effective and cost efficient
# ---------------------------------------------------------------------------


def efficiency_gap(spend_per_head: float | None, comparator_values: Sequence[float] | pd.Series, population: float | None) -> dict:
    """The council's spend per head against the comparator median and lower quartile, in £ thousand.

    ``gap_to_median_gbp_thousands = (council − median) × population / 1000``
    and likewise for the lower quartile: positive means the council spends
    more (the saving if it matched that level), negative that it spends less.
    Gaps are None when an input is missing.
    """
    values = pd.Series(comparator_values, dtype=float).dropna()
    have = len(values) > 0
    median = float(values.median()) if have else None
    lq = float(values.quantile(0.25)) if have else None
    council = None if spend_per_head is None or pd.isna(spend_per_head) else float(spend_per_head)
    pop = None if population is None or pd.isna(population) else float(population)

    def gap(level: float | None) -> float | None:
        if council is None or level is None or pop is None:
            return None
        return (council - level) * pop / 1000.0

    return {
        "spend_per_head_gbp": council,
        "comparator_median_gbp": median,
        "comparator_lower_quartile_gbp": lq,
        "n_comparators": len(values),
        "population": pop,
        "gap_to_median_gbp_thousands": gap(median),
        "gap_to_lower_quartile_gbp_thousands": gap(lq),
    }


def unit_cost(cost_gbp: float | None, output_volume: float | None) -> float | None:
    """Cost per unit of output; None when there is no output measure (missing or zero volume)."""
    if cost_gbp is None or output_volume is None or pd.isna(cost_gbp) or pd.isna(output_volume) or output_volume == 0:
        return None
    return float(cost_gbp) / float(output_volume)


def cost_efficiency_rag(gap: Mapping | None) -> tuple[str, str]:
    """Q3 "Is it as effective and cost efficient as it could be?" as (rag, sentence), by ``COST_EFFICIENCY_RULES``.

    ``gap`` is an ``efficiency_gap`` result, or None when it could not be computed.
    """
    gap = gap or {}
    spend, median, lq = (gap.get(k) for k in ("spend_per_head_gbp", "comparator_median_gbp", "comparator_lower_quartile_gbp"))
    rag = COST_EFFICIENCY_RULES.decide(CostFacts(spend, median, lq))
    if rag == GREY:
        return GREY, "Not available: no net spend per head for the council or no comparator values to set it against."
    figures = f"£{spend:,.2f} per head against a comparator median of £{median:,.2f} and lower quartile of £{lq:,.2f}"
    to_median = gap.get("gap_to_median_gbp_thousands")
    money = f"; £{to_median:,.1f}k a year above the median" if to_median is not None and to_median > 0 else ""
    if rag == GREEN:
        return GREEN, f"Green: at or below the lower quartile, {figures}."
    if rag == AMBER:
        return AMBER, f"Amber: between the lower quartile and the median, {figures}."
    return RED, f"Red: above the median, {figures}{money}."


# ---------------------------------------------------------------------------
# Portfolio roll-up
# ---------------------------------------------------------------------------

#: The seed's key questions (section 5) and which rating answers each ("how many" = Green count).
PORTFOLIO_QUESTIONS: dict[str, str] = {
    "delivering_need_rag": "How many of our current arrangements for service delivery are delivering what we need now?",
    "best_in_class_rag": "How many services are best in class?",
    "cost_efficiency_rag": "How many are truly as effective and cost efficient as they could be?",
}


def portfolio_counts(results: pd.DataFrame) -> dict:
    """The seed's three questions as counts across services, and the £ efficiency gap counted once per RS block.

    ``results``: service_id, delivering_need_rag, best_in_class_rag,
    cost_efficiency_rag, efficiency_gap_to_median_gbp_thousands, rs_block.
    The answer to each question is the Green count; Grey counts services not
    assessed. Services in the same RS block carry the same block gap, so the
    total takes each block's gap once (a block whose services disagree is an
    error). ``efficiency_gap_above_median_gbp_thousands`` adds the blocks
    spending above their median (the most that matching the median could
    save); ``efficiency_gap_net_gbp_thousands`` adds all blocks.
    """
    out: dict = {"services": int(results["service_id"].nunique())}
    for column, question in PORTFOLIO_QUESTIONS.items():
        counts = results[column].fillna(GREY).value_counts()
        unknown = sorted(set(counts.index) - set(RAGS))
        if unknown:
            raise InputTableError(PORTFOLIO_TABLE, f"{column} must be one of {RAGS}; got {unknown}", column=column,
                                  fix=f"give each service one of {list(RAGS)}, or leave it blank when not assessed")
        out[column.removesuffix("_rag")] = {
            "question": question,
            "answer": int(counts.get(GREEN, 0)),
            **{rag: int(counts.get(rag, 0)) for rag in RAGS},
            "not_assessed": int(counts.get(GREY, 0)),
        }
    blocks = results.assign(block=results["rs_block"].fillna("service " + results["service_id"].astype(str)))
    gaps = blocks.dropna(subset=["efficiency_gap_to_median_gbp_thousands"])
    per_block: dict[str, float] = {}
    for block, group in gaps.groupby("block", sort=True):
        values = group["efficiency_gap_to_median_gbp_thousands"].astype(float).round(6).unique()
        if len(values) > 1:
            raise InputTableError(
                PORTFOLIO_TABLE,
                f"services in RS block {block!r} ({', '.join(group['service_id'])}) carry different gaps "
                f"{list(values)}; a block's gap is one figure shared by its services",
                column="efficiency_gap_to_median_gbp_thousands",
                fix="give every service of the block the block's gap, computed once from the block's spend",
            )
        per_block[str(block)] = float(values[0])
    shared = {b: sorted(g["service_id"]) for b, g in gaps.groupby("block", sort=True) if len(g) > 1}
    out["efficiency_gap_by_block_gbp_thousands"] = per_block
    out["efficiency_gap_above_median_gbp_thousands"] = float(sum(v for v in per_block.values() if v > 0))
    out["efficiency_gap_net_gbp_thousands"] = float(sum(per_block.values()))
    note = "Each RS block's gap is counted once"
    if shared:
        note += ": " + "; ".join(f"{b} is shared by {', '.join(s)}" for b, s in shared.items())
    out["efficiency_gap_note"] = note + "."
    return out


def portfolio_headline(counts: Mapping) -> dict:
    """The portfolio's headline figures from ``portfolio_counts``: each question as "n of N", and the £ gap."""
    n = counts["services"]
    return {
        "delivering_need_count": f"{counts['delivering_need']['answer']} of {n}",
        "best_in_class_count": f"{counts['best_in_class']['answer']} of {n}",
        "cost_efficiency_count": f"{counts['cost_efficiency']['answer']} of {n}",
        "efficiency_gap_above_median_gbp_thousands": round(counts["efficiency_gap_above_median_gbp_thousands"], 1),
    }


# ---------------------------------------------------------------------------
# The whole analysis for one service
# ---------------------------------------------------------------------------


@dataclass
class GapResult:
    service_id: str
    kpis: pd.DataFrame  # kpi_status
    survey: pd.DataFrame  # survey_status
    delivering_need: tuple[str, str]
    benchmarks: list[dict]
    best_in_class: tuple[str, str]
    efficiency: dict | None
    cost_efficiency: tuple[str, str]
    unit_costs: pd.DataFrame
    narrative: list[str] = field(default_factory=list)

    def headline(self) -> dict:
        eff = self.efficiency or {}
        return {
            "delivering_need_rag": self.delivering_need[0],
            "best_in_class_rag": self.best_in_class[0],
            "cost_efficiency_rag": self.cost_efficiency[0],
            "efficiency_gap_to_median_gbp_thousands": round_or_none(eff.get("gap_to_median_gbp_thousands")),
            "efficiency_gap_to_lower_quartile_gbp_thousands": round_or_none(eff.get("gap_to_lower_quartile_gbp_thousands")),
            "kpis_off_target": int((~self.kpis["on_target"].astype(bool)).sum()) if len(self.kpis) else None,
        }


def _for_service(frame: pd.DataFrame | None, service_id: str) -> pd.DataFrame | None:
    if frame is None or "service_id" not in frame.columns:
        return frame
    return frame[frame["service_id"] == service_id]


def unit_costs(outputs: pd.DataFrame | None, cost_gbp: float | None) -> pd.DataFrame:
    """Cost per unit for each output measure (measure, unit, year, volume, cost_gbp, unit_cost_gbp)."""
    columns = ["measure", "unit", "year", "volume", "cost_gbp", "unit_cost_gbp"]
    if outputs is None or outputs.empty:
        return empty_frame(columns)
    table = outputs[[c for c in columns[:4] if c in outputs.columns]].copy()
    table["cost_gbp"] = cost_gbp
    table["unit_cost_gbp"] = [unit_cost(cost_gbp, v) for v in table["volume"]]
    return table.reindex(columns=columns).sort_values(["measure", "year"]).reset_index(drop=True)


def analyse(
    *,
    service_id: str,
    kpis: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    need_signals: Mapping[str, bool] | None = None,
    benchmarks: Sequence[Mapping] | None = None,
    spend_per_head: float | None = None,
    comparator_spend_per_head: Sequence[float] | pd.Series | None = None,
    population: float | None = None,
    cost_gbp: float | None = None,
    outputs: pd.DataFrame | None = None,
    tolerance: float = 0.05,
    tolerance_points: float = 5.0,
) -> GapResult:
    """The three key questions for one service; absent inputs give Grey ratings, never an error.

    ``benchmarks`` are ``benchmark`` results (most specific first; volume
    measures are kept for display but not rated); ``kpis``, ``survey`` and
    ``outputs`` may hold every service (filtered on ``service_id``).
    """
    k = kpi_status(_for_service(kpis, service_id), tolerance)
    s = survey_status(_for_service(survey, service_id), tolerance_points)
    q1 = delivering_need_rag(k, s, need_signals)
    marks = [dict(b) for b in (benchmarks or [])]
    q2 = best_in_class_rag([b for b in marks if polarity_of(b["polarity"]) != VOLUME])
    eff = None
    if spend_per_head is not None and comparator_spend_per_head is not None:
        eff = efficiency_gap(spend_per_head, comparator_spend_per_head, population)
    q3 = cost_efficiency_rag(eff)
    result = GapResult(service_id, k, s, q1, marks, q2, eff, q3, unit_costs(_for_service(outputs, service_id), cost_gbp))
    result.narrative = [
        f"Delivering what we need now? {q1[1]}",
        f"Best in class? {q2[1]}",
        f"As effective and cost efficient as it could be? {q3[1]}",
    ]
    return result
