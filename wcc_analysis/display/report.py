"""Small display helpers that keep notebooks thin and their outputs deterministic."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from wcc_analysis.core import labels
from wcc_analysis.core.rules import RuleTable
from wcc_analysis.core.vocabulary import GREY, RAG_COLOURS

ILLUSTRATIVE = (
    "ILLUSTRATIVE SAMPLE DATA: the council's own figures in this report are a labelled sample "
    "shipped with wcc-analysis, not the council's real figures. Replace the files in "
    "data/raw/council/{code}/ with real ones before using the results."
)


#: Column labels and kinds live in one place, :mod:`wcc_analysis.core.labels` (kept here under the old name).
COLUMN_LABELS = labels.COLUMNS


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def note(text: str, kind: str = "info") -> None:
    """A boxed note: kind is info, warning or missing."""
    colours = {"info": ("#eef5fb", "#1f78b4"), "warning": ("#fff4e5", "#d95f02"), "missing": ("#f4f4f4", "#777777")}
    background, border = colours.get(kind, colours["info"])
    _display(
        f"<div style='background:{background};border-left:5px solid {border};padding:8px 12px;"
        f"margin:6px 0'>{html.escape(text)}</div>"
    )


def bullets(lines: Sequence[str], title: str | None = None) -> None:
    head = f"<p><b>{html.escape(title)}</b></p>" if title else ""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    _display(f"{head}<ul>{items}</ul>")


def table(
    frame: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | None = None,
    formats: Mapping[str, str | Callable[[object], str]] | None = None,
    index: bool = False,
) -> None:
    """Show a table with a title and a source line. ``formats`` maps column → format spec."""
    shown = _cells(frame, formats or {})
    numeric = [i for i, c in enumerate(frame.columns, start=1 + int(index))
               if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    shown = shown.rename(columns=labels.label)
    css_class = "wcc-" + hashlib.sha1(f"{title}|{list(frame.columns)}".encode()).hexdigest()[:8]
    right = ", ".join(f"table.wcc-table.{css_class} td:nth-child({i}), table.wcc-table.{css_class} th:nth-child({i})" for i in numeric)
    style = (f"<style>table.wcc-table.{css_class} td, table.wcc-table.{css_class} th {{text-align:left; vertical-align:top}}"
             + (f" {right} {{text-align:right}}" if right else "") + "</style>")
    markup = _accessible(shown.to_html(index=index, border=0, classes=f"wcc-table {css_class}", na_rep="–", escape=True),
                         title)
    foot = f"<p style='font-size:85%;color:#555'>Source: {html.escape(source)}</p>" if source else ""
    _display(style + f"<div class='wcc-table-wrap' style='max-width:100%;overflow-x:auto'>{markup}</div>" + foot)


def _cells(frame: pd.DataFrame, formats: Mapping[str, str | Callable[[object], str]]) -> pd.DataFrame:
    """Every cell as text: a caller's ``formats`` entry where there is one (a spec gets the column's £ and a true
    minus sign), otherwise by the column's kind (:mod:`wcc_analysis.core.labels`); ids as names; booleans as
    yes/no; missing values blank — never None, NaN or True."""
    shown = frame.copy()
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        spec = formats.get(column)
        kind = labels.kind(column)
        if spec is None and kind is None and (values.dtype == object or pd.api.types.is_string_dtype(values)):
            present = {str(v) for v in values if not labels.missing(v)}
            if present and present <= set(labels.OPTION_LABELS):
                kind = labels.OPTION
            elif present and present <= set(labels.service_names()):
                kind = labels.SERVICE
        if callable(spec):
            render = lambda v, r=spec: "" if labels.missing(v) else r(v)  # noqa: E731
        elif spec is not None:
            render = lambda v, s=spec, k=kind: labels.with_spec(v, s, k)  # noqa: E731
        else:
            render = lambda v, k=kind: labels.formatted(v, k)  # noqa: E731
        shown.isetitem(position, values.map(render).astype(object))
    return shown


def _accessible(markup: str, title: str | None) -> str:
    """A pandas HTML table with its title as a real ``<caption>`` and ``scope`` on every header cell (``col`` in
    the head, ``row`` for the index cells of the body)."""
    head, split, body = markup.partition("</thead>")
    if not split:
        head, body = "", markup
    def scoped(part: str, scope: str) -> str:
        return part.replace("<th>", f'<th scope="{scope}">').replace("<th ", f'<th scope="{scope}" ')
    markup = scoped(head, "col") + split + scoped(body, "row")
    if title:
        opening = markup.index(">", markup.index("<table")) + 1
        markup = (markup[:opening] + "<caption style='caption-side:top;text-align:left;font-weight:bold;"
                  f"padding:0 0 4px 0;color:inherit'>{html.escape(title)}</caption>" + markup[opening:])
    return markup


def number(value: float) -> str:
    """Whole numbers without decimals, others to one decimal place, thousands separated."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def heading(text: str) -> None:
    _display(f"<h2>{html.escape(text)}</h2>")


