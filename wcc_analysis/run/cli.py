"""The ``wcc-analysis`` command line: run, validate, pack, list, ingest, data status, data add.

Exit codes: 0 everything succeeded; 1 a notebook (or validation, or data
preparation) failed; 2 a bad parameter, service, notebook, council code or
configuration. A :class:`~wcc_analysis.core.errors.WccAnalysisError` is printed as one
line plus what to do, never as a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.table import Table
from typer._click import exceptions as typer_click

from wcc_analysis import __version__
from wcc_analysis.core import paths
from wcc_analysis.core.errors import ConfigError, ParameterError, WccAnalysisError
from wcc_analysis.run import data_currency
from wcc_analysis.run.executors import registered_executors
from wcc_analysis.run.runner import DEFAULT_TIMEOUT_S

_EXECUTORS = registered_executors()  # for --executor's help; checked again when a run starts

EXIT_OK, EXIT_FAILED, EXIT_BAD_PARAMETER = 0, 1, 2

RUN_EPILOG = """\
\b
Examples:
  wcc-analysis run
      every configured service and the portfolio, for the default council
  wcc-analysis run -s museums -s leisure
      two services (their own notebooks only; no portfolio)
  wcc-analysis run -s museums -n needs_analysis
      one notebook for one service
  wcc-analysis run -n priority_setting
      only the portfolio's priority setting
  wcc-analysis run --council E07000238 -j 4
      another council, four notebooks at a time
  wcc-analysis run -s museums -p comparator_k=10
      pass a notebook parameter (typed: 10 is a whole number)
  wcc-analysis run --out /srv/packs
      write the pack somewhere else
  wcc-analysis run -s museums --executor serial
      one notebook after another in this process (for debugging)
  wcc-analysis run --timeout 600
      stop any notebook whose cell runs for more than ten minutes

\b
The pack is written to OUT/<run-id>/ (run id: UTC time and council code,
e.g. 20250101T020000Z-E07000237):
  index.html                       open this first
  manifest.json                    council, times, versions, git commit,
                                   data file checksums, every run's result
  <service>/<notebook>.html        the report to read
  <service>/<notebook>.code.html   the report with its code
  <service>/<notebook>.ipynb       the executed notebook
OUT/latest points to the newest pack in which every notebook succeeded;
a pack with failures is kept beside it and latest is not moved.

\b
Exit code: 0 all succeeded, 1 a notebook failed (or timed out), 2 a bad
parameter, 130 interrupted (Ctrl-C: no pack is written, latest is unchanged).
"""

app = typer.Typer(
    name="wcc-analysis",
    help=(
        "Commissioning workbooks for English councils: run the notebooks for each service "
        "into an evidence pack, check a pack reproduces, list services and notebooks."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _hint(exc: BaseException) -> str:
    if isinstance(exc, ParameterError):
        return "run 'wcc-analysis list' to see services, notebooks and councils, or 'wcc-analysis run --help'."
    if isinstance(exc, ConfigError):
        return "correct the file named above (config/services.toml has comments), then run again."
    return "correct the input named above, then run again; the last good pack is unchanged."


def error_line(exc: BaseException) -> str:
    """The one line the command line prints for one of the package's errors: what went wrong, where (file,
    row, column or argument) and what to do — the error's own advice, else the advice for its kind."""
    text = _one_line(exc)
    return text if "What to do:" in text else f"{text.rstrip('.')}. What to do: {_hint(exc)}"


def _fail(exc: WccAnalysisError) -> typer.Exit:
    bad_parameter = isinstance(exc, (ParameterError, ConfigError))
    err_console.print(f"error: {error_line(exc)}", markup=False, style="bold red", soft_wrap=True)
    return typer.Exit(EXIT_BAD_PARAMETER if bad_parameter else EXIT_FAILED)


def _one_line_usage_error(self, file=None) -> None:
    """Click's usage errors (a bad option value, an unknown option) on one line, like the package's own: what is
    wrong and what to do, without the usage block."""
    command = self.ctx.command_path if self.ctx is not None else "wcc-analysis"
    click.echo(f"error: {_one_line(self.format_message()).rstrip('.')}. What to do: run '{command} --help' to see "
               "the options and their values.", err=True, file=file)


# this process is the command line: every usage error on one line (typer carries its own copy of click)
for _usage_error in {click.UsageError, typer_click.UsageError}:
    _usage_error.show = _one_line_usage_error


