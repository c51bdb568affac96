"""Learning from outcomes: KPIs and their trends, experiment read-outs, the decision log with its
reviews, and the demo's learning data. Built on the use cases in ``services/``; the pages and
reports read from here.
"""
