"""The registry service: the authoritative register of collective-economy organisations."""
