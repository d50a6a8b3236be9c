"""The commissioning cycle across the portfolio (seed sections 7 and 8): where each service is, what has been done,
and how ready the council is.

- ``seed_activities`` — the seed's phase table (section 7) as a table: phase, column (policy-making / sourcing),
  activity, in the seed's order;
- ``services_by_phase`` — each service placed in its phase of the cycle (``services.csv`` ``seed_phase``);
- ``tracker`` — per service and seed activity, its status from the council's ``cycle_activities`` table
  ("not recorded" where the council has no row);
- ``proportionality`` — per service, which activities were done, are in progress, not started, and which were
  judged not needed and why (the seed: "the approach taken will be proportionate to the service, not all
  activities will be carried out in every case");
- ``readiness`` — the self-assessment against the ten SOLACE conditions (section 8): the mean score and the
  weakest conditions by ``READINESS_RULES`` with their actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import (
    ACTIVITY_STATUSES,
    CYCLE_ACTIVITIES,
    CYCLE_PHASES,
    DONE,
    IN_PROGRESS,
    NOT_NEEDED,
    NOT_STARTED,
    SOLACE_CONDITIONS,
)

#: The status shown for a seed activity the council's table has no row for.
NOT_RECORDED = "not recorded"
STATUSES: tuple[str, ...] = (*ACTIVITY_STATUSES, NOT_RECORDED)

#: A score at or below this is a weakness whatever the other conditions score.
WEAK_SCORE = 2
#: At least this many conditions are named as the weakest (the lowest scores, ties broken by the seed's order).
WEAKEST_AT_LEAST = 3
WEAKEST, NOT_WEAKEST, NOT_ASSESSED = "weakest", "not among the weakest", "not assessed"


@dataclass(frozen=True)
class ConditionFacts:
    """What the readiness rule reads for one condition: its score (None if not assessed) and its place when the
    assessed conditions are sorted by score, lowest first, ties in the seed's order (1 = the weakest)."""

    score: float | None
    rank: int | None


READINESS_RULES: RuleTable[ConditionFacts] = RuleTable((
    Rule(NOT_ASSESSED, "no score in the council's self-assessment", lambda f: f.score is None),
    Rule(WEAKEST, f"scored {WEAK_SCORE} or below (of 5): a weakness whatever the other conditions score",
         lambda f: f.score <= WEAK_SCORE),
    Rule(WEAKEST, f"among the {WEAKEST_AT_LEAST} lowest scores (ties broken by the seed's order of the conditions)",
         lambda f: f.rank <= WEAKEST_AT_LEAST),
    Rule(NOT_WEAKEST, "otherwise", always),
), columns=("reading", "rule"))


def seed_activities() -> pd.DataFrame:
    """The seed's phase table: one row per activity (phase, column, activity, order), in the seed's order."""
    return pd.DataFrame([{"phase": a.phase, "column": a.column, "activity": a.activity, "order": i}
                         for i, a in enumerate(CYCLE_ACTIVITIES)])


def services_by_phase(services: pd.DataFrame | None) -> pd.DataFrame:
    """Each service in its phase of the cycle: ``service_id, service_name, phase, phase_order``, by phase then
    service name. ``services`` is the council's ``services`` table (``seed_phase``)."""
    columns = ["service_id", "service_name", "phase", "phase_order"]
    if services is None or services.empty:
        return pd.DataFrame(columns=columns)
    frame = services.assign(phase=services["seed_phase"], phase_order=services["seed_phase"].map(CYCLE_PHASES.index))
    return frame[columns].sort_values(["phase_order", "service_name"], kind="stable").reset_index(drop=True)


def phase_counts(placed: pd.DataFrame) -> dict[str, int]:
    """How many services are in each phase, every phase listed in the cycle's order."""
    return {phase: int((placed["phase"] == phase).sum()) for phase in CYCLE_PHASES}


def tracker(placed: pd.DataFrame, activities: pd.DataFrame | None) -> pd.DataFrame:
    """Per service and seed activity: the service's current phase, the activity's phase, column and status, and the
    reason given. ``placed`` is :func:`services_by_phase`; ``activities`` the council's ``cycle_activities`` table."""
    seed = seed_activities()
    grid = placed[["service_id", "service_name", "phase"]].rename(columns={"phase": "service_phase"}).merge(
        seed.rename(columns={"phase": "activity_phase"}), how="cross")
    if activities is not None and not activities.empty:
        recorded = activities[["service_id", "activity", "status", "reason"]]
        grid = grid.merge(recorded, on=["service_id", "activity"], how="left")
    else:
        grid = grid.assign(status=pd.NA, reason="")
    grid["status"] = grid["status"].fillna(NOT_RECORDED)
    grid["reason"] = grid["reason"].fillna("")
    order = {s: i for i, s in enumerate(placed["service_id"])}
    grid = grid.assign(_service=grid["service_id"].map(order)).sort_values(["_service", "order"], kind="stable")
    return grid.drop(columns="_service").reset_index(drop=True)


