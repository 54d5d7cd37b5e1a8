"""The HTTP adapter (FastAPI): thin routers over the domain services."""
