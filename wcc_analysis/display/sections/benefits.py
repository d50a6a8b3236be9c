"""Sections of the benefit realisation report: the paired headline, each benefit, the non-cashable ones, the chart.

Each shows what ``analysis.benefits.review`` computed (a ``BenefitsResult``); nothing is computed here.
"""

from __future__ import annotations

import pandas as pd

from wcc_analysis.display import plots
from wcc_analysis.display.report import note, table

#: The paired headline's columns as a reader sees them.
PAIR_HEADERS = {
    "pair": "Pair", "years": "Years", "planned_gbp_thousands": "Planned (£k, real terms)", "set_against": "Set against",
    "against_gbp_thousands": "Realised / forecast (£k, real terms)", "pct": "Ratio (%, real terms)",
    "planned_cash_gbp_thousands": "Planned (£k, cash)", "against_cash_gbp_thousands": "Realised / forecast (£k, cash)",
    "pct_cash": "Ratio (%, cash)",
}
BENEFIT_HEADERS = {
    "baseline_year": "Baseline year", "baseline_real": "Baseline (£, real terms)", "to_date_year": "To date: to",
    "planned_to_date_real": "Planned to date (£, real terms)", "actual_to_date_real": "Realised to date (£, real terms)",
    "realisation_real_pct": "Realisation to date (%, real terms)",
    "planned_to_date": "Planned to date (as recorded)", "actual_to_date": "Realised to date (as recorded)",
    "realisation_pct": "Realisation to date (%, as recorded)", "planned_total_real": "Planned in total (£, real terms)",
    "forecast_at_completion_real": "Forecast at completion (£, real terms)",
    "planned_total": "Planned in total (as recorded)", "forecast_at_completion": "Forecast at completion (as recorded)",
    "final_year_pct_of_baseline": "Final year's plan as % of baseline (real terms)", "plan_status": "On plan?",
    "unit": "Unit", "measure": "Measure",
}


def _one_decimal(value: object) -> str:
    return f"{float(value):,.1f}"


def _pounds(value: object) -> str:
    return f"{float(value):,.0f}"


def _amount(value: object) -> str:
    """A figure in its own unit: whole numbers without decimals, others to two places at most."""
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def benefit_pairs(result, source: str | None = None) -> None:
    """The cashable headline as two like-with-like pairs, real terms with the cash beside, and how they were made."""
    frame = result.pairs
    pct_columns = ("pct", "pct_cash")
    formats = {c: (_one_decimal if c not in pct_columns else (lambda v: f"{float(v):.1f}")) for c in frame.columns
               if c not in ("pair", "years", "set_against")}
    base = result.price_base_year
    prices = f"real terms at {base} prices, the register's cash beside them" if base else "cash only (no deflators)"
    table(frame.rename(columns=PAIR_HEADERS),
          title=f"Cashable benefits, like with like: planned to date against realised to date, planned in total "
                f"against forecast at completion (£ thousand, {prices})",
          source=source, formats={PAIR_HEADERS[c]: f for c, f in formats.items()})
    if result.price_note:
        note(result.price_note)
    note(f"Forecast at completion = {result.totals.get('benefits_forecast_basis')} (forecast rules below). "
         "'To date' is each benefit's years up to its latest year with an actual (the cut-off, in the Years column); "
         "planned in total is never set against realised to date.")


def benefit_table(result, source: str | None = None) -> None:
    """Each benefit: the to-date pair and the total pair, the baseline, RAG and owner."""
    status = result.status
    columns = ["benefit_id", "type", "measure", "unit", "baseline_year", "to_date_year"]
    if result.price_base_year:
        columns += ["baseline_real", "planned_to_date_real", "actual_to_date_real", "realisation_real_pct",
                    "planned_total_real", "forecast_at_completion_real", "final_year_pct_of_baseline"]
    columns += ["planned_to_date", "actual_to_date", "realisation_pct", "planned_total", "forecast_at_completion",
                "rag", "owner"]
    def spec(column: str):
        if column.endswith("_pct"):
            return _one_decimal
        return _pounds if column.endswith("_real") else _amount

    numbers = [c for c in columns if pd.api.types.is_float_dtype(status[c])]
    table(status[columns].rename(columns=BENEFIT_HEADERS),
          title="Each benefit: planned to date against realised to date, planned in total against forecast at "
                "completion (real terms for cashable benefits only; 'as recorded' = the register's own figures, £ "
                "cash or the benefit's unit)",
          source=source, formats={BENEFIT_HEADERS.get(c, c): spec(c) for c in numbers})


def non_cashable_table(result, source: str | None = None) -> None:
    """The non-cashable benefits on / behind plan, each in its own unit (never added in £)."""
    frame = result.non_cashable
    numbers = ["planned_to_date", "actual_to_date", "planned_total", "forecast_at_completion"]
    formats = {BENEFIT_HEADERS.get(c, c): _amount for c in numbers}
    table(frame.rename(columns=BENEFIT_HEADERS),
          title="Non-cashable benefits: on or behind plan, each in its own unit (never added in £)",
          source=source, formats={**formats, BENEFIT_HEADERS["realisation_pct"]: _one_decimal})


def cashable_chart(result, caption_source: str, illustrative: bool = False) -> None:
    """Cumulative planned against realised for the cashable benefits, at the price base where there is one;
    ``illustrative``: the register is the sample (the chart is stamped)."""
    ax = plots.planned_vs_actual(result.cashable_cumulative_real, result.cashable_chart_title)
    prices = (f"£ at {result.price_base_year} prices (HM Treasury GDP deflator; cash of each year restated)"
              if result.price_base_year else "£ cash as recorded by the council (no deflators)")
    plots.caption(ax, f"Source: {caption_source}. {prices}.", illustrative=illustrative)


def variance_table(result) -> None:
    """Planned − realised to date with the owners' explanations; an Amber or Red benefit without one is flagged."""
    columns = ["benefit_id", "measure", "unit", "to_date_year", "variance_to_date", "rag", "explanation",
               "explanation_missing", "owner"]
    table(result.variances[columns].rename(columns=BENEFIT_HEADERS),
          title="Variance to date (planned − realised up to each benefit's cut-off year, as recorded: £ cash or the "
                "benefit's unit); an Amber or Red benefit without an explanation is flagged",
          formats={"variance_to_date": _amount})
