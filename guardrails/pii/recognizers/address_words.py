"""Words of street addresses in many languages, and the cues that introduce an address.

Written for this project from general knowledge of postal conventions (street types,
abbreviations, unit words); regex alternations, matched case-insensitively.
"""

from __future__ import annotations

import re

from guardrails.pii.recognizers.context_cues import cue_regex

# After a house number: "221b Baker Street", "4180 Simpson Highway", "17 Kennedy Laneway".
# Everyday words that follow numbers ("3 times", "15 minutes walk", "2 green cards") are left out.
STREET_WORDS_AFTER_NUMBER = (
    r"street|st|road|rd|avenue|ave|av|lane|ln|laneway|drive|dr|close|way|place|pl|boulevard|blvd|court|ct|crescent|"
    r"cres|terrace|tce|gardens|gdns|square|sq|grove|mews|parkway|pkwy|highway|hwy|hill|wynd|circuit|cct|parade|pde|"
    r"esplanade|promenade|quay|wharf|turnpike|expressway|freeway|alley|plaza|bypass|causeway|chowk|nagar|marg|salai|"
    r"sokak|sk|cadde|cd|caddesi|sokağı|mahallesi|mah"
)  # "rue", "via", "calle"... come before the name: STREET_PREFIXES ("12 rue de Rivoli" has its own pattern)
# Before the name: "rue de Rivoli", "ul. Paderewskiego", "Calle Mayor", "проспект Виноградний".
STREET_PREFIXES = (
    r"rue|avenue|av\.?|avda\.?|boulevard|bd\.?|bvd\.?|allée|chemin|impasse|place|quai|route|cours|voie|passage|"
    r"via|viale|piazza|piazzale|corso|strada|vicolo|largo|contrada|borgo|lungomare|"
    r"calle|c/|avenida|paseo|plaza|camino|carrera|diagonal|transversal|calzada|ronda|glorieta|callejón|cerrada|"
    r"privada|circuito|andador|prolongación|boulevard|"
    r"rua|travessa|praça|alameda|estrada|rodovia|largo|ladeira|"
    r"ul\.?|ulica|al\.|aleja|os\.|osiedle|pl\.|plac|"
    r"strada|str\.|bulevardul|b-dul|calea|intrarea|aleea|șoseaua|soseaua|splaiul|piața|"
    r"jalan|jl\.|gang|gg\.|"
    r"đường|phố|ngõ|ngách|"
    r"ulice|náměstí|nám\.|třída|nábřeží|"
    r"улица|ул\.|проспект|пр\.|просп\.|пр-т|переулок|пер\.|шоссе|ш\.|бульвар|бул\.|набережная|площадь|пл\.|"
    r"вулиця|вул\.|провулок|майдан|"
    r"οδός|οδ\.|λεωφόρος|λεωφ\.|πλατεία|"
    r"utca|út|tér|körút|"
    r"ქ\.|ქუჩა|გამზ\.?"
)
# Street-name compounds: "Hauptstraße", "Kerkstraat", "Skolvägen", "Dampfærgevej", "Dosentinkuja".
STREET_SUFFIXES = (
    r"straße|strasse|str|weg|platz|allee|gasse|ring|damm|ufer|chaussee|steig|"
    r"straat|laan|gracht|singel|plein|kade|dijk|dreef|hof|"
    r"gatan|vägen|gränd|stigen|torget|allén|"
    r"vej|gade|stræde|allé|plads|veien|vegen|gata|gaten|"
    r"katu|tie|kuja|polku|väylä|kaari|raitti|"
    r"utca|út|tér"
)
UNIT_WORDS = (
    r"apt\.?|apartment|flat|unit|suite|ste\.?|floor|fl\.?|room|rm\.?|wohnung|whg\.?|"
    r"appartement|app\.?|étage|piso|depto\.?|departamento|dpto\.?|interior|int\.?|"
    r"scala|interno|andar|ap\.?|bl\.?|sc\.?|et\.?|кв\.?|квартира|д\.|буд\.|"
    r"h\.?\s?no\.?|house\s+no\.?|building|bldg\.?|level|lvl|edif\.?|edificio|torre|dto\.?|casa|lote|"
    r"manzana|mz\.?|bloque|portal|escalera|esc\.?|puerta|pta\.?|bloc|apto\.?|sala|conjunto|stiege|"
    r"etage|lgh|blok"
)

STRONG_ADDRESS_CUES = cue_regex(
    r"(?:home|postal|delivery|mailing|billing|shipping|registered|residential|new|old|current|my|street|correspondence)"
    r"\s+address(?:\s+is)?", r"address(?:\s+is)?", r"addr\.?", r"adresse", r"anschrift", r"wohnadresse",
    r"direcci[óo]n", r"domicilio", r"indirizzo", r"endere[çc]o", r"morada", r"adres", r"adresa", r"adress",
    r"osoite", r"lakc[íi]m", r"c[íi]m", r"διεύθυνση", r"адрес[аи]?", r"адреса", r"住所", r"地址", r"주소",
    r"ที่อยู่", r"địa chỉ", r"alamat", r"כתובת", r"पता", r"ঠিকানা", r"მისამართი", r"հասցե", r"ünvan", r"adresi",
    r"ship(?:ping)?\s+to", r"deliver(?:y)?\s+to", r"postcode|post\s+code|zip(?:\s+code)?")
WEAK_ADDRESS_CUES = re.compile(
    r"(?<![a-z])(?:(?:i|we|she|he|they)\s+(?:now\s+)?(?:live|living|lives|reside|am\s+staying|are\s+staying)\s+(?:at|in|on)"
    r"|(?:moved|moving|relocated|relocating)\s+(?:house\s+)?to"
    r"|(?:send|sent|post|posted|ship|shipped|deliver|delivered|mail|mailed|forward|courier|went)"
    r"(?:\s+(?:it|them|this|that|the\s+\w+|my\s+\w+|a\s+\w+))?(?:\s+\w+)?\s+to"
    r")(?![a-z])", re.IGNORECASE)

# A segment starting with one of these is prose, not an address part.
PROSE_WORDS = frozenset("""
please pls plz thanks thank thx cheers regards best kind i i'm im i've ive i'd we we're that that's thats this it it's its
is are was were but and so because as if when how what why who can could would will should do does did have has had
not no yes ok okay also btw then since until after before the courier they he she you your my our his her
still just now again already hope help urgent asap sorry hi hello hey dear
""".split())
