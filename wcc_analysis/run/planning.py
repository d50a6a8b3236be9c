"""Plan a run: which (service, notebook) executions, with which parameters.

``plan`` turns the command line's choices into a list of :class:`Execution` and
checks everything *before* anything runs: service and notebook names, the
council code, and every ``-p NAME=VALUE`` against the parameters each notebook
declares (and the type of its default).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from wcc_analysis.core import paths
from wcc_analysis.core.config import Config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run.exporters import NOTEBOOK_KEY, NOTEBOOK_SUFFIX, registered_exporters

#: Parameters the runner sets itself; ``-p`` may not override them.
RESERVED_PARAMETERS = {"council": "--council", "service": "--service"}
ONS_CODE = re.compile(r"^E\d{8}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Council:
    """An English local authority: its ONS code, name (None if unknown) and class."""

    code: str
    name: str | None = None
    rs_class: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


@dataclass(frozen=True)
class Execution:
    """One notebook to run for one service (or for the portfolio)."""

    service: str
    service_name: str
    notebook: str
    notebook_title: str
    input_path: Path
    parameters: dict[str, Any]
    #: (notebook, title) of every report of this service in the run, in order: the HTML's navigation header.
    reports: tuple[tuple[str, str], ...] = ()
    #: A folder of the pack the outputs go in, prefixed to ``key`` and every output path (e.g. the council's
    #: ONS code in a sector run, :mod:`wcc_analysis.run.sector`); empty for an ordinary pack.
    folder: str = ""

    @property
    def _prefix(self) -> str:
        return f"{self.folder}/" if self.folder else ""

    @property
    def key(self) -> str:
        return f"{self._prefix}{self.service}/{self.notebook}"

    def output_path(self, suffix: str) -> str:
        """``[<folder>/]<service>/<notebook><suffix>``, relative to the pack folder (a POSIX path)."""
        return f"{self._prefix}{self.service}/{self.notebook}{suffix}"

    @property
    def outputs(self) -> dict[str, str]:
        """Output files by key, relative to the pack folder, as linked from index.html.

        The executed notebook (``ipynb``) and one file per registered exporter
        (:mod:`wcc_analysis.run.exporters`), in registration order.
        """
        return {
            NOTEBOOK_KEY: self.output_path(NOTEBOOK_SUFFIX),
            **{e.key: self.output_path(e.suffix) for e in registered_exporters()},
        }


def parse_parameters(items: Iterable[str] | None) -> dict[str, Any]:
    """``["year=2023", "label=x"]`` → ``{"year": 2023, "label": "x"}``, typed like papermill's ``-p``."""
    parsed: dict[str, Any] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(
                f"parameter {item!r} is not of the form NAME=VALUE. Write e.g. -p comparator_k=10."
            )
        if not IDENTIFIER.match(name):
            raise ParameterError(f"parameter name {name!r} is not a valid Python name.")
        if name in RESERVED_PARAMETERS:
            raise ParameterError(
                f"parameter {name!r} is set by the runner; use {RESERVED_PARAMETERS[name]} instead of -p."
            )
        parsed[name] = resolve_type(value)
    return parsed


def resolve_type(value: str) -> Any:
    """Type a command-line value as papermill's CLI does: bool, None, int, float, else str."""
    if value == "True":
        return True
    if value == "False":
        return False
    if value == "None":
        return None
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def _authorities():
    """ingest.authorities() or None while ingest is not available."""
    try:
        from wcc_analysis import ingest

        return ingest.authorities()
    except (ImportError, AttributeError):
        return None


def check_council_code(code: str) -> str:
    """The code in upper case, if it has the form of an English ONS code (no lookup)."""
    code = (code or "").strip().upper()
    if not ONS_CODE.match(code):
        raise ParameterError(
            f"council code {code!r} is not an English ONS local authority code "
            "(an E followed by 8 digits, e.g. E07000237 for Worcester)."
        )
    return code


def resolve_council(code: str) -> Council:
    """Check ``code`` is a known English authority and return it with its name.

    Uses ``wcc_analysis.ingest.authorities()``; when that is not available only
    the form of the code is checked.
    """
    code = check_council_code(code)
    table = _authorities()
    if table is None:
        return Council(code)
    rows = table[table["ons_code"] == code]
    if rows.empty:
        hint = ""
        try:
            from wcc_analysis.ingest.public.authorities import suggest

            hint = " " + suggest(code, frozenset(table["ons_code"].dropna().astype(str)))
        except Exception:  # noqa: BLE001 - a suggestion is a courtesy, never a second failure
            pass
        raise ParameterError(
            f"council code {code!r} is not in the list of English local authorities "
            f"(data/raw/public/mysociety_la_lookup):{hint or ' check the code on the ONS geography portal.'}"
        )
    row = rows.iloc[0]
    rs_class = row["rs_class"] if "rs_class" in row.index else None
    return Council(code, str(row["name"]), None if rs_class is None else str(rs_class))


