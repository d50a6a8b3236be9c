"""Review phase (seed section 7): benefit realisation and contract governance.

Benefit realisation (policy-making side: review performance, review impact):

- ``cumulative`` — planned and actual by benefit and year, with running totals
  (and, for cashable benefits, the £ in real terms);
- ``realisation`` — per benefit: planned / realised to date (to the benefit's
  cut-off year), planned in total, forecast at completion (``FORECAST_RULES``),
  realisation %, the baseline and the £ in real terms, RAG (``BENEFIT_RAG_RULES``)
  and on / behind plan (``PLAN_STATUS_RULES``);
- ``variances`` — planned − actual to date with the owner's explanation, and
  a flag where an Amber or Red benefit has none;
- ``pairs`` / ``non_cashable`` / ``totals`` / ``overall`` — the headline figures,
  each pairing like with like (``PAIRING_RULES``): planned to date against
  realised to date, planned in total against forecast at completion, cashable £
  at one price base with the cash beside them; non-cashable benefits counted on
  or behind plan in their own units, never added in £; the register as
  (rag, sentence) by ``OVERALL_RAG_RULES``.

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
be None ("not available", never an error). Pure functions: no file reading —
the GDP deflators (:func:`wcc_analysis.analysis.prices.financial_year_deflators`)
are handed in; without them the £ figures are the register's cash only.

Conventions: ``planned`` and ``actual`` are amounts of benefit in the year,
more is better (a cashable benefit is £ saved or earned, in cash of its year).
Only ``cashable`` benefits enter £ totals. "To date" means the years up to the
benefit's latest year with an actual (its cut-off year). The register may carry
two optional columns: ``baseline_year`` (the year the baseline describes; blank:
the year before the benefit's first year) and ``forecast`` (the owner's forecast
for a year not yet reported; blank: the plan).

The ratings (``BENEFIT_RAG_RULES``, ``PLAN_STATUS_RULES``, ``OVERALL_RAG_RULES``,
``FORECAST_RULES``, ``CONTRACT_KPI_RAG_RULES``) are :class:`~wcc_analysis.core.rules.RuleTable` s:
each deciding function measures a small facts object and the table's first rule
that holds gives the outcome, so the table the report prints is the one that ran.
A bad register or KPI table is an :class:`~wcc_analysis.core.errors.InputTableError`
naming the table, the column and, when the table carries ``source_row``, the file row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis import prices
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
#: Read when present: the baseline's year (one per benefit) and the owner's forecast for a year not yet reported.
OPTIONAL_REGISTER_COLUMNS = ["baseline_year", "forecast"]
KPI_COLUMNS = ["contract", "kpi", "polarity", "target", "quarter", "actual", "service_credit_gbp"]

#: The price base of the real-terms £ (the last financial year of the shipped deflator series).
PRICE_BASE_YEAR = prices.PRICE_BASE_YEAR

#: One benefit: realisation % = realised to date ÷ planned to date × 100 (the years up to its cut-off).
#: 95 % allows for ordinary estimating error in a plan; below 80 % a fifth of the
#: promised benefit is missing and the business case needs revisiting.
BENEFIT_GREEN_PCT, BENEFIT_AMBER_PCT = 95.0, 80.0


@dataclass(frozen=True)
class BenefitFacts:
    """One benefit's realisation to date, as ``BENEFIT_RAG_RULES`` and ``PLAN_STATUS_RULES`` read it."""

    realisation_pct: float | None  # realised ÷ planned to date × 100; None or NaN when there is none

    @property
    def rated(self) -> bool:
        return self.realisation_pct is not None and not pd.isna(self.realisation_pct)

    @property
    def nudged_pct(self) -> float:
        """The % a hair up, so a 190/220-style ratio does not lose a boundary to rounding."""
        return float(self.realisation_pct) + 1e-9


BENEFIT_RAG_RULES: RuleTable[BenefitFacts] = RuleTable((
    Rule(GREY, "nothing reported yet (no year with an actual), or nothing planned up to the cut-off year",
         lambda f: not f.rated),
    Rule(GREEN, f"realisation to date at or above {BENEFIT_GREEN_PCT:g} %",
         lambda f: f.nudged_pct >= BENEFIT_GREEN_PCT),
    Rule(AMBER, f"at or above {BENEFIT_AMBER_PCT:g} %, below {BENEFIT_GREEN_PCT:g} %",
         lambda f: f.nudged_pct >= BENEFIT_AMBER_PCT),
    Rule(RED, f"below {BENEFIT_AMBER_PCT:g} %", always),
))

ON_PLAN, BEHIND_PLAN, NOT_REPORTED = "on plan", "behind plan", "not yet reported"

#: On or behind plan: how a non-cashable benefit is counted (never added in £), in its own unit.
PLAN_STATUS_RULES: RuleTable[BenefitFacts] = RuleTable((
    Rule(NOT_REPORTED, "no year with an actual yet, or nothing planned up to the cut-off year", lambda f: not f.rated),
    Rule(ON_PLAN, f"realised to date at or above {BENEFIT_GREEN_PCT:g} % of planned to date (Green)",
         lambda f: f.nudged_pct >= BENEFIT_GREEN_PCT),
    Rule(BEHIND_PLAN, f"below {BENEFIT_GREEN_PCT:g} % of planned to date (Amber or Red)", always),
), columns=("status", "rule"))

