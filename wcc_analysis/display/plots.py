"""Charts in one house style. Every function draws on an Axes (made if not given) and returns it.

Titles state the finding; a caption under the chart names the source and year.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from wcc_analysis.core.text import money_k
from wcc_analysis.core.vocabulary import (
    COMES_AND_GOES,
    DEFAULT_SCORE_VALUES,
    MOSTLY_STABLE,
    MUST_DO,
    NICE_TO_DO,
    SHOULD_DO,
    STABLE,
    STATUS_QUO,
    cashflow_item_label,
)

# Colours: the Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2008; Wong, Nature Methods 8, 441,
# 2011), chosen to stay apart under protanopia, deuteranopia and tritanopia. Every set of colours drawn together
# is in PALETTES, and a test simulates the three (Machado, Oliveira and Fernandes 2009) on each.
COUNCIL = "#d55e00"  # the council, always in this vermilion
PEER = "#0072b2"  # comparators
LIGHT_PEER = "#56b4e9"  # a second shade beside PEER (the lower swing, the lower quartile, "mostly stable")
CONTEXT = "#b8b8b8"  # everything else
CATEGORY_COLOURS = {MUST_DO: "#009e73", SHOULD_DO: "#56b4e9", NICE_TO_DO: "#e69f00"}

STYLE = {
    "figure.figsize": (9.0, 4.8),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e6e6e6",
    "axes.axisbelow": True,
    "legend.frameon": False,
}


def use_house_style() -> None:
    """Apply the house style to every chart drawn after this call, and give every chart shown in a notebook
    its alt text (:func:`alt_text`)."""
    plt.rcParams.update(STYLE)
    _show_alt_text()


def _tidy(text: str) -> str:
    return " ".join(str(text).split())


def alt_text(fig) -> str:
    """What a chart shows, in words, for its ``<img alt>``: the figure's title, each panel's title (its finding),
    the axis labels of a one- or two-panel chart, and the text under it (:func:`caption`: source and year)."""
    stamped = any(t.get_text() == ILLUSTRATIVE_STAMP for t in fig.texts)
    parts = [ILLUSTRATIVE_STAMP if stamped else "", _tidy(fig.get_suptitle())]
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for ax in axes:
        parts += [_tidy(ax.get_title(loc)) for loc in ("left", "center", "right") if ax.get_title(loc).strip()]
        if len(axes) <= 2:
            labels = [f"{name} axis: {_tidy(label)}" for name, label in
                      (("Horizontal", ax.get_xlabel()), ("Vertical", ax.get_ylabel())) if label.strip()]
            parts += labels
    parts += [_tidy(t.get_text()) for t in fig.texts if t.get_visible()]  # the suptitle again: dropped below
    text = ". ".join(p.rstrip(".") for p in dict.fromkeys(parts) if p)
    return f"Chart: {text}." if text else ""


def _show_alt_text() -> None:
    """In an IPython kernel, let the figure's PNG carry :func:`alt_text` in its display metadata (``alt``), which
    the pack's HTML puts on the ``<img>``. IPython keeps a formatter's ``(data, metadata)``; the inline backend's
    own formatter is wrapped, once, after the backend has registered it."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the kernel
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    import matplotlib
    from matplotlib.figure import Figure

    if "inline" in str(matplotlib.get_backend()):
        import matplotlib_inline.backend_inline  # noqa: F401 - importing it registers the inline formatters
    formatter = shell.display_formatter.formatters.get("image/png")
    try:
        render = formatter.lookup_by_type(Figure)
    except (AttributeError, KeyError):
        return
    if getattr(render, "wcc_alt_text", False):
        return

    def with_alt(fig, _render=render):
        shown = _render(fig)
        data, metadata = shown if isinstance(shown, tuple) else (shown, None)
        alt = alt_text(fig)
        return (data, {**(metadata or {}), "alt": alt}) if alt and data is not None else shown

    with_alt.wcc_alt_text = True
    formatter.for_type(Figure, with_alt)


def _axes(ax: Axes | None, size: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=size or STYLE["figure.figsize"], layout="constrained")
    return ax


#: The words stamped on a chart that shows the council's illustrative sample (and put first in its alt text).
ILLUSTRATIVE_STAMP = "ILLUSTRATIVE SAMPLE DATA — not the council's own figures"


def caption(ax: Axes, text: str, width: int = 130, *, illustrative: bool = False) -> None:
    """Source/method note under the chart (kept in view by the inline backend's tight bbox; part of its alt text).

    ``illustrative``: the chart shows the council's illustrative sample, so it is stamped above its title
    (:data:`ILLUSTRATIVE_STAMP`) — on the image itself, so that a copied chart keeps its warning.
    """
    fig = ax.figure
    if illustrative:
        fig.text(0.0, 1.0, ILLUSTRATIVE_STAMP, ha="left", va="bottom", fontsize=9, fontweight="bold",
                 color="#6f3d00", bbox={"boxstyle": "square,pad=0.35", "facecolor": "#fff4e0",
                                        "edgecolor": "#6f3d00", "linestyle": "--"})
    fig.text(0.0, -0.01, textwrap.fill(text, width), ha="left", va="top", fontsize=8, color="#555555")


def _pounds(value: float, _pos: int | None = None) -> str:
    return f"£{value:,.0f}"


