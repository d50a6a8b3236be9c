"""Supplier cleaning rules (wcc_analysis.analysis.suppliers): hand-checked examples, many from Hyndburn's real files."""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.analysis import suppliers as S
from wcc_analysis.core import vocabulary
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.ingest.council.supplier_payments import (
    load_service_area_mapping,
    load_supplier_payments,
    supplier_payments_dir,
)

# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("Water Plus - 4035576019 - 2 Foxhill Bank, Osw", "Water Plus"),
        ("Water Plus  -4032312559 Social Centre, Eagle Stree", "Water Plus"),
        ("EDF - 893361461 Hyndburn Leisure Centre", "EDF"),
        ("EDF - A-97A42833 - Stall 49", "EDF"),
        ("E.On Next Energy - A-54DE8BBA", "E.On Next Energy"),
        ("E-On Next Energy - A-001CB535 Unit 15 Market Hall", "E-On Next Energy"),
        ("Opus Energy Ltd - Unit 14, Market Hall - 1531570", "Opus Energy Ltd"),
        ("Crown Gas and Power Ltd - L054813 Ossy Civic Theat", "Crown Gas and Power Ltd"),
        ("Wave Utilities 14 Broadway 88889085585", "Wave Utilities"),
        ("British Gas Lite BGL505532 - Unit 15 Market Hall", "British Gas Lite"),
        ("Smartest Energy - 100011736903 ", "Smartest Energy"),
        ("(DD ONLY) Ribble Valley Borough Council", "Ribble Valley Borough Council"),
        (" Ribble Valley Borough Council", "Ribble Valley Borough Council"),
        ("Lancashire County Council (Direct Debit Payments)", "Lancashire County Council"),
        ("HM Revenue & Customs (Direct Debit)", "HM Revenue & Customs"),
        ("(DD) Department of Levelling Up, Housing & Comm...", "Department of Levelling Up, Housing & Comm"),
        ("Acme Ltd A/C 12345", "Acme Ltd"),
        ("Acme Services (Ref 4455)", "Acme Services"),
        ("Capita  Business Services Ltd", "Capita Business Services Ltd"),
        # left alone: no account number
        ("TTD2 Limited - Burgess Hodgson", "TTD2 Limited - Burgess Hodgson"),
        ("Indicator - Fl Memo Ltd", "Indicator - Fl Memo Ltd"),
        ("2-Work Group Ltd", "2-Work Group Ltd"),
        ("Hotel 99", "Hotel 99"),
        ("Ipl Plastics (Uk) Ltd", "Ipl Plastics (Uk) Ltd"),
        ("Accounts Plus Ltd", "Accounts Plus Ltd"),
    ],
)
def test_strip_references(raw, display):
    assert S.strip_references(raw) == display


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Capita One Limited", "capita one ltd"),
        ("Canal & River Trust", "canal and river trust"),
        ("Allforone& Oneforall", "allforone and oneforall"),
        ("E.On Next Energy", "e on next energy"),
        ("AMAZON UK", "amazon uk"),
        ("Woody (Hyndburn) C I C", "woody hyndburn c i c"),
        ("Baxenden St John`s PTFA", "baxenden st john s ptfa"),
        ("Travelers Insurance Company", "travelers insurance co"),
        ("Water Plus - 4035576019 - 2 Foxhill Bank, Osw", "water plus"),
        ("", ""),
    ],
)
def test_clean_supplier_name(raw, cleaned):
    assert S.clean_supplier_name(raw) == cleaned


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Water Plus", "Waterplus - 6002030122 - Rhyddings Park"),
        ("Water Plus", "Water Plus Ltd - 6000325944 - Car Park, Union Rd"),
        ("E.On Next Energy - A-54DE8BBA", "E-On Next Energy - A-B930C930 73 Blackburn Road"),
        ("British Telecommunications", "British Telecommunications Plc"),
        ("The Prospects Foundation", "Prospects Foundation Ltd"),
        ("Royal Town Planning Institute (RTPI)", "The Royal Town Planning Institute"),
        ("Rosslee Construction Ltd", "Ross Lee Construction Ltd"),
        ("(DD ONLY) Ribble Valley Borough Council", " Ribble Valley Borough Council"),
        ("FitKit Equipment Ltd", "FitKit Equipment Limited"),
    ],
)
def test_merge_key_merges_spellings(a, b):
    assert S.merge_key(a) == S.merge_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("EDF", "EDF Energy - 9044031649 Consolidated Invoice"),  # a different invoicing name: kept apart
        ("Mazars LLP", "Forvis Mazars LLP"),
        ("Proffits Investing In Communities", "Proffitts Investing In Communities"),  # a typo: not fuzzy-merged
        ("Aon Uk Limited", "Aon Consulting"),
    ],
)
def test_merge_key_keeps_different_names_apart(a, b):
    assert S.merge_key(a) != S.merge_key(b)


