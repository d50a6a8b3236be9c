"""The leisure market analysis on the Worcester ILLUSTRATIVE sample's payments, hand-checked."""

import pytest

from wcc_analysis.assemble.market import market_for_service
from wcc_analysis.core.config import load_config


def test_leisure_spend_concentration_on_the_sample_payments():
    config = load_config()
    report = market_for_service("E07000237", config.services["leisure"], config)
    revenue = report.service_revenue
    totals = revenue.groupby("supplier")["amount_gbp"].sum().round(2).sort_values(ascending=False)
    # Severnside Leisure Trust: 3 monthly fees of £44,333.33 + a £12,340.55 utilities recharge; Midlands Community
    # Sport CIC 2 × £11,250; FitKit 2 × £2,950 − a £295 credit note; Aquaplant £3,480 + £1,126.80; Northbank £750
    assert totals.to_dict() == {"Severnside Leisure Trust": 145_340.54, "Midlands Community Sport CIC": 22_500.0,
                                "FitKit Equipment Ltd": 5_605.0, "Aquaplant Pool Services Ltd": 4_606.8,
                                "Northbank Boxing Club": 750.0}
    total = 178_802.34
    assert totals.sum() == pytest.approx(total, abs=0.005)
    shares = [v / total for v in totals]
    assert shares[0] == pytest.approx(0.8129, abs=5e-5)
    concentration = report.result.spend_concentration
    # CR3 = (145,340.54 + 22,500 + 5,605) / 178,802.34 = 0.9700; HHI = 10,000 × Σ share² = 6,782.3
    assert concentration.cr3 == pytest.approx(0.9700, abs=5e-5)
    assert concentration.hhi == pytest.approx(10_000 * sum(s * s for s in shares), abs=0.05)
    assert round(concentration.hhi, 1) == 6782.3
    # the register and comparators are unchanged by the payments: the screen supports the same options
    assert report.result.maturity.rating == "High"
