"""The statistics of the learning loop, pure: KPI trends and anomalies, experiment read-outs,
sample sizes, and what a decision's KPI now says. Plain data in, plain data out; no store, no
web."""
