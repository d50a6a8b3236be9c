"""Sections of the priority-setting report."""

from __future__ import annotations

from wcc_analysis.display.report import available, data_label, table


def budgets(found) -> None:
    """The budgets of the services in scope, with their total (from the council's services table)."""
    shown = found.budgets()
    if available(shown, "Budgets (no services table in the council's files)"):
        table(shown, title="Budgets of the services in scope (£)", source=data_label(found.council_data),
              formats={"budget_gbp": ",.0f"})
