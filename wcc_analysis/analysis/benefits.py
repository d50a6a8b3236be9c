"""Review phase (seed section 7): benefit realisation and contract governance.

Benefit realisation (policy-making side: review performance, review impact):

- ``cumulative`` — planned and actual by benefit and year, with running totals;
- ``realisation`` — per benefit: planned / actual to date, planned in total,
  realisation %, forecast at completion and RAG (``BENEFIT_RAG_RULES``);
- ``variances`` — planned − actual to date with the owner's explanation, and
  a flag where an Amber or Red benefit has none;
- ``overall`` / ``totals`` — the register as (rag, sentence) by
  ``OVERALL_RAG_RULES``, and the cashable £ headline figures.

Contract governance (sourcing side: contract governance, contract management,
contract refinement and adjustment):

- ``kpi_quarters`` — every KPI × quarter against target (``CONTRACT_KPI_RAG_RULES``)
  with the trend over the reported quarters to then (``TREND_RULES``: the least-squares line through
  the last four);
- ``service_credits`` — credits applied, in total and by contract / quarter;
- ``refinement_flags`` — KPIs off target in consecutive quarters up to the
  contract's latest quarter (``REFINEMENT_RULES``);
- ``contract_kpis_red`` — KPIs Red in their contract's latest quarter.

``review`` runs both for one register and one set of contract KPIs; either may
be None ("not available", never an error). Pure functions: no file reading.

Conventions: ``planned`` and ``actual`` are amounts of benefit in the year,
more is better (a cashable benefit is £ saved or earned). Only ``cashable``
benefits enter £ totals. "To date" means the years with an actual reported.

The ratings (``BENEFIT_RAG_RULES``, ``OVERALL_RAG_RULES``, ``CONTRACT_KPI_RAG_RULES``)
are :class:`~wcc_analysis.core.rules.RuleTable` s: each rating function measures
a small facts object and the table's first rule that holds gives the rating, so
the table the report prints is the one that ran. A bad register or KPI table is
an :class:`~wcc_analysis.core.errors.InputTableError` naming the table, the
column and, when the table carries ``source_row``, the file row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis.common import (
    KPI_TREND_PERIODS,
    TREND_RULES,  # noqa: F401 - printed with this module's rules (report.rules): it decides the trend column
    empty_frame,
    file_row,
    require_columns,
    series_trend,
    target_polarities,
)
from wcc_analysis.analysis.gap import KpiFacts
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import blank_if_missing, money_k, plural, round_or_none
from wcc_analysis.core.vocabulary import (
    AMBER,
    BENEFIT_TYPES,
    CASHABLE,
    GREEN,
    GREY,
    RAGS,
    RED,
)

REFINEMENT_ACTION = "contract refinement and adjustment"

#: The tables handed in, as the analyst knows them (the council template's files).
REGISTER_TABLE = "benefits register"
CONTRACT_KPIS_TABLE = "contract KPIs"

REGISTER_COLUMNS = [
    "benefit_id", "service_id", "type", "measure", "unit", "baseline", "year",
    "planned", "actual", "owner", "evidence", "explanation",
]
KPI_COLUMNS = ["contract", "kpi", "polarity", "target", "quarter", "actual", "service_credit_gbp"]

#: One benefit: realisation % = actual to date ÷ planned to date × 100 (the years with an actual).
#: 95 % allows for ordinary estimating error in a plan; below 80 % a fifth of the
#: promised benefit is missing and the business case needs revisiting.
BENEFIT_GREEN_PCT, BENEFIT_AMBER_PCT = 95.0, 80.0


@dataclass(frozen=True)
class BenefitFacts:
    """One benefit's realisation to date, as ``BENEFIT_RAG_RULES`` reads it."""

    realisation_pct: float | None  # actual ÷ planned to date × 100; None or NaN when there is none

    @property
    def rated(self) -> bool:
        return self.realisation_pct is not None and not pd.isna(self.realisation_pct)

    @property
    def nudged_pct(self) -> float:
        """The % a hair up, so a 190/220-style ratio does not lose a boundary to rounding."""
        return float(self.realisation_pct) + 1e-9


