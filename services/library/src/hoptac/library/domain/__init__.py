"""Plain rules of the library: no framework, database or broker."""
