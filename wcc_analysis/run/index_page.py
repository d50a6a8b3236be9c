"""index.html: the page a non-programmer opens first, built from a pack's manifest.

It leads with the answer, from the headline figures the notebooks recorded (and
nothing else): the pack's status (draft or approved, from the council's
``pack_status.toml``), a banner when any figure rests on the illustrative sample,
the framework's three questions as portfolio counts, the £ gap above the
comparator medians and the cashable benefits, then one table with a row per
service (by name: cycle phase, priority, the three RAG answers in words and
colour, spend per head against the comparator median, the preferred sourcing
option with its NPV against business as usual, its P10–P90 range and the chance it
beats business as usual, benefits realised to date, and links to the reports).
Below it: the analyst's commentary per service (``commentary/<service>.md`` in the
council's folder, rendered as escaped paragraphs and bullet lists only), the
"Data currency" section (every source the reports used, its latest period and age;
the manifest's ``data_currency``), the run status with any failures, and, folded
away in a ``<details>``, every report's headline figures with labels and names,
not ids. Standard library only (``html.escape``, ``tomllib``); inline CSS, no
scripts, no external assets, readable when printed.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from wcc_analysis.core import headline, paths
from wcc_analysis.core.config import Config
from wcc_analysis.core.provenance import DATA_USED_KEY
from wcc_analysis.core.text import ordinal, plural
from wcc_analysis.core.vocabulary import GREY, OPTION_LABELS, RAG_COLOURS, STATUS_QUO
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
.status { border: 2px solid; padding: .6rem .9rem; margin: 1rem 0; }
.status.draft { border-color: #b35c00; background: #fff4e0; }
.status.approved { border-color: #00703c; background: #e7f4ec; }
.status dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .4rem 0 0; }
.status dt { font-weight: 700; } .status dd { margin: 0; }
.banner.illustrative { border-color: #6f3d00; background: #fff4e0; }
.answers { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .8rem; margin: .8rem 0; }
.answer { border: 1px solid #b1b4b6; padding: .6rem .8rem; }
.answer .big { font-size: 1.7rem; font-weight: 700; display: block; }
.answer .how { color: #505a5f; font-size: .85rem; display: block; margin-top: .2rem; }
.scroll { overflow-x: auto; }
table.services { font-size: .85rem; }
table.services td, table.services th { padding: .4rem .45rem; }
table.services caption, table.currency caption { text-align: left; font-weight: 700; padding: .3rem 0; }
.rag { display: inline-block; font-weight: 700; color: #fff; padding: .05rem .45rem; border-radius: 3px; }
.illus { display: inline-block; font-size: .68rem; font-weight: 700; text-transform: uppercase; color: #6f3d00;
         border: 1px dashed #b35c00; background: #fff4e0; padding: 0 .3rem; margin-top: .15rem; }
.sub { color: #505a5f; font-size: .8rem; display: block; }
.commentary { border-left: 4px solid #b1b4b6; padding-left: .8rem; }
details > summary { cursor: pointer; font-weight: 700; margin: .6rem 0; }
@media print {
  details { display: block; }
  body { margin: 0; max-width: none; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  .links a::after { content: " (" attr(href) ")"; font-size: .8em; }
  tr, li { break-inside: avoid; }
}
"""

_HOW_TO_READ = (
    "The top of this page answers the framework's three questions for the whole portfolio and shows one row "
    "per service. Each figure comes from one of the reports in this pack, which says how it was worked out and "
    "from which source; the links in the last column open them. Every report comes in three forms: "
    "<i>report</i> is the version to read, <i>with code</i> shows every calculation, and <i>notebook</i> is the "
    "file an analyst can open and re-run in Jupyter. The RAG answers are written as words as well as colours; "
    "Grey means not assessed (no evidence to judge on). NPVs are risk-adjusted, in real terms, against business "
    "as usual: the P10–P90 range is the middle 80% of the simulated outcomes. Figures marked "
    "<span class='illus'>illustrative</span> rest at least partly on the illustrative sample, not the council's own "
    "figures. The <i>Data currency</i> section says how old each source is, and warns in words on any more "
    "than two years old. <a href='manifest.json'>manifest.json</a> records the data files (with their "
    "checksums), software versions and parameters of this run, so that it can be checked and repeated."
)

_MAX_LIST = 4

#: The council's pack-status file (in data/raw/council/<ONS code>/) and the statuses it may give.
PACK_STATUS_FILE = "pack_status.toml"
PACK_STATUSES = ("draft", "approved")
NO_STATUS_FILE = "draft (no pack status file)"
#: The analyst's commentary: one markdown file per service, data/raw/council/<ONS code>/commentary/<service>.md.
COMMENTARY_DIR = "commentary"
#: The marker on every front-page figure that rests (at least partly) on the illustrative sample.
ILLUSTRATIVE_MARKER = "illustrative"

