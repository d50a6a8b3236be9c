"""A sector-wide run: one notebook for one service, for every English shire district, into one sector pack.

``wcc-analysis run --council all-districts [--service ID] [--notebook NAME]`` runs the notebook (default
``needs_analysis``) once per council and writes ``OUT/<UTC time>-all-districts/``::

    index.html                               the sector page (wcc_analysis.run.sector_page): one row per council
    manifest.json                            one entry per execution (council, status, error, headline)
    assets/report.css                        the stylesheet every report links
    <ONS code>/<service>/<notebook>.html     each council's report (and .code.html, .ipynb)

**Which councils.** The processed revenue outturn table (``data/processed/revenue_outturn.parquet``,
``ingest.revenue_outturn()``) decides: every ONS code of RS class ``SD`` (shire district) in its latest
year (the highest ``year_start``). A council that did not submit that year's return is in the table as
``missing: not submitted`` and is run too: its report uses its latest published year, and the page says so.
Names come from ``ingest.authorities()`` (the table's own name where the lookup has none).

**What is checked first.** The service, notebook, ``-p`` parameters, executor, timeout and ``--out`` are
checked before anything runs; portfolio-scope notebooks are refused (a sector run compares councils on one
service). ``data/processed`` is then refreshed once (``runner.prepare_data``, the part of ``wcc-analysis
check`` every kernel needs). The council files check of :mod:`wcc_analysis.run.preflight` is *not* run: only a
few councils have files, a notebook reads them itself, and a bad file there fails that council's report
(listed on the page) instead of stopping all the others.

**The pack** is reserved and finished as :func:`wcc_analysis.run.pack.build` does (a ``.incomplete-`` folder
renamed into place when complete, removed if the run fails or is interrupted; scrubbed like every pack).
``OUT/latest`` is never moved: it points at council packs. A failing council never stops the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from wcc_analysis.core import paths
from wcc_analysis.core.config import Config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import pack, pack_folders, planning, runner
from wcc_analysis.run.executors import get_executor
from wcc_analysis.run.planning import Council, Execution
from wcc_analysis.run.runner import ExecutionResult

#: ``--council`` value (any case) that starts a sector run.
ALL_DISTRICTS = "all-districts"
#: The RS class of a shire district in the revenue outturn table.
RS_CLASS = "SD"
#: The notebook a sector run uses when ``--notebook`` is not given.
DEFAULT_NOTEBOOK = "needs_analysis"
#: The processed table whose latest year decides which councils run (see the module docstring).
COUNCILS_TABLE = "revenue_outturn"
SECTOR_NAME = "Every English shire district"


def is_sector(council: str | None) -> bool:
    """True when ``--council`` asks for a sector run (``all-districts``, any case)."""
    return (council or "").strip().lower() == ALL_DISTRICTS


# --------------------------------------------------------------------------- which councils


@dataclass(frozen=True)
class Councils:
    """The councils of a sector run and where they came from."""

    year: str  # the latest revenue-outturn year, e.g. "2024-25"
    councils: tuple[Council, ...]
    #: codes whose return for ``year`` is missing (not submitted): their reports use an earlier year
    not_submitted: tuple[str, ...] = ()
    source: str = f"{COUNCILS_TABLE} (data/processed/{COUNCILS_TABLE}.parquet)"


def councils_in_latest_year(outturn: pd.DataFrame, authorities: pd.DataFrame | None = None,
                            rs_class: str = RS_CLASS) -> Councils:
    """Every council of ``rs_class`` in the latest year of the revenue outturn table ``outturn``, by ONS code.

    ``outturn`` needs ``ons_code``, ``authority_class``, ``year``, ``year_start`` (and ``authority_name``,
    ``status`` where present); ``authorities`` (``ons_code``, ``name``) gives the names. ParameterError when the
    table holds no council of the class.
    """
    of_class = outturn[(outturn["authority_class"] == rs_class) & outturn["ons_code"].notna()]
    if of_class.empty:
        raise ParameterError(
            f"the revenue outturn table holds no council of class {rs_class!r}. What to do: run 'wcc-analysis "
            "ingest' and check data/raw/public holds the revenue outturn files (wcc-analysis data status).")
    latest = of_class[of_class["year_start"] == of_class["year_start"].max()]
    year = str(latest["year"].iloc[0])
    names: dict[str, str] = {}
    if "authority_name" in latest.columns:
        names.update({str(c): str(n) for c, n in zip(latest["ons_code"], latest["authority_name"], strict=True)
                      if pd.notna(n)})
    if authorities is not None and not authorities.empty:
        names.update({str(c): str(n) for c, n in zip(authorities["ons_code"], authorities["name"], strict=True)
                      if pd.notna(c) and pd.notna(n)})
    codes = sorted({str(c) for c in latest["ons_code"]})
    missing: tuple[str, ...] = ()
    if "status" in latest.columns:
        published = {str(c) for c in latest.loc[latest["status"] == "published", "ons_code"]}
        missing = tuple(c for c in codes if c not in published)
    return Councils(year=year, councils=tuple(Council(c, names.get(c), rs_class) for c in codes),
                    not_submitted=missing)


def sector_councils(rs_class: str = RS_CLASS) -> Councils:
    """:func:`councils_in_latest_year` on the processed tables (``ingest.revenue_outturn()``, ``authorities()``)."""
    from wcc_analysis import ingest

    return councils_in_latest_year(ingest.revenue_outturn(), ingest.authorities(), rs_class)


# --------------------------------------------------------------------------- what runs


@dataclass(frozen=True)
class Selection:
    """The service and notebook of a sector run, with the notes to show about how they were chosen."""

    service: str
    notebook: str
    extra: dict[str, Any] = field(default_factory=dict)  # the -p parameters, checked and typed
    notes: tuple[str, ...] = ()


def choose(config: Config, services: Sequence[str] | None = None, notebooks: Sequence[str] | None = None,
           extra_params: Mapping[str, Any] | Sequence[str] | None = None) -> Selection:
    """Check the sector run's service, notebook and ``-p`` parameters before anything runs.

    One service (default: the first configured, with a note saying so) and one service-scope notebook
    (default :data:`DEFAULT_NOTEBOOK`); ParameterError saying what to do otherwise.
    """
    notes: list[str] = []
    services = list(dict.fromkeys(services or ()))
    notebooks = list(dict.fromkeys(notebooks or ()))
    if len(services) > 1 or len(notebooks) > 1:
        raise ParameterError(
            "a sector run (--council all-districts) compares the councils on one report: give at most one "
            f"--service and one --notebook (given: {', '.join(services + notebooks)}). What to do: run once per "
            "service or notebook.")
    if not config.services:
        raise ParameterError("config/services.toml configures no service. What to do: add a [services.<id>] table.")
    if services:
        service = services[0]
        if service == config.portfolio.id:
            raise _portfolio_refused(f"--service {service}", config)
        config.service(service)  # ParameterError if unknown
    else:
        service = next(iter(config.services))
        notes.append(f"no --service given: the sector run uses the first configured service only, {service} "
                     f"({config.services[service].name}); add --service ID for another.")
    notebook = notebooks[0] if notebooks else DEFAULT_NOTEBOOK
    if config.notebook(notebook).scope == "portfolio":  # ParameterError if unknown
        raise _portfolio_refused(f"--notebook {notebook}", config)
    # the ordinary planner checks the rest (the notebook applies to the service, the -p names and types)
    template = planning.plan(config, [service], [notebook], Council(config.default_council), extra_params)
    extra = {k: v for k, v in template[0].parameters.items() if k not in planning.RESERVED_PARAMETERS}
    return Selection(service=service, notebook=notebook, extra=extra, notes=tuple(notes))


def _portfolio_refused(what: str, config: Config) -> ParameterError:
    service_scope = ", ".join(n for n, spec in config.notebooks.items() if spec.scope != "portfolio")
    return ParameterError(
        f"{what} is portfolio scope: a sector run (--council all-districts) runs one service's notebook per "
        f"council and cannot run the portfolio. What to do: choose a service-scope notebook ({service_scope}) "
        "and a service, or run the portfolio for one council (--council ONS_CODE).")


def plan_sector(config: Config, selection: Selection, councils: Sequence[Council]) -> list[Execution]:
    """One execution per council (``planning.plan`` for each), its outputs under ``<ONS code>/``."""
    executions = []
    for council in councils:
        (ex,) = planning.plan(config, [selection.service], [selection.notebook], council)
        executions.append(replace(ex, folder=council.code, parameters={**ex.parameters, **selection.extra}))
    return executions


# --------------------------------------------------------------------------- the pack


@dataclass
class SectorPack(pack.Pack):
    """A sector pack: a :class:`~wcc_analysis.run.pack.Pack` that never moves ``latest`` (which names council
    packs)."""

    latest: bool = False


def sector_inputs(codes: Sequence[str]) -> dict[str, str]:
    """sha256 of every raw public file and of the files of each council in ``codes`` that has its own."""
    from wcc_analysis.ingest import councils_with_files

    with_files = sorted(set(codes) & set(councils_with_files()))
    inputs: dict[str, str] = {}
    for code in with_files or list(codes[:1]):
        inputs.update(pack.raw_inputs(code))
    return inputs


def sector_manifest(base: dict[str, Any], *, selection: Selection, config: Config, chosen: Councils,
                    councils: Sequence[Council], at_once: int, executor: str, execution_s: float) -> dict[str, Any]:
    """``base`` (:func:`wcc_analysis.run.pack.build_manifest`) with ``kind: sector``, a ``sector`` section and
    each execution's council (code, name) and folder."""
    for entry, council in zip(base["executions"], councils, strict=True):
        entry["council"] = {"code": council.code, "name": council.name}
        entry["folder"] = council.code
    n = len(councils)
    ok = sum(1 for e in base["executions"] if e["status"] == runner.STATUS_OK)
    service = config.services[selection.service]
    return {
        **base,
        "kind": "sector",
        "sector": {
            "rs_class": RS_CLASS,
            "data_year": chosen.year,
            "councils_from": f"{chosen.source}: every ONS code of class {RS_CLASS} in {chosen.year}",
            "councils": n,
            "not_submitted": [c for c in chosen.not_submitted if c in {x.code for x in councils}],
            "service": service.id,
            "service_name": service.name,
            "notebook": selection.notebook,
            "notebook_title": config.notebooks[selection.notebook].title,
            "highlight": config.default_council,
            "ok": ok,
            "failed": n - ok,
            "jobs": at_once,
            "executor": executor,
            "execution_s": round(execution_s, 3),
            "executions_per_minute": round(n / (execution_s / 60), 2) if execution_s > 0 else None,
            "notes": list(selection.notes),
        },
    }