def test_merge_variants_picks_most_frequent_spelling_then_alphabetical():
    payments = pd.DataFrame({
        "supplier_raw": ["Water Plus Ltd", "Water Plus - 4083296151 Market Hall", "Water Plus - 4206400451 CVMU",
                         "Acme Limited", "Acme Ltd", "Zed Ltd"],
        "amount_gbp": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    })
    merged = S.merge_variants(payments)
    assert merged["supplier"].tolist() == ["Water Plus", "Water Plus", "Water Plus", "Acme Limited", "Acme Limited",
                                           "Zed Ltd"]
    variants = S.variants_table(merged)
    assert variants["supplier"].tolist() == ["Water Plus", "Acme Limited"]
    assert variants.loc[0, "spellings"] == (
        "Water Plus - 4083296151 Market Hall; Water Plus - 4206400451 CVMU; Water Plus Ltd")
    assert variants.loc[0, "amount_gbp"] == 6.0
    # Row order does not change the result.
    assert S.merge_variants(payments.iloc[::-1])["supplier"].iloc[::-1].tolist() == merged["supplier"].tolist()


# --------------------------------------------------------------------------- sectors


@pytest.mark.parametrize(
    ("name", "sector"),
    [
        # public sector
        ("Lancashire County Council (Direct Debit Payments)", "public sector"),
        ("Blackburn With Darwen Borough Council", "public sector"),
        ("Tameside MBC", "public sector"),
        ("Altham Parish Council", "public sector"),
        ("HM Land Registry", "public sector"),
        ("HM Revenue & Customs (Direct Debit)", "public sector"),
        ("Lancashire Police Authority", "public sector"),
        ("Cabinet Office", "public sector"),
        ("Environment Agency", "public sector"),
        ("Myerscough College", "public sector"),
        ("St Marys Rc Primary School", "public sector"),
        ("The Hyndburn Academy", "public sector"),
        ("Lancashire County Pension Fund", "public sector"),
        ("Transport Training Academy Ltd", "private"),  # a company, not a state school
        # third sector
        ("Canal & River Trust", "third sector"),
        ("Citizens Advice East Lancashire", "third sector"),
        ("Woody (Hyndburn) C I C", "third sector"),
        ("Spring Into Action Cic", "third sector"),
        ("Prospects Foundation Ltd", "third sector"),
        ("Progress Housing Association Limited", "third sector"),
        ("Hyndburn Homewise Society Limited", "third sector"),
        ("Clayton-Le-Moors Relief In Need", "third sector"),
        ("Chartered Institute of Housing", "third sector"),
        ("East Lancashire Chamber of Commerce", "third sector"),
        ("Keep Britain Tidy", "third sector"),
        ("Lancashire Environmental Fund", "third sector"),
        # community
        ("Woodnook Baptist Church", "community"),
        ("Balderstone Brass Band", "community"),
        ("St Marys Football Club", "community"),
        ("Friends Of Rhyddings Park", "community"),
        ("Baxenden St John`s PTFA", "community"),
        ("Hyndburn Food Pantry", "community"),
        ("Oswaldtwistle Carnival", "community"),
        # private
        ("Pilkington Bros (Church) Ltd", "private"),  # 'Church' is a place in Hyndburn; Ltd decides
        ("Accrington Stanley F C Ltd", "private"),
        ("A Binns & Co", "private"),
        ("J A Jones And Sons", "private"),
        ("Stephensons Solicitors LLP", "private"),
        ("Oyster Partnership", "private"),
        ("Vivid Resourcing", "private"),
        ("Hill View (Private) Hotel", "private"),
        ("Mark Riding Tree Services", "private"),
        ("Victoria Flower Shop", "private"),
        ("Thomas Roofs", "private"),
        ("EDF - 893361461 Hyndburn Leisure Centre", "private"),
        ("Barclaycard", "private"),
        ("Water Plus", "private"),
        # individual
        ("Rob Mercer", "individual"),
        ("Hayley Bennett", "individual"),
        ("Alison Erika Forde", "individual"),
        ("Arevik Jackson", "individual"),
        ("Ruqaiya Hussain", "individual"),
        ("David Forsdick KC", "individual"),
        ("Mr Martin Carter (Kings Chambers)", "individual"),
        ("Miss Constanze Bell - Kings Chambers", "individual"),
        ("Mr D Okafor", "individual"),
        ("REDACTED", "individual"),
        ("", "individual"),
        # unclassified: shown as such
        ("Hyndburn Leisure", "unclassified"),
        ("Greenhalgh Kerr", "unclassified"),
        ("McCormack & Brown", "unclassified"),
        ("Bannister Hall", "unclassified"),
        ("White Orchid", "unclassified"),
        ("Stone Central", "unclassified"),
        ("Ri Ris Dance Academy", "unclassified"),
    ],
)
def test_classify_sector(name, sector):
    assert S.classify_sector(name) == sector


