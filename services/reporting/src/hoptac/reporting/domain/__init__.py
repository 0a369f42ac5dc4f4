"""Plain Python rules of the reporting projection: no FastAPI, SQLAlchemy or NATS here."""