def build(
    config: Config,
    selection: Selection,
    chosen: Councils,
    *,
    councils: Sequence[Council] | None = None,
    out_dir: str | Path | None = None,
    jobs: int | None = None,
    executor: str = "process",
    executor_options: Mapping[str, Any] | None = None,
    progress: runner.Progress | None = None,
    timeout: float | None = None,
    started: datetime | None = None,
) -> SectorPack:
    """Run ``selection`` for ``councils`` (default: every council ``chosen``) and write the sector pack.

    Data must be prepared (:func:`run_sector` does it). Never raises for a failing notebook; ``OUT/latest`` is
    never moved. The other arguments are :func:`wcc_analysis.run.pack.build`'s.
    """
    backend = get_executor(executor, executor_options)
    limit = {} if timeout is None else {"timeout": runner.check_timeout(timeout)}
    out_dir = pack_folders.check_out_dir(Path(out_dir) if out_dir else paths.reports_dir())
    started = started or datetime.now(UTC)
    councils = list(chosen.councils if councils is None else councils)
    if not councils:
        raise ParameterError("a sector run with no council. What to do: give at least one council.")
    executions = plan_sector(config, selection, councils)
    inputs = sector_inputs([c.code for c in councils])
    with pack_folders.writing_pack(out_dir, pack_folders.new_run_id(ALL_DISTRICTS, started)) as (run_id, tmp, final):
        t0 = time.perf_counter()
        results = runner.execute(executions, tmp, jobs=jobs, progress=progress, executor=executor,
                                 executor_options=executor_options, **limit)
        execution_s = time.perf_counter() - t0
        finished = datetime.now(UTC)
        base = pack.build_manifest(
            run_id=run_id, council=Council(ALL_DISTRICTS, SECTOR_NAME, RS_CLASS), started=started,
            finished=finished, results=results, selection=pack.selection(executions, jobs=jobs, executor=executor),
            inputs=inputs)
        manifest = sector_manifest(base, selection=selection, config=config, chosen=chosen, councils=councils,
                                   at_once=backend.at_once(jobs, len(executions)), executor=executor,
                                   execution_s=execution_s)
        from wcc_analysis.run.scrub import current_scrubber, scrub_data
        from wcc_analysis.run.sector_page import render_sector_page

        scrubber = current_scrubber()
        manifest = scrub_data(manifest, scrubber)
        pack_folders.write_manifest(tmp, manifest)
        (tmp / pack.INDEX).write_text(scrubber(render_sector_page(manifest)), encoding="utf-8")
    return SectorPack(run_id=run_id, path=final, manifest=manifest, results=results)


