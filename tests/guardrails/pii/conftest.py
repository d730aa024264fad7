import pytest

from guardrails.pii import Redactor


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    r = Redactor()
    r.warm_up()
    return r


@pytest.fixture
def types_in(redactor):
    def detect(text: str) -> dict[str, str]:
        return {text[e.start:e.end]: e.type for e in redactor.redact(text).entities}
    return detect
