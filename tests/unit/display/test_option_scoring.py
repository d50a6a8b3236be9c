"""The MCA section: criteria with anchors, scores with reasons, totals stacked by criterion, the rule printed."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from wcc_analysis.analysis import options as op
from wcc_analysis.display import plots, report
from wcc_analysis.display.sections.option_scoring import option_scoring

CRITERIA = pd.DataFrame([("Quality", 40, "worse than today", "as today", "clearly better"),
                         ("Deliverability", 30, "cannot be done", "normal effort", "easy"),
                         ("Risk", 30, "all on the council", "as today", "well shared")], columns=op.CRITERIA_COLUMNS)
SCORES = pd.DataFrame([("status_quo", "Quality", 5, "as today"), ("status_quo", "Deliverability", 9, "no change"),
                       ("status_quo", "Risk", 5, "as today"), ("outsource_private", "Quality", 6, "new fleet"),
                       ("outsource_private", "Deliverability", 9, "standard contract"),
                       ("outsource_private", "Risk", 7, "performance bond")],
                      columns=[*op.SCORE_COLUMNS, "rationale"])


@pytest.fixture
def shown(monkeypatch):
    markup: list[str] = []
    monkeypatch.setattr(report, "_display", markup.append)
    yield markup
    plt.close("all")


def test_section_shows_anchors_reasons_totals_and_the_rule(shown):
    totals = op.mca(SCORES, CRITERIA)
    option_scoring(op.mca_criteria(CRITERIA), op.mca_detail(SCORES, CRITERIA), totals, op.MCA_RULES,
                   source="ILLUSTRATIVE SAMPLE, not the council's own figures")
    page = "".join(shown)
    assert "ILLUSTRATIVE SAMPLE" in page
    assert "What 10 means" in page and "well shared" in page  # the anchors
    assert "performance bond" in page  # the reason for a score
    assert "72.0" in page and "62.0" in page  # outsource 24 + 27 + 21; the status quo 20 + 27 + 15
    assert "How the multi-criteria analysis is made" in page and "never blended" in page


def test_section_says_when_there_is_no_mca(shown):
    option_scoring(None, None, None, op.MCA_RULES)
    assert "not available" in shown[0]


def test_stacked_bar_is_sorted_best_at_the_top_and_sums_to_the_total():
    totals = op.mca(SCORES, CRITERIA)
    ax = plots.mca_points(totals)
    widths = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        widths[y] = widths.get(y, 0.0) + patch.get_width()
    assert [round(widths[y], 6) for y in sorted(widths)] == [62.0, 72.0]  # status quo below, outsource on top
    assert "Outsource to private sector scores highest" in ax.get_title()
    plt.close("all")
