"""Sections of the option appraisal for the Green Book's five cases: coverage, the shortlist, commercial, management.

Shows what :mod:`wcc_analysis.analysis.options.business_case` computed (this
layer imports no analysis): the five-case coverage table with its rule, the
shortlist with one sentence per option, and the commercial and management cases
in brief. Every table says whether it rests on the council's own files or the
ILLUSTRATIVE SAMPLE.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from wcc_analysis.core.rules import RuleTable
from wcc_analysis.display.report import available, data_label, note, rule_frame, table

COVERAGE_HEADERS = {
    "case": "Case", "question": "The question it answers", "coverage": "Coverage", "sections": "Where in the pack",
    "in_the_pack": "In the pack", "missing": "Missing", "never_in_this_pack": "A full case adds (not in this pack)",
}
COMMERCIAL_HEADERS = {
    "option": "Option", "procurement_route": "Procurement route", "route_basis": "Legal basis", "tupe": "TUPE",
    "pensions": "Pensions", "contract_years": "Contract length (years)", "break_points": "Break points",
    "gaps": "Not given",
}
MILESTONE_HEADERS = {"milestone": "Milestone", "date": "Date", "owner": "Owner", "flag": "Flag"}


def _sample(council_data, *tables: str) -> bool:
    return bool(council_data.is_illustrative(*tables))


def _source(council_data, name: str) -> str:
    return f"the council's {name} ({data_label(council_data)})"


def five_cases(coverage: pd.DataFrame, sentence: str, rules: RuleTable | None = None) -> None:
    """The five cases, how far the pack covers each and where, then the rule that decided it."""
    if not available(coverage, "The Green Book's five cases"):
        return
    note(sentence)
    table(coverage.rename(columns=COVERAGE_HEADERS), title="The Green Book's five cases: what this pack covers",
          source="HM Treasury five case model; the pack's own sections")
    if rules is not None:
        table(rule_frame(rules), title="Five case coverage rules (the first that holds decides)")


def described_shortlist(descriptions: pd.DataFrame, council_data) -> None:
    """The shortlist: each option with the council's one-sentence description (or what to add)."""
    if not available(descriptions, "Shortlist"):
        return
    if _sample(council_data, "option_descriptions"):
        note("ILLUSTRATIVE SAMPLE: the option descriptions are invented for the sample, not the council's.", "warning")
    undescribed = descriptions.loc[~descriptions["described"].astype(bool), "option"].tolist()
    if undescribed:
        note(f"Not described: {', '.join(undescribed)}. Add one sentence for each to option_descriptions.csv.",
             "missing")
    table(descriptions[["option", "description"]].rename(columns={"option": "Option", "description": "Description"}),
          title="Shortlist: business as usual, the do-minimum and the options carried forward",
          source=_source(council_data, "option descriptions"))


def commercial_case(summaries: Sequence, council_data, routes: pd.DataFrame | None = None) -> None:
    """The commercial case in brief: each option's procurement route and its legal basis, TUPE, pensions, contract
    length and break points (``summaries`` are CommercialSummary objects, or a commercial table's rows)."""
    frame = summaries if isinstance(summaries, pd.DataFrame) else pd.DataFrame([{
        "option": s.label, "procurement_route": s.procurement_route, "route_basis": s.route_basis, "tupe": s.tupe,
        "pensions": s.pensions, "contract_years": s.contract_years, "break_points": s.break_points,
        "gaps": "; ".join(s.gaps)} for s in summaries])
    if not available(frame, "Commercial case"):
        return
    note("The commercial case is in brief: the procurement route, staff transfer (TUPE), pensions, contract length "
         "and break points for each option. A full commercial case also sets out the risk allocation, the payment "
         "mechanism and the accountancy treatment.")
    if _sample(council_data, "commercial_case"):
        note("ILLUSTRATIVE SAMPLE: the commercial case is invented for the sample, not the council's.", "warning")
    shown = frame.drop(columns=[c for c in ("option_id",) if c in frame.columns])
    table(shown.rename(columns=COMMERCIAL_HEADERS), title="Commercial case (in brief)",
          source=_source(council_data, "commercial case"), formats={"Contract length (years)": "g"})
    if routes is not None and not routes.empty:
        table(routes.rename(columns={"route": "Procurement route", "basis": "Legal basis"}),
              title="Procurement routes (Procurement Act 2023) and the law each rests on")


def management_case(summary, council_data) -> None:
    """The management case in brief for one option: its plan in a sentence, the milestones with their owners,
    and a flag for an activity with no owner or a framework activity not planned."""
    note("The management case is in brief: the sourcing plan's Implement activities, their dates and owners, and "
         "the milestones (each activity's end date). A full management case also sets out governance, risk "
         "management, a benefits realisation plan and evaluation.")
    if _sample(council_data, "sourcing_plan"):
        note("ILLUSTRATIVE SAMPLE: the sourcing plan is invented for the sample, not the council's.", "warning")
    note(summary.sentence, "warning" if summary.flags else "info")
    if summary.milestones is None or summary.milestones.empty:
        return
    table(summary.milestones.rename(columns=MILESTONE_HEADERS),
          title=f"Milestones for {summary.label}: each Implement activity's end date and its owner",
          source=_source(council_data, "sourcing plan"), formats={"Date": lambda d: f"{d.day} {d:%B %Y}"})
