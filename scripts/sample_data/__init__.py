"""Text and writers for the bundled, fictional sample data (see scripts/make_sample_data.py)."""
