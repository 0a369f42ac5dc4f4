"""Database, registry HTTP client and file exports."""
