"""The five-case, shortlist, commercial and management sections: what they show and how they label the sample."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from wcc_analysis.analysis.options import business_case as bc
from wcc_analysis.display.sections import business_case as sections

DESCRIPTIONS = pd.DataFrame({"option_id": ["status_quo", "closure"], "description": ["Keep it.", "Close it."]})
COMMERCIAL = pd.DataFrame({
    "option_id": ["status_quo", "closure"], "procurement_route": [bc.NOT_PROCURED, bc.NOT_PROCURED],
    "tupe": ["does not apply: council staff stay", "does not apply: the service ends"],
    "pensions": ["not applicable", "not applicable"], "contract_years": [None, None], "break_points": ["", ""],
})
PLAN = pd.DataFrame({
    "option_id": "closure", "activity": ["Consultation", "Implement sourcing model"],
    "start": pd.to_datetime(["2027-01-04", "2027-05-04"]), "end": pd.to_datetime(["2027-04-30", "2028-03-31"]),
    "owner": ["Head of Communities", ""],
})


def _council(illustrative: bool) -> SimpleNamespace:
    return SimpleNamespace(illustrative=illustrative, code="E07000237", is_illustrative=lambda *names: illustrative)


def test_five_cases_show_the_sentence_the_table_and_the_rule(shown):
    coverage = bc.five_case_coverage(needs_analysis=True, gap_analysis=True, economic_case=True, financial_case=True,
                                     descriptions=DESCRIPTIONS, commercial=COMMERCIAL, plan=PLAN)
    sections.five_cases(coverage, bc.coverage_sentence(coverage), bc.FIVE_CASE_RULES)
    assert "this pack covers" in shown[0]
    assert "The Green Book&#x27;s five cases: what this pack covers" in shown[1] and "in brief" in shown[1]
    assert "Five case coverage rules" in shown[2] and "never more than in brief" in shown[2]


def test_shortlist_labels_the_sample_and_names_options_not_described(shown):
    sections.described_shortlist(bc.shortlist_descriptions(DESCRIPTIONS, ["status_quo", "do_minimum", "closure"]),
                       _council(True))
    assert "ILLUSTRATIVE SAMPLE: the option descriptions" in shown[0]
    assert "Not described: Do minimum" in shown[1]
    assert "Close it." in shown[2] and "ILLUSTRATIVE SAMPLE" in shown[2]


def test_commercial_case_says_it_is_in_brief_and_lists_the_routes(shown):
    summaries = [bc.commercial_summary(COMMERCIAL, o) for o in ("status_quo", "closure")]
    sections.commercial_case(summaries, _council(False), bc.procurement_routes())
    assert "The commercial case is in brief" in shown[0]
    assert not any("ILLUSTRATIVE" in m for m in shown)
    assert "Commercial case (in brief)" in shown[1] and "Business as usual" in shown[1]
    assert "s.20(2)(b)" in shown[2]


def test_management_case_flags_an_activity_with_no_owner(shown):
    summary = bc.management_summary(PLAN, "closure")
    sections.management_case(summary, _council(True))
    assert "The management case is in brief" in shown[0]
    assert "ILLUSTRATIVE SAMPLE: the sourcing plan" in shown[1]
    assert "FLAG: no owner for Implement sourcing model" in shown[2] and "#fff4e5" in shown[2]  # a warning box
    assert "Milestones for Closure" in shown[3] and "31 March 2028" in shown[3] and "FLAG: no owner" in shown[3]


def test_management_case_of_business_as_usual_without_a_plan_shows_no_table(shown):
    sections.management_case(bc.management_summary(PLAN, "status_quo"), _council(False))
    assert len(shown) == 2 and "none is needed" in shown[1]
