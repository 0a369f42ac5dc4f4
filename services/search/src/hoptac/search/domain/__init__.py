"""The search domain: Vietnamese text analysis, documents, queries. Plain Python only."""