def priority_scores(table: pd.DataFrame, score_values: Mapping[str, int] | None = None, ax: Axes | None = None) -> Axes:
    """Weighted priority score per service, coloured by the council's Must/Should/Nice to Do category.

    ``score_values`` (e.g. High 3, Medium 2, Low 1) label the axis: the points each score earns.
    """
    ax = _axes(ax, (9.0, 0.6 * len(table) + 1.8))
    rows = table.sort_values("weighted_total")
    colours = [CATEGORY_COLOURS.get(c, CONTEXT) for c in rows["category"]]
    bars = ax.barh(rows["service_name"], rows["weighted_total"], color=colours)
    ax.bar_label(bars, labels=[f"{v:.0f} (rank {r})" for v, r in zip(rows["weighted_total"], rows["rank"])], padding=4)
    maximum = float(rows["max_possible"].iloc[0])
    ax.set_xlim(0, maximum * 1.15)
    ax.axvline(maximum, color="#555555", lw=1, ls="--")
    ax.text(maximum, len(rows) - 0.45, f" maximum {maximum:.0f}", fontsize=8, color="#555555", va="bottom")
    top = rows.iloc[-1]
    ax.set_title(f"{top['service_name']} scores highest for commissioning ({top['weighted_total']:.0f} of {maximum:.0f})")
    points = ", ".join(f"{k} {v}" for k, v in (score_values or DEFAULT_SCORE_VALUES).items())
    ax.set_xlabel(f"Weighted score ({points} × criterion weight)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in CATEGORY_COLOURS.values()]
    ax.legend(handles, CATEGORY_COLOURS.keys(), loc="upper left", bbox_to_anchor=(1.0, 1.0), title="Council's category")
    ax.grid(axis="y", visible=False)
    return ax


def rank_stability(stability: pd.DataFrame, names: pd.Series, ax: Axes | None = None) -> Axes:
    """Share of weight combinations under which each service keeps its rank."""
    ax = _axes(ax, (9.0, 0.6 * len(stability) + 1.8))
    rows = stability.sort_values("share_same_rank")
    labels = [names.get(i, i) for i in rows.index]
    bars = ax.barh(labels, rows["share_same_rank"] * 100, color=PEER)
    ax.bar_label(bars, labels=[f"{v:.0%} (rank {r}; range {b}–{w})" for v, r, b, w in zip(rows["share_same_rank"], rows["rank"], rows["best_rank"], rows["worst_rank"])], padding=4)
    ax.set_xlim(0, 145)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.xaxis.set_major_formatter(PercentFormatter())
    least = rows.iloc[0]
    ax.set_title(f"Ranks are stable: even the least stable keeps its rank in {least['share_same_rank']:.0%} of weightings"
                 if least["share_same_rank"] >= 0.8 else
                 f"{names.get(rows.index[0], rows.index[0])}'s rank depends on the weights ({least['share_same_rank']:.0%} unchanged)")
    ax.set_xlabel(f"Share of the {int(rows['combinations'].iloc[0]):,} weight combinations keeping the same rank")
    ax.grid(axis="y", visible=False)
    return ax


def spend_trend(trend: pd.DataFrame, council_name: str, block: str, price_base_year: str | None = None,
                ax: Axes | None = None) -> Axes:
    """Council's spend per head by year in cash (and, when given, real terms), beside its comparator median.

    A year no source publishes is a row of missing values: the lines break there instead of joining across.
    """
    ax = _axes(ax, (10.0, 5.0))
    x = trend["year_start"]
    real = price_base_year is not None and "spend_per_head_real_gbp" in trend.columns
    ax.plot(x, trend["spend_per_head_gbp"], marker="o", color=COUNCIL, lw=2.2, label=f"{council_name}, cash")
    if real:
        ax.plot(x, trend["spend_per_head_real_gbp"], marker="o", color=COUNCIL, lw=1.4, ls=":", alpha=0.8,
                label=f"{council_name}, real terms ({price_base_year} prices)")
    ax.plot(x, trend["comparator_median_spend_per_head_gbp"], marker="s", color=PEER, lw=1.6, ls="--",
            label="Comparator median, cash")
    for xi, yi in zip(x, trend["spend_per_head_gbp"]):
        if pd.notna(yi):
            ax.annotate(_pounds(yi), (xi, yi), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8,
                        color=COUNCIL)
    gaps = trend.loc[trend["spend_per_head_gbp"].isna(), "year_start"]
    for gap_year in gaps:
        ax.axvspan(gap_year - 0.5, gap_year + 0.5, color="#eeeeee", zorder=0)
    if len(gaps):
        ax.text(float(gaps.mean()), ax.get_ylim()[1] * 0.97, "not published", ha="center", va="top", fontsize=8,
                color="#555555")
    ax.set_xticks(list(x), list(trend["year"]), rotation=45, ha="right")
    ax.yaxis.set_major_formatter(FuncFormatter(_pounds))
    columns = ["spend_per_head_gbp", "comparator_median_spend_per_head_gbp"] + (["spend_per_head_real_gbp"] if real else [])
    ax.set_ylim(bottom=min(0, float(trend[columns].min().min()) * 1.1))
    shown = trend.dropna(subset=["spend_per_head_gbp"])
    first, last = shown.iloc[0], shown.iloc[-1]
    verb = "fell" if last["spend_per_head_gbp"] < first["spend_per_head_gbp"] else "rose"
    ax.set_title(textwrap.fill(f"{council_name}: {block} spend per head {verb} from {_pounds(first['spend_per_head_gbp'])} "
                               f"in {first['year']} to {_pounds(last['spend_per_head_gbp'])} in {last['year']} (cash)", 80))
    ax.set_ylabel("Net current expenditure per head (£)")
    ax.legend(loc="best", fontsize=8.5)
    return ax


def comparator_distribution(distribution: pd.DataFrame, position: dict, council_name: str, block: str, year: str,
                            ax: Axes | None = None, *, value: str = "spend_per_head_gbp", name: str = "authority_name",
                            what: str = "net current expenditure", verb: str = "spends") -> Axes:
    """Spend (or budget) per head across the comparator group, council highlighted, quartiles marked."""
    ax = _axes(ax, (9.0, 0.32 * len(distribution) + 1.9))
    rows = distribution.sort_values([value, "ons_code"])
    colours = [COUNCIL if c else PEER for c in rows["is_council"]]
    ax.barh(rows[name], rows[value], color=colours)
    for level, label, style in ((position["q1"], "lower quartile", ":"), (position["median"], "median", "--"),
                                (position["q3"], "upper quartile", ":")):
        ax.axvline(level, color="#333333", lw=1.2, ls=style, label=f"Comparator {label} {_pounds(level)}")
    ax.invert_yaxis()  # rank 1 (lowest) at the top
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5)
    ax.xaxis.set_major_formatter(FuncFormatter(_pounds))
    council_value = float(rows.loc[rows["is_council"], value].iloc[0])
    relation = "more" if council_value > position["median"] else "less"
    ax.set_title(textwrap.fill(f"{council_name} {verb} {relation} per head than the comparator median on {block.lower()} "
                               f"({year}): rank {position['rank']} of {position['of']}", 75))
    ax.set_xlabel(f"{what[:1].upper() + what[1:]} per head (£); lowest (rank 1) at the top")
    ax.grid(axis="y", visible=False)
    for label in ax.get_yticklabels():
        if label.get_text() == council_name:
            label.set_color(COUNCIL)
            label.set_fontweight("bold")
    return ax


