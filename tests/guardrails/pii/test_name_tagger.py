"""The name tagger (guardrails/pii/name_tagger.onnx) on names the small spaCy model missed."""

import pytest

from guardrails.pii.name_tagger import NameTagger, _word_bounds, case_features


@pytest.fixture(scope="module")
def tagger():
    model = NameTagger()
    model.warm_up()
    return model


@pytest.mark.parametrize("text, name", [
    ("I sent 200 EUR to Siobhan Ni Bhriain yesterday and it never arrived", "Siobhan Ni Bhriain"),
    ("the payment to oluwaseun adeyemi failed twice", "oluwaseun adeyemi"),      # lower case, Yoruba
    ("my wife Giedrė Kazlauskienė needs access to the joint account", "Giedrė Kazlauskienė"),
    ("can you add Hamid Rezaei as a recipient?", "Hamid Rezaei"),
    ("Regards,\nTomasz Wójcik", "Tomasz Wójcik"),
])
def test_names_are_redacted(redactor, text, name):
    red = redactor.redact(text)
    assert name not in red.text and any(e.type == "PERSON" for e in red.entities)


@pytest.mark.parametrize("text", [
    "How do I freeze my card in the app?",
    "I tried 3 times in a row and it failed",
    "the exchange rate was 1.08 at 09:30",
])
def test_no_names_in_plain_questions(tagger, text):
    assert tagger.spans(text) == []


def test_long_text_is_read_in_windows(tagger):
    text = "nothing to see here. " * 200 + "Regards, Tomasz Wójcik"
    assert any(text[s:e] == "Tomasz Wójcik" for s, e, _ in tagger.spans(text))


@pytest.mark.parametrize("text, offsets, expected", [
    ("Anna x", [(0, 4), (5, 6)], [1, 0]),
    ("", [], []),
])
def test_case_features(text, offsets, expected):
    assert case_features(text, offsets) == expected


@pytest.mark.parametrize("text, start, end, expected", [
    ("hi O'Connor!", 5, 7, (3, 11)),      # a piece widened to its whole word
    ("@NikoWavy ok", 1, 5, (1, 9)),       # the @ is not part of the name
])
def test_word_bounds(text, start, end, expected):
    assert _word_bounds(text, start, end) == expected


def test_missing_model_says_how_to_rebuild(tmp_path):
    from guardrails.pii.name_tagger import NameTaggerMissingError

    with pytest.raises(NameTaggerMissingError, match="public_train_names"):
        NameTagger(path=tmp_path / "none.onnx").warm_up()
