"""Data layer: find, load, validate and index the data; team names; state store; ingestion."""

__all__: list[str] = []  # a folder of modules: import them by name
