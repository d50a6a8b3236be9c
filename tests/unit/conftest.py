"""Real published tables read straight from data/raw/public by their readers (not the cache), once per run."""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.ingest.public import ct_collection as ct_collection_reader
from wcc_analysis.ingest.public import ct_receipts as ct_receipts_reader
from wcc_analysis.ingest.public import recycling as recycling_reader
from wcc_analysis.ingest.public import ro_detail as ro_detail_reader
from wcc_analysis.ingest.public import waste_collection as waste_collection_reader
from wcc_analysis.ingest.public.mid_year_population import load_mid_year_population
from wcc_analysis.ingest.public.population import load_census_population


@pytest.fixture(scope="session")
def ro() -> pd.DataFrame:
    return ro_detail_reader.load_ro_detail()


@pytest.fixture(scope="session")
def recycling() -> pd.DataFrame:
    return recycling_reader.load_recycling()


@pytest.fixture(scope="session")
def ct_collection() -> pd.DataFrame:
    return ct_collection_reader.load_ct_collection()


@pytest.fixture(scope="session")
def ct_receipts() -> pd.DataFrame:
    return ct_receipts_reader.load_ct_receipts()


@pytest.fixture(scope="session")
def census() -> pd.DataFrame:
    return load_census_population()


@pytest.fixture(scope="session")
def waste_collection() -> pd.DataFrame:
    return waste_collection_reader.load_waste_collection()


@pytest.fixture(scope="session")
def mid_year() -> pd.DataFrame:
    return load_mid_year_population()
