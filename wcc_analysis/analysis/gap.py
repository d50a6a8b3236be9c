"""Gap analysis (seed section 5: the three key questions; section 7: Design — gap analysis).

One rating per question, each Green / Amber / Red, or Grey when the evidence
is not available (never an error):

1. Is it delivering what we need now?  KPIs against target, customer survey
   results, need signals (``kpi_status``, ``survey_status``, ``delivering_need_rag``).
   A KPI's trend word is ``TREND_RULES`` (the least-squares line through its
   last four periods, :mod:`wcc_analysis.analysis.common`).
2. Is it best in class?  Every published performance measure against the
   comparators, combined by ``BEST_IN_CLASS_RULES`` (``benchmark``,
   ``best_in_class_rag``).
3. Is it as effective and cost efficient as it could be?  Value for money — cost
   against outcome (:mod:`wcc_analysis.analysis.value_for_money`, its rating is
   passed in) — with the £ efficiency gap to the comparator median and lower
   quartile in real terms at the price base (``efficiency_gap``), and unit costs.

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

from wcc_analysis.analysis.common import (
    KPI_TREND_PERIODS,
    TREND_RULES,  # noqa: F401 - printed with this module's rules (report.rules): it decides each KPI's trend
    empty_frame,
    series_trend,
    target_polarities,
)
from wcc_analysis.core import labels
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
    """The council's quarter on each rated performance measure of Q2, as ``BEST_IN_CLASS_RULES`` reads them."""

    rated: int  # performance measures with a value for the council and at least one comparator
    best_quarter: int = 0  # of them, in the best quarter of the comparators
    worst_quarter: int = 0  # of them, in the worst quarter

    @classmethod
    def of(cls, quartiles: Sequence[int]) -> BestInClassFacts:
        """The facts for the council's quartile on each rated measure (1 = best quarter … 4 = worst)."""
        q = [int(x) for x in quartiles]
        return cls(len(q), sum(x == 1 for x in q), sum(x == 4 for x in q))


#: Q2, over every published performance measure the council and a comparator have (each counts once; a quartile
#: is among the computed comparators, 1 = best quarter); first rule that holds.
BEST_IN_CLASS_RULES: RuleTable[BestInClassFacts] = RuleTable((
    Rule(GREY, "no performance measure (higher/lower is better) with a value for the council and at least "
               "one comparator", lambda f: f.rated == 0),
    Rule(GREEN, "in the best quarter of its comparators on most (more than half) of the rated measures, and in the "
                "worst quarter on none", lambda f: f.best_quarter * 2 > f.rated and f.worst_quarter == 0),
    Rule(RED, "in the worst quarter on most of the rated measures, and in the best quarter on none",
         lambda f: f.worst_quarter * 2 > f.rated and f.best_quarter == 0),
    Rule(AMBER, "otherwise (mostly in the middle two quarters, or best on some measures and worst on others); the "
                "measures are the published statistics (DEFRA, MHCLG), the combining rule is this project's", always),
))

