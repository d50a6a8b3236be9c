"""The catalogue of bad inputs: one row per case — the input, the change, the exception expected, the words.

``error`` None means the input must be ACCEPTED (published files legitimately vary: £ signs, BOMs, CRLF,
Windows-1252, placeholders). ``words`` is a regular expression the one-line message must contain; the harness
also checks that the message names the file relative to the project and never an absolute path. Adding a
case is adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from changes import (
    Change,
    append_text,
    council_workbook_only,
    crlf_bom,
    cut,
    drop_column,
    drop_row,
    duplicate_row,
    empty,
    encoded,
    garbage,
    header_only,
    rename_column,
    replace_text,
    set_cell,
    set_where,
    workbook_cell,
    workbook_without_sheet,
    write_workbook,
)

from wcc_analysis.core.errors import ConfigError, InputDataError

COUNCIL = "E07000237"
C = f"data/raw/council/{COUNCIL}/"
P = "data/raw/public/"
TOML = "config/services.toml"


@dataclass(frozen=True)
class Case:
    id: str
    input: str  # the file, relative to the project
    change: Change
    error: type[Exception] | None  # None: accepted
    words: str = ""  # regex the message must contain
    names_file: bool = True  # the message names ``input`` (relative)


CASES: list[Case] = [
    # --- the council's templates (CSV) -------------------------------------------------------------------
    Case("services: missing column", C + "services.csv", drop_column("budget_gbp"), InputDataError, r"missing column\(s\) 'budget_gbp'"),
    Case("services: renamed column", C + "services.csv", rename_column("service_name", "name"), InputDataError, r"missing column\(s\) 'service_name'"),
    Case("services: text in a money column", C + "services.csv", set_cell(2, "budget_gbp", "lots"), InputDataError, r"row 2, column 'budget_gbp': value 'lots' is not an amount in pounds"),
    Case("services: £ and thousands separators", C + "services.csv", set_cell(2, "budget_gbp", "£532,000"), None),
    Case("services: BOM and CRLF", C + "services.csv", crlf_bom(), None),
    Case("kpis: blank lines at the end", C + "kpis.csv", append_text("\n\n"), None),
    Case("supplier payments: blank line at the end", C + "supplier_payments/illustrative_2024-25.csv", append_text("\n"), None),
    Case("services: Windows-1252", C + "services.csv", encoded("cp1252", "Leisure – Sports", "Leisure é Sports"), None),
    Case("services: Mac Roman", C + "services.csv", encoded("mac_roman", "Leisure – Sports", "Leisure è Sports"), None),
    Case("services: UTF-16", C + "services.csv", encoded("utf-16"), InputDataError, r"UTF-16 or UTF-32"),
    Case("services: blank required cell", C + "services.csv", set_cell(3, "service_name", ""), InputDataError, r"row 3, column 'service_name': the cell is blank"),
    Case("services: duplicate key", C + "services.csv", duplicate_row(2), InputDataError, r"duplicate"),
    Case("services: unknown service id", C + "services.csv", set_cell(2, "service_id", "swimming"), InputDataError, r"row 2, column 'service_id': value 'swimming' must be one of"),
    Case("services: negative budget", C + "services.csv", set_cell(2, "budget_gbp", "-5"), InputDataError, r"value -5.0 must be at least 0"),
    Case("services: astronomically large budget", C + "services.csv", set_cell(2, "budget_gbp", "1000000000000000"), InputDataError, r"beyond ±£10,000,000,000"),
    Case("services: infinite budget", C + "services.csv", set_cell(2, "budget_gbp", "inf"), InputDataError, r"'inf': inf is not a finite amount"),
    Case("services: 1e400", C + "services.csv", set_cell(2, "budget_gbp", "1e400"), InputDataError, r"is not a finite amount"),
    Case("services: empty file", C + "services.csv", empty(), InputDataError, r"is empty"),
    Case("services: header only (not supplied)", C + "services.csv", header_only(), None),
    Case("services: ragged row", C + "services.csv", append_text("museums,Museums,1017000,Analyse,Nice to Do,illustrative,x,extra\n"), InputDataError, r"has 8 columns where the header has 7"),
    Case("services: truncated", C + "services.csv", cut(0.6), InputDataError, r"cut short"),
    Case("services: unclosed quote", C + "services.csv", append_text('museums,"Museums,1017000,Analyse\n'), InputDataError, r"not a readable CSV|cut short"),
    Case("services: a column twice", C + "services.csv", rename_column("notes", "category"), InputDataError, r"names column 'category' more than once"),
    Case("services: unknown phase", C + "services.csv", set_cell(2, "seed_phase", "Planning"), InputDataError, r"column 'seed_phase': value 'Planning' must be one of"),
    Case("priority_scores: unknown score word", C + "priority_scores.csv", set_cell(2, "score", "Very high"), InputDataError, r"column 'score': value 'Very high' must be one of .*What to do: write High, Medium or Low"),
    Case("priority_scores: a criterion missing", C + "priority_scores.csv", drop_row(2), InputDataError, r"has no score for Spend"),
    Case("priority_scores: unknown criterion", C + "priority_scores.csv", set_cell(2, "criterion", "Vibes"), InputDataError, r"value 'Vibes' must be one of"),
    Case("kpis: text in a number column", C + "kpis.csv", set_cell(2, "target", "ninety"), InputDataError, r"value 'ninety' is not a number"),
    Case("kpis: infinite actual", C + "kpis.csv", set_cell(2, "actual", "inf"), InputDataError, r"is not a finite number"),
    Case("kpis: unknown polarity", C + "kpis.csv", set_cell(2, "polarity", "up"), InputDataError, r"value 'up' must be one of"),
    Case("option_cashflows: amount 1e15", C + "option_cashflows.csv", set_cell(2, "amount_gbp", "1000000000000000"), InputDataError, r"beyond ±£10,000,000,000"),
    Case("option_cashflows: amount inf", C + "option_cashflows.csv", set_cell(2, "amount_gbp", "inf"), InputDataError, r"not a finite amount"),
    Case("option_cashflows: unknown item", C + "option_cashflows.csv", set_cell(2, "item", "bribes"), InputDataError, r"value 'bribes' must be one of"),
    Case("option_cashflows: unknown option", C + "option_cashflows.csv", set_cell(2, "option_id", "magic"), InputDataError, r"value 'magic' must be one of"),
    Case("option_cashflows: year as text", C + "option_cashflows.csv", set_cell(2, "year", "one"), InputDataError, r"value 'one' is not a number"),
    Case("option_scores: score 11", C + "option_scores.csv", set_cell(2, "score", "11"), InputDataError, r"value 11.0 must be in the range 0, 10.*score from 0 to 10"),
    Case("option_risks: probability 1.5", C + "option_risks.csv", set_cell(2, "probability", "1.5"), InputDataError, r"value 1.5 must be"),
    Case("appraisal_settings: discount rate '3.5%'", C + "appraisal_settings.csv", set_cell(2, "discount_rate_pct", "3.5%"), InputDataError, r"value '3.5%' is not a number"),
    Case("appraisal_settings: discount rate 40", C + "appraisal_settings.csv", set_cell(2, "discount_rate_pct", "40"), InputDataError, r"value 40.0 must be in the range 0, 25"),
    Case("appraisal_settings: price base 1066", C + "appraisal_settings.csv", set_cell(2, "price_base_year", "1066"), InputDataError, r"value 1066.0 must be in the range 1990, 2100"),
    Case("delivery_models: unknown ONS code", C + "delivery_models.csv", set_cell(2, "council_code", "E07999999"), InputDataError, r"row 2, column 'council_code': ONS code 'E07999999' is not an authority this product knows"),
    Case("delivery_models: malformed ONS code", C + "delivery_models.csv", set_cell(2, "council_code", "worcester"), InputDataError, r"value 'worcester' must match the pattern"),
    Case("providers: not a date", C + "providers.csv", set_cell(2, "contract_end", "31st March"), InputDataError, r"value '31st March' is not a date"),
    Case("providers: unknown service in a list", C + "providers.csv", set_cell(2, "services", "leisure;swimming"), InputDataError, r"must list service ids"),
    Case("benefits_register: unknown type", C + "benefits_register.csv", set_cell(2, "type", "cashish"), InputDataError, r"value 'cashish' must be one of"),
    Case("solace_readiness: score 7", C + "solace_readiness.csv", set_cell(2, "score", "7"), InputDataError, r"value 7.0 must be"),
    Case("survey: 120 per cent satisfied", C + "survey.csv", set_cell(2, "percent_satisfied", "120"), InputDataError, r"value 120.0 must be in the range 0, 100"),
    Case("outputs: year out of form", C + "outputs.csv", set_cell(2, "year", "2024"), InputDataError, r"value '2024' must match the pattern"),
    Case("council workbook: corrupt", C + "council_data.xlsx", council_workbook_only(garbage()), InputDataError, r"cannot be read as a workbook"),
    Case("council workbook: a bad value in a sheet", C + "council_data.xlsx", council_workbook_only(
         write_workbook({"solace_readiness": [["condition", "score", "evidence", "action", "owner", "data_status"],
                                              ["Financial realism", "nine", "", "", "", "council"]]})),
         InputDataError, r"sheet 'solace_readiness', row 2, column 'score': value 'nine' is not a number"),
    Case("service_areas: unknown service id", C + "service_areas.csv", set_cell(2, "service_id", "swimming"), InputDataError, r"swimming"),
    Case("service_areas: bad regular expression", C + "service_areas.csv", set_cell(2, "service_area", "re:(unclosed"), InputDataError, r"not a valid regular expression"),
    # --- the council's supplier payments (published CSV) ------------------------------------------------
    Case("supplier payments: truncated", C + "supplier_payments/illustrative_2024-25.csv", cut(0.5), InputDataError, r"cut short"),
    Case("supplier payments: £1 trillion", C + "supplier_payments/illustrative_2024-25.csv", set_cell(2, "Amount (£)", "£1,000,000,000,000"), InputDataError, r"row 2, column 'Amount \(£\)'.*beyond ±£10,000,000,000"),
    Case("supplier payments: text amount", C + "supplier_payments/illustrative_2024-25.csv", set_cell(3, "Amount (£)", "forty"), InputDataError, r"row 3, column 'Amount \(£\)': value 'forty' is not an amount in pounds"),
    Case("supplier payments: Windows-1252", C + "supplier_payments/illustrative_2024-25.csv", encoded("cp1252"), None),
    Case("supplier payments: UTF-16", C + "supplier_payments/illustrative_2024-25.csv", encoded("utf-16"), InputDataError, r"UTF-16"),
    Case("supplier payments: empty", C + "supplier_payments/illustrative_2024-25.csv", empty(), InputDataError, r"is empty"),
    # --- published files ---------------------------------------------------------------------------------
    Case("census: a population of 10", P + "ons_census2021_population/lad_population_census2011_2021_rank.csv", set_where("LAD", COUNCIL, "POP21", "10"), InputDataError, r"pop_2021 = 10 for E07000237 is outside the plausible range 1,000 to 3,000,000"),
    Case("census: text in a number column", P + "ons_census2021_population/lad_population_census2011_2021_rank.csv", set_where("LAD", COUNCIL, "POP11", "many"), InputDataError, r"value 'many' is not"),
    Case("census: missing column", P + "ons_census2021_population/lad_population_census2011_2021_rank.csv", drop_column("POP21"), InputDataError, r"missing column"),
    Case("census: duplicate authority", P + "ons_census2021_population/lad_population_census2011_2021_rank.csv", duplicate_row(2), InputDataError, r"duplicate"),
    Case("census: cut short", P + "ons_census2021_population/lad_population_census2011_2021_rank.csv", cut(0.5), InputDataError, r"cut short"),
    Case("mid-2024 estimates: negative population", P + "ons_mye2_mid2024_librarieshacked/mye24tablesew.csv", set_where("Code", COUNCIL, "All ages", "-5"), InputDataError, r"-5"),
    Case("mid-2024 estimates: thousands separators", P + "ons_mye2_mid2024_librarieshacked/mye24tablesew.csv", set_where("Code", COUNCIL, "All ages", "106,671"), None),
    Case("deflator: text in the series", P + "hmt_gdp_deflator_calendar_greenbook/gdp_deflator.csv", set_cell(2, "value", "abc"), InputDataError, r"value 'abc' is not"),
    Case("deflator: renamed column", P + "hmt_gdp_deflator_calendar_greenbook/gdp_deflator.csv", rename_column("value", "index"), InputDataError, r"missing column"),
    Case("deflator: empty", P + "hmt_gdp_deflator_calendar_greenbook/gdp_deflator.csv", empty(), InputDataError, r"is empty"),
    Case("IMD 2025: text in the score", P + "imd_humaniverse/imd2025_england_ltla24.csv", set_where("ltla24_code", COUNCIL, "imd_average_score", "lots"), InputDataError, r"value 'lots' is not"),
    Case("IMD 2025: Windows-1252", P + "imd_humaniverse/imd2025_england_ltla24.csv", encoded("cp1252"), None),
    Case("lookup: cut short", P + "mysociety_la_lookup/uk_local_authorities.csv", cut(0.4), InputDataError, r"cut short|not a readable CSV"),
    Case("council tax receipts: 1e15", P + "dluhc_council_tax_receipts/ct_receipts_2022-23_by_la_table4.csv", set_where("ONS Code", COUNCIL, "Total receipts of council taxes collected during the financial year", "1000000000000000"), InputDataError, r"total receipts 1,000,000,000,000,000 differ from 61,302"),
    Case("council tax receipts: placeholder [x]", P + "dluhc_council_tax_receipts/ct_receipts_2022-23_by_la_table4.csv", set_where("ONS Code", COUNCIL, "Receipts of previous years council taxes", "[x]"), None),
    Case("RS 2017-18 workbook: corrupt", P + "mhclg_revenue_outturn_rs/original/RS_2017-18_data_by_LA.xlsx", garbage(), InputDataError, r"cannot be read|not a"),
    Case("RS 2017-18 workbook: cut short", P + "mhclg_revenue_outturn_rs/original/RS_2017-18_data_by_LA.xlsx", cut(0.5), InputDataError, r"cannot be read|not a"),
    Case("RS 2017-18 workbook: missing sheet", P + "mhclg_revenue_outturn_rs/original/RS_2017-18_data_by_LA.xlsx", workbook_without_sheet("RS LA Data 2017-18"), InputDataError, r"sheet"),
    Case("RS 2017-18 workbook: 1e15 in an outturn cell", P + "mhclg_revenue_outturn_rs/original/RS_2017-18_data_by_LA.xlsx", workbook_cell("RS LA Data 2017-18", "L311", 1e15), InputDataError, r"1,000,000,000,000,000"),
    Case("RS 2010-11 .xls: corrupt", P + "mhclg_revenue_outturn_rs/original/Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls", garbage(), InputDataError, r"cannot be read|not a"),
    Case("RSX 2024-25 .ods: corrupt", P + "mhclg_rsx_2022-23_to_2024-25_ods_dfe/RSX_LA_Data_2024-25_data_by_LA.ods", garbage(), InputDataError, r"cannot be read|not a"),
    Case("RS time series JSON: cut short", P + "mhclg_rs_timeseries_2017-18_to_2023-24_arcadesproject/council_spending.json", cut(0.5), InputDataError, r"JSON|cannot be read"),
    Case("neighbours JSON: not JSON", P + "ons_neighbours/lad2021_neighbours.json", garbage(), InputDataError, r"JSON|cannot be read"),
    # --- config/services.toml ----------------------------------------------------------------------------
    Case("config: a weight 'two'", TOML, replace_text('"Spend" = 1', '"Spend" = "two"'), ConfigError, r"\[priority.weights\] weight of 'Spend' must be a number, not 'two'"),
    Case("config: a weight nan", TOML, replace_text('"Spend" = 1', '"Spend" = nan'), ConfigError, r"weight of 'Spend' must be a finite number"),
    Case("config: every weight 0", TOML, replace_text('"Spend" = 1\n"Potential savings" = 2\n"Service quality" = 1\n"Strategic significance" = 1\n"Market maturity" = 2\n"Customer views" = 1\n"Risk vs reward" = 1', '"Spend" = 0\n"Potential savings" = 0\n"Service quality" = 0\n"Strategic significance" = 0\n"Market maturity" = 0\n"Customer views" = 0\n"Risk vs reward" = 0'), ConfigError, r"weight of 'Spend' = 0 is out of range.*above 0"),
    Case("config: weight_range reversed", TOML, replace_text("weight_range = [1, 3]", "weight_range = [3, 1]"), ConfigError, r"weight_range = \[3, 1\] must go from the lowest"),
    Case("config: k 'abc'", TOML, replace_text("k = 15", 'k = "abc"'), ConfigError, r"\[comparators\] k must be a whole number, not 'abc'"),
    Case("config: k 0", TOML, replace_text("k = 15", "k = 0"), ConfigError, r"\[comparators\] k = 0 is out of range"),
    Case("config: k negative", TOML, replace_text("k = 15", "k = -3"), ConfigError, r"k = -3 is out of range"),
    Case("config: k 2.5", TOML, replace_text("k = 15", "k = 2.5"), ConfigError, r"k must be a whole number, not 2.5"),
    Case("config: discount rate '3.5%'", TOML, replace_text("discount_rate_pct = 3.5", 'discount_rate_pct = "3.5%"'), ConfigError, r"\[appraisal\] discount_rate_pct must be a number, not '3.5%'.*without quotes or a % sign"),
    Case("config: High = 'three'", TOML, replace_text("High = 3", 'High = "three"'), ConfigError, r"\[priority.scores\] score 'High' must be a whole number, not 'three'"),
    Case("config: two answers one value", TOML, replace_text("Medium = 2", "Medium = 3"), ConfigError, r"give two answers the same value"),
    Case("config: not TOML", TOML, replace_text("[priority]", "[priority"), ConfigError, r"is not valid TOML.*line"),
    Case("config: negative stability change", TOML, replace_text("stability_weight_change = 0.5", "stability_weight_change = -0.5"), ConfigError, r"\[comparators\] stability_weight_change = -0.5 is out of range"),
    Case("config: unknown indicator", TOML, replace_text("imd_score = 1.0", "imd = 1.0"), ConfigError, r"\[comparators.weights\] names unknown indicator"),
    Case("config: appraisal years 0", TOML, replace_text("appraisal_years = 10", "appraisal_years = 0"), ConfigError, r"\[appraisal\] appraisal_years = 0 is out of range"),
]


@dataclass(frozen=True)
class Argument:
    """A bad command-line argument or notebook parameter: refused before anything runs, exit 2, one line."""

    id: str
    args: tuple[str, ...]  # after ``wcc-analysis``; "{file}" is replaced by an existing file's path
    words: str


ARGUMENTS: list[Argument] = [
    Argument("unknown service", ("run", "--service", "swimming"), r"unknown service 'swimming'"),
    Argument("unknown council", ("run", "--council", "E07999999", "--service", "museums"), r"council code 'E07999999' is not in the list of English local authorities"),
    Argument("malformed council code", ("run", "--council", "worcester"), r"'WORCESTER' is not an English ONS local authority code"),
    Argument("parameter without =", ("run", "--service", "museums", "-p", "noequals"), r"NAME=VALUE"),
    Argument("undeclared parameter", ("run", "--service", "museums", "-p", "colour=blue"), r"colour"),
    Argument("unknown notebook", ("run", "--notebook", "nonsuch"), r"unknown notebook 'nonsuch'"),
    Argument("zero jobs", ("run", "--jobs", "0"), r"--jobs"),
    Argument("unknown executor", ("run", "--executor", "warp"), r"unknown executor 'warp'"),
    Argument("zero timeout", ("run", "--timeout", "0"), r"--timeout"),
    Argument("--out is a file", ("run", "--service", "museums", "--out", "{file}"), r"--out"),
    Argument("check: unknown council", ("check", "--council", "E0799999"), r"E0799999"),
    Argument("pack: not a pack", ("pack", "{file}"), r"not an evidence pack|not a folder"),
    Argument("validate: not a folder", ("validate", "{file}"), r"is not a folder"),
]
