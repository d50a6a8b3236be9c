"""The front page (index.html) from a synthetic manifest: the answer first, names not ids."""

from __future__ import annotations

import html
import re

import pytest

from wcc_analysis.run import index_page

ILLUSTRATIVE = [{"source": "The council's own files", "illustrative": True, "period_end": None}]
PUBLISHED = [{"source": "MHCLG revenue outturn", "illustrative": False, "period_end": "2025-03-31"}]


def execution(service, notebook, status="ok", data_used=None, **figures):
    names = {"leisure": "Leisure – Sports Centres", "waste": "Waste collection", "portfolio": "Whole portfolio"}
    return {
        "service": service, "service_name": names[service], "notebook": notebook,
        "notebook_title": notebook.replace("_", " ").capitalize(), "status": status, "duration_s": 1.0,
        "headline": {**figures, "data_used": data_used or PUBLISHED} if status == "ok" else {},
        "outputs": {"html": f"{service}/{notebook}.html", "ipynb": f"{service}/{notebook}.ipynb"},
        "error": None if status == "ok" else {"ename": "KeyError", "evalue": "'x'", "cell_index": 2},
    }


def executions():
    return [
        execution("leisure", "needs_analysis", spend_per_head_gbp=26.74, comparator_median_spend_per_head_gbp=25.18,
                  year="2024-25", rs_block="Cultural and related services"),
        execution("leisure", "gap_analysis", data_used=ILLUSTRATIVE, delivering_need_rag="Red",
                  best_in_class_rag="Grey", value_for_money_rag="Amber"),
        execution("leisure", "option_appraisal", data_used=ILLUSTRATIVE, preferred_option="outsource_private",
                  npv_gbp_thousands={"status_quo": 0.0, "outsource_private": -2075.5, "do_minimum": 10.0},
                  npv_p10_gbp_thousands=-2915.0, npv_p90_gbp_thousands=1234.5, probability_beats_status_quo=0.711,
                  monte_carlo_option="outsource_private", price_base_year=2025, runner_up="status_quo"),
        execution("leisure", "benefit_realisation", data_used=ILLUSTRATIVE, realisation_to_date_pct=81.5,
                  benefits_planned_total_gbp_thousands=196.2, benefits_forecast_total_gbp_thousands=182.1,
                  benefits_planned_to_date_gbp_thousands=76.2, benefits_realised_to_date_gbp_thousands=62.1,
                  benefits_price_base_year="2024-25", benefits_to_date_year="2024-25"),
        execution("waste", "needs_analysis", spend_per_head_gbp=44.49, comparator_median_spend_per_head_gbp=39.17,
                  year="2024-25"),
        execution("waste", "gap_analysis", delivering_need_rag="Green", best_in_class_rag="Green",
                  value_for_money_rag="Green"),
        execution("waste", "option_appraisal", preferred_option="status_quo",
                  npv_gbp_thousands={"status_quo": 0.0, "shared_services": -3273.8}),
        execution("waste", "benefit_realisation", status="failed"),
        execution("portfolio", "priority_setting", data_used=ILLUSTRATIVE, council_data="illustrative",
                  priority_category={"leisure": "Should Do", "waste": "Must Do"},
                  priority_rank={"leisure": 2, "waste": 1}, rank_kept_share={"leisure": 0.9877, "waste": 1.0}),
        execution("portfolio", "commissioning_overview", delivering_need_count="1 of 2", best_in_class_count="1 of 2",
                  value_for_money_count="1 of 2", efficiency_gap_above_median_gbp_thousands=710.2,
                  efficiency_gap_price_base_year="2024-25", efficiency_gap_years=["2023-24"]),
    ]


