"""Read models for the web's pages and their ``.json`` twins: the dashboard and roadmap overview,
themes, technology, delivery, one initiative (with its evidence), the feedback explorer and the
plan's timeline. Each view is a frozen pydantic model, so the HTML page and its twin serialise
the same object. Pages read through the use cases beside them in ``services/`` and the work,
forecasting and learning wings; nothing below imports a page.
"""
