"""The sector page (``index.html`` of a sector pack): a pure function of the sector manifest.

One row per council (name linking to its report, ONS code, status and its headline figures), sortable by
clicking a column header (a few lines of inline JavaScript; the page uses nothing from the network), one
histogram per numeric headline figure (inline SVG, the highlighted council — Worcester by default — marked
in vermilion), and a separate list of the councils whose notebook failed, with the error.

The figures are those each notebook recorded (:mod:`wcc_analysis.core.headline`); the page knows nothing
about any one analysis. A figure is a column when it is a number that differs between councils; figures the
same for every council are stated once above the table.
"""

from __future__ import annotations

import html
import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from wcc_analysis.core import headline

#: Okabe–Ito blue (the councils) and vermilion (the highlighted council), as in every chart of the pack.
BLUE, VERMILION, GREY = "#0072B2", "#D55E00", "#666666"
#: Headline figures never shown as columns or as "the same for every council" (each report shows them).
SKIPPED = frozenset({"data_used", "comparator_codes"})
#: A text figure is a column (sortable) when it varies between councils and is at most this long (e.g. a year).
SHORT_TEXT = 12


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def fmt(value: Any, decimals: int | None = None) -> str:
    """A figure as shown: thousands separators, ``decimals`` places (default: none for a whole number, else 2),
    lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        places = decimals if decimals is not None else (0 if float(value).is_integer() else 2)
        return f"{value:,.{places}f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value)
    return str(value)


# --------------------------------------------------------------------------- which figures


def figure_columns(executions: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str], dict[str, Any]]:
    """(numeric columns, short text columns, figures the same for every council) of the successful executions,
    in the reading order of :data:`wcc_analysis.core.headline.LABELS`."""
    done = [e.get("headline") or {} for e in executions if e.get("status") == "ok"]
    keys = [k for k, _ in headline.ordered(dict.fromkeys(k for h in done for k in h)) if k not in SKIPPED]
    numeric, text, same = [], [], {}
    for key in keys:
        values = [h.get(key) for h in done]
        present = [v for v in values if v is not None]
        distinct = {repr(v) for v in values}
        if len(distinct) == 1 and present and len(present) == len(values):
            same[key] = present[0]
        elif present and all(_is_number(v) for v in present):
            numeric.append(key)
        elif present and all(isinstance(v, str) and len(v) <= SHORT_TEXT for v in present):
            text.append(key)
    return numeric, text, same


def decimals_of(values: Sequence[Any]) -> int:
    """The places a column of figures is shown to: none when every figure is a whole number, else 2."""
    return 0 if all(float(v).is_integer() for v in values if _is_number(v)) else 2


# --------------------------------------------------------------------------- histograms


def _bins(values: Sequence[float]) -> list[tuple[float, float, int]]:
    """(low, high, count) bins: one per whole number for whole-number figures spanning at most 30, else
    about √n equal bins (5 to 20)."""
    low, high = min(values), max(values)
    if all(float(v).is_integer() for v in values) and high - low <= 30:
        edges = [low - 0.5 + i for i in range(int(high - low) + 2)]
    else:
        n = max(5, min(20, math.ceil(math.sqrt(len(values)))))
        width = (high - low) / n or 1.0
        edges = [low + i * width for i in range(n + 1)]
    counts = [0] * (len(edges) - 1)
    for v in values:
        i = min(int((v - edges[0]) / (edges[1] - edges[0])), len(counts) - 1)
        counts[i] += 1
    return [(edges[i], edges[i + 1], c) for i, c in enumerate(counts)]


def histogram_svg(title: str, values: Sequence[float], marked: tuple[str, float] | None = None,
                  width: int = 380, height: int = 190) -> str:
    """An inline SVG histogram of ``values`` with the median (dashed grey) and ``marked`` = (name, value)
    drawn in vermilion; an empty string for no values."""
    if not values:
        return ""
    places = decimals_of(values)

    def show(value: float) -> str:  # every label of one chart to the same places
        return fmt(value, places)
    bins = _bins(values)
    left, right, top, bottom = 34, 12, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = bins[0][0], bins[-1][1]
    peak = max(c for _, _, c in bins) or 1

    def x(v: float) -> float:
        return left + (v - lo) / ((hi - lo) or 1.0) * plot_w

    median = statistics.median(values)
    median_text = fmt(median, 2 if places == 0 and not float(median).is_integer() else places)
    parts = [f'<svg class="hist" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{_e(title)}: distribution over {len(values)} councils'
             f'{"; " + _e(marked[0]) + " " + _e(show(marked[1])) if marked else ""}</title>']
    for b_lo, b_hi, count in bins:
        h = count / peak * plot_h
        parts.append(f'<rect x="{x(b_lo) + 0.5:.1f}" y="{top + plot_h - h:.1f}" width="{max(x(b_hi) - x(b_lo) - 1, 1):.1f}" '
                     f'height="{h:.1f}" fill="{BLUE}"><title>{_e(_range(b_lo, b_hi, places))}: {count} '
                     f'council{"s" if count != 1 else ""}</title></rect>')
    axis_y = top + plot_h
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" stroke="#333"/>')
    for v, anchor in ((min(values), "start"), (max(values), "end")):
        parts.append(f'<text x="{x(v):.1f}" y="{axis_y + 14}" text-anchor="{anchor}">{_e(show(v))}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>'
                 f'<text x="{left - 4}" y="{axis_y}" text-anchor="end">0</text>')
    parts.append(f'<line x1="{x(median):.1f}" y1="{top}" x2="{x(median):.1f}" y2="{axis_y}" stroke="{GREY}" '
                 f'stroke-dasharray="4 3"/><text x="{x(median):.1f}" y="{axis_y + 28}" text-anchor="middle" '
                 f'fill="{GREY}">median {_e(median_text)}</text>')
    if marked is not None:
        name, value = marked
        mx = x(value)
        anchor = "start" if mx < left + plot_w / 2 else "end"
        dx = 4 if anchor == "start" else -4
        parts.append(f'<line x1="{mx:.1f}" y1="{top - 4}" x2="{mx:.1f}" y2="{axis_y}" stroke="{VERMILION}" '
                     f'stroke-width="2.5"/><text x="{mx + dx:.1f}" y="{top - 8}" text-anchor="{anchor}" '
                     f'fill="{VERMILION}" font-weight="bold">{_e(name)}: {_e(show(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _range(low: float, high: float, places: int) -> str:
    """A bin's range for its tooltip: one whole number for a whole-number bin, else "low to high"."""
    if places == 0 and high - low == 1 and float(low + 0.5).is_integer():
        return fmt(low + 0.5, 0)
    return f"{fmt(low, places or 1)} to {fmt(high, places or 1)}"