KPI_STATUS_COLUMNS = [
    "kpi", "unit", "polarity", "period", "target", "actual", "performance_gap", "gap_pct_of_target",
    "on_target", "rag", "previous_period", "previous_actual", "trend", "trend_slope_pct_of_target", "trend_periods",
    "periods", "periods_on_target", "source",
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
    ``performance_gap`` is positive when better than target. The trend is
    ``TREND_RULES``: the least-squares line through the last four periods of
    performance relative to target (``gap_pct_of_target``), so targets that
    change between periods (e.g. cumulative collection rates) are handled;
    ``trend_slope_pct_of_target`` is its slope (% of target per period,
    positive = better). Missing or empty input gives an empty table.
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
        trend = series_trend(list(group["gap_pct_of_target"].astype(float)), periods=KPI_TREND_PERIODS)
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
            "trend": trend.word,
            "trend_slope_pct_of_target": None if trend.slope_pct is None else round(trend.slope_pct, 6) + 0.0,
            "trend_periods": trend.periods,
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
        notes.append(f"{names.get(council, council)} has no value in the data held")
    if not len(have):
        notes.append("no comparator has a figure in the data held")
    elif missing:
        notes.append(f"compared against the {len(have)} with a figure (of {len(comps)} compared with)")
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


def _measure_name(b: Mapping) -> str:
    return str(b.get("measure") or "the measure").split(" (")[0]


def best_in_class_rag(benchmarks: Sequence[Mapping], kpi_evidence: str | None = None) -> tuple[str, str]:
    """Q2 "Is it best in class?" as (rag, sentence), by ``BEST_IN_CLASS_RULES`` over every rated measure.

    ``benchmarks`` are ``benchmark`` results, most specific first; those with a quartile (a value for the council
    and a comparator) are rated, each once. Passing a volume measure is an error: size is never rated.
    ``kpi_evidence``: where nothing can be rated, the sentence that names the council's own KPIs as the evidence.
    """
    for b in benchmarks:
        if polarity_of(b["polarity"]) == VOLUME:
            raise ParameterError(f"{b.get('measure') or 'a measure'!r} is a volume measure; only performance measures are rated")
    usable = [b for b in benchmarks if b.get("quartile") is not None]
    facts = BestInClassFacts.of([b["quartile"] for b in usable])
    rag = BEST_IN_CLASS_RULES.decide(facts)
    if rag == GREY:
        text = ("Not available: no performance measure for this service is held in the shipped data for the council "
                "and its comparators, so best in class cannot be judged.")
        return GREY, text + (f" {kpi_evidence}" if kpi_evidence else "")
    where = {1: "best quarter", 2: "second quarter", 3: "third quarter", 4: "worst quarter"}
    parts = [f"{_measure_name(b)}: {where[b['quartile']]}, rank {b['rank']} of {b['n_with_measure']}"
             + ("" if b.get("compared_with", "the comparators") == "the comparators"
                else f" among the council and {b['compared_with']}")
             + ("" if b["rank"] == 1 else f" (best {b['best_name']})") for b in usable]
    count = (f"best quarter on {facts.best_quarter} of {plural(facts.rated, 'measure')}, worst quarter on "
             f"{facts.worst_quarter}")
    return rag, f"{rag}: {count} (1 = best) — " + "; ".join(parts) + "."


# ---------------------------------------------------------------------------
# Q3 effective and cost efficient
# ---------------------------------------------------------------------------


def efficiency_gap(spend_per_head: float | None, comparator_values: Sequence[float] | pd.Series, population: float | None,
                   *, year: str | None = None, price_base_year: str | None = None,
                   real_terms_factor: float | None = None) -> dict:
    """The council's spend per head against the comparator median and lower quartile, in £ thousand a year.

    ``gap_to_median_gbp_thousands = (council − median) × population / 1000``
    and likewise for the lower quartile: positive means the council spends
    more (the saving if it matched that level), negative that it spends less.
    These are cash of the spend figure's ``year``. With ``real_terms_factor``
    (deflator(price base) / deflator(year), :func:`wcc_analysis.analysis.prices.to_real_terms`)
    the ``…_real_gbp_thousands`` gaps restate them at ``price_base_year`` prices.
    Gaps are None when an input is missing.
    """
    values = pd.Series(comparator_values, dtype=float).dropna()
    have = len(values) > 0
    median = float(values.median()) if have else None
    lq = float(values.quantile(0.25)) if have else None
    council = None if spend_per_head is None or pd.isna(spend_per_head) else float(spend_per_head)
    pop = None if population is None or pd.isna(population) else float(population)
    factor = None if real_terms_factor is None or pd.isna(real_terms_factor) else float(real_terms_factor)

    def gap(level: float | None) -> float | None:
        if council is None or level is None or pop is None:
            return None
        return (council - level) * pop / 1000.0

    def real(cash: float | None) -> float | None:
        return None if cash is None or factor is None else cash * factor

    return {
        "year": year,
        "spend_per_head_gbp": council,
        "comparator_median_gbp": median,
        "comparator_lower_quartile_gbp": lq,
        "n_comparators": len(values),
        "population": pop,
        "gap_to_median_gbp_thousands": gap(median),
        "gap_to_lower_quartile_gbp_thousands": gap(lq),
        "price_base_year": price_base_year if factor is not None else None,
        "real_terms_factor": factor,
        "gap_to_median_real_gbp_thousands": real(gap(median)),
        "gap_to_lower_quartile_real_gbp_thousands": real(gap(lq)),
    }


def unit_cost(cost_gbp: float | None, output_volume: float | None) -> float | None:
    """Cost per unit of output; None when there is no output measure (missing or zero volume)."""
    if cost_gbp is None or output_volume is None or pd.isna(cost_gbp) or pd.isna(output_volume) or output_volume == 0:
        return None
    return float(cost_gbp) / float(output_volume)


def efficiency_sentence(gap: Mapping | None, measure: str = "the service's spend",
                        median_of: str = "the comparator median") -> str:
    """The £ efficiency gap in a sentence: real terms at the price base where given, the cash figure beside it.
    ``median_of`` names the median honestly where the council is not compared with its comparators ("the median of
    the 11 other Lancashire shire districts with a figure in the data held")."""
    gap = gap or {}
    median = gap.get("gap_to_median_real_gbp_thousands")
    lq = gap.get("gap_to_lower_quartile_real_gbp_thousands")
    base, year = gap.get("price_base_year"), gap.get("year")
    if median is None:
        median, lq, base = gap.get("gap_to_median_gbp_thousands"), gap.get("gap_to_lower_quartile_gbp_thousands"), None
    if median is None:
        return "Efficiency gap: not available (no spend per head for the council and its comparators)."
    prices = (f"at {base} prices" + ("" if year == base else f" (£{abs(gap['gap_to_median_gbp_thousands']):,.1f}k in "
                                      f"{year} cash, restated with the GDP deflator)")) if base else "in cash"
    side = "above" if median > 0 else "below"
    to_lq = ("" if lq is None else f"; £{abs(lq):,.1f}k a year {'above' if lq > 0 else 'below'} the lower quartile")
    return (f"Efficiency gap on {measure}{f', {year}' if year else ''}: £{abs(median):,.1f}k a year {side} "
            f"{median_of} {prices}{to_lq}.")


def value_for_money_answer(value_for_money: tuple[str, str] | None, gap: Mapping | None,
                           measure: str = "the service's spend",
                           median_of: str = "the comparator median") -> tuple[str, str]:
    """Q3 "Is it as effective and cost efficient as it could be?" as (rag, sentence).

    The rating is the value-for-money rating (``value_for_money.VALUE_FOR_MONEY_RULES``: cost against outcome),
    never spend alone; the sentence adds the £ efficiency gap (:func:`efficiency_sentence`).
    """
    if value_for_money is None:
        rag, text = GREY, "Not available: no spend on the service's budget lines to set against its outcomes."
    else:
        rag, text = value_for_money
    return rag, f"{text} {efficiency_sentence(gap, measure, median_of)}" if gap else text


# ---------------------------------------------------------------------------
# Portfolio roll-up
# ---------------------------------------------------------------------------

#: The seed's key questions (section 5) and which rating answers each ("how many" = Green count).
PORTFOLIO_QUESTIONS: dict[str, str] = {
    "delivering_need_rag": "How many of our current arrangements for service delivery are delivering what we need now?",
    "best_in_class_rag": "How many services are best in class?",
    "value_for_money_rag": "How many are truly as effective and cost efficient as they could be?",
}


def portfolio_counts(results: pd.DataFrame) -> dict:
    """The seed's three questions as counts across services, and the £ efficiency gap counted once per RS block.

    ``results``: service_id, delivering_need_rag, best_in_class_rag,
    value_for_money_rag (question 3: value for money, cost against outcome),
    efficiency_gap_to_median_gbp_thousands (real terms at the price base), rs_block.
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
        note += ": " + "; ".join(f"{b} is shared by {', '.join(labels.service_name(x) for x in s)}" for b, s in shared.items())
    out["efficiency_gap_note"] = note + "."
    return out


def portfolio_headline(counts: Mapping) -> dict:
    """The portfolio's headline figures from ``portfolio_counts``: each question as "n of N", and the £ gap."""
    n = counts["services"]
    return {
        "delivering_need_count": f"{counts['delivering_need']['answer']} of {n}",
        "best_in_class_count": f"{counts['best_in_class']['answer']} of {n}",
        "value_for_money_count": f"{counts['value_for_money']['answer']} of {n}",
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
    value_for_money: tuple[str, str]  # question 3: value for money (cost against outcome) and the £ gap
    unit_costs: pd.DataFrame
    narrative: list[str] = field(default_factory=list)

    def headline(self) -> dict:
        """The three answers; the £ gaps in real terms at the price base (``efficiency_gap_price_base_year``),
        or in cash of the spend figure's year where no price base was given."""
        eff = self.efficiency or {}
        real = eff.get("gap_to_median_real_gbp_thousands") is not None
        suffix = "_real_gbp_thousands" if real else "_gbp_thousands"
        return {
            "delivering_need_rag": self.delivering_need[0],
            "best_in_class_rag": self.best_in_class[0],
            "value_for_money_rag": self.value_for_money[0],
            "efficiency_gap_to_median_gbp_thousands": round_or_none(eff.get("gap_to_median" + suffix)),
            "efficiency_gap_to_lower_quartile_gbp_thousands": round_or_none(eff.get("gap_to_lower_quartile" + suffix)),
            "efficiency_gap_price_base_year": eff.get("price_base_year") if real else None,
            "kpis_off_target": int((~self.kpis["on_target"].astype(bool)).sum()) if len(self.kpis) else None,
        }


def _for_service(frame: pd.DataFrame | None, service_id: str) -> pd.DataFrame | None:
    if frame is None or "service_id" not in frame.columns:
        return frame
    return frame[frame["service_id"] == service_id]


UNIT_COST_COLUMNS = ["measure", "unit", "year", "volume", "cost_covers", "cost_gbp", "unit_cost_gbp"]


def unit_costs(outputs: pd.DataFrame | None, cost_gbp: float | None, covers: str = "the service's budget",
               more: Sequence[tuple[str, float | None]] = ()) -> pd.DataFrame:
    """Cost per unit for each output measure, on each cost basis: ``cost_gbp`` (what it ``covers``, said beside
    the figure) and any ``more`` (covers, £) — e.g. the value-for-money cost lines, so that a unit cost can be read
    on the same lines as the cost question 3 rates. Columns ``UNIT_COST_COLUMNS``."""
    if outputs is None or outputs.empty:
        return empty_frame(UNIT_COST_COLUMNS)
    base = outputs[[c for c in UNIT_COST_COLUMNS[:4] if c in outputs.columns]]
    tables = []
    for what, cost in ((covers, cost_gbp), *more):
        table = base.copy()
        table["cost_covers"] = what
        table["cost_gbp"] = cost
        table["unit_cost_gbp"] = [unit_cost(cost, v) for v in table["volume"]]
        tables.append(table)
    order = {what: i for i, (what, _) in enumerate(((covers, cost_gbp), *more))}
    table = pd.concat(tables, ignore_index=True).reindex(columns=UNIT_COST_COLUMNS)
    table["_order"] = table["cost_covers"].map(order)
    return table.sort_values(["measure", "year", "_order"]).drop(columns="_order").reset_index(drop=True)


def kpi_evidence(kpis: pd.DataFrame, label: str = "the council's own KPIs") -> str | None:
    """Where no published measure rates best in class: the sentence naming the council's KPIs as the evidence."""
    if kpis is None or kpis.empty:
        return None
    on = int(kpis["on_target"].astype(bool).sum())
    return (f"Instead, the evidence is {label} against their targets: {on} of {plural(len(kpis), 'KPI')} on target "
            "in the latest period (question 1) — the council's own figures, not a comparison with other councils.")


def analyse(
    *,
    service_id: str,
    kpis: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    need_signals: Mapping[str, bool] | None = None,
    benchmarks: Sequence[Mapping] | None = None,
    value_for_money: tuple[str, str] | None = None,
    spend_per_head: float | None = None,
    comparator_spend_per_head: Sequence[float] | pd.Series | None = None,
    population: float | None = None,
    spend_year: str | None = None,
    price_base_year: str | None = None,
    real_terms_factor: float | None = None,
    spend_measure: str = "the service's spend",
    median_of: str = "the comparator median",
    cost_gbp: float | None = None,
    cost_covers: str = "the service's budget",
    more_costs: Sequence[tuple[str, float | None]] = (),
    outputs: pd.DataFrame | None = None,
    kpi_label: str = "the council's own KPIs",
    tolerance: float = 0.05,
    tolerance_points: float = 5.0,
) -> GapResult:
    """The three key questions for one service; absent inputs give Grey ratings, never an error.

    ``benchmarks`` are ``benchmark`` results (most specific first; volume
    measures are kept for display but not rated); ``value_for_money`` is the
    (rating, sentence) of :func:`wcc_analysis.analysis.value_for_money.assess`;
    the efficiency gap is on ``spend_per_head`` of ``spend_year`` against
    ``comparator_spend_per_head``, restated at ``price_base_year`` prices by
    ``real_terms_factor``; ``median_of`` names the median it is against. Unit costs are ``cost_gbp`` (what it
    ``covers``) and any ``more_costs`` over each output volume. ``kpis``, ``survey`` and ``outputs`` may hold
    every service (filtered on ``service_id``).
    """
    k = kpi_status(_for_service(kpis, service_id), tolerance)
    s = survey_status(_for_service(survey, service_id), tolerance_points)
    q1 = delivering_need_rag(k, s, need_signals)
    marks = [dict(b) for b in (benchmarks or [])]
    q2 = best_in_class_rag([b for b in marks if polarity_of(b["polarity"]) != VOLUME], kpi_evidence(k, kpi_label))
    eff = None
    if spend_per_head is not None and comparator_spend_per_head is not None:
        eff = efficiency_gap(spend_per_head, comparator_spend_per_head, population, year=spend_year,
                             price_base_year=price_base_year, real_terms_factor=real_terms_factor)
    q3 = value_for_money_answer(value_for_money, eff, spend_measure, median_of)
    result = GapResult(service_id, k, s, q1, marks, q2, eff, q3,
                       unit_costs(_for_service(outputs, service_id), cost_gbp, cost_covers, more_costs))
    result.narrative = [
        f"Delivering what we need now? {q1[1]}",
        f"Best in class? {q2[1]}",
        f"As effective and cost efficient as it could be? {q3[1]}",
    ]
    return result