def comparator_map(pool: pd.DataFrame, members: list[str], council: str, x: str, y: str, x_label: str, y_label: str,
                   ax: Axes | None = None, *, log_x: bool = False) -> Axes:
    """Two indicators for the whole pool: the council, its comparators and everyone else."""
    ax = _axes(ax)
    others = pool[~pool["ons_code"].isin(members + [council])]
    peers = pool[pool["ons_code"].isin(members)]
    me = pool[pool["ons_code"] == council]
    ax.scatter(others[x], others[y], s=18, color=CONTEXT, label="Rest of the pool")
    ax.scatter(peers[x], peers[y], s=36, color=PEER, label="Computed comparators")
    ax.scatter(me[x], me[y], s=90, color=COUNCIL, edgecolor="black", zorder=3, label=me["name"].iloc[0] if len(me) else council)
    if log_x:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title("Comparators sit close to the council on the indicators used to choose them")
    ax.legend(loc="best")
    return ax


#: Colour of each stability reading (comparator_stability): firm blue, lighter, and pale for the fragile.
STABILITY_COLOURS = {STABLE: PEER, MOSTLY_STABLE: LIGHT_PEER, COMES_AND_GOES: "#e69f00"}


def comparator_distances(members: pd.DataFrame, council_name: str, ax: Axes | None = None) -> Axes:
    """The comparators by rebased distance (0 = the council, 1 = the farthest of the pool), coloured by how
    stable each one's membership is (``name, distance, reading, kept, variants``)."""
    rows = members.sort_values(["distance", "name"])
    ax = _axes(ax, (9.0, 0.3 * len(rows) + 1.9))
    colours = [STABILITY_COLOURS.get(r, CONTEXT) for r in rows["reading"]]
    ax.barh(rows["name"], rows["distance"], color=colours)
    for y, (distance, kept, of) in enumerate(zip(rows["distance"], rows["kept"], rows["variants"], strict=True)):
        ax.text(distance + 0.004, y, f"{distance:.3f}  (in {kept} of {of})", va="center", fontsize=8, color="#333333")
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(rows["distance"].max()) * 1.35, 0.05))
    ax.set_xlabel(f"Distance from {council_name} (0 = identical; 1 = the farthest authority in the pool)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in STABILITY_COLOURS.values()]
    ax.legend(handles, [f"{k} across the model variants" for k in STABILITY_COLOURS], loc="upper left",
              bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
    ax.set_title(textwrap.fill(f"{council_name}'s nearest neighbours, and how firmly each belongs", 75))
    ax.grid(axis="y", visible=False)
    return ax


def efficiency_gap(efficiency: dict, council_name: str, ax: Axes | None = None, *,
                   of: str = "the comparator median", labels: tuple[str, str] = ("Comparator median",
                                                                                 "Comparator lower quartile")) -> Axes:
    """Council spend per head against the median and lower quartile of those it is compared with, with the £ gaps.
    ``of`` names the median in the title and ``labels`` the two bars, so a set that is not the comparators (a
    Lancashire extract) is never called comparators."""
    ax = _axes(ax, (9.0, 3.2))
    labels = [council_name, *labels]
    values = [efficiency["spend_per_head_gbp"], efficiency["comparator_median_gbp"], efficiency["comparator_lower_quartile_gbp"]]
    bars = ax.barh(labels, values, color=[COUNCIL, PEER, LIGHT_PEER])
    ax.bar_label(bars, labels=[f"£{v:,.2f}" for v in values], padding=4)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(_pounds))
    ax.set_xlim(min(0, min(values) * 1.2), max(values) * 1.25 if max(values) > 0 else 1)
    real = efficiency.get("gap_to_median_real_gbp_thousands") is not None  # the £ gaps at the price base
    gap_median = efficiency["gap_to_median_real_gbp_thousands" if real else "gap_to_median_gbp_thousands"]
    gap_lq = efficiency["gap_to_lower_quartile_real_gbp_thousands" if real else "gap_to_lower_quartile_gbp_thousands"]
    if gap_median > 0:
        title = f"Spending at {of} would cost £{gap_median:,.0f}k a year less (£{gap_lq:,.0f}k at the lower quartile)"
    else:
        title = f"Already £{-gap_median:,.0f}k a year below {of}"
        title += f"; £{gap_lq:,.0f}k above the lower quartile" if gap_lq > 0 else f" and £{-gap_lq:,.0f}k below the lower quartile"
    if real:
        title += f" ({efficiency['price_base_year']} prices)"
    ax.set_title(textwrap.fill(title, 80))
    ax.set_xlabel("Net current expenditure per head (£" + (f", cash {efficiency['year']})" if efficiency.get("year") else ")"))
    ax.grid(axis="y", visible=False)
    return ax


def kpi_trends(kpis: pd.DataFrame):
    """One small chart per KPI: actual by period against the target line."""
    names = list(dict.fromkeys(kpis["kpi"]))
    fig, axes = plt.subplots(1, len(names), figsize=(4.6 * len(names), 3.2), layout="constrained", squeeze=False)
    for ax, name in zip(axes[0], names):
        rows = kpis[kpis["kpi"] == name]
        ax.plot(rows["period"], rows["target"], color="#555555", ls="--", lw=1.2, label="Target")
        ax.plot(rows["period"], rows["actual"], color=PEER, marker="o", lw=2, label="Actual")
        ax.set_title(textwrap.fill(name, 32), fontsize=10.5)
        ax.set_ylabel(textwrap.fill(str(rows["unit"].iloc[0]), 28), fontsize=9)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        ax.legend(fontsize=8)
    return axes[0]


def shares_chart(shares: pd.DataFrame, by: str, title: str, top: int = 10, ax: Axes | None = None) -> Axes:
    """The largest shares as horizontal bars (the rest grouped as 'All others'), largest at the top."""
    rows = shares.head(top)[[by, "total", "share"]].copy()
    rest = shares.iloc[top:]
    if len(rest):
        rows.loc[len(rows)] = [f"All others ({len(rest)})", rest["total"].sum(), rest["share"].sum()]
    ax = _axes(ax, (9.0, 0.36 * len(rows) + 1.6))
    colours = [CONTEXT if str(n).startswith("All others") else PEER for n in rows[by]]
    bars = ax.barh([textwrap.shorten(str(n), 45) for n in rows[by]], rows["share"] * 100, color=colours)
    ax.bar_label(bars, labels=[f"{s:.0%}  £{t:,.0f}" for s, t in zip(rows["share"], rows["total"])], padding=4, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, min(100, float(rows["share"].max()) * 100 * 1.45 + 5))
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.set_title(textwrap.fill(title, 80))
    ax.set_xlabel("Share of spend")
    ax.grid(axis="y", visible=False)
    return ax


def planned_vs_actual(cumulative: pd.DataFrame, title: str, ax: Axes | None = None) -> Axes:
    """Cumulative planned against cumulative actual for the cashable benefits of a service (£)."""
    ax = _axes(ax, (9.0, 3.8))
    by_year = cumulative.groupby("year")[["planned", "actual"]].sum(min_count=1).sort_index()
    planned = by_year["planned"].cumsum()
    actual = by_year["actual"].cumsum().where(by_year["actual"].notna())
    ax.plot(by_year.index, planned, color=PEER, marker="s", ls="--", label="Planned (cumulative)")
    ax.plot(by_year.index, actual, color=COUNCIL, marker="o", lw=2.2, label="Realised (cumulative)")
    ax.yaxis.set_major_formatter(FuncFormatter(_pounds))
    ax.set_ylim(bottom=0)
    ax.set_title(textwrap.fill(title, 80))
    ax.set_ylabel("£ (cashable benefits)")
    ax.legend(loc="upper left")
    return ax


def tornado(table: pd.DataFrame, option_label: str, ax: Axes | None = None) -> Axes:
    """NPV against the status quo when each input moves down and up by the swing, widest range at the top."""
    rows = table.sort_values("range_gbp", ascending=True)
    ax = _axes(ax, (9.0, 0.5 * len(rows) + 1.8))
    base = float(rows["base_gbp"].iloc[0]) / 1000
    low = rows["npv_at_minus_swing_gbp"] / 1000 - base
    high = rows["npv_at_plus_swing_gbp"] / 1000 - base
    labels = [f"{cashflow_item_label(i)} ±{s:.0f}%" for i, s in zip(rows["item"], rows["swing_pct"])]
    # told apart by pattern as well as shade (never colour alone): lower plain, higher hatched
    swing = f"{float(rows['swing_pct'].iloc[0]):.0f} %"
    ax.barh(labels, low, left=base, color=LIGHT_PEER, edgecolor="#333333", label=f"input {swing} lower (plain)")
    ax.barh(labels, high, left=base, color=PEER, edgecolor="#333333", hatch="//",
            label=f"input {swing} higher (hatched)")
    ax.axvline(base, color="#333333", lw=1)
    ax.axvline(0, color=COUNCIL, lw=1, ls="--", label="break-even against the status quo")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{'−' if v < 0 else ''}£{abs(v):,.0f}k"))
    ax.xaxis.set_major_locator(MaxNLocator(4))
    top = rows.iloc[-1]
    ax.set_title(textwrap.fill(f"{option_label}: NPV is most sensitive to {cashflow_item_label(top['item'])} (base {money_k(base * 1000)} "
                               "against business as usual)", 80))
    ax.set_xlabel("Risk-adjusted NPV against the status quo (£ thousand, real terms)")
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5)
    ax.grid(axis="y", visible=False)
    return ax