def run_sector(
    config: Config,
    services: Sequence[str] | None = None,
    notebooks: Sequence[str] | None = None,
    extra_params: Mapping[str, Any] | Sequence[str] | None = None,
    *,
    councils: Sequence[Council] | None = None,
    limit: int | None = None,
    prepare: bool = True,
    say: Callable[[str], None] | None = None,
    **options: Any,
) -> SectorPack:
    """The whole sector run: check the choices, refresh data/processed, choose the councils, run, write the pack.

    ``councils`` replaces the chosen list (as given: e.g. tests); ``limit`` keeps the first N councils (by ONS
    code). ``say`` receives the notes and a line saying what runs. ``options`` go to :func:`build` (``out_dir``,
    ``jobs``, ``executor``, ``executor_options``, ``progress``, ``timeout``, ``started``).
    """
    say = say or (lambda _line: None)
    started = options.pop("started", None) or datetime.now(UTC)
    selection = choose(config, services, notebooks, extra_params)
    get_executor(options.get("executor", "process"), options.get("executor_options"))
    if options.get("timeout") is not None:
        runner.check_timeout(options["timeout"])
    pack_folders.check_out_dir(options.get("out_dir") or paths.reports_dir())
    if limit is not None and limit < 1:
        raise ParameterError(f"limit must be 1 or more, not {limit}. What to do: give a whole number of councils.")
    for note in selection.notes:
        say(f"note: {note}")
    if prepare:
        say("Refreshing data/processed from data/raw (once, for every council)…")
        runner.prepare_data()
    chosen = sector_councils()
    chosen_list = list(chosen.councils if councils is None else councils)[:limit]
    say(f"{SECTOR_NAME} (class {RS_CLASS}) in {chosen.source}, {chosen.year}: {len(chosen.councils)} councils; "
        f"running {selection.service}/{selection.notebook} for {len(chosen_list)}.")
    if isinstance(options.get("progress"), LineProgress):
        options["progress"].for_councils(chosen_list)
    return build(config, selection, chosen, councils=chosen_list, started=started, **options)


