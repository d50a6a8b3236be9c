"""The public service map: services, shared RS blocks, and totals that count a block once."""

import pandas as pd
import pytest

from wcc_analysis.analysis import blocks
from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ConfigError, ParameterError


def test_seed_services_are_configured():
    config = load_config()
    assert sorted(config.services) == ["leisure", "museums", "revenues_benefits", "waste"]
    assert config.services["leisure"].name == "Leisure – Sports Centres"
    assert config.portfolio.id == "portfolio"
    assert config.portfolio.notebooks == ("priority_setting", "commissioning_overview")
    assert config.comparator_k == 15


def test_leisure_and_museums_share_the_cultural_block():
    config = load_config()
    sharing = {s.id for s in config.services_sharing_block("Cultural and related services")}
    assert sharing == {"leisure", "museums", "waste"}  # waste: grounds maintenance (parks)


def test_unknown_service_suggests_the_nearest():
    with pytest.raises(ParameterError, match="Did you mean 'leisure'"):
        load_config().service("leisre")


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


def test_malformed_config_is_a_clear_error(tmp_path):
    bad = tmp_path / "services.toml"
    bad.write_text("[portfolio\nid = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_unknown_block_in_config_is_rejected(tmp_path):
    text = (load_config().path.read_text()).replace(
        'rs_block = "Central services"', 'rs_block = "Central servces"'
    )
    path = tmp_path / "services.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="Central servces"):
        load_config(path)