BENEFIT_RAG_RULES: RuleTable[BenefitFacts] = RuleTable((
    Rule(GREY, "nothing reported yet (no year with an actual), or nothing planned in the reported years",
         lambda f: not f.rated),
    Rule(GREEN, f"realisation to date at or above {BENEFIT_GREEN_PCT:g} %",
         lambda f: f.nudged_pct >= BENEFIT_GREEN_PCT),
    Rule(AMBER, f"at or above {BENEFIT_AMBER_PCT:g} %, below {BENEFIT_GREEN_PCT:g} %",
         lambda f: f.nudged_pct >= BENEFIT_AMBER_PCT),
    Rule(RED, f"below {BENEFIT_AMBER_PCT:g} %", always),
))

#: Forecast at completion (``realisation``): the realisation ratio to date carried over the rest of the plan.
FORECAST_METHOD = (
    "forecast at completion = actual to date + remaining planned × (actual to date ÷ planned to date), "
    "which equals planned in total × realisation ratio to date. Chosen over a linear trend of actuals because "
    "benefit plans are usually profiled (ramping up as a change beds in), so the plan's own shape is a better "
    "guide than a straight line; it works from a single reported year, where a trend needs two or more and "
    "swings on one outlier. It assumes the shortfall (or over-delivery) rate so far persists. None when "
    "nothing is reported or nothing was planned to date."
)


@dataclass(frozen=True)
class OverallFacts:
    """The register's benefits by rating and its cashable realisation, as ``OVERALL_RAG_RULES`` reads them."""

    green: int
    amber: int
    red: int
    cashable_rag: str | None  # ``benefit_rag`` of the cashable realisation % to date; None when there is none

    @property
    def rated(self) -> int:
        return self.green + self.amber + self.red


#: The whole register, first that holds. Cashable realisation % = Σ cashable actual to date ÷ Σ cashable
#: planned to date × 100 (non-cashable benefits are never added to £), rated by ``BENEFIT_RAG_RULES``.
OVERALL_RAG_RULES: RuleTable[OverallFacts] = RuleTable((
    Rule(GREY, "no benefit has anything reported yet", lambda f: f.rated == 0),
    Rule(RED, f"cashable realisation below {BENEFIT_AMBER_PCT:g} %, or more than a third of the rated benefits Red",
         lambda f: f.cashable_rag == RED or f.red * 3 > f.rated),
    Rule(AMBER, f"cashable realisation below {BENEFIT_GREEN_PCT:g} %, or any benefit Amber or Red",
         lambda f: f.cashable_rag == AMBER or f.red > 0 or f.amber > 0),
    Rule(GREEN, f"cashable realisation at or above {BENEFIT_GREEN_PCT:g} % (or no cashable benefit reported) and "
                "every rated benefit Green", always),
))


@dataclass(frozen=True)
class ContractKpiFacts:
    """One contract KPI in one quarter, as ``CONTRACT_KPI_RAG_RULES`` reads it."""

    kpi: KpiFacts | None  # the actual against target (``gap.KpiFacts``); None when no actual was reported


#: One contract KPI in one quarter (``gap.kpi_rag``'s tests, tolerance default 5 % of target).
CONTRACT_KPI_RAG_RULES: RuleTable[ContractKpiFacts] = RuleTable((
    Rule(GREEN, "met: on or better than target", lambda f: f.kpi is not None and f.kpi.on_or_better),
    Rule(AMBER, "on the wrong side of target by at most tolerance × |target| (default 5 %)",
         lambda f: f.kpi is not None and f.kpi.within_tolerance),
    Rule(RED, "on the wrong side by more than that", lambda f: f.kpi is not None),
    Rule(GREY, "no actual reported for the quarter (not counted as a miss)", always),
))

#: Contract refinement and adjustment. "Missed" = off target (Amber or Red): Amber is still a miss of
#: the contractual target, and a run of near-misses is exactly what a contract review should pick up.
REFINEMENT_RULES: tuple[tuple[str, str], ...] = (
    ("latest", "a contract's latest quarter is the latest quarter it reports for any KPI; a KPI with no row "
               "in that quarter is no longer current and is neither flagged nor counted"),
    ("flag", "off target in each of the last `consecutive` (default 2) or more quarters, ending in the latest"),
    ("consecutive", "quarters written like '2024-25 Q1' must follow one another in the calendar (a missing "
                    "quarter breaks the run); other labels are taken in sorted order"),
    ("grey", "a quarter with no actual breaks the run"),
)

