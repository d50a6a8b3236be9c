"""Sections of the gap-analysis report."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.display.report import bullets, data_label, note, number_3, table

QUARTERS = {1: "best quarter", 2: "second quarter", 3: "third quarter", 4: "worst quarter"}


def benchmark_table(benchmarked) -> None:
    """Every published measure the council has, with its position and whom it was compared with; each value in its
    measure's own format and unit (a rate as a percentage, residual waste in kg, spend in £)."""
    rows = []
    for b in benchmarked:
        m = b.benchmark
        rows.append({
            "measure": b.label, "kind": {"performance": "performance (question 2)", "cost": "cost (question 3)",
                                         "volume": "volume (never rated)"}[b.kind],
            "year": b.year, "council_value": b.formatted(m.get("council_value")), "median": b.formatted(m.get("median")),
            "rank": f"{m['rank']} of {m['n_with_measure']}" if m.get("rank") else "–",
            "best": f"{m.get('best_name')}" if m.get("best_name") else "–", "compared_with": b.group_note,
        })
    frame = pd.DataFrame(rows, columns=["measure", "kind", "year", "council_value", "median", "rank", "best", "compared_with"])
    table(frame.rename(columns={"median": "Median of those compared with"}),
          title="Every published measure held for this service (rank 1 = best; for spend, the lowest)",
          source="; ".join(dict.fromkeys(f"{b.source} {b.year}" for b in benchmarked)))


def need_signals(signals: dict[str, bool]) -> None:
    """The drivers of need behind question 1, each answered yes or no."""
    bullets([f"{text}: {'yes' if flag else 'no'}" for text, flag in signals.items()],
            title="Drivers of need (from the needs analysis; ONS mid-year population estimates, English Indices of "
                  "Deprivation)")


def _window(b) -> str:
    years = list(b.trend.dropna(subset=["council"])["year"]) if b.trend is not None else []
    reading = b.trend_reading
    if reading is None or not years:
        return "–"
    shown = years[-reading.periods:]
    return f"{shown[0]} to {shown[-1]}"


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def trend_words(reading) -> str:
    """A five-year trend word with its slope, labelled as a relative change (a share of the measure's own average
    level, not percentage points): "stable (−1.0 % of its average level a year)"."""
    if reading is None:
        return "–"
    if reading.slope is None:
        return reading.word
    return f"{reading.word} ({reading.slope_pct:+.1f} % of its average level a year)".replace("(-", "(−")


def best_in_class_table(found) -> bool:
    """Question 2 on every published performance measure: the latest value, whom it is compared with and its rank
    and quarter among them, the same among every authority of the class with a figure (named: a regional extract is
    never "all" of the class), the five-year trend and the best of the group. Returns False (after saying so once)
    when the council has no published performance measure held."""
    measures = found.performance_measures
    if not measures:
        note(f"No performance measure for this service is held in the shipped data for {found.needs.council_name} "
             "and its comparators (see the list below of what the catalogue holds and why it is not held for this "
             "council), so best in class cannot be judged against other councils. Instead, the evidence is the "
             "council's own KPIs against their targets, shown in question 1 and again below — the council's own "
             "figures, not a comparison with other councils.", "missing")
        return False
    rows = []
    for b in measures:
        g, e, r = b.benchmark, b.class_benchmark or {}, b.trend_reading
        rows.append({
            "measure": b.label, "year": b.year, "council_value": b.formatted(g.get("council_value")),
            "compared_with": _first_upper(b.compared_with.removeprefix("the ")) if b.fallback else
            f"Computed comparators ({found.needs.group.label})",
            "group_median": b.formatted(g.get("median")),
            "group_rank": f"{g['rank']} of {g['n_with_measure']}" if g.get("rank") else "–",
            "group_quartile": QUARTERS.get(g.get("quartile"), "–"),
            "class_set": _first_upper(b.class_set.removeprefix("the ")),
            "class_rank": f"{e['rank']} of {e['n_with_measure']}" if e.get("rank") else "–",
            "class_quartile": QUARTERS.get(e.get("quartile"), "–"),
            "five_year_trend": trend_words(r),
            "trend_years": _window(b),
            "best_in_group": "–" if not g.get("best_name") else f"{g['best_name']} ({b.formatted(g['best_value'])})",
        })
    frame = pd.DataFrame(rows)
    table(frame.rename(columns={"compared_with": "Compared with", "group_median": "Their median",
                                "group_rank": "Rank among them (1 = best)", "group_quartile": "Quarter among them",
                                "class_set": "Every authority of the class with a figure",
                                "class_rank": "Rank among those", "class_quartile": "Quarter among those",
                                "five_year_trend": "Trend, last five years (least-squares slope as a % of the "
                                                   "measure's own average level a year, + = better; not percentage "
                                                   "points)",
                                "trend_years": "Years the trend is fitted over", "best_in_group": "Best of those compared with"}),
          title=f"Best in class on every published performance measure held: {found.needs.council_name} among those "
                "it is compared with and among every authority of its class with a figure",
          source="; ".join(dict.fromkeys(b.source for b in measures)) + f". Comparators: {found.needs.group.label}.")
    for b in measures:
        if b.fallback:
            note(f"{b.label.split(' (')[0]}: {b.group_note}.")
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
                    "word": trend_words(b.trend_reading) if b.trend_reading else "no trend",
                    "window": b.trend_reading.periods if b.trend_reading else 0, "unit": b.unit})
    return out


