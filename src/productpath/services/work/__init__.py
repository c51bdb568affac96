"""Work as it is delivered: ingesting git history and issue-tracker exports (each ingest ends by
re-linking work to initiatives through ``services.delivery``, which stays beside the other use
cases because ``roadmap apply`` re-links too), what a stored repository looks like, and the
engineering health and technology stack of a repository folder. The pages and reports read here.
"""
