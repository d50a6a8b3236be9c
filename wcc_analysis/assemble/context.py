"""What every report starts from: the notebook's parameters checked, the council's name, its own files."""

from __future__ import annotations

import pandas as pd

from wcc_analysis import ingest
from wcc_analysis.analysis import population, prices
from wcc_analysis.core.config import Config, Service, load_config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.ingest import CouncilData


def check_parameters(council: str, service: str, scope: str, config: Config | None = None) -> Service:
    """Check a notebook's ``council`` and ``service`` parameters; return the service."""
    config = config or load_config()
    if not isinstance(council, str) or not council.strip():
        raise ParameterError("parameter 'council' must be an ONS code such as 'E07000237' (Worcester).")
    ingest.require_known_authority(council.strip())
    chosen = config.service(service)
    if chosen.scope != scope:
        wanted = f"the portfolio id {config.portfolio.id!r}" if scope == "portfolio" else "a service id such as 'leisure'"
        raise ParameterError(f"this notebook runs for {wanted}, not {service!r}.")
    return chosen


def authority_names() -> dict[str, str]:
    """Every authority's everyday name by ONS code (the authority lookup)."""
    table = ingest.authorities()
    return dict(zip(table["ons_code"], table["name"], strict=False))


def authority_name(code: str) -> str:
    """The authority's everyday name (e.g. 'Worcester'); the code itself when it is not in the lookup."""
    return authority_names().get(code, code)


def council_data(council: str, config: Config) -> CouncilData:
    """The council's own files (data/raw/council/<code>/), read and validated once per report."""
    return ingest.load_council_data(council, config)


#: The processed tables the measures catalogue reads (analysis.measures: each measure names its table).
MEASURE_TABLES = ("ro_detail", "waste_collection", "fly_tipping", "ct_collection", "ct_receipts", "revenue_outturn",
                  "ra_budget", "council_tax_levels")


def measure_tables() -> dict[str, pd.DataFrame]:
    """The processed tables the measures catalogue reads, by the names it uses."""
    return {name: ingest.load(name) for name in MEASURE_TABLES}


def people(years) -> pd.DataFrame:
    """Population of every authority for each financial year starting in ``years`` (the ONS mid-year
    estimate, the census-trend estimate where there is none: analysis.population.by_year)."""
    return population.by_year(ingest.mid_year_population(), ingest.population(), years)


def deflators() -> pd.DataFrame:
    """HM Treasury GDP deflators by financial year (analysis.prices.financial_year_deflators)."""
    return prices.financial_year_deflators(ingest.gdp_deflator())
