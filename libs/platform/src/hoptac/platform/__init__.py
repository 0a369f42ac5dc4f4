"""Service defaults shared by every hoptac service (the way eShop keeps ServiceDefaults)."""
