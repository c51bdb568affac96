"""Background jobs (an insights run, a feedback import, a source sync, a digest send): queuing
them, the workers that run them (procrastinate on PostgreSQL, an in-process loop on SQLite), the
periodic schedule, and the work behind each job kind. The top of the services layer: it may call
any wing.
"""