#: Headline keys holding a proportion (0–1), shown as a percentage.
_PROPORTIONS = {"probability_beats_status_quo", "cr3", "rank_kept_share"}

#: The framework's three key questions as the front page asks them of the portfolio.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("delivering_need", "deliver what is needed now", "1. Delivering what we need now?"),
    ("best_in_class", "are best in class", "2. Best in class?"),
    ("value_for_money", "are as effective and cost-efficient as they could be", "3. Effective and cost-efficient?"),
)


def _label(key: str) -> str:
    return headline.label(key)


def _kind(key: str) -> str:
    if key.endswith("_gbp_thousands"):
        return "gbp_k"
    if key.endswith("_gbp"):
        return "gbp"
    if key.endswith("_pct"):
        return "pct"
    if key in _PROPORTIONS or key.endswith("_share"):
        return "share"
    return ""


def money_k(value: float) -> str:
    """£ thousands as a reader writes them: £1,234.5k, −£2,075.5k."""
    text = f"£{abs(value):,.1f}k"
    return f"−{text}" if value < 0 else text


def percent(value: float, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:,.0f}"
    return f"{text}%"


def format_value(value: Any, key: str = "", names: Mapping[str, str] | None = None) -> str:
    """A headline figure as a person reads it: thousands separators, £ and %, names for ids, short lists.

    ``names`` maps ids (services, sourcing options) to the names shown instead of them,
    in a dictionary's keys and in text values.
    """
    names = names or {}
    kind = _kind(key)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if kind == "share":
            return percent(value * 100)
        if kind == "gbp_k":
            return money_k(value)
        if isinstance(value, float):
            if abs(value) >= 1000:
                text = f"{value:,.0f}"
            elif kind == "gbp":
                text = f"{value:,.2f}"
            elif abs(value) >= 1 or value == 0:
                text = f"{value:,.2f}".rstrip("0").rstrip(".")
            else:
                text = f"{value:.3g}"
        else:
            text = f"{value:,}"
        if kind == "gbp":
            return f"−£{text.lstrip('-')}" if text.startswith("-") else f"£{text}"
        if kind == "pct":
            return f"{text}%"
        return text
    if value is None:
        return "n/a"
    if isinstance(value, list):
        shown = [format_value(v, key, names) for v in value[:_MAX_LIST]]
        more = len(value) - _MAX_LIST
        return ", ".join(shown) + (f" … and {more} more" if more > 0 else "")
    if isinstance(value, dict):
        items = list(value.items())
        shown = [f"{names.get(str(k), k)}: {format_value(v, key, names)}" for k, v in items[:_MAX_LIST]]
        more = len(items) - _MAX_LIST
        return "; ".join(shown) + (f" … and {more} more" if more > 0 else "")
    return names.get(str(value), str(value))


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cell(entry: dict[str, Any] | None, applies: bool, names: Mapping[str, str] | None = None) -> str:
    if entry is None:
        if not applies:
            return "<td class='na' title='does not apply to this service'>–</td>"
        return "<td><span class='badge notrun'>not run</span></td>"
    status = entry["status"]
    badge = f"<span class='badge {'ok' if status == 'ok' else 'failed'}'>{_esc(status)}</span>"
    secs = f" <span class='secs'>{entry.get('duration_s', 0):.1f} s</span>"
    reused = entry.get("reused_from")
    if reused:
        secs = (f" <span class='secs reused' title='nothing it reads changed since that run: its outputs were "
                f"copied, not run again'>reused from run {_esc(reused.get('run_id'))}</span>")
    figures = ""
    figures_recorded = {k: v for k, v in (entry.get("headline") or {}).items() if k != DATA_USED_KEY}
    if figures_recorded:
        items = "".join(
            f"<li>{_esc(_label(k))}: <b>{_esc(format_value(v, k, names))}</b></li>"
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
    heading = "<h2 id='data-currency'>Data currency: the sources these figures come from, and their age</h2>"
    if not entries:
        return f"{heading}\n<p>{_esc(sentence)}</p>"
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
        f"{heading}\n"
        f"<p><b>{_esc(sentence)}</b> Each age runs from the day the latest period used ended (a financial year "
        f"on 31 March, a mid-year population estimate on 30 June) to the day of the run{on}.</p>\n"
        "<div class='scroll'><table class='currency'>\n<caption>Every source the reports used, oldest first</caption>\n"
        "<thead><tr><th scope='col'>Source</th><th scope='col'>What it covers</th>"
        "<th scope='col'>Latest period used</th><th scope='col'>Release</th><th scope='col'>Age</th></tr></thead>\n"
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table></div>"
    )


def _human_day(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%B %Y}"


# --------------------------------------------------------------------------- council files the page reads


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip()


