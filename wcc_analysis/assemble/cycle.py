"""The commissioning cycle tracker and the SOLACE readiness self-assessment, from the council's own files."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis import cycle
from wcc_analysis.assemble.context import council_data as load_council_data
from wcc_analysis.core.config import Config
from wcc_analysis.ingest import CouncilData

#: The council tables the tracker and the readiness section read.
TRACKER_TABLES = ("services", "cycle_activities")
READINESS_TABLES = ("solace_readiness",)


@dataclass
class CycleReport:
    council_data: CouncilData
    placed: pd.DataFrame  # each service in its phase (analysis.cycle.services_by_phase)
    tracked: pd.DataFrame  # per service and seed activity, its status (analysis.cycle.tracker)
    grid: pd.DataFrame  # the tracker as activities × services
    proportionality: pd.DataFrame  # per service: what was done, and what was not needed and why
    readiness: cycle.Readiness

    @property
    def code(self) -> str:
        return self.council_data.code

    @property
    def missing_tracker(self) -> list[str]:
        """The tracker's council tables not supplied (the report says how to add them)."""
        return [t for t in TRACKER_TABLES if t not in self.council_data.tables]

    @property
    def missing_readiness(self) -> list[str]:
        return [t for t in READINESS_TABLES if t not in self.council_data.tables]

    @property
    def tracker_illustrative(self) -> bool:
        return self.council_data.is_illustrative(*TRACKER_TABLES)

    @property
    def readiness_illustrative(self) -> bool:
        return self.council_data.is_illustrative(*READINESS_TABLES)

    @property
    def rules(self):
        return cycle.READINESS_RULES

    def headline(self) -> dict:
        """Services in each phase, and the readiness mean score and weakest conditions (None / empty when the
        council has not supplied the tables)."""
        by_phase = cycle.phase_counts(self.placed) if len(self.placed) else {}
        return {"services_by_phase": by_phase, **self.readiness.headline()}


def cycle_for_council(council: str, config: Config, council_data: CouncilData | None = None) -> CycleReport:
    """The portfolio on the cycle, each service's activities, and the SOLACE readiness of the council."""
    data = council_data if council_data is not None else load_council_data(council, config)
    placed = cycle.services_by_phase(data.table("services"))
    tracked = cycle.tracker(placed, data.table("cycle_activities"))
    return CycleReport(data, placed, tracked, cycle.status_grid(tracked) if len(tracked) else pd.DataFrame(),
                       cycle.proportionality(tracked), cycle.readiness(data.table("solace_readiness")))
