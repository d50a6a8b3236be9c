"""The Worcester (E07000237) ILLUSTRATIVE sample tells one story per service across its tables: the provider
register, the payments sample, the budget, the option descriptions and the sourcing plan agree."""

import pandas as pd
import pytest

from wcc_analysis.ingest.council.council_data import load_council_data
from wcc_analysis.ingest.council.supplier_payments import load_council_supplier_payments

TRUST = "Severnside Leisure Trust"


@pytest.fixture(scope="module")
def data():
    return load_council_data("E07000237")


@pytest.fixture(scope="module")
def payments():
    return load_council_supplier_payments("E07000237")


def test_leisure_management_fee_register_and_budget_agree(data, payments):
    fees = payments[payments["description"].str.startswith("Management fee")]
    assert set(fees["supplier_raw"]) == {TRUST}
    # April, May and June 2024 at £44,333.33 each: £132,999.99; twelve months = £531,999.96, the £532,000 net
    # budget (RA 2023-24 Recreation and sport) to within 4p
    assert fees["amount_gbp"].tolist() == [44_333.33] * 3
    assert round(float(fees["amount_gbp"].sum()), 2) == 132_999.99
    register = data.tables["providers"].set_index("provider")
    budget = data.table("services", "leisure")["budget_gbp"].iloc[0]
    assert register.loc[TRUST, "annual_value_gbp"] == budget == 532_000
    assert 12 * 44_333.33 == pytest.approx(budget, abs=0.05)
    assert register.loc[TRUST, "contract_end"] == pd.Timestamp("2028-03-31")
    assert not payments["supplier_raw"].str.contains("Riverside Active", regex=False).any()


def test_every_external_contract_in_the_register_is_paid_in_the_sample(data, payments):
    register = data.tables["providers"]
    holders = register[register["annual_value_gbp"].notna() & register["sector"].ne("in-house")]
    assert sorted(holders["provider"]) == ["Benefits Processing Partners Ltd", "Civic Print and Post Ltd",
                                           "GreenRound Environmental Ltd", "Midlands Community Sport CIC", TRUST]
    paid = payments["supplier_raw"].str.replace("&", "and", regex=False).str.replace(" Limited", " Ltd", regex=False)
    for provider in holders["provider"]:
        assert paid.eq(provider).any(), provider
    # the grounds maintenance sub-contract: £34,560 a quarter = the register's £138,240 a year
    ground = payments[payments["supplier_raw"] == "GreenRound Environmental Ltd"]["amount_gbp"]
    assert ground.tolist() == [34_560.0, 34_560.0]
    assert register.set_index("provider").loc["GreenRound Environmental Ltd", "annual_value_gbp"] == 4 * 34_560


def test_in_house_services_pay_no_one_to_run_them(payments):
    """Waste, museums and revenues and benefits are in-house: no payment is a collection or management contract."""
    for words in ("Refuse collection contract", "Grounds maintenance contract"):
        assert not payments["description"].str.contains(words, regex=False).any(), words
    assert payments.loc[payments["service_area"].str.startswith("Waste"), "supplier_raw"].str.startswith(
        ("Greenline Fleet", "GREENLINE FLEET", "Northfield", "BinCo", "Eastway", "Crewline")).all()


def test_leisure_options_are_described_and_planned_to_start_when_the_contract_ends(data):
    descriptions = data.table("option_descriptions", "leisure").set_index("option_id")["description"]
    costed = set(data.table("option_cashflows", "leisure")["option_id"])
    # the trust already runs the centres: business as usual is a trust, so outsourcing to the third sector is no
    # separate option; bringing the centres in-house is
    assert {"status_quo", "do_minimum", "in_house_transformation"} <= costed == set(descriptions.index)
    assert "outsource_third_sector" not in descriptions.index
    plan = data.table("sourcing_plan", "leisure")
    delivery = plan[plan["activity"] == "Deliver to users"].set_index("option_id")["start"]
    # every leisure option starts delivering the day after the trust's contract ends
    assert set(delivery) == {pd.Timestamp("2028-04-01")}
    assert set(delivery.index) == set(descriptions.index)
    assert plan["owner"].str.len().gt(0).all()


@pytest.mark.parametrize("service_id", ["leisure", "waste", "museums", "revenues_benefits"])
def test_each_service_describes_and_contracts_every_costed_option(data, service_id):
    costed = set(data.table("option_cashflows", service_id)["option_id"])
    described = set(data.table("option_descriptions", service_id)["option_id"])
    commercial = set(data.table("commercial_case", service_id)["option_id"])
    assert {"status_quo", "do_minimum"} <= costed == described == commercial
    # every change of delivery model has a plan; business as usual and the do-minimum carry on unchanged (leisure's
    # re-let and extension excepted)
    plan = data.table("sourcing_plan", service_id)
    assert costed - {"status_quo", "do_minimum"} <= set(plan["option_id"]) <= costed
