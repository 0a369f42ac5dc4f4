"""Ways in: HTTP."""
