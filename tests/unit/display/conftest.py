"""Shared fixtures of the display tests."""

import pytest

from wcc_analysis.display import report


@pytest.fixture
def shown(monkeypatch):
    markup: list[str] = []
    monkeypatch.setattr(report, "_display", markup.append)
    return markup
