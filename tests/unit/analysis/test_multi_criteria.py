"""Multi-criteria analysis on fixed 0–10 scales: hand-checked weighted sums, no rank reversal when an option is
added or removed, and validation errors that name the table, the row and the column."""

import itertools

import numpy as np
import pandas as pd
import pytest

from wcc_analysis.analysis import options as op
from wcc_analysis.core.errors import InputTableError


def criteria(*rows, with_rows=False):
    """option_criteria rows (criterion, weight[, anchor_0, anchor_5, anchor_10]); anchors filled in when left out.
    ``with_rows``: number the rows as the template's loader does (header = file row 1)."""
    full = [r if len(r) == 5 else (*r, f"{r[0]}: worst", f"{r[0]}: as today", f"{r[0]}: best") for r in rows]
    frame = pd.DataFrame(full, columns=op.CRITERIA_COLUMNS)
    return frame.assign(source_row=range(2, len(frame) + 2)) if with_rows else frame


def scores(table: dict, with_rows=False):
    """option_scores rows from {option: {criterion: score}}."""
    rows = [(o, c, s, f"why {o} scores {s} on {c}") for o, by in table.items() for c, s in by.items()]
    frame = pd.DataFrame(rows, columns=[*op.SCORE_COLUMNS, "rationale"])
    return frame.assign(source_row=range(2, len(frame) + 2)) if with_rows else frame


THREE = criteria(("Quality", 40), ("Deliverability", 30), ("Risk", 30))


def _minmax_totals(table: dict, weights: dict) -> dict:
    """The method this replaces: each criterion min–max scaled 0–1 across the options, weights scaled to sum 1."""
    frame = pd.DataFrame(table).T.astype(float)
    scaled = pd.DataFrame({c: (frame[c] - frame[c].min()) / (frame[c].max() - frame[c].min())
                           if frame[c].max() > frame[c].min() else 1.0 for c in frame.columns}, index=frame.index)
    return {o: 100 * sum(weights[c] * scaled.at[o, c] for c in frame.columns) / sum(weights.values())
            for o in frame.index}


def _order(totals: dict) -> list[str]:
    return sorted(totals, key=lambda o: (-round(totals[o], 9), o))


# --- the weighted sum, by hand ------------------------------------------------------------------


def test_weighted_sum_by_hand():
    # weights 40 / 30 / 30, scores 6 / 9 / 7: 40 × 6/10 + 30 × 9/10 + 30 × 7/10 = 24 + 27 + 21 = 72.0
    # the status quo 5 / 5 / 5: 20 + 15 + 15 = 50.0; closure 0 / 10 / 2: 0 + 30 + 6 = 36.0
    table = {"status_quo": {"Quality": 5, "Deliverability": 5, "Risk": 5},
             "outsource_private": {"Quality": 6, "Deliverability": 9, "Risk": 7},
             "closure": {"Quality": 0, "Deliverability": 10, "Risk": 2}}
    result = op.mca(scores(table), THREE).set_index("option_id")
    assert result["mca_total"].to_dict() == pytest.approx({"status_quo": 50.0, "outsource_private": 72.0, "closure": 36.0})
    assert result.loc["outsource_private", ["Quality", "Deliverability", "Risk"]].tolist() == pytest.approx([24.0, 27.0, 21.0])
    assert result["mca_rank"].to_dict() == {"status_quo": 2, "outsource_private": 1, "closure": 3}
    assert list(result.columns) == ["label", "Quality", "Deliverability", "Risk", "mca_total", "mca_rank"]
    assert result.index.tolist() == ["status_quo", "outsource_private", "closure"]  # the framework's order