def read_pack_status(directory: Path) -> dict[str, Any] | None:
    """The council's ``pack_status.toml`` as the manifest records it, or None when there is none.

    Never raises: a file that cannot be read, or that says something the page cannot
    show as it stands, gives status ``draft`` and a ``problem`` the front page prints.
    """
    path = Path(directory) / PACK_STATUS_FILE
    if not path.is_file():
        return None
    try:
        rel = path.resolve().relative_to(paths.project_root().resolve()).as_posix()
    except ValueError:
        rel = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {"status": "draft", "file": rel, "problem": f"{rel} could not be read ({exc}); shown as draft"}
    record: dict[str, Any] = {"file": rel}
    for key in ("status", "version", "approved_by", "approved_on", "decision", "data_status"):
        record[key] = _as_text(raw.get(key))
    problems = []
    status = record["status"].lower()
    if status not in PACK_STATUSES:
        problems.append(f"status {record['status']!r} is not one of {', '.join(PACK_STATUSES)}; shown as draft")
        status = "draft"
    if status == "approved" and not (record["approved_by"] and record["approved_on"]):
        problems.append("status is approved but approved_by or approved_on is blank; shown as draft")
        status = "draft"
    record["status"] = status
    record["illustrative"] = record["data_status"].lower() == "illustrative"
    if problems:
        record["problem"] = f"{rel}: " + "; ".join(problems)
    return record


def read_cycle_phases(code: str, config: Config | None = None, directory: Path | None = None) -> dict[str, Any]:
    """``{service_id: {"phase": …, "illustrative": …}}`` from the council's services table, {} without one.

    Never raises: a table the reports cannot read is reported by them; the front page
    then leaves the phase column out.
    """
    from wcc_analysis.ingest.council.council_data import load_council_data

    try:
        services = load_council_data(code, config, directory, through="services").services
    except Exception:  # noqa: BLE001 - the notebooks name the problem; the index only loses a column
        return {}
    if services is None or "seed_phase" not in services.columns:
        return {}
    return {
        str(row["service_id"]): {"phase": str(row["seed_phase"]),
                                 "illustrative": str(row.get("data_status", "")).lower() == "illustrative"}
        for _, row in services.iterrows()
        if isinstance(row["seed_phase"], str) and row["seed_phase"].strip()
    }


def council_inputs(code: str, config: Config | None = None, directory: Path | None = None) -> dict[str, Any]:
    """What the manifest records from the council's folder for the front page: pack status and cycle phases."""
    directory = Path(directory) if directory else paths.raw_council_dir() / code
    return {"pack_status": read_pack_status(directory), "cycle_phases": read_cycle_phases(code, config, directory)}


def read_commentary(directory: Path | None, service_ids: list[str]) -> dict[str, str]:
    """``{service_id: markdown}`` for each service with a ``commentary/<service>.md`` file."""
    if directory is None:
        return {}
    found = {}
    for sid in service_ids:
        path = Path(directory) / COMMENTARY_DIR / f"{sid}.md"
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                found[sid] = text
    return found


_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*?)\s*#*\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", _esc(text))


def render_commentary(text: str) -> str:
    """A commentary file as HTML: paragraphs, bullet lists, ``#`` headings and ``**bold**`` only.

    Everything is HTML-escaped first, so tags, scripts and links written in the file
    appear as text; nothing else of markdown is interpreted.
    """
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
            continue
        if heading := _HEADING.match(line):
            flush()
            out.append(f"<h4>{_inline(heading.group(1))}</h4>")
        elif bullet := _BULLET.match(line):
            if para:
                flush()
            items.append(bullet.group(1).strip())
        elif items and line[:1] in (" ", "\t"):
            items[-1] += " " + line.strip()
        else:
            if items:
                flush()
            para.append(line.strip())
    flush()
    return "\n".join(out)


# --------------------------------------------------------------------------- the answer


def _figures(entry: Mapping[str, Any] | None) -> dict[str, Any]:
    if not entry or entry.get("status") != "ok":
        return {}
    return {k: v for k, v in (entry.get("headline") or {}).items() if k != DATA_USED_KEY}


def is_illustrative(entry: Mapping[str, Any] | None) -> bool:
    """True when an execution's figures rest (at least partly) on the illustrative sample."""
    if not entry:
        return False
    figures = entry.get("headline") or {}
    used = figures.get(DATA_USED_KEY) or []
    return figures.get("council_data") == "illustrative" or any(
        isinstance(d, Mapping) and d.get("illustrative") for d in used
    )


def _marker(on: bool) -> str:
    return (
        f" <span class='illus' title='rests on the illustrative sample, not the council&#39;s figures'>"
        f"{ILLUSTRATIVE_MARKER}</span>" if on else ""
    )


def _missing(entry: Mapping[str, Any] | None, what: str = "not recorded") -> str:
    if entry is None:
        return "<span class='sub'>not run</span>"
    if entry.get("status") != "ok":
        return "<span class='sub'>report failed: see Run status</span>"
    return f"<span class='sub'>{_esc(what)}</span>"


