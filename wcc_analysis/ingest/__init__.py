"""Ingest: raw files → validated, tidy tables.

- Public data (``ingest/public/``, one module per table, reading data/raw/public
  as published): :func:`authorities`, :func:`population`, :func:`deprivation`,
  :func:`neighbours`, :func:`revenue_outturn`, :func:`ro_detail`,
  :func:`recycling`, :func:`ct_collection`, :func:`ct_receipts` — each served
  from data/processed and rebuilt when a raw file or its reader changes (the
  registry is :mod:`wcc_analysis.ingest.tables`).
- The council's own files (``ingest/council/``, data/raw/council/<ONS code>/):
  :func:`load_council_data` (the template's tables), and its published supplier
  payments with the mapping of its service areas to services.

Every reader validates what it reads (pandera) and raises
:class:`~wcc_analysis.core.errors.InputDataError` naming the file, row and column.
"""

from __future__ import annotations

from wcc_analysis.ingest.council.council_data import CouncilData, councils_with_files, load_council_data
from wcc_analysis.ingest.council.supplier_payments import (
    load_council_supplier_payments,
    load_service_area_mapping,
)
from wcc_analysis.ingest.public.authorities import known_authority_codes, require_known_authority, suggest
from wcc_analysis.ingest.tables import TABLES, build_all, load, raw_public_files, reader

# One function per registered table: ``ingest.population()``, ``ingest.revenue_outturn()``, …
globals().update({_name: reader(_name) for _name in TABLES})
__all__ = [
    "TABLES", "CouncilData", "build_all", "councils_with_files", "known_authority_codes", "load", "load_council_data",
    "load_council_supplier_payments", "load_service_area_mapping", "raw_public_files", "require_known_authority",
    "suggest", *TABLES,
]