def npv_before_after(npv: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each option's risk-adjusted NPV against business as usual before and after optimism bias, best at the top."""
    rows = npv[npv["option_id"] != STATUS_QUO].sort_values("risk_adjusted_npv_vs_status_quo_gbp")
    ax = _axes(ax, (9.0, 0.7 * len(rows) + 1.8))
    y = list(range(len(rows)))
    before = rows["npv_before_optimism_bias_vs_status_quo_gbp"] / 1000
    after = rows["risk_adjusted_npv_vs_status_quo_gbp"] / 1000
    ax.barh([v + 0.18 for v in y], before, height=0.34, color=CONTEXT, label="before optimism bias")
    ax.barh([v - 0.18 for v in y], after, height=0.34, color=PEER, label="after optimism bias (every option)")
    ax.set_yticks(y, [textwrap.shorten(str(label), 40) for label in rows["label"]])
    ax.axvline(0, color="#333333", lw=1, ls="--", label="business as usual")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{'−' if v < 0 else ''}£{abs(v):,.0f}k"))
    ax.xaxis.set_major_locator(MaxNLocator(6))
    best = rows.iloc[-1]
    verdict = ("beats" if best["risk_adjusted_npv_vs_status_quo_gbp"] > 0 else "does not beat")
    ax.set_title(textwrap.fill(f"After optimism bias on every option, the best, {best['label']}, {verdict} business as "
                               f"usual ({money_k(best['risk_adjusted_npv_vs_status_quo_gbp'])})", 80))
    ax.set_xlabel("NPV against business as usual (£ thousand, present value, real terms)")
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5)
    ax.grid(axis="y", visible=False)
    return ax


