"""The equality check on the preferred option and its sourcing plan (seed section 7: Implement).

Not a Green Book rule but a legal one: an option that reduces or withdraws the
council's own provision needs an equality impact assessment (Public Sector
Equality Duty, Equality Act 2010 s.149). The sourcing plan is checked against
the framework's Implement activities. Bad content in the equality-impact or
sourcing-plan table is an :class:`InputTableError` naming the table and column.
"""

from __future__ import annotations

import pandas as pd

from wcc_analysis.analysis.common import empty_frame, require_columns
from wcc_analysis.analysis.options._checks import IMPACTS, PLAN, _check_option, _check_options, _one_service
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.vocabulary import IMPLEMENT_ACTIVITIES, OPTION_LABELS

IMPACT_COLUMNS = ["option_id", "group_affected", "impact", "mitigation"]
PLAN_COLUMNS = ["option_id", "activity", "start", "end", "owner"]

#: Options that reduce or withdraw the council's own provision: choosing one needs an equality
#: impact assessment (Public Sector Equality Duty, Equality Act 2010 s.149).
REDUCING_OPTIONS: tuple[str, ...] = ("community_transfer", "devolve_to_parish", "closure")


def equality_check(preferred: str, impacts: pd.DataFrame | None) -> dict:
    """Whether the preferred option needs an equality impact assessment, whether one is recorded, and a flag.

    Keys: ``needed``, ``present`` (impacts recorded for the option), ``flagged``
    (needed but absent), ``unmitigated`` (groups with no mitigation), ``impacts``
    (the option's rows) and ``message``.
    """
    _check_option(preferred)
    needed = preferred in REDUCING_OPTIONS
    rows = empty_frame(IMPACT_COLUMNS)
    if impacts is not None and not impacts.empty:
        require_columns(impacts, IMPACT_COLUMNS, IMPACTS)
        _check_options(impacts["option_id"], IMPACTS)
        rows = impacts.loc[impacts["option_id"] == preferred, IMPACT_COLUMNS].reset_index(drop=True)
    present = not rows.empty
    blank = rows["mitigation"].isna() | rows["mitigation"].astype(str).str.strip().eq("")
    unmitigated = rows.loc[blank, "group_affected"].astype(str).tolist()
    label = OPTION_LABELS[preferred]
    if needed and not present:
        message = (
            f"FLAG: {label} reduces the council's provision but no equality impacts are recorded for it. "
            "Complete an equality impact assessment (Public Sector Equality Duty, Equality Act 2010 s.149) "
            "before a decision."
        )
    elif needed:
        message = f"{label} reduces the council's provision; {len(rows)} equality impact(s) recorded"
        message += f", {len(unmitigated)} without mitigation ({', '.join(unmitigated)})." if unmitigated else ", each with a mitigation."
    elif present:
        message = f"{label} does not reduce provision; {len(rows)} equality impact(s) are recorded all the same."
    else:
        message = f"{label} does not reduce the council's provision, so no equality impact assessment is required by this check."
    return {
        "needed": needed, "present": present, "flagged": needed and not present,
        "unmitigated": unmitigated, "impacts": rows, "message": message,
    }


def sourcing_plan(plan: pd.DataFrame | None, option_id: str) -> pd.DataFrame:
    """One option's sourcing plan sorted by start date, with ``duration_days`` (start and end days both
    counted) and a ``status`` row ``missing`` for each seed Implement activity not planned.

    An end before its start, or a date that cannot be read, is an InputTableError naming the activity.
    """
    _check_option(option_id)
    columns = [*PLAN_COLUMNS, "duration_days", "seed_activity", "status"]
    if plan is None or plan.empty:
        rows = empty_frame(PLAN_COLUMNS)
    else:
        require_columns(plan, PLAN_COLUMNS, PLAN)
        _one_service(plan, PLAN)
        _check_options(plan["option_id"], PLAN)
        rows = plan.loc[plan["option_id"] == option_id, PLAN_COLUMNS].copy()
    for column in ("start", "end"):
        parsed = pd.to_datetime(rows[column], errors="coerce")
        bad = rows.loc[parsed.isna(), "activity"].tolist()
        if bad:
            raise InputTableError(PLAN, f"{column} date missing or unreadable for {option_id} activity {bad[0]!r}",
                                  column=column, fix="give each date as YYYY-MM-DD, e.g. 2026-04-01")
        rows[column] = parsed
    late = rows.loc[rows["end"] < rows["start"], "activity"].tolist()
    if late:
        raise InputTableError(PLAN, f"{option_id} activity {late[0]!r} ends before it starts", column="end",
                              fix="make its end date the same as or later than its start date")
    rows["duration_days"] = ((rows["end"] - rows["start"]).dt.days + 1).astype(int)
    rows["seed_activity"] = rows["activity"].isin(IMPLEMENT_ACTIVITIES)
    rows["status"] = "planned"
    rows = rows.sort_values(["start", "end", "activity"], kind="stable")
    missing = [a for a in IMPLEMENT_ACTIVITIES if a not in set(rows["activity"])]
    gaps = pd.DataFrame({
        "option_id": option_id, "activity": missing, "start": pd.NaT, "end": pd.NaT, "owner": None,
        "duration_days": None, "seed_activity": True, "status": "missing",
    }, columns=columns)
    parts = [p for p in (rows[columns], gaps) if not p.empty]
    table = pd.concat(parts, ignore_index=True) if parts else empty_frame(columns)
    return table.reset_index(drop=True)
