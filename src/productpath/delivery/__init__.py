"""Pure delivery logic on plain data: no database, no web, no files."""