def _rag(value: Any) -> str:
    word = str(value)
    colour = RAG_COLOURS.get(word)
    if colour is None:
        return _esc(word)
    extra = "<span class='sub'>not assessed</span>" if word == GREY else ""
    return f"<span class='rag' style='background:{colour}'>{_esc(word)}</span>{extra}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _count_text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _join_years(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value not in (None, "") else ""


def answer_section(
    services: Mapping[str, str], entries: Mapping[tuple[str, str], Mapping[str, Any]], portfolio_id: str
) -> str:
    """The three questions as portfolio counts, the £ gap above the comparator medians and the benefits."""
    overview_entry = entries.get((portfolio_id, "commissioning_overview"))
    overview = _figures(overview_entry)
    gaps = {sid: entries.get((sid, "gap_analysis")) for sid in services}
    assessed = {sid: _figures(e) for sid, e in gaps.items() if _figures(e)}
    counts_illustrative = is_illustrative(overview_entry) or any(is_illustrative(e) for e in gaps.values())
    cards = []
    for key, words, _ in QUESTIONS:
        count = _count_text(overview.get(f"{key}_count"))
        rags = [f.get(f"{key}_rag") for f in assessed.values() if f.get(f"{key}_rag")]
        if count is None and rags:
            count = f"{sum(r == 'Green' for r in rags)} of {len(rags)}"
        if count is None:
            cards.append(f"<div class='answer'><span class='big'>–</span>services {_esc(words)}"
                         f"{_missing(overview_entry, 'not assessed in this pack')}</div>")
            continue
        split = ", ".join(f"{r} {rags.count(r)}" for r in RAG_COLOURS if r in rags)
        how = f"<span class='how'>Green answers counted. By service: {_esc(split)}.</span>" if split else ""
        cards.append(f"<div class='answer'><span class='big'>{_esc(count)}</span>services {_esc(words)}"
                     f"{how}{_marker(counts_illustrative)}</div>")

    gap = _number(overview.get("efficiency_gap_above_median_gbp_thousands"))
    if gap is not None:
        years = _join_years(overview.get("efficiency_gap_years"))
        base = overview.get("efficiency_gap_price_base_year")
        basis = ", ".join(p for p in (f"spend of {years}" if years else "",
                                      f"at {base} prices (real terms)" if base else "") if p)
        cards.append(
            f"<div class='answer'><span class='big'>{_esc(money_k(gap))}</span>a year above the comparator medians"
            f"<span class='how'>The blocks that spend more than the median of the councils compared with, "
            f"each block counted once{'; ' + _esc(basis) if basis else ''}.</span>"
            f"{_marker(is_illustrative(overview_entry))}</div>"
        )

    benefits = {sid: entries.get((sid, "benefit_realisation")) for sid in services}
    with_figures = {sid: _figures(e) for sid, e in benefits.items() if _figures(e)}
    totals: dict[str, float] = {}
    for key in ("benefits_planned_total_gbp_thousands", "benefits_forecast_total_gbp_thousands",
                "benefits_planned_to_date_gbp_thousands", "benefits_realised_to_date_gbp_thousands"):
        values = [_number(f.get(key)) for f in with_figures.values()]
        values = [v for v in values if v is not None]
        if values:
            totals[key] = sum(values)
    if "benefits_planned_total_gbp_thousands" in totals:
        bases = sorted({str(f["benefits_price_base_year"]) for f in with_figures.values()
                        if f.get("benefits_price_base_year")})
        base = f"at {bases[0]} prices (real terms)" if len(bases) == 1 else (
            "price bases differ: " + ", ".join(bases) if bases else "")
        forecast = totals.get("benefits_forecast_total_gbp_thousands")
        to_date = ""
        if totals.get("benefits_planned_to_date_gbp_thousands") and "benefits_realised_to_date_gbp_thousands" in totals:
            share = 100 * totals["benefits_realised_to_date_gbp_thousands"] / totals["benefits_planned_to_date_gbp_thousands"]
            to_date = (f" So far {money_k(totals['benefits_realised_to_date_gbp_thousands'])} realised of "
                       f"{money_k(totals['benefits_planned_to_date_gbp_thousands'])} planned to date "
                       f"({percent(share)}).")
        forecast_text = f"forecast at completion {money_k(forecast)}" if forecast is not None else "no forecast"
        cards.append(
            f"<div class='answer'><span class='big'>{_esc(money_k(totals['benefits_planned_total_gbp_thousands']))}"
            f"</span>cashable benefits planned, {_esc(forecast_text)}"
            f"<span class='how'>Across {_esc(plural(len(with_figures), 'service'))}"
            f"{', ' + _esc(base) if base else ''}.{_esc(to_date)}</span>"
            f"{_marker(any(is_illustrative(e) for e in benefits.values()))}</div>"
        )
    # the overview counts the whole portfolio ("0 of 4") even when this pack ran fewer services
    counted = next((str(overview[f"{key}_count"]).rpartition(" of ")[2] for key, _, _ in QUESTIONS
                    if str(overview.get(f"{key}_count", "")).rpartition(" of ")[2].isdigit()), None)
    n = int(counted) if counted else len(services)
    return (
        "<h2 id='answer'>The answer for the portfolio</h2>\n"
        f"<p>The framework's three questions, asked of each of the {_esc(plural(n, 'service'))} in the portfolio "
        "(the gap analysis of each service gives its answers):</p>\n"
        f"<div class='answers'>\n{chr(10).join(cards)}\n</div>\n{cycle_and_readiness(overview_entry)}"
    )


