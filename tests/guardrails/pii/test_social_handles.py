import pytest


@pytest.mark.parametrize("text, value", [
    ("dm me on telegram @crypto_jane", "@crypto_jane"),
    ("RT @NikoWavy: thanks", "@NikoWavy"),
    ("someone called @ lodestar_help_24 said to send my phrase", "@ lodestar_help_24"),
])
def test_handles(types_in, text, value):
    assert types_in(text).get(value) == "USERNAME"


@pytest.mark.parametrize("text", ["mail a.b@example.co.uk please", "meet @ 5 pm", "50 @ 3%"])
def test_not_handles(types_in, text):
    assert "USERNAME" not in types_in(text).values()
