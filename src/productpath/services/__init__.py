"""Use cases shared by the CLI and the web app: plain arguments in, plain data out."""
