"""Sections of the option-appraisal report."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.core.text import listed
from wcc_analysis.core.vocabulary import GREEN, GREY, OPTION_LABELS, STATUS_QUO
from wcc_analysis.display import plots
from wcc_analysis.display.report import available, data_label, note, rag_answers, table


def option_label(option_id: str) -> str:
    """The reader's name of a sourcing option (the id itself if it is not one of the framework's)."""
    return OPTION_LABELS.get(option_id, option_id)


def preferred(result) -> None:
    """The preferred option as the report's answer: Green for a change of delivery model, Grey for no change."""
    rag_answers([("Preferred option", GREY if result.preferred == STATUS_QUO else GREEN, option_label(result.preferred))])


def long_list(found) -> None:
    """The options carried forward from the market screen, and which have been costed."""
    rows = [{"option": option_label(o), "costed": "no — add its cash flows to option_cashflows.csv" if o in found.not_costed else "yes"}
            for o in found.long_list]
    sample = found.market.result.screen_sample
    if sample:
        note("ILLUSTRATIVE SAMPLE: the long list comes from the market screen, which rests on the sample's "
             f"{listed(sample)} — invented figures, not the council's real market.", "warning")
    table(pd.DataFrame(rows), title="Long list: the status quo and the options the market analysis supports"
          + (" (screened on ILLUSTRATIVE SAMPLE evidence)" if sample else ""))
    if found.off_list:
        note("Costed by the council but not supported by the market screen, so left out of the appraisal: "
             + ", ".join(option_label(o) for o in found.off_list) + ".", "warning")


def optimism_note(result) -> None:
    uplifts = sorted({(item, v) for table_ in result.optimism.values() for item, v in table_.items() if v})
    text = ", ".join(f"{item} {v:.0%}" for item, v in uplifts) or "none"
    note(f"Optimism bias: cost uplifts used ({text}), by option type as in config/services.toml [appraisal]. "
         f"Source of the default values: {result.optimism_source}")


def equality_section(result) -> None:
    check = result.equality
    kind = "warning" if check.get("flagged") else "info"
    note(check.get("message", ""), kind)
    if check.get("present"):
        table(check["impacts"], title="Equality impact: groups affected, impact and mitigation")


def sourcing_plan_section(result, council_data) -> None:
    """The preferred option's Implement activities as a table and a timeline (none for the status quo)."""
    if result.preferred == STATUS_QUO:
        note("The status quo is preferred: no sourcing plan is needed; the service continues as it is.")
        return
    table(result.plan, title=f"Implement activities for {option_label(result.preferred)}", source=data_label(council_data))
    dated = result.plan.dropna(subset=["start"])
    if available(dated, "Dated sourcing plan"):
        ax = plots.timeline(dated, f"Sourcing plan: {option_label(result.preferred)}")
        plots.caption(ax, f"Source: the council's sourcing plan ({data_label(council_data)}).")
