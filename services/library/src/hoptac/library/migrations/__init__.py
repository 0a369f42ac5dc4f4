"""Alembic migrations of the library database."""
