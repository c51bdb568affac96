"""Connectors: read a service's documented HTTP API and hand back plain decoded objects.

No store imports here: the services turn what a connector reads into stored rows.
"""