ACTUAL, REGISTER_FORECAST, PLANNED = "actual", "register forecast", "planned"


@dataclass(frozen=True)
class ForecastFacts:
    """One year of one benefit, as ``FORECAST_RULES`` reads it for the forecast at completion."""

    to_date: bool  # the year is at or before the benefit's cut-off (its latest year with an actual)
    forecast: float | None  # the register's forecast for the year; None when blank or no forecast column

    @property
    def has_forecast(self) -> bool:
        return self.forecast is not None and not pd.isna(self.forecast)


#: Forecast at completion = the sum over the benefit's years of what this table gives for each year.
FORECAST_RULES: RuleTable[ForecastFacts] = RuleTable((
    Rule(ACTUAL, "a year up to the cut-off (the benefit's latest year with an actual): its actual, a blank counting "
                 "as nothing realised", lambda f: f.to_date),
    Rule(REGISTER_FORECAST, "a later year with a figure in the register's forecast column: that forecast",
         lambda f: f.has_forecast),
    Rule(PLANNED, "a later year without one: the amount planned for it (no evidence yet either way)", always),
), columns=("forecast uses", "rule"))


#: Which figures the headline sets against which (printed with the ratings, so a reader sees what was paired).
PAIRING_RULES: tuple[tuple[str, str], ...] = (
    ("to date", "planned to date against realised to date, and their ratio: both sum the same years, those up to "
                "each benefit's cut-off year (its latest year with an actual; named in the sentence)"),
    ("in total", "planned in total (every year of the plan) against the forecast at completion (FORECAST_RULES), "
                 "and their ratio; never planned in total against realised to date"),
    ("real terms", f"cashable £ at the price base ({PRICE_BASE_YEAR} prices): each year's amount × GDP deflator "
                   "(price base) ÷ deflator(year), the same factor for the planned and realised £ of a year; a year "
                   "after the deflator series is taken at its last year's prices; the baseline is restated from "
                   "its baseline year the same way"),
    ("cash", "the register's own £ (cash of each year) beside every real-terms figure"),
    ("baseline", "the register's baseline_year, or where there is none the year before the benefit's first year; "
                 "the final year's planned benefit is shown as a % of the baseline (both real terms)"),
    ("non-cashable", "never added in £: counted on / behind plan (PLAN_STATUS_RULES), each in its own unit"),
    ("rating", "a cashable benefit and the register's cashable total are rated (BENEFIT_RAG_RULES) on the real-terms "
               "ratio to date, a non-cashable benefit on its own units"),
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


#: The whole register, first that holds. Cashable realisation % = Σ cashable realised to date ÷ Σ cashable
#: planned to date × 100 (real terms where deflators are given; non-cashable benefits are never added to £),
#: rated by ``BENEFIT_RAG_RULES``.
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
    "benefit_id", "service_id", "type", "year", "to_date", "planned", "actual", "forecast_uses", "forecast",
    "cumulative_planned", "cumulative_actual", "cumulative_planned_to_date", "cumulative_realisation_pct",
    "real_terms_factor", "planned_real", "actual_real",
]
REALISATION_COLUMNS = [
    "benefit_id", "service_id", "type", "measure", "unit", "baseline", "baseline_year", "owner",
    "years", "years_reported", "first_year", "last_year", "to_date_year", "unreported_to_date",
    "planned_to_date", "actual_to_date", "realisation_pct", "planned_total", "remaining_planned",
    "forecast_at_completion", "forecast_basis", "forecast_to_plan_pct", "forecast_shortfall",
    "price_base_year", "baseline_real", "planned_to_date_real", "actual_to_date_real", "realisation_real_pct",
    "planned_total_real", "forecast_at_completion_real", "final_year_planned_real", "final_year_pct_of_baseline",
    "rated_pct", "rag", "plan_status",
    "variance_to_date", "explanation", "evidence", "explanation_missing",
]
VARIANCE_COLUMNS = [
    "benefit_id", "service_id", "type", "measure", "unit", "owner", "to_date_year", "planned_to_date",
    "actual_to_date", "variance_to_date", "realisation_pct", "rag", "explanation", "explanation_missing",
]
PAIR_COLUMNS = [
    "pair", "years", "planned_gbp_thousands", "set_against", "against_gbp_thousands", "pct",
    "planned_cash_gbp_thousands", "against_cash_gbp_thousands", "pct_cash",
]
NON_CASHABLE_COLUMNS = [
    "benefit_id", "measure", "unit", "to_date_year", "planned_to_date", "actual_to_date", "realisation_pct",
    "plan_status", "planned_total", "forecast_at_completion",
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


def _pct(part: float | None, whole: float | None) -> float | None:
    return None if part is None or not whole else part / whole * 100.0


def _amount(value: float) -> str:
    """A figure in its own unit: 21,000; 0.9; 12.25."""
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _span(years: list[str]) -> str:
    """["2023-24", "2024-25"] → "2023-24 to 2024-25"; one year → itself; none → ""."""
    years = sorted(set(years))
    return "" if not years else years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"


# ---------------------------------------------------------------------------
# Real terms (the package's GDP deflator: analysis.prices)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceTerms:
    """deflator(price base) ÷ deflator(year) for each year the register uses, and the sentence to print."""

    price_base_year: str
    factors: dict[str, float]
    held: tuple[str, ...]  # years after the deflator series, taken at its last year's prices
    last_deflator_year: str
    note: str

    def factor(self, year: str) -> float:
        return self.factors[year]


def price_terms(years, deflators: pd.DataFrame | None, price_base_year: str = PRICE_BASE_YEAR) -> PriceTerms | None:
    """The real-terms factors for ``years`` by :func:`prices.to_real_terms` (None without deflators).

    A year after the last one of the deflator series has no deflator yet: it is taken at that last year's prices
    (factor deflator(base) ÷ deflator(last)) and named in ``held`` and the note. A year before the series, or a
    price base outside it, is a ParameterError (from ``prices``).
    """
    if deflators is None:
        return None
    series = sorted(deflators["year"].astype(str), key=prices.fy_start)
    last = series[-1]
    wanted = sorted({str(y) for y in years}, key=prices.fy_start)
    held = tuple(y for y in wanted if y not in series and prices.fy_start(y) > prices.fy_start(last))
    mapped = [last if y in held else y for y in wanted]
    real = prices.to_real_terms([1.0] * len(mapped), mapped, deflators, price_base_year)
    factors = dict(zip(wanted, real.table["factor"].astype(float)))
    note = real.note
    if held:
        note += (f" {_span(list(held))} {'is' if len(held) == 1 else 'are'} after the deflator series (to {last}): "
                 f"{'its' if len(held) == 1 else 'their'} £ are taken at {last} prices, as if there were no "
                 "inflation after it.")
    return PriceTerms(price_base_year, factors, held, last, note)


# ---------------------------------------------------------------------------
# Benefit realisation
# ---------------------------------------------------------------------------


def benefit_rag(realisation_pct: float | None) -> str:
    """One benefit's RAG from its realisation % to date (``BENEFIT_RAG_RULES``); None/NaN is Grey."""
    return BENEFIT_RAG_RULES.decide(BenefitFacts(realisation_pct))


def plan_status(realisation_pct: float | None) -> str:
    """On plan, behind plan or not yet reported (``PLAN_STATUS_RULES``)."""
    return PLAN_STATUS_RULES.decide(BenefitFacts(realisation_pct))


def forecast_uses(to_date: bool, forecast: float | None) -> str:
    """What the forecast at completion takes for one year (``FORECAST_RULES``)."""
    return FORECAST_RULES.decide(ForecastFacts(to_date, forecast))


def _numbers(rows: pd.DataFrame, column: str) -> pd.Series:
    """A column of numbers (commas and £ allowed, blank = missing); InputTableError naming the first bad value."""
    text = rows[column].map(blank_if_missing).str.replace(",", "", regex=False).str.replace("£", "", regex=False)
    numbers = pd.to_numeric(text.where(text != "", None), errors="coerce")
    bad = numbers.isna() & text.ne("")
    if bad.any():
        raise InputTableError(REGISTER_TABLE, f"{column} {rows.loc[bad, column].iloc[0]!r} is not a number",
                              row=file_row(rows[bad]), column=column,
                              fix=f"write the {column} as a number, or leave it blank")
    return numbers.astype(float)


def _baseline_years(rows: pd.DataFrame) -> pd.Series:
    """Each row's baseline year: the register's ``baseline_year`` (one per benefit), else the year before the
    benefit's first year."""
    given = rows["baseline_year"].map(blank_if_missing) if "baseline_year" in rows else pd.Series("", index=rows.index)
    for year in sorted(set(given) - {""}):
        try:
            prices.fy_start(year)
        except ParameterError:
            raise InputTableError(REGISTER_TABLE, f"baseline_year {year!r} is not a financial year",
                                  row=file_row(rows[given == year]), column="baseline_year",
                                  fix="write the baseline year like 2022-23, or leave it blank") from None
    out = pd.Series("", index=rows.index, dtype=object)
    for benefit_id, group in rows.groupby("benefit_id", sort=False):
        named = sorted(set(given[group.index]) - {""})
        if len(named) > 1:
            raise InputTableError(REGISTER_TABLE, f"benefit {benefit_id!r} has more than one baseline_year ({named})",
                                  row=file_row(group), column="baseline_year",
                                  fix="give the benefit one baseline year in every row (or leave it blank)")
        first = prices.fy_start(min(group["year"]))
        out[group.index] = named[0] if named else prices.fy_label(first - 1)
    return out


def _checked_register(register: pd.DataFrame) -> pd.DataFrame:
    """Columns present, types known and constant per benefit, planned present, no duplicate (benefit_id, year);
    ``baseline_year`` filled and ``forecast`` read as numbers (both optional)."""
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
    for year in sorted(set(rows["year"])):
        try:
            prices.fy_start(year)
        except ParameterError:
            raise InputTableError(REGISTER_TABLE, f"year {year!r} is not a financial year",
                                  row=file_row(rows[rows["year"] == year]), column="year",
                                  fix="write the year like 2024-25") from None
    rows["forecast"] = _numbers(rows, "forecast") if "forecast" in rows else math.nan
    rows["baseline_year"] = _baseline_years(rows)
    return rows.sort_values(["benefit_id", "year"], kind="stable").reset_index(drop=True)


def _register_years(rows: pd.DataFrame) -> list[str]:
    return sorted(set(rows["year"]) | set(rows["baseline_year"]))


def _years(rows: pd.DataFrame) -> pd.DataFrame:
    """The checked register with, per row: ``to_date`` (at or before the benefit's cut-off), the cut-off year,
    what the forecast takes for the year (``FORECAST_RULES``) and that amount."""
    rows = rows.copy()
    reported = rows[rows["actual"].notna()]
    cut_off = reported.groupby("benefit_id")["year"].max()
    rows["to_date_year"] = rows["benefit_id"].map(cut_off)
    rows["to_date"] = [isinstance(c, str) and y <= c for y, c in zip(rows["year"], rows["to_date_year"])]
    rows["forecast_uses"] = [forecast_uses(bool(t), f) for t, f in zip(rows["to_date"], rows["forecast"])]
    amount = {ACTUAL: rows["actual"].fillna(0.0), REGISTER_FORECAST: rows["forecast"], PLANNED: rows["planned"]}
    rows["forecast_amount"] = [float(amount[u][i]) for i, u in zip(rows.index, rows["forecast_uses"])]
    return rows


def cumulative(register: pd.DataFrame | None, deflators: pd.DataFrame | None = None,
               price_base_year: str = PRICE_BASE_YEAR) -> pd.DataFrame:
    """Planned and actual by benefit and year, with running totals.

    ``to_date`` marks the years up to the benefit's cut-off (its latest year with an actual);
    ``cumulative_actual`` runs over those years (a blank actual among them counts as nothing realised) and is
    NaN after the cut-off; ``cumulative_planned_to_date`` is the cumulative planned up to the year or the
    cut-off, whichever is earlier, and ``cumulative_realisation_pct`` divides the two (NaN after the cut-off).
    With ``deflators``, a cashable benefit's ``planned_real`` / ``actual_real`` are its £ at
    ``price_base_year`` prices (``real_terms_factor``: :func:`price_terms`); NaN for non-cashable rows.
    """
    if register is None or register.empty:
        return empty_frame(CUMULATIVE_COLUMNS)
    rows = _years(_checked_register(register))
    terms = price_terms(_register_years(rows), deflators, price_base_year)
    out = []
    for _, group in rows.groupby("benefit_id", sort=True):
        cum_planned = cum_actual = cum_planned_to_date = 0.0
        for _, r in group.iterrows():
            cum_planned += r["planned"]
            to_date = bool(r["to_date"])
            if to_date:
                cum_actual += 0.0 if pd.isna(r["actual"]) else r["actual"]
                cum_planned_to_date += r["planned"]
            factor = terms.factor(r["year"]) if terms is not None and r["type"] == CASHABLE else math.nan
            out.append({
                "benefit_id": r["benefit_id"], "service_id": r["service_id"], "type": r["type"], "year": r["year"],
                "to_date": to_date, "planned": r["planned"], "actual": r["actual"],
                "forecast_uses": r["forecast_uses"], "forecast": r["forecast_amount"],
                "cumulative_planned": cum_planned,
                "cumulative_actual": cum_actual if to_date else math.nan,
                "cumulative_planned_to_date": cum_planned_to_date,
                "cumulative_realisation_pct": (_pct(cum_actual, cum_planned_to_date) if to_date else None),
                "real_terms_factor": factor, "planned_real": r["planned"] * factor,
                "actual_real": r["actual"] * factor,
            })
    table = pd.DataFrame(out, columns=CUMULATIVE_COLUMNS)
    for column in ("cumulative_realisation_pct", "real_terms_factor", "planned_real", "actual_real"):
        table[column] = table[column].astype(float)
    return table


def _explanations(reported: pd.DataFrame, column: str) -> str:
    """Non-empty texts of the reported years; if they differ, each prefixed by its year."""
    texts = [(y, blank_if_missing(t)) for y, t in zip(reported["year"], reported[column]) if blank_if_missing(t)]
    if len({t for _, t in texts}) == 1:
        return texts[0][1]
    return "; ".join(f"{y}: {t}" for y, t in texts)


def _basis(uses: list[str]) -> str:
    """How a benefit's forecast at completion was made, from what ``FORECAST_RULES`` gave for its later years."""
    later = [u for u in uses if u != ACTUAL]
    if not later:
        return "every year reported: realised in total"
    if set(later) == {PLANNED}:
        return "realised to date + planned for the later years (no forecast in the register)"
    if set(later) == {REGISTER_FORECAST}:
        return "realised to date + the register's forecast for the later years"
    return "realised to date + the register's forecast where given, planned otherwise"


def realisation(register: pd.DataFrame | None, deflators: pd.DataFrame | None = None,
                price_base_year: str = PRICE_BASE_YEAR) -> pd.DataFrame:
    """One row per benefit: to-date and total figures, forecast, the £ in real terms, realisation %, RAG.

    ``to_date_year`` is the cut-off: the benefit's latest year with an actual. ``planned_to_date`` and
    ``actual_to_date`` sum the years up to it (a blank actual among them counts as nothing realised and is named
    in ``unreported_to_date``); ``realisation_pct`` = actual ÷ planned to date × 100, in the register's units.
    ``forecast_at_completion`` = Σ over the years of ``FORECAST_RULES`` (realised to date + the register's
    forecast, or the plan, for each later year), set against ``planned_total`` (``forecast_to_plan_pct``).
    With ``deflators`` a cashable benefit's £ are also restated at ``price_base_year`` prices (``…_real``,
    :func:`price_terms`), its baseline from ``baseline_year``; ``final_year_pct_of_baseline`` = the final
    year's planned ÷ baseline (real). ``rated_pct`` is the real-terms ratio for a cashable benefit with
    deflators, else ``realisation_pct``; ``rag`` by ``BENEFIT_RAG_RULES`` and ``plan_status`` by
    ``PLAN_STATUS_RULES`` read it. ``variance_to_date`` = planned − actual to date (positive = shortfall);
    ``explanation_missing`` is True for an Amber or Red benefit without the owner's explanation.
    Duplicate (benefit_id, year) → InputTableError.
    """
    if register is None or register.empty:
        return empty_frame(REALISATION_COLUMNS)
    rows = _years(_checked_register(register))
    terms = price_terms(_register_years(rows), deflators, price_base_year)
    out = []
    for benefit_id, group in rows.groupby("benefit_id", sort=True):
        first = group.iloc[0]
        to_date = group[group["to_date"]]
        reported = to_date[to_date["actual"].notna()]
        later = group[~group["to_date"]]
        planned_to_date = float(to_date["planned"].sum())
        actual_to_date = float(to_date["actual"].fillna(0.0).sum())
        planned_total = float(group["planned"].sum())
        forecast = float(group["forecast_amount"].sum())
        pct = _pct(actual_to_date, planned_to_date) if len(reported) else None
        real = dict.fromkeys(("baseline_real", "planned_to_date_real", "actual_to_date_real", "planned_total_real",
                              "forecast_at_completion_real", "final_year_planned_real"))
        if terms is not None and first["type"] == CASHABLE:
            f = group["year"].map(terms.factors)
            real = {
                "baseline_real": float(first["baseline"]) * terms.factor(first["baseline_year"]),
                "planned_to_date_real": float((to_date["planned"] * f[to_date.index]).sum()),
                "actual_to_date_real": float((to_date["actual"].fillna(0.0) * f[to_date.index]).sum()),
                "planned_total_real": float((group["planned"] * f).sum()),
                "forecast_at_completion_real": float((group["forecast_amount"] * f).sum()),
                "final_year_planned_real": float(group["planned"].iloc[-1] * f.iloc[-1]),
            }
        real_pct = (_pct(real["actual_to_date_real"], real["planned_to_date_real"])
                    if len(reported) and real["planned_to_date_real"] is not None else None)
        rated = real_pct if real_pct is not None else pct
        rag = benefit_rag(rated)
        explanation = _explanations(reported, "explanation")
        out.append({
            "benefit_id": benefit_id, "service_id": first["service_id"], "type": first["type"],
            "measure": first["measure"], "unit": first["unit"], "baseline": first["baseline"],
            "baseline_year": first["baseline_year"], "owner": first["owner"],
            "years": len(group), "years_reported": len(reported),
            "first_year": group["year"].iloc[0], "last_year": group["year"].iloc[-1],
            "to_date_year": first["to_date_year"] if len(reported) else None,
            "unreported_to_date": ", ".join(to_date.loc[to_date["actual"].isna(), "year"]),
            "planned_to_date": planned_to_date, "actual_to_date": actual_to_date, "realisation_pct": pct,
            "planned_total": planned_total, "remaining_planned": float(later["planned"].sum()),
            "forecast_at_completion": forecast, "forecast_basis": _basis(list(group["forecast_uses"])),
            "forecast_to_plan_pct": _pct(forecast, planned_total), "forecast_shortfall": planned_total - forecast,
            "price_base_year": terms.price_base_year if real["baseline_real"] is not None else None,
            **{k: v for k, v in real.items() if k != "final_year_planned_real"},
            "realisation_real_pct": real_pct,
            "final_year_planned_real": real["final_year_planned_real"],
            "final_year_pct_of_baseline": (None if real["baseline_real"] is None
                                           else _pct(real["final_year_planned_real"], real["baseline_real"])),
            "rated_pct": rated, "rag": rag, "plan_status": plan_status(rated),
            "variance_to_date": planned_to_date - actual_to_date,
            "explanation": explanation, "evidence": _explanations(reported, "evidence"),
            "explanation_missing": bool(rag in (AMBER, RED) and not explanation),
        })
    table = pd.DataFrame(out, columns=REALISATION_COLUMNS)
    for column in ("realisation_pct", "forecast_to_plan_pct", "baseline_real", "planned_to_date_real",
                   "actual_to_date_real", "realisation_real_pct", "planned_total_real", "forecast_at_completion_real",
                   "final_year_planned_real", "final_year_pct_of_baseline", "rated_pct"):
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


def _real_available(cash: pd.DataFrame) -> bool:
    return len(cash) > 0 and bool(cash["baseline_real"].notna().all())


def _sum(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].sum())


