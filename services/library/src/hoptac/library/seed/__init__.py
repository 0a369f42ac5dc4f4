"""The starting set of national documents, loaded on a new database."""