def _friendly(func):
    """Turn the package's own errors into one line plus advice and an exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WccAnalysisError as exc:
            raise _fail(exc) from None
        except KeyboardInterrupt:
            err_console.print("interrupted; no pack was written and the last good pack is unchanged.")
            raise typer.Exit(130) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        console.print(f"wcc-analysis {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Commissioning workbooks for English councils."""


# --------------------------------------------------------------------------- progress


class _LineReporter:
    """One plain line per finished execution (not a terminal: cron, CI, pipes)."""

    def __init__(self, executions, out=None):
        self.total = len(executions)
        self.done = 0
        self.out = out or sys.stdout

    def started(self, execution) -> None:
        pass

    def finished(self, result) -> None:
        self.done += 1
        ex = result.execution
        status = "reused" if result.reused_from else result.status
        line = f"[{self.done}/{self.total}] {status:<6} {ex.service}/{ex.notebook} {result.duration_s:.1f} s"
        if result.reused_from:
            line += f" (copied: nothing it reads changed since run {result.reused_from['run_id']})"
        if result.error:
            line += f" - {result.error['ename']}: {_one_line(result.error['evalue'])[:200]}"
        print(line, file=self.out, flush=True)

    def stop(self) -> None:
        pass


class _RichReporter:
    """A rich progress display: one task per execution, shown queued/running/ok/FAILED.

    The display (and its refresh thread) starts on the first event, i.e. after the
    runner's worker processes have been forked.
    """

    def __init__(self, executions, console: Console):
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(finished_text=" "),
            TextColumn("{task.description}"),
            BarColumn(bar_width=12),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks = {
            ex.key: self.progress.add_task(f"{ex.service} / {ex.notebook}", total=1, start=False, state="queued")
            for ex in executions
        }
        self.live = False

    def _ensure_live(self) -> None:
        if not self.live:
            self.progress.start()
            self.live = True

    def started(self, execution) -> None:
        self._ensure_live()
        task = self.tasks[execution.key]
        self.progress.start_task(task)
        self.progress.update(task, state="[cyan]running[/]")

    def finished(self, result) -> None:
        self._ensure_live()
        task = self.tasks[result.execution.key]
        state = "[green]ok[/]" if result.ok else f"[bold red]FAILED[/] ({result.error['ename']})"
        if result.reused_from:
            state = "[green]reused[/]"
        self.progress.update(task, completed=1, state=state)
        self.progress.stop_task(task)

    def stop(self) -> None:
        if self.live:
            self.progress.stop()
            self.live = False


def _reporter(executions):
    if console.is_terminal and not console.is_dumb_terminal:
        return _RichReporter(executions, console)
    return _LineReporter(executions)


# --------------------------------------------------------------------------- commands


