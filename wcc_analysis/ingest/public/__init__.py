"""Readers of the real published data in data/raw/public, one module per table."""
