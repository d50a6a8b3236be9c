"""config/services.toml [value_for_money]: which budget lines a service's outcomes describe, per household or per head."""

import pytest

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ConfigError


def test_waste_is_counted_per_household_on_its_waste_lines_others_per_head_on_all_their_lines():
    config = load_config()
    waste = config.value_for_money_spec("waste")
    assert waste.cost_lines == ("Waste collection", "Recycling") and waste.per_household
    assert "Open spaces" in waste.note  # why grounds maintenance is left out of the cost set against outcomes
    leisure = config.value_for_money_spec("leisure")
    assert leisure.cost_lines == config.services["leisure"].ra_lines and not leisure.per_household


def test_the_outcome_band_is_five_per_cent_by_default_and_configurable(tmp_path):
    assert load_config().outcome_tolerance == 0.05  # config/services.toml [value_for_money] outcome_tolerance_pct = 5
    text = load_config().path.read_text(encoding="utf-8")
    assert "\noutcome_tolerance_pct = 5\n" in text

    def loaded(setting: str, name: str):
        path = tmp_path / f"{name}.toml"
        path.write_text(text.replace("\noutcome_tolerance_pct = 5\n", f"\n{setting}\n"), encoding="utf-8")
        return load_config(path)

    changed = loaded("outcome_tolerance_pct = 2.5", "narrow")
    assert changed.outcome_tolerance == 0.025 and changed.value_for_money_spec("waste").per_household
    assert loaded("", "absent").outcome_tolerance == 0.05  # absent: the default
    for i, bad in enumerate(("-1", "50", '"five"', "true")):
        with pytest.raises(ConfigError, match="outcome_tolerance_pct must be a number of per cent"):
            loaded(f"outcome_tolerance_pct = {bad}", f"bad{i}")


@pytest.mark.parametrize("section, message", [
    ('[value_for_money.waste]\ncost_lines = ["Street cleansing"]\n', "among the service's ra_lines"),
    ('[value_for_money.waste]\nper = "dwelling"\n', 'per must be "head" or "household"'),
    ('[value_for_money.waste]\nlines = ["Recycling"]\n', "unknown keys"),
    ('[value_for_money.parks]\nper = "head"\n', "unknown service"),
])
def test_bad_settings_are_clear_errors(tmp_path, section, message):
    text = load_config().path.read_text(encoding="utf-8").split("[value_for_money]")[0]
    path = tmp_path / "services.toml"
    path.write_text(text + "[value_for_money]\n" + section, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path).value_for_money_spec("waste")
