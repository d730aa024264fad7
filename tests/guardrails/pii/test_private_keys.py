import pytest

from research.pii.values import Values

V = Values(5)
WIF, HEX, TXH = V.wif(), V.hex64(False), V.hex64(True)


@pytest.mark.parametrize("text, value, expected", [
    (f"my private key is {WIF}", WIF, "PRIVATE_KEY"),
    (f"exported key {HEX}", HEX, "PRIVATE_KEY"),
    (f"tx hash {TXH} still pending", TXH, "TRANSACTION_ID"),
    (f"my key {WIF[:-1] + ('x' if WIF[-1] != 'x' else 'y')}", None, None),
])
def test_keys_and_hashes(types_in, text, value, expected):
    detected = types_in(text)
    if value is None:
        assert "PRIVATE_KEY" not in detected.values()
    else:
        assert detected[value] == expected