CUMULATIVE_COLUMNS = [
    "benefit_id", "service_id", "type", "year", "planned", "actual",
    "cumulative_planned", "cumulative_actual", "cumulative_planned_to_date", "cumulative_realisation_pct",
]
REALISATION_COLUMNS = [
    "benefit_id", "service_id", "type", "measure", "unit", "baseline", "owner",
    "years", "years_reported", "latest_year_reported",
    "planned_to_date", "actual_to_date", "planned_total", "remaining_planned",
    "realisation_pct", "forecast_at_completion", "forecast_shortfall", "rag",
    "variance_to_date", "explanation", "evidence", "explanation_missing",
]
VARIANCE_COLUMNS = [
    "benefit_id", "service_id", "type", "measure", "unit", "owner", "planned_to_date", "actual_to_date",
    "variance_to_date", "realisation_pct", "rag", "explanation", "explanation_missing",
]
KPI_QUARTER_COLUMNS = [
    "contract", "kpi", "polarity", "quarter", "target", "actual", "performance_gap", "gap_pct_of_target",
    "on_target", "rag", "previous_quarter", "previous_actual", "trend", "service_credit_gbp", "latest",
]
FLAG_COLUMNS = ["contract", "kpi", "quarters_missed", "quarters", "latest_quarter", "latest_rag", "action", "reason"]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _no_duplicates(frame: pd.DataFrame, keys: list[str], table: str) -> None:
    """InputTableError naming ``table`` and the first key with more than one row."""
    dup = frame[frame.duplicated(keys, keep=False)]
    if len(dup):
        first = dup.iloc[0]
        named = ", ".join(f"{k}={first[k]!r}" for k in keys)
        raise InputTableError(
            table, f"more than one row for ({named}); each ({', '.join(keys)}) must be unique",
            row=file_row(dup), column=keys[-1],
            fix=f"keep one row per ({', '.join(keys)}): add the figures into one row, or correct the {keys[-1]}",
        )


def _pct(part: float, whole: float) -> float | None:
    return None if not whole else part / whole * 100.0


# ---------------------------------------------------------------------------
# Benefit realisation
# ---------------------------------------------------------------------------


def benefit_rag(realisation_pct: float | None) -> str:
    """One benefit's RAG from its realisation % to date (``BENEFIT_RAG_RULES``); None/NaN is Grey."""
    return BENEFIT_RAG_RULES.decide(BenefitFacts(realisation_pct))


def _checked_register(register: pd.DataFrame) -> pd.DataFrame:
    """Columns present, types known and constant per benefit, planned present, no duplicate (benefit_id, year)."""
    require_columns(register, REGISTER_COLUMNS, REGISTER_TABLE)
    rows = register.copy()
    rows["type"] = rows["type"].astype(str).str.strip().str.lower()
    bad = sorted(set(rows["type"]) - set(BENEFIT_TYPES))
    if bad:
        raise InputTableError(REGISTER_TABLE, f"benefit type must be one of {BENEFIT_TYPES}, not {bad}",
                              row=file_row(rows[rows["type"].isin(bad)]), column="type",
                              fix=f"write the type as one of {list(BENEFIT_TYPES)}")
    mixed = rows.groupby("benefit_id")["type"].nunique()
    if (mixed > 1).any():
        benefit = mixed[mixed > 1].index[0]
        raise InputTableError(
            REGISTER_TABLE, f"benefit {benefit!r} is both cashable and non-cashable in different years",
            row=file_row(rows[rows["benefit_id"] == benefit]), column="type",
            fix="give the benefit one type in every year, or split it into two benefits",
        )
    _no_duplicates(rows, ["benefit_id", "year"], REGISTER_TABLE)
    no_plan = rows[rows["planned"].isna()]
    if len(no_plan):
        raise InputTableError(
            REGISTER_TABLE,
            f"benefit {no_plan.iloc[0]['benefit_id']!r} has no planned value for {no_plan.iloc[0]['year']!r}",
            row=file_row(no_plan), column="planned", fix="enter the amount planned for that year (0 if none)",
        )
    rows["planned"] = rows["planned"].astype(float)
    rows["actual"] = pd.to_numeric(rows["actual"], errors="raise").astype(float)
    rows["year"] = rows["year"].astype(str)
    return rows.sort_values(["benefit_id", "year"], kind="stable").reset_index(drop=True)


