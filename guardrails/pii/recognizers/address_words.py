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
    r"privada|circuito|andador|prolongación|boulevard|pasaje|travesía|carretera|urbanización|rambla|cuesta|bajada|"
    r"senda|vía|vial|cañada|acceso|pasadizo|peatonal|ampliación|corredor|eje\s+vial|periférico|perif\.|retorno|viaducto|circunvalación|libramiento|continuación|"
    r"rua|travessa|praça|alameda|estrada|rodovia|largo|ladeira|viela|vereda|quadra|trevo|fazenda|chácara|sítio|"
    r"condomínio|residencial|setor|núcleo|"
    r"incrocio|rotonda|salita|traversa|viottolo|"
    r"ul\.?|ulica|al\.|aleja|os\.|osiedle|pl\.|plac|"
    r"strada|str\.|bulevardul|b-dul|calea|intrarea|aleea|șoseaua|soseaua|splaiul|piața|"
    r"jalan|jl\.|gang|gg\.|"
    r"đường|phố|ngõ|ngách|"
    r"ulice|náměstí|nám\.|třída|nábřeží|"
    r"улица|ул\.|булевар|бульвар|бул\.|проспект|пр\.|просп\.|пр-т|переулок|пер\.|шоссе|ш\.|бульвар|бул\.|набережная|площадь|пл\.|"
    r"вулиця|вул\.|провулок|майдан|"
    r"οδός|οδ\.|λεωφόρος|λεωφ\.|πλατεία|"
    r"utca|út|tér|körút|"
    r"ქ\.|ქუჩა|გამზ\.?|"
    r"ב?רחוב|ב?רח['׳]|ב?שדרות|ב?שד['׳]|ב?סמטת|ב?דרך|ב?כיכר"  # Hebrew: street, avenue, lane, road, square
)
# Street-name compounds: "Hauptstraße", "Kerkstraat", "Skolvägen", "Dampfærgevej", "Dosentinkuja".
STREET_SUFFIXES = (
    r"straße|strasse|str|weg|platz|allee|gasse|damm|ufer|chaussee|steig|"
    r"straat|laan|gracht|singel|plein|dijk|dreef|hof|"
    r"gatan|vägen|gränd|stigen|torget|allén|"
    r"vej|stræde|allé|plads|veien|vegen|gata|gaten|"
    r"katu|tie|kuja|polku|väylä|kaari|raitti|bulevardi|aukio|rinne|ranta|mäki|"
    r"utca|út|tér"
)
# Street types that follow the name, written as their own word, in the United States Postal
# Service's list of street suffixes (Publication 28) and the common ones of Britain and Australia:
# "2519 Renee Plains", "10 Michael Rise". Many are everyday words ("Green", "Park", "View"), so
# they count only capitalised and after a capitalised name word (address_shapes.SHAPES).
STREET_TYPE_WORDS = (
    r"Alley|Annex|Arcade|Avenue|Bayou|Beach|Bend|Bluffs?|Bottom|Boulevard|Branch|Bridge|Brooks?|Burgs?|Bypass|"
    r"Camp|Canyon|Cape|Causeway|Centers?|Centre|Circles?|Circus|Cliffs?|Close|Club|Common|Corners?|Course|Courts?|"
    r"Coves?|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|Drives?|Estates?|Expressway|"
    r"Extensions?|Falls?|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|Freeway|Gardens?|Gateway|Glens?|"
    r"Greens?|Groves?|Harbors?|Harbour|Haven|Heights|Highway|Hills?|Hollow|Inlet|Islands?|Isle|Junctions?|Keys?|"
    r"Knolls?|Lakes?|Land|Landing|Lane|Lights?|Loaf|Locks?|Lodge|Loop|Mall|Manors?|Meadows?|Mews|Mills?|Mission|"
    r"Motorway|Mount|Mountains?|Neck|Orchard|Oval|Overpass|Parks?|Parkways?|Pass|Passage|Path|Pike|Pines?|Place|"
    r"Plains?|Plaza|Points?|Ports?|Prairie|Radial|Ramp|Ranch|Rapids?|Rest|Ridges?|Rise|River|Roads?|Route|Row|"
    r"Run|Shoals?|Shores?|Skyway|Springs?|Spurs?|Squares?|Station|Stravenue|Stream|Streets?|Summit|Terrace|"
    r"Throughway|Trace|Track|Trafficway|Trail|Trailer|Tunnel|Turnpike|Underpass|Unions?|Valleys?|Viaduct|Views?|"
    r"Villages?|Ville|Vista|Walks?|Wall|Ways?|Wells?|Wharf|Wynd|Parade|Esplanade|Promenade|Quay|Circuit|Driveway"
)
# Street words of other languages that follow the name as their own word, before the number:
# "Provste Allé 512", "Tržaška cesta 12", "Gubčeva ulica 4", "Kossuth utca 3". (Not the ones that are
# everyday words elsewhere: "put", "pot", "alle", "weg", "tee".)
STREET_WORDS_BEFORE_NUMBER = (
    r"allé|gade|vej|vegen|veien|gata|gatan|vägen|väg|straße|strasse|str\.|laan|straat|steeg|"
    r"cesta|ulica|ulice|trg|sokak|sokağı|caddesi|utca|út|tér|körút|katu|kuja|iela|gatvė|"
    r"улица|ул\.|вулиця|вул\.|булевар|бульвар|проспект|ქ\.|ქუჩა|გამზ\.|"
    r"küçəsi|küç\.|prospekti|pr\.|döngəsi|dalan[ıi]"
)
# Words of a place's name that are written in lower case inside a capitalised address (Azerbaijani
# district, village and settlement words; Spanish and Italian generic parts): they do not end it.
LOWER_CASE_PLACE_WORDS = r"ray\.?|rayonu|kəndi|qəsəbəsi|şəhəri|ş\.|mahallesi|mah\.|köyü|ilçesi|distrito|frazione|località"
UNIT_WORDS = (
    r"apt\.?|apartment|flat|unit|suite|ste\.?|floor|fl\.?|room|rm\.?|wohnung|whg\.?|"
    r"appartement|app\.?|étage|piso|depto\.?|departamento|dpto\.?|interior|int\.?|"
    r"scala|interno|andar|ap\.?|bl\.?|sc\.?|et\.?|кв\.?|квартира|д\.|буд\.|"
    r"h\.?\s?no\.?|house\s+no\.?|building|bldg\.?|level|lvl|edif\.?|edificio|torre|dto\.?|casa|lote|"
    r"manzana|mz\.?|bloque|portal|escalera|esc\.?|puerta|pta\.?|bloc|apto\.?|sala|conjunto|stiege|"
    r"etage|lgh|blok|studio|block|blk|lot"
)

