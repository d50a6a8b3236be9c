"""Multi-criteria analysis (MCA) of the options on fixed 0–10 scales: the non-monetised case beside the NPV.

The council defines each criterion once, in its ``option_criteria`` table: a
weight (whole numbers summing to 100 for the service) and what a score of 0, 5
and 10 means on it (``anchor_0``, ``anchor_5``, ``anchor_10``). Each option is
then scored 0–10 on every criterion in ``option_scores``, with a one-line
rationale. The total is the weighted sum ``Σ weight × score / 10`` (0–100).
Nothing is scaled across the options: an option's total depends on its own
scores alone, so adding or removing an option never changes another's total or
the order of the others (no rank reversal). ``MCA_RULES`` states the method as
the report prints it; ``MCA_ANCHOR_RULES`` says which anchor a score is nearest.

Sources: DCLG, *Multi-criteria analysis: a manual* (2009), sections 4.7
(linear additive models), 5.6 (scoring) and 6.2 (the stages of MCDA:
criteria, scoring on defined scales, weighting, combining weights and scores);
HM Treasury, *The Green Book* (2022), chapter 4 (the long list and shortlist)
and its supplementary guidance *Use of Multi-Criteria Decision Analysis in
options appraisal of economic cases*. Bad content in either table is an
:class:`InputTableError` naming the table, the column, the row (the file row
when the table came from the council template) and what to do.
"""

from __future__ import annotations

import math

import pandas as pd

from wcc_analysis.analysis.common import file_row, require_columns
from wcc_analysis.analysis.options._checks import SCORES, _check_options, _name_rows, _one_service, _ordered
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import OPTION_IDS, OPTION_LABELS

#: The table of criteria as the analyst knows it (the council template's option_criteria).
CRITERIA = "option criteria"
#: What a score of 0, 5 and 10 means on a criterion: the columns of option_criteria that say it.
ANCHORS: dict[int, str] = {0: "anchor_0", 5: "anchor_5", 10: "anchor_10"}
#: The columns the MCA reads from each table (``rationale`` is optional in the scores handed in).
CRITERIA_COLUMNS = ["criterion", "weight", *ANCHORS.values()]
SCORE_COLUMNS = ["option_id", "criterion", "score"]
#: The fixed scale and the total the weights sum to.
SCALE_MAX = 10
WEIGHT_TOTAL = 100
#: The columns of ``mca_detail`` (the working, one row per option and criterion).
DETAIL_COLUMNS = ["option_id", "label", "criterion", "weight", "score", "points", "nearest_anchor", "anchor",
                  "rationale"]

#: The MCA, as the report prints it (term: rule).
MCA_RULES: tuple[tuple[str, str], ...] = (
    ("criteria and weights",
     "the council's option_criteria table: one row per criterion, a whole-number weight, weights summing to "
     f"{WEIGHT_TOTAL} for the service; the criteria cover what the NPV does not price (a cost or savings "
     "criterion would count the money twice)"),
    ("fixed scale",
     f"each option is scored 0–{SCALE_MAX} on each criterion against the same written anchors for 0, 5 and 10 "
     "(anchor_0, anchor_5, anchor_10), with a one-line rationale; a score means the same whichever options are "
     "on the list — a fixed ('global') scale, not one stretched between the best and worst option (DCLG, "
     "Multi-criteria analysis: a manual, 2009, 5.6 and 6.2)"),
    ("weighted sum",
     f"MCA total = Σ weight × score / {SCALE_MAX}, from 0 to {WEIGHT_TOTAL} (the linear additive model, DCLG "
     "2009, 4.7); a criterion's points = its weight × score / 10, so one point on a criterion weighted 30 is "
     "worth 3 points of the total"),
    ("no scaling across options",
     "scores are never rescaled between the options (no min–max): an option's total rests on its own scores "
     "alone, so adding or removing an option never changes the order of the others"),
    ("rank", "1 = the highest total; options with equal totals (to 9 decimals) share the better rank"),
    ("use",
     "the MCA shortlists the options and is the non-monetised case shown beside the NPV; it is never blended "
     "into the NPV or into a combined score (HM Treasury, The Green Book 2022, chapter 4, and its supplementary "
     "guidance on multi-criteria decision analysis)"),
)

#: Which written anchor a score is nearest (first rule that holds): shown beside each score in ``mca_detail``.
MCA_ANCHOR_RULES: RuleTable[float] = RuleTable((
    Rule("anchor_0", "score below 2.5: nearest the description of 0", lambda score: score < 2.5),
    Rule("anchor_5", "score from 2.5 to 7.5: nearest the description of 5", lambda score: score <= 7.5),
    Rule("anchor_10", "score above 7.5: nearest the description of 10", always),
), columns=("nearest anchor", "rule"))

_FIX_CRITERIA = ("give each criterion one row in option_criteria with a whole-number weight (the weights summing "
                 f"to {WEIGHT_TOTAL}) and a description of what a score of 0, 5 and 10 means")
