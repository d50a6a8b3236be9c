"""Each case points the package at its own copy of the project; afterwards the package forgets it."""

from __future__ import annotations

import pytest

from wcc_analysis.core import config as config_module
from wcc_analysis.core import paths


@pytest.fixture(autouse=True)
def forget_the_project_copy():
    """Set up before (so torn down after) the test's monkeypatch: the cached root and config are cleared once
    the environment is back to the real project's."""
    yield
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()
