"""Sections of the gap-analysis report."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.display.report import bullets, note, number_3, table

QUARTERS = {1: "best quarter", 2: "second quarter", 3: "third quarter", 4: "worst quarter"}


def benchmark_table(benchmarked) -> None:
    """Every published measure the council has, with its position and the group it was compared with."""
    rows = []
    for b in benchmarked:
        m = b.benchmark
        rows.append({
            "measure": b.label, "kind": {"performance": "performance (question 2)", "cost": "cost (question 3)",
                                         "volume": "volume (never rated)"}[b.kind],
            "year": b.year, "council_value": m.get("council_value"), "median": m.get("median"),
            "rank": f"{m['rank']} of {m['n_with_measure']}" if m.get("rank") else "–",
            "best": f"{m.get('best_name')}" if m.get("best_name") else "–", "compared_with": b.group_note,
        })
    frame = pd.DataFrame(rows, columns=["measure", "kind", "year", "council_value", "median", "rank", "best", "compared_with"])
    table(frame, title="Every published measure for this service (rank 1 = best; for spend, the lowest)",
          formats={"council_value": number_3, "median": number_3})


def need_signals(signals: dict[str, bool]) -> None:
    """The drivers of need behind question 1, each answered yes or no."""
    bullets([f"{text}: {'yes' if flag else 'no'}" for text, flag in signals.items()],
            title="Drivers of need (from the needs analysis; ONS mid-year population estimates, English Indices of "
                  "Deprivation)")


def _value(value, value_format: str) -> str:
    return "–" if value is None or pd.isna(value) else format(value, value_format)


def _window(b) -> str:
    years = list(b.trend.dropna(subset=["council"])["year"]) if b.trend is not None else []
    reading = b.trend_reading
    if reading is None or not years:
        return "–"
    shown = years[-reading.periods:]
    return f"{shown[0]} to {shown[-1]}"


def best_in_class_table(found) -> bool:
    """Question 2 on every published performance measure: the latest value, its rank and quarter among the
    computed comparators and among every authority of the class, the five-year trend and the best of the group.
    Returns False (after saying so once) when the council has no published performance measure."""
    measures = found.performance_measures
    if not measures:
        note(f"No published performance measure for this service has a value for {found.needs.council_name} and its "
             "comparators (see the list below of what the catalogue holds and is not published for this council), so "
             "best in class cannot be judged against other councils. Instead, the evidence is the council's own KPIs "
             "against their targets, shown in question 1 and again below — the council's own figures, not a "
             "comparison with other councils.", "missing")
        return False
    rows = []
    for b in measures:
        g, e, r = b.benchmark, b.class_benchmark or {}, b.trend_reading
        rows.append({
            "measure": b.label, "year": b.year, "council_value": _value(g.get("council_value"), b.value_format),
            "group_median": _value(g.get("median"), b.value_format),
            "group_rank": f"{g['rank']} of {g['n_with_measure']}" if g.get("rank") else "–",
            "group_quartile": QUARTERS.get(g.get("quartile"), "–"),
            "class_rank": f"{e['rank']} of {e['n_with_measure']}" if e.get("rank") else "–",
            "class_quartile": QUARTERS.get(e.get("quartile"), "–"),
            "five_year_trend": "–" if r is None else r.word + ("" if r.slope is None else f" ({r.slope_pct:+.1f} % a year)"),
            "trend_years": _window(b),
            "best_in_group": "–" if not g.get("best_name") else f"{g['best_name']} ({_value(g['best_value'], b.value_format)})",
        })
    klass = found.value_for_money.class_name if found.value_for_money else "authorities of the same class"
    frame = pd.DataFrame(rows)
    table(frame.rename(columns={"group_median": "Comparator median", "group_rank": "Rank among comparators (1 = best)",
                                "group_quartile": "Quarter among comparators",
                                "class_rank": f"Rank among all {klass}", "class_quartile": f"Quarter among all {klass}",
                                "five_year_trend": "Trend, last five years (slope, positive = better)",
                                "trend_years": "Years the trend is fitted over", "best_in_group": "Best of the group"}),
          title=f"Best in class on every published performance measure: {found.needs.council_name} among its "
                f"{found.needs.group.label} and among all {klass}",
          source="; ".join(dict.fromkeys(b.source for b in measures)) + f". Comparators: {found.needs.group.label}.")
    return True


def own_kpis(found, *, title: str | None = None) -> None:
    """The council's own KPIs against their targets, labelled as the council's own (and as a sample, if it is)."""
    kpis = found.result.kpis
    if kpis is None or kpis.empty:
        note("The council has supplied no KPIs for this service.", "missing")
        return
    shown = kpis.drop(columns=["service_id"], errors="ignore")[
        ["kpi", "unit", "period", "target", "actual", "rag", "trend", "trend_slope_pct_of_target", "trend_periods"]]
    label = found.kpi_label[:1].upper() + found.kpi_label[1:]
    table(shown.rename(columns={"trend_slope_pct_of_target": "Trend slope (% of target a period, + = better)",
                                "trend_periods": "Periods in the trend"}),
          title=title or f"{label}: latest period against target (not a comparison with other councils)",
          source=found.kpi_label, formats={"Trend slope (% of target a period, + = better)": "+.1f", "target": number_3,
                                           "actual": number_3})


def trend_panels(found) -> list[dict]:
    """The published performance measures with a series of years, as panels for ``plots.measure_trends_grid``."""
    out = []
    for b in found.performance_measures:
        if b.trend is None or not len(b.trend):
            continue
        out.append({"trend": b.trend, "label": b.label, "value_format": b.value_format,
                    "higher_is_better": b.higher_is_better,
                    "word": b.trend_reading.word if b.trend_reading else "no trend",
                    "window": b.trend_reading.periods if b.trend_reading else 0})
    return out


def value_for_money_table(found) -> None:
    """Question 3's figures: the cost set against outcomes, the spend beside it, the outcomes; each among the
    comparators and among every authority of the class; with the notes that explain them."""
    vfm = found.value_for_money
    spec = found.value_for_money_spec
    if spec is not None and spec.note:
        note(spec.note)
    if vfm.unit == "per household":
        note("Per household: DEFRA publishes no count of households. The count follows from its own figures — the "
             "residual household waste tonnage (LA collected waste statistics, Table 1) divided by residual household "
             "waste per household (Table 3, NI191) — for every waste collection authority; the latest year (2022-23) "
             "is used for the 2023-24 budget.")
    elif vfm.cost is not None:
        note("Per head of population (ONS mid-year estimate for the budget year): no household count is used for this "
             "service.")
    frame = vfm.table()
    kinds = {"cost": "cost set against outcomes", "context": "spend beside it (not rated)",
             "outcome": "outcome (higher/lower is better)"}
    frame["kind"] = frame["kind"].map(kinds)
    klass = vfm.class_name
    table(frame.rename(columns={"group_median": "Comparator median", "group_rank": "Rank among comparators",
                                "group_quartile": "Quarter among comparators", "class_median": f"Median of all {klass}",
                                "class_rank": f"Rank among all {klass}", "class_quartile": f"Quarter among all {klass}"}),
          title=f"Value for money: cost against outcome, {found.needs.council_name} among its {vfm.group_label} and "
                f"among all {klass} (rank 1 = lowest spend or best outcome)",
          source="MHCLG Revenue Account budget (RA) and revenue outturn (RSX / time series), ONS mid-year population, "
                 "DEFRA waste and fly-tipping statistics (budget figures are budgets, not outturn)")
    for text in vfm.notes:
        note(text)


def cost_measure_note(found) -> None:
    """Which spend figure the efficiency gap rests on: outturn or budget, the lines or block, cash or real terms."""
    cost = found.cost_measure
    basis = ("Budgeted net current expenditure (Revenue Account budget: what the council planned to spend, net of "
             "income — a budget, not outturn)" if cost.basis == "budget" else "Net current expenditure as published (outturn)")
    eff = found.result.efficiency or {}
    prices = (f"restated in real terms at {eff['price_base_year']} prices (× {eff['real_terms_factor']:.4f}, HM "
              f"Treasury GDP deflator)" if eff.get("real_terms_factor") and eff.get("year") != eff.get("price_base_year")
              else f"at {eff.get('price_base_year')} prices (the price base year: cash and real terms are the same)"
              if eff.get("price_base_year") else "cash terms")
    note(f"Spend measure used: {cost.label}, {cost.year} ({cost.group_note}). {basis}; the gap is in cash of "
         f"{cost.year}, {prices}. A whole RS block shared with another service is never used for this question.")


def efficiency_table(found) -> None:
    """The £ efficiency gap in cash and in real terms at the price base."""
    eff = dict(found.result.efficiency)
    columns = ["year", "spend_per_head_gbp", "comparator_median_gbp", "comparator_lower_quartile_gbp", "n_comparators",
               "population", "gap_to_median_gbp_thousands", "gap_to_lower_quartile_gbp_thousands", "price_base_year",
               "real_terms_factor", "gap_to_median_real_gbp_thousands", "gap_to_lower_quartile_real_gbp_thousands"]
    frame = pd.DataFrame([{c: eff.get(c) for c in columns}])
    base = eff.get("price_base_year") or "the price base"
    table(frame.rename(columns={
        "year": "Year of the spend", "comparator_lower_quartile_gbp": "Comparator lower quartile per head (£)",
        "comparator_median_gbp": "Comparator median per head (£)", "n_comparators": "Comparators",
        "gap_to_median_gbp_thousands": "Gap to median (£k, cash)",
        "gap_to_lower_quartile_gbp_thousands": "Gap to lower quartile (£k, cash)", "price_base_year": "Price base",
        "real_terms_factor": "Deflator factor", "gap_to_median_real_gbp_thousands": f"Gap to median (£k, {base} prices)",
        "gap_to_lower_quartile_real_gbp_thousands": f"Gap to lower quartile (£k, {base} prices)"}),
        title="Efficiency gap (£ thousand a year; positive = the council spends more)",
        source=found.cost_measure.source,
        formats={"spend_per_head_gbp": ",.2f", "Comparator median per head (£)": ",.2f",
                 "Comparator lower quartile per head (£)": ",.2f", "population": ",.0f",
                 "Gap to median (£k, cash)": ",.1f", "Gap to lower quartile (£k, cash)": ",.1f",
                 "Deflator factor": ".4f", f"Gap to median (£k, {base} prices)": ",.1f",
                 f"Gap to lower quartile (£k, {base} prices)": ",.1f"})
    if found.real_terms_note:
        note(found.real_terms_note)


def quadrant_caption(found, outcome, outside: int = 0) -> str:
    """The caption under a value-for-money quadrant: sources, what the dashed lines are, who is out of frame."""
    vfm = found.value_for_money
    compared = next((b.group_note for b in found.performance_measures if b.measure_id == outcome.id), "")
    text = (f"Sources: {vfm.cost.source}; {outcome.source}, {outcome.year}. Dashed lines: the comparator medians — "
            f"cost among the {found.needs.group.label}; {outcome.label.split(' (')[0].lower()}: {compared}.")
    if outside:
        text += (f" {outside} of the {vfm.class_name} lie outside the frame (they are counted in the ranks and "
                 "quarters above).")
    return text
