"""Errors Beacon shows to people. Each message names the thing and the fix."""


class BeaconError(Exception):
    """Base class: the message is safe and useful to show at the edges (CLI, API, UI)."""


class ConfigError(BeaconError):
    """A setting is missing or invalid."""


class StoreUnavailableError(BeaconError):
    """The vector store cannot be reached or opened."""


class EmbeddingError(BeaconError):
    """The embedding model cannot be loaded or called."""
