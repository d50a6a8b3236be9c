"""The Green Book's five cases (wcc_analysis.analysis.options.business_case): coverage by rule, the shortlist,
the commercial case (Procurement Act 2023 routes, TUPE) and the management case (milestones, owners)."""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.analysis.options import business_case as bc
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.vocabulary import IMPLEMENT_ACTIVITIES, OPTION_IDS

SHORTLIST = ["status_quo", "do_minimum", "outsource_third_sector"]

DESCRIPTIONS = pd.DataFrame({
    "service_id": "leisure", "option_id": SHORTLIST,
    "description": ["Re-let the contract on current terms.", "Extend the contract two years.",
                    "Tender for a trust on new terms."],
    "data_status": "illustrative", "source_row": [2, 3, 4],
})

COMMERCIAL = pd.DataFrame({
    "service_id": "leisure", "option_id": SHORTLIST,
    "procurement_route": ["Competitive flexible procedure", "modification of the existing contract",
                          "open procedure"],
    "tupe": ["applies if another operator wins", "does not apply: same trust", "Applies: the trust's staff move"],
    "pensions": ["admitted body to the LGPS, closed"] * 3,
    "contract_years": [10.0, 2.0, 10.0],
    "break_points": ["year 5", "none", "year 5"],
    "data_status": "illustrative", "source_row": [2, 3, 4],
})


