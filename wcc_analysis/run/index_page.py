"""index.html: the page a non-programmer opens first, built from a pack's manifest.

A "Data currency" section near the top lists every source the reports used
(the manifest's ``data_currency``): what it covers, the latest period used, the
release and its age on the day of the run, with a written warning on sources more
than two years old. Then one row per service, one column per notebook; each cell
shows the status, the headline figures the notebook recorded (not its list of
sources, which the Data currency section shows) and links to the reports. Standard
library only (``html.escape`` and string formatting); inline CSS, no scripts,
no external assets, readable when printed.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from wcc_analysis.core import headline
from wcc_analysis.core.config import Config
from wcc_analysis.core.provenance import DATA_USED_KEY
from wcc_analysis.core.text import ordinal, plural
from wcc_analysis.run import data_currency
from wcc_analysis.run.exporters import NOTEBOOK_KEY, NOTEBOOK_LABEL, registered_exporters

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1b1b;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
.meta { color: #505a5f; margin-top: 0; }
.banner { padding: .6rem .9rem; border-left: 6px solid; margin: 1rem 0; }
.banner.ok { border-color: #00703c; background: #e7f4ec; }
.banner.failed { border-color: #d4351c; background: #fbe9e6; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #b1b4b6; padding: .5rem .6rem; vertical-align: top; text-align: left; }
thead th { background: #f3f2f1; }
.badge { display: inline-block; font-weight: 700; font-size: .8rem; padding: .1rem .45rem; border-radius: 3px;
         letter-spacing: .03em; text-transform: uppercase; border: 1px solid; }
.badge.ok { color: #00703c; border-color: #00703c; background: #e7f4ec; }
.badge.failed { color: #d4351c; border-color: #d4351c; background: #fbe9e6; }
.badge.notrun { color: #505a5f; border-color: #b1b4b6; background: #f3f2f1; }
.badge.stale { color: #6f3d00; border-color: #b35c00; background: #fff4e0; }
.badge.sample { color: #505a5f; border-color: #b1b4b6; background: #f3f2f1; }
table.currency td, table.currency th { font-size: .92rem; }
.usedby { color: #505a5f; font-size: .8rem; }
.na { color: #b1b4b6; }
ul.figures { margin: .4rem 0; padding-left: 1.1rem; font-size: .92rem; }
.links { font-size: .9rem; }
.links a { margin-right: .6rem; }
.secs { color: #505a5f; font-size: .8rem; }
code { background: #f3f2f1; padding: 0 .2rem; }
footer { margin-top: 2.5rem; color: #505a5f; font-size: .85rem; border-top: 1px solid #ccc; padding-top: .6rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  .links a::after { content: " (" attr(href) ")"; font-size: .8em; }
  tr, li { break-inside: avoid; }
}
"""

_HOW_TO_READ = (
    "This pack holds one report per service and analysis, produced by running the "
    "commissioning workbooks on published data and the council's own files. The table has "
    "one row per service and one column per analysis. Each cell shows whether that analysis "
    "ran (<b>ok</b>), stopped with an error (<b>failed</b>) or was not part of this run "
    "(<b>not run</b>; a dash means the analysis does not apply to the service), the headline "
    "figures it recorded, and links to the report: <i>report</i> is the version to read, "
    "<i>with code</i> shows every calculation, and <i>notebook</i> is the file an analyst can "
    "open and re-run in Jupyter. The <i>Data currency</i> section above says how old each source "
    "the reports used is, and warns in words on any more than two years old. "
    "Every figure names its source inside the report; "
    "<a href='manifest.json'>manifest.json</a> records the data files (with their checksums), "
    "software versions and parameters of this run, so that it can be checked and repeated."
)

_MAX_LIST = 4


def _label(key: str) -> str:
    return headline.label(key)


