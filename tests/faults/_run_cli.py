"""``wcc-analysis`` on the tiny test project, in its own process: ingest stubbed out as ``point_at`` does.

Used by the fault tests (tests/faults) that interrupt or kill a whole run. Not a test module.
"""

from __future__ import annotations

import pandas as pd

import wcc_analysis.ingest as ingest
from wcc_analysis.run import cli


def _authorities():
    return pd.DataFrame({"ons_code": ["E07000237", "E07000238"], "name": ["Worcester", "Wychavon"],
                         "rs_class": ["SD", "SD"], "current": [True, True]})


ingest.build_all = lambda progress=None: None
ingest.authorities = _authorities

if __name__ == "__main__":
    cli.main()
