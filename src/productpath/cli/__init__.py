"""The ``productpath`` command line: parse, call one service, print."""
