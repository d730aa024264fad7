from guardrails.pii import PiiVault


def test_same_value_same_placeholder_and_restore():
    vault = PiiVault()
    a = vault.placeholder_for("CREDIT_CARD", "4111 1111 1111 1111")
    assert vault.placeholder_for("CREDIT_CARD", "4111111111111111") == a == "<CREDIT_CARD_1>"
    assert vault.placeholder_for("PERSON", "Sarah") == "<PERSON_1>"
    assert vault.placeholder_for("PERSON", "Tom") == "<PERSON_2>"
    assert vault.restore("hi <PERSON_1>, card <CREDIT_CARD_1>") == "hi Sarah, card 4111 1111 1111 1111"
    assert vault.restore("hi <PERSON_1>, <CREDIT_CARD_1>", types={"PERSON"}) == "hi Sarah, <CREDIT_CARD_1>"
    assert vault.restore("<PERSON_9>") == "<PERSON_9>"


def test_repr_hides_values_and_clear():
    vault = PiiVault()
    vault.placeholder_for("PERSON", "Sarah Secretname")
    assert "Secretname" not in repr(vault) and "Secretname" not in str(vault)
    vault.clear()
    assert len(vault) == 0 and vault.values() == {}
