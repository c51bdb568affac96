"""The pages the web benches ask for (locustfile.py, bench_cache_miss.py, bench_web_cpu.py).

A module of its own so the in-process benches need no locust.
"""

# (name in the report, path): dashboard, roadmap, feedback explorer with a filter, JSON API.
PAGES = (
    ("dashboard /", "/"),
    ("roadmap /roadmap", "/roadmap"),
    ("feedback /feedback?kind=bug&q=card", "/feedback?kind=bug&q=card"),
    ("api /api/v1/initiatives", "/api/v1/initiatives"),
    ("api /api/v1/feedback?kind=bug", "/api/v1/feedback?kind=bug"),
)
