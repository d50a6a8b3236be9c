"""Sections of the gap-analysis report."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.display.report import bullets, note, number_3, table


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
    table(frame, title="Published measures for this service (rank 1 = best; for spend, the lowest)",
          formats={"council_value": number_3, "median": number_3})


def need_signals(signals: dict[str, bool]) -> None:
    """The drivers of need behind question 1, each answered yes or no."""
    bullets([f"{text}: {'yes' if flag else 'no'}" for text, flag in signals.items()],
            title="Drivers of need (from the needs analysis; ONS mid-year population estimates, English Indices of "
                  "Deprivation)")


def cost_measure_note(found) -> None:
    """Which spend figure question 3 rests on: outturn or budget, the lines or block, and the population used."""
    cost = found.cost_measure
    basis = ("Budgeted net current expenditure (Revenue Account budget: what the council planned to spend, net of "
             "income — a budget, not outturn)" if cost.basis == "budget" else "Net current expenditure as published (outturn)")
    note(f"Spend measure used: {cost.label}, {cost.year} ({cost.group_note}). {basis}, cash terms. A whole RS block "
         "shared with another service is never used for this question.")


def measure_trends(found) -> list:
    """Each published performance measure that has a series of years: a table of the council against the
    comparators' median. Returns the measures shown, for the charts."""
    shown = [b for b in found.benchmarked if b.kind == "performance" and b.trend is not None and len(b.trend)]
    for b in shown:
        table(b.trend, title=f"{b.label}: {found.needs.council_name} and the comparator median, every year published",
              source=f"{b.source}. Comparators: today's computed group ({b.group_note}).",
              formats={"council": b.value_format, "comparator_median": b.value_format})
    return shown