def test_one_point_is_worth_a_tenth_of_the_weight_not_all_of_it():
    # two options one point apart on a criterion weighted 40: 4 points apart (min–max scaling gave the full 40)
    table = {"status_quo": {"Quality": 6, "Deliverability": 5, "Risk": 5},
             "shared_services": {"Quality": 7, "Deliverability": 5, "Risk": 5}}
    totals = op.mca(scores(table), THREE).set_index("option_id")["mca_total"]
    assert totals["shared_services"] - totals["status_quo"] == pytest.approx(4.0)
    old = _minmax_totals(table, {"Quality": 40, "Deliverability": 30, "Risk": 30})
    assert old["shared_services"] - old["status_quo"] == pytest.approx(40.0)


def test_ties_share_the_better_rank():
    table = {"status_quo": {"Quality": 5, "Deliverability": 5, "Risk": 5},
             "do_minimum": {"Quality": 5, "Deliverability": 5, "Risk": 5},
             "closure": {"Quality": 0, "Deliverability": 0, "Risk": 0}}
    ranks = op.mca(scores(table), THREE).set_index("option_id")["mca_rank"].to_dict()
    assert ranks == {"status_quo": 1, "do_minimum": 1, "closure": 3}


def test_detail_shows_score_weight_points_nearest_anchor_and_rationale():
    table = {"status_quo": {"Quality": 2, "Deliverability": 2.5, "Risk": 8}}
    detail = op.mca_detail(scores(table), THREE)
    assert list(detail.columns) == op.DETAIL_COLUMNS
    assert detail["criterion"].tolist() == ["Quality", "Deliverability", "Risk"]  # the council's order
    assert detail["weight"].tolist() == [40, 30, 30]
    assert detail["points"].tolist() == pytest.approx([8.0, 7.5, 24.0])
    # below 2.5 → the 0 anchor; 2.5 to 7.5 → 5; above 7.5 → 10 (MCA_ANCHOR_RULES)
    assert detail["nearest_anchor"].tolist() == [0, 5, 10]
    assert detail["anchor"].tolist() == ["Quality: worst", "Deliverability: as today", "Risk: best"]
    assert detail["rationale"].iloc[0] == "why status_quo scores 2 on Quality"
    assert [op.MCA_ANCHOR_RULES.decide(s) for s in (0, 2.49, 2.5, 7.5, 7.51, 10)] == \
        ["anchor_0", "anchor_0", "anchor_5", "anchor_5", "anchor_10", "anchor_10"]


def test_the_rule_is_stated_with_its_sources():
    text = " ".join(f"{term} {rule}" for term, rule in op.MCA_RULES)
    for phrase in ("fixed", "0–10", "Σ weight × score / 10", "never blended", "shortlist", "DCLG",
                   "Multi-criteria analysis: a manual, 2009", "Green Book", "no min–max"):
        assert phrase in text, phrase
    assert op.MCA_ANCHOR_RULES.frame().columns.tolist() == ["nearest anchor", "rule"]


# --- no rank reversal ---------------------------------------------------------------------------------


def test_removing_an_option_never_changes_the_order_where_min_max_scaling_reversed_it():
    # Quality 60, Deliverability 40.  A (status quo) 6 / 8, B (shared services) 7 / 5, C (closure) 3 / 9.
    # Fixed scale: A 36 + 32 = 68, B 42 + 20 = 62, C 18 + 36 = 54, whichever options are on the list.
    # Min–max with all three: A 75, B 60, C 40 (A first); without C: A 40, B 60 (B first) — a reversal.
    two = criteria(("Quality", 60), ("Deliverability", 40))
    table = {"status_quo": {"Quality": 6, "Deliverability": 8},
             "shared_services": {"Quality": 7, "Deliverability": 5},
             "closure": {"Quality": 3, "Deliverability": 9}}
    weights = {"Quality": 60, "Deliverability": 40}
    old_all = _minmax_totals(table, weights)
    old_two = _minmax_totals({k: table[k] for k in ("status_quo", "shared_services")}, weights)
    assert old_all == pytest.approx({"status_quo": 75.0, "shared_services": 60.0, "closure": 40.0})
    assert old_two == pytest.approx({"status_quo": 40.0, "shared_services": 60.0})
    assert _order(old_all)[:2] == ["status_quo", "shared_services"] and _order(old_two) == ["shared_services", "status_quo"]

    full = op.mca(scores(table), two).set_index("option_id")["mca_total"]
    assert full.to_dict() == pytest.approx({"status_quo": 68.0, "shared_services": 62.0, "closure": 54.0})
    fewer = op.mca(scores({k: table[k] for k in ("status_quo", "shared_services")}), two)
    assert fewer.set_index("option_id")["mca_total"].to_dict() == pytest.approx({"status_quo": 68.0, "shared_services": 62.0})
    assert fewer.sort_values("mca_rank")["option_id"].tolist() == ["status_quo", "shared_services"]


