"""Market analysis: concentration, providers, maturity and the option screen, checked by hand."""

from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.analysis import market
from wcc_analysis.core import vocabulary
from wcc_analysis.core.errors import InputTableError, MissingDataError, ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always

# --- shares, HHI, CR3 ------------------------------------------------------------------


def test_hhi_and_cr3_worked_examples():
    # 50/30/20: 50² + 30² + 20² = 2,500 + 900 + 400 = 3,800; three largest = 1.0
    assert market.hhi([0.5, 0.3, 0.2]) == pytest.approx(3800)
    assert market.cr3([0.5, 0.3, 0.2]) == pytest.approx(1.0)
    # 40/20/20/10/10: 1,600 + 400 + 400 + 100 + 100 = 2,600; 0.4 + 0.2 + 0.2 = 0.8
    assert market.hhi([0.4, 0.2, 0.2, 0.1, 0.1]) == pytest.approx(2600)
    assert market.cr3([0.1, 0.4, 0.2, 0.1, 0.2]) == pytest.approx(0.8)  # order does not matter
    # a monopoly is 100² = 10,000
    assert market.hhi([1.0]) == pytest.approx(10000)


def test_hhi_rejects_percentages():
    with pytest.raises(ValueError, match="fractions"):
        market.hhi([50, 30, 20])


def test_shares_sorted_descending_ties_by_name_credits_dropped():
    payments = pd.DataFrame(
        {
            "supplier": ["A", "A", "B", "C", "Zed", "Alpha", "Refund Ltd"],
            "amount_gbp": [30.0, 20.0, 30.0, 20.0, 25.0, 25.0, -5.0],
        }
    )
    table = market.shares(payments, "supplier")
    # A = 50, B = 30, then Alpha, Zed tied on 25 (by name), then C = 20; Refund Ltd net −5 is dropped.
    # grand total 150 → A 1/3, B 0.2, Alpha and Zed 1/6, C 2/15
    assert table["supplier"].tolist() == ["A", "B", "Alpha", "Zed", "C"]
    assert table["total"].tolist() == [50.0, 30.0, 25.0, 25.0, 20.0]
    assert table["share"].tolist() == pytest.approx([1 / 3, 0.2, 1 / 6, 1 / 6, 2 / 15])
    assert list(table.columns) == ["supplier", "total", "share"]


# --- concentration: spend vs market ----------------------------------------------------


def _payments(values):
    return pd.DataFrame({"supplier": [f"S{i}" for i in range(len(values))], "amount_gbp": values})


@pytest.mark.parametrize(
    "hhi_value, band",
    [
        (999.99, "unconcentrated"),
        (1000.0, "unconcentrated"),  # 10 firms at 10 % each: not above 1,000
        (2000.0, "concentrated"),  # 5 firms at 20 % each: above 1,000, not above 2,000
        (2000.01, "highly concentrated"),
    ],
)
def test_2010_bands_at_their_boundaries(hhi_value, band):
    assert market.hhi_band_2010(hhi_value) == band
    assert market.HHI_BANDS_2010.decide(market.HhiFacts(hhi_value)) == band


def test_market_concentration_quotes_the_2010_bands_as_superseded():
    register = pd.DataFrame({"provider": ["P", "Q", "R"], "annual_value_gbp": [500.0, 300.0, 200.0]})
    c = market.concentration(register, "market")
    assert c.kind == "market concentration"
    assert c.hhi == pytest.approx(3800) and c.cr3 == pytest.approx(1.0) and c.n_providers == 3
    assert c.band == "highly concentrated"
    # ten equal providers: 10 × 10² = 1,000 → unconcentrated (the 2010 band starts above 1,000)
    ten = pd.DataFrame({"provider": list("ABCDEFGHIJ"), "annual_value_gbp": [1.0] * 10})
    assert market.concentration(ten, "market").band == "unconcentrated"


