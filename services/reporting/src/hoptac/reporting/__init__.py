"""hoptac reporting: exact statistics of the register at any date, from the registry's events."""