_FIX_SCORES = f"score every option on every criterion of option_criteria, from 0 to {SCALE_MAX}"


def _blank(values: pd.Series) -> pd.Series:
    """True where a text cell is missing or empty."""
    return values.isna() | values.astype(str).str.strip().eq("")


def _file_rows(rows: pd.DataFrame) -> str:
    """"; file rows 2–6" when the table came from the council template (it carries ``source_row``), else ""."""
    if "source_row" not in rows.columns or rows["source_row"].isna().all():
        return ""
    lo, hi = int(rows["source_row"].min()), int(rows["source_row"].max())
    return f"; file rows {lo}–{hi}" if hi > lo else f"; file row {lo}"


def _criteria(criteria: pd.DataFrame | None, scores: pd.DataFrame) -> pd.DataFrame:
    """The checked criteria (criterion, weight, anchors), in the council's order; InputTableError if wrong."""
    if criteria is None:
        raise InputTableError(CRITERIA, "no criteria given: the MCA needs the council's option_criteria table",
                              column="criterion",
                              fix="add option_criteria.csv (see data/raw/council/README.md): " + _FIX_CRITERIA)
    require_columns(criteria, CRITERIA_COLUMNS, CRITERIA)
    _one_service(criteria, CRITERIA)
    if "service_id" in criteria.columns and "service_id" in scores.columns:
        mine, theirs = set(criteria["service_id"].dropna()), set(scores["service_id"].dropna())
        if mine and theirs and mine != theirs:
            raise InputTableError(CRITERIA, f"criteria are for service {sorted(mine)} but the scores are for "
                                  f"{sorted(theirs)}", column="service_id",
                                  fix="pass the option_criteria rows of the service whose options are scored")
    rows = criteria.copy()
    if rows.empty:
        raise InputTableError(CRITERIA, "no rows", column="criterion", fix=_FIX_CRITERIA)
    rows["criterion"] = rows["criterion"].astype(str).str.strip()
    blank = _blank(criteria["criterion"])
    if blank.any():
        raise InputTableError(CRITERIA, "a criterion has no name", row=file_row(rows[blank]), column="criterion",
                              fix="name every criterion, or delete the empty row")
    twice = rows.duplicated("criterion", keep=False)
    if twice.any():
        raise InputTableError(CRITERIA, f"criterion defined more than once ({_name_rows(rows, twice, ['criterion'])})",
                              row=file_row(rows[twice].iloc[1:]), column="criterion",
                              fix="keep one row per criterion, with one weight and one set of anchors")
    rows["weight"] = pd.to_numeric(criteria["weight"], errors="coerce")
    bad = rows["weight"].isna() | (rows["weight"] <= 0) | (rows["weight"] % 1 != 0)
    if bad.any():
        where = _name_rows(rows.assign(weight=criteria["weight"]), bad, ["criterion", "weight"])
        raise InputTableError(CRITERIA, f"weight must be a whole number above 0 (criterion / weight: {where})",
                              row=file_row(rows[bad]), column="weight",
                              fix=f"give each criterion a whole-number weight, the weights summing to {WEIGHT_TOTAL} "
                                  "(delete a criterion that should not count)")
    total = float(rows["weight"].sum())
    if not math.isclose(total, WEIGHT_TOTAL, abs_tol=1e-9):
        listed = ", ".join(f"{c} {w:g}" for c, w in zip(rows["criterion"], rows["weight"]))
        raise InputTableError(CRITERIA, f"the weights sum to {total:g}, not {WEIGHT_TOTAL} ({listed}"
                              f"{_file_rows(rows)})", row=file_row(rows), column="weight",
                              fix=f"change the weights so that they sum to {WEIGHT_TOTAL}")
    for column in ANCHORS.values():
        blank = _blank(criteria[column])
        if blank.any():
            raise InputTableError(CRITERIA, f"no description of what this score means for criterion "
                                  f"{_name_rows(rows, blank, ['criterion'])}", row=file_row(rows[blank]), column=column,
                                  fix="describe, in a sentence, what an option scoring "
                                      f"{column.removeprefix('anchor_')} on the criterion would be like")
        rows[column] = criteria[column].astype(str).str.strip()
    return rows[CRITERIA_COLUMNS].reset_index(drop=True)