@app.command(epilog=RUN_EPILOG)
@_friendly
def run(
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service", "-s", metavar="ID",
            help="Service id to run (repeatable). Default: every configured service plus the portfolio.",
        ),
    ] = None,
    notebook: Annotated[
        list[str] | None,
        typer.Option(
            "--notebook", "-n", metavar="NAME",
            help="Run only this notebook (repeatable), for every chosen service it applies to.",
        ),
    ] = None,
    council: Annotated[
        str | None,
        typer.Option("--council", "-c", metavar="ONS_CODE",
                     help="ONS code of the council, e.g. E07000237. Default: from config/services.toml. "
                     "'all-districts': a sector run, one notebook (default needs_analysis) of one service for "
                     "every English shire district, into one sector pack (OUT/latest is not moved)."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, metavar="N", help="Notebooks run at once. Default: number of CPU cores."),
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            "--executor", metavar="{" + ",".join(_EXECUTORS) + "}", show_default=False,
            help="How the notebooks run. "
            + "; ".join(f"{name}: {cls.description}" for name, cls in _EXECUTORS.items())
            + ". Default: process.",
        ),
    ] = "process",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", metavar="ADDRESS", show_default=False,
            help="With --executor dask: the address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786. "
            "Default: a LocalCluster on this machine, --jobs workers.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="DIR", help="Folder for packs. Default: reports/ in the project."),
    ] = None,
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter", "-p", metavar="NAME=VALUE",
            help="Notebook parameter (repeatable), typed like papermill: int, float, True/False, None, else text. "
            "Every chosen notebook must declare it.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", show_default=False,
            help="Run every notebook again. Default: a notebook whose source, parameters, package code and every "
            "input it read are unchanged since an earlier pack in --out is copied from that pack (marked reused).",
        ),
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", metavar="SECONDS", show_default=False,
            help="Stop a notebook whose cell runs longer than this; it is reported as timed out and the others "
            f"still run. Default: {DEFAULT_TIMEOUT_S:g}.",
        ),
    ] = None,
) -> None:
    """Run the notebooks for each service into a new evidence pack.

    Each chosen service runs the notebooks listed for it in config/services.toml,
    with the parameters council and service set (plus any -p NAME=VALUE), several
    at a time. Data in data/processed is refreshed first. A failing notebook does
    not stop the others; it is reported with the cell that failed.
    """
    from wcc_analysis.core.config import load_config
    from wcc_analysis.run import executors, pack, pack_folders, planning, preflight, runner

    started = datetime.now(UTC)
    config = load_config()
    if council is not None and council.strip().lower() == "all-districts":
        raise typer.Exit(_run_sector(config, service, notebook, parameter, out=out, jobs=jobs, executor=executor,
                                     executor_options={"scheduler": scheduler}, timeout=timeout, started=started))
    # every parameter is checked before anything runs or is built
    code = planning.check_council_code(council or config.default_council)
    executions = planning.plan(config, service, notebook, planning.Council(code), parameter)
    executor_options = {"scheduler": scheduler}
    backend = executors.get_executor(executor, executor_options)
    timeout = runner.check_timeout(timeout)
    out_dir = pack_folders.check_out_dir(out or paths.reports_dir())
    jobs = jobs or os.cpu_count() or 1

    console.print("Checking the inputs (data/processed is refreshed; the council's files are read)…", markup=False)
    preflight.check_inputs(code, config)  # once, here: a bad input stops the run before any kernel starts
    the_council = planning.resolve_council(code)  # the authorities lookup may need that data
    console.print(
        f"{the_council.label}: {len(executions)} notebook run(s), {backend.at_once(jobs, len(executions))} "
        f"at a time ({executor}) → {out_dir}",
        markup=False,
    )

    reporter = _reporter(executions)
    try:
        built = pack.build(
            config,
            executions,
            the_council,
            out_dir=out_dir,
            jobs=jobs,
            executor=executor,
            executor_options=executor_options,
            progress=reporter,
            prepare=False,
            started=started,
            timeout=timeout,
            reuse=not force,
        )
    finally:
        reporter.stop()

    table = Table(title=f"Run {built.run_id}", title_justify="left")
    table.add_column("service")
    table.add_column("notebook")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    for result in built.results:
        ex = result.execution
        status = "[green]ok[/]" if result.ok else "[bold red]FAILED[/]"
        if result.reused_from:
            status = f"[green]reused[/] from {result.reused_from['run_id']}"
        table.add_row(ex.service, ex.notebook, status, f"{result.duration_s:.1f}")
    console.print(table)

    for result in built.failed:
        err = result.error or {}
        where = f" at cell index {err['cell_index']} (In [{err['execution_count']}])" if err.get("cell_index") is not None else ""
        console.print(
            f"FAILED {result.execution.key}{where}: {err.get('ename')}: {_one_line(err.get('evalue', ''))[:300]}",
            markup=False, style="red", soft_wrap=True,
        )
        if err.get("source_first_line"):
            console.print(f"    the cell starts: {err['source_first_line']}", markup=False, soft_wrap=True)
    currency = built.manifest.get("data_currency") or []
    if data_currency.stale_sources(currency):
        console.print(f"Data currency: {data_currency.summary(currency)}", markup=False, style="yellow",
                      soft_wrap=True)
    console.print(f"Pack: {built.path / pack.INDEX}", markup=False, soft_wrap=True)
    if built.latest:
        console.print(f"{out_dir / pack_folders.LATEST} → {built.run_id}", markup=False, soft_wrap=True)
    elif not built.ok:
        link = out_dir / pack_folders.LATEST
        where = (
            f"it still points to {os.readlink(link)}, the last pack in which everything succeeded"
            if link.is_symlink()
            else "no pack in this folder has succeeded completely yet"
        )
        console.print(
            f"{len(built.failed)} of {len(built.results)} failed: {pack_folders.LATEST} was not moved ({where}).",
            markup=False, soft_wrap=True,
        )
    raise typer.Exit(EXIT_OK if built.ok else EXIT_FAILED)