def cumulative(register: pd.DataFrame | None) -> pd.DataFrame:
    """Planned and actual by benefit and year, with running totals.

    ``cumulative_actual`` runs over reported years only and is NaN from the
    first unreported year; ``cumulative_planned_to_date`` sums planned over
    the years reported so far, and ``cumulative_realisation_pct`` divides the
    two (NaN in a year with no actual).
    """
    if register is None or register.empty:
        return empty_frame(CUMULATIVE_COLUMNS)
    rows = _checked_register(register)
    out = []
    for _, group in rows.groupby("benefit_id", sort=True):
        cum_planned = cum_actual = cum_planned_to_date = 0.0
        for _, r in group.iterrows():
            reported = pd.notna(r["actual"])
            cum_planned += r["planned"]
            if reported:
                cum_actual += r["actual"]
                cum_planned_to_date += r["planned"]
            out.append({
                "benefit_id": r["benefit_id"], "service_id": r["service_id"], "type": r["type"], "year": r["year"],
                "planned": r["planned"], "actual": r["actual"],
                "cumulative_planned": cum_planned,
                "cumulative_actual": cum_actual if reported else math.nan,
                "cumulative_planned_to_date": cum_planned_to_date,
                "cumulative_realisation_pct": (_pct(cum_actual, cum_planned_to_date) if reported else None),
            })
    table = pd.DataFrame(out, columns=CUMULATIVE_COLUMNS)
    table["cumulative_realisation_pct"] = table["cumulative_realisation_pct"].astype(float)
    return table


def _explanations(reported: pd.DataFrame, column: str) -> str:
    """Non-empty texts of the reported years; if they differ, each prefixed by its year."""
    texts = [(y, blank_if_missing(t)) for y, t in zip(reported["year"], reported[column]) if blank_if_missing(t)]
    if len({t for _, t in texts}) == 1:
        return texts[0][1]
    return "; ".join(f"{y}: {t}" for y, t in texts)


def realisation(register: pd.DataFrame | None) -> pd.DataFrame:
    """One row per benefit: to-date and total figures, realisation %, forecast and RAG.

    ``planned_to_date`` and ``actual_to_date`` sum the years with an actual;
    ``realisation_pct`` = actual ÷ planned to date × 100; ``forecast_at_completion``
    by ``FORECAST_METHOD``; ``rag`` by ``BENEFIT_RAG_RULES``. ``variance_to_date``
    = planned − actual to date (positive = shortfall). ``explanation`` joins the
    owner's explanations for the reported years; ``explanation_missing`` is True
    for an Amber or Red benefit without one. Duplicate (benefit_id, year) → InputTableError.
    """
    if register is None or register.empty:
        return empty_frame(REALISATION_COLUMNS)
    rows = _checked_register(register)
    out = []
    for benefit_id, group in rows.groupby("benefit_id", sort=True):
        reported = group[group["actual"].notna()]
        first = group.iloc[0]
        planned_to_date = float(reported["planned"].sum())
        actual_to_date = float(reported["actual"].sum())
        planned_total = float(group["planned"].sum())
        remaining = planned_total - planned_to_date
        pct = _pct(actual_to_date, planned_to_date) if len(reported) else None
        forecast = None if pct is None else actual_to_date + remaining * actual_to_date / planned_to_date
        rag = benefit_rag(pct)
        explanation = _explanations(reported, "explanation")
        out.append({
            "benefit_id": benefit_id, "service_id": first["service_id"], "type": first["type"],
            "measure": first["measure"], "unit": first["unit"], "baseline": first["baseline"], "owner": first["owner"],
            "years": len(group), "years_reported": len(reported),
            "latest_year_reported": reported["year"].iloc[-1] if len(reported) else None,
            "planned_to_date": planned_to_date, "actual_to_date": actual_to_date,
            "planned_total": planned_total, "remaining_planned": remaining,
            "realisation_pct": pct, "forecast_at_completion": forecast,
            "forecast_shortfall": None if forecast is None else planned_total - forecast,
            "rag": rag, "variance_to_date": planned_to_date - actual_to_date,
            "explanation": explanation, "evidence": _explanations(reported, "evidence"),
            "explanation_missing": bool(rag in (AMBER, RED) and not explanation),
        })
    table = pd.DataFrame(out, columns=REALISATION_COLUMNS)
    for column in ("realisation_pct", "forecast_at_completion", "forecast_shortfall"):
        table[column] = table[column].astype(float)
    return table