def test_band_text_names_the_2010_guidance_as_superseded_and_the_current_cma_guidance():
    register = pd.DataFrame({"provider": ["P", "Q", "R"], "annual_value_gbp": [500.0, 300.0, 200.0]})
    c = market.concentration(register, "market")
    for text in (c.band_source, market.BAND_SOURCE):
        assert "2010" in text and "CC2" in text and "OFT1254" in text and "SUPERSEDED" in text
        assert "CMA129" in text and "2021" in text and "no HHI thresholds" in text
    assert "superseded" in c.description and "CMA129" in c.description and "2010" in c.description
    # never presented as the CMA's current guidance: no "the CMA's guidelines regard …" wording anywhere
    printed = " ".join([c.description, c.band_source, *market.HHI_BANDS_2010.frame()["rule"]])
    assert "CMA's merger guidelines regard" not in printed and "Competition authority band" not in printed
    assert all("superseded" in rule.text and "indicative" in rule.text for rule in market.HHI_BANDS_2010)
    assert not hasattr(market, "cma_band") and not hasattr(market, "CMA_HHI_BANDS")


def test_spend_concentration_is_described_in_words_not_bands():
    c = market.concentration(_payments([50.0, 30.0, 20.0]), "spend")
    assert c.kind == "spend concentration"
    assert c.band is None and c.band_source is None
    assert "concentrated" not in c.description
    # one sentence says what it measures and what it does not
    assert market.SPEND_MEANING in c.description
    assert "dependency on few suppliers" in market.SPEND_MEANING and "not competition in the market" in market.SPEND_MEANING
    assert "at least half" in c.description  # largest share 0.5 is the boundary of the first rule
    # 40/20/20/10/10: largest 0.4 < 0.5, CR3 0.8 → "three largest"
    c = market.concentration(_payments([40.0, 20.0, 20.0, 10.0, 10.0]), "spend")
    assert c.hhi == pytest.approx(2600)
    assert "three largest suppliers for at least 80%" in c.description
    # ten equal suppliers: CR3 0.3 → spread
    c = market.concentration(_payments([1.0] * 10), "spend")
    assert "spreads this spend" in c.description


def test_concentration_without_values_is_missing_data():
    with pytest.raises(MissingDataError):
        market.concentration(pd.DataFrame({"supplier": ["A"], "amount_gbp": [None]}), "spend")
    with pytest.raises(ValueError, match="kind"):
        market.concentration(_payments([1.0]), "national")


# --- spend concentration on revenue payments only --------------------------------------------

#: A tiny year of one service's payments: four revenue suppliers, and a build on one invoice.
YEAR = pd.DataFrame(
    [
        ("Trust", "T1", "Management fee April", 500.0),
        ("Trust", "T2", "Management fee May", 500.0),
        ("Pool Ltd", "P1", "Pool plant service", 500.0),
        ("Clean Ltd", "C1", "Cleaning", 300.0),
        ("Paper Ltd", "X1", "Leaflets", 200.0),
        ("Build Ltd", "B1", "Valuation 3", 6000.0),  # capital: a numbered valuation (rule 3)
        ("Build Ltd", "B1", "Architect fees", 2000.0),  # capital: the same invoice (rule 6)
    ],
    columns=["supplier", "reference", "description", "amount_gbp"],
).assign(payment_date=pd.Timestamp("2024-06-01"), sector="private")


