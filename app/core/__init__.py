"""The kernel: errors, settings, tokens, shared model helpers. Imports nothing else of Beacon."""