STRONG_ADDRESS_CUES = cue_regex(
    r"(?:home|postal|delivery|mailing|billing|shipping|registered|residential|new|old|current|my|street|correspondence)"
    r"\s+address(?:\s+is)?", r"address(?:\s+is)?", r"addr\.?", r"adresse", r"anschrift", r"wohnadresse",
    r"direcci[óo]n", r"domicilio", r"indirizzo", r"endere[çc]o", r"morada", r"adres", r"adresa", r"adress",
    r"osoite", r"lakc[íi]m", r"c[íi]m", r"διεύθυνση", r"адрес[аи]?", r"адреса", r"住所", r"地址", r"주소",
    r"ที่อยู่", r"địa chỉ", r"alamat", r"כתובת", r"पता", r"ঠিকানা", r"მისამართი", r"հասցե", r"ünvan", r"adresi", r"adresim",
    r"osoitteeni|osoitteemme", r"adressen", r"住址", r"anwani", r"عنواني|العنوان",
    # compounds that end in the word "address" ("Lieferadresse", "Leveringsadres", "Postanschrift",
    # "Leveransadress", "Postiosoite"), not an e-mail, IP or wallet address
    r"(?!e?-?mail|ip|wallet|web|internet|krypto|crypto|bitcoin|btc|eth|server|mac)[a-zäöüåæøß]{3,}"
    r"(?:anschrift|adresse|adres|adress|osoite)",
    r"ship(?:ping)?\s+to", r"deliver(?:y)?\s+to", r"postcode|post\s+code|zip(?:\s+code)?",
    r"wohnort|wohnsitz|woonadres|bostadsadress|место\s+жительства|lieu\s+de\s+résidence",
    # words that are cues only as a form's label ("Street: ...", not "Street food", "Residence permit")
    r"(?:street|postal|residence|résidence|residencia|residenza|town|city|billing|shipping|delivery|mailing)(?=\s*:)")
