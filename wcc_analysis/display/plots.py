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

from wcc_analysis.core.vocabulary import DEFAULT_SCORE_VALUES, MUST_DO, NICE_TO_DO, SHOULD_DO, STATUS_QUO

COUNCIL = "#d95f02"  # the council, always in this orange
PEER = "#1f78b4"  # comparators
CONTEXT = "#b8b8b8"  # everything else
CATEGORY_COLOURS = {MUST_DO: "#1b9e77", SHOULD_DO: "#7570b3", NICE_TO_DO: "#e6ab02"}

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
    """Apply the house style to every chart drawn after this call."""
    plt.rcParams.update(STYLE)


def _axes(ax: Axes | None, size: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=size or STYLE["figure.figsize"], layout="constrained")
    return ax


def caption(ax: Axes, text: str, width: int = 130) -> None:
    """Source/method note under the chart (kept in view by the inline backend's tight bbox)."""
    ax.figure.text(0.0, -0.01, textwrap.fill(text, width), ha="left", va="top", fontsize=8, color="#555555")


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


def comparator_map(pool: pd.DataFrame, members: list[str], council: str, x: str, y: str, x_label: str, y_label: str, ax: Axes | None = None) -> Axes:
    """Two indicators for the whole pool: the council, its comparators and everyone else."""
    ax = _axes(ax)
    others = pool[~pool["ons_code"].isin(members + [council])]
    peers = pool[pool["ons_code"].isin(members)]
    me = pool[pool["ons_code"] == council]
    ax.scatter(others[x], others[y], s=18, color=CONTEXT, label="Rest of the pool")
    ax.scatter(peers[x], peers[y], s=36, color=PEER, label="Computed comparators")
    ax.scatter(me[x], me[y], s=90, color=COUNCIL, edgecolor="black", zorder=3, label=me["name"].iloc[0] if len(me) else council)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title("Comparators sit close to the council on the indicators used to choose them")
    ax.legend(loc="best")
    return ax


def benchmark_chart(values: pd.DataFrame, label: str, unit_format: str, higher_is_better: bool, *, rank: int,
                    median: float, ax: Axes | None = None) -> Axes:
    """One published measure across the group (``name``, ``value``, ``is_council``), best at the top.

    ``rank`` (1 = best, ties sharing the better rank) and ``median`` (of the comparators) are the benchmark's
    own figures, so the chart says what the table says.
    """
    ax = _axes(ax, (9.0, 0.3 * len(values) + 1.9))
    rows = values.sort_values(["value", "name"], ascending=[not higher_is_better, True])
    colours = [COUNCIL if c else PEER for c in rows["is_council"]]
    ax.barh(rows["name"], rows["value"], color=colours)
    ax.axvline(median, color="#333333", lw=1.2, ls="--", label=f"Median of the others {format(median, unit_format)}")
    ax.invert_yaxis()
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: format(v, unit_format)))
    council = rows[rows["is_council"]].iloc[0]
    ax.set_title(textwrap.fill(f"{council['name']} is {rank} of {len(rows)} on {label.split(' (')[0].lower()} "
                               f"({'higher' if higher_is_better else 'lower'} is better; best at the top)", 75))
    ax.grid(axis="y", visible=False)
    for text in ax.get_yticklabels():
        if text.get_text() == council["name"]:
            text.set_color(COUNCIL)
            text.set_fontweight("bold")
    return ax


def measure_trend(trend: pd.DataFrame, council_name: str, label: str, unit_format: str, higher_is_better: bool,
                  ax: Axes | None = None) -> Axes:
    """A published measure by year for the council beside its comparators' median (``year, council,
    comparator_median``)."""
    ax = _axes(ax, (9.0, 4.2))
    x = list(range(len(trend)))
    ax.plot(x, trend["council"], marker="o", color=COUNCIL, lw=2.2, label=council_name)
    ax.plot(x, trend["comparator_median"], marker="s", color=PEER, lw=1.6, ls="--", label="Comparator median")
    ax.set_xticks(x, list(trend["year"]), rotation=45, ha="right")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format(v, unit_format)))
    shown = trend.dropna(subset=["council"])
    name = label.split(" (")[0]
    if len(shown):
        first, last = shown.iloc[0], shown.iloc[-1]
        better = (last["council"] > first["council"]) == higher_is_better
        ax.set_title(textwrap.fill(f"{council_name}: {name.lower()} {format(first['council'], unit_format)} in "
                                   f"{first['year']}, {format(last['council'], unit_format)} in {last['year']} "
                                   f"({'better' if better else 'worse'}; {'higher' if higher_is_better else 'lower'} "
                                   "is better)", 80))
    ax.legend(loc="best", fontsize=8.5)
    return ax


