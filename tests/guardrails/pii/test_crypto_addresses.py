import pytest

from research.pii.values import Values

V = Values(7)
ETH = V.eth()


@pytest.mark.parametrize("value, found", [
    (V.btc_p2pkh(), True), (V.btc_p2sh(), True), (V.bech32(), True), (V.taproot(), True),
    (ETH, True), (V.eth(lower=True), True), (V.ton(), True), (V.ton_raw(), True), (V.solana(), True),
    (V.bad_btc(), False), (V.bad_bech32(), False), (V.bad_eth(), False),
])
def test_wallet_addresses(types_in, value, found):
    detected = types_in(f"please send it to {value} thanks")
    assert (detected.get(value) == "CRYPTO_WALLET") is found


@pytest.mark.parametrize("text", ["Lodestar Plus supports Bitcoin and Ethereum", "abandon ship, this app is bad"])
def test_ordinary_words_are_not_wallets(types_in, text):
    assert "CRYPTO_WALLET" not in types_in(text).values()
