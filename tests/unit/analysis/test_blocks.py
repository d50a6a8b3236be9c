"""RS blocks shared by services, and portfolio totals that count each block once."""

import pandas as pd

from wcc_analysis.analysis import blocks
from wcc_analysis.core.config import load_config


def test_leisure_and_museums_share_the_cultural_block():
    config = load_config()
    sharing = {s.id for s in config.services_sharing_block("Cultural and related services")}
    assert sharing == {"leisure", "museums", "waste"}  # waste: grounds maintenance (parks)


def test_portfolio_total_counts_each_block_once():
    config = load_config()
    outturn = pd.DataFrame({
        "ons_code": ["E1"] * 4,
        "year": ["2017-18"] * 4,
        "year_start": [2017] * 4,
        "rs_block": ["Cultural and related services", "Environmental and regulatory services",
                     "Central services", "Housing services (GFRA only)"],
        "net_expenditure_gbp_thousands": [3320.0, 2276.0, 2480.0, 2851.0],
    })
    table, year = blocks.portfolio_block_spend(outturn, "E1", config)
    assert year == "2017-18"
    assert table["rs_block"].tolist().count("Cultural and related services") == 1
    assert table.iloc[-1]["net_expenditure_gbp_thousands"] == 3320 + 2276 + 2480 + 2851
    cultural = table.set_index("rs_block").loc["Cultural and related services"]
    assert cultural["main_block_of"] == "Leisure – Sports Centres, Museums"
    assert cultural["also_holds_part_of"] == "Waste collection and grounds maintenance"
