"""Every table shows reader's labels, numbers by kind, names for ids, and never None, NaN or True."""

from __future__ import annotations

import math

import pandas as pd

from wcc_analysis.core.vocabulary import OPTION_LABELS
from wcc_analysis.display import report


def test_a_program_frame_renders_for_readers(shown):
    frame = pd.DataFrame({
        "option_id": ["outsource_private", "status_quo"],
        "pv_costs_gbp": [95000.0, 704285.7],
        "gap_to_median_gbp_thousands": [-2075.5, 12.0],
        "prob_better_than_status_quo": [0.988, None],
        "seed_activity": [True, False],
        "note": [None, math.nan],
        "Already named": ["x", "y"],
    })
    report.table(frame, title="Options")
    markup = shown[0]
    for raw in ("option_id", "pv_costs_gbp", "gap_to_median_gbp_thousands", "seed_activity", "outsource_private"):
        assert raw not in markup
    assert "PV costs (£)" in markup and "Seed activity" in markup and "Already named" in markup
    assert OPTION_LABELS["outsource_private"] in markup and "Business as usual" in markup
    assert "£95,000" in markup and "£704,286" in markup and "−£2,075.5k" in markup and "98.8%" in markup
    assert "<td>yes</td>" in markup and "<td>no</td>" in markup
    for python in (">None<", ">NaN<", ">nan<", ">True<", ">False<"):
        assert python not in markup


def test_explicit_formats_still_win(shown):
    frame = pd.DataFrame({"budget_gbp": [-1234.5], "label": ["A"]})
    report.table(frame, formats={"budget_gbp": ",.2f", "label": lambda v: f"<{v}>"})
    assert "−£1,234.50" in shown[0] and "&lt;A&gt;" in shown[0]


def test_a_column_of_service_ids_reads_as_names(shown):
    report.table(pd.DataFrame({"Service": ["revenues_benefits"]}))
    assert "revenues_benefits" not in shown[0]
