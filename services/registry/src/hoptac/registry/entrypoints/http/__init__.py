"""The registry HTTP API (docs/registry-api.md)."""
