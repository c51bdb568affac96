"""The web UI: server-rendered pages, each with a ``.json`` twin. Build the app with
:func:`create_app`."""

from productpath.web.app import create_app

__all__ = ["create_app"]