def test_spend_concentration_is_on_revenue_payments_only():
    result = market.analyse(None, service_id="leisure", payments=YEAR)
    c = result.spend_concentration
    # revenue £2,000: Trust 1,000 (0.50), Pool 500 (0.25), Clean 300 (0.15), Paper 200 (0.10)
    # HHI = 50² + 25² + 15² + 10² = 2,500 + 625 + 225 + 100 = 3,450; CR3 = 0.50 + 0.25 + 0.15 = 0.90
    assert c.hhi == pytest.approx(3450) and c.cr3 == pytest.approx(0.90)
    assert (c.n_providers, c.largest, c.largest_share) == (4, "Trust", pytest.approx(0.5))
    assert result.spend_shares["supplier"].tolist() == ["Trust", "Pool Ltd", "Clean Ltd", "Paper Ltd"]
    # the build is shown apart: 2 payments, £8,000, one supplier
    assert result.capital_total == (2, 8000.0)
    assert result.capital_suppliers[["supplier", "payments", "amount_gbp", "rules"]].values.tolist() == [
        ["Build Ltd", 2, 8000.0, "3, 6"]]
    # counted in, it would dominate: total £10,000, Build 0.80, Trust 0.10, Pool 0.05, Clean 0.03, Paper 0.02
    # HHI = 6,400 + 100 + 25 + 9 + 4 = 6,538; CR3 = 0.95
    w = result.concentration_with_capital
    assert w.hhi == pytest.approx(6538) and w.cr3 == pytest.approx(0.95) and w.largest == "Build Ltd"
    head = result.headline()
    assert (head["hhi"], head["cr3"]) == (3450.0, 0.9)
    assert (head["capital_payments_excluded"], head["capital_excluded_gbp"]) == (2, 8000.0)
    assert any("2 capital payments (£8,000) are shown apart" in line for line in result.narrative)


def test_payments_already_classified_are_split_by_their_spend_type():
    classified = YEAR.assign(spend_type=["revenue"] * 4 + ["capital"] * 3, spend_rule=[8] * 4 + [3] * 3)
    result = market.analyse(None, service_id="leisure", payments=classified)
    # Paper Ltd is now capital (its spend_type says so): revenue Trust 1,000, Pool 500, Clean 300 of 1,800
    # HHI = (1000/18)² + (500/18)² + (300/18)² = 3,086.4 + 771.6 + 277.8 = 4,135.8
    assert result.spend_concentration.hhi == pytest.approx(4135.8, abs=0.1)
    assert result.capital_total == (3, 8200.0)


def test_a_service_with_only_capital_payments_has_no_spend_concentration():
    result = market.analyse(None, service_id="leisure", payments=YEAR[YEAR["supplier"] == "Build Ltd"])
    assert result.spend_concentration is None and result.capital_total == (2, 8000.0)
    assert result.headline()["hhi"] is None


# --- the illustrative sample -----------------------------------------------------------------


def test_maturity_and_screen_say_when_they_rest_on_the_illustrative_sample():
    sample = REGISTER.assign(data_status="illustrative")
    models = pd.DataFrame({"service_id": ["leisure"], "council_code": ["E07000001"], "model": ["outsourced"],
                           "data_status": ["illustrative"]})
    result = market.analyse(sample, service_id="leisure", comparator_models=models, category="Should Do",
                            priority_score="High", sample_inputs=[market.CATEGORY_INPUT, market.PRIORITY_INPUT])
    assert result.sample_inputs == (market.REGISTER_INPUT, market.MODELS_INPUT, market.CATEGORY_INPUT,
                                    market.PRIORITY_INPUT)
    assert result.maturity_sample == (market.REGISTER_INPUT, market.MODELS_INPUT, market.PRIORITY_INPUT)
    assert result.screen_sample == (market.REGISTER_INPUT, market.MODELS_INPUT, market.CATEGORY_INPUT)
    maturity_line = next(line for line in result.narrative if line.startswith("Market maturity"))
    assert "ILLUSTRATIVE SAMPLE (provider register, comparator delivery models" in maturity_line
    options_line = result.narrative[-1]
    assert "screened on the ILLUSTRATIVE SAMPLE (provider register" in options_line
    assert result.headline()["maturity_and_options_sample"].startswith("provider register, comparator delivery")
    # the council's own register: nothing said
    own = market.analyse(REGISTER.assign(data_status="council"), service_id="leisure")
    assert own.sample_inputs == () and own.headline()["maturity_and_options_sample"] == "none"
    assert not any("ILLUSTRATIVE" in line for line in own.narrative)


# --- providers by sector ---------------------------------------------------------------

