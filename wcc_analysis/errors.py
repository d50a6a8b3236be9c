"""The package's own exceptions: one type per kind of failure.

Every message says what went wrong, where (file, row, column when known) and
what to do next, so that a council analyst can act on it without reading code.
"""

from __future__ import annotations

from pathlib import Path


class WccAnalysisError(Exception):
    """Base class for every error this package raises on purpose."""


class InputDataError(WccAnalysisError):
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
        self.file = str(file)
        self.problem = problem
        self.row = row
        self.column = column
        self.fix = fix
        self.sheet = sheet
        super().__init__(self._message())

    def _message(self) -> str:
        where = [f"file {self.file}"]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        message = f"{', '.join(where)}: {self.problem}"
        if self.fix:
            message += f". What to do: {self.fix}"
        return message


class MissingDataError(WccAnalysisError):
    """Data needed for an analysis does not exist (e.g. no outturn for a council)."""


class ParameterError(WccAnalysisError):
    """A parameter, service id, notebook name or council code is not valid."""


class ConfigError(WccAnalysisError):
    """A configuration file (config/*.toml) is malformed."""