def value_for_money_table(found) -> None:
    """Question 3's figures: the cost set against outcomes, the spend beside it, the outcomes (better / at / worse
    than the median, with the band); each among those it is compared with and among every authority of the class
    with a figure, named; with the notes that explain them."""
    vfm = found.value_for_money
    spec = found.value_for_money_spec
    if spec is not None and spec.note:
        note(spec.note)
    if vfm.unit == "per household":
        note("Per household: DEFRA publishes no count of households. The count follows from its own figures — the "
             "residual household waste tonnage (LA collected waste statistics, Table 1) divided by residual household "
             f"waste per household (Table 3, NI191) — for every waste collection authority; DEFRA "
             f"{vfm.households_year or 'latest'} (the latest year held) is used for the {vfm.cost.year} budget.")
    elif vfm.cost is not None:
        note("Per head of population (ONS mid-year estimate for the budget year): no household count is used for this "
             "service.")
    if vfm.outcomes:
        note(f"Years set against each other: {vfm.years()}. Each outcome is better, at the median or worse: within "
             f"±{100 * vfm.tolerance:g} % of the median of those it is compared with (relative to the median) counts "
             "as at the median — this project's judgement, no published guidance sets the band "
             "(config/services.toml [value_for_money] outcome_tolerance_pct). The cost has no band: it is split "
             "exactly at the comparator median, and the £ efficiency gap below says how far from it the council is.")
    frame = vfm.table()
    kinds = {"cost": "cost set against outcomes", "context": "spend beside it (not rated)",
             "outcome": "outcome (higher/lower is better)"}
    frame["kind"] = frame["kind"].map(kinds)
    frame["compared_with"] = frame["compared_with"].map(
        lambda w: "computed comparators (see the title)" if w == "the comparators" else w.removeprefix("the "))
    frame["class_set"] = frame["class_set"].str.removeprefix("the ")
    table(frame.rename(columns={"compared_with": "Compared with", "group_median": "Their median",
                                "group_rank": "Rank among them", "group_quartile": "Quarter among them",
                                "against_median": f"Against their median (±{100 * vfm.tolerance:g} % = at the median)",
                                "class_set": "Every authority of the class with a figure",
                                "class_median": "Median of those", "class_rank": "Rank among those",
                                "class_quartile": "Quarter among those"}),
          title=f"Value for money: cost against outcome, {found.needs.council_name} among those it is compared with "
                f"(computed comparators: {vfm.group_label}, unless the row says otherwise) and among every authority "
                "of its class with a figure (rank 1 = lowest spend or best outcome)",
          source="MHCLG Revenue Account budget (RA) and revenue outturn (RSX / time series), ONS mid-year population, "
                 "DEFRA waste and fly-tipping statistics (budget figures are budgets, not outturn)")
    for text in vfm.notes:
        note(text)


def cost_measure_note(found) -> None:
    """Which spend figure the efficiency gap rests on — outturn or budget, which lines, whom it is compared with,
    cash or real terms — and how it differs from the value-for-money cost."""
    cost = found.cost_measure
    basis = ("Budgeted net current expenditure (Revenue Account budget: what the council planned to spend, net of "
             "income — a budget, not outturn)" if cost.basis == "budget" else "Net current expenditure as published (outturn)")
    eff = found.result.efficiency or {}
    prices = (f"restated in real terms at {eff['price_base_year']} prices (× {eff['real_terms_factor']:.4f}, HM "
              f"Treasury GDP deflator)" if eff.get("real_terms_factor") and eff.get("year") != eff.get("price_base_year")
              else f"at {eff.get('price_base_year')} prices (the price base year: cash and real terms are the same)"
              if eff.get("price_base_year") else "cash terms")
    note(f"Spend measure used: {found.efficiency_lines}, {cost.year}, per head. Compared with: {cost.group_note}. "
         f"{basis}; the gap is in cash of {cost.year}, {prices}. A whole RS block shared with another service is "
         "never used for this question.")
    vfm = found.value_for_money
    if vfm is not None and vfm.cost is not None and vfm.cost.label != cost.label:
        note(f"This is not the value-for-money cost above ({vfm.cost.formatted(vfm.cost.council_value)} on "
             f"{vfm.cost.short}): the efficiency gap uses the most specific spend figure of the service "
             "(COST_MEASURE_RULES), per head, so the two cover different lines or years and are read separately.")


