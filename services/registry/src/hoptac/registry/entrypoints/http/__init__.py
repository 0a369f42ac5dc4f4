"""The registry HTTP API (DESIGN.md section 6)."""
