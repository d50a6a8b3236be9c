"""Sections of the commissioning overview (the whole portfolio)."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.core.labels import service_name
from wcc_analysis.core.text import money_k
from wcc_analysis.core.vocabulary import AMBER, GREEN, GREY, RED
from wcc_analysis.display.report import bullets, note, table

#: The counts in the order of the framework's questions (question 3 is answered by value for money).
QUESTIONS = ("delivering_need", "best_in_class", "value_for_money")


def portfolio_answers(counts: dict) -> None:
    """The seed's three questions answered as counts, with the RAG split behind each."""
    rows = []
    for key in QUESTIONS:
        c = counts[key]
        rows.append({"question": c["question"], "answer": f"{c['answer']} of {counts['services']}",
                     GREEN: c[GREEN], AMBER: c[AMBER], RED: c[RED], f"not assessed ({GREY})": c["not_assessed"]})
    table(pd.DataFrame(rows), title="The sourcing policy's key questions (answer = services rated Green)",
          source="each service's gap analysis in this pack (its answers and the evidence behind each)")
    note("Question 2 combines every published performance measure of a service (best in class rules in each gap "
         "analysis); question 3 is value for money — cost set against outcome, each outcome counted as better than, "
         "at or worse than the median (within a stated band around it, ±5 % by default, counts as at the median) — "
         "so a service with no outcome measure held for the council is Grey (cost only), however little it spends.")


def portfolio_gap_total(counts: dict, price_base_year: str | None = None) -> None:
    prices = f"real terms, {price_base_year} prices" if price_base_year else "cash"
    by_block = counts["efficiency_gap_by_block_gbp_thousands"]
    frame = pd.DataFrame([{"measure": k, "gap_to_median_gbp_thousands": v} for k, v in by_block.items()])
    table(frame, title=f"Efficiency gap to the median by published block or line (£ thousand a year, {prices}; against "
                       "whom: see the table above)",
          source="MHCLG revenue outturn or Revenue Account budget (the line each gap analysis names, its year in the "
                 "title above), over ONS mid-year population estimates; restated with the HM Treasury GDP deflator",
          formats={"gap_to_median_gbp_thousands": ",.1f"})
    note(f"{counts['efficiency_gap_note']} Each gap is against the median of those its service's spend figure is "
         "compared with (the computed comparators, or where too few of them have a figure, the other authorities of "
         "the class that do — named in the table above). Blocks spending above their median: "
         f"{money_k(counts['efficiency_gap_above_median_gbp_thousands'] * 1000)} a year above the median in all; net "
         f"over all blocks {money_k(counts['efficiency_gap_net_gbp_thousands'] * 1000)} ({prices}).")


def in_a_sentence(reports) -> None:
    """One sentence per service — its name, then its needs analysis's narrative."""
    bullets([f"{service_name(r.result.service_id)}: " + " ".join(r.result.narrative) for r in reports],
            title="In a sentence each")
