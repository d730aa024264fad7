"""The shared database's schema, one numbered SQL file per migration (``app/core/database.py``
applies them). Never edit a file that has shipped: add the next number."""
