"""Application services: one transaction of work per use case."""
