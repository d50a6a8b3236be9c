"""Every input a run reads, checked before any notebook starts (``wcc-analysis check``, and the first step of
``wcc-analysis run``).

A careful build refuses bad input before it does any work: a kernel that meets a bad file half-way through a
pack wastes the run and buries the cause in a notebook. So, in this process and in this order:

1. ``config/services.toml`` (read by the caller: :func:`wcc_analysis.core.config.load_config`);
2. the published files under ``data/raw/public/``: every processed table built or verified
   (``ingest.build_all``; a bad file raises before its table is written, so ``data/processed`` keeps the last
   good table);
3. the council's own files under ``data/raw/council/<code>/``: every template table read and validated, every
   ONS code in them known, the supplier payments and their service-area mapping read.

The first problem raises the package's own error (file, row, column, what to do); nothing is written but the
processed tables of good files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wcc_analysis import ingest
from wcc_analysis.core.config import Config
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.council import supplier_payments

#: Council template columns that hold another authority's ONS code, by table.
ONS_CODE_COLUMNS: dict[str, tuple[str, ...]] = {"delivery_models": ("council_code",)}


@dataclass(frozen=True)
class CheckedInputs:
    """What the check read: the council's tables (and the encoding of each CSV) and its payment rows."""

    council_tables: tuple[str, ...]
    encodings: dict[str, str]  # file name → "UTF-8", "Windows-1252" or "Mac Roman"
    payment_rows: int | None  # None: the council has supplied no payment files


def check_known_codes(data: ingest.CouncilData, known: frozenset[str]) -> None:
    """Every ONS code in the council's tables names an authority the product knows."""
    for table, columns in ONS_CODE_COLUMNS.items():
        frame = data.tables.get(table)
        if frame is None:
            continue
        path = next((p for p in data.files if p.stem == table), data.directory / f"{table}.csv")
        for column in columns:
            unknown = frame[~frame[column].isin(known)]
            if len(unknown):
                first = unknown.iloc[0]
                raise InputDataError(
                    path, f"ONS code {first[column]!r} is not an authority this product knows",
                    row=int(first["source_row"]) if "source_row" in unknown.columns else None, column=column,
                    fix="check the code against ONS's list of local authority districts (9 characters, e.g. "
                        "E07000237 for Worcester), or remove the row")


def check_inputs(council: str, config: Config, progress: Callable[[str], None] | None = None) -> CheckedInputs:
    """Build or verify every processed table, then read and check the council's own files; raise on the first
    bad input (see the module's docstring)."""
    from wcc_analysis.run import runner

    say = progress or (lambda _text: None)
    say("published data (data/raw/public → data/processed)")
    runner.prepare_data()
    say(f"the council's own files (data/raw/council/{council}/)")
    data = ingest.load_council_data(council, config)
    if any(table in data.tables for table in ONS_CODE_COLUMNS):
        check_known_codes(data, ingest.known_authority_codes())
    payments = supplier_payments.load_council_supplier_payments(council)
    if payments is not None:
        supplier_payments.load_service_area_mapping(council, service_ids=config.services)
    return CheckedInputs(council_tables=tuple(data.tables), encodings=dict(data.encodings),
                         payment_rows=None if payments is None else len(payments))