def test_in_house_needs_the_councils_own_name():
    assert S.classify_sector("Hyndburn Borough Council") == "public sector"
    assert S.classify_sector("Hyndburn Borough Council", own_names=["Hyndburn Borough Council"]) == "in-house"


def test_every_sector_rule_names_a_known_sector():
    assert {r.sector for r in S.SECTOR_RULES} <= set(vocabulary.PAYMENT_SECTORS)
    tables = S.rules_tables()
    assert set(tables["sectors"]["sector"]) == set(vocabulary.PAYMENT_SECTORS)
    assert len(tables["names"]) == len(S.NAME_RULES) and len(tables["non_market"]) == len(S.NON_MARKET_RULES)
    assert tables["non_market"]["why"].str.len().gt(10).all()


# --------------------------------------------------------------------------- non-market payments


@pytest.mark.parametrize(
    ("supplier", "description", "reason"),
    [
        ("HM Revenue & Customs (Direct Debit)", "HMRC NI Jan 25", "tax, national insurance and levies paid to HMRC"),
        ("HM Revenue & Customs (Direct Debit)", "HMRC Apprenticeship Levy Aug 24",
         "tax, national insurance and levies paid to HMRC"),
        ("HM Land Registry", "January Land Registry Fee", "statutory fees to HM Land Registry or the courts"),
        ("HM Courts & Tribunals Service", "Court Costs", "statutory fees to HM Land Registry or the courts"),
        ("Lancashire County Pension Fund", "Employer contributions", "pension fund contributions"),
        ("Lancashire County Council (Direct Debit Payments)", "HBC Pension Jan 25", "pension fund contributions"),
        ("Lancashire County Council (Direct Debit Payments)", "LCC Ctax Precept Apr 24",
         "precepts and collection-fund shares paid over"),
        ("Lancashire County Council (Direct Debit Payments)", "LCC Ctax precerpt May 24",
         "precepts and collection-fund shares paid over"),
        ("Lancashire County Council (Direct Debit Payments)", "LCC C/tax Pecept July 24",
         "precepts and collection-fund shares paid over"),
        ("Lancashire County Council (Direct Debit Payments)", "Police Ctax defecit 23/24",
         "precepts and collection-fund shares paid over"),
        ("Altham Parish Council", "Precept 2024/25", "precepts and collection-fund shares paid over"),
        ("(DD) Department of Levelling Up, Housing & Comm...", "BRR & RSG Central Share April 24",
         "business rates retention transfers"),
        ("Department For Levelling Up, Housing", "2023-24/Receipts", "business rates retention transfers"),
        ("(DD ONLY) Ribble Valley Borough Council", "RVBC Tariff due April 2024", "business rates retention transfers"),
        ("Ribble Valley Borough Council", "Lancashire Business Rates Pool 23/24", "business rates retention transfers"),
        ("Barclays Capital", "Barclays LOBO interest repayment on 07/08/24", "loan or bond interest and repayments"),
        ("Church & Oswaldtwistle Charity", "Bond Interest 24-25", "loan or bond interest and repayments"),
        ("Portal Plan Quest Ltd", "Planning Application refund", "refunds and overpayments"),
        ("Amanda Ditchfield", "Relinquishemnt of Burial Right", "refunds and overpayments"),
        ("Benjamin Forshaw", "Affordable Warmth Grant", "grants to individuals"),
        # purchases from a market: not excluded
        ("Capita  Business Services Ltd", "NNDR1 and NNDR3 Software Charges", None),
        ("Claimcheck Services Ltd", "Benefits overpayment recovery service", None),
        ("Rhea Projects", "Affordable Warmth Grant", None),  # a grant-funded job done by a contractor
        ("Blackburn With Darwen Borough Council", "Monitoring & Mtce of cctv cameras", None),
        ("Lancashire County Council", "Christmas Lighting Contract Hyndburn 2024", None),
        ("Lloyds Bank Cardnet", "Card payment charges", None),
        ("Scott Dawson Advertising Ltd", "Food Festival 2024 Deposit", None),
        ("Acme Surplus Stock Ltd", "Surplus stock", None),  # 'surplus' only counts for public bodies
    ],
)
def test_non_market_reason(supplier, description, reason):
    assert S.non_market_reason(supplier, description) == reason