REGISTER = pd.DataFrame(
    {
        "provider": ["Trust", "Ltd A", "Ltd A", "CIC", "Team", "Mystery", "Council B", "Ltd W"],
        "sector": ["third sector", "private", "private", "community", "in-house", None, "public sector", "private"],
        "services": ["leisure", "leisure;museums", "leisure;museums", "leisure", "leisure", "leisure", "museums", "waste"],
        "in_district": ["yes", "no", "no", "yes", "yes", "yes", "no", "yes"],
    }
)


def test_providers_by_sector_counts_each_provider_once_and_unclassified_apart():
    counts = market.providers_by_sector(REGISTER, "leisure")
    # Trust, Ltd A (listed twice, counted once), CIC, Team, Mystery (no sector)
    assert counts == {
        "private": 1, "third sector": 1, "public sector": 0, "community": 1, "in-house": 1, "unclassified": 1,
    }
    assert list(counts) == [*vocabulary.PROVIDER_SECTORS, "unclassified"]
    # local external providers for leisure: Trust and CIC (Team is in-house, Mystery unclassified)
    assert market.n_local_external(REGISTER, "leisure") == 2
    assert market.providers_by_sector(REGISTER, "museums") == {
        "private": 1, "third sector": 0, "public sector": 1, "community": 0, "in-house": 0, "unclassified": 0,
    }


def test_council_template_validates_against_the_shared_vocabulary():
    """The council's provider register and delivery models are checked against the one vocabulary."""
    from wcc_analysis.core.config import load_config
    from wcc_analysis.ingest.council import council_data as council

    config = load_config()
    data = council.CouncilData("E07000237", Path("."))
    providers = council._providers_schema(config, data).columns["sector"].checks[0]
    models = council._models_schema(config, data).columns["model"].checks[0]
    assert list(providers.statistics["allowed_values"]) == list(vocabulary.PROVIDER_SECTORS)
    assert list(models.statistics["allowed_values"]) == list(vocabulary.DELIVERY_MODELS)


# --- maturity ------------------------------------------------------------------------

OUTSOURCING = {"in-house": 2, "outsourced": 1}
ALL_IN_HOUSE = {"in-house": 5}


_KEYS = {"third": "third sector", "public": "public sector", "in_house": "in-house"}


def _sectors(**kw):
    base = dict.fromkeys((*vocabulary.PROVIDER_SECTORS, "unclassified"), 0)
    for key, n in kw.items():
        name = _KEYS.get(key, key)
        assert name in base, name
        base[name] = n
    return base


@pytest.mark.parametrize(
    "providers, n_local, models, expected",
    [
        (_sectors(), 0, OUTSOURCING, "Low"),  # no external provider
        (_sectors(private=1), 1, OUTSOURCING, "Low"),  # 1 ≤ max_low
        (_sectors(private=1, in_house=4, unclassified=3), 1, OUTSOURCING, "Low"),  # in-house/unclassified don't count
        (_sectors(private=1, community=1), 1, OUTSOURCING, "Medium"),  # 2 external: just above Low
        (_sectors(private=2, community=1), 1, OUTSOURCING, "High"),  # 3 across 2 sectors: just High
        (_sectors(private=3), 1, OUTSOURCING, "Medium"),  # 3 but one sector
        (_sectors(private=2, community=1), 0, OUTSOURCING, "Medium"),  # none local
        (_sectors(private=2, community=1), 1, ALL_IN_HOUSE, "Medium"),  # no comparator buys externally
        (_sectors(private=2, community=1), 1, None, "Medium"),  # comparator evidence absent
    ],
)
def test_maturity_rule_boundaries(providers, n_local, models, expected):
    rating = market.market_maturity(providers, n_local, models)
    assert rating.rating == expected
    assert rating.rule.startswith(expected + ":")


