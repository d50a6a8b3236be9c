"""The package's own exceptions: one family, one type per kind of failure.

- :class:`InputDataError` — bad input: a raw file (``file``, ``row``, ``column``
  as a person sees them when opening it) or a table handed to an analysis
  (:class:`InputTableError`: the table's name, and the row and column where known);
- :class:`MissingDataError` — data an analysis needs does not exist;
- :class:`ParameterError` — a parameter, service id, notebook name, council code
  or analysis argument is not valid;
- :class:`ConfigError` — a configuration file (``config/*.toml``) is malformed.

Every message says what went wrong, where, and what to do next, so that a
council analyst can act on it without reading code. Bad input and bad
parameters are also ``ValueError`` s, so callers that catch ``ValueError`` keep
working.
"""

from __future__ import annotations

from pathlib import Path


class WccAnalysisError(Exception):
    """Base class for every error this package raises on purpose."""


def _where_and_fix(where: list[str], problem: str, fix: str | None) -> str:
    message = f"{', '.join(where)}: {problem}" if where else problem
    if fix:
        message += f". What to do: {fix}"
    return message


def _shown_file(file: str | Path) -> str:
    """A file as an error names it: relative to the project, never the clone's absolute path (a file outside the
    project by its name only). A table's name ("cash flows") is kept as it is."""
    if isinstance(file, Path) or Path(str(file)).is_absolute():
        from wcc_analysis.core.paths import relative_to_root  # paths imports this module

        return relative_to_root(Path(file))
    return str(file)


class InputDataError(WccAnalysisError, ValueError):
    """A raw input file is missing, unreadable or has wrong content.

    ``row`` is the 1-based line (CSV) or row (spreadsheet) as a person sees it
    when opening the file; ``column`` is the column's header as written there.
    """

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
        sheet: str | None = None,
    ) -> None:
        self.file = _shown_file(file)
        self.problem = problem
        self.row = row
        self.column = column
        self.fix = fix
        self.sheet = sheet
        super().__init__(self._message())

    def _location(self) -> list[str]:
        return [f"file {self.file}"]

    def _message(self) -> str:
        where = self._location()
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return _where_and_fix(where, self.problem, self.fix)


class InputTableError(InputDataError):
    """A table given to an analysis function has wrong content (e.g. a missing column, an unknown id).

    ``table`` names the table as the analyst knows it ("cash flows", "benefits
    register"); ``row`` and ``column`` say where, when known.
    """

    def __init__(
        self,
        table: str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.table = table
        super().__init__(table, problem, row=row, column=column, fix=fix)

    def _location(self) -> list[str]:
        return [self.table]


class MissingDataError(WccAnalysisError):
    """Data needed for an analysis does not exist (e.g. no outturn for a council)."""


class ParameterError(WccAnalysisError, ValueError):
    """A parameter, service id, notebook name, council code or analysis argument is not valid."""


class ConfigError(WccAnalysisError, ValueError):
    """A configuration file (config/*.toml) is malformed."""
