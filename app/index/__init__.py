"""The searchable knowledge: embedders, the Chroma store, BM25, hybrid retrieval. Imports only app.core."""