def cycle_and_readiness(overview_entry: Mapping[str, Any] | None) -> str:
    """The portfolio on the commissioning cycle and its SOLACE readiness, in words (from the overview's figures)."""
    figures = _figures(overview_entry)
    by_phase = figures.get("services_by_phase")
    sentences = []
    if isinstance(by_phase, Mapping) and by_phase:
        total = sum(int(v) for v in by_phase.values())
        placed = [f"{v} in {phase}" for phase, v in by_phase.items() if v]
        sentences.append(f"Commissioning cycle: of {plural(total, 'service')}, " + ", ".join(placed) + ".")
    mean = _number(figures.get("solace_mean_score"))
    if mean is not None:
        weakest = [str(w).split(" – ")[0] for w in figures.get("solace_weakest") or []]
        unassessed = int(figures.get("solace_not_assessed") or 0)
        sentences.append(
            f"Readiness to commission (SOLACE's ten conditions, self-assessed 1–5): mean {mean:.1f}"
            + (f"; weakest: {'; '.join(weakest)}" if weakest else "")
            + (f"; {plural(unassessed, 'condition')} not assessed" if unassessed else "") + "."
        )
    if not sentences:
        return ""
    return (f"<p class='cycle'>{_esc(' '.join(sentences))} The commissioning overview shows each activity and "
            f"action.{_marker(is_illustrative(overview_entry))}</p>")


def _against_median(spend: float, median: float | None) -> str:
    """"6% above the median of £25.18" (or below, or at)."""
    if not median:
        return ""
    diff = 100 * (spend - median) / median
    side = "above" if diff > 0 else "below" if diff < 0 else "at"
    amount = f"{percent(abs(diff), 0)} " if side != "at" else ""
    return f"{amount}{side} the median of {format_value(median, 'x_gbp')}"


def _spend_cell(entry: Mapping[str, Any] | None) -> str:
    """The service's own budget lines against the comparators' (RA), where held; its RS block's outturn under
    them as context, said to be shared when other services sit in the same block (the two are never the same
    figure: a block is the sum of many lines)."""
    f = _figures(entry)
    lines, lines_median = (_number(f.get("service_lines_budget_per_head_gbp")),
                           _number(f.get("service_lines_comparator_median_gbp")))
    block, block_median = _number(f.get("spend_per_head_gbp")), _number(f.get("comparator_median_spend_per_head_gbp"))
    if lines is None and block is None:
        return _missing(entry)
    parts = []
    if lines is not None:
        names = f.get("service_lines") or []
        rank = (f"; rank {f['service_lines_rank']} of {f['service_lines_rank_of']} (1 = lowest)"
                if f.get("service_lines_rank") and f.get("service_lines_rank_of") else "")
        parts.append(f"<b>{_esc(format_value(lines, 'x_gbp'))}</b><br>{_esc(_against_median(lines, lines_median))}"
                     f"<span class='sub'>{_esc('RA ' + str(f.get('service_lines_year') or ''))} budget: "
                     f"{_esc(' + '.join(map(str, names)))}{_esc(rank)}</span>")
    if block is not None:
        shared = [n for n in f.get("block_shared_with") or [] if n]
        shared_note = f"; the block is shared by {len(shared)} services" if len(shared) > 1 else ""
        about = f"{f.get('year') or ''} outturn, {f.get('rs_block') or 'RS block'}{shared_note}"
        if lines is None:
            parts.append(f"<b>{_esc(format_value(block, 'x_gbp'))}</b><br>{_esc(_against_median(block, block_median))}"
                         f"<span class='sub'>{_esc(about)}</span>")
        else:
            versus = f" ({_against_median(block, block_median)})" if block_median else ""
            parts.append(f"<span class='sub'>Whole block: {_esc(format_value(block, 'x_gbp'))}{_esc(versus)}, "
                         f"{_esc(about)}</span>")
    # published budget and outturn over the ONS population: never the council's own files, so never illustrative
    return "".join(parts)