def _plan(option_id: str, owners: list[str] | None = None, activities=IMPLEMENT_ACTIVITIES) -> pd.DataFrame:
    owners = owners or ["Head of service"] * len(activities)
    starts = pd.to_datetime(["2027-01-04", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-03"][:len(activities)])
    return pd.DataFrame({
        "service_id": "leisure", "option_id": option_id, "activity": list(activities), "start": starts,
        "end": starts + pd.Timedelta(days=20), "owner": owners, "data_status": "illustrative",
    })


PLAN = pd.concat([_plan("status_quo"), _plan("do_minimum"), _plan("outsource_third_sector")], ignore_index=True)


def _coverage(**changes) -> pd.DataFrame:
    inputs = {"needs_analysis": True, "gap_analysis": True, "economic_case": True, "financial_case": True,
              "descriptions": DESCRIPTIONS, "commercial": COMMERCIAL, "plan": PLAN, "option_ids": SHORTLIST}
    return bc.five_case_coverage(**{**inputs, **changes}).set_index("case")


# --------------------------------------------------------------------------- the vocabulary


def test_procurement_routes_are_defined_once_with_the_acts_sections():
    assert list(bc.PROCUREMENT_ROUTES) == [
        "open procedure", "competitive flexible procedure", "direct award", "framework call-off",
        "not procured (in-house or inter-authority agreement)", "modification of the existing contract"]
    assert "s.20(2)(a)" in bc.PROCUREMENT_ROUTES[bc.OPEN_PROCEDURE]
    assert "s.20(2)(b)" in bc.PROCUREMENT_ROUTES[bc.COMPETITIVE_FLEXIBLE_PROCEDURE]
    assert "s.41 and Schedule 5" in bc.PROCUREMENT_ROUTES[bc.DIRECT_AWARD]
    assert "s.45" in bc.PROCUREMENT_ROUTES[bc.FRAMEWORK_CALL_OFF]
    assert "reg 72" in bc.PROCUREMENT_ROUTES[bc.CONTRACT_MODIFICATION]
    assert set(bc.ROUTE_CITATIONS) == set(bc.PROCUREMENT_ROUTES)
    assert bc.procurement_routes()["route"].tolist() == list(bc.PROCUREMENT_ROUTES)


def test_do_minimum_is_in_the_shared_vocabulary():
    assert "do_minimum" in OPTION_IDS


# --------------------------------------------------------------------------- five-case coverage


def test_a_complete_pack_covers_three_cases_fully_and_two_in_brief():
    coverage = _coverage()
    assert list(coverage.index) == list(bc.FIVE_CASES)
    assert coverage["coverage"].to_dict() == {
        "strategic": "covered fully", "economic": "covered fully", "commercial": "in brief",
        "financial": "covered fully", "management": "in brief"}
    # the commercial and management cases hold everything the template records, and are still in brief
    assert coverage.loc["commercial", "missing"] == "" and "payment mechanism" in coverage.loc[
        "commercial", "never_in_this_pack"]
    assert coverage.loc["management", "missing"] == "" and "governance" in coverage.loc[
        "management", "never_in_this_pack"]
    assert coverage.loc["strategic", "sections"] == "Needs analysis; Gap analysis"
    sentence = bc.coverage_sentence(coverage.reset_index())
    assert sentence.startswith("Of the Green Book's five cases, this pack covers the strategic, economic and financial "
                               "cases fully and the commercial and management cases in brief")


def test_coverage_falls_to_in_brief_or_not_covered_part_by_part():
    coverage = _coverage(gap_analysis=False, financial_case=False, descriptions=DESCRIPTIONS.iloc[:2],
                         commercial=None, plan=None)
    assert coverage.loc["strategic", "coverage"] == "in brief"
    assert coverage.loc["strategic", "missing"] == bc.GAP_PART
    # one of three options not described: the economic case is in brief, naming it
    assert coverage.loc["economic", "coverage"] == "in brief"
    assert "(not for Outsource to third sector)" in coverage.loc["economic", "in_the_pack"]
    assert coverage.loc["financial", "coverage"] == "not covered"
    assert coverage.loc["commercial", "coverage"] == "not covered"
    # no plan at all: business as usual and the do-minimum need none, the third-sector option does
    assert coverage.loc["management", "coverage"] == "not covered"
    assert bc.ACTIVITIES_PART in coverage.loc["management", "missing"]
    assert bc.coverage_sentence(coverage.reset_index()).endswith(
        "the strategic and economic cases in brief and the commercial, financial and management cases not at all "
        f"({bc.FIVE_CASE_SOURCE}).")


def test_an_activity_without_an_owner_leaves_the_owners_part_partial():
    plan = pd.concat([_plan("status_quo"), _plan("do_minimum"),
                      _plan("outsource_third_sector", owners=["A", "", "C", "D", "E"])], ignore_index=True)
    coverage = _coverage(plan=plan)
    assert coverage.loc["management", "coverage"] == "in brief"
    assert "an owner for every activity (not for Outsource to third sector)" in coverage.loc["management", "in_the_pack"]


def test_no_contract_route_is_not_asked_for_contract_length_or_break_points():
    in_house = COMMERCIAL.iloc[[0]].assign(procurement_route=bc.NOT_PROCURED, contract_years=float("nan"),
                                           break_points="", tupe="does not apply: council staff stay")
    summary = bc.commercial_summary(in_house, "status_quo")
    assert summary.gaps == () and summary.contract_years is None
    contracted = COMMERCIAL.iloc[[0]].assign(contract_years=float("nan"), break_points="")
    assert bc.commercial_summary(contracted, "status_quo").gaps == ("contract length", "break points")


def test_the_rule_table_prints_three_levels_in_order():
    frame = bc.FIVE_CASE_RULES.frame()
    assert frame["coverage"].tolist() == ["covered fully", "in brief", "not covered"]
    assert "never more than in brief" in frame.loc[1, "rule"]


# --------------------------------------------------------------------------- shortlist


def test_shortlist_in_framework_order_says_what_to_add():
    table = bc.shortlist_descriptions(DESCRIPTIONS, ["outsource_third_sector", "closure", "status_quo"])
    assert table["option_id"].tolist() == ["status_quo", "outsource_third_sector", "closure"]
    assert table["option"].tolist() == ["Business as usual", "Outsource to third sector", "Closure"]
    assert table["described"].tolist() == [True, True, False]
    assert "add one sentence to option_descriptions.csv" in table["description"].iloc[2]
    assert bc.shortlist_descriptions(DESCRIPTIONS)["option_id"].tolist() == SHORTLIST


@pytest.mark.parametrize(("change", "column", "words"), [
    ({"description": ["Re-let.", "  ", "Tender."]}, "description", "no description for option 'do_minimum'"),
    ({"option_id": ["status_quo", "do_minimum", "outsource_to_aliens"]}, "option_id", "unknown option id"),
    ({"option_id": ["status_quo", "status_quo", "do_minimum"]}, "option_id", "more than one row"),
])
def test_bad_descriptions_are_named(change, column, words):
    with pytest.raises(InputTableError, match=words) as caught:
        bc.shortlist_descriptions(DESCRIPTIONS.assign(**change))
    assert caught.value.column == column and caught.value.table == bc.DESCRIPTIONS


def test_blank_description_names_its_file_row():
    with pytest.raises(InputTableError) as caught:
        bc.shortlist_descriptions(DESCRIPTIONS.assign(description=["Re-let.", "", "Tender."]))
    assert caught.value.row == 3


# --------------------------------------------------------------------------- commercial case


def test_commercial_summary_reads_route_tupe_pensions_length_and_breaks():
    summary = bc.commercial_summary(COMMERCIAL, "status_quo")
    assert summary.recorded and summary.procurement_route == "competitive flexible procedure"  # lower-cased
    assert summary.route_basis.startswith("Procurement Act 2023 s.20(2)(b)")
    assert summary.tupe_applies is True and summary.contract_years == 10.0 and summary.gaps == ()
    assert summary.sentence == (
        "Business as usual: competitive flexible procedure (Procurement Act 2023 s.20(2)(b)), for 10 years "
        "(break points: year 5). TUPE applies if another operator wins. Pensions: admitted body to the LGPS, closed.")
    assert bc.commercial_summary(COMMERCIAL, "do_minimum").tupe_applies is False
    assert bc.commercial_summary(COMMERCIAL, "outsource_third_sector").tupe_applies is True  # "Applies", any case
    frame = summary.frame()
    assert frame["aspect"].tolist() == ["Procurement route", "Legal basis", "TUPE", "Pensions",
                                        "Contract length (years)", "Break points"]
    assert frame.loc[4, "value"] == "10"


def test_commercial_summary_of_an_option_with_no_row_says_what_to_add():
    summary = bc.commercial_summary(COMMERCIAL, "closure")
    assert not summary.recorded and summary.gaps == tuple(bc.COMMERCIAL_PARTS.values())
    assert "add its row to commercial_case.csv" in summary.sentence
    assert not bc.commercial_summary(None, "closure").recorded


def test_not_procured_route_is_cited_inside_its_brackets():
    row = COMMERCIAL.iloc[[0]].assign(procurement_route=bc.NOT_PROCURED, tupe="does not apply", contract_years=None)
    assert bc.commercial_summary(row, "status_quo").sentence.startswith(
        "Business as usual: not procured (in-house or inter-authority agreement; Procurement Act 2023 Schedule 2: "
        "exempted contracts). TUPE does not apply.")


def test_commercial_table_has_one_row_per_option_in_scope():
    table = bc.commercial_table(COMMERCIAL, ["status_quo", "closure"])
    assert table["option"].tolist() == ["Business as usual", "Closure"]
    assert table.loc[1, "gaps"].startswith("procurement route")


@pytest.mark.parametrize(("column", "value", "words", "row"), [
    ("procurement_route", "negotiated procedure without prior publication", "unknown procurement route", 3),
    ("tupe", "maybe", "does not start with 'applies' or 'does not apply'", 3),
    ("contract_years", "ten", "is not a number of years", 3),
    ("option_id", "outsource_to_aliens", "unknown option id", None),
])
def test_bad_commercial_rows_are_named(column, value, words, row):
    bad = COMMERCIAL.astype(object)
    bad.loc[1, column] = value
    with pytest.raises(InputTableError, match=words) as caught:
        bc.commercial_summary(bad, "status_quo")
    assert caught.value.column == column and caught.value.row == row


def test_unknown_option_argument_is_a_parameter_error():
    with pytest.raises(ParameterError):
        bc.commercial_summary(COMMERCIAL, "outsource_to_aliens")
    with pytest.raises(ParameterError):
        bc.five_case_coverage(needs_analysis=True, gap_analysis=True, economic_case=True, financial_case=True,
                              option_ids=["outsource_to_aliens"])


# --------------------------------------------------------------------------- management case


def test_milestones_are_the_activities_end_dates_with_owners_in_date_order():
    owners = ["Head of Communities", "Procurement manager", "", "Contract manager", "Contract manager"]
    summary = bc.management_summary(_plan("outsource_third_sector", owners=owners), "outsource_third_sector")
    # starts 4 January, 1 February, 1 March, 1 April and 3 May 2027, each ending 20 days later
    assert summary.milestones["milestone"].tolist() == [f"{a} complete" for a in IMPLEMENT_ACTIVITIES]
    assert [d.date().isoformat() for d in summary.milestones["date"]] == [
        "2027-01-24", "2027-02-21", "2027-03-21", "2027-04-21", "2027-05-23"]
    assert summary.milestones["owner"].tolist() == owners
    assert summary.milestones["flag"].tolist() == ["", "", "FLAG: no owner", "", ""]
    assert summary.unowned == (IMPLEMENT_ACTIVITIES[2],)
    assert summary.flags == (f"FLAG: no owner for {IMPLEMENT_ACTIVITIES[2]}.",)
    assert summary.sentence.startswith("Outsource to third sector: 5 of the framework's 5 Implement activities "
                                       "planned, 4 January 2027 to 23 May 2027, 1 activity without an owner.")


def test_an_activity_not_planned_is_flagged():
    summary = bc.management_summary(_plan("closure", activities=IMPLEMENT_ACTIVITIES[:3]), "closure")
    assert summary.missing_activities == IMPLEMENT_ACTIVITIES[3:]
    assert summary.flags == (f"FLAG: not planned: {IMPLEMENT_ACTIVITIES[3]} and {IMPLEMENT_ACTIVITIES[4]} (the "
                             "framework's Implement activities).",)


def test_business_as_usual_without_a_plan_is_not_flagged_but_a_change_is():
    plan = _plan("outsource_third_sector")
    for option_id in ("status_quo", "do_minimum"):
        summary = bc.management_summary(plan, option_id)
        assert not summary.planned and summary.flags == () and "none is needed" in summary.sentence
    closure = bc.management_summary(plan, "closure")
    assert not closure.planned and closure.flags[0].startswith("FLAG: no sourcing plan is recorded for Closure")
    assert bc.management_summary(None, "closure").flags == closure.flags