@app.command()
@_friendly
def validate(
    pack_dir: Annotated[Path, typer.Argument(metavar="PACK_DIR", help="A pack folder, e.g. reports/latest.")],
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, metavar="N", help="Notebooks checked at once. Default: CPU cores.")
    ] = None,
) -> None:
    """Re-run a pack's notebooks (nbval) and check every output is identical.

    Exit code 0 when every notebook reproduced, 1 otherwise (including notebooks
    that had failed in the run and so cannot be compared).
    """
    from wcc_analysis.run.validate import validate_pack

    console.print(f"Re-running the notebooks of {pack_dir} and comparing outputs…", markup=False)
    results = validate_pack(pack_dir, jobs=jobs)
    table = Table(title=f"Validation of {pack_dir}", title_justify="left")
    table.add_column("notebook")
    table.add_column("result")
    table.add_column("cells", justify="right")
    for r in results:
        colour = {"pass": "green", "skipped": "yellow"}.get(r.status, "bold red")
        table.add_row(r.path, f"[{colour}]{r.status}[/]", f"{r.cells_checked - r.cells_failed}/{r.cells_checked}")
    console.print(table)
    for r in results:
        if not r.passed and r.first_difference:
            console.print(f"{r.path}: {r.first_difference}", markup=False, soft_wrap=True)
        if r.retried:
            console.print(f"{r.path}: reproduced when re-run once, after an error on the first attempt: "
                          f"{r.retried}", markup=False, soft_wrap=True)
    bad = [r for r in results if not r.passed]
    if bad:
        console.print(f"{len(bad)} of {len(results)} notebook(s) did not reproduce.", markup=False)
        raise typer.Exit(EXIT_FAILED)
    console.print(f"All {len(results)} notebook(s) reproduced their outputs.", markup=False)


PACK_EPILOG = """\
\b
Examples:
  wcc-analysis pack reports/latest
      one zip per service in the newest good pack
  wcc-analysis pack reports/20250101T020000Z-E07000237 -s museums -s leisure
      two services' zips only

\b
Each zip is written to PACK_DIR/zips/<council>-<service>-<run-id>.zip, e.g.
zips/worcester-museums-20250101T020000Z-E07000237.zip, and holds one folder:
  README.txt                       what it holds, the run id, the council
  <service>/<notebook>.html        the reports (and .code.html, .ipynb)
  any file the reports link to     e.g. the pack's shared stylesheet
  manifest.json                    the manifest with only this service's runs
  inputs.sha256                    sha256 of every raw input
  sources/data/raw/…               SOURCES.md and every PROVENANCE.md
It opens without anything else when unzipped. A zip is written to a
temporary file and renamed into place; the pack's own files are not changed.

\b
Exit code: 0 written, 2 not a pack or a service not in it.
"""


@app.command(name="pack", epilog=PACK_EPILOG)
@_friendly
def pack_zips(
    pack_dir: Annotated[Path, typer.Argument(metavar="PACK_DIR", help="A pack folder, e.g. reports/latest.")],
    service: Annotated[
        list[str] | None,
        typer.Option("--service", "-s", metavar="ID",
                     help="Service to zip (repeatable). Default: every service in the pack."),
    ] = None,
) -> None:
    """Zip a pack per service, for sharing: each zip opens on its own, without Python or Jupyter."""
    from wcc_analysis.run import share

    try:
        zips = share.share_pack(pack_dir, service)
    except share.ShareError as exc:
        err_console.print(f"error: {_one_line(exc.problem).rstrip('.')}. What to do: {_one_line(exc.fix)}",
                          markup=False, style="bold red", soft_wrap=True)
        raise typer.Exit(EXIT_BAD_PARAMETER) from None
    for z in zips:
        console.print(f"{z.service}: {z.path} ({len(z.files)} files, {z.size:,} bytes)", markup=False, soft_wrap=True)
        for line in [*z.warnings, *(f"link not included: {u}" for u in z.unresolved)]:
            console.print(f"  note: {line}", markup=False, style="yellow", soft_wrap=True)


