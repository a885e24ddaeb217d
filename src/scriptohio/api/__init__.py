"""HTTP API: the FastAPI app factory, routes, middleware and problem+json errors."""

__all__: list[str] = []  # a folder of modules: import them by name