def test_maturity_counts_and_parameters():
    rating = market.market_maturity(_sectors(private=2, community=1), 1, OUTSOURCING)
    assert (rating.n_external, rating.n_sectors, rating.n_local) == (3, 2, 1)
    assert (rating.comparators_external, rating.comparators_total) == (1, 3)
    # lowering min_external to 2 makes two providers in two sectors High
    assert market.market_maturity(_sectors(private=1, community=1), 1, OUTSOURCING, min_external=2).rating == "High"
    # a comparator table works as well as counts; arm's-length and shared service are not "external"
    table = pd.DataFrame({"model": ["arm's-length company", "shared service", "in-house"]})
    assert market.market_maturity(_sectors(private=2, community=1), 1, table).rating == "Medium"
    table = pd.DataFrame({"model": ["trust or third sector", "in-house"]})
    assert market.market_maturity(_sectors(private=2, community=1), 1, table).rating == "High"


def test_compare_with_priority_flags_disagreement():
    low = market.market_maturity(_sectors(private=1), 1, OUTSOURCING)
    check = market.compare_with_priority(low, "High")
    assert check["agrees"] is False and check["steps_apart"] == 2 and "Disagreement" in check["note"]
    assert market.compare_with_priority("Medium", "Medium")["agrees"] is True
    assert market.compare_with_priority("Medium", None)["agrees"] is None
    with pytest.raises(ValueError):
        market.compare_with_priority("Medium", "Very high")


# --- sourcing options --------------------------------------------------------------------


def test_sourcing_options_are_the_seeds_twelve():
    assert len(vocabulary.SOURCING_OPTIONS) == 12
    groups = pd.Series([o.group for o in vocabulary.SOURCING_OPTIONS]).value_counts().to_dict()
    assert groups == {"Make": 2, "Buy": 3, "Share": 3, "Divest": 4}
    assert [o.label for o in vocabulary.SOURCING_OPTIONS if o.group == "Divest"] == [
        "Transfer to community", "Mutualisation", "Devolve to parish", "Closure",
    ]
    assert set(market.OPTION_RULES) == {o.option_id for o in vocabulary.SOURCING_OPTIONS}


def _screen(**kw):
    evidence = dict(providers_by_sector=_sectors(), maturity="Low", comparator_models=None, category=None)
    evidence.update(kw)
    return market.screen_options(market.MarketEvidence(**evidence)).set_index("option_id")


EVERYTHING = _sectors(private=5, third=4, public=2, community=3)
EVERY_MODEL = dict.fromkeys(vocabulary.DELIVERY_MODELS, 2)


def test_closure_never_supported_for_must_do():
    table = _screen(providers_by_sector=EVERYTHING, maturity="High", comparator_models=EVERY_MODEL,
                    category="Must Do", parish_councils=5)
    assert not table.at["closure", "supported"]
    assert not table.at["community_transfer", "supported"]
    assert not table.at["devolve_to_parish", "supported"]
    assert "Must Do" in table.at["closure", "reason"]
    # the same evidence for a Nice to Do service screens all three in
    nice = _screen(providers_by_sector=EVERYTHING, maturity="High", comparator_models=EVERY_MODEL,
                   category="Nice to Do", parish_councils=5)
    assert nice.loc[["closure", "community_transfer", "devolve_to_parish"], "supported"].all()
    assert nice["supported"].all()  # with every kind of evidence, all twelve go forward


def test_in_house_always_on_the_list_even_with_no_evidence():
    table = _screen()
    assert table.loc[table["supported"]].index.tolist() == ["in_house_transformation"]
    assert "counterfactual" in table.at["in_house_transformation", "reason"]
    assert table["reason"].str.len().gt(0).all() and table["rule"].str.len().gt(0).all()


def test_closure_by_category():
    assert _screen(category="Nice to Do").at["closure", "supported"]
    assert not _screen(category="Should Do").at["closure", "supported"]
    assert not _screen(category=None).at["closure", "supported"]
    with pytest.raises(ValueError):
        _screen(category="Could Do")


