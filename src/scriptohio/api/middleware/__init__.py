"""Cross-cutting HTTP concerns, one pure-ASGI middleware per file."""

__all__: list[str] = []  # a folder of modules: import them by name
