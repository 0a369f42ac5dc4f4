"""PostgreSQL, the registry over HTTP, webhook receivers and SMTP."""
