"""Cross-cutting HTTP concerns, one pure-ASGI middleware per file."""
