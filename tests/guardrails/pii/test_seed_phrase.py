import pytest

from research.pii.values import Values
from guardrails.pii.recognizers.seed_phrase import checksum_valid

V = Values(11)


@pytest.mark.parametrize("phrase, score", [
    (V.seed(12, "space"), 1.0), (V.seed(24, "numbered"), 1.0), (V.seed(18, "comma"), 1.0),
    (V.seed(12, "newline"), 1.0), (V.seed(12, "space", valid=False), 0.9),
])
def test_seed_phrases_are_secrets(redactor, phrase, score):
    red = redactor.redact(f"my words are {phrase}. pls help")
    assert [(e.type, e.score) for e in red.secrets] == [("SEED_PHRASE", score)]
    assert phrase.split()[-1] not in red.text


def test_checksum():
    assert checksum_valid(V.seed(12).split())
    assert not checksum_valid(["abandon"] * 12)


@pytest.mark.parametrize("text", ["please abandon the request, I found the answer, thank you", "how do I back up my seed phrase?"])
def test_english_is_not_a_seed(redactor, text):
    assert redactor.redact(text).secrets == []