def test_outsourcing_needs_two_bidders_or_one_and_a_comparator():
    assert _screen(providers_by_sector=_sectors(private=2)).at["outsource_private", "supported"]
    one = _sectors(private=1)
    assert not _screen(providers_by_sector=one).at["outsource_private", "supported"]
    assert _screen(providers_by_sector=one, comparator_models={"outsourced": 1}).at["outsource_private", "supported"]
    third = _sectors(third=1)
    assert _screen(providers_by_sector=third, comparator_models={"trust or third sector": 1}).at[
        "outsource_third_sector", "supported"
    ]
    # a private JV needs a private partner and a market that is not Low
    assert not _screen(providers_by_sector=one, maturity="Low").at["private_sector_jv", "supported"]
    assert _screen(providers_by_sector=one, maturity="Medium").at["private_sector_jv", "supported"]


def test_share_and_parish_rules():
    public = _sectors(public=1)
    table = _screen(providers_by_sector=public, category="Should Do", parish_councils=0)
    assert table.loc[["shared_services", "shared_management", "public_sector_jv"], "supported"].all()
    assert not table.at["devolve_to_parish", "supported"]
    assert _screen(comparator_models={"shared service": 1}).at["shared_services", "supported"]
    assert not _screen(category="Should Do").at["devolve_to_parish", "supported"]  # count not supplied


# --- the whole analysis -----------------------------------------------------------------


def test_analyse_headline():
    models = pd.DataFrame(
        {
            "service_id": ["leisure"] * 4,
            "council_code": ["E07000001", "E07000002", "E07000003", "E07000237"],
            "model": ["outsourced", "trust or third sector", "in-house", "in-house"],
        }
    )
    payments = _payments([50.0, 30.0, 20.0])
    result = market.analyse(
        REGISTER, service_id="leisure", comparator_models=models, payments=payments, council="E07000237",
        category="Should Do", priority_score="High",
    )
    head = result.headline()
    assert set(head) == {"hhi", "cr3", "providers_by_sector", "market_maturity", "options_supported", "concentration_kind",
                         "capital_payments_excluded", "capital_excluded_gbp", "maturity_and_options_sample"}
    # a table without descriptions cannot be told capital from revenue: all of it is revenue, none set apart
    assert head["capital_payments_excluded"] is None and head["maturity_and_options_sample"] == "none"
    assert head["hhi"] == pytest.approx(3800) and head["cr3"] == pytest.approx(1.0)
    assert head["concentration_kind"] == "spend concentration"
    # leisure: 3 external (private, third, community), 2 local, 2 of 3 comparators external (own council excluded)
    assert head["market_maturity"] == "High"
    assert result.model_counts["in-house"] == 1
    assert head["options_supported"][0] == "In-house transformation"
    assert "Closure" not in head["options_supported"]
    assert result.priority_check["agrees"] is True
    assert result.narrative


def test_analyse_without_inputs_reports_rather_than_fails():
    result = market.analyse(None, service_id="museums")
    head = result.headline()
    assert head["hhi"] is None and head["concentration_kind"] is None and head["capital_payments_excluded"] is None
    assert head["market_maturity"] == "Low"
    assert head["options_supported"] == ["In-house transformation"]
    assert any("not measured" in line for line in result.narrative)


# --- the rule tables: the table the report prints is the one that decides ------------------


@pytest.mark.parametrize(
    "index, values, facts",
    [
        (0, [50.0, 30.0, 20.0], market.SpendFacts(0.5, 1.0)),
        (1, [40.0, 20.0, 20.0, 10.0, 10.0], market.SpendFacts(0.4, 0.8)),
        (2, [1.0] * 10, market.SpendFacts(0.1, 0.3)),
    ],
)
def test_each_dependency_rule_is_the_rule_that_words_the_spend(index, values, facts):
    rule = market.DEPENDENCY_WORDS.rules[index]
    assert market.DEPENDENCY_WORDS.first(facts) is rule
    c = market.concentration(_payments(values), "spend")
    assert market.DEPENDENCY_WORDS.first(market.SpendFacts(c.largest_share, c.cr3)) is rule
    assert c.description.startswith(f"The council {rule.outcome}: ")


