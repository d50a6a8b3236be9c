"""Readers of a council's own files in data/raw/council/<ONS code>/."""