def to_date_year(register_status: pd.DataFrame | None) -> str | None:
    """The cut-off year of the cashable headline: one year, or "YYYY-YY to YYYY-YY (by benefit)" when the
    cashable benefits are reported to different years; None when none is reported."""
    if register_status is None or register_status.empty:
        return None
    years = sorted(set(_cashable(register_status)["to_date_year"].dropna()))
    return None if not years else years[0] if len(years) == 1 else f"{_span(years)} (by benefit)"


def pairs(register_status: pd.DataFrame | None) -> pd.DataFrame:
    """The cashable headline as two pairs (``PAIRING_RULES``): planned to date against realised to date, and
    planned in total against forecast at completion — £ thousand at the price base (NaN without deflators) with
    the register's cash beside them, each pair's ratio in both."""
    if register_status is None or register_status.empty or _cashable(register_status).empty:
        return empty_frame(PAIR_COLUMNS)
    cash = _cashable(register_status)
    real = _real_available(cash)
    years_of_plan = _span(list(cash["first_year"]) + list(cash["last_year"]))
    rows = []
    for pair, years, planned, against, against_name in (
        ("To date", _span(list(cash["first_year"]) + [to_date_year(cash)]) if to_date_year(cash)
         else "nothing reported yet", "planned_to_date", "actual_to_date", "realised to date"),
        ("In total", years_of_plan, "planned_total", "forecast_at_completion", "forecast at completion"),
    ):
        p_real = _sum(cash, f"{planned}_real") / 1000 if real else math.nan
        a_real = _sum(cash, f"{against}_real") / 1000 if real else math.nan
        p_cash, a_cash = _sum(cash, planned) / 1000, _sum(cash, against) / 1000
        rows.append({
            "pair": pair, "years": years, "planned_gbp_thousands": p_real, "set_against": against_name,
            "against_gbp_thousands": a_real, "pct": _pct(a_real, p_real) if real else None,
            "planned_cash_gbp_thousands": p_cash, "against_cash_gbp_thousands": a_cash, "pct_cash": _pct(a_cash, p_cash),
        })
    table = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    table["pct"] = table["pct"].astype(float)
    table["pct_cash"] = table["pct_cash"].astype(float)
    return table


