"""The file source: canonical orders from NDJSON and CSV files."""