def _scores(scores: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """The checked scores (option_id, criterion, score, rationale, source_row if any); InputTableError if wrong."""
    require_columns(scores, SCORE_COLUMNS, SCORES)
    _one_service(scores, SCORES)
    if scores.empty:
        raise InputTableError(SCORES, "no rows", column="option_id", fix=_FIX_SCORES)
    _check_options(scores["option_id"], SCORES)
    keep = [*SCORE_COLUMNS, *(c for c in ("rationale", "source_row") if c in scores.columns)]
    rows = scores[keep].copy()
    rows["criterion"] = rows["criterion"].astype(str).str.strip()
    rows["rationale"] = scores["rationale"].fillna("").astype(str).str.strip() if "rationale" in scores else ""
    rows["score"] = pd.to_numeric(scores["score"], errors="coerce")
    bad = rows["score"].isna() | (rows["score"] < 0) | (rows["score"] > SCALE_MAX)
    if bad.any():
        where = _name_rows(rows.assign(score=scores["score"]), bad, ["option_id", "criterion", "score"])
        raise InputTableError(SCORES, f"score must be a number from 0 to {SCALE_MAX} (option / criterion / score: "
                              f"{where})", row=file_row(rows[bad]), column="score",
                              fix=f"score each option 0–{SCALE_MAX} against the criterion's anchors in "
                                  "option_criteria (0, 5 and 10 are described there)")
    defined = set(criteria["criterion"])
    unknown = ~rows["criterion"].isin(defined)
    if unknown.any():
        raise InputTableError(SCORES, f"criterion not defined in option_criteria (option / criterion: "
                              f"{_name_rows(rows, unknown, ['option_id', 'criterion'])})",
                              row=file_row(rows[unknown]), column="criterion",
                              fix=f"use a criterion of option_criteria ({list(criteria['criterion'])}), spelt the "
                                  "same, or add the criterion there with its weight and anchors")
    twice = rows.duplicated(["option_id", "criterion"], keep=False)
    if twice.any():
        raise InputTableError(SCORES, f"option scored more than once on a criterion (option / criterion: "
                              f"{_name_rows(rows, twice, ['option_id', 'criterion'])})",
                              row=file_row(rows[twice].iloc[1:]), column="criterion",
                              fix="keep one row per option and criterion")
    have = set(zip(rows["option_id"], rows["criterion"]))
    gaps = [(o, c) for o in _ordered(rows["option_id"]) for c in criteria["criterion"] if (o, c) not in have]
    if gaps:
        named = "; ".join(f"{o} / {c}" for o, c in gaps[:5]) + (f"; and {len(gaps) - 5} more" if len(gaps) > 5 else "")
        first = rows[rows["option_id"] == gaps[0][0]]
        raise InputTableError(SCORES, f"option not scored on every criterion: no score for (option / criterion) "
                              f"{named}", row=file_row(first.tail(1)), column="criterion", fix=_FIX_SCORES)
    return rows


def mca_detail(scores: pd.DataFrame, criteria: pd.DataFrame | None) -> pd.DataFrame:
    """The MCA's working, one row per option and criterion (``DETAIL_COLUMNS``): the score (0–10), the criterion's
    weight, the points it earns (weight × score / 10), the anchor the score is nearest (``MCA_ANCHOR_RULES``:
    0, 5 or 10, and its description) and the rationale. Options in the framework's order, criteria in the
    council's."""
    checked = _criteria(criteria, scores)
    rows = _scores(scores, checked)
    by_criterion = checked.set_index("criterion")
    rows["label"] = rows["option_id"].map(OPTION_LABELS)
    rows["weight"] = rows["criterion"].map(by_criterion["weight"]).astype(int)
    rows["points"] = rows["weight"] * rows["score"] / SCALE_MAX
    nearest = rows["score"].map(MCA_ANCHOR_RULES.decide)
    rows["nearest_anchor"] = nearest.map({column: point for point, column in ANCHORS.items()}).astype(int)
    rows["anchor"] = [by_criterion.at[c, column] for c, column in zip(rows["criterion"], nearest)]
    rows["_o"] = rows["option_id"].map({o: i for i, o in enumerate(OPTION_IDS)})
    rows["_c"] = rows["criterion"].map({c: i for i, c in enumerate(checked["criterion"])})
    rows = rows.sort_values(["_o", "_c"]).reset_index(drop=True)
    return rows[DETAIL_COLUMNS]


def mca(scores: pd.DataFrame, criteria: pd.DataFrame | None) -> pd.DataFrame:
    """One row per option: ``option_id``, ``label``, each criterion's weighted points as a column (in the
    council's order), ``mca_total`` (0–100: Σ weight × score / 10) and ``mca_rank`` (1 = best; ties share the
    better rank). No scaling across options (``MCA_RULES``); ``mca_detail`` shows the working."""
    detail = mca_detail(scores, criteria)
    wide = detail.pivot(index="option_id", columns="criterion", values="points")
    wide = wide.reindex(index=_ordered(detail["option_id"]), columns=list(dict.fromkeys(detail["criterion"])))
    table = wide.reset_index()
    table.columns.name = None
    table.insert(1, "label", table["option_id"].map(OPTION_LABELS))
    table["mca_total"] = wide.sum(axis=1).to_numpy()
    table["mca_rank"] = table["mca_total"].round(9).rank(ascending=False, method="min").astype(int)
    return table


def mca_criteria(criteria: pd.DataFrame | None, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """The checked criteria as the report shows them: ``criterion, weight, anchor_0, anchor_5, anchor_10``
    (weights summing to 100), in the council's order."""
    return _criteria(criteria, scores if scores is not None else pd.DataFrame())
