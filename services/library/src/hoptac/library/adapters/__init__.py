"""The library's adapters: database, outbox relay, text extraction."""
