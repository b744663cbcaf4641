"""The DuckDB file: opening it, its versioned schema and the documented views."""