# --------------------------------------------------------------------------- the page


def _council(entry: Mapping[str, Any]) -> tuple[str, str]:
    council = entry.get("council") or {}
    code = council.get("code") or (entry.get("parameters") or {}).get("council") or ""
    return str(code), str(council.get("name") or code)


def _link(entry: Mapping[str, Any]) -> str | None:
    outputs = entry.get("outputs") or {}
    return outputs.get("html") or outputs.get("ipynb")


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def _summary(manifest: Mapping[str, Any]) -> str:
    sector = manifest.get("sector") or {}
    rate = sector.get("executions_per_minute")
    git = manifest.get("git") or {}
    rows = [
        ("Data year", f"{sector.get('data_year', 'n/a')}: the latest year of MHCLG revenue outturn held "
                      f"(data/processed/revenue_outturn.parquet)"),
        ("Councils", f"{sector.get('councils', 0)}: {sector.get('ok', 0)} succeeded, {sector.get('failed', 0)} failed "
                     f"(every council of class {sector.get('rs_class', 'SD')}, shire district, in that year)"),
        ("Report", f"{sector.get('notebook_title', '')} ({sector.get('notebook', '')}) for "
                   f"{sector.get('service_name', '')} ({sector.get('service', '')})"),
        ("Wall time", f"{_minutes(manifest.get('duration_s'))} (start to the last report; running the "
                      f"notebooks: {_minutes(sector.get('execution_s'))})"),
        ("Executions per minute", f"{fmt(rate) if rate is not None else 'n/a'} ({sector.get('jobs', '?')} at a "
                                  f"time, {sector.get('executor', '?')} executor)"),
        ("Run", f"{manifest.get('run_id', '')}, started {manifest.get('started', '')}"
                + (f", git {str(git.get('commit'))[:10]}{' (with uncommitted changes)' if git.get('dirty') else ''}"
                   if git.get("commit") else "")),
    ]
    return "<dl class='summary'>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows) + "</dl>"


