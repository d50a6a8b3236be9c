"""wcc-analysis: commissioning workbooks and evidence packs for English councils."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wcc-analysis")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"

from wcc_analysis.core.headline import record  # noqa: E402

__all__ = ["__version__", "record"]
