"""The assembly layer's own rules: stand-in provider registers and block identity for portfolio totals."""

from types import SimpleNamespace

import pandas as pd

from wcc_analysis.analysis import measures
from wcc_analysis.assemble.gap import GapReport
from wcc_analysis.assemble.market import _register_from_payments


def test_register_from_payments_leaves_out_individuals_and_unclassified():
    payments = pd.DataFrame({
        "supplier": ["A Ltd", "A Ltd", "Redacted (private individual)", "Mystery", "Trust"],
        "sector": ["private", "private", "individual", "unclassified", "third sector"],
        "amount_gbp": [100.0, 50.0, 10.0, 5.0, 20.0],
    })
    register = _register_from_payments(payments, "waste")
    assert register.set_index("provider")["annual_value_gbp"].to_dict() == {"A Ltd": 150.0, "Trust": 20.0}
    assert set(register["in_district"]) == {"no"} and set(register["services"]) == {"waste"}


def test_register_from_payments_leaves_out_capital_and_keeps_the_sample_mark():
    payments = pd.DataFrame({
        "supplier": ["Trust", "Builder Ltd", "Builder Ltd", "Pool Ltd"],
        "sector": ["third sector", "private", "private", "private"],
        "amount_gbp": [100.0, 5000.0, 10.0, 30.0],
        "spend_type": ["revenue", "capital", "revenue", "revenue"],
        "data_status": ["illustrative", "illustrative", "illustrative", ""],
    })
    register = _register_from_payments(payments, "leisure").set_index("provider")
    # the builder's capital £5,000 is not a provider's value; its £10 of revenue work is
    assert register["annual_value_gbp"].to_dict() == {"Builder Ltd": 10.0, "Pool Ltd": 30.0, "Trust": 100.0}
    assert register["data_status"].to_dict() == {"Builder Ltd": "illustrative", "Pool Ltd": "council",
                                                 "Trust": "illustrative"}


def test_services_on_the_same_block_share_one_spend_line():
    def report(measure_id, year="2017-18"):
        cost = SimpleNamespace(spend_line=measures.get(measure_id).spend_line, year=year)
        return GapReport(None, None, [], [], {}, cost, None)

    leisure = report("leisure_rs_cultural_net_per_head").spend_line
    museums = report("museums_rs_cultural_net_per_head").spend_line
    assert leisure == museums == "RS block 'Cultural and related services' (2017-18)"
    assert GapReport(None, None, [], [], {}, None, None).spend_line is None
    # the line is named by the catalogue, never cut out of a display label
    assert measures.get("waste_collection_recycling_net_per_head").spend_line == "Waste collection + recycling"