def efficiency_table(found) -> None:
    """The £ efficiency gap in cash and in real terms at the price base, with whom the medians are of."""
    eff = dict(found.result.efficiency)
    columns = ["year", "spend_per_head_gbp", "comparator_median_gbp", "comparator_lower_quartile_gbp", "n_comparators",
               "population", "gap_to_median_gbp_thousands", "gap_to_lower_quartile_gbp_thousands", "price_base_year",
               "real_terms_factor", "gap_to_median_real_gbp_thousands", "gap_to_lower_quartile_real_gbp_thousands"]
    frame = pd.DataFrame([{c: eff.get(c) for c in columns}])
    base = eff.get("price_base_year") or "the price base"
    whose = "Comparator" if not found.cost_measure.fallback else "Their"
    table(frame.rename(columns={
        "year": "Year of the spend", "spend_per_head_gbp": "Spend per head (£)",
        "comparator_lower_quartile_gbp": f"{whose} lower quartile per head (£)",
        "comparator_median_gbp": f"{whose} median per head (£)",
        "n_comparators": "Comparators" if whose == "Comparator" else "Councils compared with",
        "gap_to_median_gbp_thousands": "Gap to median (£k, cash)",
        "gap_to_lower_quartile_gbp_thousands": "Gap to lower quartile (£k, cash)", "price_base_year": "Price base",
        "real_terms_factor": "Deflator factor", "gap_to_median_real_gbp_thousands": f"Gap to median (£k, {base} prices)",
        "gap_to_lower_quartile_real_gbp_thousands": f"Gap to lower quartile (£k, {base} prices)"}),
        title=f"Efficiency gap (£ thousand a year; positive = the council spends more) on {found.efficiency_lines}",
        source=found.cost_measure.source + ("" if whose == "Comparator" else
                                            f". Compared with {found.cost_measure.compared_with} — not the computed "
                                            "comparators"),
        formats={"Spend per head (£)": ",.2f", f"{whose} median per head (£)": ",.2f",
                 f"{whose} lower quartile per head (£)": ",.2f", "population": ",.0f",
                 "Gap to median (£k, cash)": ",.1f", "Gap to lower quartile (£k, cash)": ",.1f",
                 "Deflator factor": ".4f", f"Gap to median (£k, {base} prices)": ",.1f",
                 f"Gap to lower quartile (£k, {base} prices)": ",.1f"})
    if found.real_terms_note:
        note(found.real_terms_note)


def unit_cost_table(found) -> None:
    """Unit costs: each cost basis over each output volume, with what the cost covers beside it (the council's
    service budget, and where question 3's cost is on fewer lines, those lines)."""
    table(found.result.unit_costs.rename(columns={"cost_covers": "What the cost covers"}),
          title="Unit cost: a cost divided by the council's output volume (what each cost covers is beside it)",
          source=f"{data_label(found.council_data)} (volumes); MHCLG Revenue Account budget (RA lines)",
          formats={"volume": ",.0f", "cost_gbp": ",.0f", "unit_cost_gbp": ",.2f"})
    shown = found.result.unit_costs
    if len(shown["cost_covers"].unique()) > 1:
        note("The same output volume is divided by more than one cost: the council's whole budget for the service, "
             "and the lines question 3's value-for-money cost is on. They cover different lines, so they give "
             "different unit costs; read each beside what it covers.")


def quadrant_caption(found, outcome, outside: int = 0) -> str:
    """The caption under a value-for-money quadrant: sources, the years set against each other, what the dashed
    lines and the band are, who is out of frame."""
    vfm = found.value_for_money
    compared = next((b.group_note for b in found.performance_measures if b.measure_id == outcome.id), "")
    text = (f"Sources: {vfm.cost.source}; {outcome.source}, {outcome.year}. Years: {vfm.years([outcome])}. Dashed "
            f"lines: the medians — cost among the {found.needs.group.label}; "
            f"{outcome.label.split(' (')[0].lower()}: {compared}. Shaded band: within ±{100 * vfm.tolerance:g} % of "
            "the outcome median, counted as at the median (this project's judgement).")
    if outside:
        text += (f" {outside} of the {vfm.class_name} with both figures lie outside the frame (they are counted in the "
                 "ranks and quarters above).")
    return text
