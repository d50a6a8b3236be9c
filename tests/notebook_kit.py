"""Notebooks for the tests on the tiny project: a heading, the tagged parameters cell, then one code cell per source.

Importable from any test (``from notebook_kit import make_notebook``): ``tests/`` is on the path because it holds
the root ``conftest.py``.
"""

from __future__ import annotations

import nbformat

PARAMETERS = 'council = "E07000237"\nservice = "museums"\nyear = 2023\n'


def make_notebook(*sources: str, parameters: str = PARAMETERS,
                  heading: str = "# A test notebook") -> nbformat.NotebookNode:
    """A Python notebook: markdown ``heading``, the ``parameters`` cell (tagged for papermill), then ``sources``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(heading), params, *(nbformat.v4.new_code_cell(s) for s in sources)]
    return nb