def _option_cell(entry: Mapping[str, Any] | None) -> str:
    f = _figures(entry)
    preferred = f.get("preferred_option")
    if not preferred:
        return _missing(entry)
    name = OPTION_LABELS.get(str(preferred), str(preferred).replace("_", " "))
    text = f"<b>{_esc(name)}</b>"
    if preferred == STATUS_QUO:
        text += "<br>no option beats business as usual"
    else:
        npvs = f.get("npv_gbp_thousands")
        npv = _number(npvs.get(preferred)) if isinstance(npvs, Mapping) else _number(npvs)
        if npv is not None:
            text += f"<br>NPV {_esc(money_k(npv))}"
        p10, p90 = _number(f.get("npv_p10_gbp_thousands")), _number(f.get("npv_p90_gbp_thousands"))
        simulated = f.get("monte_carlo_option")
        of = "" if not simulated or simulated == preferred else (
            f" (for {OPTION_LABELS.get(str(simulated), str(simulated))})")
        if p10 is not None and p90 is not None:
            text += f"<br>P10–P90{_esc(of)}: {_esc(money_k(p10))} to {_esc(money_k(p90))}"
        chance = _number(f.get("probability_beats_status_quo"))
        if chance is not None:
            text += f"<br>{_esc(percent(100 * chance, 0))} chance of beating it{_esc(of)}"
    base = f.get("price_base_year")
    if base:
        text += f"<span class='sub'>{_esc(base)} prices</span>"
    return text + _marker(is_illustrative(entry))


def _benefits_cell(entry: Mapping[str, Any] | None) -> str:
    f = _figures(entry)
    share = _number(f.get("realisation_to_date_pct"))
    if share is None:
        return _missing(entry)
    text = f"<b>{_esc(percent(share))}</b>"
    realised = _number(f.get("benefits_realised_to_date_gbp_thousands"))
    planned = _number(f.get("benefits_planned_to_date_gbp_thousands"))
    if realised is not None and planned is not None:
        year = f.get("benefits_to_date_year")
        text += (f"<span class='sub'>{_esc(money_k(realised))} of {_esc(money_k(planned))}"
                 f"{' to ' + _esc(year) if year else ''}</span>")
    return text + _marker(is_illustrative(entry))


def _report_links(sid: str, executions: list[Mapping[str, Any]]) -> str:
    links = []
    for e in executions:
        if e["service"] != sid:
            continue
        outputs = e.get("outputs") or {}
        href = outputs.get("html") or outputs.get(NOTEBOOK_KEY)
        title = _esc(e.get("notebook_title") or e["notebook"])
        failed = "" if e.get("status") == "ok" else " <span class='sub'>(failed)</span>"
        links.append(f"<a href='{_esc(href)}'>{title}</a>{failed}" if href else f"{title}{failed}")
    return "<br>".join(links) if links else "<span class='sub'>no reports</span>"


