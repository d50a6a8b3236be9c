"""The report building blocks: rule tables printed from the tables that run, labelled tables, RAG badges."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.analysis import gap
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import RAG_COLOURS
from wcc_analysis.display import report


def test_rules_prints_every_rule_table_of_a_module_from_the_table_itself(shown):
    report.rules(gap)
    names = sorted(n for n in vars(gap) if n.endswith("_RULES"))
    assert len(shown) == len(names) == 5
    for markup, name in zip(shown, names):
        table = getattr(gap, name)
        assert isinstance(table, RuleTable)
        for rule in table:  # each rule that runs is printed, in order
            assert f"<td>{rule.outcome}</td>" in markup
        assert "Source: wcc_analysis.analysis.gap: Gap analysis" in markup
    assert ">KPI RAG rules</caption>" in shown[names.index("KPI_RAG_RULES")]


def test_rule_frame_of_a_rule_table_and_of_a_declarative_table():
    table = RuleTable((Rule("Red", "above 10", lambda x: x > 10), Rule("Green", "otherwise", always)))
    assert report.rule_frame(table).to_dict("list") == {"rating": ["Red", "Green"], "rule": ["above 10", "otherwise"]}
    assert table.decide(11) == "Red" and table.decide(3) == "Green"
    assert report.rule_frame((("step", "what it does"),)).to_dict("list") == {"rating": ["step"], "rule": ["what it does"]}


def test_table_labels_columns_escapes_and_names_its_source(shown):
    frame = pd.DataFrame({"spend_per_head_gbp": [12.5], "name": ["<script>x</script>"]})
    report.table(frame, title="Spend", source="MHCLG RS 2017-18", formats={"spend_per_head_gbp": ",.2f"})
    markup = shown[0]
    assert "Spend per head (£)" in markup and "Authority" in markup
    assert "12.50" in markup and "&lt;script&gt;" in markup and "<script>x" not in markup
    assert "Source: MHCLG RS 2017-18" in markup


def test_rag_badges_use_the_one_colour_set(shown):
    report.rag_answers([("Best in class?", "Amber", "Amber: in the second quarter.")])
    assert f"background:{RAG_COLOURS['Amber']}" in shown[0]


def test_available_says_when_a_part_is_missing(shown):
    assert report.available(object(), "Benefits register") is True and shown == []
    assert report.available(None, "Benefits register") is False
    assert "Benefits register: not available" in shown[0]

