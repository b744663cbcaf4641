"""Pure functions and planners, no database: arithmetic, models, parsers, the HTTP toolkit on fake time."""
