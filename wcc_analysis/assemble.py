"""Put the inputs of an analysis together for one council and service.

The one layer that both reads (processed tables, the council's files) and
calls the pure analysis functions, so that notebooks stay thin and the
portfolio notebook can run the per-service analyses itself.
"""

from __future__ import annotations

from . import ingest, needs
from .config import Config, Service


def needs_for_service(council: str, service: Service, config: Config, k: int | None = None) -> needs.NeedsResult:
    """The needs analysis of ``service`` for ``council`` on the shipped public data."""
    return needs.analyse(
        ingest.revenue_outturn(), ingest.population(), ingest.deprivation(), ingest.neighbours(),
        council=council,
        service_id=service.id,
        service_name=service.name,
        block=service.rs_block,
        sharing_services=[s.name for s in config.services_sharing_block(service.rs_block)],
        other_blocks=list(service.other_blocks),
        indicators=config.comparator_indicators,
        k=int(k if k is not None else config.comparator_k),
    )