def data_label(council_data) -> str:
    """How the council's own data must be described wherever it is shown."""
    if council_data.illustrative:
        return "ILLUSTRATIVE SAMPLE, not the council's own figures"
    return "the council's own files"


def council_data_status(council_data, council_name: str, tables: Sequence[str] = ("services", "priority_scores")) -> None:
    """Banner: which council files were used, whether they are illustrative, which of ``tables`` are missing."""
    if not any(t in council_data.tables for t in tables):
        note(
            f"{council_name} ({council_data.code}) has not supplied the council tables this report can use "
            f"({', '.join(tables)}), so it shows published data only for them. To add them, copy "
            f"data/raw/council/_template/ to data/raw/council/{council_data.code}/ and fill it in "
            "(see data/raw/council/README.md).",
            "missing",
        )
        return
    if council_data.is_illustrative(*tables):
        note(ILLUSTRATIVE.format(code=council_data.code), "warning")
    used = ", ".join(sorted({f.name for f in council_data.files if f.stem in tables or f.suffix != ".csv"}))
    note(f"Council files used: {used or 'none for this report'} (data/raw/council/{council_data.code}/).")
    for table_name in [t for t in tables if t in council_data.missing()]:
        note(f"The council has not supplied the table '{table_name}': the sections that need it are left out.", "missing")


def available(result, what: str) -> bool:
    """True if there is a result to show (not None, not an empty table); otherwise say, in the report, that this
    part is not available."""
    if result is None or (isinstance(result, pd.DataFrame) and result.empty):
        note(f"{what}: not available for this council (see the note above on the council's files).", "missing")
        return False
    return True


def rag_answers(answers: Sequence[tuple[str, str, str]]) -> None:
    """The key questions with a RAG badge (the word itself, on its colour: never colour alone) and one plain
    sentence each."""
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left;vertical-align:top'>{html.escape(q)}</th>"
        f"<td style='vertical-align:top'><span style='display:inline-block;min-width:4em;text-align:center;"
        f"color:white;background:{RAG_COLOURS.get(rag, RAG_COLOURS[GREY])};padding:2px 6px;border-radius:3px;font-weight:bold'>"
        f"{html.escape(rag)}</span></td><td style='text-align:left'>{html.escape(sentence)}</td></tr>"
        for q, rag, sentence in answers
    )
    hidden = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"
    _display(f"<table class='wcc-rag'><caption style='{hidden}'>The key questions: each answer's RAG rating "
             f"(the word on its colour) and why</caption>{rows}</table>")


def number_3(value: float) -> str:
    """Up to three significant decimals for small values, thousands separators for large ones."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}" if abs(value) < 1 else f"{value:,.2f}"


def _rules_title(name: str) -> str:
    """``KPI_RAG_RULES`` → "KPI RAG rules"."""
    text = name.replace("_", " ").capitalize()
    return text.replace(" rag ", " RAG ").replace("Kpi", "KPI").replace(" kpi ", " KPI ").replace("Mca", "MCA")


def rule_frame(value) -> pd.DataFrame:
    """A rule table as a reader sees it: a :class:`~wcc_analysis.core.rules.RuleTable` (the rules that run),
    or a declarative table of (term, description) pairs or a mapping."""
    if isinstance(value, RuleTable):
        return value.frame()
    rows = list(value.items()) if isinstance(value, Mapping) else list(value)
    return pd.DataFrame(rows, columns=["rating", "rule"]) if rows and len(rows[0]) == 2 else pd.DataFrame(rows)


def rules(module, names: Sequence[str] | None = None) -> None:
    """Print a module's rule tables (``*_RULES``) — the same tables that decide its ratings — so every
    rating can be checked by hand."""
    names = names or sorted(n for n in vars(module) if n.endswith("_RULES"))
    comment = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
    for name in names:
        table(rule_frame(getattr(module, name)), title=_rules_title(name), source=f"{module.__name__}: {comment}")


def data_used(records) -> None:
    """The "Data used" box: every source the report used, what it covers, what was taken, which release.

    ``records`` are :class:`~wcc_analysis.core.provenance.SourceUse`. How old each source is on the day the
    pack was made is on the pack's front page (the report itself stays the same whenever it is re-run).
    """
    rows = [{"Source": r.source, "Covers": r.covers, "Used in this report": r.used,
             "Release": ("ILLUSTRATIVE SAMPLE — " if r.illustrative and "ILLUSTRATIVE" not in r.release else "")
             + r.release} for r in records]
    table(pd.DataFrame(rows, columns=["Source", "Covers", "Used in this report", "Release"]),
          title="Data used (the age of each source on the day of the run is on the pack's front page)")


def findings(lines: Sequence[str], title: str = "What this report found") -> None:
    """The findings box each report opens with: a titled box (the note style) of three to five plain sentences."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    _display(f"<section class='wcc-findings' aria-label='{html.escape(title)}' style='background:#eef5fb;"
             f"border-left:5px solid #1f78b4;padding:8px 12px;margin:6px 0'><p style='margin:0 0 4px 0'><b>"
             f"{html.escape(title)}</b></p><ul style='margin:0'>{items}</ul></section>")
