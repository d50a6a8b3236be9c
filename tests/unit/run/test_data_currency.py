"""wcc_analysis.run.data_currency: sources merged across a pack's executions, aged on a fixed run date."""

from __future__ import annotations

from datetime import date

import pytest

from wcc_analysis.core.provenance import DATA_USED_KEY, SourceUse
from wcc_analysis.run import data_currency, index_page

RUN_DATE = date(2026, 11, 27)

OUTTURN = "MHCLG revenue outturn (RS and RSX returns, multi-year time series)"
CENSUS = "ONS Census 2011 and 2021 population"
BUDGET = "Council budget template (illustrative sample)"


def use(source, period_end, used="", covers="", release="", illustrative=False) -> dict:
    return SourceUse(source=source, covers=covers, used=used, release=release, period_end=period_end,
                     illustrative=illustrative).to_dict()


def execution(service, notebook, *records, **figures) -> dict:
    return {"service": service, "notebook": notebook, "status": "ok",
            "headline": {**figures, DATA_USED_KEY: list(records)}}


EXECUTIONS = [
    execution("museums", "needs_analysis",
              use(OUTTURN, "2025-03-31", used="2024-25, Worcester and 15 comparators", covers="2010-11 to 2024-25",
                  release="time series v3.1"),
              use(CENSUS, "2021-03-21", used="2011 and 2021 counts", covers="2011, 2021", release="Census 2021"),
              spend_per_head_gbp=12.5),
    execution("leisure", "needs_analysis",
              use(OUTTURN, "2018-03-31", used="2017-18, Worcester", covers="2010-11 to 2024-25",
                  release="RS 2017-18 workbook"),
              use(BUDGET, "2026-03-31", used="2025-26 budget", illustrative=True)),
    execution("portfolio", "priority_setting", use(CENSUS, "2021-03-21", used="2021 count")),
    execution("museums", "broken"),  # recorded nothing
]


def test_one_entry_per_source_with_the_newest_period_and_who_used_it():
    entries = data_currency.data_currency(EXECUTIONS, RUN_DATE)
    by_source = {e["source"]: e for e in entries}
    assert set(by_source) == {OUTTURN, CENSUS, BUDGET}

    outturn = by_source[OUTTURN]
    # the newest record wins: 2024-25 (31 March 2025), not 2017-18
    assert outturn["period_end"] == "2025-03-31"
    assert outturn["used"] == "2024-25, Worcester and 15 comparators"
    assert outturn["release"] == "time series v3.1" and outturn["covers"] == "2010-11 to 2024-25"
    assert outturn["used_by"] == ["museums/needs_analysis", "leisure/needs_analysis"]
    assert outturn["age_days"] == (RUN_DATE - date(2025, 3, 31)).days == 606
    assert outturn["age"] == "1 year 7 months old"
    assert outturn["stale"] is False and outturn["illustrative"] is False

    census = by_source[CENSUS]
    assert census["age_days"] == 2077 and census["stale"] is True
    assert census["age"] == "5 years 8 months old"
    assert census["used_by"] == ["museums/needs_analysis", "portfolio/priority_setting"]

    budget = by_source[BUDGET]
    assert budget["illustrative"] is True and budget["age"] == "7 months old" and budget["stale"] is False


def test_entries_are_ordered_oldest_first_and_carry_every_field():
    entries = data_currency.data_currency(EXECUTIONS, RUN_DATE)
    assert [e["source"] for e in entries] == [CENSUS, OUTTURN, BUDGET]
    assert list(entries[0]) == ["source", "covers", "used", "release", "period_end", "illustrative", "age_days",
                                "age", "stale", "used_by"]


def test_two_years_is_the_line():
    on = date(2027, 3, 31)
    exactly = data_currency.data_currency([execution("s", "n", use("A", "2025-03-31"))], on)[0]
    assert exactly["age_days"] == 730 and exactly["stale"] is False and exactly["age"] == "2 years old"
    day_after = data_currency.data_currency([execution("s", "n", use("A", "2025-03-31"))], date(2027, 4, 1))[0]
    assert day_after["stale"] is True