def efficiency_gap(efficiency: dict, council_name: str, ax: Axes | None = None) -> Axes:
    """Council spend per head against the comparator median and lower quartile, with the £ gaps."""
    ax = _axes(ax, (9.0, 3.2))
    labels = [council_name, "Comparator median", "Comparator lower quartile"]
    values = [efficiency["spend_per_head_gbp"], efficiency["comparator_median_gbp"], efficiency["comparator_lower_quartile_gbp"]]
    bars = ax.barh(labels, values, color=[COUNCIL, PEER, "#a6cee3"])
    ax.bar_label(bars, labels=[f"£{v:,.2f}" for v in values], padding=4)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(_pounds))
    ax.set_xlim(min(0, min(values) * 1.2), max(values) * 1.25 if max(values) > 0 else 1)
    gap_median = efficiency["gap_to_median_gbp_thousands"]
    gap_lq = efficiency["gap_to_lower_quartile_gbp_thousands"]
    if gap_median > 0:
        title = f"Spending at the comparator median would cost £{gap_median:,.0f}k a year less (£{gap_lq:,.0f}k at the lower quartile)"
    else:
        title = f"Already £{-gap_median:,.0f}k a year below the comparator median"
        title += f"; £{gap_lq:,.0f}k above the lower quartile" if gap_lq > 0 else f" and £{-gap_lq:,.0f}k below the lower quartile"
    ax.set_title(textwrap.fill(title, 80))
    ax.set_xlabel("Net current expenditure per head (£)")
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
    labels = [f"{i} ±{s:.0f}%" for i, s in zip(rows["item"], rows["swing_pct"])]
    ax.barh(labels, low, left=base, color="#a6cee3", label="input lower")
    ax.barh(labels, high, left=base, color=PEER, label="input higher")
    ax.axvline(base, color="#333333", lw=1)
    ax.axvline(0, color=COUNCIL, lw=1, ls="--", label="break-even against the status quo")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:,.0f}k"))
    ax.xaxis.set_major_locator(MaxNLocator(6))
    top = rows.iloc[-1]
    ax.set_title(textwrap.fill(f"{option_label}: NPV is most sensitive to {top['item']} (base £{base:,.0f}k against the status quo)", 80))
    ax.set_xlabel("Risk-adjusted NPV against the status quo (£ thousand, real terms)")
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5)
    ax.grid(axis="y", visible=False)
    return ax


def npv_ranges(monte_carlo: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """P10–P90 range of NPV against the status quo per option, P50 marked."""
    rows = monte_carlo[monte_carlo["option_id"] != STATUS_QUO].sort_values("p50_gbp")
    ax = _axes(ax, (9.0, 0.55 * len(rows) + 1.8))
    y = range(len(rows))
    ax.hlines(list(y), rows["p10_gbp"] / 1000, rows["p90_gbp"] / 1000, color=PEER, lw=8, alpha=0.6, label="P10 to P90")
    ax.scatter(rows["p50_gbp"] / 1000, list(y), color=COUNCIL, zorder=3, label="P50")
    ax.set_yticks(list(y), [textwrap.shorten(str(label), 40) for label in rows["label"]])
    ax.axvline(0, color="#333333", lw=1, ls="--")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:,.0f}k"))
    ax.xaxis.set_major_locator(MaxNLocator(6))
    n, seed = int(monte_carlo["n"].iloc[0]), int(monte_carlo["seed"].iloc[0])
    ax.set_title(f"Range of NPV against the status quo over {n:,} simulations (seed {seed})")
    ax.set_xlabel("NPV against the status quo (£ thousand, real terms); left of the dashed line is worse than the status quo")
    ax.legend(loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8.5)
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