def non_cashable(register_status: pd.DataFrame | None) -> pd.DataFrame:
    """The non-cashable benefits, each in its own unit and on / behind plan (``PLAN_STATUS_RULES``); never £."""
    if register_status is None or register_status.empty:
        return empty_frame(NON_CASHABLE_COLUMNS)
    rows = register_status[register_status["type"] != CASHABLE]
    return rows.reindex(columns=NON_CASHABLE_COLUMNS).reset_index(drop=True)


def _unreported(register_status: pd.DataFrame) -> int:
    return int((register_status["plan_status"] == NOT_REPORTED).sum())


def totals(register_status: pd.DataFrame | None) -> dict:
    """The headline figures from ``realisation`` (``PAIRING_RULES``; non-cashable never added to £).

    Cashable, £ thousand at the price base (None without deflators): ``benefits_planned_to_date_gbp_thousands``
    with ``benefits_realised_to_date_gbp_thousands`` and their ratio ``realisation_to_date_pct`` (the years up to
    each benefit's cut-off, ``benefits_to_date_year``); ``benefits_planned_total_gbp_thousands`` with
    ``benefits_forecast_total_gbp_thousands`` and ``forecast_to_plan_pct``. The same four in the register's cash
    (``…_cash_gbp_thousands``) and ``realisation_to_date_cash_pct``. ``benefits_forecast_basis`` says how the
    forecast was made. Counts: ``benefits_red`` (either type) and the non-cashable benefits on / behind plan with
    their units. All None when there is no register.
    """
    keys = (
        "benefits_to_date_year", "benefits_price_base_year",
        "benefits_planned_to_date_gbp_thousands", "benefits_realised_to_date_gbp_thousands", "realisation_to_date_pct",
        "benefits_planned_total_gbp_thousands", "benefits_forecast_total_gbp_thousands", "forecast_to_plan_pct",
        "benefits_planned_to_date_cash_gbp_thousands", "benefits_realised_to_date_cash_gbp_thousands",
        "realisation_to_date_cash_pct", "benefits_planned_total_cash_gbp_thousands",
        "benefits_forecast_total_cash_gbp_thousands", "benefits_forecast_basis", "benefits_red",
        "benefits_non_cashable_on_plan", "benefits_non_cashable_behind_plan", "benefits_non_cashable_units",
    )
    if register_status is None or register_status.empty:
        return dict.fromkeys(keys)
    cash = _cashable(register_status)
    real = _real_available(cash)
    table = pairs(register_status)
    figures = dict.fromkeys(keys)
    if len(table):
        to_date, total = table.iloc[0], table.iloc[1]
        reported = bool((cash["years_reported"] > 0).any())

        def value(x: float) -> float | None:
            return None if x is None or pd.isna(x) else float(x)

        figures.update({
            "benefits_to_date_year": to_date_year(cash),
            "benefits_price_base_year": cash["price_base_year"].iloc[0] if real else None,
            "benefits_planned_to_date_gbp_thousands": value(to_date["planned_gbp_thousands"]),
            "benefits_realised_to_date_gbp_thousands": value(to_date["against_gbp_thousands"]),
            "realisation_to_date_pct": value(to_date["pct"]) if reported else None,
            "benefits_planned_total_gbp_thousands": value(total["planned_gbp_thousands"]),
            "benefits_forecast_total_gbp_thousands": value(total["against_gbp_thousands"]),
            "forecast_to_plan_pct": value(total["pct"]),
            "benefits_planned_to_date_cash_gbp_thousands": value(to_date["planned_cash_gbp_thousands"]),
            "benefits_realised_to_date_cash_gbp_thousands": value(to_date["against_cash_gbp_thousands"]),
            "realisation_to_date_cash_pct": value(to_date["pct_cash"]) if reported else None,
            "benefits_planned_total_cash_gbp_thousands": value(total["planned_cash_gbp_thousands"]),
            "benefits_forecast_total_cash_gbp_thousands": value(total["against_cash_gbp_thousands"]),
            "benefits_forecast_basis": _forecast_basis(cash),
        })
    others = non_cashable(register_status)
    figures.update({
        "benefits_red": int((register_status["rag"] == RED).sum()),
        "benefits_non_cashable_on_plan": int((others["plan_status"] == ON_PLAN).sum()),
        "benefits_non_cashable_behind_plan": int((others["plan_status"] == BEHIND_PLAN).sum()),
        "benefits_non_cashable_units": "; ".join(sorted(set(others["unit"].astype(str)))) or None,
    })
    return figures


