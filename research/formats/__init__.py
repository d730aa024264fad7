"""A sweep of ingest over public documentation written elsewhere (sweep.py)."""
