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


def test_comparator_models_from_config():
    config = load_config()
    area = config.comparator_model("leisure")
    assert area.name == "area model" and area.weights["share_under_16"] == 0.5 and len(area.weights) == 7
    waste = config.comparator_model("waste")
    # the waste model overrides one weight and keeps the others
    assert waste.weights == {**area.weights, "density_per_km2": 2.0} and "WRAP" in waste.reason
    assert config.stability_weight_change == 0.5
    assert area.transforms == {"population": "log", "density_per_km2": "log"} and waste.transforms == area.transforms
    assert config.comparator_model("revenues_benefits").weights["tax_base_per_head"] == 1.0  # net of the LCTS scheme


@pytest.mark.parametrize(("old", "new", "message"), [
    ("tax_base_per_head = 1.0\n", "tax_base_per_head = 1.0\nband_d = 1.0\n", "unknown indicator"),
    ("imd_score = 1.0\n", "imd_score = -1.0\n", "weight of .imd_score. = -1.0 is out of range"),
    ("stability_weight_change = 0.5", "stability_weight_change = 1.5", "stability_weight_change = 1.5 is out of range"),
    ('[comparators.models.waste]\n', '[comparators.models.wastes]\n', "unknown service"),
    ('weights = { density_per_km2 = 2.0 }', 'weights = { density = 2.0 }', "unknown indicator"),
    ('density_per_km2 = "log"', 'density_per_km2 = "sqrt"', "each value one of"),
])
def test_bad_comparator_settings_are_clear_errors(tmp_path, old, new, message):
    text = load_config().path.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "services.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_service_model_needs_a_reason(tmp_path):
    text = load_config().path.read_text(encoding="utf-8")
    start = text.index('reason = """Settlement pattern')
    end = text.index('weights = { density_per_km2 = 2.0 }')
    path = tmp_path / "services.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match="needs a reason"):
        load_config(path)
