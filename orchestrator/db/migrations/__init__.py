"""Alembic migrations, run by Database.migrate(); there is no alembic.ini."""