#: Colours of an MCA's criteria, in the council's order (Okabe–Ito without its vermilion, the council's colour).
CRITERION_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#f0e442", "#666666")


def mca_points(totals: pd.DataFrame, criteria: list[str] | None = None, ax: Axes | None = None) -> Axes:
    """Each option's MCA total (0–100) as a horizontal bar stacked by criterion (weight × score / 10), best at the top.

    ``totals`` is the MCA's table (``option_id, label``, one column of points per criterion, ``mca_total,
    mca_rank``); ``criteria`` names the criterion columns in order (default: the columns between label and total).
    """
    names = criteria or [c for c in totals.columns if c not in ("option_id", "label", "mca_total", "mca_rank")]
    rows = totals.sort_values(["mca_total", "option_id"], ascending=[True, False], kind="stable")
    ax = _axes(ax, (9.0, 0.55 * len(rows) + 2.2))
    labels = [textwrap.shorten(str(v), 40) for v in rows["label"]]
    left = pd.Series(0.0, index=rows.index)
    for i, criterion in enumerate(names):
        ax.barh(labels, rows[criterion], left=left, color=CRITERION_COLOURS[i % len(CRITERION_COLOURS)],
                edgecolor="white", label=textwrap.shorten(str(criterion), 40))
        left = left + rows[criterion]
    for y, (total, rank) in enumerate(zip(rows["mca_total"], rows["mca_rank"])):
        ax.text(float(total) + 1, y, f"{total:.1f} (rank {int(rank)})", va="center", fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    top = rows.iloc[-1]
    ax.set_title(textwrap.fill(f"{top['label']} scores highest on the multi-criteria analysis "
                               f"({top['mca_total']:.1f} of 100)", 80))
    ax.set_xlabel("MCA points: weight × score / 10 on each criterion (fixed 0–10 scales; total out of 100)")
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5, title="Criterion")
    ax.grid(axis="y", visible=False)
    return ax


def timeline(plan: pd.DataFrame, title: str, ax: Axes | None = None) -> Axes:
    """The sourcing plan's activities as bars from start to end date."""
    rows = plan.dropna(subset=["start", "end"]).sort_values("start")
    ax = _axes(ax, (9.0, 0.5 * len(rows) + 1.8))
    starts = pd.to_datetime(rows["start"])
    ends = pd.to_datetime(rows["end"])
    ax.barh(rows["activity"], (ends - starts).dt.days, left=starts, color=PEER)
    ax.invert_yaxis()
    ax.set_title(textwrap.fill(title, 80))
    ax.grid(axis="y", visible=False)
    ax.figure.autofmt_xdate()
    return ax


# --------------------------------------------------------------------------- gap analysis: value for money and best in class


def _value_formatter(unit_format: str) -> FuncFormatter:
    """Axis labels in a measure's own format (a rate held as a fraction shows as a percentage)."""
    return FuncFormatter(lambda v, _p: format(v, unit_format))


def _frame_limits(values: pd.Series, keep: pd.Series, pad: float = 0.08) -> tuple[float, float]:
    """Axis limits that hold every ``keep`` value (the council and its comparators) and the middle 90 % of the rest,
    so that a few outliers among the background do not squeeze the comparators into a corner."""
    inner = values.quantile([0.05, 0.95]).tolist() if len(values) else [0.0, 1.0]
    low = min([inner[0], *keep.tolist()])
    high = max([inner[1], *keep.tolist()])
    span = (high - low) or abs(high) or 1.0
    return low - pad * span, high + pad * span


