"""config/services.toml: the framework's services configured, clear errors for a malformed or inconsistent file."""

import pytest

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ConfigError, ParameterError


def test_seed_services_are_configured():
    config = load_config()
    assert sorted(config.services) == ["leisure", "museums", "revenues_benefits", "waste"]
    assert config.services["leisure"].name == "Leisure – Sports Centres"
    assert config.portfolio.id == "portfolio"
    assert config.portfolio.notebooks == ("priority_setting", "commissioning_overview")
    assert config.comparator_k == 15


def test_unknown_service_suggests_the_nearest():
    with pytest.raises(ParameterError, match="Did you mean 'leisure'"):
        load_config().service("leisre")


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