def _forecast_basis(cash: pd.DataFrame) -> str:
    """One phrase for the cashable forecast: the bases of its benefits, the plan years after each cut-off named."""
    bases = sorted(set(cash["forecast_basis"]))
    return bases[0] if len(bases) == 1 else "; ".join(f"{b}: {bid}" for b, bid in _by_basis(cash))


def _by_basis(cash: pd.DataFrame) -> list[tuple[str, str]]:
    return [(basis, ", ".join(map(str, group["benefit_id"]))) for basis, group in cash.groupby("forecast_basis")]


def rag_counts(register_status: pd.DataFrame | None) -> dict[str, int]:
    """Benefits by RAG (every key of ``RAGS`` present)."""
    counts = pd.Series(dtype=object) if register_status is None else register_status["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in RAGS}


def _pounds(real: float | None, cash: float, base: str | None) -> str:
    """"£72.2k at 2024-25 prices (£71.0k cash)", or the cash alone without a price base."""
    if real is None or pd.isna(real) or base is None:
        return f"{money_k(cash * 1000)} cash"
    return f"{money_k(real * 1000)} at {base} prices ({money_k(cash * 1000)} cash)"


def cashable_sentence(register_status: pd.DataFrame | None) -> str:
    """The cashable £ headline in words: the two pairs, the cut-off year, the price base and the forecast basis."""
    figures = totals(register_status)
    if figures["benefits_planned_total_cash_gbp_thousands"] is None:
        return "no cashable benefit in the register"
    base = figures["benefits_price_base_year"]
    cash = _cashable(register_status)
    plan_years = _span(list(cash["first_year"]) + list(cash["last_year"]))
    pct = figures["realisation_to_date_pct"] if base else figures["realisation_to_date_cash_pct"]
    if figures["realisation_to_date_cash_pct"] is None:
        to_date = "no cashable benefit reported yet"
    else:
        to_date = (
            f"to date (to {figures['benefits_to_date_year']}): "
            f"{_pounds(figures['benefits_realised_to_date_gbp_thousands'], figures['benefits_realised_to_date_cash_gbp_thousands'], base)} "
            f"realised of {_pounds(figures['benefits_planned_to_date_gbp_thousands'], figures['benefits_planned_to_date_cash_gbp_thousands'], base)} "
            f"planned to date ({pct:.1f} %)"
        )
    ratio = figures["forecast_to_plan_pct"] if base else _pct(figures["benefits_forecast_total_cash_gbp_thousands"],
                                                             figures["benefits_planned_total_cash_gbp_thousands"])
    total = (
        f"in total ({plan_years}): forecast "
        f"{_pounds(figures['benefits_forecast_total_gbp_thousands'], figures['benefits_forecast_total_cash_gbp_thousands'], base)} "
        f"at completion against {_pounds(figures['benefits_planned_total_gbp_thousands'], figures['benefits_planned_total_cash_gbp_thousands'], base)} "
        f"planned in total" + ("" if ratio is None else f" ({ratio:.1f} %)")
        + f"; forecast = {figures['benefits_forecast_basis']}"
    )
    gaps = cash[cash["unreported_to_date"].astype(str) != ""]
    gap = "".join(f"; {r.benefit_id} has no actual for {r.unreported_to_date} (before its cut-off {r.to_date_year}): "
                  "counted as nothing realised" for r in gaps.itertuples())
    return f"cashable benefits {to_date}; {total}{gap}"


def non_cashable_sentence(register_status: pd.DataFrame | None) -> str:
    """The non-cashable benefits in words: how many on / behind plan, each behind one in its own unit."""
    others = non_cashable(register_status)
    if others.empty:
        return "no non-cashable benefit in the register"
    on = int((others["plan_status"] == ON_PLAN).sum())
    behind = others[others["plan_status"] == BEHIND_PLAN]
    text = (f"non-cashable benefits (never added in £): {on} on plan, {len(behind)} behind plan, "
            f"{int((others['plan_status'] == NOT_REPORTED).sum())} not yet reported")
    named = "; ".join(f"{r.measure}: {_amount(r.actual_to_date)} of {_amount(r.planned_to_date)} {r.unit} planned to "
                      f"{r.to_date_year}" for r in behind.itertuples())
    return text + (f" ({named})" if named else "")


def overall(register_status: pd.DataFrame | None) -> tuple[str, str]:
    """The register as (rag, sentence) by ``OVERALL_RAG_RULES``: the cashable pairs (``cashable_sentence``), the
    non-cashable benefits on / behind plan and the counts by RAG. The cashable rating reads the real-terms ratio
    to date where there are deflators, the cash one otherwise."""
    if register_status is None or register_status.empty:
        rag = OVERALL_RAG_RULES.decide(OverallFacts(0, 0, 0, None))
        return rag, "Not available: no benefits register was supplied."
    counts = rag_counts(register_status)
    figures = totals(register_status)
    pct = figures["realisation_to_date_pct"]
    pct = figures["realisation_to_date_cash_pct"] if pct is None else pct
    rag = OVERALL_RAG_RULES.decide(
        OverallFacts(counts[GREEN], counts[AMBER], counts[RED], None if pct is None else benefit_rag(pct)))
    n = len(register_status)
    tally = (
        f"{plural(n, 'benefit')}: {counts[GREEN]} Green, {counts[AMBER]} Amber, {counts[RED]} Red, "
        f"{counts[GREY]} not yet reported"
    )
    if rag == GREY:
        return GREY, f"Not available: nothing reported yet against the plan ({tally})."
    money = cashable_sentence(register_status)
    if pct is None:
        money += ", so rated on the benefit counts only"
    return rag, f"{rag}: {money}; {non_cashable_sentence(register_status)}; {tally}."


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
    pairs: pd.DataFrame = field(default_factory=lambda: empty_frame(PAIR_COLUMNS))
    non_cashable: pd.DataFrame = field(default_factory=lambda: empty_frame(NON_CASHABLE_COLUMNS))
    price_base_year: str | None = None  # None: no deflators, the £ are the register's cash only
    price_note: str = ""  # the real-terms sentence (prices.price_base_note and the years held at the last prices)
    narrative: list[str] = field(default_factory=list)

    @property
    def cashable_cumulative(self) -> pd.DataFrame:
        """The cumulative table for cashable benefits only (the ones added up in £), cash as recorded."""
        return self.cumulative[self.cumulative["type"] == CASHABLE]

    @property
    def cashable_cumulative_real(self) -> pd.DataFrame:
        """The cashable cumulative table with ``planned`` / ``actual`` at the price base (the cash table when
        there are no deflators)."""
        cash = self.cashable_cumulative
        if self.price_base_year is None:
            return cash
        return cash.assign(planned=cash["planned_real"], actual=cash["actual_real"])

    @property
    def cashable_chart_title(self) -> str:
        """The chart's title: realised against planned to date, the cut-off and the price base named."""
        t = self.totals
        if t.get("realisation_to_date_cash_pct") is None:
            return "Cashable benefits: nothing reported yet"
        base = t.get("benefits_price_base_year")
        realised = t["benefits_realised_to_date_gbp_thousands"] if base else t["benefits_realised_to_date_cash_gbp_thousands"]
        pct = t["realisation_to_date_pct"] if base else t["realisation_to_date_cash_pct"]
        prices_word = f" at {base} prices" if base else " (cash)"
        return (f"Cashable benefits{prices_word}: £{realised:,.1f}k realised to {t['benefits_to_date_year']} "
                f"({pct:.1f}% of planned to date)")

    def headline(self) -> dict:
        t = self.totals
        rounded = {k: round_or_none(v) if isinstance(v, float) else v for k, v in t.items()}
        return {**rounded, "contract_kpis_red": self.kpis_red}


def review(
    register: pd.DataFrame | None,
    kpis: pd.DataFrame | None,
    consecutive: int = 2,
    tolerance: float = 0.05,
    deflators: pd.DataFrame | None = None,
    price_base_year: str = PRICE_BASE_YEAR,
) -> BenefitsResult:
    """Benefit realisation and contract governance; a None or empty input gives "not available" parts.

    ``deflators`` (:func:`prices.financial_year_deflators`): with them the cashable £ are also at
    ``price_base_year`` prices and rated on that basis; without them, on the register's cash."""
    status = realisation(register, deflators, price_base_year)
    table = kpi_quarters(kpis, tolerance)
    credits = service_credits(kpis)
    flags = refinement_flags(kpis, consecutive, tolerance)
    terms = None
    if register is not None and not register.empty and deflators is not None:
        terms = price_terms(_register_years(_checked_register(register)), deflators, price_base_year)
    result = BenefitsResult(
        status=status, cumulative=cumulative(register, deflators, price_base_year), variances=variances(status),
        overall=overall(status), totals=totals(status), kpis=table, credits=credits, flags=flags,
        kpis_red=contract_kpis_red(kpis, tolerance), pairs=pairs(status), non_cashable=non_cashable(status),
        price_base_year=None if terms is None else terms.price_base_year,
        price_note="" if terms is None else terms.note,
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
