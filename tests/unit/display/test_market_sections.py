"""The market report's sections: capital shown apart, revenue-only concentration, the illustrative sample said plainly."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from wcc_analysis.analysis import market
from wcc_analysis.display.sections import market as sections
from wcc_analysis.display.sections import options as option_sections

REGISTER = pd.DataFrame({
    "provider": ["Trust", "Ltd A", "CIC"], "sector": ["third sector", "private", "community"],
    "services": ["leisure"] * 3, "in_district": ["yes", "no", "yes"],
})
PAYMENTS = pd.DataFrame(
    [("Trust", "T1", "Management fee", 900.0), ("Pool Ltd", "P1", "Pool plant service", 100.0),
     ("Build Ltd", "B1", "Valuation 2", 5000.0)],
    columns=["supplier", "reference", "description", "amount_gbp"],
).assign(payment_date=pd.Timestamp("2024-05-01"), sector="private")


def _found(register: pd.DataFrame, *, illustrative: bool, **inputs) -> SimpleNamespace:
    result = market.analyse(register, service_id="leisure", payments=PAYMENTS, **inputs)
    council_data = SimpleNamespace(illustrative=illustrative, code="E07000237")
    return SimpleNamespace(result=result, council_data=council_data, has_evidence=True,
                           register_from_payments=False)


def test_maturity_and_screen_say_plainly_when_they_rest_on_the_sample(shown):
    found = _found(REGISTER.assign(data_status="illustrative"), illustrative=True,
                   sample_inputs=[market.CATEGORY_INPUT], category="Should Do")
    sections.maturity_note(found)
    assert "ILLUSTRATIVE SAMPLE: this market maturity rating" in shown[0] and "provider register" in shown[0]
    assert "Computed market maturity (ILLUSTRATIVE SAMPLE)" in shown[1]
    shown.clear()
    sections.options_screen(found)
    assert "ILLUSTRATIVE SAMPLE: the screen of sourcing options" in shown[0]
    assert "provider register and service category" in shown[0]
    assert "ILLUSTRATIVE SAMPLE evidence" in shown[1] and "Why (the evidence)" in shown[1]
    shown.clear()
    council = SimpleNamespace(table=lambda *_a: None, code="E07000237", illustrative=True)
    option_sections.shortlist(SimpleNamespace(market=found, long_list=["status_quo"], not_costed=[], off_list=[],
                                              council_data=council, service_id="leisure"))
    assert "ILLUSTRATIVE SAMPLE: the long list comes from the market screen" in shown[0]


def test_the_councils_own_register_gets_no_sample_warning(shown):
    found = _found(REGISTER.assign(data_status="council"), illustrative=False)
    sections.maturity_note(found)
    sections.options_screen(found)
    assert not any("ILLUSTRATIVE" in m for m in shown)


def test_concentration_on_revenue_and_capital_shown_apart(shown):
    found = _found(REGISTER, illustrative=False)
    sections.capital_section(found, "Leisure")
    assert "1 payment totalling £5,000 to 1 supplier" in shown[0]
    assert "Build Ltd" in shown[1] and "Valuation 2" in shown[1]
    assert "line by line" in shown[2] and "01 May 2024" in shown[2] and "5,000.00" in shown[2]
    shown.clear()
    sections.concentration_note(found.result.spend_concentration, found.result)
    # revenue £1,000: Trust 0.9, Pool 0.1 → HHI 8,100 + 100 = 8,200; with the build: Build 5/6, Trust 0.15
    text = shown[0]
    assert "revenue payments only" in text and "HHI 8,200" in text
    assert "not competition in the market" in text
    assert "counted in, the largest supplier would be Build Ltd (83%)" in text
