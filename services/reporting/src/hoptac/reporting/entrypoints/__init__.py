"""HTTP routes, the event consumer and the CLI."""