def manifest(**extra):
    return {
        "run_id": "20261127T030000Z-E07000237", "council": {"code": "E07000237", "name": "Worcester"},
        "started": "2026-11-27T03:00:00Z", "finished": "2026-11-27T03:01:00Z", "duration_s": 60,
        "package": {"version": "0"}, "python": "3.11.0", "versions": {}, "selection": {}, "git": None,
        "data_currency": [], "executions": executions(), **extra,
    }


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags (and without the style sheet)."""
    body = page[page.index("<body>"):]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_the_answer_comes_first_with_the_portfolio_counts_and_totals():
    page = index_page.render_index(manifest())
    answer = page[page.index("id='answer'"):page.index("id='services'")]
    assert answer.count("1 of 2") == 3
    assert "services deliver what is needed now" in answer and "are best in class" in answer
    assert "as effective and cost-efficient as they could be" in answer
    assert "£710.2k" in answer and "2024-25 prices" in answer and "2023-24" in answer
    assert "£196.2k" in answer and "£182.1k" in answer  # planned and forecast cashable benefits
    # the answer leads; the run status, sources and the full grid of figures come after it
    assert page.index("id='answer'") < page.index("id='data-currency'") < page.index("id='run-status'")
    assert page.index("id='run-status'") < page.index("<details id='all-figures'>")


def test_counts_fall_back_to_the_gap_analyses_without_the_overview():
    m = manifest()
    m["executions"] = [e for e in m["executions"] if e["notebook"] != "commissioning_overview"]
    answer = index_page.render_index(m)
    answer = answer[answer.index("id='answer'"):answer.index("id='services'")]
    # Green answers of the two gap analyses: waste Green on all three, leisure Red, Grey and Amber
    assert answer.count("1 of 2") == 3 and "2 of 2" not in answer
    assert "Green 1, Red 1" in answer and "Green 1, Grey 1" in answer and "Green 1, Amber 1" in answer


def test_one_row_per_service_by_name_never_an_id():
    page = index_page.render_index(manifest())
    seen = text_of(page)
    for internal in ("status_quo", "outsource_private", "do_minimum", "shared_services", "rank_kept_share",
                     "leisure:", "None", "NaN", "True", "False", "0.9877"):
        assert internal not in seen, internal
    table = page[page.index("<table class='services'>"):page.index("</table>", page.index("<table class='services'>"))]
    assert "<caption>" in table and "scope='col'" in table and table.count("<th scope='row'>") == 2
    assert "Leisure – Sports Centres" in table and "Waste collection" in table
    assert "Outsource to private sector" in table and "Business as usual" in table
    assert "NPV −£2,075.5k" in table and "−£2,915.0k to £1,234.5k" in table and "71% chance" in table
    assert "£26.74" in table and "6% above the median of £25.18" in table and "2024-25" in table
    assert "81.5%" in table and "Should Do, ranked 2 of 4" not in table and "Should Do, ranked 2 of 2" in table
    # RAG in words as well as colour
    for word in ("Red", "Amber", "Green", "Grey"):
        assert f">{word}</span>" in table
    assert "not assessed" in table
    assert "report failed" in table  # waste's benefit realisation
    assert "href='leisure/option_appraisal.html'" in table
    # no cycle phase in the manifest: no column
    assert "Cycle phase" not in table


def test_the_cycle_phase_column_comes_from_the_manifest():
    page = index_page.render_index(manifest(cycle_phases={"leisure": {"phase": "Design", "illustrative": True},
                                                          "waste": {"phase": "Review", "illustrative": False}}))
    table = page[page.index("<table class='services'>"):]
    assert "Cycle phase" in table and ">Design" in table and ">Review" in table


def test_illustrative_figures_are_flagged_on_the_front_page():
    page = index_page.render_index(manifest())
    assert "ILLUSTRATIVE SAMPLE DATA" in page
    rows = page[page.index("<table class='services'>"):].split("<tr>")
    leisure = next(r for r in rows if "Leisure" in r.split("</th>")[0])
    waste = next(r for r in rows if "Waste collection" in r.split("</th>")[0])
    option = leisure[leisure.index("Outsource to private sector"):]
    assert index_page.ILLUSTRATIVE_MARKER in option.split("</td>")[0]  # the preferred option is marked
    assert index_page.ILLUSTRATIVE_MARKER in leisure.split("</td>")[-3]  # benefits
    spend = leisure[leisure.index("£26.74"):].split("</td>")[0]
    assert index_page.ILLUSTRATIVE_MARKER not in spend  # published outturn
    cells = waste.split("</td>")
    assert not any(index_page.ILLUSTRATIVE_MARKER in c for c in cells[1:-1])  # waste's own figures are published


def test_no_illustrative_data_no_banner():
    m = manifest()
    for e in m["executions"]:
        if e["headline"]:
            e["headline"]["data_used"] = PUBLISHED
            e["headline"].pop("council_data", None)
    page = index_page.render_index(m)
    assert "ILLUSTRATIVE SAMPLE DATA" not in page and "class='illus'" not in page.split("<h2 id='data-currency'")[0]


def test_pack_status_absent_says_draft():
    page = index_page.render_index(manifest(pack_status=None))
    block = page[page.index("id='pack-status'"):page.index("</div>", page.index("id='pack-status'"))]
    assert index_page.NO_STATUS_FILE in block and "pack_status.toml" in block


def test_pack_status_approved_and_draft(tmp_path):
    (tmp_path / "pack_status.toml").write_text(
        'status = "Approved"\nversion = "1.2"\napproved_by = "Cabinet"\napproved_on = 2026-12-01\n'
        'decision = "Market test <leisure>"\ndata_status = "council"\n', encoding="utf-8")
    status = index_page.read_pack_status(tmp_path)
    assert status["status"] == "approved" and status["approved_on"] == "2026-12-01" and "problem" not in status
    page = index_page.render_index(manifest(pack_status=status))
    block = page[page.index("id='pack-status'"):page.index("</div>", page.index("id='pack-status'"))]
    assert "Pack status: approved" in block and "1.2" in block and "Cabinet" in block and "1 December 2026" in block
    assert "Market test &lt;leisure&gt;" in block and "ILLUSTRATIVE SAMPLE DATA" in page  # other figures still are

    (tmp_path / "pack_status.toml").write_text('status = "approved"\nversion = "0.3"\n', encoding="utf-8")
    status = index_page.read_pack_status(tmp_path)
    assert status["status"] == "draft" and "approved_by or approved_on is blank" in status["problem"]
    (tmp_path / "pack_status.toml").write_text('status = "final"\ndata_status = "illustrative"\n', encoding="utf-8")
    status = index_page.read_pack_status(tmp_path)
    assert status["status"] == "draft" and status["illustrative"] and "'final'" in status["problem"]
    page = index_page.render_index(manifest(pack_status=status))
    assert "Pack status: draft — not approved" in page and "not one of draft, approved" in page
    (tmp_path / "pack_status.toml").write_text('status = "draft\n', encoding="utf-8")
    assert index_page.read_pack_status(tmp_path)["status"] == "draft"
    assert index_page.read_pack_status(tmp_path / "nowhere") is None


def test_the_template_and_sample_pack_status_files_read():
    from wcc_analysis.core import paths

    template = index_page.read_pack_status(paths.raw_council_dir() / "_template")
    assert template["status"] == "draft" and "problem" not in template
    sample = index_page.read_pack_status(paths.raw_council_dir() / "E07000237")
    assert sample["status"] == "draft" and sample["illustrative"] and "problem" not in sample


def test_commentary_is_rendered_simply_and_escaped(tmp_path):
    (tmp_path / "commentary").mkdir()
    (tmp_path / "commentary" / "leisure.md").write_text(
        "# Our view\n\nThe **trust** delivers.\nSecond line <script>alert(1)</script>.\n\n"
        "- one & two\n- three\n  continued\n\nAfter [a link](javascript:x).\n", encoding="utf-8")
    page = index_page.render_index(manifest(), council_dir=tmp_path)
    section = page[page.index("id='commentary'"):page.index("id='data-currency'")]
    assert "<h3>Leisure – Sports Centres</h3>" in section and "<h4>Our view</h4>" in section
    assert "<p>The <strong>trust</strong> delivers. Second line &lt;script&gt;alert(1)&lt;/script&gt;.</p>" in section
    assert "<ul><li>one &amp; two</li><li>three continued</li></ul>" in section
    assert "<script" not in page and "href='javascript" not in page and "[a link](javascript:x)" in section
    assert "Waste collection</h3>" not in section  # no file, no heading


def test_no_commentary_says_where_it_goes():
    page = index_page.render_index(manifest())
    assert "No commentary was supplied" in page and "commentary/&lt;service&gt;.md" in page


def test_run_status_moves_below_the_answer_with_the_failed_cell():
    page = index_page.render_index(manifest())
    assert "1 of 10 reports failed" in page[:page.index("id='answer'")]  # a short notice at the top
    status = page[page.index("id='run-status'"):]
    assert "Failures" in status and "KeyError" in status and "the 3rd cell of" in status


def test_the_detailed_grid_is_folded_away_with_labels_and_names():
    page = index_page.render_index(manifest())
    grid = page[page.index("<details id='all-figures'>"):page.index("</details>")]
    assert "<summary>" in grid
    assert "Preferred option: <b>Outsource to private sector</b>" in grid
    assert "Leisure – Sports Centres: 98.8%" in grid and "Business as usual: £0.0k" in grid
    assert "Probability beats status quo: <b>71.1%</b>" in grid or "71.1%" in grid


@pytest.mark.parametrize(
    ("value", "key", "text"),
    [(-2075.5, "npv_gbp_thousands", "−£2,075.5k"), (710.2, "gap_gbp_thousands", "£710.2k"),
     (0.988, "rank_kept_share", "98.8%"), (0.7, "probability_beats_status_quo", "70%"),
     ({"status_quo": 1.0}, "npv_gbp_thousands", "Business as usual: £1.0k"), (True, "x", "yes"),
     ("do_minimum", "preferred_option", "Do minimum")],
)
def test_format_value_by_kind(value, key, text):
    from wcc_analysis.core.vocabulary import OPTION_LABELS

    assert index_page.format_value(value, key, OPTION_LABELS) == text


def test_money_and_percent():
    assert index_page.money_k(-2075.5) == "−£2,075.5k" and index_page.money_k(1234567.0) == "£1,234,567.0k"
    assert index_page.percent(81.5) == "81.5%" and index_page.percent(100.0) == "100%"


def test_spend_cell_leads_with_the_services_own_budget_lines_and_keeps_the_block_as_context():
    leisure = execution("leisure", "needs_analysis", spend_per_head_gbp=26.74,
                        comparator_median_spend_per_head_gbp=25.18, year="2024-25",
                        rs_block="Cultural and related services",
                        block_shared_with=["Leisure – Sports Centres", "Museums"],
                        service_lines=["Recreation and sport"], service_lines_budget_per_head_gbp=5.06,
                        service_lines_comparator_median_gbp=7.86, service_lines_rank=3, service_lines_rank_of=15,
                        service_lines_year="2023-24")
    cell = index_page._spend_cell(leisure)
    # (5.06 - 7.86) / 7.86 = -35.6 % → "36% below"; (26.74 - 25.18) / 25.18 = +6.2 % → "6% above"
    assert cell.startswith("<b>£5.06</b><br>36% below the median of £7.86")
    assert "RA 2023-24 budget: Recreation and sport; rank 3 of 15 (1 = lowest)" in cell
    assert "Whole block: £26.74 (6% above the median of £25.18), 2024-25 outturn, Cultural and related services; " \
           "the block is shared by 2 services" in cell
    block_only = index_page._spend_cell(execution("waste", "needs_analysis", spend_per_head_gbp=44.49,
                                                  comparator_median_spend_per_head_gbp=39.17, year="2024-25",
                                                  rs_block="Environmental and regulatory services"))
    assert block_only.startswith("<b>£44.49</b><br>14% above the median of £39.17")
    assert "Whole block" not in block_only


def test_the_cycle_and_readiness_are_put_in_words_and_marked_when_illustrative():
    overview = execution("portfolio", "commissioning_overview", data_used=ILLUSTRATIVE,
                         services_by_phase={"Analyse": 3, "Design": 1, "Implement": 0, "Review": 0},
                         solace_mean_score=2.95, solace_not_assessed=1,
                         solace_weakest=["Financial realism", "Co-production and insight – engaging customers"])
    text = index_page.cycle_and_readiness(overview)
    assert "Commissioning cycle: of 4 services, 3 in Analyse, 1 in Design." in text
    assert "mean 3.0; weakest: Financial realism; Co-production and insight; 1 condition not assessed." in text
    assert index_page.ILLUSTRATIVE_MARKER in text
    assert index_page.cycle_and_readiness(execution("portfolio", "commissioning_overview")) == ""


def test_the_portfolio_counts_say_how_many_services_they_count_even_when_the_pack_ran_fewer():
    page = index_page.render_index(manifest())
    assert "asked of each of the 2 services in the portfolio" in page
    entries = {(e["service"], e["notebook"]): e for e in executions()}
    entries[("portfolio", "commissioning_overview")]["headline"]["delivering_need_count"] = "0 of 4"
    section = index_page.answer_section({"leisure": "Leisure – Sports Centres"}, entries, "portfolio")
    assert "asked of each of the 4 services in the portfolio" in section
