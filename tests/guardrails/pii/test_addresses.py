"""Street addresses of many countries, whole (every line), with and without a cue."""

import pytest


@pytest.mark.parametrize("text, value", [
    ("my address is 221B Baker Street, London NW1 6XE", "221B Baker Street, London NW1 6XE"),                     # GB
    ("post it to 1600 Pennsylvania Ave NW, Washington, DC 20500.", "1600 Pennsylvania Ave NW, Washington, DC 20500"),  # US
    ("new address: Hauptstraße 5, 10115 Berlin", "Hauptstraße 5, 10115 Berlin"),                                    # DE
    ("I moved to 12 rue de Rivoli, 75001 Paris. Thanks", "12 rue de Rivoli, 75001 Paris"),                        # FR
    ("dirección: Calle Mayor 10, 28013 Madrid", "Calle Mayor 10, 28013 Madrid"),                                   # ES
    ("indirizzo Via Roma 12, 00184 Roma", "Via Roma 12, 00184 Roma"),                                              # IT
    ("adres: ul. Marszałkowska 84/92, 00-514 Warszawa", "ul. Marszałkowska 84/92, 00-514 Warszawa"),               # PL
    ("Anschrift: Erlerstraße 7/6\n4170 Mureck", "Erlerstraße 7/6\n4170 Mureck"),                                   # AT
    ("Address:\nKerkstraat 12\n1017 GC Amsterdam", "Kerkstraat 12\n1017 GC Amsterdam"),                            # NL
    ("мой адрес: ул. Ленина, д. 5, кв. 12, Москва, 101000", "ул. Ленина, д. 5, кв. 12, Москва, 101000"),          # RU
    ("ship it to 서울특별시 강남구 테헤란로 152 thanks", "서울특별시 강남구 테헤란로 152"),                               # KR
    ("送付先 東京都港区六本木6丁目10番1号", "東京都港区六本木6丁目10番1号"),                                             # JP
    ("Delivery address Pražská 8, 939 15 Bertotovce. I'm home after 5.", "Pražská 8, 939 15 Bertotovce"),        # SK
    ("post it to PSC 1234, Box 5678, APO AE 09123 please", "PSC 1234, Box 5678, APO AE 09123"),                    # US military
    ("PO Box 4521, Nairobi 00100", "PO Box 4521, Nairobi 00100"),                                                  # KE
    ("send it to Apt 4B, 350 Fifth Avenue, New York, NY 10118.", "Apt 4B, 350 Fifth Avenue, New York, NY 10118"),
    # round 3: a cue after the address, read backwards
    ("Flat 2, 14 Elm Grove, Leeds LS6 2AB - that's my new address", "Flat 2, 14 Elm Grove, Leeds LS6 2AB"),     # GB
    ("5 orchard close, little eaton, de21 5ad\n\nthat's my address for the card",
     "5 orchard close, little eaton, de21 5ad"),                                                              # GB, lower
    ("Kapelgasse 3, 8010 Graz is my home address", "Kapelgasse 3, 8010 Graz"),                               # AT
    # a label qualified before its colon
    ("Adres zamieszkania: ul. Długa 5, 80-827 Gdańsk", "ul. Długa 5, 80-827 Gdańsk"),                         # PL
    ("dirección de envío: Calle Sol 4, 41001 Sevilla", "Calle Sol 4, 41001 Sevilla"),                         # ES
    ("Address (home): 9 Quay Street, Galway H91 E2PA", "9 Quay Street, Galway H91 E2PA"),                     # IE
    ("Neue Adresse ab 1. Mai: Lindenweg 4, 6020 Innsbruck", "Lindenweg 4, 6020 Innsbruck"),                  # AT
    # weak cues without a pronoun, and prose after the address
    ("my parents live at 98 شارع الحرية, وهران", "98 شارع الحرية, وهران"),                                    # DZ
    ("I'm currently at Abovyan 7, Yerevan 0001, how long will it take?", "Abovyan 7, Yerevan 0001"),         # AM
    ("Moving next week to Mletačka 80, 37620 Koprivnica too", "Mletačka 80, 37620 Koprivnica"),               # HR
    ("i am living in Glogovac 252 26018 Požega (3 days ago)", "Glogovac 252 26018 Požega"),                   # HR
    ("My flat is radvanská 253, 928 98 dlhé nad cirochou or should I call?",
     "radvanská 253, 928 98 dlhé nad cirochou"),                                                              # SK, lower
    ("Address for the card: 64 boulevard Cloutier which is wrong", "64 boulevard Cloutier"),                 # FR
    ("Address line 1: Kyringestræde 9, 8400 Kongerslev on my profile", "Kyringestræde 9, 8400 Kongerslev"),  # DK
    ("Moving next week to Dag Hammarskjöldsvej 757\n2814 Holsted", "Dag Hammarskjöldsvej 757\n2814 Holsted"),  # DK
    # scripts and layouts: Azerbaijani abbreviations, Bengali, Chinese, Taiwanese, Italian province
    ("address: Mingəçevir ş., M.ARİF prospekti, b. 8, m. 90", "Mingəçevir ş., M.ARİF prospekti, b. 8, m. 90"),  # AZ
    ("ma nouvelle adresse est ফ্ল্যাট ৬০, বাড়ী নং ৫২৬, নতুন বাকেরহাট মহাসড়ক\nthank you",
     "ফ্ল্যাট ৬০, বাড়ী নং ৫২৬, নতুন বাকেরহাট মহাসড়ক"),                                                          # BD
    ("update my address to 天津市和平区南京路a座 300041, please", "天津市和平区南京路a座 300041"),                 # CN
    ("reship to 四維街7段45號 but the app shows the old one", "四維街7段45號"),                                 # TW
    ("my adress is via torino, 84, 26824, cavenago d'adda (lo)", "via torino, 84, 26824, cavenago d'adda (lo)"),  # IT
    ("Good morning:\n554 RODRIGUEZ DRIVEWAY, SOUTH NICOLEFORT, WA, 2614; the old one is gone",
     "554 RODRIGUEZ DRIVEWAY, SOUTH NICOLEFORT, WA, 2614"),                                                    # AU, capitals
])
def test_whole_address(types_in, text, value):
    assert types_in(text).get(value) == "ADDRESS"