def services_table(
    services: Mapping[str, str],
    entries: Mapping[tuple[str, str], Mapping[str, Any]],
    executions: list[Mapping[str, Any]],
    portfolio_id: str,
    phases: Mapping[str, Any],
) -> str:
    """One row per service: phase, priority, the three answers, spend, preferred option, benefits, links."""
    priority_entry = entries.get((portfolio_id, "priority_setting"))
    categories = _figures(priority_entry).get("priority_category")
    categories = categories if isinstance(categories, Mapping) else {}
    ranks = _figures(priority_entry).get("priority_rank")
    ranks = ranks if isinstance(ranks, Mapping) else {}
    show_phase = any(sid in phases for sid in services)
    head = ["Service and the council's priority" if categories else "Service"]
    if show_phase:
        head.append("Cycle phase")
    head += [q[2] for q in QUESTIONS]
    head += ["Net spend per head against the comparator median (the service's budget lines; its RS block under them)",
             "Preferred sourcing option: NPV against business as usual, P10–P90, chance of beating it",
             "Cashable benefits realised to date, % of planned", "Reports"]
    rows = []
    for sid, name in services.items():
        category, rank = categories.get(sid), ranks.get(sid)
        priority = ""
        if category:
            ranked = f", ranked {_esc(rank)} of {len(ranks)}" if rank is not None else ""
            priority = (f"<span class='sub'>{_esc(category)}{ranked}</span>"
                        f"{_marker(is_illustrative(priority_entry))}")
        cells = [f"<th scope='row'>{_esc(name)}{priority}</th>"]
        if show_phase:
            phase = phases.get(sid)
            if isinstance(phase, Mapping):
                cells.append(f"<td>{_esc(phase.get('phase'))}{_marker(bool(phase.get('illustrative')))}</td>")
            elif phase:
                cells.append(f"<td>{_esc(phase)}</td>")
            else:
                cells.append("<td><span class='sub'>not stated</span></td>")
        gap_entry = entries.get((sid, "gap_analysis"))
        gap = _figures(gap_entry)
        for key, _, _ in QUESTIONS:
            value = gap.get(f"{key}_rag")
            marked = is_illustrative(gap_entry) and value != GREY  # Grey: nothing was assessed
            cells.append(f"<td>{_rag(value)}{_marker(marked)}</td>" if value
                         else f"<td>{_missing(gap_entry)}</td>")
        cells.append(f"<td>{_spend_cell(entries.get((sid, 'needs_analysis')))}</td>")
        cells.append(f"<td>{_option_cell(entries.get((sid, 'option_appraisal')))}</td>")
        cells.append(f"<td>{_benefits_cell(entries.get((sid, 'benefit_realisation')))}</td>")
        cells.append(f"<td class='links'>{_report_links(sid, executions)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    header = "".join(f"<th scope='col'>{_esc(h)}</th>" for h in head)
    return (
        "<div class='scroll'><table class='services'>\n"
        "<caption>Each service: where it is in the cycle, the three answers (Green, Amber, Red; Grey = not "
        "assessed), its spend, the preferred sourcing option and its benefits</caption>\n"
        f"<thead><tr>{header}</tr></thead>\n<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table></div>"
    )


def pack_status_section(status: Mapping[str, Any] | None, council_code: str) -> str:
    """The pack's status: draft or approved, version, who approved it and when, the decision it supports."""
    where = f"data/raw/council/{council_code}/{PACK_STATUS_FILE}"
    if status is None:
        return (
            f"<div class='status draft' id='pack-status'><b>Pack status: {_esc(NO_STATUS_FILE)}.</b> "
            f"<span class='sub'>The council records the status in <code>{_esc(where)}</code> (template in "
            f"<code>data/raw/council/_template/</code>).</span></div>"
        )
    state = status.get("status") or "draft"
    approved = state == "approved"
    headline_text = "approved" if approved else "draft — not approved"
    rows = [
        ("Version", status.get("version") or "not stated"),
        ("Approved by", status.get("approved_by") or ("not stated" if approved else "not yet approved")),
        ("Date approved", _long_day(status.get("approved_on")) or ("not stated" if approved else "not yet approved")),
        ("Decision it supports", status.get("decision") or "not stated"),
    ]
    items = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in rows)
    problem = f"<p class='sub'>⚠ {_esc(status['problem'])}</p>" if status.get("problem") else ""
    sample = _marker(bool(status.get("illustrative")))
    return (
        f"<div class='status {'approved' if approved else 'draft'}' id='pack-status'>"
        f"<b>Pack status: {_esc(headline_text)}</b>{sample}<dl>{items}</dl>{problem}"
        f"<span class='sub'>From <code>{_esc(status.get('file') or where)}</code>.</span></div>"
    )


def _long_day(value: Any) -> str:
    text = _as_text(value)
    if not text:
        return ""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def commentary_section(services: Mapping[str, str], commentary: Mapping[str, str], council_code: str) -> str:
    where = f"data/raw/council/{council_code}/{COMMENTARY_DIR}/&lt;service&gt;.md"
    if not commentary:
        return (
            "<h2 id='commentary'>Analyst's commentary</h2>\n"
            f"<p class='sub'>No commentary was supplied for this pack (one markdown file per service: "
            f"<code>{where}</code>).</p>"
        )
    parts = [
        f"<h3>{_esc(services[sid])}</h3>\n<div class='commentary'>{render_commentary(commentary[sid])}</div>"
        for sid in services if sid in commentary
    ]
    return (
        "<h2 id='commentary'>Analyst's commentary</h2>\n"
        f"<p class='sub'>Written by the council's analyst (<code>{where}</code>), shown as written.</p>\n"
        + "\n".join(parts)
    )


def _illustrative_banner(manifest: Mapping[str, Any], services: Mapping[str, str]) -> str:
    affected = [e for e in manifest["executions"] if is_illustrative(e)]
    status = manifest.get("pack_status") or {}
    if not affected and not status.get("illustrative"):
        return ""
    names = list(dict.fromkeys(e["service_name"] for e in affected))
    which = f" They feed figures for {', '.join(names)}." if names else ""
    return (
        "<div class='banner illustrative'><b>ILLUSTRATIVE SAMPLE DATA.</b> Some figures on this page rest on the "
        "illustrative sample in the council's folder, not on the council's own figures; each is marked "
        f"<span class='illus'>{ILLUSTRATIVE_MARKER}</span>.{_esc(which)} Published data (outturn, population, "
        "comparators) is real.</div>"
    )