def _assert_no_reversal(score_rows: pd.DataFrame, criteria_rows: pd.DataFrame, every_subset: bool = True) -> int:
    """For every subset of two or more options (or, if not ``every_subset``, every list with one option removed):
    each option's total is unchanged, and so is the order of the rest."""
    full = op.mca(score_rows, criteria_rows).set_index("option_id")["mca_total"]
    options = list(full.index)
    checked = 0
    for k in range(2, len(options)) if every_subset else [len(options) - 1]:
        for keep in itertools.combinations(options, k):
            part = op.mca(score_rows[score_rows["option_id"].isin(keep)], criteria_rows).set_index("option_id")
            assert part["mca_total"].to_dict() == pytest.approx(full[list(keep)].to_dict())
            assert _order(part["mca_total"].to_dict()) == [o for o in _order(full.to_dict()) if o in keep]
            ranks = part["mca_rank"]
            for a, b in itertools.permutations(keep, 2):
                if full[a] > full[b] + 1e-9:
                    assert ranks[a] < ranks[b]
            checked += 1
    return checked


def test_removing_any_option_of_the_worcester_sample_never_changes_the_order_of_the_others():
    from wcc_analysis.ingest.council.council_data import load_council_data

    data = load_council_data("E07000237")
    for service in ("leisure", "waste", "museums", "revenues_benefits"):
        rows, crit = data.table("option_scores", service), data.table("option_criteria", service)
        assert crit["weight"].sum() == 100, service
        assert {"status_quo", "do_minimum"} <= set(rows["option_id"]), service
        assert _assert_no_reversal(rows, crit) > 0


def test_removing_options_never_changes_the_order_on_random_scorings():
    """A seeded property check: random criteria (2–6, weights summing to 100) and scores for 3–6 options."""
    rng = np.random.default_rng(20250101)
    ids = [o for o in op.OPTION_IDS]
    for _ in range(30):
        n_criteria = int(rng.integers(2, 7))
        cuts = np.sort(rng.choice(np.arange(1, 100), size=n_criteria - 1, replace=False))
        weights = np.diff(np.concatenate([[0], cuts, [100]]))
        crit = criteria(*((f"C{i}", int(w)) for i, w in enumerate(weights)))
        chosen = rng.choice(ids, size=int(rng.integers(3, 7)), replace=False)
        table = {str(o): {f"C{i}": int(rng.integers(0, 11)) for i in range(n_criteria)} for o in chosen}
        assert _assert_no_reversal(scores(table), crit, every_subset=False) == len(table)


# --- validation: table, row, column and what to do ---------------------------------------------------------


def _error(score_rows, criteria_rows) -> InputTableError:
    with pytest.raises(InputTableError) as caught:
        op.mca(score_rows, criteria_rows)
    return caught.value


FULL = {"status_quo": {"Quality": 5, "Deliverability": 5, "Risk": 5},
        "outsource_private": {"Quality": 6, "Deliverability": 9, "Risk": 7}}