WEAK_ADDRESS_CUES = re.compile(
    # (whoever lives there: "my parents live at", "I stay at"; the value after a weak cue needs a digit, a
    # street word or a non-Latin script, so "live in London" stays)
    r"(?<![a-z])(?:(?:(?:now|still|currently)\s+)?(?:live|living|lives|reside|resides|residing|stay|stays|staying)"
    r"\s+(?:now\s+)?(?:at|in|on)"
    r"|(?:moved|moving|relocated|relocating)(?:\s+(?:house|home|out|back|over|soon|recently|again|"
    r"(?:next|last|this)\s+(?:week|month|year)|in\s+\w+))?\s+to"
    # a label on its own line or after a greeting: "To: ...", "Home: ..."
    r"|(?:to|home|destination|office)\s*:"
    r"|(?:re-?)?(?:send|sent|post|posted|ship|shipped|shipping|deliver|delivered|delivery|mail|mailed|forward|courier|went)"
    r"(?:\s+(?:it|them|this|that|the\s+\w+|my\s+\w+|a\s+\w+))?(?:\s+\w+)?\s+to"
    r"|should\s+(?:go|be\s+sent|be\s+delivered|be\s+posted)\s+to"
    r"|my\s+(?:(?:new|current|old)\s+)?(?:home|place|house|flat)\s+is(?:\s+(?:now\s+)?(?:at|in))?"
    # "send it to" in other languages: envoyez la carte au, envíen la tarjeta a, schicken Sie die Karte an,
    # inviate la carta a, enviem o cartão para, wyślijcie kartę na, stuur de kaart naar, skicka kortet till
    r"|envoy(?:ez|er|e)(?:[ \t]+(?:la|le|les|ma|mon|mes)[ \t]+\w+)?[ \t]+(?:au|à|a|chez)"
    r"|env[ií](?:en|e|ad|ar|ar[aá]n)(?:[ \t]+(?:la|el|los|las|mi|mis)[ \t]+\w+)?[ \t]+(?:a|al)"
    r"|(?:schick|send)(?:en|t|e)?(?:[ \t]+sie)?(?:[ \t]+(?:die|den|das|meine|meinen)[ \t]+\w+)?[ \t]+(?:an|nach)"
    r"|(?:invia|spedi|mand)(?:te|re|i)?(?:[ \t]+(?:la|il|lo|le|i|mia|mio)[ \t]+\w+)?[ \t]+(?:a|al|all[ae]|in)"
    r"|envi(?:em|e|ar)(?:[ \t]+(?:o|a|os|as|meu|minha)[ \t]+\w+)?[ \t]+(?:para|pra)"
    r"|wyślij(?:cie)?(?:[ \t]+\w+)?[ \t]+na|stuur(?:[ \t]+(?:de|het|mijn)[ \t]+\w+)?[ \t]+naar"
    r"|skicka(?:[ \t]+\w+)?[ \t]+till|send(?:[ \t]+\w+)?[ \t]+til"
    r"|(?:addressed|posted|mailed)\s+to|located\s+at|bill\s+(?:me|us)\s+at|(?:i'm|i\s+am|we're|we\s+are)\s+(?:(?:now|currently|still)\s+)?(?:at|based\s+at)"
    # "I live at" in other languages
    r"|j'habite(?:\s+(?:au|à|a|en))?|moro\s+(?:em|na|no)|vivo\s+(?:en|em|in|a|na|no)|abito\s+(?:in|a|al)"
    r"|(?:ich\s+)?wohne\s+(?:jetzt\s+)?(?:in|im|am|an\s+der)|(?:ik\s+)?woon\s+(?:nu\s+)?(?:in|op|aan)"
    r"|mieszkam\s+(?:na|w|przy)|bydlím\s+(?:na|v)|bývam\s+(?:na|v)|lakom|живу\s+(?:на|в|по)|bor\s+(?:på|i)"
    r")(?![a-z])", re.IGNORECASE)

# (words, a bracketed word, a day of the month: "Address (home):", "Neue Adresse ab 1. Mai:"; never "is")
_LABEL_TOKEN = r"(?:[^\W\d_][\w'’.-]*|\([^\W\d_]+\)|\d{1,2}\.?)"
# What may stand between a cue and its address: copulas and possessives of several languages ("mi
# dirección es", "Adresa mea este", "Alamat saya", "Anwani yangu ni", "我的地址是", "عنواني هو"), a change
# ("home address changed.", "has been updated to"), where the address is kept ("the address on my profile
# to"), "line 1", and separators of Latin and CJK text ("：").
LEAD_AFTER_CUE = re.compile(
    r"(?:\s*(?:(?:(?:on|in|for|of)\s+(?:my|the|our|your)\s+[^\W\d_]+|is|was|should be|will be|now|at|to|in|line(?:\s*\d)?|es|est|ist|è|é|lautet|"
    r"está|são|sind|jest|je|är|er|on|adalah|είναι|это|є|este|mea|meu|minha|mia|mio|saya|kami|yangu|ni|hii|"
    r"(?:has\s+|have\s+|was\s+|has\s+been\s+)?(?:changed|updated|moved)|(?:it|that)(?:'s|’s|\s+is))(?!\w)"
    r"|(?:是|为|為|は|는|은|هو|هي|:|=|-|–|>|：|\.(?=\s))))*\s*", re.IGNORECASE)
