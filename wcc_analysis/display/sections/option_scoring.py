"""The option appraisal's multi-criteria analysis: criteria and anchors, scores with reasons, totals, the rule.

Shows what it is given (the MCA's tables and its rule table); it computes nothing. The MCA is the
non-monetised case beside the NPV, so nothing here is combined with money.
"""

from __future__ import annotations

import pandas as pd

from wcc_analysis.display import plots
from wcc_analysis.display.report import available, note, rule_frame, table

#: The anchors as the reader sees them (the columns of option_criteria).
_ANCHOR_TITLES = {"anchor_0": "What 0 means", "anchor_5": "What 5 means", "anchor_10": "What 10 means"}


def option_scoring(criteria: pd.DataFrame | None, detail: pd.DataFrame | None, totals: pd.DataFrame | None,
                   rules=None, source: str | None = None, illustrative: bool = False) -> None:
    """The MCA of one service's options.

    ``criteria``: ``criterion, weight, anchor_0, anchor_5, anchor_10`` (the checked option_criteria);
    ``detail``: the long working table (``option_id, label, criterion, weight, score, points, nearest_anchor,
    anchor, rationale``); ``totals``: one row per option (``option_id, label``, points per criterion,
    ``mca_total, mca_rank``); ``rules``: the MCA's rule table (printed as it runs); ``source``: how the council's
    data must be described (e.g. "ILLUSTRATIVE SAMPLE, not the council's own figures"); ``illustrative``: the
    scores are the sample (the chart is stamped). Any table None or empty:
    the report says the part is not available.
    """
    if not available(totals, "Multi-criteria analysis (needs the council's option_criteria and option_scores)"):
        return
    if source and "ILLUSTRATIVE" in source:
        note("ILLUSTRATIVE SAMPLE: the criteria, weights, anchors and scores below are invented to show the method; "
             "they are not the council's judgements.", "warning")
    if available(criteria, "MCA criteria (option_criteria)"):
        shown = criteria[["criterion", "weight", *_ANCHOR_TITLES]].rename(columns=_ANCHOR_TITLES)
        table(shown.rename(columns={"criterion": "Criterion", "weight": "Weight"}),
              title=f"Criteria, weights (summing to {int(criteria['weight'].sum())}) and what a score of 0, 5 and 10 "
                    "means on each", source=source)
    if available(detail, "MCA scores (option_scores)"):
        scored = detail[["label", "criterion", "score", "weight", "points", "nearest_anchor", "rationale"]].rename(
            columns={"label": "Option", "criterion": "Criterion", "score": "Score (0–10)", "weight": "Weight",
                     "points": "Points (weight × score / 10)", "nearest_anchor": "Nearest anchor",
                     "rationale": "Why this score"})
        table(scored, title="Each option's score on each criterion, with the reason for it", source=source,
              formats={"Score (0–10)": "g", "Points (weight × score / 10)": ".1f"})
    names = [c for c in totals.columns if c not in ("option_id", "label", "mca_total", "mca_rank")]
    table(totals.drop(columns=["option_id"]).rename(columns={"mca_total": "MCA total (0–100)", "mca_rank": "Rank"}),
          title="Weighted totals: the points each criterion earns and the total out of 100 (no scaling across options)",
          source=source, formats={**{c: ".1f" for c in names}, "MCA total (0–100)": ".1f"})
    ax = plots.mca_points(totals, names)
    plots.caption(ax, "Points = weight × score / 10 on fixed 0–10 scales, so each option's total rests on its own scores "
                      "and adding or removing an option changes no other option's total. Shown beside the NPV, "
                      f"never combined with it. Source: {source or 'the council option_criteria and option_scores'}.",
                  illustrative=illustrative)
    if rules is not None:
        table(rule_frame(rules).rename(columns={"rating": "step"}), title="How the multi-criteria analysis is made")