@app.command(name="list")
@_friendly
def list_() -> None:
    """Show the services, the notebooks each runs, and the councils that have their own files."""
    from wcc_analysis.core.config import load_config
    from wcc_analysis.run.planning import ONS_CODE, _authorities

    config = load_config()
    table = Table(title="Services (config/services.toml)", title_justify="left")
    table.add_column("id")
    table.add_column("name")
    table.add_column("notebooks")
    for svc in [*config.services.values(), config.portfolio]:
        table.add_row(svc.id, svc.name, ", ".join(svc.notebooks))
    console.print(table)

    nbs = Table(title="Notebooks", title_justify="left")
    nbs.add_column("name")
    nbs.add_column("title")
    nbs.add_column("scope")
    for spec in config.notebooks.values():
        nbs.add_row(spec.name, spec.title, spec.scope)
    console.print(nbs)

    council_dir = paths.raw_council_dir()
    codes = sorted(p.name for p in council_dir.iterdir() if p.is_dir() and ONS_CODE.match(p.name)) if council_dir.is_dir() else []
    names: dict[str, str] = {}
    if codes:
        try:
            table_ = _authorities()
            if table_ is not None:
                names = dict(zip(table_["ons_code"], table_["name"], strict=False))
        except Exception:  # noqa: BLE001 - names are a nicety here
            names = {}
    console.print(f"Default council: {config.default_council} {names.get(config.default_council, '')}".rstrip(), markup=False)
    if codes:
        console.print("Councils with their own files in data/raw/council/:", markup=False)
        for code in codes:
            console.print(f"  {code}  {names.get(code, '')}".rstrip(), markup=False)
    else:
        console.print("No council has its own files in data/raw/council/ yet (public data only).", markup=False)