def value_for_money_quadrant(points: pd.DataFrame, *, council_name: str, cost_label: str, outcome_label: str,
                             cost_median: float, outcome_median: float, higher_is_better: bool,
                             outcome_format: str = ",.1f", cost_format: str = ",.0f", class_name: str = "authorities",
                             outcome_band: tuple[float, float] | None = None, position: str | None = None,
                             band_label: str = "", outcome_suffix: str = "", compared_label: str = "Comparators",
                             ax: Axes | None = None) -> Axes:
    """Cost against one outcome: every authority of the class faint, those compared with in blue and named, the
    council in orange; the medians split the chart into four quadrants (better outcome at the top, lower cost on
    the left), the top-left one tinted green (low cost, better outcome) and the bottom-right red. ``outcome_band``
    (low, high) is shaded grey: an outcome inside it is at the median (``band_label`` says how wide), and the title
    states ``position`` (better / at the median / worse, as the analysis decided it).

    ``points``: ``name, cost, outcome, in_group, is_council`` (``ValueForMoney.quadrant``); ``cost_median`` and
    ``outcome_median`` are the medians the rating used. Returns the Axes; how many authorities fall outside the frame
    is in ``ax.outside`` (for the caption).
    """
    from matplotlib.patches import Rectangle

    from wcc_analysis.core.vocabulary import AMBER, GREEN, RAG_COLOURS, RED

    ax = _axes(ax, (10.0, 7.4))
    me = points[points["is_council"]]
    peers = points[points["in_group"] & ~points["is_council"]]
    rest = points[~points["in_group"] & ~points["is_council"]]
    keep = pd.concat([me, peers])
    x0, x1 = _frame_limits(points["cost"], pd.concat([keep["cost"], pd.Series([cost_median])]))
    y0, y1 = _frame_limits(points["outcome"], pd.concat([keep["outcome"], pd.Series([outcome_median])]))
    inside = points["cost"].between(x0, x1) & points["outcome"].between(y0, y1)
    ax.outside = int((~inside).sum())
    ax.set_xlim(x0, x1)
    ax.set_ylim((y0, y1) if higher_is_better else (y1, y0))  # better outcome at the top either way
    good_y = (outcome_median, y1) if higher_is_better else (y0, outcome_median)
    poor_y = (y0, outcome_median) if higher_is_better else (outcome_median, y1)
    tints = (((x0, cost_median), good_y, RAG_COLOURS[GREEN]), ((cost_median, x1), poor_y, RAG_COLOURS[RED]),
             ((x0, cost_median), poor_y, RAG_COLOURS[AMBER]), ((cost_median, x1), good_y, RAG_COLOURS[AMBER]))
    for (xa, xb), (ya, yb), colour in tints:
        ax.add_patch(Rectangle((xa, ya), xb - xa, yb - ya, color=colour, alpha=0.07, zorder=0, lw=0))
    if outcome_band is not None:
        ax.axhspan(min(outcome_band), max(outcome_band), color="#999999", alpha=0.18, lw=0, zorder=0.5,
                   label=f"At the median: {band_label}" if band_label else "At the median")
    ax.axvline(cost_median, color="#555555", lw=1.1, ls="--", zorder=1)
    ax.axhline(outcome_median, color="#555555", lw=1.1, ls="--", zorder=1)
    top, bottom = (0.97, 0.03)
    corners = ((0.015, top, "left", "top", "LOW COST, BETTER OUTCOME", RAG_COLOURS[GREEN]),
               (0.985, top, "right", "top", "HIGH COST, BETTER OUTCOME", RAG_COLOURS[AMBER]),
               (0.015, bottom, "left", "bottom", "LOW COST, POORER OUTCOME", RAG_COLOURS[AMBER]),
               (0.985, bottom, "right", "bottom", "HIGH COST, POORER OUTCOME", RAG_COLOURS[RED]))
    for x, y, ha, va, text, colour in corners:
        ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=8.5, fontweight="bold", color=colour,
                alpha=0.9, zorder=2)
    shown = rest[inside.reindex(rest.index, fill_value=False)]
    ax.scatter(shown["cost"], shown["outcome"], s=14, color=CONTEXT, alpha=0.55, lw=0, zorder=2,
               label=f"All {len(rest) + len(peers) + len(me)} {class_name} with both figures")
    ax.scatter(peers["cost"], peers["outcome"], s=52, color=PEER, edgecolor="white", lw=0.8, zorder=3,
               label=f"{compared_label} ({len(peers)})")
    for row in peers.itertuples():
        ax.annotate(textwrap.shorten(str(row.name), 22, placeholder="…"), (row.cost, row.outcome),
                    textcoords="offset points", xytext=(5, 3), fontsize=7.5, color="#1f4e79", zorder=4)
    if len(me):
        c = me.iloc[0]
        ax.scatter([c["cost"]], [c["outcome"]], s=190, color=COUNCIL, edgecolor="black", lw=1.2, zorder=5,
                   label=council_name)
        ax.annotate(council_name, (c["cost"], c["outcome"]), textcoords="offset points", xytext=(9, -4),
                    fontsize=11, fontweight="bold", color=COUNCIL, zorder=6)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: "−£" + format(-v, cost_format) if v < 0
                                               else "£" + format(v, cost_format)))
    ax.yaxis.set_major_formatter(_value_formatter(outcome_format))
    name = outcome_label.split(" (")[0]
    ax.set_xlabel(textwrap.fill(f"{cost_label} — lower cost on the left; dashed line: comparator median "
                                f"£{format(cost_median, cost_format)}", 110))
    ax.set_ylabel(textwrap.fill(f"{name} ({'higher' if higher_is_better else 'lower'} is better; better at the top)"
                                f" — dashed line: median {format(outcome_median, outcome_format)}{outcome_suffix}", 60))
    if len(me):
        c = me.iloc[0]
        cost_word = "lower" if c["cost"] <= cost_median else "higher"
        words = {"better": "better than the median", "worse": "worse than the median",
                 "at the median": "at the median"}.get(position or "", position or "")
        band = f" ({'within' if position == 'at the median' else 'beyond'} {band_label})" if band_label and position \
            else ""
        ax.set_title(textwrap.fill(f"{council_name}: {cost_word} cost than the comparator median, and {words}{band} "
                                   f"on {name.lower()}", 80))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=8.5)
    ax.grid(True, alpha=0.5)
    return ax