def _notes(manifest: Mapping[str, Any], executions: Sequence[Mapping[str, Any]], same: Mapping[str, Any]) -> str:
    sector = manifest.get("sector") or {}
    year = sector.get("data_year")
    items = [_e(n) for n in sector.get("notes") or []]
    earlier = [_council(e)[1] for e in executions
               if e.get("status") == "ok" and year and (e.get("headline") or {}).get("year") not in (None, year)]
    if earlier:
        items.append(f"{len(earlier)} council(s) have no {_e(year)} figures (no return that year), so their row "
                     f"shows their latest published year (see “{_e(headline.label('year'))}”): "
                     f"{_e(', '.join(sorted(earlier)))}.")
    if same:
        listed = "; ".join(f"{_e(headline.label(k))}: {_e(fmt(v))}" for k, v in same.items())
        items.append(f"The same for every council that succeeded: {listed}.")
    return "<ul class='notes'>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>" if items else ""


def _table(executions: Sequence[Mapping[str, Any]], numeric: Sequence[str], text: Sequence[str],
           highlight: str | None) -> str:
    def header(label: str, kind: str) -> str:
        return (f"<th scope='col' data-type='{kind}'><button type='button' title='Sort by {_e(label)}'>"
                f"{_e(label)}</button></th>")

    head = (header("Council", "text") + header("ONS code", "text") + header("Status", "text")
            + "".join(header(headline.label(k), "text") for k in text)
            + "".join(header(headline.label(k), "number") for k in numeric))
    places = {k: decimals_of([(e.get("headline") or {}).get(k) for e in executions]) for k in numeric}
    rows = []
    for entry in sorted(executions, key=lambda e: _council(e)[1].lower()):
        code, name = _council(entry)
        figures = entry.get("headline") or {}
        link = _link(entry)
        ok = entry.get("status") == "ok"
        cells = [f"<th scope='row' data-v='{_e(name)}'>"
                 + (f"<a href='{_e(link)}'>{_e(name)}</a>" if link else _e(name)) + "</th>",
                 f"<td data-v='{_e(code)}'>{_e(code)}</td>",
                 f"<td data-v='{'ok' if ok else 'failed'}'>" + ("ok" if ok else
                                                              f"<a class='failed' href='#failed-{_e(code)}'>FAILED</a>")
                 + "</td>"]
        cells += [f"<td data-v='{_e(figures.get(k) or '')}'>{_e(fmt(figures.get(k)))}</td>" for k in text]
        cells += [f"<td class='num' data-v='{_e(figures[k]) if _is_number(figures.get(k)) else ''}'>"
                  f"{_e(fmt(figures.get(k), places[k]))}</td>" for k in numeric]
        mark = " class='highlight'" if code == highlight else ""
        rows.append(f"<tr{mark}>{''.join(cells)}</tr>")
    return ("<div class='wrap'><table class='sortable' id='councils'><thead><tr>" + head + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>")


def _histograms(executions: Sequence[Mapping[str, Any]], numeric: Sequence[str], highlight: str | None) -> str:
    marked_entry = next((e for e in executions if _council(e)[0] == highlight and e.get("status") == "ok"), None)
    figures = []
    for key in numeric:
        values = [float(v) for e in executions if e.get("status") == "ok"
                  for v in [(e.get("headline") or {}).get(key)] if _is_number(v)]
        mark = None
        if marked_entry is not None and _is_number((marked_entry.get("headline") or {}).get(key)):
            mark = (_council(marked_entry)[1], float(marked_entry["headline"][key]))
        svg = histogram_svg(headline.label(key), values, mark)
        if svg:
            figures.append(f"<figure><figcaption>{_e(headline.label(key))} <span class='n'>({len(values)} "
                           f"councils)</span></figcaption>{svg}</figure>")
    return "<div class='hists'>" + "".join(figures) + "</div>" if figures else "<p>No numeric headline figure.</p>"


def _failed(executions: Sequence[Mapping[str, Any]]) -> str:
    failed = [e for e in executions if e.get("status") != "ok"]
    if not failed:
        return "<p class='allok'>Every council's notebook succeeded.</p>"
    rows = []
    for entry in sorted(failed, key=lambda e: _council(e)[1].lower()):
        code, name = _council(entry)
        err = entry.get("error") or {}
        cell = "" if err.get("cell_index") is None else f"cell {err['cell_index']}" + (
            f" (In [{err['execution_count']}])" if err.get("execution_count") is not None else "")
        link = _link(entry)
        rows.append(
            f"<tr id='failed-{_e(code)}'><th scope='row'>" + (f"<a href='{_e(link)}'>{_e(name)}</a>" if link else _e(name))
            + f"</th><td>{_e(code)}</td><td>{_e(err.get('kind', ''))}</td><td>{_e(cell)}</td>"
            f"<td>{_e(err.get('ename', ''))}</td><td class='evalue'>{_e(err.get('evalue', ''))}"
            + (f"<div class='src'>the cell starts: <code>{_e(err['source_first_line'])}</code></div>"
               if err.get("source_first_line") else "") + "</td></tr>")
    return ("<div class='wrap'><table class='failed-list'><thead><tr><th scope='col'>Council</th>"
            "<th scope='col'>ONS code</th><th scope='col'>Kind</th><th scope='col'>Cell</th>"
            "<th scope='col'>Error</th><th scope='col'>Message</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table></div>")


def _sources(manifest: Mapping[str, Any]) -> str:
    entries = manifest.get("data_currency") or []
    if not entries:
        return ""
    rows = "".join(f"<tr><td>{_e(e.get('source', ''))}</td><td>{_e(e.get('release') or '')}</td>"
                   f"<td>{_e(e.get('age') or '')}{' (more than two years old)' if e.get('stale') else ''}</td></tr>"
                   for e in entries)
    return ("<h2 id='sources'>Data used</h2><div class='wrap'><table class='sources'><thead><tr><th scope='col'>Source</th>"
            "<th scope='col'>Release</th><th scope='col'>Age on the run date</th></tr></thead><tbody>"
            + rows + "</tbody></table></div>")


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0 auto; padding: 16px 24px;
  max-width: 1400px; color: #1b1b1b; font-size: 14px; line-height: 1.4; }
h1 { font-size: 1.5em; margin: 0 0 4px 0; } h2 { font-size: 1.2em; margin: 24px 0 8px 0; }
.sub { color: #444; margin: 0 0 12px 0; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.summary dt { font-weight: bold; } dl.summary dd { margin: 0; }
ul.notes { margin: 8px 0; padding-left: 20px; color: #333; }
.wrap { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
table.sortable { font-size: 12px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 5px; text-align: left; vertical-align: top; }
thead th { background: #f3f3f3; vertical-align: bottom; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.sortable thead th { padding: 0; }
table.sortable thead th button { all: unset; display: block; box-sizing: border-box; width: 100%; cursor: pointer;
  padding: 4px 13px 4px 5px; max-width: 8.5em; font-weight: bold; white-space: normal; position: relative; }
table.sortable thead th button:focus-visible { outline: 2px solid #1a5a96; }
table.sortable thead th button::after { content: "\\2195"; position: absolute; right: 3px; bottom: 4px; color: #999; }
table.sortable thead th[aria-sort=ascending] button::after { content: "\\25B2"; color: #1b1b1b; }
table.sortable thead th[aria-sort=descending] button::after { content: "\\25BC"; color: #1b1b1b; }
table.sortable tbody tr:hover { background: #f4f8fc; }
tr.highlight, tr.highlight:hover { background: #fbe3d3; }
tr.highlight th { border-left: 4px solid #D55E00; }
a { color: #1a5a96; } a.failed { color: #b00020; font-weight: bold; }
.hists { display: flex; flex-wrap: wrap; gap: 10px 18px; }
figure { margin: 0; } figcaption { font-weight: bold; font-size: 13px; max-width: 380px; }
figcaption .n { font-weight: normal; color: #555; }
svg.hist text { font-size: 11px; fill: #333; font-family: inherit; }
table.failed-list td.evalue { max-width: 60em; } .src { color: #555; margin-top: 2px; }
p.allok { color: #1e6b1e; } p.jump { margin: 10px 0 0 0; }
@media print { thead th { position: static; } table.sortable thead th button::after { content: ""; } }
"""

SORT_JS = """
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var number = th.getAttribute("data-type") === "number";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
          if (x === "" || y === "") return (x === "") - (y === "");  /* no value: always last */
          var order = number ? Number(x) - Number(y) : x.localeCompare(y, undefined, {numeric: true});
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
"""


def render_sector_page(manifest: Mapping[str, Any]) -> str:
    """The sector page for a sector manifest (:func:`wcc_analysis.run.sector.sector_manifest`)."""
    sector = manifest.get("sector") or {}
    executions = manifest.get("executions") or []
    highlight = sector.get("highlight")
    numeric, text, same = figure_columns(executions)
    title = (f"{sector.get('notebook_title', 'Sector run')} — {sector.get('service_name', '')}: "
             f"every English shire district")
    failed_n = sum(1 for e in executions if e.get("status") != "ok")
    marked = next((_council(e)[1] for e in executions if _council(e)[0] == highlight), None)
    return "".join([
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='sub'>One {_e(sector.get('notebook_title', 'report'))} per council (class "
        f"{_e(sector.get('rs_class', 'SD'))}), run from published data. Click a council to open its report; click a "
        "column header to sort by it (again to reverse)."
        + (f" {_e(marked)} is highlighted in the table and marked in each chart." if marked else "") + "</p>",
        _summary(manifest),
        _notes(manifest, executions, same),
        f"<p class='jump'>On this page: <a href='#distributions'>distribution of each figure</a> · "
        f"<a href='#failed'>councils whose notebook failed ({failed_n})</a> · <a href='#councils-table'>every "
        f"council ({len(executions)}), sortable</a> · <a href='#sources'>data used</a></p>",
        "<h2 id='distributions'>Distribution of each figure</h2>",
        "<p class='sub'>Councils whose notebook succeeded; dashed grey: the median"
        + (f"; vermilion: {_e(marked)}" if marked else "") + ". Hover a bar for its range and count.</p>",
        _histograms(executions, numeric, highlight),
        f"<h2 id='failed'>Councils whose notebook failed ({failed_n})</h2>",
        _failed(executions),
        f"<h2 id='councils-table'>Councils ({len(executions)})</h2>",
        _table(executions, numeric, text, highlight),
        _sources(manifest),
        f"</main><script>{SORT_JS}</script></body></html>\n",
    ])


__all__ = ["figure_columns", "fmt", "histogram_svg", "render_sector_page"]
