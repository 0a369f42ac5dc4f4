"""Entry points: the HTTP API (with the stream consumer in its lifespan) and the CLI."""