def _declared_parameters(path: Path) -> dict[str, dict]:
    import papermill

    return papermill.inspect_notebook(str(path))


def plan(
    config: Config,
    services: Sequence[str] | None = None,
    notebooks: Sequence[str] | None = None,
    council: str | Council | None = None,
    extra_params: Mapping[str, Any] | Sequence[str] | None = None,
) -> list[Execution]:
    """Every (service, notebook) to run, with its parameters, checked before anything runs.

    ``services`` defaults to every configured service plus the portfolio;
    ``notebooks`` filters the notebooks each service runs. ``extra_params`` is a
    mapping, or ``NAME=VALUE`` strings as given to ``-p``; each name must be a
    parameter declared by every planned notebook.
    """
    if council is None:
        council = config.default_council
    # a Council has been resolved (or is deliberately unresolved) by the caller
    code = check_council_code(council.code if isinstance(council, Council) else resolve_council(council).code)

    chosen = list(dict.fromkeys(services)) if services else [*config.services, config.portfolio.id]
    chosen_services = [config.service(sid) for sid in chosen]  # ParameterError if unknown
    if notebooks:
        wanted = list(dict.fromkeys(notebooks))
        for name in wanted:
            config.notebook(name)  # ParameterError if unknown
    else:
        wanted = None

    if extra_params is None:
        extra: dict[str, Any] = {}
    elif isinstance(extra_params, Mapping):
        extra = dict(extra_params)
        parse_parameters(f"{k}=x" for k in extra)  # names are checked the same way
    else:
        extra = parse_parameters(extra_params)

    executions: list[Execution] = []
    for service in chosen_services:
        for name in service.notebooks:
            if wanted is not None and name not in wanted:
                continue
            spec = config.notebooks[name]
            path = paths.notebooks_dir() / f"{name}.ipynb"
            executions.append(
                Execution(
                    service=service.id,
                    service_name=service.name,
                    notebook=name,
                    notebook_title=spec.title,
                    input_path=path,
                    parameters={"council": code, "service": service.id, **extra},
                )
            )
    if not executions:
        applies = "; ".join(f"{s.id}: {', '.join(s.notebooks)}" for s in chosen_services)
        raise ParameterError(
            f"nothing to run: notebook(s) {', '.join(wanted or [])} do not apply to the chosen "
            f"service(s) ({applies})."
        )

    missing = sorted({ex.input_path for ex in executions if not ex.input_path.is_file()})
    if missing:
        raise ParameterError(
            "notebook file(s) missing: "
            + ", ".join(paths.relative_to_root(p) for p in missing)
            + ". Restore them from the repository or remove them from config/services.toml."
        )

    if extra:
        declared = {p: _declared_parameters(p) for p in {ex.input_path for ex in executions}}
        for name in extra:
            lacking = sorted(p.stem for p, params in declared.items() if name not in params)
            if lacking:
                known = {p.stem: sorted(params) for p, params in declared.items()}
                listing = "; ".join(f"{nb}: {', '.join(ps) or '(none)'}" for nb, ps in sorted(known.items()))
                raise ParameterError(
                    f"unknown parameter {name!r} for notebook(s) {', '.join(lacking)}. "
                    f"Declared parameters — {listing}. Use --notebook to run only notebooks that take it."
                )
            for params in declared.values():
                extra[name] = _typed_like_default(name, extra[name], params[name].get("default"))
        for ex in executions:
            ex.parameters.update(extra)
    return _with_reports(executions)


def _with_reports(executions: list[Execution]) -> list[Execution]:
    """Each execution told the reports of its service in this run (for the links between them)."""
    by_service: dict[str, list[tuple[str, str]]] = {}
    for ex in executions:
        by_service.setdefault(ex.service, []).append((ex.notebook, ex.notebook_title))
    return [replace(ex, reports=tuple(by_service[ex.service])) for ex in executions]


_TYPE_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


def _typed_like_default(name: str, value: Any, default: str | None) -> Any:
    """``value`` checked against the type of the notebook's default (text defaults take anything)."""
    try:
        expected = type(ast.literal_eval(default)) if default else None
    except (ValueError, SyntaxError):
        return value
    if expected is str:
        return value if isinstance(value, str) else str(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected in _TYPE_WORDS and not (type(value) is expected):
        raise ParameterError(
            f"parameter {name!r} must be {_TYPE_WORDS[expected]} (the notebook's default is {default}); "
            f"got {value!r}."
        )
    return value