def cost_strip(values: pd.DataFrame, *, council_name: str, label: str, group_median: float, class_name: str,
               value_format: str = ",.2f", ax: Axes | None = None) -> Axes:
    """Cost only: the council's spend among its comparators (bars, lowest at the top, the council in orange),
    with the middle half of every authority of its class as a grey band and their median dotted — for a service
    with no published outcome to set the cost against.

    ``values``: ``name, value, in_group, is_council`` (a ``value_for_money.Reading``'s values).
    """
    shown = values[values["in_group"] | values["is_council"]].sort_values(["value", "name"])
    ax = _axes(ax, (10.0, 0.32 * len(shown) + 2.2))
    others = values[~values["is_council"]]
    q1, median, q3 = others["value"].quantile([0.25, 0.5, 0.75]).tolist()
    ax.axvspan(q1, q3, color=CONTEXT, alpha=0.25, lw=0,
               label=f"Middle half of the other {len(others)} {class_name} (£{format(q1, value_format)} to "
                     f"£{format(q3, value_format)})")
    ax.axvline(median, color="#777777", lw=1.2, ls=":", label=f"Median of all {class_name} £{format(median, value_format)}")
    colours = [COUNCIL if c else PEER for c in shown["is_council"]]
    bars = ax.barh(shown["name"], shown["value"], color=colours, zorder=3)
    ax.bar_label(bars, labels=[("−£" if v < 0 else "£") + format(abs(v), value_format) for v in shown["value"]],
                 padding=3, fontsize=8)
    ax.axvline(group_median, color="#333333", lw=1.2, ls="--", zorder=4,
               label=f"Comparator median £{format(group_median, value_format)}")
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: ("−£" if v < 0 else "£") + format(abs(v), ",.0f")))
    ax.set_xlabel(label + " — lowest at the top")
    ax.grid(axis="y", visible=False)
    for text in ax.get_yticklabels():
        if text.get_text() == council_name:
            text.set_color(COUNCIL)
            text.set_fontweight("bold")
    me = shown[shown["is_council"]]
    if len(me):
        v = float(me["value"].iloc[0])
        relation = "below" if v <= group_median else "above"
        ax.set_title(textwrap.fill(f"{council_name}: £{format(v, value_format)}, {relation} the comparator median of "
                                   f"£{format(group_median, value_format)} — cost only: no published outcome to set "
                                   "it against", 80))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8.5)
    return ax


def measure_trends_grid(panels: list[dict], council_name: str):
    """Small multiples: each published measure by year for the council against its comparators' median, the
    years the trend word is fitted over shaded. ``panels``: dicts with ``trend`` (``year, council,
    comparator_median``), ``label``, ``value_format``, ``higher_is_better``, ``word`` and ``window`` (how many of
    the last years the word reads). Returns the Axes."""
    n = max(1, len(panels))
    fig, axes = plt.subplots(1, n, figsize=(4.4 * n, 3.9), layout="constrained", squeeze=False)
    for ax, panel in zip(axes[0], panels):
        trend = panel["trend"]
        x = list(range(len(trend)))
        window = int(panel.get("window") or 0)
        if window and len(trend):
            ax.axvspan(max(0, len(trend) - window) - 0.4, len(trend) - 0.6, color="#eeeeee", zorder=0)
        ax.plot(x, trend["council"], marker="o", ms=3.5, color=COUNCIL, lw=2.0, label=council_name)
        ax.plot(x, trend["comparator_median"], marker="s", ms=3, color=PEER, lw=1.3, ls="--", label="Comparator median")
        step = max(1, len(trend) // 6)
        ax.set_xticks(x[::step], list(trend["year"])[::step], rotation=45, ha="right", fontsize=8)
        ax.yaxis.set_major_formatter(_value_formatter(panel["value_format"]))
        if not panel["higher_is_better"]:
            ax.invert_yaxis()
        name = panel["label"].split(" (")[0]
        ax.set_title(textwrap.fill(f"{name}: {panel['word']} over the last {window} years", 42), fontsize=9.5)
        unit = f"{panel['unit']}; " if panel.get("unit") else ""
        ax.set_ylabel(textwrap.fill(unit + ("higher" if panel["higher_is_better"] else "lower")
                                    + " is better (better at the top)", 44), fontsize=8)
        ax.legend(fontsize=7.5, loc="best")
    return axes[0]


def npv_uncertainty(simulation: pd.DataFrame, labels: Mapping[str, str] | None = None, ax: Axes | None = None) -> Axes:
    """Each option's simulated NPV against business as usual: the P10–P90 bar, the P50 and the central case.

    ``simulation`` is the uncertainty analysis's table (``option_id, central_gbp, p10_gbp, p50_gbp, p90_gbp,
    prob_better_than_status_quo, n, seed``; business as usual, all zeros, is the dashed line at 0). Option
    names come from a ``label`` column, else ``labels``, else the ids. Highest central case at the top.
    """
    rows = simulation[simulation["option_id"] != STATUS_QUO].sort_values("central_gbp", kind="stable")
    ax = _axes(ax, (9.0, 0.55 * len(rows) + 2.0))
    if rows.empty:
        ax.set_title("Only business as usual was appraised, so there is no range against it to show")
        ax.set_axis_off()
        return ax
    names = rows["label"] if "label" in rows.columns else rows["option_id"].map(lambda o: (labels or {}).get(o, o))
    y = list(range(len(rows)))
    ax.hlines(y, rows["p10_gbp"] / 1000, rows["p90_gbp"] / 1000, color=PEER, lw=9, alpha=0.55, label="P10 to P90")
    ax.scatter(rows["central_gbp"] / 1000, y, marker="D", color=COUNCIL, edgecolor="#333333", s=40, zorder=3,
               label="central case")
    ax.scatter(rows["p50_gbp"] / 1000, y, marker="|", color="#333333", s=260, linewidths=2, zorder=4, label="P50")
    ax.set_yticks(y, [f"{textwrap.shorten(str(name), 40)}\nbeats business as usual in {share:.0%} of draws"
                      for name, share in zip(names, rows["prob_better_than_status_quo"])], fontsize=9)
    ax.axvline(0, color="#333333", lw=1, ls="--", label="business as usual")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: ("−" if v < 0 else "") + f"£{abs(v):,.0f}k"))
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.margins(x=0.1)
    best = rows.iloc[-1]
    central = float(best["central_gbp"]) / 1000
    amount = ("−" if central < 0 else "") + f"£{abs(central):,.0f}k"
    n = int(best["n"])
    title = (f"{names.iloc[-1]} has the highest central NPV against business as usual ({amount}) and beats it in "
             f"{best['prob_better_than_status_quo']:.0%} of {n:,} draws" if central > 0 else
             f"No option beats business as usual at the central case; the closest, {names.iloc[-1]} ({amount}), "
             f"beats it in {best['prob_better_than_status_quo']:.0%} of {n:,} draws")
    ax.set_title(textwrap.fill(title, 80))
    ax.set_xlabel(f"NPV against business as usual (£ thousand, present value); {n:,} draws, seed "
                  f"{int(best['seed'])}; one draw in ten is below P10")
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5)
    ax.grid(axis="y", visible=False)
    return ax


