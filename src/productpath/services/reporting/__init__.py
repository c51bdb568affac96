"""Reports and what carries them to people: the per-audience report builders (exec, engineering,
customer, release notes) with their data gathering, the shipped list and the optional rewording,
the digests that send them on each stakeholder's cadence, and the read models of the
communication pages. Reporting sits above the pages it reads from; only background jobs and the
CLI/web use it.
"""