def variances(register_status: pd.DataFrame | None) -> pd.DataFrame:
    """The variance table from ``realisation``: benefits with something reported, largest shortfall first."""
    if register_status is None or register_status.empty:
        return empty_frame(VARIANCE_COLUMNS)
    rated = register_status[register_status["years_reported"] > 0]
    return (
        rated.sort_values(["variance_to_date", "benefit_id"], ascending=[False, True], kind="stable")
        .reindex(columns=VARIANCE_COLUMNS)
        .reset_index(drop=True)
    )


def _cashable(register_status: pd.DataFrame) -> pd.DataFrame:
    return register_status[register_status["type"] == CASHABLE]


def totals(register_status: pd.DataFrame | None) -> dict:
    """Cashable £ headline figures from ``realisation`` (non-cashable never added to £).

    ``benefits_planned_gbp_thousands`` = Σ cashable planned in total ÷ 1000;
    ``benefits_realised_gbp_thousands`` = Σ cashable actual to date ÷ 1000;
    ``realisation_pct`` = Σ cashable actual to date ÷ Σ cashable planned to date × 100
    (None when no cashable benefit is reported); ``benefits_red`` counts Red benefits
    of either type. All None when there is no register.
    """
    keys = ("benefits_planned_gbp_thousands", "benefits_realised_gbp_thousands", "realisation_pct", "benefits_red")
    if register_status is None or register_status.empty:
        return dict.fromkeys(keys)
    cash = _cashable(register_status)
    return {
        "benefits_planned_gbp_thousands": float(cash["planned_total"].sum()) / 1000.0,
        "benefits_realised_gbp_thousands": float(cash["actual_to_date"].sum()) / 1000.0,
        "realisation_pct": _pct(float(cash["actual_to_date"].sum()), float(cash["planned_to_date"].sum())),
        "benefits_red": int((register_status["rag"] == RED).sum()),
    }


