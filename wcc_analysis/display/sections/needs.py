"""Sections of the needs-analysis report."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.core.config import Service
from wcc_analysis.core.vocabulary import ILLUSTRATIVE
from wcc_analysis.display.report import note, number, table


def block_note(result, chosen: Service) -> None:
    others = result.others_in_block
    text = (f"Figures are for the RS block '{result.block}' (net current expenditure, £ thousand, as published). ")
    text += (f"That block also holds {', '.join(others)}, so it is not {chosen.name} alone. " if others
             else "No other configured service shares this block. ")
    if chosen.other_blocks:
        text += f"Part of this service is published in another block ({', '.join(chosen.other_blocks)}), not included here. "
    if chosen.ro_lines:
        text += ("The detailed Revenue Outturn lines for this service (" + "; ".join(chosen.ro_lines)
                 + ") are not in the shipped data for this council, so the block is the most specific published figure.")
    note(text)


def council_budget(council_data, service_id: str) -> None:
    services = council_data.services
    if services is None or service_id not in set(services["service_id"]):
        note("Council's own budget for this service: not available (no row in the council's services table).", "missing")
        return
    row = services.set_index("service_id").loc[service_id]
    sample = row["data_status"] == ILLUSTRATIVE
    kind = "warning" if sample else "info"
    label = " — ILLUSTRATIVE SAMPLE, not the council's own figure" if sample else ""
    note(f"Council's own budget for {row['service_name']}: £{row['budget_gbp']:,.0f}{label}; "
         f"seed phase: {row['seed_phase']}; category: {row['category']}.", kind)


def comparator_method(result) -> None:
    group = result.group
    note(f"Method: {group.method()} Pool: authorities of class {result.council_class} in the RS {result.year} "
         f"return that appear in every source used ({group.pool_size} authorities; {len(group.left_out)} left out, listed below).")


def position_table(result) -> None:
    p = result.position
    row = result.council_row
    frame = pd.DataFrame([
        {"measure": f"{result.council_name} spend per head (£)", "value": f"{row['spend_per_head_gbp']:,.2f}"},
        {"measure": "Comparator lower quartile (£)", "value": f"{p['q1']:,.2f}"},
        {"measure": "Comparator median (£)", "value": f"{p['median']:,.2f}"},
        {"measure": "Comparator upper quartile (£)", "value": f"{p['q3']:,.2f}"},
        {"measure": "Rank (1 = lowest spend)", "value": f"{p['rank']} of {p['of']}"},
        {"measure": "Position", "value": p["quartile"]},
    ])
    table(frame, title=f"{result.block}, {result.year}: position in the computed comparator group",
          source=f"MHCLG RS {result.year}; census-trend population")


def geographic_table(result) -> None:
    if result.geographic.empty:
        note("Geographic neighbours: none of the same class with published figures for this year.", "missing")
        return
    shown = result.geographic.assign(relation=result.geographic["relation"].map(
        {"shares_boundary": "shares a boundary", "nearby": "nearby"}))
    table(shown, title=f"Geographic neighbours of the same class, {result.block}, {result.year}",
          source="ONS Local Authority Districts 2021 neighbours; MHCLG RS; census-trend population",
          formats={"spend_per_head_gbp": ",.2f"})
    p = result.geographic_position
    note(f"Against its {p['of'] - 1} geographic neighbours of the same class, {result.council_name} ranks "
         f"{p['rank']} of {p['of']} (1 = lowest spend); their median is £{p['median']:,.2f} per head.")


def drivers_table(result) -> None:
    """Population change and deprivation beside the comparator median (the drivers of need)."""
    table(
        result.drivers[["indicator", "council", "comparator_median"]],
        title="Population change and deprivation, council and comparator median",
        source="ONS Census 2011 and 2021; English Indices of Deprivation 2019 and 2025 (MHCLG), local authority summaries",
        formats={"council": number, "comparator_median": number},
    )
