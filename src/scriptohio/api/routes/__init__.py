"""One router per resource."""

__all__: list[str] = []  # a folder of modules: import them by name
