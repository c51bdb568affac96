"""Server-side SVG charts drawn from plain data, shared by the web pages and the reports.

``svg`` holds the primitives (line chart, radar, the accessible ``<svg>`` opener); the other
modules draw one kind of figure each. Nothing here imports ``services`` or ``web``: callers
turn their views into the plain series these functions take.
"""