LABEL_AFTER_CUE = re.compile(r"[ \t]+(?!(?:is|was|es|est|ist)\b)(?:" + _LABEL_TOKEN + r"[ \t]+){0,3}" + _LABEL_TOKEN +
                             r"[ \t]*(?::(?!\S)|：)", re.IGNORECASE)

# After the address: "... is my home address", "... - that's where I live", "(new address)". The address
# is read backwards from here (address_lines.py).
AFTER_ADDRESS_CUES = re.compile(
    r"(?<![\w'’])(?:(?:that'?s|that’s|that\s+is|this\s+is|it'?s|it’s|it\s+is|is|was|will\s+be)\s+)?"
    r"(?:(?:my|our|the|this)\s+"
    r"(?:(?:new|current|home|postal|delivery|billing|shipping|correct|right|registered)\s+)*address"
    r"|(?:new|current|correct|updated)\s+address"
    # "... is on my account", "... on file": the address the customer wants checked
    r"|is\s+(?:still\s+)?(?:on|in)\s+(?:my|the)\s+(?:account|file|profile)"
    r"|where\s+(?:i|we|they)\s+(?:now\s+)?(?:live|stay|am\s+staying|reside)"
    r"|where\s+(?:the\s+card|it|the\s+parcel|my\s+card)\s+should\s+go"
    # "... please send the card there", "ship it there": a request that points back at the address
    r"|(?:(?:please|pls|plz|kindly|can\s+you|could\s+you)\s+)?(?:re-?)?(?:send|ship|deliver|post|mail|forward)"
    r"(?:\s+(?:it|them|this|that|the\s+\w+|my\s+\w+|a\s+\w+))?\s+there"
    r"|(?:es|est|ist|è|é)\s+(?:mi|ma|mon|meine|mein|il\s+mio|o\s+meu|a\s+minha)\s+(?:\w+\s+)?"
    r"(?:direcci[óo]n|adresse|indirizzo|endere[çc]o|morada|anschrift))(?![\w])"
    r"|\((?:(?:new|my|home|current)\s+)?address\)", re.IGNORECASE)

# "2 days ago", "5 to 7 days", "4 people", "12 confirmations": a number with a unit is no address part
QUANTITY = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:(?:to|-|or)\s*\d+\s*)?(?:days?|weeks?|months?|years?|yrs?|hours?|hrs?|h|minutes?|mins?|"
    r"seconds?|secs?|times?|ago|people|persons?|cards?|accounts?|transfers?|payments?|transactions?|confirmations?|"
    r"euros?|dollars?|pounds?|eur|usd|gbp|chf|btc|eth|usdt|usdc|sats?|percent|pct|items?|units?|attempts?|tries|"
    r"messages?|emails?|calls?|stars?|am|pm|o'clock)\b|\b\d+\s*%", re.IGNORECASE)

# A segment starting with one of these is prose, not an address part.
PROSE_WORDS = frozenset("""
please pls plz thanks thank thx cheers regards best kind i i'm im i've ive i'd we we're that that's thats this it it's its
is are was were but and so because as if when how what why who can could would will should do does did have has had
not no yes ok okay also btw then since until after before the courier they he she you your my our his her
still just now again already hope help urgent asap sorry hi hello hey dear
instead today tonight tomorrow yesterday anymore though either too soon later right in since for from last next
or nor which whose whom where while unless although yet lol etc btw fyi imo tbh haha hehe many effective
immediately hopefully
gracias merci danke grazie obrigado obrigada bedankt dziękuję спасибо
be been does doesn't don't did didn't not with like por favor svp stp bitte viele grüße grüsse mfg lg cordialement
saludos atentamente tack takk tak kiitos teşekkürler teşekkür sağol hvala köszönöm mulțumesc díky děkuji ďakujem
ευχαριστώ дякую благодаря terima kasih salamat asante mulțumesc at sincerely faithfully respectfully warmly yours
谢谢 謝謝 شكرا ありがとう 감사합니다
""".split())
