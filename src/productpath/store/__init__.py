"""Persistence: SQLAlchemy models, engines and sessions, Alembic migrations, repositories."""
