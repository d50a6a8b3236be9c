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

The two HTML exporters write pages that are self-contained within the pack (nothing from the network): images
embedded, and one stylesheet per pack, :data:`STYLESHEET` (``assets/report.css``: the CSS nbconvert's lab template
would inline in every page, then :data:`PACK_CSS` — navigation, tables that scroll in their own box and wrap at
760 px, print on A4), written once and linked by a relative path. Every page opens with a navigation header: the
pack's front page, the service's other reports in the run (:attr:`Execution.reports
<wcc_analysis.run.planning.Execution.reports>`) and the other version (reader or code) of the same report. A
chart's ``<img alt>`` is the ``alt`` its display metadata carries (:func:`wcc_analysis.display.plots.alt_text`).

Scrubbing (:mod:`wcc_analysis.run.scrub`): every exporter's :meth:`~Exporter.export` first scrubs the
executed notebook's outputs and metadata (absolute paths, user and host names, secret-looking environment
values) in place and, if that changed anything, rewrites the pack's ``.ipynb`` with the scrubbed notebook
(:func:`scrub_executed_notebook`); the runner calls the exporters for every execution, failed or not, right
after writing the ``.ipynb``. The text an exporter renders is scrubbed again before it is written. A subclass
that overrides ``export`` is wrapped so that the notebook is still scrubbed first; what such an ``export``
writes itself (a binary format, say) is its own to scrub.
"""

from __future__ import annotations

import functools
import os
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own ``export`` still scrubs the executed notebook before anything else."""
        super().__init_subclass__(**kwargs)
        export = cls.__dict__.get("export")
        if export is not None and not getattr(export, "_scrubs_first", False):

            @functools.wraps(export)
            def scrubbed_export(self: Exporter, nb: NotebookNode, execution: Execution, pack_dir: Path) -> None:
                scrub_executed_notebook(nb, execution, pack_dir)
                return export(self, nb, execution, pack_dir)

            scrubbed_export._scrubs_first = True  # type: ignore[attr-defined]
            cls.export = scrubbed_export  # type: ignore[method-assign]

    @abstractmethod
    def render(self, nb: NotebookNode, execution: Execution) -> str:
        """The output file's text for the executed notebook ``nb``."""

    def export(self, nb: NotebookNode, execution: Execution, pack_dir: Path) -> None:
        """Write the output to ``pack_dir / execution.output_path(self.suffix)`` (override for binary formats):
        the notebook is scrubbed first (:func:`scrub_executed_notebook`), and so is the rendered text."""
        from wcc_analysis.run.scrub import current_scrubber

        scrubber = current_scrubber()
        scrub_executed_notebook(nb, execution, pack_dir, scrubber)
        target = Path(pack_dir) / execution.output_path(self.suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(scrubber(self.render(nb, execution)), encoding="utf-8")


def scrub_executed_notebook(nb: NotebookNode, execution: Execution, pack_dir: Path, scrubber: Any = None) -> bool:
    """Scrub ``nb`` in place (:func:`wcc_analysis.run.scrub.scrub_notebook`: outputs and metadata, never the
    code) and, when that changed it, rewrite ``pack_dir``'s executed ``.ipynb`` with it (atomically; only if
    the runner wrote one). True if the notebook changed. Deterministic, so a scrubbed notebook scrubs to
    itself and the next exporter's call changes nothing."""
    import nbformat

    from wcc_analysis.run.scrub import current_scrubber, scrub_notebook

    if not scrub_notebook(nb, scrubber or current_scrubber()):
        return False
    target = Path(pack_dir) / execution.output_path(NOTEBOOK_SUFFIX)
    if target.is_file():
        partial = target.with_name(f".{target.name}.{os.getpid()}.scrub.tmp")
        try:
            nbformat.write(nb, partial)
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
    return True


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

#: The pack's one stylesheet, relative to the pack folder: every HTML report links it instead of inlining it.
STYLESHEET = "assets/report.css"

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{#- Self-contained: no scripts fetched from a CDN (require.js, MathJax, mermaid). -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{#- In a pack: the pack's one stylesheet, linked, instead of ~260 KB of the same CSS inline in every page. -#}
{%- block html_head -%}
{%- if resources.wcc_stylesheet -%}
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
{% set nb_title = nb.metadata.get('title', resources['metadata']['name']) | escape_html_keep_quotes %}
<title>{{nb_title}}</title>
<link rel="stylesheet" href="{{ resources.wcc_stylesheet | escape_html }}">
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock html_head -%}
{#- The pack's navigation, before the report. -#}
{%- block body_header -%}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.wcc_nav or '' }}
<main>
{%- endblock body_header -%}
{#- A chart's alt text: the display metadata wcc_analysis.display.plots gives every figure. -#}
{% block data_png scoped %}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- if alt -%}
{{ super() | replace('<img src=', '<img alt="' ~ (alt | escape_html) ~ '" src=') }}
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock data_png %}
"""

#: The pack's own rules, after the CSS nbconvert inlines (so they win): navigation, tables that scroll in their
#: own box and wrap on a narrow screen, and print on A4.
PACK_CSS = """
/* ---- wcc-analysis evidence pack ---- */
.wcc-nav { display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: baseline; padding: 8px 12px;
  margin: 0 0 8px 0; border-bottom: 1px solid #d0d0d0; font-family: var(--jp-ui-font-family);
  font-size: var(--jp-ui-font-size1); background: #f7f7f7; }
.wcc-nav ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0; padding: 0; }
.wcc-nav a { color: #1a5a96; }
.wcc-nav [aria-current="page"] { font-weight: bold; }
.wcc-nav .wcc-nav-service { font-weight: bold; }

/* Tables: a wide table scrolls inside its own box; the page never clips it. */
.wcc-table-wrap { max-width: 100%; overflow-x: auto; }
.jp-OutputArea-output.jp-RenderedHTMLCommon { max-width: 100%; overflow-x: auto; }
.jp-RenderedHTMLCommon table caption { caption-side: top; text-align: left; font-weight: bold; padding: 0 0 4px 0; }
.jp-RenderedImage img { max-width: 100%; height: auto; }

/* Narrow screens: cells wrap instead of forcing the table wider. */
@media only screen and (max-width: 760px) {
  .jp-RenderedHTMLCommon table { table-layout: auto; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: normal; overflow-wrap: anywhere;
    padding: 0.3em; }
  .wcc-nav { padding: 6px; }
}

/* Print: A4, no navigation, tables whole and wrapped, no break inside a table or a chart. */
@page { size: A4; margin: 15mm 12mm; }
@media print {
  .wcc-nav { display: none; }
  .wcc-table-wrap, .jp-OutputArea-output, .jp-OutputArea-child, .jp-OutputArea, .jp-Cell-outputWrapper,
  .jp-InputArea { overflow: visible !important; }
  .jp-RenderedHTMLCommon table { table-layout: auto; max-width: 100%; font-size: 8.5pt; }
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: normal; overflow-wrap: anywhere;
    padding: 0.25em 0.4em; }
  table, figure, .wcc-table-wrap, .jp-RenderedImage, img { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .jp-RenderedImage img { max-width: 100% !important; height: auto !important; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
}
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
        theme="light",
        embed_images=True,
        **options,
    )


@cache
def stylesheet() -> str:
    """The pack's stylesheet: the CSS nbconvert's lab template inlines in every page (JupyterLab's light theme
    and the code highlighting, in its order), then :data:`PACK_CSS`. The same text for every report."""
    import re

    import nbformat

    page, _ = _nbconvert_html(False).from_notebook_node(nbformat.v4.new_notebook(), resources={"metadata": {"name": ""}})
    head = page[: page.index("</head>")]
    inlined = re.findall(r"<style[^>]*>(.*?)</style>", head, flags=re.S)
    return "\n".join(["/* The CSS nbconvert's lab template inlines (JupyterLab light theme, code highlighting). */",
                      *(css.strip() for css in inlined), PACK_CSS.strip()]) + "\n"


def write_stylesheet(pack_dir: Path) -> Path:
    """Write :data:`STYLESHEET` into ``pack_dir`` unless it is already there as it should be (atomic: executions
    running in parallel may all write it)."""
    target = Path(pack_dir) / STYLESHEET
    text = stylesheet()
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)
    return target


