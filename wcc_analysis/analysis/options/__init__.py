"""Option appraisal (Green Book) and the sourcing plan."""

from wcc_analysis.analysis.options.appraise import *  # noqa: F401,F403
