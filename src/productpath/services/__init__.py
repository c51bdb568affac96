"""Use cases shared by the CLI and the web app. Each takes plain arguments and returns plain data."""
