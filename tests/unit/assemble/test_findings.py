"""Every report's "What this report found" box (assemble ``findings()``) on the Worcester sample: three to five
plain sentences, names not ids, a year beside the figures, ILLUSTRATIVE SAMPLE where they rest on the sample."""

import re

import pytest

from wcc_analysis import assemble
from wcc_analysis.core import load_config

WORCESTER = "E07000237"
IDS = ("status_quo", "outsource_", "revenues_benefits", "do_minimum", "_")
YEAR = re.compile(r"\b20\d\d(-\d\d)?\b")
FIGURE = re.compile(r"£|\d+(\.\d+)?%")


def _reports():
    config = load_config()
    museums = config.service("museums")
    return {
        "needs": assemble.needs_report(WORCESTER, museums, config).findings(),
        "market": assemble.market_for_service(WORCESTER, museums, config).findings(museums.name),
        "gap": assemble.gap_for_service(WORCESTER, museums, config).findings(),
        "options": assemble.options_for_service(WORCESTER, museums, config).findings(museums.name),
        "benefits": assemble.benefits_for_service(WORCESTER, museums, config).findings(museums.name),
        "priority": assemble.priority_for_council(WORCESTER, config).findings("Worcester"),
    }


@pytest.fixture(scope="module")
def found():
    return _reports()


@pytest.mark.parametrize("name", ["needs", "market", "gap", "options", "benefits", "priority"])
def test_findings_are_three_to_five_plain_sentences(found, name):
    lines = found[name]
    assert 3 <= len(lines) <= 5
    for line in lines:
        assert line.endswith("."), line
        assert not any(i in line for i in IDS), line
        if FIGURE.search(line) and not any(w in line for w in ("Contract", "weightings")):  # counts, not dated figures
            assert YEAR.search(line), f"a figure without its year: {line}"


def test_sample_sentences_say_so(found):
    assert all("ILLUSTRATIVE SAMPLE" in line for line in found["options"][:4])
    assert "ILLUSTRATIVE SAMPLE" not in " ".join(found["needs"])  # published data only
    assert found["options"][0].startswith("Closure is preferred")
    assert "Museums" in found["priority"][1]


def test_hyndburn_says_what_is_not_available():
    config = load_config()
    museums = config.service("museums")
    priority = assemble.priority_for_council("E07000120", config).findings("Hyndburn")
    options = assemble.options_for_service("E07000120", museums, config).findings(museums.name)
    assert 3 <= len(priority) <= 5 and "not supplied" in " ".join(priority)
    assert 3 <= len(options) <= 5 and "not supplied" in options[0]
