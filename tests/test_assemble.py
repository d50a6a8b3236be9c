"""The assembly layer's own rules: stand-in provider registers and block identity for portfolio totals."""

from types import SimpleNamespace

import pandas as pd

from wcc_analysis import assemble


def test_register_from_payments_leaves_out_individuals_and_unclassified():
    payments = pd.DataFrame({
        "supplier": ["A Ltd", "A Ltd", "Redacted (private individual)", "Mystery", "Trust"],
        "sector": ["private", "private", "individual", "unclassified", "third sector"],
        "amount_gbp": [100.0, 50.0, 10.0, 5.0, 20.0],
    })
    register = assemble._register_from_payments(payments, "waste")
    assert register.set_index("provider")["annual_value_gbp"].to_dict() == {"A Ltd": 150.0, "Trust": 20.0}
    assert set(register["in_district"]) == {"no"} and set(register["services"]) == {"waste"}


def test_services_on_the_same_block_share_one_spend_line():
    def report(label, year="2017-18"):
        return SimpleNamespace(cost_measure=SimpleNamespace(label=label, year=year))

    leisure = assemble.spend_line(report("RS block 'Cultural and related services' net spend per head (lower is cheaper)"))
    museums = assemble.spend_line(report("RS block 'Cultural and related services' net spend per head (lower is cheaper)"))
    assert leisure == museums == "RS block 'Cultural and related services' (2017-18)"
    assert assemble.spend_line(SimpleNamespace(cost_measure=None)) is None


def test_measure_kinds():
    row = SimpleNamespace
    assert assemble.measure_kind(row(polarity="volume", per_head=False)) == "volume"
    assert assemble.measure_kind(row(polarity="lower_is_better", per_head=True)) == "cost"
    assert assemble.measure_kind(row(polarity="higher_is_better", per_head=False)) == "performance"