def test_weights_not_summing_to_100_say_the_sum():
    err = _error(scores(FULL), criteria(("Quality", 40), ("Deliverability", 30), ("Risk", 20), with_rows=True))
    assert (err.table, err.column, err.row) == ("option criteria", "weight", 2)
    assert "sum to 90, not 100" in str(err) and "file rows 2–4" in str(err)
    assert "What to do: change the weights so that they sum to 100" in str(err)


def test_weight_must_be_a_whole_number_above_0():
    err = _error(scores(FULL), criteria(("Quality", 40), ("Deliverability", 59.5), ("Risk", 0.5), with_rows=True))
    assert (err.column, err.row) == ("weight", 3)
    assert "Deliverability / 59.5" in str(err)


def test_a_score_outside_0_to_10_names_its_row():
    bad = scores({**FULL, "closure": {"Quality": 11, "Deliverability": 5, "Risk": 5}}, with_rows=True)
    err = _error(bad, THREE)
    assert (err.table, err.column, err.row) == ("option scores", "score", 8)
    assert "closure / Quality / 11" in str(err) and "from 0 to 10" in str(err)
    bad["score"] = bad["score"].astype(object)
    bad.loc[0, "score"] = "high"
    err = _error(bad, THREE)
    assert err.row == 2 and "status_quo / Quality / high" in str(err)


def test_an_option_not_scored_on_every_criterion():
    gap = scores({**FULL, "closure": {"Quality": 2, "Risk": 1}}, with_rows=True)
    err = _error(gap, THREE)
    assert (err.table, err.column) == ("option scores", "criterion")
    assert err.row == 9  # the closure's last row
    assert "closure / Deliverability" in str(err) and "score every option on every criterion" in str(err)


def test_a_criterion_scored_but_not_defined():
    extra = scores({**FULL, "closure": {"Quality": 2, "Deliverability": 5, "Risk": 1, "Customer impact": 4}},
                   with_rows=True)
    err = _error(extra, THREE)
    assert (err.table, err.column, err.row) == ("option scores", "criterion", 11)
    assert "not defined in option_criteria" in str(err) and "closure / Customer impact" in str(err)


def test_a_blank_anchor_names_the_criterion_and_the_column():
    crit = criteria(("Quality", 40), ("Deliverability", 30, "cannot be done", "", "easy"), ("Risk", 30), with_rows=True)
    err = _error(scores(FULL), crit)
    assert (err.table, err.column, err.row) == ("option criteria", "anchor_5", 3)
    assert "Deliverability" in str(err) and "what an option scoring 5" in str(err)


def test_duplicates_unknown_options_and_missing_criteria_table():
    twice = criteria(("Quality", 40), ("Quality", 30), ("Risk", 30), with_rows=True)
    err = _error(scores(FULL), twice)
    assert (err.column, err.row) == ("criterion", 3) and "more than once" in str(err)
    doubled = pd.concat([scores(FULL), scores({"status_quo": {"Risk": 6}})], ignore_index=True)
    assert "more than once" in str(_error(doubled, THREE))
    assert "in_house_magic" in str(_error(scores({"in_house_magic": {"Quality": 5, "Deliverability": 5, "Risk": 5}}), THREE))
    err = _error(scores(FULL), None)
    assert err.table == "option criteria" and "option_criteria" in str(err)
    with pytest.raises(InputTableError, match="missing column"):
        op.mca(scores(FULL), THREE.drop(columns="anchor_10"))
    other = THREE.assign(service_id="waste")
    with pytest.raises(InputTableError, match="criteria are for service"):
        op.mca(scores(FULL).assign(service_id="leisure"), other)


def test_criteria_as_the_report_shows_them():
    shown = op.mca_criteria(criteria(("Quality ", 40), ("Deliverability", 30), ("Risk", 30), with_rows=True))
    assert list(shown.columns) == op.CRITERIA_COLUMNS
    assert shown["criterion"].tolist() == ["Quality", "Deliverability", "Risk"]  # trimmed
    assert shown["weight"].sum() == 100