def format_value(value: Any, key: str = "") -> str:
    """A headline figure as a person reads it: thousands separators, £ and %, short lists."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if isinstance(value, float):
            if abs(value) >= 1000:
                text = f"{value:,.0f}"
            elif key.endswith("_gbp"):
                text = f"{value:,.2f}"
            elif abs(value) >= 1 or value == 0:
                text = f"{value:,.2f}".rstrip("0").rstrip(".")
            else:
                text = f"{value:.3g}"
        else:
            text = f"{value:,}"
        if key.endswith("_gbp"):
            return f"−£{text.lstrip('-')}" if text.startswith("-") else f"£{text}"
        if key.endswith("_pct"):
            return f"{text}%"
        return text
    if value is None:
        return "n/a"
    if isinstance(value, list):
        shown = [format_value(v) for v in value[:_MAX_LIST]]
        more = len(value) - _MAX_LIST
        return ", ".join(shown) + (f" … and {more} more" if more > 0 else "")
    if isinstance(value, dict):
        items = list(value.items())
        shown = [f"{k}: {format_value(v, str(k))}" for k, v in items[:_MAX_LIST]]
        more = len(items) - _MAX_LIST
        return "; ".join(shown) + (f" … and {more} more" if more > 0 else "")
    return str(value)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(entry: dict[str, Any] | None, applies: bool) -> str:
    if entry is None:
        if not applies:
            return "<td class='na' title='does not apply to this service'>–</td>"
        return "<td><span class='badge notrun'>not run</span></td>"
    status = entry["status"]
    badge = f"<span class='badge {'ok' if status == 'ok' else 'failed'}'>{_esc(status)}</span>"
    secs = f" <span class='secs'>{entry.get('duration_s', 0):.1f} s</span>"
    figures = ""
    figures_recorded = {k: v for k, v in (entry.get("headline") or {}).items() if k != DATA_USED_KEY}
    if figures_recorded:
        items = "".join(
            f"<li title='{_esc(k)}'>{_esc(_label(k))}: <b>{_esc(format_value(v, k))}</b></li>"
            for k, v in headline.ordered(figures_recorded)
        )
        figures = f"<ul class='figures'>{items}</ul>"
    elif status != "ok":
        err = entry.get("error") or {}
        figures = f"<p>{_esc(err.get('ename', 'Error'))}: {_esc(_short(err.get('evalue', '')))}</p>"
    outputs = entry.get("outputs", {})
    links = " ".join(f"<a href='{_esc(outputs[k])}'>{_esc(label)}</a>" for k, label in _link_names() if k in outputs)
    return f"<td>{badge}{secs}{figures}<div class='links'>{links}</div></td>"


def _link_names() -> list[tuple[str, str]]:
    """(output key, link text) for a cell's links: every registered exporter, then the notebook."""
    return [*((e.key, e.label) for e in registered_exporters()), (NOTEBOOK_KEY, NOTEBOOK_LABEL)]


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _human_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


STALE_MARKER = "⚠ over two years old"


def currency_section(manifest: dict[str, Any]) -> str:
    """The "Data currency" section: one row per source in the manifest's ``data_currency``."""
    entries = manifest.get("data_currency")
    if entries is None:  # a manifest from before schema 2
        return ""
    sentence = data_currency.summary(entries)
    if not entries:
        return f"<h2 id='data-currency'>Data currency</h2>\n<p>{_esc(sentence)}</p>"
    started = manifest.get("started")
    on = f" on the day of this run ({_esc(_human_day(started))})" if started else ""
    rows = []
    for e in entries:
        used_by = e.get("used_by") or []
        who = f"<br><span class='usedby'>used by {_esc(plural(len(used_by), 'report'))}</span>"
        sample = " <span class='badge sample'>illustrative sample</span>" if e.get("illustrative") else ""
        latest = _esc(e.get("used") or "")
        ended = data_currency.long_date(e.get("period_end"))
        latest += ("<br>" if latest else "") + f"period ended {_esc(ended)}"
        if e.get("stale"):
            age = f"<b>{_esc(e.get('age'))}</b> <span class='badge stale'>{_esc(STALE_MARKER)}</span>"
        else:
            age = _esc(e.get("age") or "period not stated")
        row_class = " class='stale'" if e.get("stale") else ""
        rows.append(
            f"<tr{row_class}><th scope='row'>{_esc(e['source'])}{sample}{who}</th>"
            f"<td>{_esc(e.get('covers') or '')}</td><td>{latest}</td><td>{_esc(e.get('release') or '')}</td>"
            f"<td>{age}</td></tr>"
        )
    return (
        "<h2 id='data-currency'>Data currency</h2>\n"
        f"<p><b>{_esc(sentence)}</b> Each age runs from the day the latest period used ended (a financial year "
        f"on 31 March, a mid-year population estimate on 30 June) to the day of the run{on}.</p>\n"
        "<table class='currency'>\n<thead><tr><th scope='col'>Source</th><th scope='col'>What it covers</th>"
        "<th scope='col'>Latest period used</th><th scope='col'>Release</th><th scope='col'>Age</th></tr></thead>\n"
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>"
    )


def _human_day(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%B %Y}"