def rag_counts(register_status: pd.DataFrame | None) -> dict[str, int]:
    """Benefits by RAG (every key of ``RAGS`` present)."""
    counts = pd.Series(dtype=object) if register_status is None else register_status["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in RAGS}


def overall(register_status: pd.DataFrame | None) -> tuple[str, str]:
    """The register as (rag, sentence) by ``OVERALL_RAG_RULES``: cashable £ planned vs realised and counts by RAG.

    The £ forecast at completion in the sentence takes a cashable benefit with
    nothing reported yet at its plan (no evidence either way).
    """
    if register_status is None or register_status.empty:
        rag = OVERALL_RAG_RULES.decide(OverallFacts(0, 0, 0, None))
        return rag, "Not available: no benefits register was supplied."
    counts = rag_counts(register_status)
    cash = _cashable(register_status)
    cash_to_date = float(cash["planned_to_date"].sum())
    pct = _pct(float(cash["actual_to_date"].sum()), cash_to_date)
    rag = OVERALL_RAG_RULES.decide(
        OverallFacts(counts[GREEN], counts[AMBER], counts[RED], None if pct is None else benefit_rag(pct)))
    n = len(register_status)
    tally = (
        f"{plural(n, 'benefit')}: {counts[GREEN]} Green, {counts[AMBER]} Amber, {counts[RED]} Red, "
        f"{counts[GREY]} not yet reported"
    )
    if rag == GREY:
        return GREY, f"Not available: nothing reported yet against the plan ({tally})."
    if pct is None:
        money = "no cashable benefit reported yet, so rated on the benefit counts only"
    else:
        forecast = float(cash["forecast_at_completion"].fillna(cash["planned_total"]).sum())
        money = (
            f"{money_k(float(cash['actual_to_date'].sum()))} of {money_k(cash_to_date)} cashable benefits planned "
            f"to date realised ({pct:.1f} %); {money_k(float(cash['planned_total'].sum()))} planned in total, "
            f"forecast {money_k(forecast)} at completion"
        )
    return rag, f"{rag}: {money}; {tally}."


# ---------------------------------------------------------------------------
# Contract governance
# ---------------------------------------------------------------------------

_QUARTER = re.compile(r"^\s*(\d{4})-\d{2}\s*Q([1-4])\s*$", re.IGNORECASE)


def _quarter_index(quarter: str) -> int | None:
    """'2024-25 Q3' → 2024 × 4 + 2; None for any other label."""
    m = _QUARTER.match(str(quarter))
    return None if m is None else int(m.group(1)) * 4 + int(m.group(2)) - 1


def _follows(earlier: str, later: str) -> bool:
    a, b = _quarter_index(earlier), _quarter_index(later)
    return True if a is None or b is None else b == a + 1


def _checked_kpis(kpis: pd.DataFrame) -> pd.DataFrame:
    """Columns present, no duplicate (contract, kpi, quarter), a target direction, no negative credit."""
    require_columns(kpis, KPI_COLUMNS, CONTRACT_KPIS_TABLE)
    rows = kpis.copy()
    rows["quarter"] = rows["quarter"].astype(str)
    _no_duplicates(rows, ["contract", "kpi", "quarter"], CONTRACT_KPIS_TABLE)
    rows["polarity"] = target_polarities(rows, CONTRACT_KPIS_TABLE, "contract KPI",
                                         fix="give each contract KPI the polarity higher_is_better or lower_is_better")
    rows["service_credit_gbp"] = pd.to_numeric(rows["service_credit_gbp"]).fillna(0.0).astype(float)
    negative = rows[rows["service_credit_gbp"] < 0]
    if len(negative):
        r = negative.iloc[0]
        raise InputTableError(
            CONTRACT_KPIS_TABLE, f"service credit for ({r['contract']!r}, {r['kpi']!r}, {r['quarter']!r}) is negative",
            row=file_row(negative), column="service_credit_gbp",
            fix="enter the credit applied as a positive amount (0 or blank when none was applied)",
        )
    return rows.sort_values(["contract", "kpi", "quarter"], kind="stable").reset_index(drop=True)


def contract_kpi_facts(actual: float | None, target: float, polarity: str, tolerance: float = 0.05) -> ContractKpiFacts:
    """The facts ``CONTRACT_KPI_RAG_RULES`` reads for one KPI in one quarter (no actual: nothing to compare)."""
    reported = actual is not None and pd.notna(actual)
    return ContractKpiFacts(KpiFacts.of(actual, target, polarity, tolerance) if reported else None)


def contract_kpi_rag(actual: float | None, target: float, polarity: str, tolerance: float = 0.05) -> str:
    """One contract KPI's RAG in one quarter (``CONTRACT_KPI_RAG_RULES``); no actual is Grey."""
    return CONTRACT_KPI_RAG_RULES.decide(contract_kpi_facts(actual, target, polarity, tolerance))


def kpi_quarters(kpis: pd.DataFrame | None, tolerance: float = 0.05) -> pd.DataFrame:
    """Every contract KPI × quarter against target, with RAG (``CONTRACT_KPI_RAG_RULES``) and trend.

    ``performance_gap`` is positive when better than target; ``trend`` is
    ``TREND_RULES`` over the KPI's reported quarters up to this one (the
    least-squares line through the last four, on ``gap_pct_of_target``, so a
    target that changes is handled). ``latest`` is True in the contract's
    latest quarter. Duplicate (contract, kpi, quarter) → InputTableError.
    """
    if kpis is None or kpis.empty:
        return empty_frame(KPI_QUARTER_COLUMNS)
    rows = _checked_kpis(kpis)
    latest = rows.groupby("contract")["quarter"].max()
    out = []
    for _, group in rows.groupby(["contract", "kpi"], sort=True):
        prev: dict | None = None
        history: list[float] = []  # gap_pct_of_target of the reported quarters so far
        for _, r in group.iterrows():
            target, polarity = float(r["target"]), r["polarity"]
            reported = pd.notna(r["actual"])
            actual = float(r["actual"]) if reported else math.nan
            facts = contract_kpi_facts(actual, target, polarity, tolerance)
            gap = None if facts.kpi is None else facts.kpi.better_by
            pct = None if gap is None else (gap / abs(target) if target else (0.0 if gap >= 0 else -math.inf))
            rag = CONTRACT_KPI_RAG_RULES.decide(facts)
            row = {
                "contract": r["contract"], "kpi": r["kpi"], "polarity": polarity, "quarter": r["quarter"],
                "target": target, "actual": actual, "performance_gap": gap, "gap_pct_of_target": pct,
                "on_target": None if not reported else bool(rag == GREEN), "rag": rag,
                "previous_quarter": None if prev is None else prev["quarter"],
                "previous_actual": None if prev is None else prev["actual"],
                "trend": series_trend([*history, pct], periods=KPI_TREND_PERIODS).word if reported else "not reported",
                "service_credit_gbp": float(r["service_credit_gbp"]),
                "latest": bool(r["quarter"] == latest[r["contract"]]),
            }
            out.append(row)
            if reported:
                prev = row
                history.append(pct)
    table = pd.DataFrame(out, columns=KPI_QUARTER_COLUMNS)
    for column in ("performance_gap", "gap_pct_of_target", "previous_actual"):
        table[column] = table[column].astype(float)
    return table


def service_credits(kpis: pd.DataFrame | None) -> dict:
    """Service credits applied: ``total_gbp``, ``by_contract`` and ``by_contract_quarter`` (DataFrames).

    Each row's ``service_credit_gbp`` is the credit applied that quarter for
    that KPI, so credits add across KPIs and quarters (blank counts as 0;
    negative → InputTableError). No KPIs → total None and empty tables.
    """
    if kpis is None or kpis.empty:
        return {
            "total_gbp": None,
            "by_contract": empty_frame(["contract", "service_credit_gbp"]),
            "by_contract_quarter": empty_frame(["contract", "quarter", "service_credit_gbp"]),
        }
    rows = _checked_kpis(kpis)
    return {
        "total_gbp": float(rows["service_credit_gbp"].sum()),
        "by_contract": rows.groupby("contract", as_index=False, sort=True)["service_credit_gbp"].sum(),
        "by_contract_quarter": rows.groupby(["contract", "quarter"], as_index=False, sort=True)["service_credit_gbp"].sum(),
    }


def refinement_flags(kpis: pd.DataFrame | None, consecutive: int = 2, tolerance: float = 0.05) -> pd.DataFrame:
    """KPIs off target in ≥ ``consecutive`` consecutive quarters up to the latest (``REFINEMENT_RULES``).

    Each is flagged for contract refinement and adjustment, naming the
    quarters in the run (oldest first).
    """
    if consecutive < 1:
        raise ParameterError(f"consecutive must be at least 1, not {consecutive}")
    table = kpi_quarters(kpis, tolerance)
    if table.empty:
        return empty_frame(FLAG_COLUMNS)
    out = []
    for (contract, kpi), group in table.groupby(["contract", "kpi"], sort=True):
        if not group["latest"].iloc[-1]:
            continue  # not reported in the contract's latest quarter: not current
        run: list[pd.Series] = []
        for _, r in group.iloc[::-1].iterrows():
            if r["rag"] not in (AMBER, RED) or (run and not _follows(r["quarter"], run[-1]["quarter"])):
                break
            run.append(r)
        if len(run) < consecutive:
            continue
        quarters = [r["quarter"] for r in reversed(run)]
        latest = run[0]
        out.append({
            "contract": contract, "kpi": kpi, "quarters_missed": len(run), "quarters": quarters,
            "latest_quarter": latest["quarter"], "latest_rag": latest["rag"], "action": REFINEMENT_ACTION,
            "reason": f"{kpi} off target in {len(run)} consecutive quarters ({', '.join(quarters)})",
        })
    return pd.DataFrame(out, columns=FLAG_COLUMNS)


def contract_kpis_red(kpis: pd.DataFrame | None, tolerance: float = 0.05) -> int | None:
    """KPIs Red in their contract's latest quarter; None when no KPIs are supplied."""
    if kpis is None or kpis.empty:
        return None
    table = kpi_quarters(kpis, tolerance)
    return int(((table["rag"] == RED) & table["latest"]).sum())


def contract_sentence(table: pd.DataFrame, credits: Mapping, flags: pd.DataFrame) -> str:
    """One sentence on contract governance from ``kpi_quarters``, ``service_credits`` and ``refinement_flags``."""
    if table.empty:
        return "Contract governance not available: no contract KPIs were supplied."
    latest = table[table["latest"]]
    red, n = int((latest["rag"] == RED).sum()), len(latest)
    met = int((latest["rag"] == GREEN).sum())
    text = (
        f"Contract KPIs: {met} of {plural(n, 'KPI')} met in the latest quarter, {red} Red; "
        f"£{credits['total_gbp']:,.0f} service credits applied in total"
    )
    if flags.empty:
        return text + "; no KPI missed in consecutive quarters up to the latest."
    named = "; ".join(f"{r.contract} – {r.reason}" for r in flags.itertuples())
    return text + f"; {plural(len(flags), 'KPI')} flagged for {REFINEMENT_ACTION}: {named}."


# ---------------------------------------------------------------------------
# The review for one register and one set of contract KPIs
# ---------------------------------------------------------------------------


@dataclass
class BenefitsResult:
    status: pd.DataFrame  # realisation
    cumulative: pd.DataFrame
    variances: pd.DataFrame
    overall: tuple[str, str]
    totals: dict
    kpis: pd.DataFrame  # kpi_quarters
    credits: dict
    flags: pd.DataFrame  # refinement_flags
    kpis_red: int | None
    narrative: list[str] = field(default_factory=list)

    @property
    def cashable_cumulative(self) -> pd.DataFrame:
        """The cumulative table for cashable benefits only (the ones added up in £)."""
        return self.cumulative[self.cumulative["type"] == CASHABLE]

    def headline(self) -> dict:
        t = self.totals
        return {
            "benefits_planned_gbp_thousands": round_or_none(t.get("benefits_planned_gbp_thousands")),
            "benefits_realised_gbp_thousands": round_or_none(t.get("benefits_realised_gbp_thousands")),
            "realisation_pct": round_or_none(t.get("realisation_pct")),
            "benefits_red": t.get("benefits_red"),
            "contract_kpis_red": self.kpis_red,
        }


def review(
    register: pd.DataFrame | None,
    kpis: pd.DataFrame | None,
    consecutive: int = 2,
    tolerance: float = 0.05,
) -> BenefitsResult:
    """Benefit realisation and contract governance; a None or empty input gives "not available" parts."""
    status = realisation(register)
    table = kpi_quarters(kpis, tolerance)
    credits = service_credits(kpis)
    flags = refinement_flags(kpis, consecutive, tolerance)
    result = BenefitsResult(
        status=status, cumulative=cumulative(register), variances=variances(status), overall=overall(status),
        totals=totals(status), kpis=table, credits=credits, flags=flags,
        kpis_red=contract_kpis_red(kpis, tolerance),
    )
    narrative = [f"Benefit realisation: {result.overall[1]}"]
    unexplained = status[status["explanation_missing"].astype(bool)] if len(status) else status
    if len(unexplained):
        narrative.append(
            f"No owner's explanation for {plural(len(unexplained), 'Amber or Red benefit')}: "
            f"{', '.join(map(str, unexplained['benefit_id']))}."
        )
    narrative.append(contract_sentence(table, credits, flags))
    result.narrative = narrative
    return result
