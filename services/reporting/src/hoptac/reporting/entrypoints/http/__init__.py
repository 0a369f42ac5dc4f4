"""The reporting HTTP API."""