def test_same_source_name_merges_across_spacing_and_bad_records_do_not_stop_the_pack():
    executions = [
        execution("a", "n", use("ONS  mid-year\nestimates", "2024-06-30")),
        {"service": "b", "notebook": "n", "headline": {DATA_USED_KEY: [
            {"source": "ONS mid-year estimates", "period_end": "mid-2024"},  # not an ISO date
            "not a record", {"period_end": "2024-06-30"},  # ignored: no source
            {"source": "Undated source", "period_end": None}]}},
        {"service": "c", "notebook": "n", "headline": {DATA_USED_KEY: "nonsense"}},
        {"service": "d", "notebook": "n", "headline": None},
    ]
    entries = {e["source"]: e for e in data_currency.data_currency(executions, RUN_DATE)}
    assert set(entries) == {"ONS mid-year estimates", "Undated source"}
    mid = entries["ONS mid-year estimates"]
    assert mid["period_end"] == "2024-06-30" and mid["used_by"] == ["a/n", "b/n"]
    assert mid["age"] == "2 years 4 months old" and mid["stale"] is True
    undated = entries["Undated source"]
    assert undated["age_days"] is None and undated["age"] is None and undated["stale"] is None


@pytest.mark.parametrize(
    ("period_end", "on", "text"),
    [("2025-03-31", date(2026, 11, 27), "1 year 7 months old"),
     ("2025-03-31", date(2026, 11, 30), "1 year 8 months old"),  # 30 November: the month-end after 31 March + 20
     ("2025-03-31", date(2025, 4, 30), "1 month old"),
     ("2024-06-30", date(2026, 6, 30), "2 years old"),
     ("2026-11-01", date(2026, 11, 27), "less than a month old"),
     ("2026-12-31", date(2026, 11, 27), "period not yet ended"),
     ("not a date", date(2026, 11, 27), None)],
)
def test_age_text(period_end, on, text):
    assert data_currency.age_text(period_end, on) == text


def test_summary_sentence():
    entries = data_currency.data_currency(EXECUTIONS, RUN_DATE)
    assert data_currency.summary(entries) == (
        "1 of 3 sources is more than two years old: ONS Census 2011 and 2021 population "
        "(latest period ended 21 March 2021).")
    two_old = [{**e, "stale": True} for e in entries if e["period_end"]][:2]
    assert data_currency.summary(two_old).startswith("2 of 2 sources are more than two years old: (1) ")
    assert "; (2) " in data_currency.summary(two_old)
    fresh = [e for e in entries if not e["stale"]]
    assert data_currency.summary(fresh) == "None of the 2 sources used is more than two years old."
    assert data_currency.summary([]) == "The reports in this pack did not record which data they used."


def manifest(entries, executions) -> dict:
    return {
        "run_id": "20261127T030000Z-E07000237", "council": {"code": "E07000237", "name": "Worcester"},
        "started": "2026-11-27T03:00:00Z", "finished": "2026-11-27T03:01:00Z", "duration_s": 60,
        "package": {"version": "0"}, "python": "3.11.0", "versions": {}, "selection": {}, "git": None,
        "data_currency": entries,
        "executions": [{**e, "service_name": e["service"].title(), "notebook_title": e["notebook"].replace("_", " "),
                        "duration_s": 1.0, "outputs": {}} for e in executions],
    }


def test_index_shows_the_currency_section_and_not_the_records_in_the_cells():
    entries = data_currency.data_currency(EXECUTIONS, RUN_DATE)
    page = index_page.render_index(manifest(entries, EXECUTIONS))
    section = page[page.index("<h2 id='data-currency'>"):page.index("How to read this pack")]
    assert "Data currency" in section
    assert "1 of 3 sources is more than two years old: ONS Census 2011 and 2021 population" in section
    assert "<th scope='col'>What it covers</th>" in section and "<th scope='col'>Release</th>" in section
    assert "1 year 7 months old" in section and "5 years 8 months old" in section
    assert section.count(index_page.STALE_MARKER) == 1  # a written warning, not colour alone
    assert "over two years old" in section
    assert "period ended 31 March 2025" in section and "time series v3.1" in section
    assert "illustrative sample" in section and "used by 2 reports" in section
    # the section comes before the reports, the records are not printed as a headline figure
    assert page.index("Data currency") < page.index("<h2>Reports</h2>")
    reports = page[page.index("<h2>Reports</h2>"):]
    assert "Data used" not in reports and DATA_USED_KEY not in reports and OUTTURN not in reports
    assert "Spend per head: <b>£12.50</b>" in reports


def test_index_without_records_says_so_and_an_old_manifest_has_no_section():
    executions = [execution("museums", "needs_analysis", spend_per_head_gbp=1.0)]
    page = index_page.render_index(manifest(data_currency.data_currency(executions, RUN_DATE), executions))
    assert "The reports in this pack did not record which data they used." in page
    old = manifest([], executions)
    del old["data_currency"]
    assert "data-currency" not in index_page.render_index(old)
