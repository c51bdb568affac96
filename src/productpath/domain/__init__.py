"""Pure models and rules: no I/O, no database, no web."""
