"""The ``faulty`` fixture: the tiny project (tests/conftest.py) with the fault notebooks of faultkit.py."""

from __future__ import annotations

import pytest
from faultkit import add_notebooks


@pytest.fixture
def faulty(project):
    """The tiny project with service ``faulty`` = hang + quick, ``dies`` = kill_kernel + quick, ``slow``, ``slower``."""
    add_notebooks(project, {"faulty": ["hang", "quick"], "dies": ["kill_kernel", "quick"], "slow": ["slow", "quick"],
                            "slower": ["slower"], "quick": ["quick"]})
    return project
