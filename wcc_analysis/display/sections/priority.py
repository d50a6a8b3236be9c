"""Sections of the priority-setting report."""

from __future__ import annotations

from wcc_analysis.display.report import available, data_label, table


def budgets(found) -> None:
    """The budgets of the services in scope, with their total (from the council's services table)."""
    shown = found.budgets()
    if available(shown, "Budgets (no services table in the council's files)"):
        table(shown, title="Budgets of the services in scope (£)", source=data_label(found.council_data),
              formats={"budget_gbp": ",.0f"})


def block_spend(found, council_name: str) -> None:
    """The council's latest published net spend on each block its services are in, each block once."""
    if available(found.block_spend if found.block_year else None, "Published spend by block"):
        table(found.block_spend, title=f"Published net current expenditure, {council_name}, {found.block_year} "
              "(£ thousand), each RS block once",
              source=f"MHCLG revenue outturn {found.block_year}, net current expenditure, OGL v3",
              formats={"net_expenditure_gbp_thousands": ",.0f"})
