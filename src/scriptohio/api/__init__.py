"""HTTP API: the FastAPI app factory, routes, middleware and problem+json errors."""