def _frame(rows):
    columns = ["supplier_raw", "description", "service_area", "amount_gbp"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["department"] = "Dept"
    frame["reference"] = [f"R{i}" for i in range(len(frame))]
    frame["payment_date"] = pd.Timestamp("2024-04-01")
    frame["source_file"] = "hand.csv"
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


HAND = [
    ("Greenline Waste Services Ltd", "Collection April", "Waste - Refuse", 1000.0),
    ("GREENLINE WASTE SERVICES LIMITED", "Collection May", "Waste - Refuse", 1000.0),
    ("Riverside Leisure Trust", "Management fee", "Leisure - Centres", 500.0),
    ("Hayley Bennett", "Workshop", "Museum", 300.0),
    ("Benjamin Forshaw", "Affordable Warmth Grant", "Housing", 3500.0),
    ("HM Revenue & Customs (Direct Debit)", "PAYE April", "Finance", 20000.0),
    ("County Council (DD)", "Ctax precept April", "Finance", 50000.0),
    ("Mystery Name Here", "Consultancy", "Finance", 50.0),
    ("Museum Cases Ltd", "Display cases", "Museum", 200.0),
]
MAPPING = pd.DataFrame(
    [
        ("re:^Waste\\b", "", "waste", "collection"),
        ("", "re:^Riverside", "leisure", "the trust, whichever budget"),
        ("museum", "", "museums", "exact text, case ignored"),
        ("Finance", "", "unmapped", "corporate"),
    ],
    columns=["service_area", "supplier", "service_id", "rationale"],
)


def test_split_market_and_exclusions_summary():
    payments = _frame(HAND)
    market, excluded = S.split_market(payments)
    assert len(market) + len(excluded) == len(payments)
    summary = S.exclusions_summary(excluded)
    assert summary.to_dict("records") == [
        {"reason": "tax, national insurance and levies paid to HMRC", "payments": 1, "amount_gbp": 20000.0},
        {"reason": "precepts and collection-fund shares paid over", "payments": 1, "amount_gbp": 50000.0},
        {"reason": "grants to individuals", "payments": 1, "amount_gbp": 3500.0},
    ]
    assert market["amount_gbp"].sum() == 3050.0
    assert S.exclusions_summary(excluded.iloc[0:0]).empty


def test_map_service_areas_first_match_wins_and_unmapped_is_shown():
    mapped = S.map_service_areas(S.merge_variants(_frame(HAND)), MAPPING)
    assert mapped["service_id"].tolist() == [
        "waste", "waste", "leisure", "museums", "unmapped", "unmapped", "unmapped", "unmapped", "museums",
    ]
    assert mapped.loc[4, "service_rationale"] == "no mapping row matches this service area"
    assert mapped.loc[5, "service_rationale"] == "corporate"
    assert S.map_service_areas(_frame(HAND), None)["service_id"].eq("unmapped").all()


def test_redact_individuals_keeps_amounts_and_counts_people():
    payments = S.merge_variants(_frame(HAND + [("Hayley Bennett", "Second workshop", "Museum", 100.0)]))
    redacted = S.redact_individuals(payments)
    people = redacted["supplier"].eq(S.REDACTED)
    assert people.sum() == 3
    assert redacted.loc[people, "supplier_raw"].eq(S.REDACTED).all()
    assert redacted.loc[people, "amount_gbp"].tolist() == [300.0, 3500.0, 100.0]
    assert redacted.loc[people, "supplier_key"].tolist() == ["individual-1", "individual-2", "individual-1"]
    text = redacted.to_csv()
    assert "Bennett" not in text and "Forshaw" not in text and "hayley" not in text
    assert redacted.loc[~people, "supplier"].tolist() == payments.loc[~people, "supplier"].tolist()


def test_prepare_payments_on_a_hand_made_frame():
    prepared = S.prepare_payments(_frame(HAND), MAPPING)
    counts = prepared.counts
    assert counts["rows_read"] == 9 and counts["amount_read_gbp"] == 76550.0
    assert counts["supplier_spellings"] == 9 and counts["suppliers_after_merging"] == 8
    assert counts["excluded_rows"] == 3 and counts["excluded_amount_gbp"] == 73500.0
    assert counts["market_rows"] == 6 and counts["market_amount_gbp"] == 3050.0
    assert counts["individual_rows_redacted"] == 2 and counts["individual_suppliers_redacted"] == 2
    assert counts["unclassified_market_suppliers"] == 1  # "Mystery Name Here"
    assert counts["unmapped_market_rows"] == 1 and counts["unmapped_market_amount_gbp"] == 50.0
    by_service = prepared.by_service().set_index("service_id")["amount_gbp"].to_dict()
    assert by_service == {"leisure": 500.0, "museums": 500.0, "waste": 2000.0, "unmapped": 50.0}
    by_sector = prepared.by_sector().set_index("sector")
    assert list(by_sector.index) == list(vocabulary.PAYMENT_SECTORS)
    assert by_sector.loc["private", "amount_gbp"] == 2200.0 and by_sector.loc["individual", "payments"] == 1
    assert prepared.variants["supplier"].tolist() == ["Greenline Waste Services Ltd"]
    assert not prepared.illustrative
    shown = prepared.market.to_csv() + prepared.excluded.to_csv() + prepared.variants.to_csv()
    assert "Bennett" not in shown and "Forshaw" not in shown


def test_sector_overrides_and_own_names():
    frame = _frame([("Hyndburn Leisure", "Fee", "Leisure", 10.0), ("Example Borough Council", "Recharge", "X", 5.0)])
    prepared = S.prepare_payments(frame, None, own_names=["Example Borough Council"],
                                  sector_overrides={"Hyndburn Leisure": "third sector"})
    sectors = dict(zip(prepared.market["supplier"], prepared.market["sector"], strict=True))
    assert sectors == {"Hyndburn Leisure": "third sector", "Example Borough Council": "in-house"}
    with pytest.raises(ValueError, match="not one of"):
        S.prepare_payments(frame, None, sector_overrides={"Hyndburn Leisure": "charity"})
    with pytest.raises(ParameterError, match="Hyndburn Leisure"):  # a bad override is a bad argument
        S.prepare_payments(frame, None, sector_overrides={"Hyndburn Leisure": "charity"})


# --------------------------------------------------------------------------- the real Hyndburn year


@pytest.fixture(scope="module")
def hyndburn_prepared():
    raw = load_supplier_payments(supplier_payments_dir("E07000120"))
    return raw, S.prepare_payments(raw, load_service_area_mapping("E07000120"))


def test_hyndburn_year_measured(hyndburn_prepared):
    raw, prepared = hyndburn_prepared
    counts = prepared.counts
    assert counts["rows_read"] == 8988
    assert counts["market_rows"] + counts["excluded_rows"] == 8988
    assert counts["market_amount_gbp"] + counts["excluded_amount_gbp"] == pytest.approx(94_113_417.07)
    exclusions = prepared.exclusions.set_index("reason")
    assert exclusions.loc["precepts and collection-fund shares paid over", "amount_gbp"] == pytest.approx(45_469_073.28)
    assert exclusions.loc["statutory fees to HM Land Registry or the courts", "payments"] == 2425
    assert counts["supplier_spellings"] == 771 and counts["suppliers_after_merging"] == 691
    assert counts["individual_suppliers_redacted"] == 19
    services = prepared.by_service().set_index("service_id")["amount_gbp"]
    assert services["leisure"] == pytest.approx(7_388_967.18)
    assert set(services.index) == {"leisure", "museums", "revenues_benefits", "waste", "unmapped"}


def test_hyndburn_no_private_individual_is_named(hyndburn_prepared):
    raw, prepared = hyndburn_prepared
    people = {name for name in raw["supplier_raw"].unique() if S.classify_sector(name) == "individual"}
    assert {"Rob Mercer", "Benjamin Forshaw", "David Forsdick KC"} <= people
    shown = "\n".join(
        frame.astype(str).to_csv() for frame in (prepared.market, prepared.excluded, prepared.variants)
    )
    for person in people:
        assert person.strip() not in shown


# --------------------------------------------------------------------------- capital and revenue

#: Real Hyndburn 2024-25 descriptions (data/raw/council/E07000120/supplier_payments) and what rules 3–5 of
#: CAPITAL_RULES make of each payment on its own (1-based rule number; 8 = revenue).
HYNDBURN_DESCRIPTIONS = [
    # the Wilson Field leisure centre build (Alliance Leisure Services)
    ("Wilsons Leisure Centre- Valuation 13", 3),
    ("Valuation 15", 3),
    ("Wilsons - Valuation 1", 3),
    ("Wilson Field Leisure Centre Val 2", 3),
    ("Wilson Field Leisure Centre Construction Valuation 3", 3),
    ("Retention Fee", 3),
    ("Wilson Field Leisure Centre Construction", 4),
    ("PM Fee", 5),
    ("Wilson Field Leisure Centre PM Fees", 5),
    # the same words elsewhere in the file: other capital schemes
    ("Accrington Town Square - Payment Certificate 2", 3),
    ("Valuation  2- Acc Cem", 3),
    ("Memorial Park grounds - works Val 2", 3),
    ("SCAPE NCF E&W - Accrington Town Square - Payment 9", 4),
    ("Phase 1 construction of Acc Cem Depot", 4),
    ("Invoice 2 Contract management of capital works. G-H Greening", 4),
    # lines of the build that name no stage: caught only with their invoice or supplier (rules 6 and 7)
    ("Contractor", 8),
    ("ALS Fee", 8),
    ("Wilson Field Leisure Centre", 8),
    ("Hyndburn 3G Pitch", 8),
    ("Fees re Wilson Field Leisure Centre", 8),
    # ordinary revenue payments with words close to the keywords
    ("Valuation Fees - July 2024", 8),
    ("Val Fees 24", 8),
    ("Asset Valuations 2024-25.", 8),
    ("Asset valuations as at 1st April 2023 - Stage 2", 8),
    ("Engineering and Construction Renewal Period 01.04.24 - 31.03.25", 8),
    ("Contractor Support", 8),
    ("01/10/2024 - 31/10/2024 HYNDBURN LEISURE CENTRE", 8),
    ("Household Support Fund Round 6 Delivery", 8),
    ("Roofing works", 8),
    ("Oakhill Park refurb of tennis couts", 8),
    ("LS Consultancy for Hyndburn Leisure Transformation Project Q3", 8),
]


@pytest.mark.parametrize(("description", "rule"), HYNDBURN_DESCRIPTIONS)
def test_capital_keyword_rules_on_real_hyndburn_descriptions(description, rule):
    decided = S.CAPITAL_RULES.first(S.CapitalFacts(S._text(description)))
    assert S.CAPITAL_RULES.rules.index(decided) + 1 == rule
    assert decided.outcome == (S.REVENUE if rule == 8 else S.CAPITAL)


def _lines(rows):
    """(supplier, reference, description, amount) rows as a payments table on one day."""
    frame = pd.DataFrame(rows, columns=["supplier", "reference", "description", "amount_gbp"])
    frame["supplier_key"] = frame["supplier"].map(S.merge_key)
    frame["payment_date"] = pd.Timestamp("2024-09-12")
    return frame


def test_capital_carried_to_the_rest_of_an_invoice_and_a_works_contractors_other_payments():
    frame = _lines([
        # Hyndburn's September 2024 invoice CRINV0004827 and two of the contractor's other lines
        ("Alliance Leisure Services Limited", "CRINV0004827", "Contractor", 979145.94),
        ("Alliance Leisure Services Limited", "CRINV0004827", "PM Fee", 5228.57),
        ("Alliance Leisure Services Limited", "CRINV0004827", "ALS Fee", 5400.00),
        ("Alliance Leisure Services Limited", "CRINV0003666", "Hyndburn 3G Pitch", 8552.23),
        # a grounds contractor with one valuation (£100 of £1,000 = 10 %): its other work stays revenue
        ("Groundworks Ltd", "G1", "Works Val 2", 100.0),
        ("Groundworks Ltd", "G2", "Playground repairs", 900.0),
        ("Cleaner Ltd", "", "Contractor", 50.0),  # no reference: a line stands alone
    ])
    out = S.classify_spend(frame)
    assert out["spend_rule"].tolist() == [6, 5, 6, 7, 3, 8, 8]
    assert out["spend_type"].tolist() == ["capital"] * 5 + ["revenue"] * 2
    # Alliance: (979,145.94 + 5,228.57 + 5,400.00) of 998,326.74 is capital by rules 1–6 = 99 % ≥ 50 %
    revenue, capital = S.split_spend(out)
    assert capital["amount_gbp"].sum() == pytest.approx(998_326.74 + 100.0)
    assert revenue["supplier"].tolist() == ["Groundworks Ltd", "Cleaner Ltd"]
    # raising the contractor share above Alliance's 99.1 % leaves the 3G pitch line revenue
    assert S.classify_spend(frame, min_contractor_share=0.995)["spend_rule"].tolist()[3] == 8


def test_a_files_own_capital_or_revenue_column_and_expense_type_are_read():
    frame = _lines([("Build Ltd", "B1", "Valuation 3", 100.0), ("Build Ltd", "B2", "Cleaning", 10.0),
                    ("Build Ltd", "B3", "Cleaning", 10.0), ("Kit Ltd", "K1", "Gym kit", 40.0)])
    frame["capital_revenue"] = ["Revenue", "Capital", "", ""]
    frame["expense_type"] = ["", "", "", "Capital - equipment"]
    out = S.classify_spend(frame)
    # the file's flag beats the keyword (line 1) and decides line 2; line 3 has no flag and no keyword, and
    # Build Ltd is 10 of 120 = 8 % capital, not a works contractor; Kit Ltd's expense type says capital
    assert out["spend_rule"].tolist() == [2, 1, 8, 4]
    assert out["spend_type"].tolist() == ["revenue", "capital", "revenue", "capital"]


def test_capital_by_supplier_masks_personal_names_and_withholds_individuals():
    frame = _lines([
        ("Build Ltd", "B1", "Valuation 1 - adaptations for Mrs A Smith", 300.0),
        ("Build Ltd", "B2", "Valuation 2", 200.0),
        (S.REDACTED, "P1", "Valuation 1 - own home", 50.0),
    ])
    frame["sector"] = ["private", "private", "individual"]
    table = S.capital_by_supplier(frame)
    assert table[["supplier", "payments", "amount_gbp", "rules"]].values.tolist() == [
        ["Build Ltd", 2, 500.0, "3"], [S.REDACTED, 1, 50.0, "3"]]
    assert table.loc[0, "descriptions"] == "Valuation 1 - adaptations for [name]; Valuation 2"
    assert table.loc[1, "descriptions"] == "(withheld: private individual)"
    assert "Smith" not in table.to_csv()
    lines = S.capital_lines(frame)
    assert lines[["supplier", "description", "amount_gbp", "rule"]].values.tolist() == [
        ["Build Ltd", "Valuation 1 - adaptations for [name]", 300.0, 3],
        ["Build Ltd", "Valuation 2", 200.0, 3],
        [S.REDACTED, "(withheld: private individual)", 50.0, 3],
    ]
    assert "Smith" not in lines.to_csv()
    empty = S.capital_by_supplier(_lines([("Clean Ltd", "C1", "Cleaning", 5.0)]))
    assert empty.empty and list(empty.columns) == ["supplier", "sector", "payments", "amount_gbp", "rules", "descriptions"]


def test_capital_rule_bad_input_is_the_packages_errors():
    with pytest.raises(InputTableError, match="description") as caught:
        S.classify_spend(pd.DataFrame({"supplier": ["A"], "amount_gbp": [1.0]}))
    assert (caught.value.table, caught.value.column) == ("payments", "description")
    with pytest.raises(ParameterError, match="min_contractor_share"):
        S.classify_spend(_lines([("A", "1", "x", 1.0)]), min_contractor_share=50)


def test_capital_rules_are_printed_from_the_table_that_runs():
    printed = S.rules_tables()["capital"]
    assert printed["order"].tolist() == list(range(1, 9))
    assert printed["payment is"].tolist() == [r.outcome for r in S.CAPITAL_RULES]
    assert printed["rule"].tolist() == [r.text for r in S.CAPITAL_RULES]
    assert printed["payment is"].tolist() == ["capital", "revenue", "capital", "capital", "capital", "capital",
                                              "capital", "revenue"]


def test_prepare_payments_sets_capital_apart():
    rows = HAND + [("Build Ltd", "Valuation 4", "Leisure - Centres", 9000.0)]
    prepared = S.prepare_payments(_frame(rows), MAPPING)
    assert prepared.counts["capital_rows"] == 1 and prepared.counts["capital_amount_gbp"] == 9000.0
    assert prepared.capital["supplier"].tolist() == ["Build Ltd"]
    assert len(prepared.revenue) + len(prepared.capital) == len(prepared.market)
    assert set(prepared.market["spend_type"]) == {"capital", "revenue"}
    assert "spend_type" not in prepared.excluded.columns
    assert prepared.capital_by_supplier()["supplier"].tolist() == ["Build Ltd"]


def test_hyndburn_capital_payments_measured(hyndburn_prepared):
    """The Wilson Field leisure centre build: 29 payments to Alliance Leisure Services, £6,102,449.05."""
    raw, prepared = hyndburn_prepared
    counts = prepared.counts
    assert counts["capital_rows"] == 79 and counts["capital_amount_gbp"] == pytest.approx(12_933_014.48)
    capital = prepared.capital
    build = capital[capital["supplier"] == "Alliance Leisure Services Limited"]
    assert len(build) == 29 and build["amount_gbp"].sum() == pytest.approx(6_102_449.05)
    assert set(build["service_id"]) == {"leisure"}
    # every one of Alliance Leisure Services' payments in the year is one of them
    alliance = raw[raw["supplier_raw"].str.startswith("Alliance Leisure Services")]
    assert len(alliance) == 29
    by_rule = build.groupby("spend_rule").size().to_dict()
    assert by_rule == {3: 9, 4: 3, 5: 3, 6: 9, 7: 5}
    # the other schemes the keywords find: Accrington Town Square, the cemetery, Memorial Park
    assert capital.groupby("supplier")["amount_gbp"].sum().round(2).to_dict() == {
        "Alliance Leisure Services Limited": 6_102_449.05,
        "John Wade Groundworks Ltd": 71_883.42,
        "Krol Corlett Construction Limited": 163_457.66,
        "Morgan Sindall Construction & Infrastructure Ltd": 6_365_781.99,
        "Proffitts Investing In Communities": 14_370.80,
        "Rosslee Construction Ltd": 12_481.60,
        "Stone Central": 202_589.96,
    }
    # the keywords catch no ordinary revenue line: asset-valuation fees, insurance, utilities stay revenue
    revenue_text = " | ".join(prepared.revenue["description"].str.lower())
    assert "asset valuations 2024-25" in revenue_text and "engineering and construction renewal" in revenue_text
    assert not prepared.revenue["description"].str.contains(r"(?i)valuation \d|scape ncf").any()
    # leisure revenue: all of it to the leisure trust; with the build counted in, the builder would look dominant
    leisure = prepared.market[prepared.market["service_id"] == "leisure"]
    assert leisure.loc[leisure["spend_type"] == "revenue", "supplier"].unique().tolist() == ["Hyndburn Leisure"]