@app.command()
@_friendly
def ingest() -> None:
    """Build or refresh the tidy tables in data/processed from data/raw, and show their row counts."""
    try:
        from wcc_analysis import ingest as ingest_module

        build_all = ingest_module.build_all
    except (ImportError, AttributeError):
        err_console.print("error: this version has no data ingest (wcc_analysis.ingest.build_all).")
        raise typer.Exit(EXIT_FAILED) from None
    console.print("Building data/processed from data/raw (tables already up to date are only read)…", markup=False)
    tables = build_all(progress=lambda line: console.print(f"  {line}", markup=False))
    table = Table(title="data/processed", title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    if isinstance(tables, dict) and tables:
        for name, frame in tables.items():
            table.add_row(str(name), f"{len(frame):,}")
    else:  # build_all returned nothing to count: read the row counts from the parquet files
        import pyarrow.parquet as pq

        for path in sorted(paths.processed_dir().glob("*.parquet")):
            table.add_row(path.stem, f"{pq.read_metadata(path).num_rows:,}")
    console.print(table)


@app.command()
@_friendly
def check(
    council: Annotated[
        str | None,
        typer.Option("--council", "-c", metavar="ONS_CODE",
                     help="ONS code of the council whose files to check. Default: from config/services.toml."),
    ] = None,
) -> None:
    """Check every input a run reads, without running a notebook: config/services.toml, the published files
    (data/processed is refreshed from them) and the council's own files. The first problem is printed as one
    line naming the file, row and column, with what to do; exit 0 when all are good, 1 for bad data, 2 for
    bad settings."""
    from wcc_analysis.core.config import load_config
    from wcc_analysis.run import planning, preflight

    config = load_config()
    code = planning.check_council_code(council or config.default_council)
    checked = preflight.check_inputs(code, config, progress=lambda what: console.print(f"checking {what}…",
                                                                                        markup=False))
    encodings = [f"{name} ({enc})" for name, enc in sorted(checked.encodings.items()) if enc != "UTF-8"]
    payments = "no supplier payments" if checked.payment_rows is None else f"{checked.payment_rows:,} payments"
    console.print(f"All inputs are good: config/services.toml, the published files, and {code}'s "
                  f"{len(checked.council_tables)} council table(s) and {payments}."
                  + (f" Read in another encoding than UTF-8: {', '.join(encodings)}." if encodings else ""),
                  markup=False, soft_wrap=True)


# --------------------------------------------------------------------------- data

DATA_HELP = """\
The published data in data/raw/public/: what is there and how old it is (status),
and adding next year's file of a source (add).
"""

data_app = typer.Typer(
    name="data", help=DATA_HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(data_app, name="data")

STATUS_EPILOG = """\
\b
Examples:
  wcc-analysis data status
      every source folder and file: size, date added, sha256, the tables
      that read it, what they cover and how old their latest period is
  wcc-analysis data status --plain > data-status.txt
      the same as plain text (always plain when not on a terminal)
  wcc-analysis data status --write-catalogue
      add a row to data/raw/public/catalogue.csv for each file not yet in it

\b
A file whose bytes differ from its catalogue row is flagged "changed since
added"; a file no processed table reads is "kept for reference". The age of a
table runs from the end of its latest period (a financial year ends on 31 March,
an ONS mid-year estimate on 30 June) to today. Exit code 0.
"""

ADD_EPILOG = """\
\b
Examples:
  wcc-analysis data add ~/Downloads/RSX_2025-26_data_by_LA.ods
      a downloaded file
  wcc-analysis data add https://assets.publishing.service.gov.uk/…/RS_2025-26_data_by_LA.ods
      download it first (standard library, --timeout seconds)
  wcc-analysis data add RS_2025-26_data_by_LA.ods --dry-run
      recognise and validate only; copy and record nothing

\b
Sources it takes, recognised by their content (not their name):
  MHCLG RS and RSX "data by LA" workbooks (.xls, .xlsx, .ods)
  ONS mid-year population estimates workbook (.xlsx: MYE2, MYE4, MYE5)
  DEFRA local authority collected waste workbook (.ods, .xlsx: Table_3)
A file it does not recognise is refused with what identifies each of them.
The file is checked with the source's own reader, copied unmodified into the
source's folder, recorded in data/raw/public/SOURCES.md and catalogue.csv, and the
processed tables that read it are rebuilt. An identical file is "already
present"; a different file of the same name is refused. Nothing is changed
when anything fails.

\b
Exit code: 0 added (or already present), 2 a file it refuses (not
recognised, not valid, a name clash, a failed download), 1 another failure.
"""


def _fail_input(exc: WccAnalysisError) -> typer.Exit:
    """A refused file: the error on one line, what to do (the error's own advice), exit 2."""
    message, fix = str(exc), getattr(exc, "fix", None)
    if fix and message.endswith(f". What to do: {fix}"):
        message = message[: -len(f". What to do: {fix}")]
    err_console.print(f"[bold red]error:[/] {_one_line(message)}", markup=True, soft_wrap=True)
    lines = (fix or "correct the file named above, then run again.").splitlines()
    err_console.print(f"what to do: {lines[0]}", markup=False, soft_wrap=True)
    for line in lines[1:]:
        err_console.print(f"  {line}", markup=False, soft_wrap=True)
    err_console.print("Nothing was added: data/raw/public/ is unchanged.", markup=False)
    return typer.Exit(EXIT_BAD_PARAMETER)


@data_app.command("status", epilog=STATUS_EPILOG)
@_friendly
def data_status(
    write_catalogue: Annotated[
        bool, typer.Option("--write-catalogue",
                           help="First add a row (date git first added the file, else today; how 'shipped') to "
                           "data/raw/public/catalogue.csv for every file not in it. Existing rows are never changed.")
    ] = False,
    plain: Annotated[bool, typer.Option("--plain", help="Plain text even on a terminal.")] = False,
) -> None:
    """List every source folder and file in data/raw/public/ with what reads it and how old it is.

    For each file: size, sha256, date added (data/raw/public/catalogue.csv), the
    processed tables that read it, their years, number of authorities (distinct
    ONS codes) and the age of their latest period.
    """
    from wcc_analysis.run import data_catalogue

    if write_catalogue:
        new = data_catalogue.write_missing_rows()
        where = paths.relative_to_root(data_catalogue.catalogue_path())
        console.print(f"{where}: {len(new)} row(s) added{':' if new else '.'}", markup=False)
        for row in new:
            console.print(f"  {row.path}  added {row.added} ({row.how})", markup=False, soft_wrap=True)
    status = data_catalogue.data_status()
    if plain or not (console.is_terminal and not console.is_dumb_terminal):
        console.print(data_catalogue.render_plain(status), markup=False, soft_wrap=True, end="")
    else:
        data_catalogue.render_rich(status, console)


@data_app.command("add", epilog=ADD_EPILOG)
@_friendly
def data_add(
    path_or_url: Annotated[str, typer.Argument(metavar="PATH_OR_URL",
                                               help="A downloaded file, or its http:// or https:// address.")],
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, metavar="SECONDS", help="Give up a download after this long.")
    ] = 60.0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Recognise and validate the file; copy, record and rebuild nothing.")
    ] = False,
) -> None:
    """Add next year's published file of a source to data/raw/public/, checked and recorded.

    The source is recognised by the file's content, the file is validated by that
    source's reader, copied unmodified into the source's folder, recorded in
    SOURCES.md and catalogue.csv, and the processed tables that read it are rebuilt.
    """
    from wcc_analysis.core.errors import InputDataError
    from wcc_analysis.run import data_add as adding

    try:
        result = adding.add(path_or_url, timeout=timeout, dry_run=dry_run,
                            progress=lambda line: console.print(line, markup=False, soft_wrap=True))
    except (InputDataError, ParameterError) as exc:
        raise _fail_input(exc) from None
    except KeyboardInterrupt:
        err_console.print("interrupted; nothing was added: data/raw/public/ is unchanged.", markup=False)
        raise typer.Exit(130) from None
    if result.status == adding.STATUS_PRESENT:
        console.print(f"Already present: data/raw/public/{result.relative} has the same bytes (sha256 "
                      f"{result.sha256[:12]}…); nothing was changed.", markup=False, soft_wrap=True)
        return
    if result.status == adding.STATUS_CHECKED:
        console.print(f"Dry run: it would be copied to data/raw/public/{result.relative}; nothing was changed.",
                      markup=False, soft_wrap=True)
        return
    verb = "Copied to" if result.status == adding.STATUS_ADDED else "Recorded (already in its folder):"
    console.print(f"{verb} data/raw/public/{result.relative} ({result.size:,} bytes, sha256 {result.sha256}).",
                  markup=False, soft_wrap=True)
    console.print("Recorded in data/raw/public/SOURCES.md and data/raw/public/catalogue.csv.", markup=False)
    if result.tables:
        table = Table(title="Rebuilt in data/processed", title_justify="left")
        for column, justify in (("table", "left"), ("rows", "right"), ("years", "left"),
                                ("authorities", "right"), ("latest period", "left")):
            table.add_column(column, justify=justify)
        for t in result.tables:
            latest = f"ended {data_currency.long_date(t.period_end)}, {t.age}" if t.period_end else ""
            table.add_row(t.name, f"{t.rows:,}", t.years or "", f"{t.authorities:,}" if t.authorities is not None
                          else "", latest)
        console.print(table)
    else:
        readers = "; ".join(f"{name} reads {', '.join(files)}" for name, files in result.folder_readers.items())
        named = f" ({readers}, named in {result.recognised.source.reader})" if readers else ""
        console.print(f"No processed table reads this file yet{named}. It is kept for reference (data status lists "
                      "it) until that reader is pointed at the new file.", markup=False, soft_wrap=True)


