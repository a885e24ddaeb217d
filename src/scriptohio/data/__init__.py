"""Data layer: find, load, validate and index the data; team names; state store; ingestion."""
