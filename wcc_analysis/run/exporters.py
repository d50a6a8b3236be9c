"""Output formats: what each executed notebook is converted to, beside its ``.ipynb``.

An :class:`Exporter` has a ``key`` (its name in a result's and the manifest's
``outputs``), a file ``suffix``, a reader-facing ``label`` (the link text in
index.html) and a ``description``. The registry, in registration order, decides
:attr:`Execution.outputs <wcc_analysis.run.planning.Execution.outputs>`, what
:func:`~wcc_analysis.run.runner.run_execution` writes and the links of the index
page. Two are registered: the reader HTML (``html``, ``.html``, "report": no
code, no injected-parameters cell) and the code HTML (``code_html``,
``.code.html``, "with code"). A new format is one subclass of :class:`Exporter`
decorated with :func:`register_exporter`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from nbformat import NotebookNode

    from wcc_analysis.run.planning import Execution

#: The executed notebook itself: always written, not an exporter; linked last in index.html.
NOTEBOOK_KEY, NOTEBOOK_SUFFIX, NOTEBOOK_LABEL = "ipynb", ".ipynb", "notebook"
#: Tag papermill gives the cell it injects with the run's parameters.
INJECTED_TAG = "injected-parameters"


class Exporter(ABC):
    """One output format. Subclasses set the four class attributes and implement :meth:`render`."""

    key: ClassVar[str]
    suffix: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def render(self, nb: NotebookNode, execution: Execution) -> str:
        """The output file's text for the executed notebook ``nb``."""

    def export(self, nb: NotebookNode, execution: Execution, pack_dir: Path) -> None:
        """Write the output to ``pack_dir / execution.output_path(self.suffix)`` (override for binary formats)."""
        target = Path(pack_dir) / execution.output_path(self.suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.render(nb, execution), encoding="utf-8")


# --------------------------------------------------------------------------- registry

_EXPORTERS: dict[str, Exporter] = {}
_ExporterClass = TypeVar("_ExporterClass", bound=type[Exporter])


def register_exporter(cls: _ExporterClass) -> _ExporterClass:
    """Class decorator: register one instance of ``cls`` (after those already registered).

    A clash — the notebook's own key or suffix, another exporter's key or suffix, a suffix that is not a
    lower-case ``.name`` — is a programming error in the exporter (a ``ValueError`` at import time).
    """
    exporter = cls()
    clash = [e.key for e in _EXPORTERS.values() if e.key == exporter.key or e.suffix == exporter.suffix]
    if exporter.key == NOTEBOOK_KEY or exporter.suffix == NOTEBOOK_SUFFIX or clash:
        raise ValueError(
            f"exporter {exporter.key!r} ({exporter.suffix}) clashes with "
            f"{', '.join(clash) or 'the executed notebook'}; unregister that one first."
        )
    if not exporter.suffix.startswith(".") or exporter.suffix != exporter.suffix.lower() or " " in exporter.suffix:
        raise ValueError(f"exporter {exporter.key!r}: the suffix {exporter.suffix!r} must be like '.html' (lower case)")
    _EXPORTERS[exporter.key] = exporter
    return cls


def unregister_exporter(key: str) -> None:
    """Remove the exporter registered under ``key`` (no error if there is none)."""
    _EXPORTERS.pop(key, None)


def registered_exporters() -> list[Exporter]:
    """Every registered exporter, in registration order."""
    return list(_EXPORTERS.values())


# --------------------------------------------------------------------------- HTML

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{#- Self-contained: no scripts fetched from a CDN (require.js, MathJax, mermaid). -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


@cache
def _nbconvert_html(reader: bool) -> Any:
    """An nbconvert HTMLExporter, built once per process (template loading is not free)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config as TraitletsConfig

    c = TraitletsConfig()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {INJECTED_TAG} if reader else set()
    options = dict(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True) if reader else {}
    return HTMLExporter(
        config=c,
        extra_loaders=[DictLoader({"wcc_pack.html.j2": _TEMPLATE})],
        template_file="wcc_pack.html.j2",
        embed_images=True,
        **options,
    )


class _HTML(Exporter):
    """Self-contained HTML (images embedded, no CDN scripts), titled "<notebook> — <service>"."""

    reader: ClassVar[bool]

    def render(self, nb: NotebookNode, execution: Execution) -> str:
        title = f"{execution.notebook_title} — {execution.service_name}"
        body, _ = _nbconvert_html(self.reader).from_notebook_node(nb, resources={"metadata": {"name": title}})
        return body


@register_exporter
class ReaderHTML(_HTML):
    key = "html"
    suffix = ".html"
    label = "report"
    description = "the report to read: outputs only, no code and no injected-parameters cell"
    reader = True


@register_exporter
class CodeHTML(_HTML):
    key = "code_html"
    suffix = ".code.html"
    label = "with code"
    description = "the report with its code, every cell and its In [n] prompt"
    reader = False


__all__ = [
    "Exporter",
    "INJECTED_TAG",
    "NOTEBOOK_KEY",
    "NOTEBOOK_LABEL",
    "NOTEBOOK_SUFFIX",
    "register_exporter",
    "registered_exporters",
    "unregister_exporter",
]
