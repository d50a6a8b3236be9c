"""Accessible report output: tables with a real caption and scoped headers, charts with alt text, RAG in words."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from wcc_analysis.display import plots, report


def test_a_table_has_its_title_as_a_caption_scoped_headers_and_its_own_scroll_box(shown):
    report.table(pd.DataFrame({"name": ["Worcester"], "spend_per_head_gbp": [12.5]}), title="Spend <per head>",
                 source="MHCLG RS 2023-24")
    soup = BeautifulSoup(shown[0], "html.parser")
    table = soup.find("table")
    assert table.caption.get_text() == "Spend <per head>"
    assert [th.get("scope") for th in table.select("thead th")] == ["col", "col"]
    assert table.find_parent("div", class_="wcc-table-wrap") is not None
    assert "overflow-x:auto" in table.find_parent("div")["style"]
    assert not soup.find("b"), "the title is no longer a bold paragraph"
    assert "Source: MHCLG RS 2023-24" in soup.get_text()


def test_index_cells_are_row_headers_and_an_untitled_table_has_no_caption(shown):
    report.table(pd.DataFrame({"value": [1, 2]}, index=pd.Index(["a", "b"], name="k")), index=True)
    table = BeautifulSoup(shown[0], "html.parser").find("table")
    assert table.caption is None
    assert {th.get("scope") for th in table.select("thead th")} == {"col"}
    assert [th.get("scope") for th in table.select("tbody th")] == ["row", "row"]


def test_rag_answers_carry_the_word_not_only_the_colour(shown):
    report.rag_answers([("Best in class?", "Amber", "In the second quarter.")])
    soup = BeautifulSoup(shown[0], "html.parser")
    assert soup.find("span").get_text() == "Amber"
    assert soup.find("th", scope="row").get_text() == "Best in class?"


def test_alt_text_is_the_title_axes_and_caption_in_one_line():
    fig, ax = plt.subplots()
    ax.set_title("Spend per head rose\nfrom £10 to £12", loc="left")
    ax.set_ylabel("£ per head")
    plots.caption(ax, "Source: MHCLG revenue outturn 2023-24. " * 5)
    alt = plots.alt_text(fig)
    plt.close(fig)
    assert alt.startswith("Chart: Spend per head rose from £10 to £12. Vertical axis: £ per head. Source: MHCLG")
    assert "\n" not in alt and "  " not in alt


def test_a_grid_names_its_figure_title_and_every_panel():
    fig, axes = plt.subplots(1, 3)
    fig.suptitle("KPIs over five years")
    for i, ax in enumerate(axes):
        ax.set_title(f"KPI {i}")
        ax.set_xlabel("Year")
    alt = plots.alt_text(fig)
    plt.close(fig)
    assert alt == "Chart: KPIs over five years. KPI 0. KPI 1. KPI 2."


def test_in_a_kernel_every_figure_is_shown_with_its_alt_text_in_the_display_metadata(monkeypatch):
    import IPython
    from IPython.core.formatters import DisplayFormatter
    from matplotlib.figure import Figure

    class Shell:
        display_formatter = DisplayFormatter()

    shell = Shell()
    shell.display_formatter.formatters["image/png"].for_type(Figure, lambda fig: "cG5n")  # as the inline backend
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    with plt.rc_context():  # the house style stays in this test
        plots.use_house_style()
        plots.use_house_style()  # wrapped once only
        fig, ax = plt.subplots()
        ax.set_title("Costs fell")
        data, metadata = shell.display_formatter.format(fig)
        plt.close(fig)
    assert data["image/png"] == "cG5n"
    assert metadata["image/png"] == {"alt": "Chart: Costs fell."}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
