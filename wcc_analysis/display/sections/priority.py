"""Sections of the priority-setting report."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.display.report import data_label, note, table


def budgets(council_data) -> None:
    services = council_data.services
    if services is None:
        note("Budgets: not available (no services table in the council's files).", "missing")
        return
    shown = services[["service_id", "service_name", "budget_gbp", "category", "seed_phase", "data_status"]]
    total = pd.DataFrame([{"service_id": "", "service_name": "Total", "budget_gbp": services["budget_gbp"].sum(),
                           "category": "", "seed_phase": "", "data_status": ""}])
    table(pd.concat([shown, total], ignore_index=True), title="Budgets of the services in scope (£)",
          source=data_label(council_data), formats={"budget_gbp": ",.0f"})


def priority_headline(result, council_data) -> dict:
    if result is None:
        return {"priority_scores_available": False}
    return {**result.headline(), "council_data": "illustrative" if council_data.illustrative else "council"}