def _run_status(manifest: Mapping[str, Any], total: int) -> tuple[str, str]:
    """(a short notice for the top of the page when reports failed, the Run status section)."""
    failed = [e for e in manifest["executions"] if e["status"] != "ok"]
    reused = [e for e in manifest["executions"] if e.get("reused_from")]
    reuse_note = (
        f"<p>{len(reused)} of {total} reports were <b>reused</b>: their notebook, parameters, the package's code "
        "and every input file they read are unchanged since the run named beside each, so their outputs were "
        "copied from that run's pack rather than run again (<code>wcc-analysis run --force</code> runs "
        "everything).</p>" if reused else ""
    )
    if not failed:
        return "", (
            "<h2 id='run-status'>Run status</h2>\n"
            f"<div class='banner ok'>All {total} reports ran successfully.</div>{reuse_note}"
        )
    notice = (
        f"<div class='banner failed'><b>{len(failed)} of {total} reports failed</b>: their figures are missing "
        "below. See <a href='#run-status'>Run status</a>.</div>"
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
        kind = {"kernel": "The notebook's Python kernel did not start (tried twice).", "runner": ""}.get(
            err.get("kind"), ""
        )
        link = e.get("outputs", {}).get("html")
        see = f" <a href='{_esc(link)}#papermill-error-cell'>See where it stopped</a>." if link else ""
        items.append(
            f"<li><b>{_esc(e['service_name'])} — {_esc(e['notebook_title'])}</b>: "
            f"{_esc(err.get('ename', 'Error'))}: {_esc(_short(err.get('evalue', '')))}"
            f"{'<br>Stopped at ' + ', '.join(where) + '.' if where else ''} {kind}{line}{see}</li>"
        )
    section = (
        "<h2 id='run-status'>Run status</h2>\n"
        f"<div class='banner failed'><b>{len(failed)} of {total} reports failed.</b> "
        "They are listed under “Failures” below. This pack was kept, but <code>latest</code> "
        "still points to the last pack in which every report succeeded.</div>\n"
        "<h3 id='failures'>Failures</h3><ul>" + "".join(items) + "</ul>" + reuse_note
    )
    return notice, section


def render_index(manifest: dict[str, Any], config: Config | None = None, council_dir: Path | None = None) -> str:
    """index.html for a manifest: the answer, one row per service, the sources, the run, every figure.

    ``council_dir`` is the council's folder, where the analyst's ``commentary/<service>.md``
    files are read from (none when it is not given).
    """
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
    service_rows = {k: v for k, v in services.items() if k != portfolio_id}
    names: dict[str, str] = {**OPTION_LABELS}
    if config is not None:
        names.update({sid: svc.name for sid, svc in config.services.items()})
    names.update(services)

    groups = [
        ("Whole portfolio", {k: v for k, v in services.items() if k == portfolio_id}),
        ("Services", service_rows),
    ]
    tables = []
    for heading, members in groups:
        if not members:
            continue
        columns = [nb for nb in notebooks if any((sid, nb) in entries or applies(sid, nb) for sid in members)]
        head = "".join(f"<th scope='col'>{_esc(notebooks[nb])}</th>" for nb in columns)
        rows = []
        for sid, sname in members.items():
            cells = "".join(_cell(entries.get((sid, nb)), applies(sid, nb), names) for nb in columns)
            rows.append(f"<tr><th scope='row'>{_esc(sname)}</th>{cells}</tr>")
        tables.append(
            f"<h3>{_esc(heading)}</h3>\n<div class='scroll'><table>\n"
            f"<caption>{_esc(heading)}: every report and the headline figures it recorded</caption>\n"
            f"<thead><tr><th scope='col'>Service</th>{head}</tr></thead>\n"
            f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table></div>"
        )

    notice, run_status = _run_status(manifest, len(entries))
    if service_rows:
        answer = answer_section(service_rows, entries, portfolio_id)
        table = "<h2 id='services'>Service by service</h2>\n" + services_table(
            service_rows, entries, manifest["executions"], portfolio_id, manifest.get("cycle_phases") or {}
        )
        commentary = commentary_section(service_rows, read_commentary(council_dir, list(service_rows)),
                                        council["code"])
    else:
        answer = table = commentary = ""

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
{len(service_rows)} service(s), {len(entries)} report(s) · took {manifest['duration_s']:.0f} s</p>
{pack_status_section(manifest.get('pack_status'), council['code'])}
{_illustrative_banner(manifest, service_rows)}
{notice}
{answer}
{table}
{commentary}
{currency_section(manifest)}
{run_status}
<h2>How to read this pack</h2>
<p>{_HOW_TO_READ}</p>
<h2>Reports</h2>
<details id='all-figures'>
<summary>Every report, with every headline figure it recorded ({len(entries)} reports)</summary>
{chr(10).join(tables)}
</details>
<footer>
<p>{params_text}Full record of this run: <a href="manifest.json">manifest.json</a>
(data files with sha256 checksums, parameters, timings).</p>
<p>wcc-analysis {_esc(manifest['package']['version'])}, {git_text}; Python {_esc(manifest['python'])};
{versions}.</p>
</footer>
</body>
</html>
"""
