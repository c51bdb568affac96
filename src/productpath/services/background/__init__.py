"""Long tasks the web UI starts and runs in the background (an insights run, a feedback import, a
digest send): the job table and its threads, and the work behind each job kind. The top of the
services layer: it may call any wing.
"""
