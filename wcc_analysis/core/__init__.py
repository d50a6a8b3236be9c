"""Core: what every layer shares — configuration, paths, errors, the processed-data store,
headline figures, rule tables, the shared vocabulary and wording helpers.

Imports nothing from the other layers.
"""

from wcc_analysis.core.config import Config, NotebookSpec, Service, load_config
from wcc_analysis.core.errors import (
    ConfigError,
    InputDataError,
    InputTableError,
    MissingDataError,
    ParameterError,
    WccAnalysisError,
)
from wcc_analysis.core.headline import record

__all__ = [
    "Config", "ConfigError", "InputDataError", "InputTableError", "MissingDataError", "NotebookSpec",
    "ParameterError", "Service", "WccAnalysisError", "load_config", "record",
]
