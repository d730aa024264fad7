"""Errors Beacon shows to people. Each message names the thing and the fix."""


class BeaconError(Exception):
    """Base class: the message is safe and useful to show at the edges (CLI, API, UI)."""


class ConfigError(BeaconError):
    """A setting is missing or invalid."""


# Kinds of failure. The edges map a kind, never a package's own class, to what they show (an
# HTTP status, an exit code), so they need not import the packages that raise them.
class NotFoundError(BeaconError):
    """Something asked for by id does not exist (a stored session, a handoff ticket)."""

    code = "not_found"


class InvalidInputError(BeaconError):
    """What was sent cannot be accepted (an empty question, a knowledge file that fails
    validation); the message says how to fix it."""


class ConflictError(BeaconError):
    """The state of things does not allow it now (another ingest holds the index, the knowledge
    directory is missing)."""


class UnavailableError(BeaconError):
    """A part Beacon needs cannot be reached or loaded; retrying later may work."""


class StoreUnavailableError(UnavailableError):
    """The vector store cannot be reached or opened."""


class EmbeddingError(UnavailableError):
    """The embedding model cannot be loaded or called."""


def endpoint_errors() -> tuple[type[BaseException], ...]:
    """What a call to an OpenAI-compatible endpoint can raise: the SDK's own errors and,
    while a stream is being read, its HTTP client's (httpx under openai 1 and 2, httpx2
    under openai 3), which the SDK does not wrap."""
    import openai

    return (openai.OpenAIError, *_http_client_errors("HTTPError"))


def endpoint_transport_errors() -> tuple[type[BaseException], ...]:
    """The HTTP clients' connection and timeout errors alone: not their HTTPStatusError,
    which an error status (a 400 for a too-long prompt) also leaves behind."""
    return _http_client_errors("TransportError")


def _http_client_errors(name: str) -> tuple[type[BaseException], ...]:
    import importlib

    found = []
    for module in ("httpx", "httpx2"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def endpoint_error_name(exc: BaseException) -> str:
    """A stable reason code for an endpoint failure: the SDK's class name, and the SDK's
    name for the same condition when the HTTP client raised it (a timeout reads
    ``APITimeoutError``, a broken transfer ``APIConnectionError``), whichever openai version
    is installed."""
    import openai

    if isinstance(exc, openai.OpenAIError):
        return type(exc).__name__
    return "APITimeoutError" if "Timeout" in type(exc).__name__ else "APIConnectionError"