# --------------------------------------------------------------------------- the commissioning cycle and SOLACE readiness

#: One colour per phase of the cycle (Okabe–Ito, colour-blind safe); every phase is also named on the chart.
PHASE_COLOURS = ("#56b4e9", "#009e73", "#e69f00", "#cc79a7")


def short_condition(condition: str) -> str:
    """A SOLACE condition's name before its gloss ("Co-production and insight – engaging …" → "Co-production and
    insight")."""
    return str(condition).split(" – ")[0]


def portfolio_cycle(placed: pd.DataFrame, phases: tuple[str, ...], ax: Axes | None = None) -> Axes:
    """The portfolio on the commissioning cycle: the four phases as columns, in the cycle's order, each service
    named in the column of its phase. ``placed``: ``service_name, phase`` (analysis.cycle.services_by_phase)."""
    counts = {p: int((placed["phase"] == p).sum()) for p in phases}
    depth = max([*counts.values(), 1])
    ax = _axes(ax, (9.0, 0.55 * depth + 2.2))
    for i, phase in enumerate(phases):
        colour = PHASE_COLOURS[i % len(PHASE_COLOURS)]
        ax.add_patch(plt.Rectangle((i + 0.03, 0), 0.94, depth + 0.9, facecolor=colour, alpha=0.18, edgecolor=colour))
        ax.text(i + 0.5, depth + 0.45, f"{i + 1}. {phase}\n({counts[phase]} service{'' if counts[phase] == 1 else 's'})",
                ha="center", va="center", fontsize=10, fontweight="bold")
        names = placed.loc[placed["phase"] == phase, "service_name"].tolist()
        for j, name in enumerate(names):
            ax.text(i + 0.5, depth - 0.5 - j, textwrap.fill(str(name), 22), ha="center", va="center", fontsize=8.5,
                    bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": colour, "linewidth": 1.5})
        if i < len(phases) - 1:
            ax.annotate("", xy=(i + 1.06, depth + 0.45), xytext=(i + 0.94, depth + 0.45),
                        arrowprops={"arrowstyle": "->", "color": "#333333"})
    ax.set_xlim(0, len(phases))
    ax.set_ylim(0, depth + 0.95)
    ax.axis("off")
    total = len(placed)
    most = max(phases, key=lambda p: counts[p])
    if total and counts[most] == total:
        title = f"All {total} services in the portfolio are in the {most} phase of the commissioning cycle"
    elif total:
        title = f"{counts[most]} of {total} services are in the {most} phase, the most of any phase of the cycle"
    else:
        title = "No service has a phase of the commissioning cycle recorded"
    ax.set_title(textwrap.fill(title, 80))
    return ax


def solace_readiness(conditions: pd.DataFrame, weakest: str = "weakest", ax: Axes | None = None) -> Axes:
    """The SOLACE conditions' self-assessed scores (1–5) in the seed's order, the weakest highlighted in colour,
    hatching and a label. ``conditions``: ``condition, score, reading`` (analysis.cycle.readiness)."""
    rows = conditions.iloc[::-1]  # the seed's first condition at the top
    ax = _axes(ax, (9.0, 0.45 * len(rows) + 1.8))
    labels = [textwrap.shorten(short_condition(c), 45) for c in rows["condition"]]
    is_weak = (rows["reading"] == weakest).tolist()
    scores = rows["score"].fillna(0).astype(float).tolist()
    bars = ax.barh(labels, scores, color=[COUNCIL if w else PEER for w in is_weak], edgecolor="white")
    for bar, weak, score, raw in zip(bars, is_weak, scores, rows["score"], strict=True):
        if weak:
            bar.set_hatch("//")
        text = "not assessed" if pd.isna(raw) else f"{score:.0f}" + (" — weakest" if weak else "")
        ax.text(score + 0.08, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=9, zorder=3,
                fontweight="bold" if weak else "normal",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    assessed = rows["score"].dropna()
    if len(assessed):
        ax.axvline(float(assessed.mean()), color="#333333", lw=1, ls="--",
                   label=f"mean score {float(assessed.mean()):.1f}")
        ax.legend(loc="lower right", fontsize=8.5)
    ax.set_xlim(0, 5.9)
    ax.set_xticks([0, 1, 2, 3, 4, 5])
    ax.set_xlabel("Self-assessed score (1 = weak, 5 = strong)")
    named = [short_condition(c) for c in conditions.loc[conditions["reading"] == weakest].sort_values("rank")["condition"]]
    if named:
        title = (f"Weakest of the conditions for successful commissioning (mean score {float(assessed.mean()):.1f} "
                 f"of 5): {'; '.join(named)}")
    else:
        title = "No condition for successful commissioning has been self-assessed yet"
    ax.set_title(textwrap.fill(title, 80))
    ax.grid(axis="y", visible=False)
    return ax


#: Every set of colours a chart draws together (RAG colours are not here: a RAG answer always carries its word).
PALETTES: dict[str, tuple[str, ...]] = {
    "council, comparators and context": (COUNCIL, PEER, LIGHT_PEER, CONTEXT),
    "priority categories": tuple(CATEGORY_COLOURS.values()),
    "comparator stability": (*STABILITY_COLOURS.values(), COUNCIL),
    "MCA criteria": CRITERION_COLOURS,
    "cycle phases": PHASE_COLOURS,
}
