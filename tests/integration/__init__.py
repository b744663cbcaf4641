"""The engine on a real DuckDB file: landing, digests, posting, sources against their sandboxes."""
