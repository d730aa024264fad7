import pytest


@pytest.mark.parametrize("text, value, expected", [
    ("hi this is sarah o'connor, card blocked", "sarah o'connor", "PERSON"),
    ("my name is james wright", "james wright", "PERSON"),
    # "hi" is a cue too, but "this" is no name: the later cue "this is" must still match.
    ("hi this is mohammed okafor", "mohammed okafor", "PERSON"),
    # The name stops at a conjunction.
    ("my name is james wright and i need help", "james wright", "PERSON"),
    ("I moved to 221b baker street", "221b baker street", "ADDRESS"),
    ("post it to 1600 Pennsylvania Ave NW, Washington, DC 20500", "1600 Pennsylvania Ave NW, Washington, DC 20500", "ADDRESS"),
    ("new address 12 Rue de Rivoli, 75001 Paris", "12 Rue de Rivoli, 75001 Paris", "ADDRESS"),
    ("born 12/03/1987", "12/03/1987", "DATE_OF_BIRTH"),
    ("dob 1987-03-12", "1987-03-12", "DATE_OF_BIRTH"),
    ("call me on +44 7911 123456", "+44 7911 123456", "PHONE_NUMBER"),
    ("email me at a.b@example.co.uk", "a.b@example.co.uk", "EMAIL_ADDRESS"),
    # sign-offs, with the comma after a space as pasted text often has it, and after a closing dash
    ("Love , Mackenna", "Mackenna", "PERSON"),
    ("Kind regards ,\nJohn Smith", "John Smith", "PERSON"),
    ("thanks for nothing. - Amara", "Amara", "PERSON"),
    ("Hi this is nova kusmawati, my card was blocked", "nova kusmawati", "PERSON"),
    ("my card, Anna: please help", "Anna", "PERSON"),        # a name after a comma, not a label word
])
def test_detected(types_in, text, value, expected):
    assert types_in(text).get(value) == expected


@pytest.mark.parametrize("text", [
    "I'm worried about my account", "this is urgent", "I'm travelling to Paris on 3 March",
    "Lodestar Plus vs Lodestar Metal card?", "where is Settings > Card", "IBAN, SEPA, BIC and KYC questions",
    "took 3 days, 3 times in a row",
    # spaCy calls some lower-case words and product names people.
    "blah", "whatever", "my Android phone and Toncoin wallet",
    # label words and sign-offs that are not names
    "I love Paris in spring", "love, love, love this app", "Card declined - Tesco",
    "Adres zamieszkania:", "Empfänger-IBAN:", "gracias", "Danke!",
])
def test_company_vocabulary_and_chat_untouched(redactor, text):
    assert redactor.redact(text).entities == []
