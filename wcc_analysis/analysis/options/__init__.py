"""Option appraisal and sourcing plan (seed section 7, Design: option appraisal, sourcing plan; Implement)."""

from wcc_analysis.analysis.options.appraise import *  # noqa: F401,F403