def main() -> None:
    app()


def _run_sector(config, service: list[str] | None, notebook: list[str] | None, parameter: list[str] | None, *,
                out: Path | None, jobs: int | None, executor: str, executor_options: dict[str, str | None],
                timeout: float | None, started: datetime) -> int:
    """``run --council all-districts`` (:mod:`wcc_analysis.run.sector`): run, print a summary; the exit code."""
    from wcc_analysis.run import sector

    def say(line: str) -> None:
        console.print(line, markup=False, soft_wrap=True)
        console.file.flush()  # one line at a time in a log, as it happens

    built = sector.run_sector(
        config, service, notebook, parameter, say=say, out_dir=out or paths.reports_dir(),
        jobs=jobs or os.cpu_count() or 1, executor=executor, executor_options=executor_options, timeout=timeout,
        started=started, progress=sector.LineProgress(say))
    info = built.manifest["sector"]
    say(f"Sector run {built.run_id}: {info['councils']} councils, {info['ok']} ok, {info['failed']} failed; "
        f"{info['executions_per_minute']} executions a minute, wall time {built.manifest['duration_s']:.0f} s.")
    for result in built.failed:
        err = result.error or {}
        console.print(f"FAILED {result.execution.folder}: {err.get('kind')} {err.get('ename')}: "
                      f"{_one_line(err.get('evalue', ''))[:300]}", markup=False, style="red", soft_wrap=True)
    say(f"Sector page: {built.path / 'index.html'} (latest is not moved by a sector run)")
    return EXIT_OK if built.ok else EXIT_FAILED


if __name__ == "__main__":
    main()