def test_dependency_words_stay_unprinted_and_keep_their_wording():
    assert isinstance(market.DEPENDENCY_WORDS, RuleTable) and isinstance(market.HHI_BANDS_2010, RuleTable)
    assert sorted(n for n in vars(market) if n.endswith("_RULES")) == ["MATURITY_RULES", "OPTION_RULES"]
    assert [(r.text, r.outcome) for r in market.DEPENDENCY_WORDS] == [
        ("largest share >= 0.5", "relies on a single supplier for at least half of this spend"),
        ("cr3 >= 0.8", "depends on its three largest suppliers for at least 80% of this spend"),
        ("otherwise", "spreads this spend across several suppliers, with no one supplier dominant"),
    ]


@pytest.mark.parametrize(
    "index, providers, n_local, models, facts",
    [
        (0, _sectors(private=1), 1, OUTSOURCING, market.MaturityFacts(1, 1, 1, 1)),
        (1, _sectors(private=2, community=1), 1, OUTSOURCING, market.MaturityFacts(3, 2, 1, 1)),
        (2, _sectors(private=3), 1, OUTSOURCING, market.MaturityFacts(3, 1, 1, 1)),
        (2, _sectors(private=2, community=1), 1, None, market.MaturityFacts(3, 2, 1, None)),
    ],
)
def test_each_maturity_rule_is_the_rule_that_rates(index, providers, n_local, models, facts):
    rule = market.MATURITY_RULES.rules[index]
    assert market.MATURITY_RULES.first(facts) is rule
    assert market.market_maturity(providers, n_local, models).rating == rule.outcome


def test_market_maturity_reads_the_module_table(monkeypatch):
    providers = _sectors(private=2, community=1)
    assert market.market_maturity(providers, 1, OUTSOURCING).rating == "High"
    monkeypatch.setattr(market, "MATURITY_RULES", RuleTable((Rule("Low", "always Low", always),)))
    assert market.market_maturity(providers, 1, OUTSOURCING).rating == "Low"


def test_printed_maturity_rules_keep_their_wording():
    assert market.MATURITY_RULES.frame().values.tolist() == [
        ["Low", "at most max_low (1) capable external provider: no competition to buy from"],
        ["High", "at least min_external (3) capable external providers, across at least min_sectors (2) external "
                 "sectors, at least min_local (1) of them based in the district, and at least min_comparators (1) "
                 "comparator council already delivering through an external model (trust or third sector, or "
                 "outsourced)"],
        ["Medium", "otherwise (including when comparator delivery models are not supplied)"],
    ]


def _facts(providers, maturity, models, category, parish_councils, min_bidders=2):
    """The facts screen_options measures, written out by hand."""
    return market.ScreenFacts(
        providers={s: providers.get(s, 0) for s in vocabulary.PROVIDER_SECTORS}, maturity=maturity,
        models=None if models is None else {m: models.get(m, 0) for m in vocabulary.DELIVERY_MODELS},
        category=category, parish_councils=parish_councils, min_bidders=min_bidders,
    )


SCREENS = {
    # with every kind of evidence every option is supported; with none only in-house transformation
    "everything": (dict(providers_by_sector=EVERYTHING, maturity="High", comparator_models=EVERY_MODEL,
                        category="Nice to Do", parish_councils=5), True),
    "nothing": (dict(providers_by_sector=_sectors(), maturity="Low", comparator_models=None, category=None), False),
}