@pytest.mark.parametrize("text", [
    "I tried 3 times in a row at 10:45",
    "Paris trip next week, will my card work in France?",
    "unit 3 of the course was hard",
    "I live in fear of scams",
    "send it to my wallet please",
    "I moved to the Premium plan last month",
    "my balance shows 1,234.56 USD but should be 2,000",
    "I called 3 times and the line is available 24/7",   # "calle"+"d 3", "av"+"ailable 24": street words need a space
    "of course 2 of my cards were blocked",
    "the address 0x2BEf15d3651dba21dF849B65A239a58A28377bBa shows a checksum error",  # a wallet, not a street
    "Transfer 250.00 EUR via SEPA",
    # round 3: the cues read after the address, labels, stays and moves
    "Delivery to Spain takes 5 to 7 days according to the site",    # a country, not an address
    "my address is London, is that enough?",
    "To: Support Team\nSubject: card 2 blocked",                     # a header is no address part
    "Paid 25 EUR, that's my new address?",
    "I'm currently at the airport, gate 12, can I still pay?",
    "We stay at a hotel for 3 nights, will my card work?",
    "Moving next week to Portugal, can I keep my account?",
    "I have 2 cards - that's my address?",
    "numéro de compte 5941\n2854 654 since March",                  # an account number over two lines
])
def test_not_addresses(types_in, text):
    assert "ADDRESS" not in types_in(text).values()


@pytest.mark.parametrize("text, kept", [
    ("I've moved to 12 Baker Street, London NW1 6XE since last week", "since last week"),
    ("Address: Kerkstraat 12, 1017 GC Amsterdam. Many thanks", "Many thanks"),
    ("send it to 12 rue de Rivoli, 75001 Paris effective immediately", "effective immediately"),
    ("is 12 Calle Mayor, 28013 Madrid still on file as my address?", "still on file as"),
    ("Hi Anna, 12 rue de Rivoli, Paris is my address", "Hi"),
    ("Nova morada: Rua Augusta 10, 1100-053 Lisboa if that helps", "Nova morada:"),
    ("Adres zamieszkania: ul. Długa 5, 80-827 Gdańsk", "Adres zamieszkania:"),
])
def test_words_around_an_address_are_kept(redactor, text, kept):
    assert kept in redactor.redact(text).text
