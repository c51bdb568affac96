"""Connectors that read user files into plain domain data; they never touch the store."""