@pytest.mark.parametrize("option", list(market.OPTION_RULES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_each_option_row_is_its_printed_rule_assessing_the_evidence(option, screen):
    evidence, supported = SCREENS[screen]
    rule = next(r for r in market.OPTION_RULES.rules if r.option_id == option)
    facts = _facts(evidence["providers_by_sector"], evidence["maturity"], evidence["comparator_models"],
                   evidence["category"], evidence.get("parish_councils"))
    row = market.screen_options(market.MarketEvidence(**evidence)).set_index("option_id").loc[option]
    assert (row["supported"], row["reason"]) == rule.assess(facts)
    assert row["rule"] == rule.text == market.OPTION_RULES[option]
    assert row["supported"] == (supported or option == "in_house_transformation")


def test_option_rules_are_the_twelve_in_the_frameworks_order():
    assert [r.option_id for r in market.OPTION_RULES.rules] == [o.option_id for o in vocabulary.SOURCING_OPTIONS]
    assert list(market.OPTION_RULES) == [o.option_id for o in vocabulary.SOURCING_OPTIONS]
    table = market.screen_options(market.MarketEvidence(_sectors(), "Low"))
    assert list(table.columns) == ["group", "option_id", "label", "supported", "reason", "rule"]
    assert table[["group", "option_id", "label"]].values.tolist() == [list(o) for o in vocabulary.SOURCING_OPTIONS]
    assert table["rule"].tolist() == list(market.OPTION_RULES.values())


def test_screen_options_reads_the_module_table(monkeypatch):
    patched = market.OptionRules(*(
        market.OptionRule(r.option_id, "patched rule", lambda f: (True, "patched reason")) if r.option_id == "closure"
        else r
        for r in market.OPTION_RULES.rules
    ))
    monkeypatch.setattr(market, "OPTION_RULES", patched)
    closure = _screen(category="Must Do").loc["closure"]
    assert (closure["supported"], closure["reason"], closure["rule"]) == (True, "patched reason", "patched rule")


def test_printed_option_rules_keep_their_wording():
    assert list(market.OPTION_RULES.items()) == [
        ("in_house_transformation", "always supported: the counterfactual every other option is compared with"),
        ("arms_length_company", "at least one comparator runs the service through an arm's-length company"),
        ("outsource_private", "at least min_bidders (2) capable private providers, or one and at least one "
                              "comparator that outsources the service"),
        ("outsource_third_sector", "at least min_bidders (2) capable third-sector providers, or one and at least "
                                   "one comparator that uses a trust or third-sector model"),
        ("private_sector_jv", "at least one capable private provider and market maturity Medium or High"),
        ("shared_services", "at least one comparator uses a shared service, or a public-sector provider is listed"),
        ("shared_management", "as shared services (the lighter form of the same partnership)"),
        ("public_sector_jv", "at least one capable public-sector provider to partner with"),
        ("community_transfer", "at least one capable community provider, and the service is not Must Do"),
        ("mutualisation", "at least one comparator uses a trust or third-sector model (the usual vehicle for a "
                          "staff mutual); allowed for Must Do, since the council keeps the duty and contracts with "
                          "the mutual"),
        ("devolve_to_parish", "at least one parish or town council in the district, and the service is not Must Do"),
        ("closure", "the service is Nice to Do (seed: 'may provide opportunities for de-commissioning'); never "
                    "Must Do; not Should Do"),
    ]


# --- the package's errors --------------------------------------------------------------------


def test_bad_arguments_are_parameter_errors():
    with pytest.raises(ParameterError, match="fractions"):
        market.cr3([50, 30, 20])
    with pytest.raises(ParameterError, match="kind"):
        market.concentration(_payments([1.0]), "national")
    with pytest.raises(ParameterError, match="not a number"):
        market.hhi_band_2010(float("nan"))
    with pytest.raises(ParameterError, match="rating"):
        market.compare_with_priority("Very high", "High")
    with pytest.raises(ParameterError, match="priority score"):
        market.compare_with_priority("High", "Very high")
    with pytest.raises(ParameterError, match="category"):
        _screen(category="Could Do")


def test_a_missing_column_names_the_table():
    with pytest.raises(InputTableError, match="amount_gbp") as caught:
        market.shares(pd.DataFrame({"supplier": ["A"], "value": [1.0]}), "supplier")
    assert (caught.value.table, caught.value.column) == ("payments", "amount_gbp")
    with pytest.raises(InputTableError, match="annual_value_gbp") as caught:
        market.concentration(pd.DataFrame({"provider": ["A"], "value": [1.0]}), "market")
    assert caught.value.table == "local market register"