def _up(path: str) -> str:
    """``museums/needs_analysis.html`` → ``../``: from a report back to the pack folder."""
    return "../" * (path.count("/"))


class _HTML(Exporter):
    """Self-contained HTML (images embedded, no CDN scripts), titled "<notebook> — <service>", linking the pack's
    stylesheet and headed by the pack's navigation: the front page, the service's other reports and the other
    version (reader or code) of this report."""

    reader: ClassVar[bool]
    #: the navigation's link text to this version of a report from the other versions
    version_link: ClassVar[str]

    def render(self, nb: NotebookNode, execution: Execution) -> str:
        title = f"{execution.notebook_title} — {execution.service_name}"
        resources = {"metadata": {"name": title},
                     "wcc_stylesheet": _up(execution.output_path(self.suffix)) + STYLESHEET,
                     "wcc_nav": self.navigation(execution)}
        body, _ = _nbconvert_html(self.reader).from_notebook_node(nb, resources=resources)
        return body

    def navigation(self, execution: Execution) -> str:
        """The header: links relative to this report, the current report marked, never a link to itself."""
        import html

        reports = execution.reports or ((execution.notebook, execution.notebook_title),)
        items = "".join(
            f'<li aria-current="page">{html.escape(name)}</li>' if notebook == execution.notebook
            else f'<li><a href="{html.escape(notebook + self.suffix)}">{html.escape(name)}</a></li>'
            for notebook, name in reports
        )
        versions = "".join(
            f'<a class="wcc-nav-version" href="{html.escape(execution.notebook + other.suffix)}">{html.escape(other.version_link)}</a>'
            for other in registered_exporters() if isinstance(other, _HTML) and other.key != self.key
        )
        return (f'<nav class="wcc-nav" aria-label="Evidence pack">'
                f'<a href="{_up(execution.output_path(self.suffix))}index.html">Evidence pack: front page</a>'
                f'<span class="wcc-nav-service">{html.escape(execution.service_name)}:</span><ul>{items}</ul>'
                f"{versions}</nav>")

    def export(self, nb: NotebookNode, execution: Execution, pack_dir: Path) -> None:
        """The page, and the pack's stylesheet it links (written once)."""
        write_stylesheet(pack_dir)
        super().export(nb, execution, pack_dir)


@register_exporter
class ReaderHTML(_HTML):
    key = "html"
    suffix = ".html"
    label = "report"
    description = "the report to read: outputs only, no code and no injected-parameters cell"
    reader = True
    version_link = "This report without its code"


@register_exporter
class CodeHTML(_HTML):
    key = "code_html"
    suffix = ".code.html"
    label = "with code"
    description = "the report with its code, every cell and its In [n] prompt"
    reader = False
    version_link = "This report with its code"


__all__ = [
    "Exporter",
    "INJECTED_TAG",
    "NOTEBOOK_KEY",
    "NOTEBOOK_LABEL",
    "NOTEBOOK_SUFFIX",
    "PACK_CSS",
    "STYLESHEET",
    "register_exporter",
    "registered_exporters",
    "scrub_executed_notebook",
    "stylesheet",
    "unregister_exporter",
    "write_stylesheet",
]