def status_grid(tracked: pd.DataFrame) -> pd.DataFrame:
    """The tracker as a grid: one row per seed activity (phase, column, activity), one column per service (its
    name), each cell the activity's status for that service."""
    names = list(dict.fromkeys(tracked["service_name"]))
    grid = tracked.pivot_table(index=["order", "activity_phase", "column", "activity"], columns="service_name",
                               values="status", aggfunc="first", sort=False)
    grid = grid.reset_index().sort_values("order").drop(columns="order")
    grid.columns.name = None
    return grid.rename(columns={"activity_phase": "phase"})[["phase", "column", "activity", *names]].reset_index(drop=True)


def proportionality(tracked: pd.DataFrame) -> pd.DataFrame:
    """Per service: its phase, how many activities are done / in progress / not started / not needed / not
    recorded, which were done, and which were judged not needed with the reason given."""
    rows = []
    for service_id, group in tracked.groupby("service_id", sort=False):
        counts = {status: int((group["status"] == status).sum()) for status in STATUSES}
        not_needed = group[group["status"] == NOT_NEEDED]
        rows.append({
            "service_id": service_id, "service_name": group["service_name"].iloc[0],
            "phase": group["service_phase"].iloc[0], **counts,
            "activities_done": "; ".join(group.loc[group["status"] == DONE, "activity"]),
            "not_needed_and_why": "; ".join(f"{a}: {r}" for a, r in zip(not_needed["activity"], not_needed["reason"])),
        })
    return pd.DataFrame(rows, columns=["service_id", "service_name", "phase", *STATUSES, "activities_done",
                                       "not_needed_and_why"])


@dataclass
class Readiness:
    """The SOLACE self-assessment: every condition in the seed's order with its score, reading and action."""

    conditions: pd.DataFrame  # condition, order, score, evidence, action, owner, rank, reading
    mean_score: float | None  # of the assessed conditions
    weakest: list[str]  # conditions read as the weakest, weakest first
    not_assessed: list[str]  # conditions the council has not scored

    @property
    def weakest_actions(self) -> pd.DataFrame:
        """The weakest conditions, weakest first, with score, action and owner."""
        rows = self.conditions[self.conditions["reading"] == WEAKEST].sort_values("rank")
        return rows[["condition", "score", "action", "owner"]].reset_index(drop=True)

    def headline(self) -> dict:
        return {"solace_mean_score": None if self.mean_score is None else round(self.mean_score, 2),
                "solace_weakest": list(self.weakest), "solace_not_assessed": len(self.not_assessed)}


def readiness(assessment: pd.DataFrame | None) -> Readiness:
    """Read the council's ``solace_readiness`` table against :data:`READINESS_RULES`."""
    seed = pd.DataFrame({"condition": list(SOLACE_CONDITIONS), "order": range(len(SOLACE_CONDITIONS))})
    columns = ["score", "evidence", "action", "owner"]
    if assessment is not None and not assessment.empty:
        frame = seed.merge(assessment[["condition", *columns]], on="condition", how="left")
    else:
        frame = seed.assign(**{c: pd.NA for c in columns})
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    for column in columns[1:]:
        frame[column] = frame[column].fillna("")
    assessed = frame.dropna(subset=["score"]).sort_values(["score", "order"], kind="stable")
    frame["rank"] = frame.index.map(dict(zip(assessed.index, range(1, len(assessed) + 1))))
    frame["reading"] = [
        READINESS_RULES.decide(ConditionFacts(None if pd.isna(s) else float(s), None if pd.isna(r) else int(r)))
        for s, r in zip(frame["score"], frame["rank"])
    ]
    weakest = frame[frame["reading"] == WEAKEST].sort_values("rank")["condition"].tolist()
    mean = float(assessed["score"].mean()) if len(assessed) else None
    return Readiness(frame, mean, weakest, frame.loc[frame["score"].isna(), "condition"].tolist())


__all__ = [
    "DONE", "IN_PROGRESS", "NOT_NEEDED", "NOT_RECORDED", "NOT_STARTED", "READINESS_RULES", "STATUSES", "WEAKEST",
    "ConditionFacts", "Readiness", "phase_counts", "proportionality", "readiness", "seed_activities",
    "services_by_phase", "status_grid", "tracker",
]