def render_index(manifest: dict[str, Any], config: Config | None = None) -> str:
    """index.html for a manifest: one row per service, one column per notebook."""
    council = manifest["council"]
    council_label = f"{council['name']} ({council['code']})" if council.get("name") else council["code"]
    entries = {(e["service"], e["notebook"]): e for e in manifest["executions"]}

    services: dict[str, str] = {}
    for e in manifest["executions"]:
        services.setdefault(e["service"], e["service_name"])
    notebooks: dict[str, str] = {}
    if config is not None:
        order = [*config.services.values(), config.portfolio]
        ran = set(services)
        for svc in order:
            if svc.id in ran:
                for nb in svc.notebooks:
                    notebooks.setdefault(nb, config.notebooks[nb].title)
    for e in manifest["executions"]:
        notebooks.setdefault(e["notebook"], e["notebook_title"])

    def applies(service: str, notebook: str) -> bool:
        if config is None:
            return False
        try:
            return notebook in config.service(service).notebooks
        except Exception:  # noqa: BLE001 - a service no longer configured
            return False

    portfolio_id = config.portfolio.id if config is not None else "portfolio"
    groups = [
        ("Whole portfolio", {k: v for k, v in services.items() if k == portfolio_id}),
        ("Services", {k: v for k, v in services.items() if k != portfolio_id}),
    ]
    tables = []
    for heading, members in groups:
        if not members:
            continue
        columns = [nb for nb in notebooks if any((sid, nb) in entries or applies(sid, nb) for sid in members)]
        head = "".join(f"<th scope='col'>{_esc(notebooks[nb])}</th>" for nb in columns)
        rows = []
        for sid, sname in members.items():
            cells = "".join(_cell(entries.get((sid, nb)), applies(sid, nb)) for nb in columns)
            rows.append(f"<tr><th scope='row'>{_esc(sname)}</th>{cells}</tr>")
        tables.append(
            f"<h3>{_esc(heading)}</h3>\n<table>\n<thead><tr><th scope='col'>Service</th>{head}</tr></thead>\n"
            f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>"
        )

    failed = [e for e in manifest["executions"] if e["status"] != "ok"]
    if failed:
        banner = (
            f"<div class='banner failed'><b>{len(failed)} of {len(entries)} reports failed.</b> "
            "They are listed under “Failures” below. This pack was kept, but <code>latest</code> "
            "still points to the last pack in which every report succeeded.</div>"
        )
        items = []
        for e in failed:
            err = e.get("error") or {}
            where = []
            if err.get("cell_index") is not None:
                where.append(
                    f"the {ordinal(err['cell_index'] + 1)} cell of <code>{_esc(e.get('source', e['notebook']))}</code>"
                )
            if err.get("execution_count") is not None:
                where.append(f"shown as In&nbsp;[{_esc(err['execution_count'])}] in the code version")
            line = (
                f"<br>The cell starts: <code>{_esc(_short(err['source_first_line'], 160))}</code>"
                if err.get("source_first_line")
                else ""
            )
            kind = {"kernel": "The notebook's Python kernel did not start (tried three times).", "runner": ""}.get(
                err.get("kind"), ""
            )
            link = e.get("outputs", {}).get("html")
            see = f" <a href='{_esc(link)}#papermill-error-cell'>See where it stopped</a>." if link else ""
            items.append(
                f"<li><b>{_esc(e['service_name'])} — {_esc(e['notebook_title'])}</b>: "
                f"{_esc(err.get('ename', 'Error'))}: {_esc(_short(err.get('evalue', '')))}"
                f"{'<br>Stopped at ' + ', '.join(where) + '.' if where else ''} {kind}{line}{see}</li>"
            )
        failures = "<h2 id='failures'>Failures</h2><ul>" + "".join(items) + "</ul>"
    else:
        banner = f"<div class='banner ok'>All {len(entries)} reports ran successfully.</div>"
        failures = ""

    params = manifest.get("selection", {}).get("parameters") or {}
    params_text = (
        "Extra parameters: " + ", ".join(f"<code>{_esc(k)} = {_esc(repr(v))}</code>" for k, v in params.items()) + ". "
        if params
        else ""
    )
    git = manifest.get("git")
    git_text = (
        f"git commit <code>{_esc(git['commit'][:12])}</code>{' (with uncommitted changes)' if git.get('dirty') else ''}"
        if git
        else "not run from a git checkout"
    )
    versions = ", ".join(f"{_esc(k)} {_esc(v)}" for k, v in manifest.get("versions", {}).items() if v)
    title = f"Commissioning evidence pack — {council_label}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{_esc(title)}</h1>
<p class="meta">Run <code>{_esc(manifest['run_id'])}</code> · {_esc(_human_date(manifest['finished']))} ·
{len(services)} service(s), {len(entries)} report(s) · took {manifest['duration_s']:.0f} s</p>
{banner}
{currency_section(manifest)}
<h2>How to read this pack</h2>
<p>{_HOW_TO_READ}</p>
<h2>Reports</h2>
{chr(10).join(tables)}
{failures}
<footer>
<p>{params_text}Full record of this run: <a href="manifest.json">manifest.json</a>
(data files with sha256 checksums, parameters, timings).</p>
<p>wcc-analysis {_esc(manifest['package']['version'])}, {git_text}; Python {_esc(manifest['python'])};
{versions}.</p>
</footer>
</body>
</html>
"""
