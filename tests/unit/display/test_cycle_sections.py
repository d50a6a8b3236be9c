"""The cycle tracker and SOLACE readiness sections: Worcester's sample shows, Hyndburn's absence is explained."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from wcc_analysis import assemble  # noqa: E402
from wcc_analysis.core import load_config  # noqa: E402
from wcc_analysis.display import plots, sections  # noqa: E402


@pytest.fixture(scope="module")
def worcester():
    return assemble.cycle_for_council("E07000237", load_config())


def test_worcester_sample_headline_and_charts(worcester, shown):
    plt.close("all")
    assert worcester.headline() == {
        "services_by_phase": {"Analyse": 4, "Design": 0, "Implement": 0, "Review": 0}, "solace_mean_score": 3.0,
        "solace_weakest": ["Organisational competencies and capacity",
                           "Co-production and insight – engaging customers, customer insight and intelligence",
                           "Financial realism"],
        "solace_not_assessed": 0}
    for show in (sections.cycle_chart, sections.cycle_tracker, sections.cycle_proportionality, sections.solace_chart,
                 sections.solace_table):
        show(worcester)
    page = "".join(shown)
    assert "ILLUSTRATIVE SAMPLE" in page and "Judged not needed, and why" in page and "Readiness rule" in page
    titles = [" ".join(" ".join(fig.axes[0].get_title(loc) for loc in ("left", "center")).split())
              for fig in map(plt.figure, plt.get_fignums())]
    assert any("All 4 services" in t and "Analyse" in t for t in titles)
    assert any("Financial realism" in t and "mean score 3.0" in t for t in titles)
    alt = [plots.alt_text(plt.figure(n)) for n in plt.get_fignums()]
    assert all("ILLUSTRATIVE SAMPLE" in a for a in alt) and any("Train a commissioning lead" in a for a in alt)
    plt.close("all")


def test_a_council_without_the_tables_is_told_how_to_add_them(shown):
    plt.close("all")
    found = assemble.cycle_for_council("E07000120", load_config())
    assert found.headline() == {"services_by_phase": {}, "solace_mean_score": None, "solace_weakest": [],
                                "solace_not_assessed": 10}
    for show in (sections.cycle_chart, sections.cycle_tracker, sections.cycle_proportionality, sections.solace_chart,
                 sections.solace_table):
        show(found)
    page = "".join(shown)
    assert "cycle_activities.csv" in page and "solace_readiness.csv" in page and "_template" in page
    assert plt.get_fignums() == []
