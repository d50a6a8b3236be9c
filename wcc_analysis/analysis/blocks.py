"""RS service blocks shared between services, and portfolio totals that count each block once."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.core.config import Config


def block_map(config: Config, service_ids: list[str] | None = None) -> pd.DataFrame:
    """One row per RS block: the services whose spending is published in it (main or part)."""
    chosen = [config.service(s) for s in (service_ids or sorted(config.services))]  # ParameterError if unknown
    rows = []
    for block in config.rs_blocks:
        main = [s.name for s in chosen if s.rs_block == block]
        part = [s.name for s in chosen if block in s.other_blocks]
        if main or part:
            rows.append({"rs_block": block, "main_block_of": ", ".join(main), "also_holds_part_of": ", ".join(part)})
    return pd.DataFrame(rows, columns=["rs_block", "main_block_of", "also_holds_part_of"])


def portfolio_block_spend(outturn: pd.DataFrame, council: str, config: Config, service_ids: list[str] | None = None) -> tuple[pd.DataFrame, str | None]:
    """The council's latest published spend on each block the portfolio touches, each block once.

    Returns (table with a final total row, year). A block shared by several
    services appears once, so the total never counts a block twice.
    """
    blocks = block_map(config, service_ids)
    mine = outturn[(outturn["ons_code"] == council) & outturn["rs_block"].isin(blocks["rs_block"])]
    mine = mine[mine["net_expenditure_gbp_thousands"].notna()]
    if mine.empty:
        return blocks.assign(net_expenditure_gbp_thousands=float("nan")), None
    year_start = int(mine["year_start"].max())
    latest = mine[mine["year_start"] == year_start].set_index("rs_block")["net_expenditure_gbp_thousands"]
    table = blocks.assign(net_expenditure_gbp_thousands=blocks["rs_block"].map(latest))
    total = pd.DataFrame(
        [{"rs_block": "Total (each block counted once)", "main_block_of": "", "also_holds_part_of": "",
          "net_expenditure_gbp_thousands": table["net_expenditure_gbp_thousands"].sum()}]
    )
    year = str(mine.loc[mine["year_start"] == year_start, "year"].iloc[0])
    return pd.concat([table, total], ignore_index=True), year
