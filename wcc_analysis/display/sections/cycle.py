"""Sections of the commissioning overview: the cycle tracker (seed section 7) and SOLACE readiness (section 8).

Each takes the portfolio's cycle report (``assemble.cycle.CycleReport``). A council that has not supplied the
tables gets a note saying which files are missing and how to add them, not an error.
"""

from __future__ import annotations

import pandas as pd

from wcc_analysis.core.vocabulary import CYCLE_PHASES
from wcc_analysis.display import plots
from wcc_analysis.display.report import ILLUSTRATIVE, note, rule_frame, table

#: Plain headings for the tables of this section.
HEADERS = {
    "service_name": "Service", "phase": "Phase", "column": "Column", "activity": "Activity",
    "done": "Done", "in progress": "In progress", "not started": "Not started", "not needed": "Not needed",
    "not recorded": "Not recorded", "activities_done": "Activities done",
    "not_needed_and_why": "Judged not needed, and why", "condition": "Condition", "score": "Score (1–5)",
    "reading": "Reading", "evidence": "Evidence", "action": "Action", "owner": "Owner",
}


def _missing(cycle, tables: list[str], what: str) -> None:
    files = ", ".join(f"{t}.csv" for t in tables)
    note(f"{what}: the council ({cycle.code}) has not supplied {files}, so this section cannot be shown. To add "
         f"it, copy {files} from data/raw/council/_template/ to data/raw/council/{cycle.code}/ and fill in one row "
         "per line as data/raw/council/README.md describes; the section appears on the next run.", "missing")


def _source(cycle, files: str, illustrative: bool) -> str:
    flag = "ILLUSTRATIVE SAMPLE, not the council's own figures. " if illustrative else ""
    return f"{flag}Source: the council's {files} (data/raw/council/{cycle.code}/)"


def cycle_chart(cycle) -> None:
    """The portfolio on the cycle: each service in the column of its phase."""
    if "services" in cycle.missing_tracker:
        _missing(cycle, ["services"], "The portfolio on the commissioning cycle")
        return
    if cycle.tracker_illustrative:
        note(ILLUSTRATIVE.format(code=cycle.code), "warning")
    ax = plots.portfolio_cycle(cycle.placed, CYCLE_PHASES)
    plots.caption(ax, f"{_source(cycle, 'services.csv (seed_phase)', cycle.tracker_illustrative)}. Phases of the "
                      "commissioning cycle, Worcester City Council Commissioning Framework, section 7.",
                  illustrative=cycle.tracker_illustrative)


def cycle_tracker(cycle) -> None:
    """Each activity of the seed's phase table, by phase and column, with its status for every service."""
    if cycle.missing_tracker:
        _missing(cycle, cycle.missing_tracker, "Commissioning cycle tracker")
        return
    grid = cycle.grid.rename(columns=HEADERS)
    table(grid, title="Each activity of the framework's phase table (section 7: policy-making and sourcing columns) "
                      "and where it stands for each service ('not recorded': no row in cycle_activities.csv)",
          source=_source(cycle, "cycle_activities.csv", cycle.tracker_illustrative))


def cycle_proportionality(cycle) -> None:
    """Which activities were done for which service, and which were judged not needed and why."""
    if cycle.missing_tracker:
        _missing(cycle, cycle.missing_tracker, "Proportionality")
        return
    frame = cycle.proportionality.drop(columns="service_id").rename(columns=HEADERS)
    table(frame, title="Proportionality: the activities done for each service, and those judged not needed, with "
                       "the reason given",
          source=_source(cycle, "cycle_activities.csv", cycle.tracker_illustrative))
    note("The framework asks for a proportionate approach: \"The approach taken will be proportionate to the "
         "service, not all activities will be carried out in every case\" (section 7). An activity marked not "
         "needed must carry its reason in cycle_activities.csv; an activity with no row is counted as not recorded.")


def _readiness_rows(cycle) -> pd.DataFrame:
    rows = cycle.readiness.conditions
    return rows[["condition", "score", "reading", "evidence", "action", "owner"]].rename(columns=HEADERS)


def solace_chart(cycle) -> None:
    """The ten SOLACE conditions' scores, the weakest highlighted, their actions in the caption."""
    if cycle.missing_readiness:
        _missing(cycle, cycle.missing_readiness, "SOLACE readiness")
        return
    if cycle.readiness_illustrative:
        note(ILLUSTRATIVE.format(code=cycle.code), "warning")
    ax = plots.solace_readiness(cycle.readiness.conditions)
    actions = "; ".join(f"{plots.short_condition(r.condition)} ({r.score:.0f}): {r.action or 'no action recorded'}"
                        for r in cycle.readiness.weakest_actions.itertuples())
    plots.caption(ax, f"{_source(cycle, 'solace_readiness.csv (self-assessment)', cycle.readiness_illustrative)}. "
                      "Conditions: framework section 8, from a SOLACE publication. Weakest by the readiness rule "
                      f"below. Actions: {actions or 'none'}.", illustrative=cycle.readiness_illustrative)


def solace_table(cycle) -> None:
    """Every condition with its score, reading, evidence, action and owner; the weakest with their actions; the
    rule that reads them."""
    if cycle.missing_readiness:
        _missing(cycle, cycle.missing_readiness, "SOLACE readiness")
        return
    readiness = cycle.readiness
    table(_readiness_rows(cycle),
          title="The ten conditions for successful commissioning (framework section 8), self-assessed 1 (weak) to 5 "
                "(strong)", source=_source(cycle, "solace_readiness.csv", cycle.readiness_illustrative),
          formats={"Score (1–5)": "g"})
    table(readiness.weakest_actions.rename(columns=HEADERS),
          title="The weakest conditions and the action on each (weakest first)", formats={"Score (1–5)": "g"},
          source=_source(cycle, "solace_readiness.csv", cycle.readiness_illustrative))
    mean = "no condition scored" if readiness.mean_score is None else f"{readiness.mean_score:.1f} of 5"
    missing = f" Not assessed: {', '.join(readiness.not_assessed)}." if readiness.not_assessed else ""
    note(f"Mean score over the conditions assessed: {mean}.{missing}")
    table(rule_frame(cycle.rules), title="Readiness rule: which conditions are read as the weakest (first rule that "
                                         "holds)", source="wcc_analysis.analysis.cycle.READINESS_RULES")