# --------------------------------------------------------------------------- progress


class LineProgress:
    """One line per finished council: ``[12/164] ok     E07000234 Bromsgrove  7.3 s  (9.8 a minute, ~15 min left)``."""

    def __init__(self, say: Callable[[str], None] | None = None) -> None:
        self.total = 0
        self.done = 0
        self.say = say or (lambda line: print(line, flush=True))
        self.names: dict[str, str] = {}
        self.t0 = time.perf_counter()

    def for_councils(self, councils: Sequence[Council]) -> LineProgress:
        """Set the total and the names shown (:func:`run_sector` calls it once the councils are chosen)."""
        self.total, self.done, self.t0 = len(councils), 0, time.perf_counter()
        self.names = {c.code: c.name or "" for c in councils}
        return self

    def started(self, execution: Execution) -> None:
        pass

    def finished(self, result: ExecutionResult) -> None:
        self.done += 1
        code = result.execution.folder or str(result.execution.parameters.get("council", ""))
        rate = self.done / max((time.perf_counter() - self.t0) / 60, 1e-9)
        left = (self.total - self.done) / rate if rate else 0
        line = (f"[{self.done}/{self.total}] {result.status:<6} {code} {self.names.get(code, '')}  "
                f"{result.duration_s:.1f} s  ({rate:.1f} a minute, ~{left:.0f} min left)")
        if result.error:
            line += f" - {result.error.get('ename')}: {' '.join(str(result.error.get('evalue', '')).split())[:160]}"
        self.say(line)


__all__ = [
    "ALL_DISTRICTS",
    "Councils",
    "LineProgress",
    "SectorPack",
    "Selection",
    "build",
    "choose",
    "councils_in_latest_year",
    "is_sector",
    "plan_sector",
    "run_sector",
    "sector_councils",
]
