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
])
def test_not_addresses(types_in, text):
    assert "ADDRESS" not in types_in(text).values()
